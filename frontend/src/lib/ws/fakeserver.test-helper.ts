// A fake Tafel live server for the WebSocket client tests: a real `ws` server on 127.0.0.1:0
// whose behaviour each test scripts per connection.
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { ClientFrame, ServerFrame } from '../protocol';

/** One accepted connection and the frames it sent, in order. */
export class FakeConn {
  readonly frames: ClientFrame[] = [];
  readonly #socket: WebSocket;
  #waiters: { pred: (f: ClientFrame[]) => boolean; resolve: () => void }[] = [];
  closed: Promise<void>;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.frames.push(JSON.parse(data.toString()) as ClientFrame);
      this.#check();
    });
  }

  /** Commands received on this connection. */
  get commands() {
    return this.frames.filter((f) => f.type === 'command');
  }

  send(frame: ServerFrame): void {
    this.#socket.send(JSON.stringify(frame));
  }

  close(code: number, reason = ''): void {
    this.#socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  terminate(): void {
    this.#socket.terminate();
  }

  /** Resolves once the frames received satisfy pred. */
  until(pred: (frames: ClientFrame[]) => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ pred, resolve });
      this.#check();
    });
  }

  /** Resolves once n commands have arrived. */
  commandsAtLeast(n: number): Promise<void> {
    return this.until((fs) => fs.filter((f) => f.type === 'command').length >= n);
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.pred(this.frames)) return true;
      w.resolve();
      return false;
    });
  }
}

export class FakeServer {
  readonly conns: FakeConn[] = [];
  #wss: WebSocketServer;
  #listeners = new Set<() => void>();
  url = '';

  private constructor(wss: WebSocketServer) {
    this.#wss = wss;
    wss.on('connection', (socket) => {
      const conn = new FakeConn(socket);
      this.conns.push(conn);
      for (const l of [...this.#listeners]) l();
    });
  }

  static async start(): Promise<FakeServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
    const s = new FakeServer(wss);
    const { port } = wss.address() as AddressInfo;
    s.url = `ws://127.0.0.1:${port}/ws?case=c1`;
    return s;
  }

  /** Resolves with connection number n (0-based) once it is accepted. */
  conn(n: number): Promise<FakeConn> {
    return new Promise((resolve) => {
      const check = () => {
        const c = this.conns[n];
        if (!c) return;
        this.#listeners.delete(check);
        resolve(c);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Waits for the hello of connection n and answers it with welcome (and a view at seq). */
  async welcome(n: number, seq = 0): Promise<FakeConn> {
    const c = await this.conn(n);
    await c.until((fs) => fs.some((f) => f.type === 'hello'));
    c.send({ type: 'welcome', case: 'c1', you: { id: 'p1', name: 'Eva', role: 'professional', professional: true }, seq, resume: 'snapshot' });
    return c;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

/** An in-memory Web Storage. */
export class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}
