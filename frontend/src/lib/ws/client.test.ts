import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { caseSocketUrl, LiveClient, NackError, StoppedError, type ConnectionState, type LiveClientOptions, type NetworkLike, type StateInfo, type WebSocketLike } from './client';
import { backoffCap, backoffDelay } from './backoff';
import { closeRule } from './codes';
import { FakeServer, MemoryStorage } from './fakeserver.test-helper';
import type { CommandFrame, HelloFrame } from '../protocol';
import type { CaseView } from '../protocol';

/** Records what the client reports and lets a test wait for it. */
class Recorder {
  states: { state: ConnectionState; info: StateInfo }[] = [];
  reconnects: { delay: number; attempt: number }[] = [];
  seqs: number[] = [];
  views: CaseView[] = [];
  #waiters: (() => boolean)[] = [];
  listener = {
    state: (state: ConnectionState, info: StateInfo) => {
      this.states.push({ state, info });
      this.#poke();
    },
    reconnect: (delay: number, attempt: number) => {
      this.reconnects.push({ delay, attempt });
      this.#poke();
    },
    view: (v: CaseView, seq: number) => {
      this.seqs.push(seq);
      this.views.push(v);
      this.#poke();
    },
    events: () => this.#poke(),
    pending: () => this.#poke(),
  };
  until(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const w = () => {
        if (!pred()) return false;
        resolve();
        return true;
      };
      if (!w()) this.#waiters.push(w);
    });
  }
  last(): ConnectionState | undefined {
    return this.states.at(-1)?.state;
  }
  #poke() {
    this.#waiters = this.#waiters.filter((w) => !w());
  }
}

const nodeSocket = (url: string) => new WebSocket(url) as unknown as WebSocketLike;

let server: FakeServer;
let clients: LiveClient[] = [];
let ids = 0;

function client(rec: Recorder, extra: Partial<LiveClientOptions> = {}): LiveClient {
  const c = new LiveClient({
    url: server.url,
    createSocket: nodeSocket,
    backoff: { minMs: 5, maxMs: 40 },
    random: () => 1,
    newId: () => `cmd-${++ids}`,
    ackTimeoutMs: 0,
    listener: rec.listener,
    ...extra,
  });
  clients.push(c);
  return c;
}

const view = (seq: number) => ({ seq }) as unknown as CaseView;
const hellos = (fs: { type: string }[]) => fs.filter((f): f is HelloFrame => f.type === 'hello');
const cmdIds = (fs: { type: string }[]) => fs.filter((f): f is CommandFrame => f.type === 'command').map((f) => f.id);

beforeEach(async () => {
  server = await FakeServer.start();
  ids = 0;
});

afterEach(async () => {
  for (const c of clients) c.stop();
  clients = [];
  await server.close();
});

describe('close codes', () => {
  const cases: [number, string][] = [
    [1000, 'stop'],
    [1001, 'reconnect_now'],
    [1006, 'reconnect'],
    [4000, 'reconnect'],
    [4001, 'reconnect'],
    [4002, 'reconnect_now'],
    [4099, 'reconnect'],
    [4400, 'stop'],
    [4401, 'stop'],
    [4403, 'stop'],
    [4409, 'stop'],
    [4499, 'stop'],
  ];
  for (const [code, want] of cases) {
    it(`${code} → ${want}`, () => {
      expect(closeRule(code).action).toBe(want);
    });
  }
});

