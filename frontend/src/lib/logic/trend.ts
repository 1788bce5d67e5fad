// Trend of the final-round scores over the meetings of a case, and the stable-safety streak.
// The server is the authority on the streak (CaseView.safety.streak); this mirror marks which
// meetings count, for the chart.

import type { CaseView, MeetingSummary } from '../protocol';

/** One meeting's final round for one subject. */
export interface TrendPoint {
  meeting: string;
  title: string;
  /** Seconds since epoch (uPlot's x unit). */
  t: number;
  min: number | null;
  max: number | null;
  median: number | null;
  mean: number | null;
  consensus6: boolean;
  consensus7: boolean;
}

function time(at: string): number {
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}

/** When a meeting was held (started), else when it was planned. */
function held(m: MeetingSummary): number {
  return time(m.heldAt ?? m.at);
}

/** Meetings that have a final round, oldest first by the day they were held. */
export function finishedMeetings(meetings: readonly MeetingSummary[]): MeetingSummary[] {
  return meetings
    .filter((m) => Array.isArray(m.final) && m.final.length > 0 && Number.isFinite(held(m)))
    .sort((a, b) => held(a) - held(b));
}

/** The final-round results of one subject over time. */
export function trend(meetings: readonly MeetingSummary[], subject: string): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const m of finishedMeetings(meetings)) {
    const f = m.final?.find((r) => r.subject === subject);
    if (!f) continue;
    points.push({
      meeting: m.id,
      title: m.title,
      t: held(m),
      min: f.min,
      max: f.max,
      median: f.median,
      mean: f.mean,
      consensus6: f.consensus6,
      consensus7: f.consensus7,
    });
  }
  return points;
}

const DAY = 86_400;

/**
 * The time axis sized to the data (seconds): the meetings' span with a margin of a tenth of it,
 * and at least a week on either side — one meeting is shown on its own fortnight, not stretched
 * over years.
 */
export function xRange(x: readonly number[]): [number, number] {
  if (x.length === 0) return [0, DAY];
  const lo = Math.min(...x);
  const hi = Math.max(...x);
  const pad = Math.max(7 * DAY, (hi - lo) / 10);
  return [lo - pad, hi + pad];
}

/** Whether the axis names days ("12 jan") rather than months ("jan 26"): a span under ~3 months. */
export function dayTicks(range: readonly [number, number]): boolean {
  return range[1] - range[0] < 92 * DAY;
}

/** uPlot data: x, then min, median, max series (null where unknown). */
export function trendData(points: readonly TrendPoint[]): [number[], (number | null)[], (number | null)[], (number | null)[]] {
  return [points.map((p) => p.t), points.map((p) => p.min), points.map((p) => p.median), points.map((p) => p.max)];
}

/**
 * Stable safety: consensus at 7 for every subject in the final round of K consecutive meetings,
 * each held at least D days after the previous counted one. Walking from the oldest meeting: a meeting without
 * consensus at 7 for every subject resets the streak; a qualifying meeting held fewer than D days
 * after the last counted one neither counts nor breaks it.
 */
export function stableStreak(
  meetings: readonly MeetingSummary[],
  subjects: readonly string[],
  policy: CaseView['case']['policy'],
): { streak: number; counted: string[]; stable: boolean } {
  let counted: { id: string; t: number }[] = [];
  const dayS = 24 * 3600;
  for (const m of finishedMeetings(meetings)) {
    const all =
      subjects.length > 0 && subjects.every((s) => m.final?.some((f) => f.subject === s && f.consensus7));
    if (!all) {
      counted = [];
      continue;
    }
    const t = held(m);
    const last = counted.at(-1);
    if (last && t - last.t < policy.stableDays * dayS) continue;
    counted.push({ id: m.id, t });
  }
  const streak = counted.length;
  return { streak, counted: counted.map((c) => c.id), stable: streak >= policy.stableMeetings };
}
