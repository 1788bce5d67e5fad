// One record per person (issue 16): the case's persons, from the view's `persons` or — for an
// older server or fixture — merged from its subjects (at risk) and family (household).
import type { CaseView, Person } from '../protocol';

export function personsOf(c: CaseView['case']): Person[] {
  if (c.persons && c.persons.length > 0) return c.persons;
  const out: Person[] = c.subjects.map((s) => ({ id: s.id, name: s.name, atRisk: true, household: false }));
  for (const f of c.family) {
    const same = out.find((p) => p.id === f.id);
    if (same) {
      same.household = true;
      same.relation = f.relation;
    } else out.push({ id: f.id, name: f.name, relation: f.relation, atRisk: false, household: true });
  }
  return out;
}

/** A person's label: name, with the relation when there is one. */
export function personLabel(p: Person): string {
  return p.relation ? `${p.name} (${p.relation})` : p.name;
}
