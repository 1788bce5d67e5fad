import { describe, expect, it } from 'vitest';
import { entryKey, mergeHistory, retain, withHistory } from './history';
import { janna } from '../../fixtures/janna';

const f = (id: string, text = id) => ({ id, text, by: 'x', professionalsOnly: false });

describe('case history', () => {
  it('merges pages read, entries that left the live view and the recent ones, each once', () => {
    const older = [f('a'), f('b'), f('c')];
    const retained = [f('c', 'c2'), f('d'), f('e')];
    const recent = [f('e', 'e-new'), f('f')];
    expect(mergeHistory('facts', older, retained, recent)).toEqual([f('a'), f('b'), f('c', 'c2'), f('d'), f('e', 'e-new'), f('f')]);
  });

  it('retains what the live view showed, refreshed in place', () => {
    let kept: unknown[] = [];
    kept = retain('facts', kept, [f('a'), f('b')]);
    kept = retain('facts', kept, [f('b', 'b2'), f('c')]); // the window moved on: a left
    expect(kept).toEqual([f('a'), f('b', 'b2'), f('c')]);
    expect(mergeHistory('facts', [], kept, [f('b', 'b2'), f('c')])).toEqual([f('a'), f('b', 'b2'), f('c')]);
  });

  it('keys confirmations by who confirmed which version of which meeting', () => {
    const c = { participant: 'p', name: 'P', meeting: 'm1', at: '2026-01-01T10:00:00Z', version: 3 };
    expect(entryKey('confirmations', c)).not.toEqual(entryKey('confirmations', { ...c, version: 4 }));
  });

  it('completes a view without touching what it does not merge', () => {
    const v = janna;
    const out = withHistory(v, { facts: [f('old'), ...v.plans.facts] });
    expect(out.plans.facts[0]).toEqual(f('old'));
    expect(out.plans.agreements).toBe(v.plans.agreements);
    expect(out.meetings).toBe(v.meetings);
  });
});
