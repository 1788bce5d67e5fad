// The case's history next to the live view. The live view carries only recent entries
// (docs/protocol.md, "The live view and history"); the case page reads older ones a page at a
// time (GET /api/cases/{id}/history/{list}) and keeps the entries that leave the live view while
// it is open, so that nothing falls between the pages read and the live window.

import type { CaseView, Confirmation, HistoryListName, HistoryPage } from '../protocol';

export const historyLists: HistoryListName[] = ['meetings', 'monitoring', 'facts', 'decisions', 'confirmations'];

/** The history lists of the plan (everything but the meetings). */
export const planLists: HistoryListName[] = ['monitoring', 'facts', 'decisions', 'confirmations'];

type Entry = { id?: string } & Partial<Confirmation>;

/** Identifies an entry of a history list (confirmations have no id of their own). */
export function entryKey(list: HistoryListName, e: unknown): string {
  const x = e as Entry;
  return list === 'confirmations' ? `${x.participant}|${x.meeting}|${x.version ?? 0}|${x.at}` : String(x.id);
}

/** The recent entries of list in the live view. */
export function recentOf(view: CaseView, list: HistoryListName): unknown[] {
  switch (list) {
    case 'meetings':
      return view.meetings;
    case 'confirmations':
      return view.plans.confirmations ?? [];
    default:
      return view.plans[list];
  }
}

/** The entries of a history page. */
export function pageEntries(p: HistoryPage): unknown[] {
  return (p[p.list] as unknown[] | undefined) ?? [];
}

/**
 * older (pages read, oldest first), then retained (entries seen in the live view, in the order
 * first seen, as last seen), then the live view's recent entries: each entry once, the newest
 * copy winning.
 */
export function mergeHistory(list: HistoryListName, older: unknown[], retained: unknown[], recent: unknown[]): unknown[] {
  const later = new Set([...retained, ...recent].map((e) => entryKey(list, e)));
  const inRecent = new Set(recent.map((e) => entryKey(list, e)));
  return [
    ...older.filter((e) => !later.has(entryKey(list, e))),
    ...retained.filter((e) => !inRecent.has(entryKey(list, e))),
    ...recent,
  ];
}

/** retained with every recent entry added (new ones at the end) or refreshed (in place). */
export function retain(list: HistoryListName, retained: unknown[], recent: unknown[]): unknown[] {
  const at = new Map(retained.map((e, i) => [entryKey(list, e), i]));
  const out = retained.slice();
  for (const e of recent) {
    const i = at.get(entryKey(list, e));
    if (i === undefined) {
      at.set(entryKey(list, e), out.length);
      out.push(e);
    } else {
      out[i] = e;
    }
  }
  return out;
}

/** view with its timeline and history lists completed by what was read and retained. */
export function withHistory(view: CaseView, merged: Partial<Record<HistoryListName, unknown[]>>): CaseView {
  const m = merged as Partial<Record<HistoryListName, never[]>>;
  return {
    ...view,
    meetings: m.meetings ?? view.meetings,
    plans: {
      ...view.plans,
      monitoring: m.monitoring ?? view.plans.monitoring,
      facts: m.facts ?? view.plans.facts,
      decisions: m.decisions ?? view.plans.decisions,
      confirmations: m.confirmations ?? view.plans.confirmations,
    },
  };
}
