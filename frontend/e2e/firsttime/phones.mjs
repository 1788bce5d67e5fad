// The first time on a phone (issue 14): the GP and the police officer, the mother, the father
// and the aunt, each on their own phone (390×844, touch), in the Janna demo of a fresh tafel.
import { startTafel, Story, signIn, T } from './lib.mjs';

const tafel = await startTafel();
const story = await new Story('phones', tafel).start();
try {
  const gp = await story.page('gp', 'phone');
  await story.step('the GP sets a password and sees the home page', async () => {
    await signIn(gp, tafel.gp, 'huisarts@demo.tafel');
    await gp.getByText('Jouw casussen').waitFor({ timeout: T });
    await story.shot(gp, 'gp-home', { ignore: ['Gezin van baby Janna (demo)'] });
  });
} finally {
  await story.finish();
}
