import { describe, expect, it } from 'vitest';
import { clampScore, consensusAt, formatScore, maxRows, placeDots, scaleX, thresholdFor } from './scale';
import type { RoundScore } from '../protocol';

const s = (participant: string, subject: string, value: number | null, advisory = false): RoundScore => ({
  participant,
  name: participant,
  role: 'professional',
  subject,
  value,
  abstain: value === null,
  meaning: '',
  notHigher: '',
  advisory,
});

describe('placeDots', () => {
  it('stacks equal values in rows, sorted by value then name, and lists abstentions apart', () => {
    const scores = [s('Ilse', 'janna', 2), s('Eva', 'janna', 2), s('Petra', 'janna', 3), s('Mark', 'janna', null), s('Ahmed', 'janna', 2), s('Eva', 'moeder', 3)];
    const { dots, abstained } = placeDots(scores, 'janna');
    expect(dots.map((d) => [d.name, d.value, d.row])).toEqual([
      ['Ahmed', 2, 0],
      ['Eva', 2, 1],
      ['Ilse', 2, 2],
      ['Petra', 3, 0],
    ]);
    expect(abstained.map((a) => a.name)).toEqual(['Mark']);
    expect(maxRows(dots)).toBe(3);
  });

  it('keeps the advisory flag and clamps out-of-range values', () => {
    const { dots } = placeDots([s('A', 'x', 14, true), s('B', 'x', -2)], 'x');
    expect(dots.map((d) => [d.value, d.advisory])).toEqual([
      [0, false],
      [10, true],
    ]);
  });

  it('is empty for a subject nobody scored', () => {
    expect(placeDots([s('A', 'x', 5)], 'y')).toEqual({ dots: [], abstained: [] });
    expect(maxRows([])).toBe(0);
  });
});

describe('scale geometry and numbers', () => {
  it('maps 0..10 linearly onto the drawing width', () => {
    expect(scaleX(0, 16, 384)).toBe(16);
    expect(scaleX(10, 16, 384)).toBe(384);
    expect(scaleX(5, 0, 100)).toBe(50);
    expect(scaleX(5.5, 0, 100)).toBe(55); // the 6 line sits between 5 and 6
    expect(scaleX(12, 0, 100)).toBe(100);
  });
  it('clamps to integers 0..10', () => {
    expect([clampScore(NaN), clampScore(-1), clampScore(6.4), clampScore(11)]).toEqual([0, 0, 6, 10]);
  });
  it('works towards 6 in phase 1 and towards 7 from phase 2', () => {
    expect([1, 2, 3, 4, 5].map(thresholdFor)).toEqual([6, 7, 7, 7, 7]);
    expect(consensusAt({ consensus6: true, consensus7: false }, 6)).toBe(true);
    expect(consensusAt({ consensus6: true, consensus7: false }, 7)).toBe(false);
  });
  it('formats numbers the Dutch or English way', () => {
    expect(formatScore(2.4, 'nl')).toBe('2,4');
    expect(formatScore(3.333, 'en')).toBe('3.3');
    expect(formatScore(null, 'nl')).toBe('–');
  });
});
