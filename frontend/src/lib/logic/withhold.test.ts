import { describe, expect, it } from 'vitest';
import { casePersons, hiddenNames, mayKeepExplanation, personName, withholding } from './withhold';

const janna = {
  subjects: [
    { id: 'janna', name: 'Janna' },
    { id: 'moeder', name: 'moeder' },
  ],
  family: [
    { id: 'vader', name: 'Vader', relation: 'vader' },
    { id: 'mama', name: 'Moeder', relation: 'moeder' },
    { id: 'tante', name: 'Tante', relation: 'zus van moeder' },
  ],
};

describe('case persons', () => {
  it('are the subjects, then the family, with the relation when it adds something', () => {
    expect(casePersons(janna)).toEqual([
      { id: 'janna', label: 'Janna' },
      { id: 'moeder', label: 'moeder' },
      { id: 'vader', label: 'Vader' },
      { id: 'mama', label: 'Moeder' },
      { id: 'tante', label: 'Tante (zus van moeder)' },
    ]);
  });

  it('list an id once and survive missing names', () => {
    expect(casePersons({ subjects: [{ id: 'x', name: '' }], family: [{ id: 'x', name: 'X', relation: '' }, { id: 'y', name: '', relation: '' }] })).toEqual([
      { id: 'x', label: 'x' },
      { id: 'y', label: 'y' },
    ]);
    expect(casePersons({ subjects: [], family: [] })).toEqual([]);
  });

  it('are named by id, unknown ids as themselves', () => {
    expect(personName(janna, 'vader')).toBe('Vader');
    expect(personName(janna, 'janna')).toBe('Janna');
    expect(personName(janna, 'oom')).toBe('oom');
    expect(hiddenNames(janna, { hiddenFrom: ['vader', 'tante'] })).toBe('Vader, Tante');
    expect(hiddenNames(janna, {})).toBe('');
  });
});

describe('withholding', () => {
  it('is nothing when nobody is chosen, even with a reason', () => {
    expect(withholding([], '')).toEqual({});
    expect(withholding([], 'reden zonder persoon')).toEqual({});
  });

  it('names the chosen persons once, in the order of the list, with a trimmed reason', () => {
    expect(withholding(['vader'], '  ')).toEqual({ hiddenFrom: ['vader'] });
    expect(withholding(['tante', 'vader', 'vader'], ' Moeder stemt nog niet in. ', casePersons(janna))).toEqual({
      hiddenFrom: ['vader', 'tante'],
      hiddenReason: 'Moeder stemt nog niet in.',
    });
    // A person no longer in the case is dropped when the list is given.
    expect(withholding(['weg'], 'r', casePersons(janna))).toEqual({});
  });
});

describe('professionals-only explanation', () => {
  it('is offered to the chair and professionals, not to family, network or observers', () => {
    expect(mayKeepExplanation('chair')).toBe(true);
    expect(mayKeepExplanation('professional')).toBe(true);
    for (const r of ['family', 'network', 'observer', '', undefined] as const) expect(mayKeepExplanation(r)).toBe(false);
  });
});
