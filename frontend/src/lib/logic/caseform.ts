// The "new case" form of a chair: what the person typed, checked the way the server checks it
// (POST /api/cases), turned into the request body. Errors are i18n keys so the form can show
// them in either language.

import type { Key } from '../i18n/nl';

/** One row of the form: a person whose safety is scored, or a family member. */
export interface PersonRow {
  /** Client-side key for the keyed {#each}; never sent. */
  key: string;
  name: string;
  relation: string;
  /** A person at risk who also belongs to the household (one record per person: the mother once). */
  household?: boolean;
}

/** What the chair typed. Policy fields are text (number inputs), '' meaning the default. */
export interface CaseFormInput {
  title: string;
  subjects: PersonRow[];
  family: PersonRow[];
  quorum: string;
  stableMeetings: string;
  stableDays: string;
}

/** The body of POST /api/cases. */
export interface CaseCreate {
  title: string;
  subjects: { name: string }[];
  family: { name: string; relation?: string }[];
  /** Every person once with both flags; sent instead of subjects and family when a person at risk is also of the household. */
  persons?: { name: string; relation?: string; atRisk: boolean; household: boolean }[];
  policy?: { quorum?: number; stableMeetings?: number; stableDays?: number };
}

/** A problem with one field: which (for focus and aria-describedby) and the text's key. */
export interface FormError {
  field: string;
  key: Key;
}

/** The organisation's defaults, shown in the form (a zero or empty field takes them). */
export const policyDefaults = { quorum: 2, stableMeetings: 3, stableDays: 28 } as const;

/** Limits of the server (docs/openapi.yaml). */
export const caseLimits = {
  title: 120,
  person: 200,
  subjects: 20,
  quorum: 50,
  stableMeetings: 20,
  stableDays: 365,
} as const;

let counter = 0;
/** A new empty row. */
export function emptyRow(): PersonRow {
  counter += 1;
  return { key: `row-${counter}`, name: '', relation: '' };
}

/** A form with one empty subject row and no family. */
export function emptyCaseForm(): CaseFormInput {
  return { title: '', subjects: [emptyRow()], family: [], quorum: '', stableMeetings: '', stableDays: '' };
}

function whole(v: string, max: number): number | undefined | null {
  const s = v.trim();
  if (s === '') return undefined;
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n > max ? null : n;
}

/**
 * Checks the form and builds the request. Empty family rows are dropped; an empty subject row
 * is dropped too, but at least one subject must remain. Returns the body or the list of errors.
 */
export function buildCase(f: CaseFormInput): { ok: true; body: CaseCreate } | { ok: false; errors: FormError[] } {
  const errors: FormError[] = [];
  const title = f.title.trim();
  if (!title) errors.push({ field: 'title', key: 'newCase.errTitle' });
  else if ([...title].length > caseLimits.title) errors.push({ field: 'title', key: 'newCase.errTitleLong' });

  const subjectRows = f.subjects.map((r) => ({ name: r.name.trim(), relation: r.relation.trim(), household: !!r.household })).filter((r) => r.name !== '');
  const subjects = subjectRows.map((r) => ({ name: r.name }));
  if (subjects.length === 0) errors.push({ field: 'subjects', key: 'newCase.errSubjects' });
  if (subjects.length > caseLimits.subjects) errors.push({ field: 'subjects', key: 'newCase.errTooMany' });

  const family = f.family
    .map((r) => ({ name: r.name.trim(), relation: r.relation.trim() }))
    .filter((r) => r.name !== '' || r.relation !== '');
  if (family.some((r) => r.name === '')) errors.push({ field: 'family', key: 'newCase.errFamilyName' });

  const all = [...subjects, ...family];
  if (all.some((r) => [...r.name].length > caseLimits.person)) errors.push({ field: 'subjects', key: 'newCase.errNameLong' });
  const names = subjects.map((s) => s.name.toLocaleLowerCase('nl'));
  if (new Set(names).size !== names.length) errors.push({ field: 'subjects', key: 'newCase.errDuplicate' });

  const quorum = whole(f.quorum, caseLimits.quorum);
  const stableMeetings = whole(f.stableMeetings, caseLimits.stableMeetings);
  const stableDays = whole(f.stableDays, caseLimits.stableDays);
  if (quorum === null) errors.push({ field: 'quorum', key: 'newCase.errQuorum' });
  if (stableMeetings === null) errors.push({ field: 'stableMeetings', key: 'newCase.errStableMeetings' });
  if (stableDays === null) errors.push({ field: 'stableDays', key: 'newCase.errStableDays' });

  if (errors.length > 0) return { ok: false, errors };
  const body: CaseCreate = {
    title,
    subjects,
    family: family.map((r) => (r.relation ? r : { name: r.name })),
  };
  if (subjectRows.some((r) => r.household)) {
    body.persons = [
      ...subjectRows.map((r) => ({ name: r.name, ...(r.relation ? { relation: r.relation } : {}), atRisk: true, household: r.household })),
      ...family.map((r) => ({ name: r.name, ...(r.relation ? { relation: r.relation } : {}), atRisk: false, household: true })),
    ];
    body.subjects = [];
    body.family = [];
  }
  const policy = Object.fromEntries(
    Object.entries({ quorum, stableMeetings, stableDays }).filter(([, v]) => v !== undefined && v !== null && v !== 0),
  );
  if (Object.keys(policy).length > 0) body.policy = policy;
  return { ok: true, body };
}
