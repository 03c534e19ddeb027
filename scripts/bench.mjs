// Bundles bench/main.ts with esbuild and runs it (no TypeScript loader needed at run time).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await build({
  entryPoints: ['bench/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/bench.mjs',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync('node', ['dist/bench.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
