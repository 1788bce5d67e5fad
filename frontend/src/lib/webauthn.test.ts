import { describe, expect, it } from 'vitest';
import { creationOptions, fromB64url, requestOptions, toB64url } from './webauthn';

describe('webauthn', () => {
  it('round-trips base64url', () => {
    const bytes = new Uint8Array([0, 251, 255, 62, 63, 1]);
    const s = toB64url(bytes);
    expect(s).not.toMatch(/[+/=]/);
    expect(new Uint8Array(fromB64url(s))).toEqual(bytes);
  });
  it('turns the server options into browser arguments', () => {
    const c = creationOptions({ publicKey: { challenge: 'AQID', rp: { id: 'localhost', name: 'Tafel' }, user: { id: 'BAU', name: 'a', displayName: 'A' }, excludeCredentials: [{ type: 'public-key', id: 'Bg' }] } });
    expect(new Uint8Array(c.publicKey!.challenge as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(c.publicKey!.user.id as ArrayBuffer)).toEqual(new Uint8Array([4, 5]));
    expect(new Uint8Array(c.publicKey!.excludeCredentials![0].id as ArrayBuffer)).toEqual(new Uint8Array([6]));
    const r = requestOptions({ publicKey: { challenge: 'AQID', allowCredentials: [{ type: 'public-key', id: 'Bg' }] } });
    expect(new Uint8Array(r.publicKey!.allowCredentials![0].id as ArrayBuffer)).toEqual(new Uint8Array([6]));
  });
});
