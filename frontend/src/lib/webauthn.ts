// Passkeys in the browser: the server's WebAuthn options (JSON, binary fields as base64url)
// become the arguments of navigator.credentials.create()/get(), and the resulting credential
// becomes JSON again for the server (github.com/go-webauthn/webauthn reads it).

/** base64url → bytes. */
export function fromB64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

/** bytes → base64url without padding. */
export function toB64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

type Json = Record<string, unknown>;

function publicKey(options: unknown): Json {
  const o = (options ?? {}) as Json;
  return { ...((o.publicKey ?? o) as Json) };
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((d: Json) => ({ ...(d as object), type: 'public-key', id: fromB64url(String(d.id)) }) as PublicKeyCredentialDescriptor);
}

/** The arguments of navigator.credentials.create() from the server's creation options. */
export function creationOptions(options: unknown): CredentialCreationOptions {
  const pk = publicKey(options);
  const user = pk.user as Json;
  return {
    publicKey: {
      ...(pk as object),
      challenge: fromB64url(String(pk.challenge)),
      user: { ...(user as object), id: fromB64url(String(user.id)) },
      excludeCredentials: descriptors(pk.excludeCredentials),
    } as PublicKeyCredentialCreationOptions,
  };
}

/** The arguments of navigator.credentials.get() from the server's request options. */
export function requestOptions(options: unknown): CredentialRequestOptions {
  const pk = publicKey(options);
  return {
    publicKey: {
      ...(pk as object),
      challenge: fromB64url(String(pk.challenge)),
      allowCredentials: descriptors(pk.allowCredentials),
    } as PublicKeyCredentialRequestOptions,
  };
}

/** A new or asserted credential as JSON for the server. */
export function credentialJSON(cred: PublicKeyCredential): Json {
  const r = cred.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const response: Json = { clientDataJSON: toB64url(r.clientDataJSON) };
  if ('attestationObject' in r && r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    if (typeof r.getTransports === 'function') response.transports = r.getTransports();
  }
  if ('authenticatorData' in r && r.authenticatorData) {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    response,
    clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
  };
}

/** Whether this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}
