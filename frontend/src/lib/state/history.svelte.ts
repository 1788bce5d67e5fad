// The case page's history: pages read from the server and entries that left the live view
// while the page was open (lib/logic/history.ts).

import { api, ApiError } from '../api';
import { historyLists, mergeHistory, pageEntries, recentOf, retain, withHistory } from '../logic/history';
import type { CaseView, HistoryListName, Msg } from '../protocol';

type PerList<T> = Record<HistoryListName, T>;

const perList = <T>(f: () => T): PerList<T> =>
  Object.fromEntries(historyLists.map((l) => [l, f()])) as PerList<T>;

/** How many entries a first page and each "load older" reads, per list. */
export const HISTORY_PAGE: PerList<number> = { meetings: 50, monitoring: 20, facts: 20, decisions: 20, confirmations: 20 };

export class CaseHistory {
  /** Pages read, oldest first, per list. */
  older = $state(perList<unknown[]>(() => []));
  /** Entries seen in the live view, per list. */
  retained = $state(perList<unknown[]>(() => []));
  /** Cursor of the next older page per list (0: nothing older); undefined until the first view. */
  before = $state<PerList<number> | undefined>();
  loading = $state(false);
  /** Reading failed: the server's message, or null without one; undefined when it did not. */
  failed = $state<Msg | null | undefined>();

  constructor(private readonly caseId: string) {}

  /** Notes a live view: keeps its recent entries; the first one with `earlier` sets the cursors. */
  note(view: CaseView): void {
    if (!view.earlier) return;
    for (const l of historyLists) this.retained[l] = retain(l, this.retained[l], recentOf(view, l));
    if (!this.before) this.before = { ...view.earlier };
  }

  /** Whether older entries of any of lists remain to be read. */
  hasOlder(lists: HistoryListName[]): boolean {
    return lists.some((l) => (this.before?.[l] ?? 0) > 0);
  }

  /** Reads the next older page of each of lists that has one. */
  async more(lists: HistoryListName[]): Promise<void> {
    const before = this.before;
    if (!before || this.loading) return;
    this.loading = true;
    this.failed = undefined;
    try {
      await Promise.all(
        lists
          .filter((l) => before[l] > 0)
          .map(async (l) => {
            const p = await api.history(this.caseId, l, before[l], HISTORY_PAGE[l]);
            this.older[l] = [...pageEntries(p), ...this.older[l]];
            before[l] = p.before;
          }),
      );
    } catch (e) {
      this.failed = e instanceof ApiError && e.msg ? e.msg : null;
    } finally {
      this.before = { ...before };
      this.loading = false;
    }
  }

  /** view with everything read and retained. */
  complete(view: CaseView): CaseView {
    if (!view.earlier) return view;
    const merged = Object.fromEntries(historyLists.map((l) => [l, mergeHistory(l, this.older[l], this.retained[l], recentOf(view, l))]));
    return withHistory(view, merged);
  }
}
