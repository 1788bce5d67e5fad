// Every REST call of the frontend, in one place. State-changing calls carry the header
// X-Tafel-CSRF: 1 (the server's check, together with Origin) and, when the cookie exists, the
// double-submit token from `tafel_csrf` as X-CSRF-Token. Errors become ApiError with the
// server's code and Dutch + English message when it sent one. Response shapes are read
// tolerantly (a field renamed on the server degrades a view, it does not break it).

import type { DueItem, HistoryListName, HistoryPage, Msg, Role } from './protocol';
import type { CaseCreate } from './logic/caseform';
import type { AccountCreate } from './logic/accountform';

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

/** The signed-in person (GET /api/me): a professional, or an invitee bound to one case and meeting. */
export interface Me {
  id: string;
  name: string;
  professional: boolean;
  role?: string;
  organisation?: string;
  /** For invitees: the case and meeting of their invitation. */
  case?: string;
  meeting?: string;
  /** The intake permission (Veilig Thuis staff): reports and the team overview. */
  intake?: boolean;
}

/** The next step of a sign-in after the first factor: give a second factor, or enrol one first. */
export interface SignInStep {
  next: 'second-factor' | 'enrol';
  methods: string[];
}

/** The answer of a first factor (password, set-up link): signed in, or a second step is due. */
export type SignInResult = { me: Me } | { step: SignInStep };

function signInResult(d: unknown): SignInResult {
  const o = obj(d);
  if (o.next === 'second-factor' || o.next === 'enrol') {
    return { step: { next: o.next, methods: Array.isArray(o.methods) ? o.methods.filter((m): m is string => typeof m === 'string') : [] } };
  }
  return { me: { id: str(o.id) ?? '', name: str(o.name) ?? '', professional: o.professional !== false, role: str(o.role), organisation: str(o.organisation) } };
}

/** An identity provider on the sign-in page. */
export interface Provider {
  id: string;
  name: string;
}

/** An organisation's second-factor policy (administrators). */
export interface OrgPolicy {
  organisation: string;
  twoFactor: 'required' | 'off';
  set: boolean;
}

/** A case in the list (GET /api/cases). */
export interface CaseSummary {
  id: string;
  title: string;
  /** The caller's role in the case. */
  role?: string;
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
  /** What the person does ("huisarts"), as their account or invitation gave it. */
  discipline?: string;
  action: string;
  object?: string;
  outcome?: string;
  from?: string;
  /** How many like accesses the entry stands for (refusals folded by the server). */
  count?: number;
}

/** A join link with its QR code (invitation or the shared screen's join code). */
export interface JoinLink {
  /** The short link <public-url>/j/<code>. */
  url: string;
  /** The short code, to type at <public-url>/join. */
  code?: string;
  /** PNG as a data: URL, when the server sends one (the client renders its own SVG from url). */
  qr?: string;
  /** When the link stops working (ISO), if known. */
  expires?: string;
  /** True when the server also mailed the link to the invitee. */
  mailed?: boolean;
}

/** An account as administrators see it (GET /api/accounts). */
export interface Account {
  id: string;
  email: string;
  name: string;
  organisation: string;
  discipline?: string;
  role: string;
  disabled: boolean;
  hasPassword: boolean;
  /** Second factors enrolled ("passkey", "totp"). */
  twoFactor: string[];
  /** The identity provider the account signs in with, if any. */
  oidcProvider?: string;
}

/** A professional a chair can add to a case (GET /api/directory). */
export interface DirectoryEntry {
  id: string;
  name: string;
  organisation?: string;
  discipline?: string;
}

/** A member of a case (GET /api/cases/{id}/members). */
export interface Member {
  accountId: string;
  role: string;
  name: string;
  organisation?: string;
}

/** One row of the global access log, with its case. */
export interface AuditEntry extends AccessEntry {
  seq: number;
  caseId?: string;
}

/** What is due in one case (GET /api/due, GET /api/cases/{id}/due). */
export interface CaseDue {
  caseId: string;
  title: string;
  /** The reader directs the case (then every item is listed, otherwise only their own). */
  director: boolean;
  items: DueItem[];
}

