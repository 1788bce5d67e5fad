// The commands of issue 16 — persons, recovery profiles, risk factors on two axes, proposals and
// goals with their effect on safety — kept apart from commands.ts so parallel work merges
// cleanly. Kinds and fields follow hub/meeting (persons.go, recovery.go, riskcare.go).
import { newId, type Command } from './commands';
import type { Person, RecoveryProfile } from './protocol';

const cmd = <K extends string, P>(kind: K, payload: P): Command<K, P> => ({ kind, payload });

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export interface FactorInput {
  text: string;
  category: string;
  dynamic: boolean;
  priority: number;
  instrument?: string;
  person?: string;
  relationship?: string[];
  threat?: number;
  speed?: number;
  protective?: boolean;
  professionalsOnly?: boolean;
}

export const personCommands = {
  personAdd: (p: Person) => cmd('case.add_person', defined({ ...p })),
  personSet: (p: Person) => cmd('case.set_person', defined({ ...p })),
  recoverySet: (p: RecoveryProfile) => cmd('recovery.set_profile', p),
  riskAdd: (r: FactorInput) => cmd('risk.add', defined({ ...r, id: newId() })),
  riskPropose: (r: FactorInput) => cmd('risk.propose', defined({ ...r, id: newId() })),
  riskDecide: (id: string, accept: boolean) => cmd('risk.decide_proposal', { id, accept }),
  recoveryGoal: (g: { member: string; text: string; safety?: string; check?: string; review?: string }) =>
    cmd('goal.add', defined({ id: newId(), plan: 'recovery', member: g.member, text: g.text, priority: 1, riskFactors: [], safety: g.safety, check: g.check, review: g.review })),
  careGoal: (g: { text: string; riskFactors: string[]; safety?: string; relationship?: string[]; check?: string; review?: string }) =>
    cmd('goal.add', defined({ id: newId(), plan: 'care', text: g.text, priority: 1, riskFactors: g.riskFactors, safety: g.safety, relationship: g.relationship, check: g.check, review: g.review })),
};
