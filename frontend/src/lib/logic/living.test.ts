import { describe, expect, it } from 'vitest';
import { confirmation, dayText, directorLine, directorOf, dueText, heldOrPlanned, isDirector, scheduleText, sortDue, today } from './living';
import { janna, jannaHistory, jannaMeeting2 } from '../../fixtures/janna';
import type { DueItem } from '../protocol';

const item = (days: number, what = 'Contact met moeder'): DueItem => ({ kind: 'task', id: `t${days}`, what, owner: { name: 'Eva' }, due: '2026-03-16', days, overdue: days > 0 });

describe('the living plan in the views', () => {
  it('names the case director with organisation and phone', () => {
    expect(directorLine(directorOf(janna))).toBe('Eva Jansen, Veilig Thuis, tel. 030-123 45 67');
    expect(isDirector(janna, 'p-eva')).toBe(true);
    expect(isDirector(jannaHistory, 'p-eva')).toBe(false);
    expect(directorOf(jannaHistory)?.name).toBe('Ahmed El Amrani');
  });

  it('says how late a check is: "Contact met moeder: 3 dagen te laat"', () => {
    expect(dueText(item(3))).toBe('Contact met moeder: 3 dagen te laat');
    expect(dueText(item(1))).toBe('Contact met moeder: 1 dag te laat');
    expect(dueText(item(0))).toBe('Contact met moeder: vandaag');
    expect(dueText(item(-2))).toBe('Contact met moeder: over 2 dagen');
    expect(sortDue([item(-2), item(5), item(0)]).map((i) => i.days)).toEqual([5, 0, -2]);
  });

  it('knows when the plan changed since a family member agreed', () => {
    expect(confirmation(jannaMeeting2, 'p-sanne')).toEqual({ confirmed: true, version: 9, changed: true });
    expect(confirmation(jannaMeeting2, 'p-mark')).toEqual({ confirmed: false, version: 0, changed: false });
    const again = { ...jannaMeeting2, plans: { ...jannaMeeting2.plans, confirmations: [...(jannaMeeting2.plans.confirmations ?? []), { participant: 'p-sanne', name: 'Sanne', meeting: 'm2', at: '', version: 10 }] } };
    expect(confirmation(again, 'p-sanne')).toEqual({ confirmed: true, version: 10, changed: false });
  });

  it('shows the day a meeting was held, else the plan', () => {
    expect(heldOrPlanned({ at: '2026-06-01T10:00:00Z', heldAt: '2026-06-01T10:02:00Z' })).toEqual({ at: '2026-06-01T10:02:00Z', held: true });
    expect(heldOrPlanned({ at: '2026-06-01T10:00:00Z' })).toEqual({ at: '2026-06-01T10:00:00Z', held: false });
  });

  it('writes dates and schedules for people', () => {
    expect(dayText('2026-03-09')).toBe('9-3-2026');
    expect(dayText('vorige week')).toBe('vorige week');
    expect(scheduleText({ start: '2026-03-09', every: 7 })).toBe('elke 7 dagen vanaf 9-3-2026');
    expect(scheduleText({ start: '2026-03-09', every: 14, until: '2026-06-01' })).toBe('elke 14 dagen van 9-3-2026 tot 1-6-2026');
    expect(today(new Date(2026, 11, 3, 23, 30))).toBe('2026-12-03');
  });
});
