// The one live transport of the Tafel frontend: a browser WebSocket to GET /ws?case=<id>
// (&view=display for the shared screen).
// Modelled on centrifuge-js (transport_websocket.ts, codes.ts): a close-code table decides
// between reconnect and stop, reconnects use full-jitter exponential backoff, and commands wait
// in an outbox until the server acks or nacks them. After every (re)connect the client sends
// `hello` with the last sequence it holds and, once `welcome` arrives, (re)sends the outbox once,
// in order, with the original ids — the server answers a repeated id with the original result.

import type {
  AckFrame,
  CaseView,
  ClientFrame,
  LogEvent,
  Msg,
  NackFrame,
  PatchOp,
  PresenceFrame,
  ServerFrame,
  WelcomeFrame,
} from '../protocol';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff';
import { closeRule, type StopReason } from './codes';
import { Outbox, type OutboxEntry, type StorageLike } from './outbox';
import { applyPatch, PatchError } from './patch';

/** The connection as the user sees it. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'stopped';

/** The part of the WebSocket API the client uses (browser WebSocket and node `ws` both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a socket to a URL. */
export type SocketFactory = (url: string) => WebSocketLike;

/** Knows whether the device is online and tells when that changes. */
export interface NetworkLike {
  online(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
}

/** Details that come with a state change. */
export interface StateInfo {
  /** Close code of the socket that ended, if any. */
  code?: number;
  /** Why the client stopped (state `stopped`). */
  stop?: StopReason;
  /** Failed attempts since the last welcome. */
  attempt: number;
  /** Commands not yet acknowledged. */
  pending: number;
}

/** Callbacks for what arrives; all optional. */
export interface LiveListener {
  welcome(frame: WelcomeFrame): void;
  view(view: CaseView, seq: number): void;
  events(events: LogEvent[]): void;
  presence(online: PresenceFrame['online']): void;
  state(state: ConnectionState, info: StateInfo): void;
  /** A reconnect was scheduled after `delayMs`; `attempt` starts at 0. */
  reconnect(delayMs: number, attempt: number): void;
  /** The outbox changed size (queued, acked, nacked). */
  pending(count: number): void;
}

export interface LiveClientOptions {
  /** Full ws:// or wss:// URL, e.g. wss://host/ws?case=c1. */
  url: string;
  createSocket?: SocketFactory;
  /** Where the outbox persists; sessionStorage in the browser. */
  storage?: StorageLike;
  /** Storage key of the outbox; one per case. */
  outboxKey?: string;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Drop and reopen the connection when a sent command has no answer after this long; 0 = never. */
  ackTimeoutMs?: number;
  network?: NetworkLike;
  newId?: () => string;
  listener?: Partial<LiveListener>;
  /**
   * Asked when a socket closes before it opened (1006: the server refused the upgrade with an
   * HTTP status the browser does not show): resolves with the close code that refusal means
   * (4401, 4403, 4409), so the client stops and says why at once instead of retrying for ever,
   * or undefined (a network failure: reconnect as usual).
   */
  probe?: () => Promise<number | undefined>;
}

/** A command the server refused; nothing changed. */
export class NackError extends Error {
  readonly code: string;
  readonly msg: Msg;
  readonly details: unknown;
  constructor(frame: NackFrame) {
    super(`${frame.code}: ${frame.message?.en ?? ''}`);
    this.name = 'NackError';
    this.code = frame.code;
    this.msg = frame.message ?? { nl: frame.code, en: frame.code };
    this.details = frame.details;
  }
}

/** The client stopped (close code 1000 or 44xx) before the command was answered. It stays in the outbox. */
export class StoppedError extends Error {
  readonly reason: StopReason | 'closed';
  constructor(reason: StopReason | 'closed') {
    super(`connection stopped: ${reason}`);
    this.name = 'StoppedError';
    this.reason = reason;
  }
}

const OPEN = 1;

interface Waiter {
  resolve(ack: AckFrame): void;
  reject(err: Error): void;
}

/** One live connection to one case, with resume and an outbox. */
export class LiveClient {
  readonly #opts: Required<Omit<LiveClientOptions, 'storage' | 'network' | 'listener' | 'probe'>> &
    Pick<LiveClientOptions, 'storage' | 'network' | 'probe'>;
  readonly #listener: Partial<LiveListener>;
  readonly #outbox: Outbox;
  readonly #waiters = new Map<string, Waiter>();

