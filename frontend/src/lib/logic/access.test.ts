import { describe, expect, it } from 'vitest';
import { noAccessKey } from './access';
import { closeRule } from '../ws/codes';

describe('no access', () => {
  const invitee = { id: 'i:x', name: 'Vader', role: 'family' as const, professional: false };
  const pro = { id: 'u:gp', name: 'Huib', role: 'professional' as const, professional: true };

  it('after 4403 an invitee is told to ask the case director for a new link', () => {
    expect(noAccessKey(closeRule(4403).reason, invitee)).toBe('conn.stop.meetingOver');
    // Refused before a welcome: the same plain message, not a loading indicator.
    expect(noAccessKey(closeRule(4403).reason, undefined)).toBe('conn.stop.meetingOver');
  });

  it('a professional whose membership ended is told they lost the case', () => {
    expect(noAccessKey(closeRule(4403).reason, pro)).toBe('conn.stop.forbidden');
  });

  it('other stops are not about access', () => {
    for (const code of [1000, 4400, 4401, 4409]) expect(noAccessKey(closeRule(code).reason, invitee)).toBeUndefined();
    expect(noAccessKey(undefined, invitee)).toBeUndefined();
  });
});
