// The scorer's draft of a round (issue 14): what is chosen and written per person at risk before
// "Versturen", kept in sessionStorage so a reload or a lost connection loses nothing.

/** One person's part of the draft. */
export interface DraftSubject {
  choice: number | 'abstain' | null;
  meaning: string;
  notHigher: string;
  professionalsOnly: boolean;
}

/** The draft of one round, by subject id. */
export type Draft = Record<string, DraftSubject>;

export function emptyDraft(): Draft {
  return {};
}

/** A subject is filled in: "can't assess", or a value with its meaning and (below 10) why not higher. */
export function isComplete(d: DraftSubject | undefined): boolean {
  if (!d || d.choice === null) return false;
  if (d.choice === 'abstain') return true;
  return d.meaning.trim() !== '' && (d.choice === 10 || d.notHigher.trim() !== '');
}

const key = (caseId: string, round: string) => `tafel.draft.${caseId}.${round}`;

function store(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/** The saved draft of a round, if any. */
export function loadDraft(caseId: string, round: string, storage: Pick<Storage, 'getItem'> | undefined = store()): Draft | undefined {
  try {
    const raw = storage?.getItem(key(caseId, round));
    const parsed: unknown = raw ? JSON.parse(raw) : undefined;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Draft) : undefined;
  } catch {
    return undefined;
  }
}

/** Saves the draft of a round (drafts of other rounds of the case are dropped). */
export function saveDraft(caseId: string, round: string, draft: Draft, storage: Storage | undefined = store()): void {
  if (!storage) return;
  try {
    for (let i = storage.length - 1; i >= 0; i--) {
      const k = storage.key(i);
      if (k && k.startsWith(`tafel.draft.${caseId}.`) && k !== key(caseId, round)) storage.removeItem(k);
    }
    storage.setItem(key(caseId, round), JSON.stringify(draft));
  } catch {
    // storage full or blocked: the draft lives in memory only
  }
}
