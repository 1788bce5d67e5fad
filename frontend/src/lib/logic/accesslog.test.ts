import { describe, expect, it } from 'vitest';
import { logLines, roleOf, whatOf } from './accesslog';
import { nl } from '../i18n/nl';
import { en } from '../i18n/en';

describe('the access log in sentences', () => {
  it('words every kind of entry the server records, never as a code', () => {
    const entries: [string, string, string][] = [
      ['read', 'case', 'opende de casus'],
      ['read', 'case/view', 'opende de casus'],
      ['connect', 'live', 'volgde het overleg live'],
      ['score.submit', 'command', 'gaf een cijfer'],
      ['create', 'meeting/m1/join-code', 'liet het grote scherm een nieuwe toegangscode maken'],
      ['read', 'meeting/m1/minutes', 'opende het verslag'],
      ['delete', 'member/abc', 'haalde een professional uit de casus'],
      ['revoke', 'invitation/xyz', 'trok een uitnodiging in'],
      ['list', 'members', 'bekeek wie bij de casus horen'],
      ['something.new', 'thing', 'had toegang tot de casus'],
    ];
    for (const [action, object, want] of entries) {
      const key = whatOf({ action, object });
      expect(nl[key]).toBe(want);
      expect(en[key]).toBeTruthy();
      expect(en[key]).not.toMatch(/[._/]/);
    }
  });

  it('names the role in the case, not the codes the server records', () => {
    expect(roleOf('chair/chair')).toBe('chair');
    expect(roleOf('professional/professional')).toBe('professional');
    expect(roleOf('family')).toBe('family');
    expect(roleOf(undefined)).toBeUndefined();
    expect(logLines([{ at: '', who: 'Vera', role: 'chair/chair', action: 'read', object: 'case' }])[0].role).toBe('chair');
  });

  it('folds like lines of one person in a row, and only in a row', () => {
    const e = (who: string, action: string, object: string, outcome = 'granted') => ({ at: '2026-03-02T10:00:00Z', who, role: 'chair', action, object, outcome });
    const lines = logLines([
      e('Vera', 'read', 'case'),
      e('Vera', 'read', 'case'),
      e('Huib', 'read', 'case'),
      e('Vera', 'read', 'case'),
      e('Vera', 'read', 'case', 'refused'),
    ]);
    expect(lines.map((l) => [l.who, l.what, l.count, l.refused])).toEqual([
      ['Vera', 'log.readCase', 2, false],
      ['Huib', 'log.readCase', 1, false],
      ['Vera', 'log.readCase', 1, false],
      ['Vera', 'log.readCase', 1, true],
    ]);
  });

  it('names a professional by discipline before the name, the chair by role, and falls back to the role', () => {
    const [gp, chair, police, old] = logLines([
      { at: '', who: 'Huib Arts', role: 'professional/professional', discipline: 'huisarts', organisation: 'De Linde', action: 'score.submit', object: 'command' },
      { at: '', who: 'Vera', role: 'chair/chair', discipline: 'casusregisseur', organisation: 'Veilig Thuis', action: 'read', object: 'case' },
      { at: '', who: 'Agent Bos', role: 'professional', discipline: 'politie', action: 'join', object: 'meeting/m1/invitation/x' },
      { at: '', who: 'Jet', role: 'professional/professional', action: 'read', object: 'case' },
    ]);
    expect([gp.title, gp.role, gp.organisation, nl[gp.what]]).toEqual(['Huisarts', undefined, 'De Linde', 'gaf een cijfer']);
    expect([chair.title, chair.role]).toEqual([undefined, 'chair']);
    expect([police.title, police.role]).toEqual(['Politie', undefined]);
    expect([old.title, old.role]).toEqual([undefined, 'professional']);
  });
});
