import { parseLocation, type Route } from './logic/route';

/** The current route (path + hash), reactive. */
class Router {
  hash = $state(typeof location === 'undefined' ? '' : location.hash);
  path = $state(typeof location === 'undefined' ? '/' : location.pathname);
  route: Route = $derived(parseLocation(this.path, this.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      const sync = () => {
        this.hash = location.hash;
        this.path = location.pathname;
      };
      window.addEventListener('hashchange', sync);
      window.addEventListener('popstate', sync);
    }
  }

  /** Goes to a hash route at the app's root, replacing the current entry (e.g. to drop an invitation token from history). */
  replace(hash: string): void {
    history.replaceState(null, '', `/${hash}`);
    this.path = location.pathname;
    this.hash = location.hash;
  }
}

export const router = new Router();
