// Shared pieces of the end-to-end harness: the system Chromium, a static server for a built
// frontend with the production CSP, axe-core, and a tiny test runner that prints
// "N passed, M failed".
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { createServer } from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The CSP the Go server sends; the static server sends the same so violations show up here. */
export const csp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const viewports = [
  { name: 'phone', width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  { name: 'wide', width: 1920, height: 1080, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
];

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serves a built frontend folder on 127.0.0.1:0 with the CSP; /api answers 404 JSON. */
export async function serveStatic(dir) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const headers = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' };
    if (url.pathname.startsWith('/api/') || url.pathname === '/ws') {
      res.writeHead(404, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'not_found', message: { nl: 'Niet gevonden', en: 'Not found' } }));
      return;
    }
    let path = normalize(join(root, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!path.startsWith(root)) path = join(root, 'index.html');
    try {
      if (!(await stat(path)).isFile()) path = join(root, 'index.html');
    } catch {
      path = join(root, 'index.html');
    }
    const body = await readFile(path);
    res.writeHead(200, { ...headers, 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Runs axe-core (WCAG 2.1 A/AA) and returns the serious and critical violations. */
export async function axeSerious(page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Records console errors, page errors and CSP violations of a page. */
export function watch(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Finds inline <script> (without src), <style> and style="" in built HTML. */
export function inlineProblems(html) {
  const out = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc=/.test(m[1]) || m[2].trim() !== '') out.push('inline <script>');
  }
  if (/<style\b/i.test(html)) out.push('inline <style>');
  if (/\sstyle\s*=/i.test(html)) out.push('style="" attribute');
  if (/\son[a-z]+\s*=/i.test(html)) out.push('inline event handler');
  return out;
}

/** A minimal sequential test runner. */
export class Runner {
  passed = 0;
  failed = 0;
  failures = [];
  async test(name, fn) {
    try {
      await fn();
      this.passed++;
      console.log(`ok   ${name}`);
    } catch (e) {
      this.failed++;
      this.failures.push(name);
      console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
    }
  }
  finish() {
    console.log(`\n${this.passed} passed, ${this.failed} failed`);
    if (this.failed > 0) process.exitCode = 1;
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export async function ensureDir(dir) {
  await mkdir(dir, { recursive: true });
}
