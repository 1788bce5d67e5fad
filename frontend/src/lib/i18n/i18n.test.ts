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
      ...['assessment_first', 'direct_safety', 'bottom_lines', 'stable_safety'].map((s) => `lockRule.${s}`),
      ...[1, 2, 3, 4, 5].map((p) => `phase.${p}`),
    ];
    for (const k of needed) expect(Object.keys(nl), k).toContain(k);
  });

  // One vocabulary, the paper's (issue 15): each Dutch term is used and spelled one way only.
  // Every text of nl.ts is searched for the spellings and words the paper does not use.
  const vocabulary: { term: string; not: RegExp[] }[] = [
    { term: 'veiligheidstaxatie', not: [/veiligheidsinschatting/i, /veiligheids-taxatie/i, /veiligheidsbeoordeling/i] },
    { term: 'casusregisseur', not: [/casus-regisseur/i, /casus regisseur/i, /case ?regisseur/i, /zaakregisseur/i] },
    { term: 'noodverband', not: [/nood-verband/i, /nood verband/i, /veiligheidsplan afsluiten/i, /veiligheidsplan is afgesloten/i] },
    { term: 'bodemeis', not: [/bodem-eis/i, /bodem eis/i, /minimumeis/i] },
    { term: 'directe veiligheid', not: [/directe-veiligheid/i, /acute veiligheid/i, /onmiddellijke veiligheid/i] },
    { term: 'stabiele veiligheid', not: [/stabiele-veiligheid/i, /duurzame veiligheid/i, /blijvende veiligheid/i] },
    { term: 'risicogestuurde zorg', not: [/risico-gestuurde/i, /risico gestuurde/i] },
    { term: 'terugval', not: [/terug-val/i, /recidive/i] },
    { term: 'warme overdracht', not: [/warme-overdracht/i, /warm overdragen/i] },
    { term: 'opschal', not: [/escalatie/i, /escaleren/i] },
  ];

  it('uses each term of the paper, spelled one way', () => {
    const texts = Object.entries(nl);
    for (const { term, not } of vocabulary) {
      expect(texts.some(([, v]) => v.toLowerCase().includes(term)), `"${term}" is not used in nl.ts`).toBe(true);
      for (const [k, v] of texts) {
        for (const bad of not) expect(v, `${k} spells "${term}" another way`).not.toMatch(bad);
      }
    }
  });

  it('gives the scale its ends in the paper\'s words', () => {
    expect(nl['score.low']).toBe('0 = signalen van direct gevaar en grote onveiligheid');
    expect(nl['score.high']).toBe('10 = de veiligheid is gegarandeerd');
  });
});
