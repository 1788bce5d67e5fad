import { describe, expect, it } from 'vitest';
import { commands } from './commands';

describe('commands', () => {
  it('have the kinds and payloads the server expects', () => {
    expect(commands.scoreSubmit({ round: 'r1', subject: 'janna', value: 4, abstain: false, meaning: 'm', notHigher: 'n' })).toEqual({
      kind: 'score.submit',
      payload: { round: 'r1', subject: 'janna', value: 4, abstain: false, meaning: 'm', notHigher: 'n' },
    });
    expect(commands.roundOpen('m1')).toEqual({ kind: 'round.open', payload: { meeting: 'm1' } });
    expect(commands.roundReveal('r2')).toEqual({ kind: 'round.reveal', payload: { round: 'r2' } });
    expect(commands.agendaOpen('m1', 'a1')).toEqual({ kind: 'agenda.open', payload: { meeting: 'm1', item: 'a1' } });
    expect(commands.agendaClose('m1', 'a1')).toEqual({ kind: 'agenda.close', payload: { meeting: 'm1', item: 'a1' } });
    expect(commands.agendaAdd('m1', 'care_plan', '', 'a9')).toEqual({ kind: 'agenda.add', payload: { meeting: 'm1', id: 'a9', kind: 'care_plan', title: '' } });
    expect(commands.agendaMove('m1', 'a2', 3)).toEqual({ kind: 'agenda.move', payload: { meeting: 'm1', item: 'a2', position: 3 } });
    expect(commands.participantSetRole('m1', 'p1', 'observer')).toEqual({ kind: 'participant.set_role', payload: { meeting: 'm1', participant: 'p1', role: 'observer' } });
    expect(commands.participantJoin('m1')).toEqual({ kind: 'participant.join', payload: { meeting: 'm1' } });
    expect(commands.meetingStart('m1')).toEqual({ kind: 'meeting.start', payload: { meeting: 'm1' } });
    expect(commands.bottomLineStatus('b1', 'met')).toEqual({ kind: 'bottomline.set_status', payload: { id: 'b1', status: 'met' } });
    expect(commands.agreementStatus('g1', 'done')).toEqual({ kind: 'agreement.set_status', payload: { id: 'g1', status: 'done' } });
    expect(commands.goalEvaluate('goal1', 'achieved')).toEqual({ kind: 'goal.evaluate', payload: { id: 'goal1', outcome: 'achieved' } });
    expect(commands.decisionRecord('d', 'd1')).toEqual({ kind: 'decision.record', payload: { id: 'd1', text: 'd' } });
    expect(commands.phaseSet(2)).toEqual({ kind: 'case.set_phase', payload: { phase: 2 } });
    expect(commands.planConfirm('m1')).toEqual({ kind: 'plan.confirm', payload: { meeting: 'm1' } });
    expect(commands.participantAdmit('m1', 'p1')).toEqual({ kind: 'participant.admit', payload: { meeting: 'm1', participant: 'p1' } });
    expect(commands.caseClose('klaar')).toEqual({ kind: 'case.close', payload: { reason: 'klaar' } });
    expect(commands.caseClose('klaar', 2025)).toEqual({ kind: 'case.close', payload: { reason: 'klaar', youngestBirthYear: 2025 } });
    expect(commands.entryCorrect({ kind: 'agreement', entry: 'a2' }, 'nieuw', 'fout')).toEqual({
      kind: 'entry.correct',
      payload: { kind: 'agreement', entry: 'a2', text: 'nieuw', reason: 'fout' },
    });
    expect(commands.statementAdd({ kind: 'agreement', entry: 'a2' }, 'moeder', 'oneens', 'st1')).toEqual({
      kind: 'statement.add',
      payload: { id: 'st1', kind: 'agreement', entry: 'a2', person: 'moeder', text: 'oneens' },
    });
    expect(commands.bottomLineAdd(['janna'], 'tekst', {}, 'b1')).toEqual({ kind: 'bottomline.add', payload: { id: 'b1', subjects: ['janna'], text: 'tekst' } });
    expect(commands.agreementTakeOn('g1')).toEqual({ kind: 'agreement.take_on', payload: { id: 'g1' } });
    // Optional fields that are not set are left out (the server refuses unknown, not absent, fields).
    expect(commands.riskFactorAdd({ id: 'rf1', text: 't', category: 'partner', dynamic: true, priority: 1 })).toEqual({
      kind: 'risk.add',
      payload: { id: 'rf1', text: 't', category: 'partner', dynamic: true, priority: 1 },
    });
    expect(commands.agreementAdd({ id: 'g9', plan: 'care', action: 'a', owner: { name: 'Ilse', participant: undefined }, when: 'w' }).payload).toEqual({
      id: 'g9', plan: 'care', action: 'a', owner: { name: 'Ilse' }, when: 'w',
    });
    expect(commands.meetingClose('m1')).toEqual({ kind: 'meeting.close', payload: { meeting: 'm1' } });
  });

  it('build the living plan\'s commands (hub/meeting: revise, withdraw, gate reason, monitoring, director)', () => {
    expect(commands.gateReason('m2', 'Janna is veilig.')).toEqual({ kind: 'gate.record_reason', payload: { meeting: 'm2', reason: 'Janna is veilig.' } });
    expect(commands.bottomLineRevise('b1', ['janna'], 't')).toEqual({ kind: 'bottomline.revise', payload: { id: 'b1', subjects: ['janna'], text: 't' } });
    expect(commands.agreementRevise({ id: 'g1', action: 'a', owner: { name: 'Ouders' }, when: 'w' })).toEqual({
      kind: 'agreement.revise',
      payload: { id: 'g1', action: 'a', owner: { name: 'Ouders' }, when: 'w', bottomLine: '', goal: '' },
    });
    expect(commands.planWithdraw('agreement', 'g1', 'Klaar.')).toEqual({ kind: 'plan.withdraw', payload: { entry: 'agreement', id: 'g1', reason: 'Klaar.' } });
    expect(commands.familyAdvisory('m1', true, 'Reden')).toEqual({ kind: 'meeting.set_family_advisory', payload: { meeting: 'm1', advisory: true, reason: 'Reden' } });
    expect(commands.familyAdvisory('m1', false, 'Reden')).toEqual({ kind: 'meeting.set_family_advisory', payload: { meeting: 'm1', advisory: false } });
    expect(commands.autoReveal('m1', true)).toEqual({ kind: 'meeting.set_auto_reveal', payload: { meeting: 'm1', autoReveal: true } });
    expect(commands.monitoringAdd({ id: 'mo1', date: '2026-12-03', by: '', planNeeded: false, howItWorked: '', concerns: '', task: 'mt1' }).payload).toEqual({
      id: 'mo1', date: '2026-12-03', by: '', planNeeded: false, howItWorked: '', concerns: '', task: 'mt1',
    });
    expect(commands.monitoringPlan({ id: 'mt1', what: 'Contact met moeder', schedule: { start: '2026-12-01', every: 7 } })).toEqual({
      kind: 'monitoring.plan',
      payload: { id: 'mt1', what: 'Contact met moeder', schedule: { start: '2026-12-01', every: 7 } },
    });
    expect(commands.directorContact('030-1234567')).toEqual({ kind: 'case.set_director_contact', payload: { phone: '030-1234567' } });
  });

  it('carry "niet zichtbaar voor", the person of an admission and professionals-only explanations', () => {
    const w = { hiddenFrom: ['vader'], hiddenReason: 'Moeder stemt nog niet in.' };
    expect(commands.bottomLineAdd(['moeder'], 't', w, 'b2').payload).toEqual({ id: 'b2', subjects: ['moeder'], text: 't', ...w });
    expect(commands.agreementAdd({ id: 'a1', plan: 'safety', action: 'a', owner: { name: 'Moeder' }, when: '', ...w }).payload).toEqual({
      id: 'a1', plan: 'safety', action: 'a', owner: { name: 'Moeder' }, when: '', ...w,
    });
    expect(commands.monitoringAdd({ id: 'mo1', date: '2026-12-05', by: 'Vera', planNeeded: false, howItWorked: '', concerns: '', hiddenFrom: ['vader'] }).payload)
      .toEqual({ id: 'mo1', date: '2026-12-05', by: 'Vera', planNeeded: false, howItWorked: '', concerns: '', hiddenFrom: ['vader'] });
    expect(commands.riskFactorAdd({ id: 'rf1', text: 't', category: 'partner', dynamic: true, priority: 1, ...w }).payload).toMatchObject(w);
    expect(commands.goalAdd({ id: 'g1', plan: 'care', text: 't', priority: 1, riskFactors: [], ...w }).payload).toMatchObject(w);
    expect(commands.futureAdd({ id: 'f1', warningSign: 's', action: 'a', contact: 'c', ...w }).payload).toEqual({ id: 'f1', warningSign: 's', action: 'a', contact: 'c', ...w });
    expect(commands.factAdd('f', false, w, 'fa1').payload).toEqual({ id: 'fa1', text: 'f', professionalsOnly: false, ...w });
    // Nothing withheld: the fields are left out.
    expect(Object.keys(commands.futureAdd({ id: 'f2', warningSign: 's', action: '', contact: '' }).payload).sort()).toEqual(['action', 'contact', 'id', 'warningSign']);
    expect(commands.participantAdmit('m1', 'i:x', 'vader')).toEqual({ kind: 'participant.admit', payload: { meeting: 'm1', participant: 'i:x', person: 'vader' } });
    expect(commands.participantAdmit('m1', 'i:x', '')).toEqual({ kind: 'participant.admit', payload: { meeting: 'm1', participant: 'i:x' } });
    const s = { round: 'r1', subject: 'moeder', value: 3, abstain: false, meaning: 'm', notHigher: 'n' };
    expect(commands.scoreSubmit({ ...s, professionalsOnly: true }).payload).toEqual({ ...s, professionalsOnly: true });
    expect(commands.scoreSubmit({ ...s, professionalsOnly: false }).payload).toEqual(s);
  });

  it('give new things a fresh id unless one is passed', () => {
    const a = commands.agreementAdd({ plan: 'safety', action: 'x', owner: { name: 'Ilse' }, when: 'nu' });
    const b = commands.agreementAdd({ plan: 'safety', action: 'x', owner: { name: 'Ilse' }, when: 'nu' });
    expect(a.payload.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.payload.id).not.toBe(b.payload.id);
    expect(commands.meetingSchedule({ title: 'Overleg 2', at: '2026-06-01T08:00:00Z' }).payload.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(commands.goalAdd({ plan: 'care', text: 't', priority: 1, riskFactors: [], id: 'goal1' }).payload.id).toBe('goal1');
  });
});
