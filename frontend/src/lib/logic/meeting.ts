// Small pure helpers over a MeetingView, shared by the views.

import type { AgendaItem, MeetingView, Participant, Role, RoundView } from '../protocol';

/**
 * A professional's discipline ("huisarts", "politie"), to name them by instead of the bare role
 * "professional"; undefined for another role (the chair stays "voorzitter") or when none was
 * given (then the role in words, as before).
 */
export function disciplineOf(p: Pick<Participant, 'discipline'> | undefined, role: string): string | undefined {
  return role === 'professional' && p?.discipline?.trim() ? p.discipline.trim() : undefined;
}

/** The first word of a name: the display shows first names only. */
export function firstName(name: string | undefined): string {
  const n = (name ?? '').trim();
  if (!n) return '?';
  return n.split(/\s+/)[0] ?? n;
}

/** The agenda item being worked on, if any. */
export function openItem(agenda: readonly AgendaItem[]): AgendaItem | undefined {
  return agenda.find((a) => a.status === 'open');
}

/** The round with the highest number. */
export function latestRound(rounds: readonly RoundView[]): RoundView | undefined {
  let best: RoundView | undefined;
  for (const r of rounds) if (!best || r.number > best.number) best = r;
  return best;
}

/** The latest revealed round. */
export function latestRevealed(rounds: readonly RoundView[]): RoundView | undefined {
  let best: RoundView | undefined;
  for (const r of rounds) if (r.status === 'revealed' && (!best || r.number > best.number)) best = r;
  return best;
}

/** Looks a participant's name up by id; unknown ids show as the id itself. */
export function nameOf(participants: readonly Participant[], id: string): string {
  return participants.find((p) => p.id === id)?.name ?? id;
}

/** Whether a role gives safety scores (observers never do). */
export function scores(role: Role | string): boolean {
  return role !== 'observer';
}

/** Participants waiting in the lobby. */
export function lobby(m: MeetingView): Participant[] {
  return m.participants.filter((p) => p.status === 'lobby');
}

/** Participants at the table. */
export function admitted(m: MeetingView): Participant[] {
  return m.participants.filter((p) => p.status === 'admitted');
}

/** Where a participant stands in the meeting: not found, in the lobby, in, or removed. */
export function standing(m: MeetingView | undefined, id: string | undefined): 'none' | 'lobby' | 'admitted' | 'left' {
  if (!m || !id) return 'none';
  const p = m.participants.find((x) => x.id === id);
  return p ? p.status : 'none';
}

/** Sorts by a numeric priority (1 first), then by text, without changing the input. */
export function byPriority<T extends { priority: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.priority || 99) - (b.priority || 99));
}

/** Formats an ISO date-time for people; returns the input when it is not a date. */
export function formatDateTime(iso: string | undefined, lang: 'nl' | 'en', withTime = true): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  });
}
