// Browser end-to-end tests (e2e/*.e2e.ts): Debian's Chromium driven by playwright-core
// against the built app. Run with `npm run test:e2e`. One file at a time: each launches a
// browser, and the machine's cores are shared.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
