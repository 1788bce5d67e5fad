import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, cookie } from './api';

type Call = { url: string; init: RequestInit };

function stubFetch(status: number, body: unknown): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('api', () => {
  it('reads cookies', () => {
    expect(cookie('tafel_csrf', 'a=1; tafel_csrf=abc%3D; b=2')).toBe('abc=');
    expect(cookie('missing', 'a=1')).toBeUndefined();
  });

  it('sends the CSRF cookie as X-CSRF-Token on state-changing calls only', async () => {
    vi.stubGlobal('document', { cookie: 'tafel_csrf=tok123' });
    // The server answers a redeem with /api/me of the new participant session.
    const calls = stubFetch(200, { id: 'i:inv1', name: 'Ilse', professional: false, role: 'network', case: 'c1', meeting: 'm1' });
    await expect(api.redeem({ token: 'jwt' }, 'Ilse')).resolves.toEqual({ caseId: 'c1', meetingId: 'm1', participantId: 'i:inv1' });
    expect(calls[0]!.url).toBe('/api/invitations/redeem');
    expect(calls[0]!.init.method).toBe('POST');
    expect((calls[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok123');
    expect((calls[0]!.init.headers as Record<string, string>)['X-Tafel-CSRF']).toBe('1');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ token: 'jwt', name: 'Ilse' });

    const get = stubFetch(200, [{ id: 'c1', title: 'Janna', owner: 'a1', created: '2026-03-01T10:00:00Z', role: 'chair' }]);
    await expect(api.cases()).resolves.toEqual([{ id: 'c1', title: 'Janna', role: 'chair' }]);
    expect((get[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
    expect((get[0]!.init.headers as Record<string, string>)['X-Tafel-CSRF']).toBeUndefined();
  });

  it('turns refusals into ApiError with the server code and message', async () => {
    stubFetch(410, { code: 'expired', message: { nl: 'Verlopen', en: 'Expired' } });
    const err = await api.redeem({ token: 'jwt' }, 'Ilse').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 410, code: 'expired', msg: { nl: 'Verlopen', en: 'Expired' } });
  });

  it('reads the access log of the server (audit entries in a page)', async () => {
    stubFetch(200, {
      entries: [{ seq: 3, time: '2026-03-02T09:58:00Z', principal: 'u:a1', name: 'Eva', role: 'chair', organisation: 'Veilig Thuis', case: 'c1', object: 'case/view', action: 'read', outcome: 'granted', addr: '10.0.0.1', channel: 'http' }],
    });
    await expect(api.accessLog('c1')).resolves.toEqual([
      { at: '2026-03-02T09:58:00Z', who: 'Eva', role: 'chair', organisation: 'Veilig Thuis', action: 'read', object: 'case/view', outcome: 'granted', from: '10.0.0.1' },
    ]);
  });

  it('asks for a join code for the shared screen and reads the link', async () => {
    const calls = stubFetch(201, { invitation: { id: 'x', expires: '2026-03-02T10:15:00Z' }, url: 'https://tafel.example/join#tok', qr: 'data:image/png;base64,AAA' });
    await expect(api.joinCode('c1', 'm1')).resolves.toEqual({ url: 'https://tafel.example/join#tok', qr: 'data:image/png;base64,AAA', expires: '2026-03-02T10:15:00Z' });
    expect(calls[0]!.url).toBe('/api/cases/c1/meetings/m1/join-code');
  });

  it('builds the URL of the minutes', () => {
    expect(api.minutesUrl('c 1', 'm1')).toBe('/api/cases/c%201/meetings/m1/minutes.pdf');
  });
});
