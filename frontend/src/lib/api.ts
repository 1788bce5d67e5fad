// Every REST call of the frontend, in one place. State-changing calls send the CSRF token from
// the `tafel_csrf` cookie in the X-CSRF-Token header (double-submit). Errors become ApiError with
// the server's code and Dutch + English message when it sent one.

import type { Msg, Role } from './protocol';

/** A refused or failed REST call. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly msg: Msg | undefined;
  constructor(status: number, code: string, msg?: Msg) {
    super(`${status} ${code}${msg ? `: ${msg.en}` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.msg = msg;
  }
}

/** The signed-in professional (GET /api/me). */
export interface Me {
  id: string;
  name: string;
  email?: string;
  role?: string;
  organisation?: string;
  admin?: boolean;
}

/** A case in the list (GET /api/cases). */
export interface CaseSummary {
  id: string;
  title: string;
  phase?: number;
}

/** Result of redeeming an invitation. */
export interface Redeemed {
  caseId: string;
  meetingId?: string;
  participantId?: string;
}

/** One row of the case access log (NEN 7513). */
export interface AccessEntry {
  at: string;
  who: string;
  role?: string;
  organisation?: string;
  action: string;
  from?: string;
}

/** Reads a cookie by name. */
export function cookie(name: string, source: string = typeof document === 'undefined' ? '' : document.cookie): string | undefined {
  for (const part of source.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const token = cookie('tafel_csrf');
    if (token) headers['X-CSRF-Token'] = token;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', { nl: 'Geen verbinding met de server.', en: 'No connection to the server.' });
  }
  const type = res.headers.get('Content-Type') ?? '';
  const data: unknown = type.includes('application/json') ? await res.json().catch(() => undefined) : undefined;
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: Msg | string; error?: string };
    const msg = typeof e.message === 'object' ? e.message : undefined;
    throw new ApiError(res.status, e.code ?? e.error ?? String(res.status), msg);
  }
  return data as T;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export const api = {
  login: (email: string, password: string) => call<Me | undefined>('POST', '/api/login', { email, password }),
  logout: () => call<void>('POST', '/api/logout'),
  me: () => call<Me>('GET', '/api/me'),
  cases: async (): Promise<CaseSummary[]> => {
    const data = await call<CaseSummary[] | { cases: CaseSummary[] }>('GET', '/api/cases');
    return Array.isArray(data) ? data : (data?.cases ?? []);
  },
  /** First-admin setup with the one-time token printed by the server. */
  setup: (token: string, name: string, email: string, password: string) =>
    call<Me | undefined>('POST', '/api/setup', { token, name, email, password }),
  redeem: async (token: string, name: string): Promise<Redeemed> => {
    const d = ((await call<Record<string, unknown>>('POST', '/api/invitations/redeem', { token, name })) ?? {}) as Record<string, unknown>;
    const caseId = str(d.caseId) ?? str(d.case) ?? '';
    if (!caseId) throw new ApiError(500, 'invalid', { nl: 'Onverwacht antwoord van de server.', en: 'Unexpected server response.' });
    return { caseId, meetingId: str(d.meetingId) ?? str(d.meeting), participantId: str(d.participantId) ?? str(d.participant) };
  },
  invite: (caseId: string, meeting: string, name: string, role: Role) =>
    call<{ url: string; qr?: string }>('POST', `/api/cases/${encodeURIComponent(caseId)}/invitations`, { meeting, name, role }),
  accessLog: async (caseId: string): Promise<AccessEntry[]> => {
    const data = await call<AccessEntry[] | { entries: AccessEntry[] }>('GET', `/api/cases/${encodeURIComponent(caseId)}/access-log`);
    return Array.isArray(data) ? data : (data?.entries ?? []);
  },
  /** URL of the PNG QR code that lets people join the meeting (for an <img>). */
  meetingQrUrl: (caseId: string, meetingId: string) =>
    `/api/cases/${encodeURIComponent(caseId)}/meetings/${encodeURIComponent(meetingId)}/qr`,
  /** URL of the minutes as PDF (a plain link; the browser sends the session cookie). */
  minutesUrl: (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}/minutes.pdf`,
};
