// Makes a CaseView from the wire safe to render: every array the views iterate is present
// (a Go nil slice arrives as null), and numbers that should be numbers are. Unknown kinds,
// sections and statuses pass through untouched; the views show them as they come.

import type { CaseView, MeetingView, Plans, RoundView } from '../protocol';

const arr = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);

function round(r: RoundView): RoundView {
  return {
    ...r,
    submitted: arr(r.submitted),
    pending: arr(r.pending),
    ...(r.missing !== undefined ? { missing: arr(r.missing) } : {}),
    ...(r.scores !== undefined ? { scores: arr(r.scores) } : {}),
    ...(r.results !== undefined ? { results: arr(r.results) } : {}),
  };
}

function meeting(m: MeetingView): MeetingView {
  return {
    ...m,
    participants: arr(m.participants),
    agenda: arr(m.agenda).map((a) => (a.lock ? { ...a, lock: { ...a.lock, subjects: arr(a.lock.subjects) } } : a)),
    rounds: arr(m.rounds).map(round),
  };
}

function plans(p: Partial<Plans> | null | undefined): Plans {
  const q = p ?? {};
  return {
    bottomLines: arr(q.bottomLines).map((b) => ({ ...b, subjects: arr(b.subjects) })),
    agreements: arr(q.agreements).map((a) => ({ ...a, owner: a.owner ?? { name: '' } })),
    monitoring: arr(q.monitoring),
    escalations: arr(q.escalations),
    research: arr(q.research),
    riskFactors: arr(q.riskFactors),
    goals: arr(q.goals).map((g) => ({ ...g, riskFactors: arr(g.riskFactors) })),
    future: arr(q.future),
    facts: arr(q.facts),
    decisions: arr(q.decisions),
    confirmations: arr(q.confirmations),
  };
}

/** A CaseView with every array present. */
export function normalizeView(v: CaseView): CaseView {
  const c = v.case;
  return {
    ...v,
    case: {
      ...c,
      subjects: arr(c?.subjects),
      family: arr(c?.family),
      policy: c?.policy ?? { quorum: 2, stableMeetings: 3, stableDays: 28 },
    },
    safety: { ...v.safety, lowest: arr(v.safety?.lowest), streak: v.safety?.streak ?? 0 },
    meetings: arr(v.meetings).map((m) => (m.final !== undefined ? { ...m, final: arr(m.final) } : m)),
    ...(v.current ? { current: meeting(v.current) } : {}),
    plans: plans(v.plans),
  };
}
