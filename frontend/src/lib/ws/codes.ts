// WebSocket close codes of the Tafel protocol, mirroring the table in docs/protocol.md.
// Rule: 1001, 1006 and 4000–4099 → reconnect; 4400–4499 and 1000 → stop.

/** What the client does after the socket closes. */
export type CloseAction = 'reconnect' | 'reconnect_now' | 'stop';

/** Close codes the server (or the browser) uses. */
export const closeCodes = {
  normal: 1000,
  goingAway: 1001,
  abnormal: 1006,
  tryAgain: 4000,
  tooSlow: 4001,
  draining: 4002,
  protocolViolation: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  revoked: 4409,
  tooManySockets: 4429,
} as const;

interface CodeRule {
  action: CloseAction;
  /** i18n key explaining a stop to the user. */
  reason?: 'closed' | 'protocol' | 'unauthenticated' | 'forbidden' | 'revoked' | 'tooMany';
}

const table: Record<number, CodeRule> = {
  [closeCodes.normal]: { action: 'stop', reason: 'closed' },
  [closeCodes.goingAway]: { action: 'reconnect_now' },
  [closeCodes.abnormal]: { action: 'reconnect' },
  [closeCodes.tryAgain]: { action: 'reconnect' },
  [closeCodes.tooSlow]: { action: 'reconnect' },
  [closeCodes.draining]: { action: 'reconnect_now' },
  [closeCodes.protocolViolation]: { action: 'stop', reason: 'protocol' },
  [closeCodes.unauthenticated]: { action: 'stop', reason: 'unauthenticated' },
  [closeCodes.forbidden]: { action: 'stop', reason: 'forbidden' },
  [closeCodes.revoked]: { action: 'stop', reason: 'revoked' },
  [closeCodes.tooManySockets]: { action: 'stop', reason: 'tooMany' },
};

/** The rule for a close code; unknown codes in 4400–4499 stop, everything else reconnects. */
export function closeRule(code: number): CodeRule {
  const known = table[code];
  if (known) return known;
  if (code >= 4400 && code <= 4499) return { action: 'stop', reason: 'protocol' };
  return { action: 'reconnect' };
}

/** Reason key shown to the user when the client stops, by close code. */
export type StopReason = NonNullable<CodeRule['reason']>;
