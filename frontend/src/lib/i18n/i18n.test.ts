import { describe, expect, it } from 'vitest';
import { nl } from './nl';
import { en } from './en';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('English has exactly the Dutch keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nl).sort());
  });

  it('no text is empty', () => {
    for (const [lang, table] of Object.entries({ nl, en })) {
      for (const [k, v] of Object.entries(table)) expect(v.trim(), `${lang} ${k}`).not.toBe('');
    }
  });

  it('both languages use the same placeholders', () => {
    for (const k of Object.keys(nl) as (keyof typeof nl)[]) {
      expect(placeholders(en[k]), k).toEqual(placeholders(nl[k]));
    }
  });

  it('plural keys come in pairs', () => {
    const keys = Object.keys(nl);
    for (const k of keys.filter((x) => x.endsWith('.one'))) expect(keys).toContain(k.replace(/\.one$/, '.other'));
  });

  it('the roles, sections and statuses of the protocol all have a text', () => {
    const needed = [
      ...['chair', 'professional', 'family', 'network', 'observer'].map((r) => `role.${r}`),
      ...['safety', 'care', 'recovery', 'evaluation', 'future', 'other'].map((s) => `section.${s}`),
      ...['pending', 'open', 'closed', 'suspended'].map((s) => `agendaStatus.${s}`),
      ...['assessment_first', 'direct_safety', 'stable_safety'].map((s) => `lockRule.${s}`),
      ...[1, 2, 3, 4, 5].map((p) => `phase.${p}`),
    ];
    for (const k of needed) expect(Object.keys(nl), k).toContain(k);
  });
});
