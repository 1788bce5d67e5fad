// Every command the frontend sends, in one place, so names and payloads can be aligned with the
// server in one edit. The kinds and payload fields follow hub/meeting/command.go (the server
// refuses unknown fields). A builder returns { kind, payload }; the live client adds the
// client-generated command id. Ids of new things (bottom lines, agreements, …) are made here
// with crypto.randomUUID, so a resent command creates nothing twice.

import type { Agreement, BottomLine, EntryRef, Goal, Phase, PlanKind, Role, Schedule, Withholding } from './protocol';

/** A command before it gets its id. */
export interface Command<K extends string = string, P = unknown> {
  kind: K;
  payload: P;
}

/** A fresh id for a command or for a thing a command creates. */
export function newId(): string {
  return crypto.randomUUID();
}

const cmd = <K extends string, P>(kind: K, payload: P): Command<K, P> => ({ kind, payload });

/** Drops undefined fields (the server refuses nothing for absent optional fields). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface ScoreInput {
  round: string;
  subject: string;
  /** 0–10, or null when abstaining. */
  value: number | null;
  abstain: boolean;
  meaning: string;
  notHigher: string;
  /** Keep the explanation (meaning, notHigher) for professionals; the value is shown to all. */
  professionalsOnly?: boolean;
}

export const commands = {
  // Meetings.
  meetingSchedule: (m: { title: string; at: string; id?: string; agenda?: string[] }) =>
    cmd('meeting.schedule', defined({ id: m.id ?? newId(), title: m.title, at: m.at, agenda: m.agenda })),
  meetingStart: (meeting: string) => cmd('meeting.start', { meeting }),
  meetingClose: (meeting: string) => cmd('meeting.close', { meeting }),
  /** Making family and network advisory needs a reason, which everyone at the table reads. */
  familyAdvisory: (meeting: string, advisory: boolean, reason = '') =>
    cmd('meeting.set_family_advisory', defined({ meeting, advisory, reason: advisory ? reason : undefined })),
  /** On, a complete round reveals itself; off (the default), the chair decides when. */
  autoReveal: (meeting: string, autoReveal: boolean) => cmd('meeting.set_auto_reveal', { meeting, autoReveal }),
  displayLanguage: (meeting: string, language: '' | 'nl' | 'en') => cmd('meeting.set_display_language', { meeting, language }),

  // People.
  participantJoin: (meeting: string) => cmd('participant.join', { meeting }),
  participantLeave: (meeting: string) => cmd('participant.leave', { meeting }),
  /** Lets a participant in; `person` links them to a case person (what is withheld from that person is withheld from them). */
  /** Lets a participant in; optionally linked to a case person and with the role the chair chose. */
  participantAdmit: (meeting: string, participant: string, person?: string, role?: Exclude<Role, 'chair'>) =>
    cmd('participant.admit', defined({ meeting, participant, person: person || undefined, role: role || undefined })),
  participantRemove: (meeting: string, participant: string) => cmd('participant.remove', { meeting, participant }),
  participantSetRole: (meeting: string, participant: string, role: Exclude<Role, 'chair'>) =>
    cmd('participant.set_role', { meeting, participant, role }),
  chairHandOver: (meeting: string, participant: string) => cmd('chair.hand_over', { meeting, participant }),

  // Agenda.
  agendaOpen: (meeting: string, item: string) => cmd('agenda.open', { meeting, item }),
  agendaClose: (meeting: string, item: string) => cmd('agenda.close', { meeting, item }),
  agendaSuspend: (meeting: string, item: string) => cmd('agenda.suspend', { meeting, item }),
  /** Adds an item at the end of the agenda; the kind fixes its section (never the safety assessment). */
  agendaAdd: (meeting: string, kind: string, title: string, id: string = newId()) => cmd('agenda.add', { meeting, id, kind, title }),
  /** Moves an item to a 0-based position (≥ 1: the safety assessment stays first). */
  agendaMove: (meeting: string, item: string, position: number) => cmd('agenda.move', { meeting, item, position }),

  // Scoring rounds. The server numbers rounds and makes their ids.
  roundOpen: (meeting: string) => cmd('round.open', { meeting }),
  roundReveal: (round: string) => cmd('round.reveal', { round }),
  scoreSubmit: (s: ScoreInput) => cmd('score.submit', defined({ ...s, professionalsOnly: s.professionalsOnly || undefined })),

  // Safety plan. Every plan entry can be withheld from named case persons (Withholding: build it
  // with logic/withhold.ts `withholding`, which leaves both fields out when nobody is chosen).
  bottomLineAdd: (subjects: string[], text: string, w: Withholding = {}, id: string = newId()) =>
    cmd('bottomline.add', { id, subjects, text, ...w }),
  /** The status for the meeting in progress (part of the safety assessment). */
  bottomLineStatus: (id: string, status: BottomLine['status']) => cmd('bottomline.set_status', { id, status }),
  bottomLineRevise: (id: string, subjects: string[], text: string) => cmd('bottomline.revise', { id, subjects, text }),
  /** Why the meeting goes on although a bottom line was not met in it (gate rule 2b). */
  gateReason: (meeting: string, reason: string) => cmd('gate.record_reason', { meeting, reason }),
  agreementAdd: (a: {
    plan: PlanKind;
    action: string;
    owner: Agreement['owner'];
    when: string;
    bottomLine?: string;
    goal?: string;
    schedule?: Schedule;
    id?: string;
  } & Withholding) => cmd('agreement.add', defined({ ...a, owner: defined(a.owner), id: a.id ?? newId() })),
  /** Revises an agreement: every field anew (plan, status and who may see it stay). */
  agreementRevise: (a: Pick<Agreement, 'id' | 'action' | 'owner' | 'when' | 'bottomLine' | 'goal' | 'schedule'>) =>
    cmd('agreement.revise', defined({ id: a.id, action: a.action, owner: defined(a.owner), when: a.when, bottomLine: a.bottomLine ?? '', goal: a.goal ?? '', schedule: a.schedule })),
  agreementTakeOn: (id: string) => cmd('agreement.take_on', { id }),
  agreementStatus: (id: string, status: Agreement['status']) => cmd('agreement.set_status', { id, status }),
  /** A check-in: a real date (yyyy-mm-dd) and what it checks (an agreement, bottom line or task). */
  monitoringAdd: (
    m: {
      date: string;
      by: string;
      planNeeded: boolean;
      howItWorked: string;
      concerns: string;
      person?: string;
      agreement?: string;
      bottomLine?: string;
      task?: string;
      id?: string;
    } & Withholding,
  ) => cmd('monitoring.add', defined({ ...m, id: m.id ?? newId() })),
  /** A monitoring task with its schedule (the case director, or the chair; between meetings too). */
  monitoringPlan: (m: { what: string; owner?: { participant?: string; name: string }; schedule: Schedule; person?: string; agreement?: string; bottomLine?: string; id?: string }) =>
    cmd('monitoring.plan', defined({ ...m, owner: m.owner ? defined(m.owner) : undefined, id: m.id ?? newId() })),
  escalationAdd: (e: { kind: string; decision: string; reason: string; who: string; when: string; checkIn?: string; bottomLine?: string; id?: string }) =>
    cmd('escalation.add', defined({ ...e, id: e.id ?? newId() })),
  researchAdd: (r: { part: string; chain: string; notes: string; id?: string }) => cmd('research.add', { ...r, id: r.id ?? newId() }),

  // Risk assessment, care and recovery plans, future plan.
  riskFactorAdd: (r: {
    text: string;
    category: string;
    dynamic: boolean;
    priority: number;
    instrument?: string;
    professionalsOnly?: boolean;
    id?: string;
  } & Withholding) => cmd('risk.add', defined({ ...r, id: r.id ?? newId() })),
  goalAdd: (g: { plan: Goal['plan']; member?: string; text: string; priority: number; riskFactors: string[]; id?: string } & Withholding) =>
    cmd('goal.add', defined({ ...g, id: g.id ?? newId() })),
  goalEvaluate: (id: string, outcome: NonNullable<Goal['evaluation']>) => cmd('goal.evaluate', { id, outcome }),
  goalRevise: (g: { id: string; member?: string; text: string; priority: number; riskFactors: string[] }) =>
    cmd('goal.revise', { id: g.id, member: g.member ?? '', text: g.text, priority: g.priority, riskFactors: g.riskFactors }),
  riskFactorRevise: (r: { id: string; text: string; category: string; dynamic: boolean; priority: number; instrument?: string }) =>
    cmd('risk.revise', { id: r.id, text: r.text, category: r.category, dynamic: r.dynamic, priority: r.priority, instrument: r.instrument ?? '' }),
  futureAdd: (f: { warningSign: string; action: string; contact: string; id?: string } & Withholding) =>
    cmd('future.add', defined({ ...f, id: f.id ?? newId() })),
  futureRevise: (f: { id: string; warningSign: string; action: string; contact: string }) =>
    cmd('future.revise', { id: f.id, warningSign: f.warningSign, action: f.action, contact: f.contact }),
  /** Withdraws a plan entry (never deletes it), with a reason. */
  planWithdraw: (entry: EntryKind, id: string, reason: string) => cmd('plan.withdraw', { entry, id, reason }),
  factAdd: (text: string, professionalsOnly: boolean, w: Withholding = {}, id: string = newId()) =>
    cmd('fact.add', { id, text, professionalsOnly, ...w }),
  decisionRecord: (text: string, id: string = newId()) => cmd('decision.record', { id, text }),
  planConfirm: (meeting: string) => cmd('plan.confirm', { meeting }),

  // Case.
  phaseSet: (phase: Phase) => cmd('case.set_phase', { phase }),
  /** The case director's phone number, for the family's plan. */
  directorContact: (phone: string) => cmd('case.set_director_contact', { phone }),

  /** Closes the case: its retention starts. The birth year of the youngest child is needed when no subject has one. */
  caseClose: (reason: string, youngestBirthYear?: number) => cmd('case.close', defined({ reason, youngestBirthYear })),
  caseReopen: (reason: string) => cmd('case.reopen', { reason }),

  // The family's rights.
  /** Corrects a factual error: the entry shows `text` from now on; the old text stays for professionals. */
  entryCorrect: (ref: EntryRef, text: string, reason: string) => cmd('entry.correct', { ...ref, text, reason }),
  /** Attaches a person's own statement (eigen verklaring) to an entry. */
  statementAdd: (ref: EntryRef, person: string, text: string, id: string = newId()) => cmd('statement.add', { id, ...ref, person, text }),
  safetyPlanRetire: () => cmd('safetyplan.retire', {}),
} as const;

