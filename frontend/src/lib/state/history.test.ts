import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaseHistory } from './history.svelte';
import { janna } from '../../fixtures/janna';
import type { CaseView } from '../protocol';

afterEach(() => {
  vi.unstubAllGlobals();
});

const fact = (id: string) => ({ id, text: id, by: 'x', professionalsOnly: false });

describe('CaseHistory', () => {
  it('reads older pages from the live view\'s cursor on, and keeps what leaves the live view', async () => {
    const urls: string[] = [];
    const pages: Record<string, unknown> = {
      '/api/cases/janna/history/facts?before=3&limit=20': { list: 'facts', facts: [fact('f1'), fact('f2')], before: 1 },
      '/api/cases/janna/history/facts?before=1&limit=20': { list: 'facts', facts: [fact('f0')], before: 0 },
    };
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify(pages[url] ?? { list: 'x', before: 0 }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    const earlier = { meetings: 0, monitoring: 0, facts: 3, decisions: 0, confirmations: 0 };
    const v1: CaseView = { ...janna, plans: { ...janna.plans, facts: [fact('f3'), fact('f4')] }, earlier };
    const h = new CaseHistory('janna');
    h.note(v1);
    expect(h.hasOlder(['facts'])).toBe(true);
    expect(h.hasOlder(['meetings'])).toBe(false);
    await h.more(['facts']);
    expect(h.complete(v1).plans.facts.map((f) => f.id)).toEqual(['f1', 'f2', 'f3', 'f4']);
    // The live window moves on: f3 leaves it, f5 comes; nothing falls between.
    const v2: CaseView = { ...v1, plans: { ...v1.plans, facts: [fact('f4'), fact('f5')] }, earlier: { ...earlier, facts: 4 } };
    h.note(v2);
    expect(h.complete(v2).plans.facts.map((f) => f.id)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    await h.more(['facts', 'meetings']);
    expect(h.complete(v2).plans.facts.map((f) => f.id)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    expect(h.hasOlder(['facts'])).toBe(false);
    expect(urls).toEqual(['/api/cases/janna/history/facts?before=3&limit=20', '/api/cases/janna/history/facts?before=1&limit=20']);
  });

  it('says when a page could not be read, and leaves a view without cursors as it is', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ code: 'forbidden', message: { nl: 'Nee', en: 'No' } }), { status: 403, headers: { 'Content-Type': 'application/json' } }));
    const h = new CaseHistory('janna');
    expect(h.complete(janna)).toBe(janna);
    h.note({ ...janna, earlier: { meetings: 2, monitoring: 0, facts: 0, decisions: 0, confirmations: 0 } });
    await h.more(['meetings']);
    expect(h.failed).toEqual({ nl: 'Nee', en: 'No' });
    expect(h.hasOlder(['meetings'])).toBe(true);
  });
});
