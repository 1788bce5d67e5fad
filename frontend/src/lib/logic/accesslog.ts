// The case's access log in plain sentences: "Vera de Vries (voorzitter, Veilig Thuis) opende de
// casus", "Huisarts Huib Arts (Huisartsenpraktijk De Linde) gaf een cijfer" — a professional is
// named by their discipline, as their account or invitation gave it (free text, not
// translated); without one, by the role as before. The stored entries (hash-chained,
// server/audit) are not changed; this is how the case page words them. Consecutive like lines
// of one person fold into one with a count. (The shared screen's automatic join codes are not
// recorded at all: they read and change no case data; older logs may still hold them.)
import type { AccessEntry } from '../api';
import type { Key } from '../i18n/nl';
import { disciplineOf } from './meeting';

/** One line of the access log as the case page shows it. */
export interface LogLine {
  at: string;
  who: string;
  /** A professional's discipline, capitalised to stand before the name ("Huisarts Huib Arts"). */
  title?: string;
  /** The role to name in words (not when the discipline says what they are). */
  role?: string;
  organisation?: string;
  /** The sentence's verb phrase (an i18n key of the log.* family). */
  what: Key;
  refused: boolean;
  /** How many stored entries this line stands for (folded, and an entry's own count). */
  count: number;
  from?: string;
}

const commands: Record<string, Key> = {
  'score.submit': 'log.score',
  'participant.join': 'log.joinMeeting',
  'participant.admit': 'log.admit',
  'round.reveal': 'log.reveal',
  'round.open': 'log.roundOpen',
  'meeting.start': 'log.meetingStart',
  'meeting.close': 'log.meetingClose',
  'meeting.schedule': 'log.meetingSchedule',
  'agenda.open': 'log.agendaOpen',
  'agenda.close': 'log.agendaClose',
  'bottomline.add': 'log.planAdd',
  'agreement.add': 'log.planAdd',
  'plan.confirm': 'log.planConfirm',
};

/** The verb phrase of an entry: what was done to what, never a raw code. */
export function whatOf(e: Pick<AccessEntry, 'action' | 'object'>): Key {
  const o = e.object ?? '';
  const a = e.action;
  if (o === 'command') return commands[a] ?? 'log.command';
  if (o === 'live') return 'log.live';
  if (o.endsWith('/join-code')) return 'log.joinCode';
  if (o.endsWith('/minutes')) return 'log.minutes';
  if (o.endsWith('/export')) return 'log.export';
  if (o.startsWith('member/')) return a === 'delete' ? 'log.memberRemoved' : 'log.memberSet';
  if (o.startsWith('invitation/')) return 'log.revoke';
  switch (`${a} ${o}`) {
    case 'read case':
    case 'read case/view':
      return 'log.readCase';
    case 'create case':
      return 'log.createCase';
    case 'update case':
      return 'log.updateCase';
    case 'delete case':
      return 'log.deleteCase';
    case 'create member':
      return 'log.memberSet';
    case 'list members':
      return 'log.members';
    case 'list invitations':
      return 'log.invitations';
    case 'create invitation':
      return 'log.invite';
    case 'read access-log':
      return 'log.accessLog';
    case 'read due':
      return 'log.due';
    case 'update direction':
      return 'log.direction';
    case 'delete retention':
    case 'update retention':
      return 'log.retention';
  }
  if (a === 'join') return 'log.join';
  if (a === 'login' || a === 'logout') return a === 'login' ? 'log.login' : 'log.logout';
  return 'log.other';
}

/**
 * The role to name: the role in the case when the server recorded "account role/case role"
 * (a professional: "chair/chair", "professional/professional"), else the role as recorded (an
 * invitee's meeting role, an administrator).
 */
export function roleOf(recorded: string | undefined): string | undefined {
  if (!recorded) return undefined;
  return recorded.split('/').pop() || undefined;
}

/** Lines of entries given newest first; consecutive like lines of one person fold into one. */
export function logLines(entries: AccessEntry[]): LogLine[] {
  const out: LogLine[] = [];
  for (const e of entries) {
    const role = roleOf(e.role);
    const discipline = disciplineOf(e, role ?? '');
    const line: LogLine = {
      at: e.at, who: e.who, title: discipline ? discipline[0].toLocaleUpperCase('nl') + discipline.slice(1) : undefined,
      role: discipline ? undefined : role, organisation: e.organisation, what: whatOf(e),
      refused: e.outcome === 'refused', count: Math.max(1, e.count ?? 1), from: e.from,
    };
    const same = (l: LogLine) => l.who === line.who && l.what === line.what && l.refused === line.refused && l.role === line.role && l.title === line.title;
    const prev = out.at(-1);
    if (prev && same(prev)) {
      prev.count += line.count;
      continue;
    }
    out.push(line);
  }
  return out;
}