  #ws: WebSocketLike | null = null;
  #state: ConnectionState = 'idle';
  #welcomed = false;
  #attempt = 0;
  #lastSeq = 0;
  /** The view as the server sent it (patches apply to this), and its sequence. */
  #view: CaseView | null = null;
  #viewSeq = -1;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #ackTimer: ReturnType<typeof setTimeout> | null = null;
  #unsubscribeNetwork: (() => void) | null = null;
  #everOpened = false;

  constructor(opts: LiveClientOptions) {
    this.#opts = {
      url: opts.url,
      createSocket: opts.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
      storage: opts.storage,
      outboxKey: opts.outboxKey ?? 'tafel.outbox',
      backoff: opts.backoff ?? defaultBackoff,
      random: opts.random ?? Math.random,
      ackTimeoutMs: opts.ackTimeoutMs ?? 15_000,
      network: opts.network,
      newId: opts.newId ?? (() => crypto.randomUUID()),
      probe: opts.probe,
    };
    this.#listener = opts.listener ?? {};
    this.#outbox = new Outbox(this.#opts.outboxKey, opts.storage);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The highest sequence held (from `view`, `update` and `events` frames); sent in `hello`. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Commands waiting for an answer, oldest first. */
  get pending(): readonly OutboxEntry[] {
    return this.#outbox.entries;
  }

