// Hash routes of the single-page app. The server serves index.html for "/", everything after
// "#" is ours.

export type Route =
  | { name: 'home' }
  | { name: 'login'; oidc?: string; step?: string }
  | { name: 'admin' }
  | { name: 'setup'; token: string }
  | { name: 'join'; token: string; code?: string }
  | { name: 'case' | 'meeting' | 'chair' | 'display' | 'family'; caseId: string }
  | { name: 'fixture'; view: string }
  | { name: 'intake'; id?: string }
  | { name: 'notfound'; path: string };

const caseRoutes = new Set(['case', 'meeting', 'chair', 'display', 'family']);

/** Parses location.hash ("#/chair/c1") into a route. */
export function parseHash(hash: string): Route {
  const [path, query] = hash.replace(/^#/, '').replace(/^\/+/, '').split('?', 2);
  const parts = path.split('/').filter((p) => p !== '').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [head, arg] = parts;
  if (!head) return { name: 'home' };
  if (head === 'login' && parts.length === 1) {
    // #/login?oidc=<reason> (the identity provider's sign-in failed) or ?step=second-factor|enrol
    const q = new URLSearchParams(query ?? '');
    const route: { name: 'login'; oidc?: string; step?: string } = { name: 'login' };
    const oidc = q.get('oidc');
    const step = q.get('step');
    if (oidc) route.oidc = oidc;
    if (step === 'second-factor' || step === 'enrol') route.step = step;
    return route;
  }
  if (head === 'admin' && parts.length === 1) return { name: 'admin' };
  if (head === 'join' && parts.length === 1) return { name: 'join', token: '' };
  if (head === 'intake' && parts.length === 1) return { name: 'intake' };
  if (head === 'intake' && parts.length === 2 && arg) return { name: 'intake', id: arg };
  if (parts.length === 2 && arg) {
    if (head === 'setup') return { name: 'setup', token: arg };
    if (head === 'join') return { name: 'join', token: arg };
    if (head === 'fixture') return { name: 'fixture', view: arg };
    if (caseRoutes.has(head)) return { name: head as 'case', caseId: arg };
  }
  return { name: 'notfound', path };
}

/**
 * Parses the location: the server's invitation and set-up links are <origin>/join#<token> and
 * <origin>/setup#<token> (the token stays in the fragment, so it never reaches a server log);
 * everything else is a hash route.
 */
export function parseLocation(pathname: string, hash: string): Route {
  const tokenInHash = hash.length > 1 && !hash.startsWith('#/');
  // A short link <origin>/j/<code> (the QR code of the shared screen, an invitation link).
  const short = /\/j\/([A-Za-z0-9-]{1,32})\/?$/.exec(pathname);
  if (short && !hash.startsWith('#/')) return { name: 'join', token: '', code: short[1] };
  if (/\/join\/?$/.test(pathname) && tokenInHash) return { name: 'join', token: hash.slice(1) };
  // <origin>/join without a token: type the code from the shared screen.
  if (/\/join\/?$/.test(pathname) && !hash.startsWith('#/')) return { name: 'join', token: '' };
  if (/\/setup\/?$/.test(pathname) && tokenInHash) return { name: 'setup', token: hash.slice(1) };
  return parseHash(hash);
}

/** The hash for a route to a case view. */
export function caseHref(name: 'case' | 'meeting' | 'chair' | 'display' | 'family', caseId: string): string {
  return `#/${name}/${encodeURIComponent(caseId)}`;
}

/** Reads the (unverified) claims of a JWT, e.g. the name an invitation was made for. Never trusted. */
export function peekClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
