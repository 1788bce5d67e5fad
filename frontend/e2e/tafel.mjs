// A real Tafel for the end-to-end suites (live.mjs, intake.mjs, firsttime/): the binary built
// once (frontend, then Go) and a fresh `tafel --demo` on a free port with its own data directory,
// as `make run` starts it, with no hand-set state.
//
//   import { startTafel } from './tafel.mjs';
//   const tafel = await startTafel();   // { url, chair, gp, nurse, admin, dataDir, child, stop() }
//   ...
//   tafel.stop();                       // stops the server and removes its data directory
//
// TAFEL_BIN names a binary to use (built there first when it is missing); without it the binary
// is built into artifacts/tafel-e2e. E2E_NO_FRONTEND_BUILD=1 skips `npm run build` (the frontend
// in frontend/dist is embedded as it is).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** The environment for the Go tool: the project's toolchain, no VCS stamping. */
export const goEnv = { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'go1.26.10', GOFLAGS: '-buildvcs=false' };

let built;
/** The tafel binary: TAFEL_BIN when it exists, otherwise the frontend and binary built once per process. */
export function buildBinary() {
  if (process.env.TAFEL_BIN && existsSync(process.env.TAFEL_BIN)) return resolve(process.env.TAFEL_BIN);
  if (built) return built;
  const bin = resolve(repo, process.env.TAFEL_BIN || 'artifacts/tafel-e2e');
  if (!process.env.E2E_NO_FRONTEND_BUILD) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
  execFileSync('go', ['build', '-o', bin, './cmd/tafel'], { cwd: repo, stdio: 'inherit', env: goEnv });
  built = bin;
  return bin;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * Starts a fresh `tafel --demo` and resolves with its URL, the set-up links it printed (the demo
 * accounts chair, gp, nurse and the first administrator), its data directory, the process and
 * stop(). `extra` are more flags; `port` and `dataDir` may be chosen beforehand (a suite that
 * starts other servers pointing at Tafel needs them first), otherwise a free port and a new
 * temporary directory (named after `name`) are taken. stop() removes the data directory.
 */
export async function startTafel({ extra = [], port, dataDir, name = 'tafel-e2e' } = {}) {
  const bin = buildBinary();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), `${name}-`));
  const at = port ?? (await freePort());
  return new Promise((resolvePromise, reject) => {
    // localhost, not 127.0.0.1: browsers accept passkeys only for a host name.
    const args = ['--addr', `127.0.0.1:${at}`, '--public-url', `http://localhost:${at}`, '--data', dir, '--demo', '--log-level', 'warn', ...extra];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tafel did not start:\n${out}\n${err}`)), 60_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const url = out.match(/Tafel draait op (http:\/\/\S+)/)?.[1];
      const link = (who) => out.match(new RegExp(`${who}@demo\\.tafel[^\\n]*\\n\\s*(\\S+\\/setup#\\S+)`))?.[1];
      const admin = out.match(/Nog geen beheerder[^\n]*\n[^\n]*\n\s*(\S+\/setup#\S+)/)?.[1];
      const [chair, gp, nurse] = [link('voorzitter'), link('huisarts'), link('jeugdverpleegkundige')];
      if (url && chair && gp && nurse && admin) {
        clearTimeout(timer);
        resolvePromise({
          url, chair, gp, nurse, admin, dataDir: dir, child, output: () => out,
          stop() {
            child.kill('SIGTERM');
            rmSync(dir, { recursive: true, force: true });
          },
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`tafel exited with ${code}:\n${err}`)));
  });
}
