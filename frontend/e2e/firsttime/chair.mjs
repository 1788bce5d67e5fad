// The first time as the chair (issue 14): Vera, the case director, on a laptop (1366×768) runs
// the whole Janna meeting of a fresh `tafel --demo` from the console — start, a round, her own
// score and the GP's, "iedereen heeft gescoord — onthullen?", the next agenda item with its
// forms in place, close — and the console never scrolls: at every step the control bar is in
// the viewport and window.scrollY is 0. Along the way: the GP's main button is not "Voorzitten"
// and the chair's console is not his (point 9); revealing early and closing ask first (10); a
// refusal or a missing field shows next to the click and goes when the next action succeeds, no
// browser validation bubble (8); the GP is admitted without the lobby; the access log is newest
// first, in sentences that name a professional by discipline, without the shared screen's
// automatic join codes (6, 14); the GP is a huisarts at the table and on the screen (14); the minutes PDF is in local time
// (13); the start page says how to sign in to the demo, set-up names the account and signs in,
// and the home list shows a new case without a reload (onboarding, live).
import { inflateSync } from 'node:zlib';
import { startTafel, Story, signIn, T, assert, until, PASSWORD, setLang } from './lib.mjs';

const tafel = await startTafel();
const story = await new Story('chair', tafel).start();
// Demo data and people's names: not words of the interface.
const DEMO = ['Gezin van baby Janna (demo)', 'Vera de Vries', 'Huib Arts', 'Jet de Jong', 'Janna', 'moeder', 'Moeder', 'Vader', 'Tante',
  'Eerste veiligheidsoverleg', 'Gesprek met moeder (zonder vader)', 'Veilig Thuis', 'Huisartsenpraktijk De Linde', 'Jeugdgezondheidszorg',
  'voorzitter@demo.tafel', 'huisarts@demo.tafel', 'jeugdverpleegkundige@demo.tafel', 'Nieuwe casus Sam',
  'Moeder gaat bij dreiging met Janna naar de vrouwenopvang; de casusregisseur heeft het adres.',
  'Moeder stemt er (nog) niet mee in dat vader dit weet (visiedocument §3).',
  'Er is nog geen plan dat Janna beschermt.', 'Ouders laten zien dat zij Janna kunnen troosten.',
  'Twee gebroken ribben; thuis is het nu niet veilig.', 'Er is nog geen plan dat Janna beschermt.',
  'Eerder geweld tussen de ouders; moeder is bang.', 'Moeder heeft nog geen eigen veiligheidsplan.',
  'In het ziekenhuis is ze veilig, thuis nog niet.', 'De ouders kunnen haar nog niet troosten.',
  'Moeder heeft steun van haar zus.', 'Haar klachten zijn niet behandeld.', 'zus van moeder', 'Vanaf nu',
].sort((a, b) => b.length - a.length); // the longest first: a name must not break up a sentence that holds it

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

/** Lines of the page with any of `words` (shown when the language scan fails, to find them). */
async function linesWith(page, words) {
  const re = new RegExp(`\\b(${words.join('|')})\\b`, 'i');
  const lines = await page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (el && !el.closest('[translate="no"], script, style')) out.push(`${el.tagName}.${el.className}: ${n.textContent}`);
    }
    return out;
  });
  return lines.filter((l) => re.test(l)).join('\n');
}

/** story.shot, saying where the foreign words are when the language scan fails. */
async function shot(page, step, opts) {
  try {
    await story.shot(page, step, opts);
  } catch (e) {
    const words = String(e.message).match(/interface: (.*)$/m)?.[1]?.split(', ') ?? [];
    const english = /in the English interface/.test(e.message);
    if (english) await setLang(page, 'en');
    const where = words.length ? await linesWith(page, words) : '';
    if (english) await setLang(page, 'nl');
    throw new Error(`${e.message}\n${where}`);
  }
}

