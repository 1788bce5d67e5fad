// Every command the frontend sends, in one place, so names and payloads can be aligned with the
// server (hub/meeting) in one edit. A builder returns { kind, payload }; the live client adds the
// client-generated command id. Ids of new things (rounds, bottom lines, agreements, …) are made
// here with crypto.randomUUID so a resent command creates nothing twice.

import type { Agreement, Goal, Phase, PlanKind, Role } from './protocol';

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

export interface ScoreInput {
  round: string;
  subject: string;
  /** 0–10, or null when abstaining. */
  value: number | null;
  abstain: boolean;
  meaning: string;
  notHigher: string;
}

export const commands = {
  // Scoring rounds.
  scoreSubmit: (s: ScoreInput) => cmd('score.submit', s),
  roundOpen: (round: string = newId()) => cmd('round.open', { round }),
  roundReveal: (round: string) => cmd('round.reveal', { round }),

  // Agenda.
  agendaOpen: (item: string) => cmd('agenda.open', { item }),
  agendaClose: (item: string) => cmd('agenda.close', { item }),

  // People.
  participantAdmit: (meeting: string, participant: string) => cmd('participant.admit', { meeting, participant }),
  participantRemove: (meeting: string, participant: string) => cmd('participant.remove', { meeting, participant }),
  chairHandOver: (meeting: string, participant: string) => cmd('chair.hand_over', { meeting, participant }),

  // Safety plan.
  bottomLineAdd: (subjects: string[], text: string, id: string = newId()) => cmd('bottomline.add', { id, subjects, text }),
  bottomLineStatus: (bottomLine: string, status: 'open' | 'met' | 'not_met') => cmd('bottomline.status', { bottomLine, status }),
  agreementAdd: (a: {
    plan: PlanKind;
    action: string;
    owner: Agreement['owner'];
    when: string;
    bottomLine?: string;
    goal?: string;
    id?: string;
  }) => cmd('agreement.add', { ...a, id: a.id ?? newId() }),
  agreementTakeOn: (agreement: string) => cmd('agreement.take_on', { agreement }),
  agreementStatus: (agreement: string, status: Agreement['status']) => cmd('agreement.status', { agreement, status }),
  monitoringAdd: (m: { date: string; by: string; planNeeded: boolean; howItWorked: string; concerns: string; id?: string }) =>
    cmd('monitoring.add', { ...m, id: m.id ?? newId() }),
  escalationAdd: (e: { kind: string; decision: string; reason: string; who: string; when: string; id?: string }) =>
    cmd('escalation.add', { ...e, id: e.id ?? newId() }),
  researchAdd: (r: { part: string; chain: string; notes: string; id?: string }) => cmd('research.add', { ...r, id: r.id ?? newId() }),

  // Risk assessment, care and recovery plans, future plan.
  riskFactorAdd: (r: { text: string; category: string; dynamic: boolean; priority: number; instrument?: string; id?: string }) =>
    cmd('riskfactor.add', { ...r, id: r.id ?? newId() }),
  goalAdd: (g: { plan: Goal['plan']; member?: string; text: string; priority: number; riskFactors: string[]; id?: string }) =>
    cmd('goal.add', { ...g, id: g.id ?? newId() }),
  goalEvaluate: (goal: string, evaluation: NonNullable<Goal['evaluation']>) => cmd('goal.evaluate', { goal, evaluation }),
  futureAdd: (f: { warningSign: string; action: string; contact: string; id?: string }) => cmd('future.add', { ...f, id: f.id ?? newId() }),
  factAdd: (text: string, id: string = newId()) => cmd('fact.add', { id, text }),
  decisionAdd: (text: string, id: string = newId()) => cmd('decision.add', { id, text }),

  // Case and meeting.
  phaseSet: (phase: Phase) => cmd('case.phase', { phase }),
  safetyPlanRetire: () => cmd('safetyplan.retire', {}),
  meetingClose: (meeting: string, nextAt?: string) => cmd('meeting.close', nextAt ? { meeting, nextAt } : { meeting }),
} as const;

/** The roles the chair can invite. */
export const invitableRoles: Role[] = ['professional', 'family', 'network', 'observer'];