describe('backoff', () => {
  it('caps grow exponentially up to the maximum', () => {
    const opts = { minMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffCap(a, opts))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
  it('full jitter spreads delays between 0 and the cap', () => {
    const opts = { minMs: 100, maxMs: 1000 };
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(400);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(799);
  });
});

describe('LiveClient', () => {
  it('says hello with lastSeq 0, then resumes from the last sequence held', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0, 7);
    c0.send({ type: 'view', seq: 7, view: view(7) });
    c0.send({ type: 'events', events: [{ seq: 9, id: 'e', type: 'x', time: '', actor: '', meeting: '', visibility: 'all', data: {} }] });
    await rec.until(() => rec.seqs.length === 1 && c.lastSeq === 9);
    c0.close(4000);
    const c1 = await server.conn(1);
    await c1.until((fs) => hellos(fs).length === 1);
    expect(hellos(c0.frames)).toEqual([{ type: 'hello', lastSeq: 0 }]);
    expect(hellos(c1.frames)).toEqual([{ type: 'hello', lastSeq: 9 }]);
    expect(c1.frames[0]).toEqual({ type: 'hello', lastSeq: 9 });
  });

  it('applies an update\'s patch to the view it holds and reports the patched view', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0, 7);
    const v7 = { seq: 7, current: { rounds: [{ id: 'r1', submitted: [], pending: ['u:vt'] }] } } as unknown as CaseView;
    c0.send({ type: 'view', seq: 7, view: v7 });
    c0.send({
      type: 'update',
      seq: 8,
      base: 7,
      ops: [
        { op: 'replace', path: '/seq', value: 8 },
        { op: 'add', path: '/current/rounds/0/submitted/0', value: 'u:vt' },
        { op: 'remove', path: '/current/rounds/0/pending/0' },
      ],
    });
    await rec.until(() => rec.seqs.length === 2);
    expect(rec.seqs).toEqual([7, 8]);
    expect(rec.views[1]).toEqual({ seq: 8, current: { rounds: [{ id: 'r1', submitted: ['u:vt'], pending: [] }] } });
    expect(rec.views[0]).toEqual(v7); // the view handed out before is not changed by the patch
    expect(c.lastSeq).toBe(8);
    // A patch with no operations (null) moves the view to its sequence unchanged.
    c0.send({ type: 'update', seq: 9, base: 8, ops: null as unknown as [] });
    await rec.until(() => rec.seqs.length === 3);
    expect(rec.views[2]).toEqual(rec.views[1]);
    expect(c.lastSeq).toBe(9);
  });

  it('reconnects and resumes when an update\'s patch does not start from the view it holds', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0, 7);
    c0.send({ type: 'view', seq: 7, view: view(7) });
    c0.send({ type: 'update', seq: 9, base: 8, ops: [{ op: 'replace', path: '/seq', value: 9 }] });
    const c1 = await server.conn(1);
    await c1.until((fs) => hellos(fs).length === 1);
    expect(rec.seqs).toEqual([7]); // the patch was not applied to the wrong view
    expect(hellos(c1.frames)).toEqual([{ type: 'hello', lastSeq: 7 }]);
  });

  it('takes an update frame as its events, then its view change, then its acks', async () => {
    const rec = new Recorder();
    const order: string[] = [];
    rec.listener.events = () => order.push('events');
    const onView = rec.listener.view;
    rec.listener.view = (v: CaseView, seq: number) => {
      order.push(`view ${seq}`);
      onView(v, seq);
    };
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0, 7);
    const v7 = { seq: 7, current: { rounds: [{ id: 'r1', submitted: [], pending: ['u:vt'] }] } } as unknown as CaseView;
    c0.send({ type: 'view', seq: 7, view: v7 });
    const p1 = c.send('score.submit', { value: 2 });
    const p2 = c.send('score.submit', { value: 3 });
    await c0.commandsAtLeast(2);
    p1.then(() => order.push('ack cmd-1'));
    // One batch: two events, a patch, and both acks in one frame.
    c0.send({
      type: 'update',
      seq: 9,
      events: [
        { seq: 8, id: 'cmd-1:0', type: 'score.submitted', time: '', actor: 'u:vt', meeting: 'm1', visibility: 'all', data: {} },
        { seq: 9, id: 'cmd-2:0', type: 'score.submitted', time: '', actor: 'u:vt', meeting: 'm1', visibility: 'all', data: {} },
      ],
      base: 7,
      ops: [
        { op: 'replace', path: '/seq', value: 9 },
        { op: 'add', path: '/current/rounds/0/submitted/0', value: 'u:vt' },
        { op: 'remove', path: '/current/rounds/0/pending/0' },
      ],
      acks: [
        { id: 'cmd-1', seq: 8, duplicate: false },
        { id: 'cmd-2', seq: 9, duplicate: false },
      ],
    });
    await expect(p1).resolves.toEqual({ type: 'ack', id: 'cmd-1', seq: 8, duplicate: false });
    await expect(p2).resolves.toEqual({ type: 'ack', id: 'cmd-2', seq: 9, duplicate: false });
    expect(order).toEqual(['view 7', 'events', 'view 9', 'ack cmd-1']);
    expect(rec.views[1]).toEqual({ seq: 9, current: { rounds: [{ id: 'r1', submitted: ['u:vt'], pending: [] }] } });
    expect(c.lastSeq).toBe(9);
    expect(c.pending).toEqual([]);
    // An update with a whole view and no events of this client's replaces the view held.
    c0.send({ type: 'update', seq: 10, view: view(10) });
    await rec.until(() => rec.seqs.length === 3);
    expect(rec.seqs).toEqual([7, 9, 10]);
    expect(c.lastSeq).toBe(10);
  });

  it('reconnects and resumes when an update patches a view it does not hold, keeping its commands', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0, 7);
    c0.send({ type: 'view', seq: 7, view: view(7) });
    const pending = c.send('score.submit', { value: 2 }).catch((e: unknown) => e); // stopped unanswered at the end
    await c0.commandsAtLeast(1);
    c0.send({ type: 'update', seq: 9, base: 8, ops: [{ op: 'replace', path: '/seq', value: 9 }], acks: [{ id: 'cmd-1', seq: 9, duplicate: false }] });
    const c1 = await server.conn(1);
    await c1.until((fs) => hellos(fs).length === 1);
    expect(rec.seqs).toEqual([7]);
    expect(hellos(c1.frames)).toEqual([{ type: 'hello', lastSeq: 7 }]);
    // The command stays in the outbox: after the welcome it goes again, with the same id.
    await server.welcome(1, 9);
    await c1.commandsAtLeast(1);
    expect(c1.commands.map((f) => f.id)).toEqual(['cmd-1']);
    c.stop();
    await pending;
  });

  it('reconnects with exponential full-jitter backoff and resets it after welcome', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    for (let i = 0; i < 4; i++) (await server.conn(i)).terminate();
    await server.welcome(4);
    await rec.until(() => rec.last() === 'open');
    expect(rec.reconnects).toEqual([
      { delay: 5, attempt: 0 },
      { delay: 10, attempt: 1 },
      { delay: 20, attempt: 2 },
      { delay: 40, attempt: 3 },
    ]);
    expect(rec.states.map((s) => s.state)).toEqual(['connecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnecting', 'open']);
    // After a welcome the next failure starts again at the smallest delay.
    (await server.conn(4)).close(4001);
    await server.welcome(5);
    await rec.until(() => rec.reconnects.length === 5 && rec.last() === 'open');
    expect(rec.reconnects[4]).toEqual({ delay: 5, attempt: 0 });
  });

  it('asks why when the upgrade is refused, and stops at once when the answer is a stop code', async () => {
    // Nothing listens on port 1: the socket closes with 1006 before it opened, as a refused
    // upgrade (HTTP 401/403) looks to a browser.
    const rec = new Recorder();
    let asked = 0;
    const c = client(rec, { url: 'ws://127.0.0.1:1/ws?case=c1', probe: async () => (asked++, 4401) });
    c.start();
    await rec.until(() => rec.last() === 'stopped');
    expect(asked).toBe(1);
    expect(rec.states.at(-1)?.info.stop).toBe('unauthenticated');
    expect(rec.reconnects).toEqual([]);
  });

  it('reconnects as usual when the probe finds no refusal (a network failure)', async () => {
    const rec = new Recorder();
    let asked = 0;
    const c = client(rec, { url: 'ws://127.0.0.1:1/ws?case=c1', probe: async () => (asked++, undefined) });
    c.start();
    await rec.until(() => rec.reconnects.length >= 2);
    c.stop();
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(rec.states.some((s) => s.state === 'stopped')).toBe(false);
  });

  it('reconnects at once on 4002 (draining)', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    (await server.welcome(0)).close(4002);
    await server.welcome(1);
    await rec.until(() => rec.last() === 'open' && rec.reconnects.length === 1);
    expect(rec.reconnects).toEqual([{ delay: 0, attempt: 0 }]);
  });

  it('sends queued commands only after welcome, once each, in order', async () => {
    const rec = new Recorder();
    const c = client(rec);
    const p1 = c.send('score.submit', { value: 2 });
    const p2 = c.send('score.submit', { value: 3 });
    c.start();
    const c0 = await server.conn(0);
    await c0.until((fs) => hellos(fs).length === 1);
    // Before welcome the client holds its commands back.
    expect(c0.commands).toEqual([]);
    await server.welcome(0);
    await c0.commandsAtLeast(2);
    const p3 = c.send('agreement.take_on', { agreement: 'a1' });
    await c0.commandsAtLeast(3);
    expect(c0.commands.map((f) => [f.id, f.kind])).toEqual([
      ['cmd-1', 'score.submit'],
      ['cmd-2', 'score.submit'],
      ['cmd-3', 'agreement.take_on'],
    ]);
    for (const id of ['cmd-1', 'cmd-2', 'cmd-3']) c0.send({ type: 'ack', id, seq: 10, duplicate: false });
    await expect(Promise.all([p1, p2, p3])).resolves.toHaveLength(3);
    expect(c.pending).toEqual([]);
  });

  it('resends unacknowledged commands after reconnect with the same ids, once, in order', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0);
    await rec.until(() => rec.last() === 'open');
    const p1 = c.send('score.submit', { subject: 'janna', value: 2 });
    const p2 = c.send('score.submit', { subject: 'moeder', value: 3 });
    const p3 = c.send('bottomline.add', { id: 'b1' });
    await c0.commandsAtLeast(3);
    c0.send({ type: 'ack', id: 'cmd-1', seq: 11, duplicate: false });
    await expect(p1).resolves.toMatchObject({ id: 'cmd-1', seq: 11 });
    c0.terminate();
    // While disconnected a new command waits behind the older ones.
    await rec.until(() => rec.last() === 'reconnecting');
    const p4 = c.send('agreement.take_on', { agreement: 'a1' });
    const c1 = await server.welcome(1, 12);
    await c1.commandsAtLeast(3);
    expect(cmdIds(c1.frames)).toEqual(['cmd-2', 'cmd-3', 'cmd-4']);
    expect(c1.commands.map((f) => f.payload)).toEqual([{ subject: 'moeder', value: 3 }, { id: 'b1' }, { agreement: 'a1' }]);
    // The server already stored cmd-2 before the drop: it answers with the original result.
    c1.send({ type: 'ack', id: 'cmd-2', seq: 12, duplicate: true });
    c1.send({ type: 'ack', id: 'cmd-3', seq: 13, duplicate: false });
    c1.send({ type: 'ack', id: 'cmd-4', seq: 14, duplicate: false });
    await expect(p2).resolves.toMatchObject({ duplicate: true });
    await Promise.all([p3, p4]);
    expect(c.pending).toEqual([]);
    // Nothing was sent twice on either connection.
    expect(cmdIds(c0.frames)).toEqual(['cmd-1', 'cmd-2', 'cmd-3']);
    expect(new Set(cmdIds(c1.frames)).size).toBe(cmdIds(c1.frames).length);
  });

  it('keeps the outbox across page reloads (storage) and sends it on the next connection', async () => {
    const storage = new MemoryStorage();
    const rec1 = new Recorder();
    const first = client(rec1, { storage, outboxKey: 'tafel.outbox.c1' });
    void first.send('score.submit', { value: 4 }).catch(() => undefined);
    void first.send('score.submit', { value: 5 }).catch(() => undefined);
    first.stop();
    expect(JSON.parse(storage.getItem('tafel.outbox.c1') ?? '[]')).toHaveLength(2);

    const rec2 = new Recorder();
    const second = client(rec2, { storage, outboxKey: 'tafel.outbox.c1' });
    second.start();
    const c0 = await server.welcome(0);
    await c0.commandsAtLeast(2);
    expect(cmdIds(c0.frames)).toEqual(['cmd-1', 'cmd-2']);
    c0.send({ type: 'ack', id: 'cmd-1', seq: 1, duplicate: false });
    c0.send({ type: 'ack', id: 'cmd-2', seq: 2, duplicate: false });
    await rec2.until(() => second.pending.length === 0);
    expect(storage.getItem('tafel.outbox.c1')).toBeNull();
  });

  it('rejects a nacked command with its code and message and drops it from the outbox', async () => {
    const rec = new Recorder();
    const c = client(rec);
    c.start();
    const c0 = await server.welcome(0);
    const p = c.send('agenda.open', { item: 'care' });
    await c0.commandsAtLeast(1);
    c0.send({ type: 'nack', id: 'cmd-1', code: 'gate_closed', message: { nl: 'Eerst veiligheid', en: 'Safety first' } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NackError);
    expect((err as NackError).code).toBe('gate_closed');
    expect((err as NackError).msg.nl).toBe('Eerst veiligheid');
    expect(c.pending).toEqual([]);
  });

  for (const [code, reason] of [
    [4400, 'protocol'],
    [4401, 'unauthenticated'],
    [4403, 'forbidden'],
    [4409, 'revoked'],
    [1000, 'closed'],
  ] as const) {
    it(`stops on ${code} without reconnecting and keeps the outbox`, async () => {
      const rec = new Recorder();
      const c = client(rec);
      c.start();
      const c0 = await server.welcome(0);
      await rec.until(() => rec.last() === 'open');
      const p = c.send('score.submit', { value: 1 });
      await c0.commandsAtLeast(1);
      c0.close(code);
      await rec.until(() => rec.last() === 'stopped');
      expect(rec.states.at(-1)?.info).toMatchObject({ code, stop: reason, pending: 1 });
      await expect(p).rejects.toBeInstanceOf(StoppedError);
      expect(rec.reconnects).toEqual([]);
      expect(c.state).toBe('stopped');
      expect(c.pending.map((e) => e.id)).toEqual(['cmd-1']);
      expect(server.conns).toHaveLength(1);
    });
  }

  it('drops the socket when the device goes offline and resends when it is back', async () => {
    let online = true;
    let notify: (on: boolean) => void = () => undefined;
    const network: NetworkLike = {
      online: () => online,
      subscribe(cb) {
        notify = cb;
        return () => undefined;
      },
    };
    const rec = new Recorder();
    const c = client(rec, { network });
    c.start();
    const c0 = await server.welcome(0, 3);
    await rec.until(() => rec.last() === 'open');
    online = false;
    notify(false);
    expect(c.state).toBe('offline');
    await c0.closed;
    const p = c.send('score.submit', { value: 6 });
    expect(server.conns).toHaveLength(1);
    online = true;
    notify(true);
    const c1 = await server.welcome(1, 3);
    await c1.commandsAtLeast(1);
    expect(cmdIds(c1.frames)).toEqual(['cmd-1']);
    c1.send({ type: 'ack', id: 'cmd-1', seq: 4, duplicate: false });
    await p;
    expect(cmdIds(c0.frames)).toEqual([]);
  });

  it('reopens the connection when a command gets no answer in time, resending the same id', async () => {
    const rec = new Recorder();
    const c = client(rec, { ackTimeoutMs: 30 });
    c.start();
    const c0 = await server.welcome(0);
    await rec.until(() => rec.last() === 'open');
    const p = c.send('score.submit', { value: 6 });
    await c0.commandsAtLeast(1);
    // The server never answers on this connection.
    const c1 = await server.welcome(1);
    await c1.commandsAtLeast(1);
    expect(cmdIds(c1.frames)).toEqual(['cmd-1']);
    c1.send({ type: 'ack', id: 'cmd-1', seq: 1, duplicate: true });
    await expect(p).resolves.toMatchObject({ duplicate: true });
  });
});

describe('caseSocketUrl', () => {
  it('opens the case on this origin; the shared screen asks for view=display', () => {
    expect(caseSocketUrl('janna', { protocol: 'https:', host: 'tafel.example' })).toBe('wss://tafel.example/ws?case=janna');
    expect(caseSocketUrl('gezin s', { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws?case=gezin%20s');
    expect(caseSocketUrl('janna', { protocol: 'https:', host: 'tafel.example' }, { display: true })).toBe('wss://tafel.example/ws?case=janna&view=display');
    expect(caseSocketUrl('janna', { protocol: 'https:', host: 'tafel.example' }, { display: false })).toBe('wss://tafel.example/ws?case=janna');
  });
});
