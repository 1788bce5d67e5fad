import { describe, expect, it } from 'vitest';
import { buildCase, emptyCaseForm, emptyRow, type CaseFormInput } from './caseform';

function form(over: Partial<CaseFormInput> = {}): CaseFormInput {
  const f = emptyCaseForm();
  f.title = 'Gezin van baby Janna';
  f.subjects = [{ ...emptyRow(), name: 'Janna' }, { ...emptyRow(), name: 'moeder' }];
  return { ...f, ...over };
}

const keys = (r: ReturnType<typeof buildCase>) => (r.ok ? [] : r.errors.map((e) => e.key));

describe('buildCase', () => {
  it('builds the body of POST /api/cases, trimmed, without policy when all defaults', () => {
    const r = buildCase(form({ title: '  Gezin J ', family: [{ ...emptyRow(), name: ' Tante ', relation: 'zus van moeder' }, { ...emptyRow(), name: 'Opa', relation: '' }] }));
    expect(r).toEqual({
      ok: true,
      body: {
        title: 'Gezin J',
        subjects: [{ name: 'Janna' }, { name: 'moeder' }],
        family: [{ name: 'Tante', relation: 'zus van moeder' }, { name: 'Opa' }],
      },
    });
  });

  it('drops empty rows but needs at least one subject', () => {
    const r = buildCase(form({ subjects: [emptyRow(), { ...emptyRow(), name: '   ' }] }));
    expect(keys(r)).toEqual(['newCase.errSubjects']);
    const one = buildCase(form({ subjects: [emptyRow(), { ...emptyRow(), name: 'Janna' }], family: [emptyRow()] }));
    expect(one.ok && one.body.subjects).toEqual([{ name: 'Janna' }]);
    expect(one.ok && one.body.family).toEqual([]);
  });

  it('refuses a missing or too long title', () => {
    expect(keys(buildCase(form({ title: ' ' })))).toEqual(['newCase.errTitle']);
    expect(keys(buildCase(form({ title: 'x'.repeat(121) })))).toEqual(['newCase.errTitleLong']);
    expect(buildCase(form({ title: 'é'.repeat(120) })).ok).toBe(true);
  });

  it('refuses a family member with a relation but no name, and twice the same subject', () => {
    expect(keys(buildCase(form({ family: [{ ...emptyRow(), name: '', relation: 'oom' }] })))).toEqual(['newCase.errFamilyName']);
    expect(keys(buildCase(form({ subjects: [{ ...emptyRow(), name: 'Janna' }, { ...emptyRow(), name: 'janna ' }] })))).toEqual(['newCase.errDuplicate']);
  });

  it('refuses more than 20 subjects and names over 200 characters', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ ...emptyRow(), name: `kind ${i}` }));
    expect(keys(buildCase(form({ subjects: many })))).toEqual(['newCase.errTooMany']);
    expect(keys(buildCase(form({ subjects: [{ ...emptyRow(), name: 'x'.repeat(201) }] })))).toEqual(['newCase.errNameLong']);
  });

  it('sends only the policy fields that differ from the default, and checks their range', () => {
    const r = buildCase(form({ quorum: '3', stableMeetings: '', stableDays: '0' }));
    expect(r.ok && r.body.policy).toEqual({ quorum: 3 });
    expect(keys(buildCase(form({ quorum: '51', stableMeetings: '2.5', stableDays: '-1' })))).toEqual([
      'newCase.errQuorum',
      'newCase.errStableMeetings',
      'newCase.errStableDays',
    ]);
    expect(keys(buildCase(form({ stableDays: '366' })))).toEqual(['newCase.errStableDays']);
    expect(buildCase(form({ quorum: '50', stableMeetings: '20', stableDays: '365' })).ok).toBe(true);
  });

  it('gives every row its own key', () => {
    expect(emptyRow().key).not.toBe(emptyRow().key);
  });
});

describe('one record per person', () => {
  it('sends persons with both flags when a person at risk is also of the household', () => {
    const f = emptyCaseForm();
    f.title = 'Gezin van Janna';
    f.subjects = [{ ...emptyRow(), name: 'Janna' }, { ...emptyRow(), name: 'Moeder', relation: 'moeder', household: true }];
    f.family = [{ ...emptyRow(), name: 'Vader', relation: 'vader' }];
    const r = buildCase(f);
    expect(r.ok && r.body.persons).toEqual([
      { name: 'Janna', atRisk: true, household: false },
      { name: 'Moeder', relation: 'moeder', atRisk: true, household: true },
      { name: 'Vader', relation: 'vader', atRisk: false, household: true },
    ]);
    expect(r.ok && [r.body.subjects, r.body.family]).toEqual([[], []]);
  });
});
