import { describe, expect, it } from 'vitest';
import { normalizeView } from './normalize';
import { janna } from '../../fixtures/janna';
import type { CaseView } from '../protocol';

describe('normalizeView', () => {
  it('leaves a complete view as it is', () => {
    expect(normalizeView(janna)).toEqual(janna);
  });

  it('turns null and missing arrays into empty ones', () => {
    const wire = JSON.parse(
      JSON.stringify({
        seq: 3,
        case: { id: 'c', title: 'x', phase: 1, policy: { quorum: 2, stableMeetings: 3, stableDays: 28 }, subjects: null, family: null, safetyPlanRetired: false },
        safety: { direct: false, stable: false, streak: 0, lowest: null },
        meetings: null,
        current: { id: 'm', title: 'm', at: '', status: 'scheduled', chair: 'u', familyAdvisory: false, participants: null, agenda: null, rounds: [{ id: 'r', number: 1, status: 'open', submitted: null, pending: null }] },
        plans: { bottomLines: null, goals: [{ id: 'g', plan: 'care', text: 't', priority: 1, riskFactors: null }] },
      }),
    ) as CaseView;
    const v = normalizeView(wire);
    expect(v.case.subjects).toEqual([]);
    expect(v.safety.lowest).toEqual([]);
    expect(v.meetings).toEqual([]);
    expect(v.current?.participants).toEqual([]);
    expect(v.current?.rounds[0]?.submitted).toEqual([]);
    expect(v.plans.bottomLines).toEqual([]);
    expect(v.plans.agreements).toEqual([]);
    expect(v.plans.goals[0]?.riskFactors).toEqual([]);
    expect(v.plans.confirmations).toEqual([]);
  });
});
