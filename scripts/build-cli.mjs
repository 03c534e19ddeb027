// Bundles the Node CLI (src/cli) into dist/cli.mjs with esbuild, so `npx guestkit` runs
// plain JavaScript with no TypeScript loader at start-up.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/cli.mjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
