// Runs every story of the "first time" suite (each *.mjs here but lib.mjs and run.mjs), one after
// the other, each on its own fresh `tafel --demo`; the binary is built once and shared.
//   node frontend/e2e/firsttime/run.mjs            # all stories
//   node frontend/e2e/firsttime/run.mjs phones     # only phones.mjs
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBinary } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const stories = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run.mjs'].includes(f))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.mjs$/, '')))
  .sort();
if (stories.length === 0) {
  console.error(`first time: no story matches ${only.join(', ')}`);
  process.exit(1);
}
const bin = buildBinary();
let failed = 0;
for (const f of stories) {
  console.log(`\n== first time: ${f}`);
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit', env: { ...process.env, TAFEL_BIN: bin } });
  if (r.status !== 0) failed++;
}
console.log(`\nfirst time: ${stories.length - failed} of ${stories.length} stories passed`);
if (failed > 0) process.exitCode = 1;
