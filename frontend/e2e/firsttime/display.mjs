// The first time of the shared screen (issue 14, point 11), 1920×1080 in the room: it joins
// people like Mentimeter — a short code to type at /join and a QR code of a short link — the
// chair chooses the role at admission, a signed-in GP scanning it is asked first, the code hides
// during a reveal, a closed meeting says so, the screen — a browser on the room's computer — changes
// language live when the chair switches it from her laptop, and the screen fits 1920×1080
// without scrolling at every step — the demo's two persons at risk with the join code, and six
// persons at risk. An expired session is a plain page, not a spinner.
import { startTafel, Story, signIn, T, assert, until, VIEWPORTS } from './lib.mjs';

const tafel = await startTafel();
const story = await new Story('display', tafel).start();
const base = tafel.url;

/** The code the screen shows now, without the space. */
const codeOn = async (display) => (await display.locator('.join .code [translate="no"]').innerText()).replace(/\s/g, '');

/** Whether the page fits its viewport without scrolling. */
const fits = (page) => page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1 && document.documentElement.scrollWidth <= window.innerWidth + 1);

try {
  const chair = await story.page('chair', 'laptop');
  let display, gp, aunt;

  await story.step('a screen nobody signed in to says so in words, not a spinner', async () => {
    const bare = await story.page('bare-screen', 'screen');
    await bare.goto(`${base}/#/display/janna`);
    await bare.getByRole('heading', { name: 'Je sessie is verlopen' }).waitFor({ timeout: T });
    await bare.getByText('Dit gedeelde scherm is niet (meer) ingelogd.', { exact: false }).waitFor({ timeout: T });
    assert((await bare.getByText('Laden…').count()) === 0, 'a spinner on the bare screen');
    await story.shot(bare, 'display-not-signed-in');
    await bare.context().close();
  });

  await story.step('the chair starts the meeting; the screen shows a short code, where to type it and a small QR', async () => {
    await signIn(chair, tafel.chair, 'voorzitter@demo.tafel');
    await chair.goto(`${base}/#/chair/janna`);
    await chair.getByRole('button', { name: 'Overleg starten' }).click();
    await chair.getByRole('button', { name: /Ronde 1 openen/ }).waitFor({ timeout: T });
    // The screen is the room's computer: a browser of its own, which the chair signed in to.
    display = await story.page('display', 'screen', { cookiesFrom: chair });
    await display.goto(`${base}/#/display/janna`);
    await display.locator('.join .code').waitFor({ timeout: T });
    const code = await codeOn(display);
    assert(/^[ACDEFGHJKMNPQRTUVWXY23467]{8}$/.test(code), `the code ${code} is not 8 characters without look-alikes`);
    assert((await display.locator('.join .host').innerText()).endsWith('/join'), 'the screen does not say where to type the code');
    // A QR of <public-url>/j/<code>: a small symbol, scannable across the room.
    const modules = await display.locator('.join .qr svg').evaluate((svg) => Number(svg.getAttribute('viewBox')?.split(' ')[2]));
    assert(modules > 0 && modules <= 41, `the QR has ${modules} modules a side (with its margin); want a small one`);
    await story.shot(display, 'display-code');
    assert(await fits(display), 'the screen with its join code overflows the 1920×1080 screen');
  });

  await story.step('a signed-in GP scanning the QR is asked first; "no" leaves him the GP', async () => {
    gp = await story.page('gp', 'phone');
    await signIn(gp, tafel.gp, 'huisarts@demo.tafel');
    await gp.goto(`${base}/j/${await codeOn(display)}`);
    await gp.getByText('Je bent ingelogd als Huib Arts.').waitFor({ timeout: T });
    await story.shot(gp, 'display-gp-asked');
    await gp.getByRole('link', { name: /Nee, blijf Huib Arts/ }).click();
    const me = await gp.evaluate(() => fetch('/api/me').then((r) => r.json()));
    assert(me.name === 'Huib Arts' && me.professional, `the GP became ${JSON.stringify(me)}`);
  });

  await story.step('the display\'s code joins a phone: the aunt types it and the chair admits her as network', async () => {
    const code = await codeOn(display);
    aunt = await story.page('aunt', 'phone');
    await aunt.goto(`${base}/join`);
    await aunt.getByLabel('Code').fill(code.toLowerCase());
    await aunt.getByRole('button', { name: 'Verder' }).click();
    await aunt.getByLabel('Je naam').fill('Ilse');
    await aunt.getByRole('button', { name: 'Meedoen' }).click();
    await aunt.getByText('Wacht tot de voorzitter je toelaat').waitFor({ timeout: T });
    await chair.getByRole('button', { name: /Toelaten.*Ilse/ }).click();
    await aunt.getByText('Waar we nu over praten').waitFor({ timeout: T });
    // A used code is replaced on the screen.
    await display.waitForFunction((old) => document.querySelector('.join .code [translate="no"]')?.textContent?.replace(/\s/g, '') !== old, code, { timeout: T });
  });

  await story.step('the chair switches the screen\'s language from her laptop; the screen follows live', async () => {
    const select = chair.getByLabel('Taal van het gedeelde scherm');
    const loads = [];
    display.on('load', () => loads.push(display.url()));
    await select.selectOption('en');
    await display.getByText('and type the code:').waitFor({ timeout: T });
    assert((await display.evaluate(() => document.documentElement.lang)) === 'en', 'the screen\'s page is not marked English');
    // Her own console stays Dutch: only the screen changed.
    await chair.getByLabel('Taal van het gedeelde scherm').waitFor({ timeout: T });
    assert((await chair.evaluate(() => document.documentElement.lang)) === 'nl', 'the chair\'s console changed language too');
    await story.shot(display, 'display-english', { langs: false });
    assert(await fits(display), 'the English screen overflows the 1920×1080 screen');
    await select.selectOption('nl');
    await display.getByText('en typ de code:').waitFor({ timeout: T });
    assert(loads.length === 0, `the screen reloaded to change language: ${loads.join(', ')}`);
    // Back to the screen's own setting (Dutch in this browser): the screen stays as it is.
    await select.selectOption('');
    const setting = () => chair.evaluate(() => fetch('/api/cases/janna').then((r) => r.json()).then((v) => v.current?.displayLanguage ?? ''));
    await until(async () => (await setting()) === '', 'the meeting\'s screen language cleared');
    await display.getByText('en typ de code:').waitFor({ timeout: T });
  });

  await story.step('the code hides while the scores are up', async () => {
    await chair.getByRole('button', { name: /Ronde 1 openen/ }).click();
    const tab = await chair.context().newPage();
    story.watch(tab, 'chair-tab');
    await tab.goto(`${base}/#/meeting/janna`);
    for (const page of [aunt, tab]) {
      const form = page.locator('form.score-round');
      await form.waitFor({ timeout: T });
      for (const [i, v] of [[0, 3], [1, 4]]) {
        const part = form.locator('.score').nth(i);
        await part.getByRole('radio', { name: String(v), exact: true }).check();
        await part.getByLabel('Wat betekent dit cijfer voor jou?').fill('Nog geen plan');
        await part.getByLabel('Waarom niet één punt hoger?').fill('Eerst een plan');
      }
      await form.getByRole('button', { name: 'Versturen', exact: true }).click();
    }
    // The chair may be asked when to reveal (chair.mjs); then she says yes.
    const reveal = chair.getByRole('button', { name: /onthul|cijfers laten zien/i });
    await Promise.race([
      display.getByText('Ronde 1: de cijfers').waitFor({ timeout: T }),
      reveal.first().waitFor({ timeout: T }).then(() => reveal.first().click()),
    ]);
    await display.getByText('Ronde 1: de cijfers').waitFor({ timeout: T });
    assert((await display.locator('.join').count()) === 0, 'the join code stays on the screen during the reveal');
    await story.shot(display, 'display-revealed');
    assert(await fits(display), 'the scores of two persons do not fit the 1920×1080 screen');
  });

  await story.step('a closed meeting says so on the screen', async () => {
    await chair.getByRole('button', { name: 'Overleg afsluiten' }).first().click();
    await chair.getByRole('button', { name: 'Ja, afsluiten' }).click();
    await display.getByText('Dit overleg is gesloten.', { exact: false }).waitFor({ timeout: T });
    assert((await display.locator('.join').count()) === 0, 'a join code on a closed meeting');
    await story.shot(display, 'display-closed');
    assert(await fits(display), 'the closed meeting overflows the 1920×1080 screen');
  });

  await story.step('six persons at risk fit the screen at 1920×1080', async () => {
    const names = ['Janna', 'Daan', 'Noor', 'Sem', 'Lotte', 'Finn'];
    const created = await chair.evaluate(async (subjects) => {
      const r = await fetch('/api/cases', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Tafel-CSRF': '1' },
        body: JSON.stringify({ title: 'Gezin met zes kinderen', subjects: subjects.map((n) => ({ id: n.toLowerCase(), name: n })) }),
      });
      return r.json();
    }, names);
    assert(created.id, `no case: ${JSON.stringify(created)}`);
    await chair.goto(`${base}/#/chair/${created.id}`);
    const at = new Date(Date.now() + 3600 * 1000);
    await chair.getByLabel('Datum en tijd').fill(new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16));
    await chair.getByRole('button', { name: 'Overleg plannen' }).click();
    await chair.getByRole('button', { name: 'Overleg starten' }).click();
    await chair.getByRole('button', { name: /Ronde 1 openen/ }).click();
    const six = await chair.context().newPage();
    story.watch(six, 'six-display');
    await six.setViewportSize(VIEWPORTS.screen);
    await six.goto(`${base}/#/display/${created.id}`);
    await six.getByText('Ronde 1: hoe veilig is het nu?').waitFor({ timeout: T });
    const tab = await chair.context().newPage();
    story.watch(tab, 'six-tab');
    await tab.goto(`${base}/#/meeting/${created.id}`);
    const form = tab.locator('form.score-round');
    await form.waitFor({ timeout: T });
    for (let i = 0; i < names.length; i++) {
      const part = form.locator('.score').nth(i);
      await part.getByRole('radio', { name: String(3 + i), exact: true }).check();
      await part.getByLabel('Wat betekent dit cijfer voor jou?').fill('Zorgen');
      await part.getByLabel('Waarom niet één punt hoger?').fill('Nog geen plan');
    }
    await tab.getByText('6 van 6 ingevuld').waitFor({ timeout: T });
    await form.getByRole('button', { name: 'Versturen', exact: true }).click();
    const reveal = chair.getByRole('button', { name: /onthul|cijfers laten zien/i });
    await Promise.race([
      six.getByText('Ronde 1: de cijfers').waitFor({ timeout: T }),
      reveal.first().waitFor({ timeout: T }).then(() => reveal.first().click()),
    ]);
    await six.getByText('Ronde 1: de cijfers').waitFor({ timeout: T });
    for (const n of names) await six.getByRole('heading', { name: n, exact: true }).waitFor({ timeout: T });
    await story.shot(six, 'display-six');
    assert(await fits(six), 'six persons at risk overflow the 1920×1080 screen');
  });
} finally {
  await story.finish();
}
