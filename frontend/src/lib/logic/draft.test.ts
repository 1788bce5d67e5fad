import { describe, expect, it } from 'vitest';
import { isComplete, loadDraft, saveDraft } from './draft';

class Mem implements Storage {
  m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  clear() {
    this.m.clear();
  }
}

describe('score draft', () => {
  it('is complete with a value, its meaning and why not higher; abstaining is complete', () => {
    expect(isComplete({ choice: null, meaning: 'x', notHigher: 'y', professionalsOnly: false })).toBe(false);
    expect(isComplete({ choice: 7, meaning: 'x', notHigher: '', professionalsOnly: false })).toBe(false);
    expect(isComplete({ choice: 7, meaning: 'x', notHigher: 'y', professionalsOnly: false })).toBe(true);
    expect(isComplete({ choice: 10, meaning: 'x', notHigher: '', professionalsOnly: false })).toBe(true);
    expect(isComplete({ choice: 'abstain', meaning: '', notHigher: '', professionalsOnly: false })).toBe(true);
  });
  it('survives a reload and keeps only the latest round of a case', () => {
    const s = new Mem();
    saveDraft('c', 'r1', { janna: { choice: 7, meaning: 'm', notHigher: 'n', professionalsOnly: false } }, s);
    expect(loadDraft('c', 'r1', s)?.janna.choice).toBe(7);
    saveDraft('c', 'r2', {}, s);
    expect(loadDraft('c', 'r1', s)).toBeUndefined();
    s.setItem('tafel.draft.c.r3', '[1]');
    expect(loadDraft('c', 'r3', s)).toBeUndefined();
  });
});