/** Maps a due item of the server onto DueItem (unknown shapes degrade, they do not break). */
export function dueItem(v: unknown): DueItem {
  const o = obj(v);
  const owner = obj(o.owner);
  return {
    kind: o.kind === 'task' ? 'task' : 'agreement',
    id: str(o.id) ?? '',
    what: str(o.what) ?? '',
    owner: { participant: str(owner.participant), name: str(owner.name) ?? '' },
    person: str(o.person),
    due: str(o.due) ?? '',
    days: typeof o.days === 'number' ? o.days : 0,
    overdue: o.overdue === true,
    last: str(o.last),
  };
}

function caseDue(v: unknown): CaseDue {
  const o = obj(v);
  return { caseId: str(o.caseId) ?? '', title: str(o.title) ?? '', director: o.director === true, items: list(o, 'items').map(dueItem) };
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
    headers['X-Tafel-CSRF'] = '1';
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
    const e = (data ?? {}) as { code?: string; message?: Msg | string; error?: string; nl?: string; en?: string };
    const msg = typeof e.message === 'object' && e.message ? e.message : e.nl || e.en ? { nl: e.nl ?? e.en ?? '', en: e.en ?? e.nl ?? '' } : undefined;
    throw new ApiError(res.status, e.code ?? e.error ?? String(res.status), msg);
  }
  return data as T;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown, key: string): unknown[] {
  if (Array.isArray(v)) return v;
  const inner = obj(v)[key];
  return Array.isArray(inner) ? inner : [];
}

function joinLink(d: unknown): JoinLink {
  const o = obj(d);
  const url = str(o.url);
  if (!url) throw new ApiError(500, 'invalid', { nl: 'Onverwacht antwoord van de server.', en: 'Unexpected server response.' });
  const link: JoinLink = { url, code: str(o.code), qr: str(o.qr), expires: str(o.expires) ?? str(obj(o.invitation).expires) };
  if (o.mailed === true) link.mailed = true;
  return link;
}

/** Maps an access-log row of the server (audit.Entry) or of the brief onto AccessEntry. */
export function accessEntry(v: unknown): AccessEntry {
  const e = obj(v);
  return {
    at: str(e.at) ?? str(e.time) ?? '',
    who: str(e.who) ?? str(e.name) ?? str(e.principal) ?? '',
    role: str(e.role),
    organisation: str(e.organisation),
    discipline: str(e.discipline),
    action: str(e.action) ?? '',
    object: str(e.object),
    outcome: str(e.outcome),
    from: str(e.from) ?? str(e.addr),
    count: typeof e.count === 'number' ? e.count : undefined,
  };
}

/** Maps an account of the server onto Account. */
export function account(v: unknown): Account {
  const o = obj(v);
  return {
    id: str(o.id) ?? '',
    email: str(o.email) ?? '',
    name: str(o.name) ?? '',
    organisation: str(o.organisation) ?? '',
    discipline: str(o.discipline),
    role: str(o.role) ?? '',
    disabled: o.disabled === true,
    hasPassword: o.hasPassword === true,
    twoFactor: Array.isArray(o.twoFactor) ? o.twoFactor.filter((m): m is string => typeof m === 'string') : [],
    oidcProvider: str(o.oidcProvider),
  };
}

const enc = encodeURIComponent;

function recoveryCodes(d: unknown): string[] {
  const codes = obj(d).recoveryCodes;
  return Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : [];
}

