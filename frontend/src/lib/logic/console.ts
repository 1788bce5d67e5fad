// The chair's console: which plan forms belong to an agenda item, what the control bar offers
// next, and the lock sentences shown once for the whole agenda.
import type { AgendaItem, AgendaLock, MeetingView, Msg, PlanKind, RoundView } from '../protocol';

/** The plan forms of the console (bottom line, agreement, check-in, monitoring task, escalation,
 * research, risk factor, goal, future plan, decision, fact). */
export type PlanForm = 'bl' | 'ag' | 'mo' | 'mt' | 'es' | 'rs' | 'rf' | 'go' | 'fu' | 'de' | 'fa';

/** The forms an agenda item of this kind records, and the plan an agreement or goal goes to. */
export function formsOf(kind: string): { forms: PlanForm[]; plan?: PlanKind } {
  switch (kind) {
    case 'safety_assessment':
      return { forms: [] };
    case 'bottom_lines':
      return { forms: ['bl'] };
    case 'restore_six':
    case 'safety_plan_review':
    case 'safety_agreements':
      return { forms: ['ag', 'bl'], plan: 'safety' };
    case 'monitoring':
      return { forms: ['mo', 'mt'] };
    case 'escalation':
    case 'consider_escalation':
      return { forms: ['es', 'de'] };
    case 'research_plan':
      return { forms: ['rs'] };
    case 'risk_assessment':
      return { forms: ['rf'] };
    case 'care_plan':
      return { forms: ['go', 'ag'], plan: 'care' };
    case 'recovery_plan':
      return { forms: ['go', 'ag'], plan: 'recovery' };
    case 'future_plan':
      return { forms: ['fu'] };
    default: // evaluation, warm hand-over, retiring the safety plan, other
      return { forms: ['de', 'fa'] };
  }
}

/** The item the control bar's "next item" opens: the first item after the open one (or from the
 * top when none is open) that is not closed and not locked. */
export function nextItem(agenda: AgendaItem[]): AgendaItem | undefined {
  const open = agenda.findIndex((a) => a.status === 'open');
  return agenda.find((a, i) => i > open && a.status !== 'closed' && a.status !== 'open' && !a.locked);
}

/** What the round part of the control bar offers. */
export type RoundStep =
  | { kind: 'start' }
  | { kind: 'open'; n: number }
  | { kind: 'reveal'; round: RoundView; complete: boolean }
  | { kind: 'closed' };

export function roundStep(m: MeetingView): RoundStep {
  if (m.status === 'scheduled') return { kind: 'start' };
  if (m.status === 'closed') return { kind: 'closed' };
  const last = m.rounds.at(-1);
  if (last && last.status === 'open') {
    return { kind: 'reveal', round: last, complete: !!last.complete || (last.pending.length === 0 && last.submitted.length > 0) };
  }
  return { kind: 'open', n: (last?.number ?? 0) + 1 };
}

/**
 * The distinct lock sentences of the agenda, each once, with how many items it locks and the
 * persons with their lowest scores it names (for the shared screen's short form).
 */
export function locksOnce(agenda: AgendaItem[]): { message: Msg; rule: string; count: number; subjects: AgendaLock['subjects'] }[] {
  const out: { key: string; message: Msg; rule: string; count: number; subjects: AgendaLock['subjects'] }[] = [];
  for (const a of agenda) {
    if (!a.locked || !a.lock) continue;
    const key = `${a.lock.rule}|${a.lock.message.nl ?? ''}`;
    const same = out.find((o) => o.key === key);
    if (same) same.count++;
    else out.push({ key, message: a.lock.message, rule: a.lock.rule, count: 1, subjects: a.lock.subjects ?? [] });
  }
  return out.map(({ message, rule, count, subjects }) => ({ message, rule, count, subjects }));
}
