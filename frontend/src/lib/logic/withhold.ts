// "Niet zichtbaar voor": plan entries withheld from named persons of the case, explanations kept
// for professionals, and linking a participant to the case person they are (docs/domain.md,
// "Visibility"). The server decides who sees what; these helpers only build what the chair
// sends and say what a professional's view shows.

import type { CaseView, Role, Withholding } from '../protocol';

/** A person of the case: a subject (whose safety is scored) or a family member. */
export interface CasePerson {
  id: string;
  /** How the person is named in a list: the name, with the relation when it adds something. */
  label: string;
}

/** The persons an entry can be withheld from, or a participant linked to: subjects, then family. */
export function casePersons(c: Pick<CaseView['case'], 'subjects' | 'family'>): CasePerson[] {
  const out: CasePerson[] = [];
  const seen = new Set<string>();
  for (const s of c.subjects ?? []) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    out.push({ id: s.id, label: s.name || s.id });
  }
  for (const f of c.family ?? []) {
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    const name = f.name || f.id;
    const relation = (f.relation ?? '').trim();
    out.push({ id: f.id, label: relation && relation.toLowerCase() !== name.trim().toLowerCase() ? `${name} (${relation})` : name });
  }
  return out;
}

/** The name of a case person by id (the id itself when unknown). */
export function personName(c: Pick<CaseView['case'], 'subjects' | 'family'>, id: string): string {
  return c.subjects?.find((s) => s.id === id)?.name || c.family?.find((f) => f.id === id)?.name || id;
}

/**
 * The withholding fields of an add command: nothing when no person is chosen (a reason alone
 * is refused by the server), else the persons in the order of `persons` (when given) and the
 * trimmed reason if any.
 */
export function withholding(hiddenFrom: readonly string[], reason: string, persons?: readonly CasePerson[]): Withholding {
  let ids = [...new Set(hiddenFrom.filter((id) => id))];
  if (persons) ids = persons.map((p) => p.id).filter((id) => ids.includes(id));
  if (ids.length === 0) return {};
  const r = reason.trim();
  return r ? { hiddenFrom: ids, hiddenReason: r } : { hiddenFrom: ids };
}

/** The names an entry is withheld from, for a professional's view ("" when none). */
export function hiddenNames(c: Pick<CaseView['case'], 'subjects' | 'family'>, w: Withholding): string {
  return (w.hiddenFrom ?? []).map((id) => personName(c, id)).join(', ');
}

/** Whether a scorer in this role may keep the explanation of their score for professionals. */
export function mayKeepExplanation(role: Role | '' | undefined): boolean {
  return role === 'chair' || role === 'professional';
}
