import { describe, expect, it } from 'vitest';
import { byPriority, firstName, latestRevealed, latestRound, nameOf, openItem, standing } from './meeting';
import { janna, jannaOpenRound } from '../../fixtures/janna';

describe('meeting helpers', () => {
  it('shows first names only', () => {
    expect(firstName('Ahmed El Amrani')).toBe('Ahmed');
    expect(firstName('  Eva  ')).toBe('Eva');
    expect(firstName('')).toBe('?');
  });

  it('finds the open agenda item and the latest rounds', () => {
    const m = jannaOpenRound.current!;
    expect(openItem(m.agenda)?.id).toBe('a-assess');
    expect(latestRound(m.rounds)?.number).toBe(2);
    expect(latestRevealed(m.rounds)?.number).toBe(1);
    expect(latestRound([])).toBeUndefined();
  });

  it('knows where a participant stands', () => {
    const m = janna.current!;
    expect(standing(m, 'p-petra')).toBe('admitted');
    expect(standing(m, 'p-kees')).toBe('lobby');
    expect(standing(m, 'nobody')).toBe('none');
    expect(standing(undefined, 'p-petra')).toBe('none');
    expect(nameOf(m.participants, 'p-ilse')).toBe('Ilse Bakker');
    expect(nameOf(m.participants, 'ghost')).toBe('ghost');
  });

  it('sorts by priority without touching the input', () => {
    const items = [{ priority: 3 }, { priority: 1 }, { priority: 0 }, { priority: 2 }];
    expect(byPriority(items).map((i) => i.priority)).toEqual([1, 2, 3, 0]);
    expect(items[0]!.priority).toBe(3);
  });
});
