import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  define: { __TAFEL_FIXTURES__: 'false' },
  test: {
    include: ['frontend/src/**/*.test.ts'],
    environment: 'node',
  },
});
