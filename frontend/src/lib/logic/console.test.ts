import { describe, expect, it } from 'vitest';
import type { AgendaItem, MeetingView, RoundView } from '../protocol';
import { formsOf, locksOnce, nextItem, roundStep } from './console';

const item = (id: string, status: AgendaItem['status'], locked = false, nl = 'Eerst de veiligheidstaxatie.'): AgendaItem => ({
  id, title: id, kind: 'other', section: 'care', status, locked,
  lock: locked ? { rule: 'assessment_first', message: { nl, en: 'Safety assessment first.' }, subjects: [] } : undefined,
});
const round = (r: Partial<RoundView>): RoundView => ({ id: 'm1-r1', number: 1, status: 'open', submitted: [], pending: [], ...r });
const meeting = (m: Partial<MeetingView>): MeetingView => ({
  id: 'm1', title: 'Overleg', at: '', status: 'in_progress', chair: 'u:vt', familyAdvisory: false, participants: [], agenda: [], rounds: [], ...m,
});

describe('the chair console', () => {
  it('opens the forms of the agenda item, with the plan an agreement goes to', () => {
    expect(formsOf('bottom_lines').forms).toEqual(['bl']);
    expect(formsOf('safety_agreements')).toEqual({ forms: ['ag', 'bl'], plan: 'safety' });
    expect(formsOf('recovery_plan')).toEqual({ forms: ['go', 'ag'], plan: 'recovery' });
    expect(formsOf('safety_assessment').forms).toEqual([]);
    expect(formsOf('something new').forms).toEqual(['de', 'fa']);
  });

  it('offers as next item the first one after the open one that is neither closed nor locked', () => {
    const agenda = [item('a0', 'closed'), item('a1', 'open'), item('a2', 'pending', true), item('a3', 'closed'), item('a4', 'suspended')];
    expect(nextItem(agenda)?.id).toBe('a4');
    expect(nextItem([item('a0', 'pending'), item('a1', 'pending')])?.id).toBe('a0');
    expect(nextItem([item('a0', 'open'), item('a1', 'closed')])).toBeUndefined();
  });

  it('asks the chair to reveal a complete round instead of revealing it', () => {
    expect(roundStep(meeting({ status: 'scheduled' }))).toEqual({ kind: 'start' });
    expect(roundStep(meeting({}))).toEqual({ kind: 'open', n: 1 });
    const waiting = roundStep(meeting({ rounds: [round({ submitted: ['u:vt'], pending: ['u:ha'] })] }));
    expect(waiting.kind === 'reveal' && waiting.complete).toBe(false);
    const complete = roundStep(meeting({ rounds: [round({ submitted: ['u:vt', 'u:ha'], complete: true })] }));
    expect(complete.kind === 'reveal' && complete.complete).toBe(true);
    expect(roundStep(meeting({ rounds: [round({ status: 'revealed' })] }))).toEqual({ kind: 'open', n: 2 });
    expect(roundStep(meeting({ status: 'closed' }))).toEqual({ kind: 'closed' });
  });

  it('shows each lock sentence once, with the number of items it locks', () => {
    const agenda = [item('a0', 'open'), item('a1', 'pending', true), item('a2', 'pending', true), item('a3', 'pending', true, 'Bodemeisen niet behaald.')];
    expect(locksOnce(agenda).map((l) => [l.message?.nl, l.count])).toEqual([['Eerst de veiligheidstaxatie.', 2], ['Bodemeisen niet behaald.', 1]]);
    const low = { ...item('a4', 'pending', true), lock: { rule: 'direct_safety' as const, message: { nl: 'Geen 6.', en: 'No 6.' }, subjects: [{ id: 'janna', name: 'Janna', min: 3 }] } };
    expect(locksOnce([low, { ...low, id: 'a5' }])).toEqual([{ message: { nl: 'Geen 6.', en: 'No 6.' }, rule: 'direct_safety', count: 2, subjects: [{ id: 'janna', name: 'Janna', min: 3 }] }]);
  });
});
