import { describe, expect, it } from 'vitest';
import { normalizeView } from './normalize';
import { applyPatch } from '../ws/patch';
import { janna, jannaOpenRound } from '../../fixtures/janna';
import type { CaseView, PatchOp } from '../protocol';

/** A view as it comes off the wire: fresh objects, nothing shared with the fixture. */
const wire = (v: CaseView): CaseView => JSON.parse(JSON.stringify(v)) as CaseView;

describe('normalizeView', () => {
  it('leaves a complete view as it is', () => {
    expect(normalizeView(janna)).toEqual(janna);
  });

  it('returns a view with the shape the server guarantees itself, not a copy', () => {
    const v = wire(jannaOpenRound);
    expect(normalizeView(v)).toBe(v);
  });

  it('turns null arrays inside plan entries, which the server passes on as stored, into empty ones', () => {
    const v = wire(janna);
    v.plans.goals = [{ id: 'g', plan: 'care', text: 't', priority: 1, riskFactors: null as unknown as string[] }];
    (v.plans.bottomLines[1] as { subjects: unknown }).subjects = null;
    const out = normalizeView(v);
    expect(out.plans.goals[0]?.riskFactors).toEqual([]);
    expect(out.plans.bottomLines[1]?.subjects).toEqual([]);
    // Only what was fixed is new.
    expect(out.plans.bottomLines[0]).toBe(v.plans.bottomLines[0]);
    expect(out.plans.facts).toBe(v.plans.facts);
    expect(out.current).toBe(v.current);
    expect(v.plans.goals[0]?.riskFactors).toBeNull(); // the input is never changed
  });

  it('keeps the identity of every part a patch did not touch', () => {
    // What CaseLive holds after a view frame, then after an update's patch (LiveClient applies the
    // patch, CaseLive normalizes the result): a score arrived and a fact was added.
    const before = normalizeView(wire(jannaOpenRound));
    const ops: PatchOp[] = [
      { op: 'replace', path: '/seq', value: before.seq + 1 },
      { op: 'add', path: '/current/rounds/1/submitted/0', value: 'p-eva' },
      { op: 'add', path: '/plans/facts/2', value: { id: 'f3', text: 'Nieuw feit.', by: 'Eva Jansen' } },
    ];
    const after = normalizeView(applyPatch(before, ops));

    expect(after).not.toBe(before);
    expect(after.current?.rounds[1]?.submitted[0]).toBe('p-eva');
    expect(after.plans.facts).toHaveLength(3);
    // Untouched: the same objects as before the patch.
    expect(after.case).toBe(before.case);
    expect(after.safety).toBe(before.safety);
    expect(after.meetings).toBe(before.meetings);
    expect(after.current?.participants).toBe(before.current?.participants);
    expect(after.current?.agenda).toBe(before.current?.agenda);
    expect(after.current?.rounds[0]).toBe(before.current?.rounds[0]);
    expect(after.plans.bottomLines).toBe(before.plans.bottomLines);
    expect(after.plans.agreements).toBe(before.plans.agreements);
    expect(after.plans.goals).toBe(before.plans.goals);
    expect(after.plans.facts[0]).toBe(before.plans.facts[0]);
  });
});
