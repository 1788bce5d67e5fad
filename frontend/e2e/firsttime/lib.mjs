// Shared harness of the "first time" suite (issue 14): every role lives its first meeting on a
// fresh `tafel --demo` (a temporary data directory, a free port, no hand-set state), in Chromium
// with the flags of frontend/e2e/harness.mjs. Every step is photographed at the three sizes of
// the issue (390×844, 1366×768, 1920×1080) into artifacts/firsttime/<viewport>/<step>.png, checked
// with axe-core (a serious or critical violation fails the step), scanned for English words in the
// Dutch UI and Dutch words in the English UI (the page is rendered in both languages), and a
// console error or page error on any page fails the step it happened in.
//
// Use:
//   import { startTafel, Story, VIEWPORTS } from './lib.mjs';
//   const tafel = await startTafel();               // ../tafel.mjs: builds unless TAFEL_BIN is set
//   const story = new Story('phones', tafel);
//   const gp = await story.page('gp', 'phone');      // a new browser context per person
//   await story.step('gp-lobby', async () => { ...; await story.shot(gp, 'gp-lobby'); });
//   await story.finish();                            // closes the browser and the server
//
// run.mjs runs every *.mjs story of this folder (not lib.mjs) on its own fresh server, with the
// binary built once; `npm test` (and so `make test`) runs run.mjs. A story added here is run
// without touching package.json. Pages of a story: story.page(name, 'phone'|'laptop'|'screen',
// { cookiesFrom }) or story.watch(tab, name) for a second tab; story.shot(page, step) for the
// screenshots, axe and the language scan (content the server sent the page is left out of the
// scan; an element marked translate="no" too).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, axeSerious, Runner, assert } from '../harness.mjs';
import { repo, buildBinary, freePort, startTafel as startShared } from '../tafel.mjs';

export { assert, repo, buildBinary, freePort };
export const artifacts = resolve(repo, 'artifacts/firsttime');
/** Generous wait for events on a loaded 2-core machine. */
export const T = 20_000;
/** Every demo account's password (set through its set-up link). */
export const PASSWORD = 'een-lang-demo-wachtwoord';

/** The three sizes of the issue: a phone (touch), a laptop and the shared screen. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  laptop: { width: 1366, height: 768 },
  screen: { width: 1920, height: 1080 },
};

/** Browser context options per kind of device. */
export const DEVICES = {
  phone: { viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' },
  laptop: { viewport: VIEWPORTS.laptop, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' },
  screen: { viewport: VIEWPORTS.screen, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' },
};

/** A fresh `tafel --demo` (frontend/e2e/tafel.mjs), its data directory named for this suite. */
export function startTafel(opts = {}) {
  return startShared({ name: 'tafel-firsttime', ...opts });
}

// Words that give a language away. Only words that are not also words (or common loans) of the
// other language: "plan", "score", "agenda", "team", "in", "is", "over", "open" are in neither.
const ENGLISH = ['the', 'and', 'you', 'your', 'please', 'loading', 'waiting', 'meeting', 'round', 'send', 'sent', 'save', 'saved', 'cancel',
  'back', 'next', 'closed', 'sign', 'signed', 'join', 'joined', 'chair', 'family', 'network', 'agreement', 'agreements', 'scores', 'scored',
  'reveal', 'revealed', 'error', 'failed', 'invalid', 'required', 'expired', 'removed', 'admitted', 'welcome', 'with', 'from', 'this', 'that',
  'not', 'yes', 'what', 'who', 'when', 'how', 'why', 'there', 'which', 'will', 'would', 'should', 'has', 'have', 'been', 'nobody', 'everyone',
  'explanation', 'safety', 'safe', 'person', 'people', 'persons', 'mother', 'father', 'aunt', 'police', 'doctor', 'copy', 'copied', 'code',
  'link', 'invitation', 'ask', 'asked', 'continue', 'guest', 'here', 'now', 'still', 'later', 'again', 'only', 'also', 'filled'];
const DUTCH = ['de', 'het', 'een', 'en', 'van', 'je', 'jij', 'jouw', 'niet', 'voor', 'met', 'ja', 'nee', 'wordt', 'zijn', 'naar', 'bij', 'ook',
  'nog', 'geen', 'overleg', 'voorzitter', 'versturen', 'verstuurd', 'opslaan', 'wachten', 'laden', 'inloggen', 'uitloggen', 'cijfer',
  'toelichting', 'gezin', 'ronde', 'afspraak', 'afspraken', 'deelnemer', 'netwerk', 'onthullen', 'onthuld', 'meedoen', 'toelaten', 'akkoord',
  'veilig', 'veiligheid', 'ingevuld', 'uitnodiging', 'doorgaan', 'gast', 'verlopen', 'gesloten', 'huisarts', 'politie', 'kopiëren',
  'gekopieerd', 'wie', 'wat', 'waarom', 'hoe', 'dit', 'dat', 'deze', 'wij', 'jullie', 'heeft', 'hebt', 'kun', 'kunt', 'mag', 'moet'];
// "code" and "link" read the same in Dutch: not English tells.
const ENGLISH_ONLY = ENGLISH.filter((w) => !['code', 'link'].includes(w));

/**
 * The words of the page's own interface: visible text plus aria-label, placeholder, title and
 * alt, leaving out what people typed or the demo holds (marked translate="no"), text in another
 * language on purpose (an element with its own lang, like the language switch), and `ignore`.
 */
async function interfaceText(page, ignore) {
  const text = await page.evaluate(() => {
    const docLang = document.documentElement.lang || 'nl';
    const skip = (el) => el.closest('[translate="no"], script, style, noscript, svg') || (el.closest('[lang]') && el.closest('[lang]') !== document.documentElement && el.closest('[lang]').getAttribute('lang') !== docLang);
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el)) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      if (!el.checkVisibility?.() && !el.closest('.visually-hidden, .sr-only')) continue;
      out.push(n.textContent);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [title], img[alt]')) {
      if (skip(el)) continue;
      for (const a of ['aria-label', 'placeholder', 'title', 'alt']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
    return out.join('\n');
  });
  // Addresses (localhost:8080/join) are not words of either language.
  let t = text.replace(/\S*\/\S*/g, ' ');
  for (const s of ignore) t = typeof s === 'string' ? t.split(s).join(' ') : t.replace(s, ' ');
  return t;
}

/**
 * What people typed or the demo holds, as the server sent it to this page (every WebSocket frame
 * it received, the signed-in person, the case list): names and sentences (strings with a
 * capital or a space; bare codes like "family" are not content and stay in the scan). The scan
 * leaves these out — Dutch case notes in the English UI are not the interface's words.
 */
async function contentStrings(page) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') {
      if (v.length >= 2 && (/\s/.test(v) || /^[A-ZÀ-Ý]/.test(v))) out.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      // A server message in both languages is interface text, not content.
      if (typeof v.nl === 'string' && typeof v.en === 'string' && Object.keys(v).length === 2) return;
      Object.values(v).forEach(walk);
    }
  };
  for (const f of page.frames_ ?? []) walk(f);
  const rest = await page.evaluate(async () => {
    const got = [];
    for (const u of ['/api/me', '/api/cases']) {
      try {
        const r = await fetch(u, { headers: { Accept: 'application/json' } });
        if (r.ok) got.push(await r.json());
      } catch {
        // not readable by this session
      }
    }
    return got;
  });
  walk(rest);
  return [...out].sort((a, b) => b.length - a.length);
}

