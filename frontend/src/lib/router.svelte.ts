import { parseHash, type Route } from './logic/route';

/** The current hash route, reactive. */
class Router {
  hash = $state(typeof location === 'undefined' ? '' : location.hash);
  route: Route = $derived(parseHash(this.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.hash = location.hash;
      });
    }
  }

  go(hash: string): void {
    location.hash = hash;
  }
}

export const router = new Router();
