// Who is signed in, shared by the top bar (the admin link) and the start page. Loaded from
// GET /api/me; reloaded when the route changes (after logging in or out).
import { api, ApiError, type Me } from '../api';

export type SessionStatus = 'loading' | 'in' | 'out' | 'error';

export class Session {
  me = $state.raw<Me | undefined>(undefined);
  status = $state<SessionStatus>('loading');
  #seq = 0;

  /** True for an administrator (the top bar shows the admin page). */
  isAdmin = $derived(this.me?.professional === true && this.me.role === 'admin');
  /** True for an account with the role chair (may create cases). */
  isChair = $derived(this.me?.professional === true && this.me.role === 'chair');

  /** Asks the server who is signed in; a later call wins over an earlier one still underway. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const me = await api.me();
      if (seq !== this.#seq) return;
      this.me = me;
      this.status = 'in';
    } catch (e) {
      if (seq !== this.#seq) return;
      this.me = undefined;
      this.status = e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404) ? 'out' : 'error';
    }
  }

  /** Sets the signed-in person without asking the server (fixtures). */
  set(me: Me | undefined): void {
    this.#seq++;
    this.me = me;
    this.status = me ? 'in' : 'out';
  }
}

export const session = new Session();
