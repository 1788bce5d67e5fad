import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyPatch, PatchError } from './patch';
import type { PatchOp } from '../protocol';

// Cases made by the hub's Go diff (hub/jsonpatch/testdata/vectors.json, kept true by its
// TestVectors): what the browser does with a patch must give exactly the hub's new view.
const vectors = JSON.parse(
  readFileSync(new URL('../../../../hub/jsonpatch/testdata/vectors.json', import.meta.url), 'utf8'),
) as { a: unknown; b: unknown; ops: PatchOp[] | null }[];

describe('applyPatch', () => {
  it('turns every document of the hub vectors into the hub result', () => {
    expect(vectors.length).toBeGreaterThan(300);
    for (const v of vectors) {
      const before = JSON.stringify(v.a);
      expect(applyPatch(v.a, v.ops ?? [])).toEqual(v.b);
      expect(JSON.stringify(v.a)).toBe(before); // the input is never changed
    }
  });

  it('shares what it does not touch', () => {
    const doc = { a: { x: [1, 2] }, b: { y: 1 } };
    const out = applyPatch(doc, [{ op: 'replace', path: '/a/x/1', value: 3 }]);
    expect(out).toEqual({ a: { x: [1, 3] }, b: { y: 1 } });
    expect(out.b).toBe(doc.b);
    expect(doc.a.x).toEqual([1, 2]);
  });

  it('refuses what does not fit', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    const bad: PatchOp[] = [
      { op: 'replace', path: '/x', value: 1 },
      { op: 'remove', path: '/x' },
      { op: 'replace', path: '/a/5', value: 1 },
      { op: 'add', path: '/a/3', value: 1 },
      { op: 'add', path: '/a/01', value: 1 },
      { op: 'add', path: '/x/y', value: 1 },
      { op: 'remove', path: '' },
      { op: 'add', path: 'a', value: 1 },
      { op: 'add', path: '/b/c/d', value: 1 },
      { op: 'move', path: '/a' } as unknown as PatchOp,
    ];
    for (const op of bad) expect(() => applyPatch(doc, [op]), JSON.stringify(op)).toThrow(PatchError);
  });
});
