// Builds fixture images on demand with the scripts in fixtures/, cached under .fixtures/NAME
// and rebuilt when the script changes. Expected values are written beside the images by the
// script itself, from independent tools (qemu-img, sfdisk, blkid), never by guestkit.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: the nearest directory above this module holding package.json
 * (this file also runs bundled into dist/, one level shallower than in tests/helpers/). */
export const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
})();
export const sharedTestdata = path.resolve(repoRoot, '../shared/testdata');

/** Returns the directory holding fixture set NAME, building it first if needed. */
export function ensureFixture(name: string): string {
  const script = path.join(repoRoot, 'fixtures', `build-${name}.sh`);
  const out = path.join(repoRoot, '.fixtures', name);
  const digest = createHash('sha256').update(fs.readFileSync(script)).digest('hex');
  const stamp = path.join(out, '.stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest) return out;
  const lock = `${out}.lock`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Several test workers may want the same set: the first builds, the others wait.
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest) return out;
      if (i > 6000) throw new Error(`timed out waiting for ${lock}`);
      execFileSync('sleep', ['0.1']);
    }
  }
  try {
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest) return out;
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    execFileSync('bash', [script, out], { stdio: ['ignore', 'ignore', 'inherit'], cwd: repoRoot });
    fs.writeFileSync(stamp, digest);
    return out;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Decompress a file of ../shared/testdata (.gz, .xz, .zst or plain) into memory. */
export function readTestdata(rel: string): Uint8Array {
  const file = path.join(sharedTestdata, rel);
  if (rel.endsWith('.gz'))
    return new Uint8Array(execFileSync('gzip', ['-dc', file], { maxBuffer: 2 ** 31 }));
  if (rel.endsWith('.xz'))
    return new Uint8Array(execFileSync('xz', ['-dc', file], { maxBuffer: 2 ** 31 }));
  if (rel.endsWith('.zst'))
    return new Uint8Array(execFileSync('zstd', ['-dc', file], { maxBuffer: 2 ** 31 }));
  return new Uint8Array(fs.readFileSync(file));
}

/** Decompress a testdata file to a cache path on disk (for large images and CLI tests). */
export function testdataFile(rel: string): string {
  const dest = path.join(repoRoot, '.fixtures', 'testdata', rel.replace(/\.(gz|xz|zst)$/, ''));
  if (fs.existsSync(dest)) return dest;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, readTestdata(rel));
  fs.renameSync(tmp, dest);
  return dest;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of a file on disk, read in 8 MiB pieces (multi-GiB images and downloads). */
export function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(8 << 20);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}
