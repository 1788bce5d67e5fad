// Placement of revealed scores on the 0–10 safety scale (display, participant, chair).

import type { Phase, RoundResult, RoundScore } from '../protocol';

/** One revealed score as a dot: its value and its row among equal values (0 = on the line). */
export interface Dot {
  participant: string;
  name: string;
  value: number;
  row: number;
  advisory: boolean;
}

/** Dots for one subject, and who abstained. Dots are sorted by value, then name. */
export function placeDots(scores: readonly RoundScore[], subject: string): { dots: Dot[]; abstained: RoundScore[] } {
  const mine = scores.filter((s) => s.subject === subject);
  const abstained = mine.filter((s) => s.abstain || s.value === null);
  const valued = mine
    .filter((s) => !s.abstain && s.value !== null)
    .map((s) => ({ ...s, value: clampScore(s.value as number) }))
    .sort((a, b) => a.value - b.value || a.name.localeCompare(b.name));
  const rows = new Map<number, number>();
  const dots = valued.map((s) => {
    const row = rows.get(s.value) ?? 0;
    rows.set(s.value, row + 1);
    return { participant: s.participant, name: s.name, value: s.value, row, advisory: s.advisory };
  });
  return { dots, abstained };
}

/** The highest stack of dots (rows needed to draw them). */
export function maxRows(dots: readonly Dot[]): number {
  return dots.reduce((m, d) => Math.max(m, d.row + 1), 0);
}

/** x coordinate of a value (0–10, fractions allowed for lines between values) on a scale drawn from left to right. */
export function scaleX(value: number, left: number, right: number): number {
  const v = Number.isFinite(value) ? Math.min(10, Math.max(0, value)) : 0;
  return left + ((right - left) * v) / 10;
}

/** Scores are integers 0–10; anything else is clamped (robust against bad data). */
export function clampScore(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.min(10, Math.max(0, Math.round(v)));
}

/**
 * The threshold the meeting works towards: 6 (direct safety) in phase 1, 7 (stable safety)
 * from phase 2 on.
 */
export function thresholdFor(phase: Phase | number): 6 | 7 {
  return phase >= 2 ? 7 : 6;
}

/** Consensus of a result at a threshold. */
export function consensusAt(r: Pick<RoundResult, 'consensus6' | 'consensus7'>, threshold: 6 | 7): boolean {
  return threshold === 7 ? r.consensus7 : r.consensus6;
}

/** A number for people: one decimal at most, Dutch or English decimal sign. */
export function formatScore(v: number | null | undefined, lang: 'nl' | 'en'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const rounded = Math.round(v * 10) / 10;
  return rounded.toLocaleString(lang === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 1 });
}
