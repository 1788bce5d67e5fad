import { describe, expect, it } from 'vitest';
import { dayTicks, stableStreak, trend, trendData, xRange } from './trend';
import type { MeetingSummary } from '../protocol';

const policy = { quorum: 2, stableMeetings: 3, stableDays: 28 };

/** A closed meeting whose final round gives every subject the same minimum. */
function meeting(id: string, at: string, mins: Record<string, number>): MeetingSummary {
  return {
    id,
    title: id,
    at,
    status: 'closed',
    final: Object.entries(mins).map(([subject, min]) => ({
      subject,
      min,
      max: min + 1,
      median: min,
      mean: min + 0.5,
      consensus6: min >= 6,
      consensus7: min >= 7,
    })),
  };
}

describe('trend', () => {
  it('orders meetings by date and skips meetings without a final round or without the subject', () => {
    const ms: MeetingSummary[] = [
      meeting('m2', '2026-06-01T10:00:00Z', { janna: 6 }),
      meeting('m1', '2026-03-01T10:00:00Z', { janna: 2, moeder: 3 }),
      { id: 'm3', title: 'm3', at: '2026-09-01T10:00:00Z', status: 'in_progress' },
      { id: 'bad', title: 'bad', at: 'not a date', status: 'closed', final: [] },
    ];
    expect(trend(ms, 'janna').map((p) => [p.meeting, p.min])).toEqual([
      ['m1', 2],
      ['m2', 6],
    ]);
    expect(trend(ms, 'moeder').map((p) => p.meeting)).toEqual(['m1']);
    const [x, min, median, max] = trendData(trend(ms, 'janna'));
    expect(x).toEqual([Date.parse('2026-03-01T10:00:00Z') / 1000, Date.parse('2026-06-01T10:00:00Z') / 1000]);
    expect([min, median, max]).toEqual([
      [2, 6],
      [2, 6],
      [3, 7],
    ]);
  });
});

describe('stableStreak', () => {
  const subjects = ['janna', 'moeder'];

  it('counts consecutive meetings with 7+ for every subject', () => {
    const ms = [
      meeting('m1', '2026-03-01T10:00:00Z', { janna: 2, moeder: 3 }),
      meeting('m2', '2026-06-01T10:00:00Z', { janna: 6, moeder: 6 }),
      meeting('m3', '2026-09-01T10:00:00Z', { janna: 7, moeder: 7 }),
      meeting('m4', '2026-12-01T10:00:00Z', { janna: 8, moeder: 7 }),
    ];
    expect(stableStreak(ms, subjects, policy)).toEqual({ streak: 2, counted: ['m3', 'm4'], stable: false });
    const more = [...ms, meeting('m5', '2027-01-05T10:00:00Z', { janna: 7, moeder: 9 })];
    expect(stableStreak(more, subjects, policy)).toEqual({ streak: 3, counted: ['m3', 'm4', 'm5'], stable: true });
  });

  it('a meeting below 7 for any subject resets the streak', () => {
    const ms = [
      meeting('m1', '2026-01-01T10:00:00Z', { janna: 7, moeder: 7 }),
      meeting('m2', '2026-02-15T10:00:00Z', { janna: 7, moeder: 6 }),
      meeting('m3', '2026-04-01T10:00:00Z', { janna: 7, moeder: 7 }),
    ];
    expect(stableStreak(ms, subjects, policy).counted).toEqual(['m3']);
  });

  it('a qualifying meeting fewer than D days after the last counted one does not count', () => {
    const ms = [
      meeting('m1', '2026-01-01T10:00:00Z', { janna: 7, moeder: 7 }),
      meeting('m2', '2026-01-20T10:00:00Z', { janna: 8, moeder: 8 }), // 19 days later
      meeting('m3', '2026-01-29T10:00:00Z', { janna: 8, moeder: 8 }), // 28 days after m1
    ];
    expect(stableStreak(ms, subjects, policy).counted).toEqual(['m1', 'm3']);
  });

  it('goes by the day a meeting was held, not the day it was planned (as the server does)', () => {
    const ms = [
      meeting('m1', '2026-01-01T10:00:00Z', { janna: 7, moeder: 7 }),
      { ...meeting('m2', '2026-01-29T10:00:00Z', { janna: 8, moeder: 8 }), heldAt: '2026-01-28T10:00:00Z' }, // held 27 days after m1
    ];
    expect(stableStreak(ms, subjects, policy).counted).toEqual(['m1']);
  });

  it('a subject missing from a final round breaks it, and no subjects means no streak', () => {
    const ms = [meeting('m1', '2026-01-01T10:00:00Z', { janna: 9 })];
    expect(stableStreak(ms, subjects, policy).streak).toBe(0);
    expect(stableStreak(ms, [], policy).streak).toBe(0);
  });
});

describe("the trend chart's time axis", () => {
  const day = 86_400;
  it('shows one meeting on its own fortnight, with days on the axis', () => {
    const r = xRange([1_000 * day]);
    expect(r).toEqual([993 * day, 1_007 * day]);
    expect(dayTicks(r)).toBe(true);
  });
  it('fits a year of meetings with a tenth of margin, with months on the axis', () => {
    const r = xRange([0, 360 * day]);
    expect(r).toEqual([-36 * day, 396 * day]);
    expect(dayTicks(r)).toBe(false);
  });
});
