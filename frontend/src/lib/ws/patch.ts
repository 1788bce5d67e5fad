// Applies the JSON Patches (RFC 6902) of `update` frames to the view the client holds.
// The hub (hub/jsonpatch) emits only add, remove and replace; arrays are indexed by position.
// The result shares every untouched part with the input, which is never changed.

import type { PatchOp } from '../protocol';

/** A patch that does not fit the document it is applied to. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function index(token: string, length: number, allowEnd: boolean): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`bad array index "${token}"`);
  const i = Number(token);
  if (i > length || (i === length && !allowEnd)) throw new PatchError(`array index ${i} out of range`);
  return i;
}

function applyAt(node: unknown, tokens: string[], op: PatchOp): unknown {
  const [token, ...rest] = tokens;
  const last = rest.length === 0;
  if (Array.isArray(node)) {
    const i = index(token, node.length, last && op.op === 'add');
    const out = node.slice();
    if (!last) {
      out[i] = applyAt(node[i], rest, op);
    } else if (op.op === 'add') {
      out.splice(i, 0, op.value);
    } else if (op.op === 'remove') {
      out.splice(i, 1);
    } else {
      out[i] = op.value;
    }
    return out;
  }
  if (isObject(node)) {
    const has = Object.prototype.hasOwnProperty.call(node, token);
    if (!last) {
      if (!has) throw new PatchError(`no member "${token}"`);
      return { ...node, [token]: applyAt(node[token], rest, op) };
    }
    if (op.op !== 'add' && !has) throw new PatchError(`no member "${token}" to ${op.op}`);
    if (op.op === 'remove') {
      const out = { ...node };
      delete out[token];
      return out;
    }
    return { ...node, [token]: op.value };
  }
  throw new PatchError(`"${token}" is not inside an object or array`);
}

/** Returns `doc` with `ops` applied; throws PatchError when an operation does not fit. */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  let out: unknown = doc;
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
      throw new PatchError(`unknown operation "${String((op as { op: unknown }).op)}"`);
    }
    if (op.path === '') {
      if (op.op === 'remove') throw new PatchError('cannot remove the whole document');
      out = op.value;
      continue;
    }
    if (!op.path.startsWith('/')) throw new PatchError(`path "${op.path}" does not start with /`);
    out = applyAt(out, op.path.slice(1).split('/').map(unescape), op);
  }
  return out as T;
}