  /** Opens the connection (and keeps it open until stop or a stopping close code). */
  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'stopped') return;
    this.#attempt = 0;
    this.#everOpened = false;
    if (this.#opts.network && !this.#unsubscribeNetwork) {
      this.#unsubscribeNetwork = this.#opts.network.subscribe((online) => this.#onNetwork(online));
    }
    this.#connect();
  }

  /** Closes the connection for good; unanswered commands stay in the (persisted) outbox. */
  stop(): void {
    this.#clearTimers();
    this.#unsubscribeNetwork?.();
    this.#unsubscribeNetwork = null;
    this.#drop(1000, 'client stop');
    this.#rejectWaiters(new StoppedError('closed'));
    this.#setState('idle', {});
  }

  /**
   * Queues a command and sends it as soon as the connection is welcomed. The promise resolves
   * with the ack and rejects with NackError (refused) or StoppedError (connection stopped).
   */
  send(kind: string, payload: unknown, id: string = this.#opts.newId()): Promise<AckFrame> {
    const promise = new Promise<AckFrame>((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
    });
    if (!this.#outbox.has(id)) {
      this.#outbox.push({ id, kind, payload, queuedAt: Date.now() });
      this.#listener.pending?.(this.#outbox.size);
      if (this.#welcomed) this.#transmit({ type: 'command', id, kind, payload });
    }
    return promise;
  }

  #connect(): void {
    this.#retryTimer = null;
    if (this.#opts.network && !this.#opts.network.online()) {
      this.#setState('offline', {});
      return;
    }
    this.#setState(this.#everOpened || this.#attempt > 0 ? 'reconnecting' : 'connecting', {});
    let ws: WebSocketLike;
    try {
      ws = this.#opts.createSocket(this.#opts.url);
    } catch {
      this.#scheduleReconnect(false, 1006);
      return;
    }
    this.#ws = ws;
    this.#welcomed = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#transmit({ type: 'hello', lastSeq: this.#lastSeq });
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(ev.data) as ServerFrame;
      } catch {
        return;
      }
      this.#handle(frame);
    };
    ws.onerror = () => {
      // A close event always follows; the close code decides what happens.
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#welcomed = false;
      this.#clearAckTimer();
      if (!opened && ev.code === 1006 && this.#opts.probe) this.#probe();
      else this.#onClose(ev.code);
    };
  }

  /** Asks what a refused upgrade meant; acts on it unless the client moved on meanwhile. */
  #probe(): void {
    const state = this.#state;
    const attempt = this.#attempt;
    this.#opts.probe!()
      .catch(() => undefined)
      .then((code) => {
        if (this.#ws !== null || this.#state !== state || this.#attempt !== attempt || this.#retryTimer) return;
        this.#onClose(code ?? 1006);
      });
  }

  #onClose(code: number): void {
    const rule = closeRule(code);
    if (rule.action === 'stop') {
      this.#clearTimers();
      const reason = rule.reason ?? 'closed';
      this.#rejectWaiters(new StoppedError(reason));
      this.#setState('stopped', { code, stop: reason });
      return;
    }
    this.#scheduleReconnect(rule.action === 'reconnect_now', code);
  }

  #scheduleReconnect(now: boolean, code: number): void {
    const attempt = this.#attempt;
    const delay = now && attempt === 0 ? 0 : backoffDelay(attempt, this.#opts.backoff, this.#opts.random);
    this.#attempt = attempt + 1;
    this.#setState(this.#opts.network && !this.#opts.network.online() ? 'offline' : 'reconnecting', { code });
    this.#listener.reconnect?.(delay, attempt);
    if (this.#opts.network && !this.#opts.network.online()) return; // the online event reconnects
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #onNetwork(online: boolean): void {
    if (this.#state === 'idle' || this.#state === 'stopped') return;
    if (!online) {
      // The socket may linger half-dead; drop it and wait for the network.
      if (this.#retryTimer) clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.#drop(1000, 'offline');
      this.#clearAckTimer();
      this.#setState('offline', {});
      return;
    }
    if (this.#ws === null) {
      if (this.#retryTimer) clearTimeout(this.#retryTimer);
      this.#connect();
    }
  }

  #handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.#welcomed = true;
        this.#everOpened = true;
        this.#attempt = 0;
        this.#setState('open', {});
        this.#listener.welcome?.(frame);
        for (const e of this.#outbox.entries) {
          this.#transmit({ type: 'command', id: e.id, kind: e.kind, payload: e.payload });
        }
        return;
      case 'view':
        this.#takeView(frame.seq, frame.view);
        return;
      case 'update': {
        // One frame per batch: its events, then the view change, then this client's acks.
        if (frame.events) this.#takeEvents(frame.events);
        const ok = frame.view !== undefined ? this.#takeView(frame.seq, frame.view) : this.#takePatch(frame.seq, frame.base, frame.ops);
        if (!ok) return; // out of step: dropped; the resend after the reconnect is answered there
        for (const a of Array.isArray(frame.acks) ? frame.acks : []) {
          this.#settle(a.id, (w) => w.resolve({ type: 'ack', id: a.id, seq: a.seq, duplicate: a.duplicate }));
        }
        return;
      }
      case 'events':
        this.#takeEvents(frame.events);
        return;
      case 'presence':
        this.#listener.presence?.(Array.isArray(frame.online) ? frame.online : []);
        return;
      case 'ack':
        this.#settle(frame.id, (w) => w.resolve(frame));
        return;
      case 'nack':
        this.#settle(frame.id, (w) => w.reject(new NackError(frame)));
        return;
      default:
        return; // unknown frame types are ignored (forward compatibility)
    }
  }

  /** A whole view replaces the one held. */
  #takeView(seq: number, view: CaseView | undefined): boolean {
    if (typeof seq === 'number') this.#lastSeq = Math.max(this.#lastSeq, seq);
    if (view) {
      this.#view = view;
      this.#viewSeq = seq;
      this.#listener.view?.(view, seq);
    }
    return true;
  }

  /**
   * A patch applies to the view held at `base`; if that is not the view held, the client
   * reconnects and resumes, which brings a whole view (and returns false).
   */
  #takePatch(seq: number, base: number | undefined, patch: PatchOp[] | null | undefined): boolean {
    let next: CaseView | null = null;
    const ops = patch ?? []; // null: nothing changed
    if (this.#view && base === this.#viewSeq && Array.isArray(ops)) {
      try {
        next = applyPatch(this.#view, ops);
      } catch (e) {
        if (!(e instanceof PatchError)) throw e;
      }
    }
    if (!next) {
      this.#view = null;
      this.#drop(1000, 'view out of step');
      this.#scheduleReconnect(true, 4000);
      return false;
    }
    this.#view = next;
    this.#viewSeq = seq;
    this.#lastSeq = Math.max(this.#lastSeq, seq);
    this.#listener.view?.(next, seq);
    return true;
  }

  /** Events move the highest sequence held and go to the listener. */
  #takeEvents(list: LogEvent[] | undefined): void {
    const events = Array.isArray(list) ? list : [];
    for (const e of events) if (typeof e.seq === 'number') this.#lastSeq = Math.max(this.#lastSeq, e.seq);
    this.#listener.events?.(events);
  }

  #settle(id: string, fn: (w: Waiter) => void): void {
    const removed = this.#outbox.remove(id);
    const w = this.#waiters.get(id);
    this.#waiters.delete(id);
    if (w) fn(w);
    if (removed) this.#listener.pending?.(this.#outbox.size);
    this.#clearAckTimer();
    if (this.#outbox.size > 0 && this.#welcomed) this.#armAckTimer();
  }

  #transmit(frame: ClientFrame): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return;
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      return; // the close event follows
    }
    if (frame.type === 'command') this.#armAckTimer();
  }

  #armAckTimer(): void {
    if (this.#ackTimer || this.#opts.ackTimeoutMs <= 0) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null;
      if (this.#outbox.size === 0 || !this.#ws) return;
      // No answer: the connection is probably dead without having noticed. Reopen and resend.
      this.#drop(1000, 'ack timeout');
      this.#scheduleReconnect(true, 4000);
    }, this.#opts.ackTimeoutMs);
  }

  #clearAckTimer(): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
  }

  /** Closes the current socket without running the close-code rules. */
  #drop(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#welcomed = false;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onerror = null;
    ws.onclose = null;
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#clearAckTimer();
  }

  #rejectWaiters(err: Error): void {
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const w of waiters) w.reject(err);
  }

  #setState(state: ConnectionState, info: Omit<StateInfo, 'attempt' | 'pending'>): void {
    this.#state = state;
    this.#listener.state?.(state, { ...info, attempt: this.#attempt, pending: this.#outbox.size });
  }
}

/** The browser's online/offline events as a NetworkLike. */
export function browserNetwork(): NetworkLike | undefined {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return undefined;
  return {
    online: () => navigator.onLine !== false,
    subscribe(onChange) {
      const on = () => onChange(true);
      const off = () => onChange(false);
      window.addEventListener('online', on);
      window.addEventListener('offline', off);
      return () => {
        window.removeEventListener('online', on);
        window.removeEventListener('offline', off);
      };
    },
  };
}

/**
 * The WebSocket URL of a case on this origin. The shared screen asks for `view=display`: it
 * gets only what everyone admitted to the meeting may see (docs/protocol.md, "Connecting").
 */
export function caseSocketUrl(
  caseId: string,
  loc: Pick<Location, 'protocol' | 'host'> = location,
  opts: { display?: boolean } = {},
): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws?case=${encodeURIComponent(caseId)}${opts.display ? '&view=display' : ''}`;
}