/** Fills the round's score form in `scope`: a value per person at risk, both explanations. */
async function score(page, scope, values) {
  const form = scope.locator('form.score-round');
  await form.waitFor({ timeout: T });
  for (const [i, v] of values.entries()) {
    await form.getByRole('radio', { name: String(v), exact: true }).nth(i).check();
  }
  const texts = form.locator('textarea');
  for (let i = 0; i < (await texts.count()); i++) await texts.nth(i).fill('Er is nog geen plan dat Janna beschermt.');
  await form.getByRole('button', { name: 'Versturen', exact: true }).click();
}

/** The text of a PDF's content streams (the core fonts keep the text readable). */
function pdfText(buf) {
  const s = buf.toString('latin1');
  let out = '';
  for (const m of s.matchAll(/stream\r?\n([\s\S]*?)\nendstream/g)) {
    try {
      out += inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      /* not a compressed content stream */
    }
  }
  return [...out.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)].map((x) => x[1].replace(/\\(.)/g, '$1')).join('\n');
}

try {
  const vera = await story.page('vera', 'laptop');
  const bar = vera.getByTestId('control-bar');
  const main = vera.locator('[data-pane="main"]');

  await story.step('the start page says how to sign in to the demo', async () => {
    await vera.goto(tafel.url);
    await vera.getByRole('heading', { name: 'Dit is de demo' }).waitFor({ timeout: T });
    await vera.getByText('voorzitter@demo.tafel').first().waitFor({ timeout: T });
    await shot(vera, 'chair-start', { ignore: DEMO });
  });

  await story.step('set-up names the account and signs Vera in', async () => {
    await vera.goto(tafel.chair);
    await vera.getByText('Je stelt het wachtwoord in voor Vera de Vries (voorzitter@demo.tafel, Veilig Thuis).').waitFor({ timeout: T });
    await shot(vera, 'chair-setup', { ignore: DEMO });
    await vera.locator('#setup-password').fill(PASSWORD);
    await vera.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
    await vera.getByText('Jouw casussen').waitFor({ timeout: T });
    await vera.getByRole('link', { name: 'Voorzitten' }).waitFor({ timeout: T });
  });

  const gp = await story.page('gp', 'phone');
  await story.step("the GP's main button is not Voorzitten, and the console is not his", async () => {
    await signIn(gp, tafel.gp, 'huisarts@demo.tafel');
    await gp.getByRole('link', { name: 'Meedoen' }).waitFor({ timeout: T });
    assert((await gp.getByRole('link', { name: 'Voorzitten' }).count()) === 0, 'the GP is offered "Voorzitten"');
    await shot(gp, 'chair-gp-home', { ignore: DEMO });
    await gp.goto(`${tafel.url}/#/chair/janna`);
    await gp.getByText('Je bent niet de voorzitter van dit overleg.', { exact: false }).waitFor({ timeout: T });
    assert((await gp.getByTestId('control-bar').count()) === 0, 'the GP sees the control bar');
    assert((await gp.getByRole('button', { name: 'Overleg starten' }).count()) === 0, 'the GP sees "Overleg starten"');
    await gp.getByRole('link', { name: 'Naar het overleg' }).click();
    await gp.waitForURL(/#\/meeting\/janna/, { timeout: T });
  });

  const screen = await story.page('screen', 'screen', { cookiesFrom: vera });
  await story.step('the console fits the laptop before the meeting starts', async () => {
    await screen.goto(`${tafel.url}/#/display/janna`);
    await vera.getByRole('link', { name: 'Voorzitten' }).click();
    await bar.getByRole('button', { name: 'Overleg starten' }).waitFor({ timeout: T });
    await fits(vera, 'scheduled');
    await shot(vera, 'chair-console-scheduled', { ignore: DEMO });
  });

  await story.step('start, open a round; the GP of the case comes in without the lobby', async () => {
    await bar.getByRole('button', { name: 'Overleg starten' }).click();
    await bar.getByRole('button', { name: 'Ronde 1 openen' }).click();
    await bar.getByText(/Ronde 1: 0 van 2 hebben gescoord\./).waitFor({ timeout: T });
    await fits(vera, 'round open');
    assert((await vera.getByText('Huib Arts', { exact: false }).count()) > 0, 'the GP is not at the table');
    // Point 14: the GP is a huisarts at the table and on the shared screen, not "professional".
    await vera.locator('.people li', { hasText: 'Huib Arts' }).getByText('huisarts', { exact: true }).waitFor({ timeout: T });
    await screen.locator('.join .code').waitFor({ timeout: T }); // the screen made its join code
    await screen.locator('.chip', { hasText: 'Huib' }).getByText('· huisarts').waitFor({ timeout: T });
  });

  await story.step('an early reveal asks first; closing with a round open says why not, next to the bar', async () => {
    await bar.getByRole('button', { name: 'Cijfers laten zien' }).click();
    await bar.getByText(/Nog niet iedereen heeft gescoord \(.*Huib Arts.*\)/).waitFor({ timeout: T });
    await shot(vera, 'chair-console-reveal-early', { ignore: DEMO });
    await bar.getByRole('button', { name: 'Annuleren' }).click();
    await bar.getByRole('button', { name: 'Overleg afsluiten' }).click();
    await bar.getByRole('alert').getByText('Laat eerst de cijfers van de lopende ronde zien.').waitFor({ timeout: T });
    await fits(vera, 'refused close');
  });

  await story.step('the chair scores from the console; the round waits for her reveal', async () => {
    await score(vera, main, [2, 3]);
    await bar.getByText(/Ronde 1: 1 van 2 hebben gescoord\./).waitFor({ timeout: T });
    await score(gp, gp.locator('main'), [2, 3]);
    await bar.getByText('Iedereen heeft gescoord — onthullen?').waitFor({ timeout: T });
    const r = await vera.evaluate(() => document.querySelector('[data-pane="main"]')?.textContent ?? '');
    assert(!r.includes('Ronde 1 — onthuld') && (await bar.getByRole('button', { name: 'Cijfers laten zien' }).count()) === 1, 'the round revealed itself');
    await fits(vera, 'complete');
    await shot(vera, 'chair-console-complete', { ignore: DEMO });
  });

  await story.step('reveal: the stale refusal goes; the next item opens its forms in place', async () => {
    await bar.getByRole('button', { name: 'Cijfers laten zien' }).click();
    await bar.getByText('Ronde 1: de cijfers staan op het scherm.').waitFor({ timeout: T });
    assert((await bar.getByRole('alert').count()) === 0, 'the refusal of before the reveal is still shown');
    await fits(vera, 'revealed');
    await shot(vera, 'chair-console-revealed', { ignore: DEMO });
    const next = bar.getByRole('button', { name: /^Volgend punt: / });
    const title = (await next.textContent()).replace('Volgend punt: ', '').trim();
    await next.click();
    await main.getByRole('heading', { name: `Nu aan de orde: ${title}` }).waitFor({ timeout: T });
    assert((await main.locator('details[open] form').count()) >= 1, 'the item opened no form');
    await fits(vera, 'next item');
    await shot(vera, 'chair-console-item', { ignore: DEMO });
  });

  await story.step('a missing field is said next to its button, in Dutch, without a browser bubble', async () => {
    const form = main.locator('details[open]', { hasText: 'Bodemeis toevoegen' }).locator('form').first();
    await form.getByRole('button', { name: 'Toevoegen' }).click();
    await form.getByRole('alert').getByText('Vul dit eerst in.').waitFor({ timeout: T });
    const bubble = await form.evaluate((f) => !f.noValidate && [...f.querySelectorAll('input, textarea, select')].some((x) => x.matches(':invalid')));
    assert(!bubble, 'the form would show a browser validation bubble');
    await form.getByRole('group', { name: 'Voor wie' }).getByLabel('Janna', { exact: true }).check();
    await form.getByLabel('Tekst').fill('Ouders laten zien dat zij Janna kunnen troosten.');
    await form.getByRole('button', { name: 'Toevoegen' }).click();
    await until(async () => (await form.getByRole('alert').count()) === 0, 'the message to go');
    await fits(vera, 'form');
  });

  await story.step('closing asks first; the console says the meeting is closed', async () => {
    await bar.getByRole('button', { name: 'Overleg afsluiten' }).click();
    await bar.getByRole('button', { name: 'Ja, afsluiten' }).click();
    await bar.getByText('Dit overleg is gesloten.').waitFor({ timeout: T });
    await fits(vera, 'closed');
    await shot(vera, 'chair-console-closed', { ignore: DEMO });
  });

  await story.step('the minutes PDF speaks local time', async () => {
    const view = await (await vera.request.get(`${tafel.url}/api/cases/janna/view`)).json();
    const m1 = (view.meetings ?? []).find((m) => m.id === 'm1');
    assert(m1?.heldAt, 'meeting 1 has no held time');
    const parts = Object.fromEntries(new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'numeric', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(m1.heldAt)).map((p) => [p.type, p.value]));
    const local = `${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}`;
    const res = await vera.request.get(`${tafel.url}/api/cases/janna/meetings/m1/minutes.pdf`);
    assert(res.ok(), `minutes: ${res.status()}`);
    const text = pdfText(await res.body());
    assert(text.includes(`gehouden op ${local}`), `the minutes do not say "gehouden op ${local}":\n${text.slice(0, 600)}`);
    assert(text.includes('Directe veiligheid: nee'), 'the minutes draw no conclusion on direct safety');
  });

  await story.step('the access log: newest first, in sentences naming the discipline, no automatic join codes', async () => {
    await vera.goto(`${tafel.url}/#/case/janna`);
    const table = vera.getByRole('region', { name: 'Wie heeft de casus ingezien' });
    await table.locator('tbody tr').first().waitFor({ timeout: T });
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    const text = rows.map((r) => r[1]).join('\n');
    assert(/Vera de Vries \(voorzitter, Veilig Thuis\) opende de casus/.test(text), `no sentence "Vera … opende de casus":\n${text}`);
    // Point 6/14: the GP by his discipline ("Huisarts Huib Arts … gaf een cijfer").
    assert(/Huisarts Huib Arts \(Huisartsenpraktijk De Linde\) gaf een cijfer/.test(text), `no sentence "Huisarts Huib Arts … gaf een cijfer":\n${text}`);
    // The shared screen was open all meeting and made its join codes: none of them is a line.
    assert(!text.includes('toegangscode'), `the shared screen's automatic join codes are in the access log:\n${text}`);
    for (const code of ['score.submit', 'connect', 'chair/chair', 'command', 'join-code', 'case/view']) {
      assert(!text.includes(code), `the access log shows the code ${code}`);
    }
    const what = rows.map((r) => r[1]);
    const minutes = what.findIndex((w) => w.includes('opende het verslag'));
    assert(minutes >= 0 && minutes < 12, `the minutes just read are not among the newest lines (at ${minutes}):\n${text}`);
    assert(what.length > minutes + 1, 'the access log shows nothing older than the minutes');
    await shot(vera, 'chair-access-log', { ignore: [...DEMO, /\d{1,3}(\.\d{1,3}){3}/g, /\d+ keer/g] });
  });

  await story.step('the home list shows a new case without a reload', async () => {
    const home = await story.page('vera-home', 'laptop', { cookiesFrom: vera });
    await home.goto(tafel.url);
    await home.getByText('Gezin van baby Janna (demo)').waitFor({ timeout: T });
    await vera.goto(tafel.url);
    await vera.locator('#nc-title').fill('Nieuwe casus Sam');
    await vera.locator('#nc-subject-0').fill('Sam');
    await vera.getByRole('button', { name: /Casus aanmaken/ }).click();
    await home.getByText('Nieuwe casus Sam').waitFor({ timeout: 40_000 });
  });
} finally {
  await story.finish();
}
