import { describe, expect, it } from 'vitest';
import { personId, proposeRoute, sortRows, type IntakeRow, type Judgements } from './intake';
import { personsOf } from './logic/persons';
import { parseHash } from './logic/route';

const j = (a: string, s: string, m: string): Judgements => ({
  acute: { answer: a as '', reason: 'r' },
  structural: { answer: s as '', reason: 'r' },
  multiProblem: { answer: m as '', reason: 'r' },
});

describe('intake', () => {
  it('proposes the route the server proposes', () => {
    expect(proposeRoute(j('yes', 'no', 'no'))).toBe('mda_acute');
    expect(proposeRoute(j('no', 'yes', ''))).toBe('mda_structural');
    expect(proposeRoute(j('no', 'no', 'yes'))).toBe('local_field');
    expect(proposeRoute(j('no', 'unknown', 'no'))).toBe('local_field');
    expect(proposeRoute(j('no', 'no', 'no'))).toBe('close');
    expect(proposeRoute(j('no', '', ''))).toBeUndefined();
  });

  it('makes unique person ids from names', () => {
    expect(personId('Sem de Vries', [])).toBe('sem-de-vries');
    expect(personId('Sem de Vries', ['sem-de-vries'])).toBe('sem-de-vries-2');
    expect(personId('  ', [])).toBe('p');
  });

  it('sorts the overview: overdue first by state, soonest first by deadline', () => {
    const row = (id: string, due: string, state: IntakeRow['state']): IntakeRow => ({
      id, received: due, reporter: 'police', persons: 1, proposed: 'advice', route: 'advice', deadlines: { assessment: due.slice(0, 10) }, due, state, recordedBy: 'x', description: '',
    });
    const rows = [row('a', '2026-12-10T00:00:00Z', 'open'), row('b', '2026-12-01T00:00:00Z', 'overdue'), row('c', '2026-12-03T00:00:00Z', 'due_today')];
    expect(sortRows(rows, 'due').map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(sortRows(rows, 'state', false).map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });

  it('routes #/intake and #/intake/<id>', () => {
    expect(parseHash('#/intake')).toEqual({ name: 'intake' });
    expect(parseHash('#/intake/i1')).toEqual({ name: 'intake', id: 'i1' });
  });

  it('merges subjects and family into persons for an older view', () => {
    const p = personsOf({
      id: 'c', title: 't', phase: 1, policy: { quorum: 2, stableMeetings: 3, stableDays: 28 }, safetyPlanRetired: false,
      subjects: [{ id: 'janna', name: 'Janna' }, { id: 'moeder', name: 'Moeder' }],
      family: [{ id: 'moeder', name: 'Moeder', relation: 'moeder' }, { id: 'vader', name: 'Vader', relation: 'vader' }],
    });
    expect(p.map((x) => [x.id, x.atRisk, x.household])).toEqual([['janna', true, false], ['moeder', true, true], ['vader', false, true]]);
  });
});
