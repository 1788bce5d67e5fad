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
    const calls = stubFetch(200, { caseId: 'c1', meetingId: 'm1', participantId: 'p9' });
    await expect(api.redeem('jwt', 'Ilse')).resolves.toEqual({ caseId: 'c1', meetingId: 'm1', participantId: 'p9' });
    expect(calls[0]!.url).toBe('/api/invitations/redeem');
    expect(calls[0]!.init.method).toBe('POST');
    expect((calls[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok123');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ token: 'jwt', name: 'Ilse' });

    const get = stubFetch(200, [{ id: 'c1', title: 'Janna' }]);
    await expect(api.cases()).resolves.toEqual([{ id: 'c1', title: 'Janna' }]);
    expect((get[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
  });

  it('turns refusals into ApiError with the server code and message', async () => {
    stubFetch(410, { code: 'expired', message: { nl: 'Verlopen', en: 'Expired' } });
    const err = await api.redeem('jwt', 'Ilse').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 410, code: 'expired', msg: { nl: 'Verlopen', en: 'Expired' } });
  });

  it('builds the URLs of the QR code and the minutes', () => {
    expect(api.meetingQrUrl('c 1', 'm1')).toBe('/api/cases/c%201/meetings/m1/qr');
    expect(api.minutesUrl('c1')).toBe('/api/cases/c1/minutes.pdf');
  });
});