export const api = {
  login: async (email: string, password: string): Promise<SignInResult> => signInResult(await call<unknown>('POST', '/api/login', { email, password })),
  /** Asks for a reset link for a forgotten password (mailed to the account's address). */
  passwordReset: (email: string) => call<void>('POST', '/api/password-reset', { email }),
  /** The organisations' identity providers for the sign-in page. */
  providers: async (): Promise<Provider[]> =>
    list(await call<unknown>('GET', '/api/oidc/providers'), 'providers').map((p) => ({ id: str(obj(p).id) ?? '', name: str(obj(p).name) ?? '' })),
  /** Starts enrolling an authenticator app: its secret, otpauth URL and QR code (PNG data URL). */
  totpBegin: async (): Promise<{ secret: string; url: string; qr: string }> => {
    const o = obj(await call<unknown>('POST', '/api/2fa/totp/begin'));
    return { secret: str(o.secret) ?? '', url: str(o.url) ?? '', qr: str(o.qr) ?? '' };
  },
  /** Confirms the app with a code; resolves with the recovery codes when they were made now. */
  totpConfirm: async (code: string): Promise<string[]> => recoveryCodes(await call<unknown>('POST', '/api/2fa/totp/confirm', { code })),
  /** Second factor: a code of the authenticator app. */
  totp: (code: string) => call<unknown>('POST', '/api/2fa/totp', { code }),
  /** Second factor: a one-time recovery code. */
  recovery: (code: string) => call<unknown>('POST', '/api/2fa/recovery', { code }),
  passkeyRegisterBegin: () => call<unknown>('POST', '/api/2fa/passkey/register/begin'),
  passkeyRegisterFinish: async (credential: unknown): Promise<string[]> => recoveryCodes(await call<unknown>('POST', '/api/2fa/passkey/register/finish', credential)),
  passkeyLoginBegin: () => call<unknown>('POST', '/api/2fa/passkey/login/begin'),
  passkeyLoginFinish: (credential: unknown) => call<unknown>('POST', '/api/2fa/passkey/login/finish', credential),
  /** The organisations and their second-factor policy (administrators). */
  organisations: async (): Promise<OrgPolicy[]> =>
    list(await call<unknown>('GET', '/api/organisations'), 'organisations').map((p) => {
      const o = obj(p);
      return { organisation: str(o.organisation) ?? '', twoFactor: o.twoFactor === 'off' ? 'off' : 'required', set: o.set === true };
    }),
  setTwoFactor: (organisation: string, twoFactor: 'required' | 'off') =>
    call<unknown>('PUT', `/api/organisations/${enc(organisation)}/policy`, { twoFactor }),
  logout: () => call<void>('POST', '/api/logout'),
  me: async (): Promise<Me> => {
    const d = obj(await call<unknown>('GET', '/api/me'));
    return {
      id: str(d.id) ?? '',
      name: str(d.name) ?? '',
      professional: d.professional !== false,
      role: str(d.role),
      organisation: str(d.organisation),
      case: str(d.case),
      meeting: str(d.meeting),
      intake: d.intake === true,
    };
  },
  cases: async (): Promise<CaseSummary[]> => (await api.casesSince()).cases,
  /** Whether this server runs the demo, and then its accounts (the start page's sign-in hint). */
  about: async (): Promise<{ demo: boolean; demoAccounts: { email: string; role: string }[] }> => {
    const o = obj(await call<unknown>('GET', '/api/about'));
    return { demo: o.demo === true, demoAccounts: list(o, 'demoAccounts').map((a) => ({ email: str(obj(a).email) ?? '', role: str(obj(a).role) ?? '' })) };
  },
  /** Whose account a set-up link is for (nothing for the first administrator's link). */
  setupAbout: async (token: string): Promise<{ name?: string; email?: string; organisation?: string }> => {
    const o = obj(await call<unknown>('POST', '/api/setup/about', { token }));
    return { name: str(o.name), email: str(o.email), organisation: str(o.organisation) };
  },
  /**
   * The case list with its ETag; given the ETag held, undefined when the list has not changed
   * (304: the server does not log an unchanged refresh as a read). The home page polls this.
   */
  casesSince: async (etag?: string): Promise<{ cases: CaseSummary[]; etag?: string }> => {
    let res: Response;
    try {
      res = await fetch('/api/cases', { headers: { Accept: 'application/json', ...(etag ? { 'If-None-Match': etag } : {}) }, credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'network', { nl: 'Geen verbinding met de server.', en: 'No connection to the server.' });
    }
    if (res.status === 304) return { cases: [], etag: undefined };
    if (!res.ok) throw new ApiError(res.status, String(res.status));
    const cases = list(await res.json().catch(() => []), 'cases').map((c) => {
      const o = obj(c);
      return { id: str(o.id) ?? '', title: str(o.title) ?? str(o.id) ?? '', role: str(o.role) };
    });
    return { cases, etag: res.headers.get('ETag') ?? undefined };
  },
  /**
   * Sets a password with a one-time set-up token. The first administrator's token carries no
   * account, so name, e-mail and organisation come along; an account's token needs only the password.
   */
  setup: async (s: { token: string; password: string; name?: string; email?: string; organisation?: string; discipline?: string }): Promise<SignInResult> =>
    signInResult(await call<unknown>('POST', '/api/setup', s)),
  /** Spends an invitation; the server sets the participant session cookie and answers with /api/me. */
  redeem: async (by: { token: string } | { code: string }, name: string): Promise<Redeemed> => {
    const d = obj(await call<unknown>('POST', '/api/invitations/redeem', { ...by, name }));
    const caseId = str(d.caseId) ?? str(d.case) ?? '';
    if (!caseId) throw new ApiError(500, 'invalid', { nl: 'Onverwacht antwoord van de server.', en: 'Unexpected server response.' });
    return { caseId, meetingId: str(d.meetingId) ?? str(d.meeting), participantId: str(d.participantId) ?? str(d.participant) ?? str(d.id) };
  },
  /** Whom a short code's invitation is for ("" for the shared screen's code), without spending it. */
  peekInvitation: async (code: string): Promise<{ name: string; role: string }> => {
    const o = obj(await call<unknown>('POST', '/api/invitations/peek', { code }));
    return { name: str(o.name) ?? '', role: str(o.role) ?? '' };
  },
  /** Invites a named person; with `email` the server also mails the link (when it has a mail server). */
  invite: async (caseId: string, meeting: string, name: string, role: Role, email?: string, discipline?: string): Promise<JoinLink> =>
    joinLink(
      await call<unknown>('POST', `/api/cases/${enc(caseId)}/invitations`, {
        meeting,
        name,
        role,
        ...(email ? { email } : {}),
        ...(discipline && role === 'professional' ? { discipline } : {}),
      }),
    ),
  /** A short-lived, unnamed, single-use join link for the shared screen's QR code. */
  joinCode: async (caseId: string, meetingId: string): Promise<JoinLink> =>
    joinLink(await call<unknown>('POST', `/api/cases/${enc(caseId)}/meetings/${enc(meetingId)}/join-code`, {})),
  accessLog: async (caseId: string): Promise<AccessEntry[]> => (await api.accessLogPage(caseId)).entries,
  /** A page of the case's access log, newest first, below `before` (from the newest without). */
  accessLogPage: async (caseId: string, before?: number): Promise<{ entries: AccessEntry[]; before: number }> => {
    const d = await call<unknown>('GET', `/api/cases/${enc(caseId)}/access-log?limit=100${before ? `&before=${before}` : ''}`);
    const b = obj(d).before;
    return { entries: list(d, 'entries').map(accessEntry), before: typeof b === 'number' ? b : 0 };
  },
  /**
   * A page of the case's history as the caller may see it, oldest first: the entries of `list`
   * before the cursor `before` (0: from the newest), at most `limit`.
   */
  history: async (caseId: string, name: HistoryListName, before: number, limit = 20): Promise<HistoryPage> => {
    const o = obj(await call<unknown>('GET', `/api/cases/${enc(caseId)}/history/${name}?before=${before}&limit=${limit}`));
    const next = typeof o.before === 'number' && o.before > 0 ? o.before : 0;
    return { list: name, [name]: list(o, name), before: next } as HistoryPage;
  },
  /** What is due and overdue in a case (professionals), judged with the server's clock. */
  caseDue: async (caseId: string): Promise<CaseDue> => caseDue(await call<unknown>('GET', `/api/cases/${enc(caseId)}/due`)),
  /** What is due for the signed-in professional's start page, by case. */
  myDue: async (): Promise<CaseDue[]> => list(await call<unknown>('GET', '/api/due'), 'cases').map(caseDue),
  /** Hands the case to another case director (a professional member who sat at the table). */
  transferDirection: (caseId: string, body: { account: string; reason: string; phone?: string; whyNotWarm?: string; commandId?: string }) =>
    call<void>('POST', `/api/cases/${enc(caseId)}/direction`, body),
  /** URL of a meeting's minutes as PDF (a plain link; the browser sends the session cookie). */
  minutesUrl: (caseId: string, meetingId: string) => `/api/cases/${enc(caseId)}/meetings/${enc(meetingId)}/minutes.pdf`,
  /** URL of one person's file (inzage and afschrift), as PDF or JSON (professionals). */
  exportUrl: (caseId: string, person: string, format: 'pdf' | 'json') =>
    `/api/cases/${enc(caseId)}/persons/${enc(person)}/export.${format}`,
  /** Approves the deletion of a case whose retention ended; the second professional's approval deletes it. */
  approveDeletion: async (caseId: string): Promise<{ deleted: boolean; approvals: number }> => {
    const o = obj(await call<unknown>('POST', `/api/cases/${enc(caseId)}/delete`));
    return { deleted: o.deleted === true, approvals: Array.isArray(o.approvals) ? o.approvals.length : 0 };
  },

  // Cases and members (chairs).
  /** Creates a case with the caller as its chair; resolves with its summary. */
  createCase: async (body: CaseCreate): Promise<CaseSummary> => {
    const o = obj(await call<unknown>('POST', '/api/cases', body));
    const id = str(o.id);
    if (!id) throw new ApiError(500, 'invalid', { nl: 'Onverwacht antwoord van de server.', en: 'Unexpected server response.' });
    return { id, title: str(o.title) ?? id, role: str(o.role) };
  },
  /** The caller's own index entry of a case (its role in the case). */
  getCase: async (caseId: string): Promise<CaseSummary> => {
    const o = obj(await call<unknown>('GET', `/api/cases/${enc(caseId)}`));
    return { id: str(o.id) ?? caseId, title: str(o.title) ?? caseId, role: str(o.role) };
  },
  members: async (caseId: string): Promise<Member[]> =>
    list(await call<unknown>('GET', `/api/cases/${enc(caseId)}/members`), 'members').map((m) => {
      const o = obj(m);
      return { accountId: str(o.accountId) ?? '', role: str(o.role) ?? '', name: str(o.name) ?? '', organisation: str(o.organisation) };
    }),
  /** Adds a member to a case or changes their case role. */
  /** Adds a professional by e-mail address (an account is made when there is none). */
  inviteMember: async (caseId: string, m: { email: string; name?: string; organisation?: string }): Promise<{ name: string; created: boolean; delivery?: string }> => {
    const o = obj(await call<unknown>('POST', `/api/cases/${enc(caseId)}/members`, m));
    return { name: str(obj(o.member).name) ?? m.email, created: o.created === true, delivery: str(o.delivery) };
  },
  putMember: (caseId: string, accountId: string, role: 'chair' | 'professional') =>
    call<void>('PUT', `/api/cases/${enc(caseId)}/members/${enc(accountId)}`, { role }),
  directory: async (): Promise<DirectoryEntry[]> =>
    list(await call<unknown>('GET', '/api/directory'), 'accounts').map((d) => {
      const o = obj(d);
      return { id: str(o.id) ?? '', name: str(o.name) ?? '', organisation: str(o.organisation), discipline: str(o.discipline) };
    }),

  // Accounts and the global access log (administrators).
  accounts: async (): Promise<Account[]> => list(await call<unknown>('GET', '/api/accounts'), 'accounts').map(account),
  /**
   * Creates an account. Its set-up link is mailed to the owner (delivery "email"); only without
   * a mail server is it returned, to be shown once and never stored.
   */
  createAccount: async (body: AccountCreate): Promise<{ account: Account; setupUrl: string; delivery: string }> => {
    const o = obj(await call<unknown>('POST', '/api/accounts', body));
    return { account: account(o.account), setupUrl: str(o.setupUrl) ?? '', delivery: str(o.delivery) ?? 'console' };
  },
  patchAccount: async (id: string, change: { disabled?: boolean; role?: string; name?: string; organisation?: string; discipline?: string; resetTwoFactor?: boolean }) =>
    account(await call<unknown>('PATCH', `/api/accounts/${enc(id)}`, change)),
  /** A new one-time set-up link for an account (forgotten password): mailed to its owner, never shown (but in the demo). */
  setupLink: async (id: string): Promise<{ delivery: string; setupUrl: string }> => {
    const o = obj(await call<unknown>('POST', `/api/accounts/${enc(id)}/setup-link`));
    return { delivery: str(o.delivery) ?? 'email', setupUrl: str(o.setupUrl) ?? '' };
  },
  /** One page of the global access log; `next` is 0 on the last page. */
  audit: async (after = 0, limit = 100): Promise<{ entries: AuditEntry[]; next: number }> => {
    const o = obj(await call<unknown>('GET', `/api/audit?after=${after}&limit=${limit}`));
    const entries = list(o, 'entries').map((e) => ({ ...accessEntry(e), seq: Number(obj(e).seq) || 0, caseId: str(obj(e).case) }));
    return { entries, next: typeof o.next === 'number' ? o.next : 0 };
  },
};
