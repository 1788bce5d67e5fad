// The client's own unrevealed scores. The server never sends an unrevealed value back, not even
// to its author, so the browser keeps what it submitted (sessionStorage, per case) to show it and
// to let the scorer change it until the reveal.

import type { ScoreInput } from '../commands';
import type { StorageLike } from '../ws/outbox';

/** What this browser submitted for one subject in one round. */
export interface MyScore extends ScoreInput {
  /** The command id that carried it (to match the outbox). */
  commandId: string;
  /** True once the server acknowledged it. */
  acked: boolean;
}

export const scoreKey = (round: string, subject: string) => `${round}:${subject}`;

/** Loads the saved scores of a case. */
export function loadMyScores(storage: StorageLike | undefined, caseId: string): Record<string, MyScore> {
  if (!storage) return {};
  try {
    const raw = storage.getItem(`tafel.myscores.${caseId}`);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, MyScore>) : {};
  } catch {
    return {};
  }
}

/** Saves the scores of a case, keeping only rounds that are still open. */
export function saveMyScores(
  storage: StorageLike | undefined,
  caseId: string,
  scores: Record<string, MyScore>,
  openRounds?: ReadonlySet<string>,
): Record<string, MyScore> {
  const kept: Record<string, MyScore> = {};
  for (const [k, v] of Object.entries(scores)) if (!openRounds || openRounds.has(v.round)) kept[k] = v;
  if (storage) {
    try {
      if (Object.keys(kept).length === 0) storage.removeItem(`tafel.myscores.${caseId}`);
      else storage.setItem(`tafel.myscores.${caseId}`, JSON.stringify(kept));
    } catch {
      // storage unavailable: keep in memory only
    }
  }
  return kept;
}
