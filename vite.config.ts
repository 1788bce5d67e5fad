import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, 'frontend');

// frontend/dist is embedded into the Go binary by frontend/embed.go, which needs the
// placeholder .gitkeep to exist even before a build; emptyOutDir removes it, so put it back.
function keepGitkeep(outDir: string): Plugin {
  return {
    name: 'tafel:keep-gitkeep',
    apply: 'build',
    closeBundle() {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(resolve(outDir, '.gitkeep'), '');
    },
  };
}

// Mode "fixtures" (used by frontend/e2e/run.mjs) builds the dev-only #/fixture/<view> routes
// into a separate folder; the production build in frontend/dist never contains them.
export default defineConfig(({ mode }) => {
  const fixtures = mode === 'fixtures';
  const outDir = fixtures ? resolve(here, 'artifacts/e2e-dist') : resolve(root, 'dist');
  return {
    root,
    base: '/',
    publicDir: resolve(root, 'public'),
    plugins: [svelte({ configFile: resolve(here, 'svelte.config.js') }), ...(fixtures ? [] : [keepGitkeep(outDir)])],
    define: { __TAFEL_FIXTURES__: JSON.stringify(fixtures) },
    build: {
      outDir,
      emptyOutDir: true,
      // Never inline assets as data: URLs; the CSP allows only 'self'.
      assetsInlineLimit: 0,
      cssCodeSplit: false,
      sourcemap: false,
    },
    server: {
      proxy: {
        '/api': 'http://127.0.0.1:8080',
        '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      },
    },
  };
});
