// End-to-end harness (plain node, no @playwright/test): builds the fixture bundle, serves it with
// the production CSP, renders every view at 390×844 and 1920×1080 in the system Chromium, saves
// screenshots to artifacts/screenshots/, runs axe-core (no serious or critical violation allowed)
// and a few checks per view. Prints "N passed, M failed"; exits non-zero on failure.
//
//   node frontend/e2e/run.mjs            # build fixtures + run
//   E2E_SKIP_BUILD=1 node frontend/e2e/run.mjs
import { build } from 'vite';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { launch, serveStatic, viewports, axeSerious, watch, inlineProblems, Runner, assert, ensureDir } from './harness.mjs';
import { checks } from './views.mjs';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const fixtureDist = resolve(repo, 'artifacts/e2e-dist');
const shots = resolve(repo, 'artifacts/screenshots');

const runner = new Runner();

if (!process.env.E2E_SKIP_BUILD) {
  await build({ configFile: resolve(repo, 'vite.config.ts'), mode: 'fixtures', logLevel: 'error' });
}
await ensureDir(shots);

await runner.test('built index.html has no inline script or style (CSP)', async () => {
  const files = [resolve(fixtureDist, 'index.html'), resolve(repo, 'frontend/dist/index.html')].filter((f) => existsSync(f));
  assert(files.length > 0, 'no built index.html found');
  for (const f of files) {
    const problems = inlineProblems(readFileSync(f, 'utf8'));
    assert(problems.length === 0, `${f}: ${problems.join(', ')}`);
  }
});

const server = await serveStatic(fixtureDist);
const browser = await launch();
try {
  for (const view of checks) {
    for (const vp of viewports) {
      await runner.test(`${view.name} @ ${vp.width}x${vp.height}`, async () => {
        const context = await browser.newContext({
          viewport: { width: vp.width, height: vp.height },
          isMobile: vp.isMobile,
          hasTouch: vp.hasTouch,
          deviceScaleFactor: vp.deviceScaleFactor,
          locale: view.lang === 'en' ? 'en-GB' : 'nl-NL',
          timezoneId: 'Europe/Amsterdam',
        });
        try {
          const page = await context.newPage();
          const problems = watch(page);
          if (view.lang) {
            await page.addInitScript((lang) => localStorage.setItem('tafel.lang', lang), view.lang);
          }
          await page.goto(`${server.url}/${view.hash}`);
          await page.locator('main h1').first().waitFor({ state: 'visible', timeout: 10_000 });
          if (view.ready) await view.ready(page);
          await page.screenshot({ path: resolve(shots, `${view.name}-${vp.width}x${vp.height}.png`), fullPage: true });
          if (view.check) await view.check(page, vp);
          const serious = await axeSerious(page);
          assert(
            serious.length === 0,
            `axe: ${serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('; ')}`,
          );
          // No horizontal scrolling on a phone.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert(overflow <= 1, `page is ${overflow}px wider than the viewport`);
          const relevant = problems.filter((p) => !/Failed to load resource: the server responded with a status of 404/.test(p));
          assert(relevant.length === 0, relevant.join('\n'));
        } finally {
          await context.close();
        }
      });
    }
  }
} finally {
  await browser.close();
  await server.close();
}
runner.finish();
