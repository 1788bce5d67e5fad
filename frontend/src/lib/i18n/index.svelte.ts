// Translations: Dutch by default, English selectable; the choice is remembered (localStorage).
import type { Msg } from '../protocol';
import { nl, type Key } from './nl';
import { en } from './en';

export type Lang = 'nl' | 'en';
export type { Key };

const tables: Record<Lang, Record<Key, string>> = { nl, en };

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem('tafel.lang');
    if (saved === 'en' || saved === 'nl') return saved;
  } catch {
    // no storage
  }
  return 'nl';
}

/** Replaces {name} placeholders. */
export function format(s: string, vars?: Record<string, string | number>): string {
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

class I18n {
  lang = $state<Lang>(typeof window === 'undefined' ? 'nl' : initialLang());

  set(lang: Lang): void {
    this.lang = lang;
    try {
      localStorage.setItem('tafel.lang', lang);
    } catch {
      // no storage
    }
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  }

  /**
   * Shows lang in this tab only, without remembering it: the shared screen in the language the
   * chair set for it (the chair's own tabs in the same browser keep theirs).
   */
  show(lang: Lang): void {
    this.lang = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  }

  /** The language this browser chose (remembered), as against one shown for a meeting. */
  own(): Lang {
    return initialLang();
  }
}

export const i18n = new I18n();

// Every open Tafel tab of the browser follows a language change live (the shared screen too).
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === 'tafel.lang' && (e.newValue === 'nl' || e.newValue === 'en') && e.newValue !== i18n.lang) i18n.set(e.newValue);
  });
  document.documentElement.lang = i18n.lang;
}

/** The text of a key in the current language. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  return format(tables[i18n.lang][key] ?? nl[key] ?? key, vars);
}

/** Text for a value the server may extend (roles, kinds, categories): falls back to the value. */
export function tk(prefix: string, value: string | undefined | null): string {
  if (!value) return '';
  const key = `${prefix}.${value}` as Key;
  const s = tables[i18n.lang][key];
  return s ?? value.replace(/_/g, ' ');
}

/** A server message in the current language. */
export function msg(m: Msg | undefined | null): string {
  if (!m) return '';
  return (i18n.lang === 'en' ? m.en : m.nl) || m.nl || m.en || '';
}

/** Plural helper: picks key `${base}.one` or `${base}.other`. */
export function tn(base: string, n: number, vars?: Record<string, string | number>): string {
  const key = `${base}.${n === 1 ? 'one' : 'other'}` as Key;
  return t(key, { n, ...vars });
}

/**
 * An agenda item's title in the current language: the server writes default titles in Dutch,
 * so a default title is translated by its kind; a title the chair typed is shown as is.
 */
export function itemTitle(item: { title: string; kind: string }): string {
  // The safety assessment has no title of its own: cases from before one vocabulary stored
  // "Veiligheidsinschatting" with it; it is always the veiligheidstaxatie.
  if (item.kind === 'safety_assessment') return tables[i18n.lang]['kind.safety_assessment'];
  if (i18n.lang === 'nl') return item.title;
  const key = `kind.${item.kind}` as Key;
  return nl[key] !== undefined && nl[key] === item.title ? tables[i18n.lang][key] : item.title;
}