/** Kinds of plan entries that are revised and withdrawn. */
export type EntryKind = 'bottom_line' | 'agreement' | 'goal' | 'risk_factor' | 'future' | 'task';

/** The roles the chair can invite. */
export const invitableRoles: Role[] = ['family', 'network', 'professional', 'observer'];

/** Allowed values of plan fields (hub/meeting/plans.go). */
export const planValues = {
  escalationKinds: ['veilig_thuis_advice', 'veilig_thuis_deployment', 'child_protection_board', 'criminal_justice', 'mda_expertise', 'compulsory_framework'],
  researchParts: ['medical_injury_exam', 'fact_finding_interviews', 'special_police_methods', 'perpetrator_risk_profile', 'violence_dynamics', 'intrusive_memories', 'other'],
  researchChains: ['safety_justice', 'medical', 'care'],
  riskCategories: ['parent', 'child', 'parent_child', 'partner', 'environment'],
  riskInstruments: ['CARE-NL', 'ARIJ', 'B-SAFER', 'Static-99', 'Stable', 'Acute'],
} as const;

/** Agenda item kinds a chair can add or pick (hub/meeting/agenda.go; not the safety assessment or "restore the 6"). */
export const addableItemKinds = [
  'safety_plan_review',
  'warm_handover',
  'consider_escalation',
  'bottom_lines',
  'safety_agreements',
  'monitoring',
  'escalation',
  'research_plan',
  'risk_assessment',
  'care_plan',
  'recovery_plan',
  'evaluation',
  'future_plan',
  'retire_safety_plan',
  'other',
] as const;
