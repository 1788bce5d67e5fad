// The live state of one case as the UI reads it: the latest CaseView, who we are, who is online,
// the connection, and our own unrevealed scores. One instance per open case page.

import type { CaseView, Msg, PresenceFrame, You } from '../protocol';
import { commands, type Command, type ScoreInput } from '../commands';
import { browserNetwork, caseSocketUrl, LiveClient, NackError, StoppedError, type ConnectionState } from '../ws/client';
import type { StopReason } from '../ws/codes';
import type { StorageLike } from '../ws/outbox';
import { loadMyScores, saveMyScores, scoreKey, type MyScore } from './myscores';
import { standing } from '../logic/meeting';
import { normalizeView } from '../logic/normalize';
import { announcements, type Announcement } from '../logic/announce';

function sessionStore(): StorageLike | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * Why the server refused the socket of a case, asked over REST (a browser does not show the
 * status of a refused upgrade): 4401 expired or no session, 4409 ended, 4403 no (more) access;
 * undefined when the case answers (a passing network failure: reconnect).
 */
export async function refusalCode(caseId: string): Promise<number | undefined> {
  let res: Response;
  try {
    res = await fetch(`/api/cases/${encodeURIComponent(caseId)}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    return undefined;
  }
  if (res.status === 401) {
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    return body.code === 'revoked' ? 4409 : 4401;
  }
  if (res.status === 403 || res.status === 404) return 4403;
  return undefined;
}

/** Options for a fixture (no server): a fixed view and identity. */
export interface FixtureOptions {
  view: CaseView;
  you?: You;
}

export class CaseLive {
  readonly caseId: string;
  readonly fixture: boolean;

  /**
   * The latest view: replaced on every view or update frame, but after a patch every part it
   * did not touch is the same object as before (ws/patch.ts, logic/normalize.ts).
   */
  view = $state.raw<CaseView | undefined>(undefined);
  you = $state.raw<You | undefined>(undefined);
  presence = $state.raw<PresenceFrame['online']>([]);
  connection = $state<ConnectionState>('idle');
  stopReason = $state<StopReason | undefined>(undefined);
  /** Commands waiting for the server. */
  pending = $state(0);
  /** The last refusal or failure, shown until dismissed. */
  error = $state.raw<Msg | undefined>(undefined);
  myScores = $state.raw<Record<string, MyScore>>({});
  /** Commands "sent" in fixture mode (for inspection). */
  sent = $state.raw<Command[]>([]);
  /**
   * What the aria-live region says about the latest `events` frame; `n` counts the frames
   * announced, so the same text said twice is said again.
   */
  announced = $state.raw<{ n: number; items: Announcement[] }>({ n: 0, items: [] });

  /** Where the viewer stands in the current meeting. */
  standing = $derived(standing(this.view?.current, this.you?.id));
  /** The chair of the current meeting (after a hand-over the view says who), else the role. */
  isChair = $derived(
    !!this.you && (this.view?.current ? this.view.current.chair === this.you.id : this.you.role === 'chair'),
  );

  #client: LiveClient | undefined;
  #storage: StorageLike | undefined;
  /** Between welcome and the view after it: the events that arrive are missed ones, not news. */
  #catchingUp = false;

  /** The shared screen: connects with view=display (what everyone admitted may see). */
  readonly #display: boolean;

  constructor(caseId: string, fixture?: FixtureOptions, opts: { display?: boolean } = {}) {
    this.caseId = caseId;
    this.fixture = !!fixture;
    this.#display = !!opts.display;
    if (fixture) {
      this.view = normalizeView(fixture.view);
      this.you = fixture.you;
      this.connection = 'open';
      return;
    }
    this.#storage = sessionStore();
    this.myScores = loadMyScores(this.#storage, caseId);
  }

  /** Connects (no-op for fixtures). */
  start(): void {
    if (this.fixture || this.#client) return;
    this.#client = new LiveClient({
      url: caseSocketUrl(this.caseId, location, { display: this.#display }),
      storage: this.#storage,
      outboxKey: `tafel.outbox.${this.caseId}`,
      network: browserNetwork(),
      probe: () => refusalCode(this.caseId),
      listener: {
        welcome: (f) => {
          this.you = f.you;
          this.stopReason = undefined;
          this.#catchingUp = true;
        },
        view: (raw) => {
          const v = normalizeView(raw);
          this.view = v;
          this.#pruneScores(v);
          this.#catchingUp = false;
        },
        events: (events) => {
          if (this.#catchingUp) return;
          const items = announcements(events, { you: this.you, isChair: this.isChair, view: this.view });
          if (items.length > 0) this.announced = { n: this.announced.n + 1, items };
        },
        presence: (online) => (this.presence = online),
        state: (s, info) => {
          this.connection = s;
          this.stopReason = info.stop;
          this.pending = info.pending;
          if (s === 'stopped' && info.stop === 'forbidden') {
            // No longer allowed to see the case (4403): stop showing what was sent before.
            this.view = undefined;
            this.presence = [];
          }
        },
        pending: (n) => (this.pending = n),
      },
    });
    this.pending = this.#client.pending.length;
    this.#client.start();
  }

  stop(): void {
    this.#client?.stop();
    this.#client = undefined;
  }

  /**
   * Sends a command. Resolves true when the server stored it, false when it was refused (the
   * reason is in `error`). While offline the promise waits; the command is sent once the
   * connection returns.
   */
  async run(c: Command, id?: string): Promise<boolean> {
    if (this.fixture) {
      this.sent = [...this.sent, c];
      return true;
    }
    if (!this.#client) this.start();
    try {
      await this.#client!.send(c.kind, c.payload, id);
      this.error = undefined; // a refusal shown before is stale once a command goes through
      return true;
    } catch (e) {
      if (e instanceof NackError) this.error = e.msg;
      else if (e instanceof StoppedError) this.error = undefined;
      else this.error = { nl: 'Er ging iets mis.', en: 'Something went wrong.' };
      return false;
    }
  }

  /**
   * Sends a command whose refusal belongs next to the control that sent it: resolves to
   * undefined when the server stored it, or to the refusal — which then does not go to the
   * page-wide `error`.
   */
  async attempt(c: Command): Promise<Msg | undefined> {
    if (await this.run(c)) return undefined;
    const e = this.error ?? { nl: 'Dat lukte niet; probeer het opnieuw.', en: 'That did not work; please try again.' };
    this.error = undefined;
    return e;
  }

  /** The score this browser gave for a subject in a round, if any. */
  myScore(round: string, subject: string): MyScore | undefined {
    return this.myScores[scoreKey(round, subject)];
  }

  /** Submits (or changes) a score and remembers it locally until the reveal. */
  async submitScore(s: ScoreInput): Promise<boolean> {
    const commandId = crypto.randomUUID();
    const mine: MyScore = { ...s, commandId, acked: false };
    this.#setScore(mine);
    const ok = await this.run(commands.scoreSubmit(s), commandId);
    const cur = this.myScore(s.round, s.subject);
    if (cur && cur.commandId === commandId) {
      if (ok) this.#setScore({ ...cur, acked: true });
      else if (this.error) this.#removeScore(s.round, s.subject);
    }
    return ok;
  }

  dismissError(): void {
    this.error = undefined;
  }

  #setScore(s: MyScore): void {
    this.myScores = saveMyScores(this.#storage, this.caseId, { ...this.myScores, [scoreKey(s.round, s.subject)]: s });
  }

  #removeScore(round: string, subject: string): void {
    const next = { ...this.myScores };
    delete next[scoreKey(round, subject)];
    this.myScores = saveMyScores(this.#storage, this.caseId, next);
  }

  /** Forgets own scores of rounds that are no longer open (they are revealed now). */
  #pruneScores(v: CaseView): void {
    if (!v.current) return;
    const rounds = v.current.rounds;
    const open = new Set(rounds.filter((r) => r.status === 'open').map((r) => r.id));
    const stale = Object.values(this.myScores).some((s) => !open.has(s.round));
    if (stale) this.myScores = saveMyScores(this.#storage, this.caseId, this.myScores, open);
  }
}