/** The words of `dictionary` that occur in text (whole words, any case). */
export function foreignWords(text, dictionary) {
  const words = new Set(text.toLowerCase().split(/[^a-zà-ÿ'’-]+/u).filter(Boolean));
  return dictionary.filter((w) => words.has(w));
}

/** The interface language the page shows now. */
async function pageLang(page) {
  return page.evaluate(() => document.documentElement.lang || 'nl');
}

/**
 * Switches the page's language as a person would: the language switch when the page has one,
 * otherwise the stored choice, which every open Tafel tab follows live (the storage event).
 */
export async function setLang(page, lang) {
  const label = lang === 'en' ? 'English' : 'Nederlands';
  const button = page.getByRole('button', { name: label, exact: true });
  if ((await button.count()) > 0 && (await button.first().isVisible())) {
    await button.first().click();
  } else {
    await page.evaluate((l) => {
      localStorage.setItem('tafel.lang', l);
      window.dispatchEvent(new StorageEvent('storage', { key: 'tafel.lang', newValue: l, storageArea: localStorage }));
    }, lang);
  }
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: T });
}

/** Fails when the Dutch UI shows English words or the English UI Dutch words. */
export async function scanLanguage(page, { ignore = [] } = {}) {
  const lang = await pageLang(page);
  const content = await contentStrings(page);
  const text = await interfaceText(page, [...ignore, ...content]);
  const found = foreignWords(text, lang === 'en' ? DUTCH : ENGLISH_ONLY);
  const where = found.map((w) => {
    const i = text.toLowerCase().search(new RegExp(`(^|[^a-zà-ÿ])${w}([^a-zà-ÿ]|$)`));
    return `"${w}" in …${text.slice(Math.max(0, i - 40), i + w.length + 40).replace(/\s+/g, ' ')}…`;
  });
  assert(found.length === 0, `${lang === 'en' ? 'Dutch' : 'English'} words in the ${lang === 'en' ? 'English' : 'Dutch'} interface of ${page.url()}:\n  ${where.join('\n  ')}`);
}

// A refused request (401/403/404/409/410) is an answer the page shows in words; Chromium logs
// it (and a refused WebSocket upgrade) as an error all the same.
const EXPECTED_REFUSAL =
  /Failed to load resource: the server responded with a status of 4\d\d|WebSocket connection to .* failed: (Error during WebSocket handshake: Unexpected response code: 4\d\d|HTTP Authentication failed)/;

/** A story of one or more people, each in its own browser context, in one Chromium. */
export class Story {
  /** @param {string} name the suite (used in messages); @param tafel what startTafel returned */
  constructor(name, tafel) {
    this.name = name;
    this.tafel = tafel;
    this.base = tafel.url;
    this.runner = new Runner();
    this.failed = false;
    /** @type {Map<string, import('playwright-core').Page>} */
    this.pages = new Map();
    this.problems = [];
    this.browser = null;
  }

  async start() {
    if (!this.browser) this.browser = await launch();
    return this;
  }

  /**
   * A new person: a fresh browser context of a device kind (phone, laptop, screen), optionally
   * with the cookies of another person's page (the same browser). Console errors, page errors
   * and failed requests other than expected refusals (4xx) fail the current step.
   */
  async page(name, device = 'phone', { cookiesFrom, options = {} } = {}) {
    await this.start();
    const ctx = await this.browser.newContext({ ...DEVICES[device], ...options });
    if (cookiesFrom) await ctx.addCookies(await cookiesFrom.context().cookies());
    const page = await ctx.newPage();
    page.device = device;
    this.watch(page, name);
    return page;
  }

  /** Adopts a page (e.g. a second tab) into error capture and records what the server sends it. */
  watch(page, name) {
    this.pages.set(name, page);
    page.frames_ = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        try {
          page.frames_.push(JSON.parse(String(f.payload)));
        } catch {
          // not JSON
        }
      }),
    );
    page.on('pageerror', (e) => this.problems.push(`${name}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !EXPECTED_REFUSAL.test(m.text())) this.problems.push(`${name}: ${m.text()}`);
    });
  }

  /** Runs one step; after a failure the later steps are reported as failed (skipped). */
  async step(name, fn) {
    if (this.failed) {
      this.runner.failed++;
      console.log(`skip ${this.name}: ${name}`);
      return;
    }
    const before = this.runner.failed;
    await this.runner.test(`${this.name}: ${name}`, async () => {
      this.problems.length = 0;
      await fn();
      assert(this.problems.length === 0, `console or page errors:\n${this.problems.join('\n')}`);
    });
    if (this.runner.failed > before) {
      this.failed = true;
      for (const [n, p] of this.pages) {
        const dir = join(artifacts, 'failed');
        mkdirSync(dir, { recursive: true });
        await p.screenshot({ path: join(dir, `${this.name}-${n}.png`), fullPage: true }).catch(() => undefined);
      }
    }
  }

  /**
   * Photographs the page at the three sizes into artifacts/firsttime/<viewport>/<step>.png,
   * fails when the page is wider than the window (it would scroll sideways), runs axe-core at
   * each (serious or critical fails) and scans the interface text in Dutch and
   * in English (the page is switched and switched back). `ignore` leaves out strings (demo data)
   * from the language scan; `langs: false` skips it (a page with no words of its own).
   */
  async shot(page, step, { ignore = [], langs = true, sizes = Object.keys(VIEWPORTS) } = {}) {
    const own = page.viewportSize();
    for (const v of sizes) {
      await page.setViewportSize(VIEWPORTS[v]);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const dir = join(artifacts, v);
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${step}.png`), fullPage: true });
      // Nothing wider than the window: a page that scrolls sideways hides what sticks out.
      const wide = { page: await page.evaluate(() => document.documentElement.scrollWidth), window: VIEWPORTS[v].width };
      assert(wide.page <= wide.window, `${step} at ${v}: the page is ${wide.page} px wide in a ${wide.window} px window`);
      const serious = await axeSerious(page);
      assert(serious.length === 0, `${step} at ${v}: axe ${serious.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`).join('; ')}`);
    }
    await page.setViewportSize(own);
    if (!langs) return;
    const was = await pageLang(page);
    await scanLanguage(page, { ignore });
    const other = was === 'en' ? 'nl' : 'en';
    await setLang(page, other);
    try {
      await scanLanguage(page, { ignore });
      mkdirSync(join(artifacts, other), { recursive: true });
      await page.screenshot({ path: join(artifacts, other, `${step}.png`), fullPage: false });
    } finally {
      await setLang(page, was);
    }
  }

  /** Closes the browser and the server, prints the tally and sets the exit code. */
  async finish() {
    await this.browser?.close();
    this.tafel.stop();
    this.runner.finish();
  }
}

/** Waits until pred() holds (polling), or fails after T. */
export async function until(pred, what, timeout = T) {
  const end = Date.now() + timeout;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sets a demo account's password through its set-up link and signs in (home page shown). */
export async function signIn(page, setupLink, email) {
  await page.goto(setupLink);
  await page.locator('#setup-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  // Set-up may sign in directly (issue 14 onboarding) or ask to sign in.
  const home = page.getByText('Jouw casussen');
  const link = page.getByRole('link', { name: 'Inloggen' });
  await home.or(link).first().waitFor({ timeout: T });
  if (await home.isVisible()) return;
  await link.click();
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await home.waitFor({ timeout: T });
}
