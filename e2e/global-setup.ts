// Runs once before the browser tests: builds the fixture images (fixtures/build-e2e.sh,
// cached by content hash), builds the app with Vite into dist/, serves dist/ on a free
// local port and hands the URL and fixture directory to the tests.
// E2E_SKIP_BUILD=1 reuses an existing dist/ (e.g. right after `npm run build`).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureFixture, repoRoot } from '../tests/helpers/fixtures.js';
import { serveStatic } from './static-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    fixtures: string;
    distDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fixtures = ensureFixture('e2e');
  const distDir = path.join(repoRoot, 'dist');
  if (process.env.E2E_SKIP_BUILD !== '1' || !fs.existsSync(path.join(distDir, 'index.html'))) {
    // A separate process: inside vitest NODE_ENV is "test", which would bundle React's
    // development build.
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      {
        cwd: repoRoot,
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  }
  const server = await serveStatic(distDir);
  project.provide('baseUrl', server.url);
  project.provide('fixtures', fixtures);
  project.provide('distDir', distDir);
  return () => server.close();
}
