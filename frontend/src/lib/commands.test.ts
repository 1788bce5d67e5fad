import { describe, expect, it } from 'vitest';
import { commands } from './commands';

describe('commands', () => {
  it('have the kinds and payloads the server expects', () => {
    expect(commands.scoreSubmit({ round: 'r1', subject: 'janna', value: 4, abstain: false, meaning: 'm', notHigher: 'n' })).toEqual({
      kind: 'score.submit',
      payload: { round: 'r1', subject: 'janna', value: 4, abstain: false, meaning: 'm', notHigher: 'n' },
    });
    expect(commands.roundOpen('r2')).toEqual({ kind: 'round.open', payload: { round: 'r2' } });
    expect(commands.roundReveal('r2')).toEqual({ kind: 'round.reveal', payload: { round: 'r2' } });
    expect(commands.agendaOpen('a1')).toEqual({ kind: 'agenda.open', payload: { item: 'a1' } });
    expect(commands.agendaClose('a1')).toEqual({ kind: 'agenda.close', payload: { item: 'a1' } });
    expect(commands.participantAdmit('m1', 'p1')).toEqual({ kind: 'participant.admit', payload: { meeting: 'm1', participant: 'p1' } });
    expect(commands.bottomLineAdd(['janna'], 'tekst', 'b1')).toEqual({ kind: 'bottomline.add', payload: { id: 'b1', subjects: ['janna'], text: 'tekst' } });
    expect(commands.agreementTakeOn('g1')).toEqual({ kind: 'agreement.take_on', payload: { agreement: 'g1' } });
    expect(commands.meetingClose('m1')).toEqual({ kind: 'meeting.close', payload: { meeting: 'm1' } });
  });

  it('give new things a fresh id unless one is passed', () => {
    const a = commands.agreementAdd({ plan: 'safety', action: 'x', owner: { name: 'Ilse' }, when: 'nu' });
    const b = commands.agreementAdd({ plan: 'safety', action: 'x', owner: { name: 'Ilse' }, when: 'nu' });
    expect(a.payload.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.payload.id).not.toBe(b.payload.id);
    expect(commands.roundOpen().payload.round).toMatch(/^[0-9a-f-]{36}$/);
    expect(commands.goalAdd({ plan: 'care', text: 't', priority: 1, riskFactors: [], id: 'goal1' }).payload.id).toBe('goal1');
  });
});
