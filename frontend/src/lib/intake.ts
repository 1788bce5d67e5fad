// Intake (triage, issue 16): the REST calls and the pure rules the form mirrors. The server
// (hub/meeting/intake.go) decides; proposeRoute here only shows the proposal while typing.
import { ApiError } from './api';
import type { Msg } from './protocol';

export type Answer = 'yes' | 'no' | 'unknown' | '';
export interface Judgement {
  answer: Answer;
  reason: string;
}
export interface Judgements {
  acute: Judgement;
  structural: Judgement;
  multiProblem: Judgement;
}
export type Route = 'mda_acute' | 'mda_structural' | 'local_field' | 'advice' | 'close';
export const routes: Route[] = ['mda_acute', 'mda_structural', 'local_field', 'advice', 'close'];
export type IntakeState = 'open' | 'due_today' | 'overdue' | 'done';

export interface IntakePerson {
  id: string;
  name: string;
  relation?: string;
  birthYear?: number;
  atRisk: boolean;
  household: boolean;
}
export interface Incident {
  what: string;
  from?: string;
  towards?: string;
  when?: string;
}
export interface PoliceInfo {
  kind: string;
  text: string;
}
export interface IntakeInput {
  received: string;
  reporter: { kind: string; name?: string; feedback?: string };
  persons: IntakePerson[];
  incidents: Incident[];
  violence: string[];
  police: PoliceInfo[];
  vulnerabilities: string[];
  judgements: Judgements;
  route?: Route;
  routeReason?: string;
}
export interface Intake extends IntakeInput {
  id: string;
  recordedByName: string;
  proposed: Route;
  route: Route;
  deadlines: { safetyMeeting?: string; assessment: string };
  caseId?: string;
  closed?: string;
  state: IntakeState;
  due: string;
  history: { at: string; by: string; what: string; route?: string; reason?: string }[];
}
export interface IntakeRow {
  id: string;
  received: string;
  reporter: string;
  persons: number;
  proposed: Route;
  route: Route;
  deadlines: { safetyMeeting?: string; assessment: string };
  due: string;
  state: IntakeState;
  caseId?: string;
  recordedBy: string;
  description: string;
}

export const reporterKinds = ['police', 'school', 'gp', 'neighbour', 'self', 'other'];
export const violenceKinds = ['physical', 'psychological', 'sexual', 'neglect', 'other'];
export const policeKinds = ['earlier_report', 'violence', 'sexual_offence', 'firearms'];
export const vulnerabilityKinds = ['addiction', 'psychiatric', 'intellectual', 'physical_health'];

/** The route that follows from the judgements (the same rule as the server's ProposeRoute): unknowns without a yes are the grey area the paper sends to the local field. */
export function proposeRoute(j: Judgements): Route | undefined {
  if (j.acute.answer === 'yes') return 'mda_acute';
  if (j.structural.answer === 'yes') return 'mda_structural';
  if (j.multiProblem.answer === 'yes') return 'local_field';
  if (!j.acute.answer || !j.structural.answer || !j.multiProblem.answer) return undefined;
  if ([j.acute, j.structural, j.multiProblem].some((x) => x.answer === 'unknown')) return 'local_field';
  return 'close';
}

/** Whether the multi-problem question may be skipped: structural unsafety is yes. */
export function mayskipMultiProblem(j: Judgements): boolean {
  return j.structural.answer === 'yes';
}

/** An id for a person from their name (unique within the list). */
export function personId(name: string, taken: string[]): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'p';
  let id = base;
  for (let k = 2; taken.includes(id); k++) id = `${base}-${k}`;
  return id;
}

/** Sorts the overview rows by a column; due first by default. */
export function sortRows(rows: IntakeRow[], by: 'due' | 'received' | 'route' | 'state', asc = true): IntakeRow[] {
  const order: Record<string, number> = { overdue: 0, due_today: 1, open: 2, done: 3 };
  const key = (r: IntakeRow): string | number =>
    by === 'received' ? r.received : by === 'route' ? r.route : by === 'state' ? order[r.state] ?? 9 : r.due;
  const out = [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = x < y ? -1 : x > y ? 1 : a.due < b.due ? -1 : a.due > b.due ? 1 : 0;
    return asc ? c : -c;
  });
  return out;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    headers['X-Tafel-CSRF'] = '1';
    const m = /(?:^|;\s*)tafel_csrf=([^;]*)/.exec(typeof document === 'undefined' ? '' : document.cookie);
    if (m) headers['X-CSRF-Token'] = decodeURIComponent(m[1]);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', { nl: 'Geen verbinding met de server.', en: 'No connection to the server.' });
  }
  const data: unknown = (res.headers.get('Content-Type') ?? '').includes('application/json') ? await res.json().catch(() => undefined) : undefined;
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: Msg };
    throw new ApiError(res.status, e.code ?? String(res.status), typeof e.message === 'object' ? e.message : undefined);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const intakeApi = {
  list: (sort = 'due') => call<IntakeRow[]>('GET', `/api/intakes?sort=${enc(sort)}`),
  get: (id: string) => call<Intake>('GET', `/api/intakes/${enc(id)}`),
  record: (input: IntakeInput) => call<Intake>('POST', '/api/intakes', input),
  changeRoute: (id: string, route: Route, reason: string) => call<Intake>('POST', `/api/intakes/${enc(id)}/route`, { route, reason }),
  close: (id: string, reason: string) => call<Intake>('POST', `/api/intakes/${enc(id)}/close`, { reason }),
  start: (id: string, title: string, director?: string) =>
    call<{ id: string; title: string; role: string }>('POST', `/api/intakes/${enc(id)}/start`, director ? { title, director } : { title }),
  ofCase: (caseId: string) => call<Intake>('GET', `/api/cases/${enc(caseId)}/intake`),
};
