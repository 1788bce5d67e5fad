// The views the harness renders (fixture routes and the server-less pages) and what each must show.
import { assert } from './harness.mjs';

async function text(page) {
  return page.locator('main').innerText();
}

/** The mother's own safety plan, withheld from the father in the fixtures. */
const mothersPlan = 'veiligheidsplan voor zichzelf';
const withheldNotice = 'Er zijn afspraken die je niet ziet.';
/** The GP's explanation of his score for the mother, kept for professionals. */
const gpExplanation = 'Depressieve klachten zijn niet behandeld.';

export const checks = [
  {
    name: 'home',
    hash: '#/',
    ready: (page) => page.getByRole('link', { name: 'Inloggen' }).waitFor(),
  },
  { name: 'login', hash: '#/login' },
  { name: 'setup', hash: '#/setup/setup-token' },
  {
    name: 'join',
    // An unsigned token whose payload carries the invited name (the client only pre-fills it).
    hash: `#/join/x.${Buffer.from(JSON.stringify({ name: 'Ilse' })).toString('base64url')}.y`,
    ready: (page) => page.getByRole('button', { name: 'Meedoen' }).waitFor(),
    check: async (page) => {
      // A named invitation greets its person; it does not ask a name it will not use.
      assert((await text(page)).includes('Deze uitnodiging is voor Ilse.'), 'the invitation does not say whom it is for');
      assert((await page.getByLabel('Je naam').count()) === 0, 'a named invitation asks a name');
    },
  },
  {
    name: 'join-code',
    // /join without a link: type the code from the shared screen; a wrong code is said at the field.
    hash: '#/join',
    ready: (page) => page.getByLabel('Code').waitFor(),
    check: async (page) => {
      await page.getByLabel('Code').fill('abc');
      await page.getByRole('button', { name: 'Verder' }).click();
      const err = page.locator('#join-code-error');
      assert((await err.innerText()).includes('Deze code klopt niet'), 'a wrong code is not said at the field');
      await page.getByLabel('Code').fill('acde fghj');
      assert((await err.count()) === 0, 'the error stays while typing');
    },
  },
  {
    name: 'join-link',
    // The server's invitation links: /join#<token>.
    hash: `join#x.${Buffer.from(JSON.stringify({ name: 'Kees' })).toString('base64url')}.y`,
    ready: (page) => page.getByRole('button', { name: 'Meedoen' }).waitFor(),
    check: async (page) => {
      assert((await text(page)).includes('Deze uitnodiging is voor Kees.'), 'the /join#<token> link is not recognised');
    },
  },
  {
    name: 'lobby',
    hash: '#/fixture/lobby',
    check: async (page) => {
      assert((await text(page)).includes('Wacht tot de voorzitter je toelaat'), 'lobby text missing');
    },
  },
  {
    name: 'participant',
    hash: '#/fixture/participant',
    check: async (page) => {
      const groups = page.getByRole('group', { name: /Cijfer voor de veiligheid van/ });
      assert((await groups.count()) === 2, 'want one scale per subject');
      const radios = groups.first().getByRole('radio');
      assert((await radios.count()) === 12, 'want 11 values and "Kan ik niet beoordelen"');
      // The touch targets are large (WCAG 2.5.5 asks 44×44 px).
      const box = await page.locator('.score .opt span').first().boundingBox();
      assert(box && box.width >= 44 && box.height >= 44, `touch target too small: ${JSON.stringify(box)}`);
      // One "Versturen" for the whole round, with how many persons are filled in.
      assert((await page.getByRole('button', { name: 'Versturen', exact: true }).count()) === 1, 'want one Versturen for the round');
      assert(await page.getByText('0 van 2 ingevuld').isVisible(), 'want "0 van 2 ingevuld"');
      // Meaning is required before sending; the message stands at the field.
      await radios.nth(4).check();
      await page.getByRole('button', { name: 'Versturen', exact: true }).click();
      const alert = page.locator('.score').first().getByRole('alert');
      assert((await alert.innerText()).includes('Schrijf op wat dit cijfer'), 'meaning not required at the field');
      // Written, the message goes away.
      await page.locator('.score').first().getByLabel('Wat betekent dit cijfer voor jou?').fill('Er is nog geen plan.');
      assert((await alert.count()) === 0, 'a stale error stays');
      // A professional can keep the explanation for professionals, per subject.
      assert((await page.getByRole('checkbox', { name: 'Toelichting alleen voor professionals' }).count()) === 2, 'want a professionals-only checkbox per subject');
    },
  },
  {
    name: 'participant-revealed',
    hash: '#/fixture/participant-revealed',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('Iedereen 6 of hoger: nee'), 'consensus no missing');
      assert(t.includes('Waarom niet één punt hoger?'), 'explanations missing');
      assert(t.includes('Ik neem deze afspraak op me'), 'take-on button missing');
      // Professionals see what is withheld from whom, and why.
      const marked = page.locator('li', { hasText: mothersPlan });
      const mark = await marked.innerText();
      assert(mark.includes('Niet zichtbaar voor Mark de Vries') && mark.includes('Moeder stemt er nog niet mee in'), `marking missing: ${mark}`);
      assert(t.includes(gpExplanation), 'a professional misses the explanation kept for professionals');
      assert(!t.includes(withheldNotice), 'a professional is told something is withheld');
    },
  },
  {
    name: 'participant-family',
    hash: '#/fixture/participant-family',
    check: async (page) => {
      const t = await text(page);
      assert(!t.includes('Feiten'), 'family sees professionals-only facts');
      assert((await page.getByRole('checkbox', { name: 'Toelichting alleen voor professionals' }).count()) === 0, 'family is offered the professionals-only explanation');
    },
  },
  {
    name: 'participant-father',
    hash: '#/fixture/participant-father',
    check: async (page) => {
      const t = await text(page);
      assert(!t.includes(mothersPlan), 'the father sees the agreement withheld from him');
      assert(t.includes(withheldNotice), 'the father is not told that something is withheld');
      assert(!t.includes('Niet zichtbaar voor') && !t.includes('Moeder stemt er nog niet mee in'), 'markings or reason reach the father');
      assert(!t.includes(gpExplanation), 'the father sees an explanation kept for professionals');
      const gp = page.locator('.explanations li', { hasText: 'Ahmed El Amrani' });
      assert((await gp.filter({ hasText: 'Toelichting alleen voor professionals' }).count()) === 1, 'the kept explanation is not marked');
      assert(t.includes('Elke dag'), 'the father misses agreements he may see');
    },
  },
  {
    name: 'chair',
    hash: '#/fixture/chair',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('laagste score: Janna: 2'), 'lock reason with lowest score missing');
      assert(t.includes('Bodemeisen in dit overleg'), 'the bottom lines of the safety assessment are missing');
      assert(t.includes('Casusregisseur: Eva Jansen, Veilig Thuis'), 'the case director is missing from the console');
      assert((await page.locator('button', { hasText: 'Bijstellen' }).count()) > 0, 'bijstellen missing');
      assert(t.includes('Kees Mulder'), 'lobby participant missing');
      assert((await page.getByRole('button', { name: /Toelaten.*Kees Mulder/ }).count()) === 1, 'admit button missing');
      // Letting in a network member, the chair can say which case person he is.
      const person = page.getByLabel(/Wie is dit in de casus.*Kees Mulder/);
      assert((await person.locator('option').count()) === 7, 'want "not linked", two subjects and four family members');
      await person.selectOption({ label: 'Ilse Bakker (zus van moeder)' });
      assert(t.includes('Mark de Vries') && t.includes('als Mark de Vries'), 'the linked person of an admitted participant is not shown');
      // The plan so far is folded away in the console until the chair opens it.
      await page.locator('details.plan summary').click();
      assert((await text(page)).includes('Niet zichtbaar voor Mark de Vries'), 'the chair does not see what is withheld from whom');
      assert((await page.getByTestId('control-bar').count()) === 1, 'the control bar is missing');
      // Every plan form can withhold its entry from case persons, with a reason for professionals.
      // The forms of the open agenda item are open where it is; the others under "Iets anders
      // vastleggen", one at a time.
      const other = page.locator('details.other');
      await other.locator('summary', { hasText: 'Iets anders vastleggen' }).click();
      await other.getByText('Afspraak toevoegen').click();
      const ag = other.locator('details', { hasText: 'Afspraak toevoegen' }).first();
      // Folded away until opened.
      assert((await ag.getByRole('group', { name: 'Niet zichtbaar voor' }).count()) === 0, '"niet zichtbaar voor" is not folded away');
      await ag.locator('details.withhold summary').click();
      const group = ag.getByRole('group', { name: 'Niet zichtbaar voor' });
      assert((await group.getByRole('checkbox').count()) === 6, 'want a checkbox per case person');
      assert((await ag.getByLabel('Reden (alleen voor professionals)').count()) === 0, 'reason asked before a person is chosen');
      await group.getByRole('checkbox', { name: 'Mark de Vries (vader)' }).check();
      await ag.getByLabel('Reden (alleen voor professionals)').fill('Moeder stemt nog niet in.');
      assert((await ag.locator('summary', { hasText: 'Niet zichtbaar voor: Mark de Vries (vader)' }).count()) === 1, 'the chosen person is not named when folded');
      assert((await page.locator('details.withhold').count()) >= 6, 'a plan form lacks "niet zichtbaar voor"');
      assert(t.includes('Nieuwe ronde na discussie'), 'new round button missing');
      assert((await page.getByRole('button', { name: /^Omhoog/ }).count()) > 0, 'agenda move buttons missing');
      assert((await page.getByText('Agendapunt toevoegen').count()) === 1, 'add agenda item missing');
      assert((await page.getByRole('button', { name: /^Rol wijzigen/ }).count()) > 0, 'change role missing');
    },
  },
  {
    name: 'home-chair',
    hash: '#/fixture/home-chair',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('Gezin van baby Janna'), 'case list missing');
      // The director's start page: what is due and overdue between meetings.
      assert(t.includes('Wat moet er gebeuren'), 'due list missing on the start page');
      assert(t.includes('Contact met moeder: 3 dagen te laat'), 'the overdue check-in is not on the start page');
      assert(t.includes('Janna gaat elke maand met beide ouders naar de kinderarts: vandaag'), 'the check due today is missing');
      // The form needs a person: removing the title and subject gives two errors, read out.
      await page.getByRole('button', { name: 'Casus aanmaken' }).click();
      const alert = await page.getByRole('alert').innerText();
      assert(alert.includes('Vul een werktitel in') && alert.includes('Vul minstens één persoon in'), `errors missing: ${alert}`);
      await page.getByRole('button', { name: 'Persoon toevoegen' }).click();
      await page.getByRole('button', { name: 'Gezinslid toevoegen' }).click();
      assert((await page.getByLabel(/Naam persoon \d/).count()) === 2, 'want two subject rows after adding one');
      await page.getByText('Regels voor veiligheid').click();
      assert((await page.getByLabel(/^Q:/).getAttribute('placeholder')) === '2', 'default Q not shown');
    },
  },
  {
    name: 'admin',
    hash: '#/fixture/admin',
    check: async (page) => {
      assert((await page.getByRole('link', { name: 'Beheer' }).count()) === 1, 'admin link missing in the top bar');
      const t = await text(page);
      assert(t.includes('Huib Arts') && t.includes('nog geen wachtwoord') && t.includes('uitgeschakeld'), 'account list incomplete');
      assert(t.includes('geweigerd'), 'refused access missing from the access log');
      await page.getByLabel('E-mailadres').fill('vera@vt.example');
      await page.getByLabel('Naam', { exact: true }).fill('Vera Voorzitter');
      await page.getByLabel('Organisatie').fill('Veilig Thuis');
      await page.getByLabel('Rol').selectOption('chair');
      await page.getByRole('button', { name: 'Account aanmaken' }).click();
      assert((await page.locator('.result code').innerText()).includes('/setup#'), 'set-up link not shown');
      assert((await page.getByRole('button', { name: 'Link kopiëren' }).count()) === 1, 'copy button missing');
    },
  },
  {
    name: 'chair-open',
    hash: '#/fixture/chair-open',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('Nog niet ingevuld: Petra Visser, Sanne de Vries, Mark de Vries'), 'who has not submitted missing');
      assert((await page.getByRole('button', { name: 'Cijfers laten zien' }).count()) === 1, 'reveal button missing');
    },
  },
  {
    name: 'display',
    hash: '#/fixture/display',
    ready: (page) => page.locator('.qr svg').waitFor(),
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('3 van 6 hebben ingevuld'), 'round progress missing');
      assert(!t.includes('Visser') && !t.includes('El Amrani'), 'display shows more than first names');
      assert(t.includes('Op slot'), 'locked items missing');
      // The father is at the table: the shared screen leaves out what is withheld from him.
      assert(!t.includes(mothersPlan) && t.includes(withheldNotice), 'the display shows what is withheld from someone admitted');
    },
  },
  {
    name: 'display-revealed',
    hash: '#/fixture/display-revealed',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('Iedereen 6 of hoger: nee'), 'consensus missing');
      assert(t.includes('Iedereen 7 of hoger: nee'), 'the 7 verdict is missing (both verdicts in every phase)');
      assert(t.includes('Casusregisseur: Eva'), 'the case director is not in the corner');
      assert((await page.locator('svg.scale circle').count()) === 11, 'want one dot per score (11, one abstained)');
    },
  },
  {
    name: 'display-m2',
    hash: '#/fixture/display-m2',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('Iedereen 7 of hoger: nee'), 'phase 2 shows the 7 line');
      assert(t.includes('Iedereen 6 of hoger: ja'), 'phase 2 still says whether the 6 holds');
    },
  },
  {
    name: 'case',
    hash: '#/fixture/case',
    ready: (page) => page.locator('.chart canvas').first().waitFor(),
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('2 van 3 overleggen'), 'streak k of K missing');
      assert(t.includes('Ahmed El Amrani') && t.includes('warme overdracht'), 'the directors with the hand-over are missing');
      assert(t.includes('Contact met moeder: 3 dagen te laat'), 'the overdue check-in is missing on the case page');
      assert(t.includes('gehouden op'), 'the timeline does not say when a meeting was held');
      assert((await page.locator('.chart canvas').count()) === 2, 'want a trend chart per subject');
      assert(t.includes('Wie heeft de casus ingezien'), 'access log missing');
      // Adding a professional from the directory (members are not offered again).
      const pick = page.getByLabel('Kies een professional');
      assert((await pick.locator('option').count()) === 2, 'want the placeholder and Petra only');
      await pick.selectOption({ label: 'Petra Visser · jeugdverpleegkundige · JGZ' });
      await page.getByRole('button', { name: 'Toevoegen', exact: true }).click();
      await page.getByText('Petra Visser is toegevoegd.').waitFor();
    },
  },
  {
    name: 'family',
    hash: '#/fixture/family',
    check: async (page) => {
      const t = await text(page);
      assert(t.includes('Wat er altijd moet gebeuren'), 'bottom lines missing');
      assert(t.includes('Je casusregisseur') && t.includes('Eva Jansen') && t.includes('030-123 45 67'), 'the case director with phone is missing');
      assert(t.includes('Het plan is veranderd sinds je akkoord'), 'the family does not see that the plan changed');
      assert((await page.getByRole('button', { name: 'Ik ga akkoord met het veranderde plan' }).count()) === 1, 'no way to agree again');
      assert(t.includes('Volgende overleg'), 'next meeting missing');
      assert(!t.includes('Feiten') && !t.includes('Risicofactoren'), 'professional-only content on the family view');
      assert(t.includes(mothersPlan) && !t.includes(withheldNotice), 'the mother misses her own safety plan');
    },
  },
  {
    name: 'family-father',
    hash: '#/fixture/family-father',
    check: async (page) => {
      const t = await text(page);
      assert(!t.includes(mothersPlan), 'the father sees the agreement withheld from him');
      assert(t.includes(withheldNotice), 'the father is not told that something is withheld');
      // His meeting closed: until when he can read the plan, and how to get it again.
      assert(t.includes('Je kunt dit plan lezen tot 2 juni 2026') && t.includes('nieuwe link'), 'the read time is not shown');
    },
  },
  {
    name: 'family-en',
    hash: '#/fixture/family',
    lang: 'en',
    check: async (page) => {
      assert((await text(page)).includes('Our plan for safety'), 'English not applied');
      assert((await page.evaluate(() => document.documentElement.lang)) === 'en', 'html lang not en');
    },
  },
  // Values the client does not know yet must not break a view (the harness fails on page errors).
  ...['participant', 'chair', 'display', 'case', 'family'].map((v) => ({
    name: `odd-${v}`,
    hash: `#/fixture/odd-${v}`,
    check: async (page) => {
      const t = await text(page);
      assert(!/undefined|NaN|\[object Object\]/.test(t), `odd-${v} shows undefined, NaN or [object Object]`);
    },
  })),
];
