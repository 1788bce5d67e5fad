import { describe, expect, it } from 'vitest';
import { caseHref, parseHash, parseLocation, peekClaims } from './route';

describe('parseHash', () => {
  const cases: [string, unknown][] = [
    ['', { name: 'home' }],
    ['#/', { name: 'home' }],
    ['#/login', { name: 'login' }],
    ['#/login?oidc=no-account', { name: 'login', oidc: 'no-account' }],
    ['#/login?step=enrol', { name: 'login', step: 'enrol' }],
    ['#/login?step=evil', { name: 'login' }],
    ['#/admin', { name: 'admin' }],
    ['#/setup/abc', { name: 'setup', token: 'abc' }],
    ['#/join/a.b.c', { name: 'join', token: 'a.b.c' }],
    ['#/case/c1', { name: 'case', caseId: 'c1' }],
    ['#/meeting/c1', { name: 'meeting', caseId: 'c1' }],
    ['#/chair/c%2F1', { name: 'chair', caseId: 'c/1' }],
    ['#/display/c1', { name: 'display', caseId: 'c1' }],
    ['#/family/c1', { name: 'family', caseId: 'c1' }],
    ['#/fixture/chair', { name: 'fixture', view: 'chair' }],
    ['#/chair', { name: 'notfound', path: 'chair' }],
    ['#/unknown/x', { name: 'notfound', path: 'unknown/x' }],
    ['#/case/c1/extra', { name: 'notfound', path: 'case/c1/extra' }],
  ];
  for (const [hash, want] of cases) {
    it(`${hash || '(empty)'}`, () => expect(parseHash(hash)).toEqual(want));
  }
  it('round-trips case links', () => {
    expect(parseHash(caseHref('chair', 'a b'))).toEqual({ name: 'chair', caseId: 'a b' });
  });
});

describe('parseLocation', () => {
  it('reads the server\'s invitation links /join#<token>', () => {
    expect(parseLocation('/join', '#eyJ.abc.def')).toEqual({ name: 'join', token: 'eyJ.abc.def' });
    expect(parseLocation('/join/', '#tok')).toEqual({ name: 'join', token: 'tok' });
    expect(parseLocation('/setup', '#tok')).toEqual({ name: 'setup', token: 'tok' });
  });
  it('falls back to hash routes', () => {
    expect(parseLocation('/join', '#/chair/c1')).toEqual({ name: 'chair', caseId: 'c1' });
    expect(parseLocation('/join', '')).toEqual({ name: 'join', token: '' });
    expect(parseLocation('/', '#/join')).toEqual({ name: 'join', token: '' });
  });

  it('reads the short links /j/<code> of invitations and the shared screen', () => {
    expect(parseLocation('/j/ACDEFGHJ', '')).toEqual({ name: 'join', token: '', code: 'ACDEFGHJ' });
    expect(parseLocation('/j/ACDEFGHJ/', '')).toEqual({ name: 'join', token: '', code: 'ACDEFGHJ' });
    expect(parseLocation('/j/ACDEFGHJ', '#/meeting/c1')).toEqual({ name: 'meeting', caseId: 'c1' });
    expect(parseLocation('/', '#/case/c1')).toEqual({ name: 'case', caseId: 'c1' });
  });
});

describe('peekClaims', () => {
  it('reads the payload of a JWT, including non-ASCII names', () => {
    const payload = Buffer.from(JSON.stringify({ name: 'Aïcha', typ: 'invite' })).toString('base64url');
    expect(peekClaims(`h.${payload}.s`)).toEqual({ name: 'Aïcha', typ: 'invite' });
  });
  it('returns nothing for tokens that are not JWTs', () => {
    expect(peekClaims('opaque-token')).toEqual({});
    expect(peekClaims('a.!!!.c')).toEqual({});
  });
});
