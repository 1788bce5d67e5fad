import { describe, expect, it } from 'vitest';
import { loadMyScores, saveMyScores, type MyScore } from './myscores';
import { MemoryStorage } from '../ws/fakeserver.test-helper';

const score = (round: string, subject: string, value: number): MyScore => ({
  round,
  subject,
  value,
  abstain: false,
  meaning: 'm',
  notHigher: '',
  commandId: `${round}-${subject}`,
  acked: true,
});

describe('own unrevealed scores', () => {
  it('persist per case and drop rounds that are no longer open', () => {
    const st = new MemoryStorage();
    const all = { 'r1:janna': score('r1', 'janna', 2), 'r2:janna': score('r2', 'janna', 6) };
    saveMyScores(st, 'c1', all);
    expect(loadMyScores(st, 'c1')).toEqual(all);
    expect(loadMyScores(st, 'c2')).toEqual({});
    const kept = saveMyScores(st, 'c1', all, new Set(['r2']));
    expect(Object.keys(kept)).toEqual(['r2:janna']);
    expect(Object.keys(loadMyScores(st, 'c1'))).toEqual(['r2:janna']);
    saveMyScores(st, 'c1', kept, new Set());
    expect(st.getItem('tafel.myscores.c1')).toBeNull();
  });

  it('survive garbage in storage', () => {
    const st = new MemoryStorage();
    st.setItem('tafel.myscores.c1', '{not json');
    expect(loadMyScores(st, 'c1')).toEqual({});
    expect(loadMyScores(undefined, 'c1')).toEqual({});
  });
});
