// The outbox holds commands the server has not acknowledged yet. It survives disconnects and
// page reloads (sessionStorage) so that a score given while offline is sent once the connection
// returns — with the same id, so the server's id check makes the resend harmless.

/** The part of the Web Storage API the outbox needs. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A command waiting for its ack or nack. */
export interface OutboxEntry {
  id: string;
  kind: string;
  payload: unknown;
  /** When the command was first queued (ms since epoch). */
  queuedAt: number;
}

/** An ordered, persisted list of unacknowledged commands. */
export class Outbox {
  #entries: OutboxEntry[] = [];
  readonly #storage: StorageLike | undefined;
  readonly #key: string;

  constructor(key: string, storage?: StorageLike) {
    this.#key = key;
    this.#storage = storage;
    this.#load();
  }

  /** The entries in the order they were queued. */
  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  has(id: string): boolean {
    return this.#entries.some((e) => e.id === id);
  }

  push(entry: OutboxEntry): void {
    this.#entries.push(entry);
    this.#save();
  }

  /** Removes the entry with this id; reports whether it was there. */
  remove(id: string): boolean {
    const i = this.#entries.findIndex((e) => e.id === id);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    this.#save();
    return true;
  }

  #load(): void {
    if (!this.#storage) return;
    try {
      const raw = this.#storage.getItem(this.#key);
      if (!raw) return;
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed)) return;
      this.#entries = parsed.filter(
        (e): e is OutboxEntry =>
          typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.kind === 'string',
      );
    } catch {
      this.#entries = [];
    }
  }

  #save(): void {
    if (!this.#storage) return;
    try {
      if (this.#entries.length === 0) this.#storage.removeItem(this.#key);
      else this.#storage.setItem(this.#key, JSON.stringify(this.#entries));
    } catch {
      // Storage full or disabled: the outbox still works for this page's lifetime.
    }
  }
}
