// Short codes of invitations and the shared screen (server/shortcode.go): eight characters of an
// alphabet without look-alikes, typed in any case, with spaces or dashes.

/** The alphabet of short codes (server.ShortCodeAlphabet). */
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY23467';
/** The length of a short code (server.ShortCodeLen). */
export const CODE_LENGTH = 8;

/** The code as the server knows it, or undefined when it cannot be one. */
export function normalizeCode(typed: string): string | undefined {
  const c = typed.toUpperCase().replace(/[\s-]+/g, '');
  if (c.length !== CODE_LENGTH) return undefined;
  for (const ch of c) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return c;
}

/** A code shown to read and type: two groups of four ("ACDE FGHJ"). */
export function showCode(code: string): string {
  return code.length === CODE_LENGTH ? `${code.slice(0, 4)} ${code.slice(4)}` : code;
}
