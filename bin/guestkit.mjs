#!/usr/bin/env node
// Entry point of `npx guestkit`: runs the bundle that `npm ci` (prepare) builds.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(
    'guestkit: dist/cli.mjs is missing; run `npm run build:cli` (npm ci does it)\n',
  );
  process.exit(2);
}
await import(bundle);
