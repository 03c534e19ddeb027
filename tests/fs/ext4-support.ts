// Shared by the ext4 tests: builds the WebAssembly module (cargo is incremental, so this is
// quick when nothing changed), mounts images, and walks trees.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ext4Driver } from '../../src/engine/fs/ext4/driver.js';
import type { Ext4FileSystem } from '../../src/engine/fs/ext4/filesystem.js';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { repoRoot } from '../helpers/fixtures.js';

let built = false;

/** Builds wasm/ into public/wasm once per test process, then loads the driver. */
export async function loadExt4(): Promise<void> {
  if (!built) {
    execFileSync('bash', [path.join(repoRoot, 'scripts', 'build-wasm.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    built = true;
  }
  await ext4Driver.load();
}

export function mountFile(file: string): Ext4FileSystem {
  return ext4Driver.mount(new NodeFileSource(file), { readonly: true });
}

export function mountBytes(bytes: Uint8Array, name = 'image'): Ext4FileSystem {
  return ext4Driver.mount(new MemorySource(bytes, name), { readonly: true });
}

export function mountSource(src: BlockSource): Ext4FileSystem {
  return ext4Driver.mount(src, { readonly: true });
}

/** Reads a whole file in one call. */
export function readAll(fs: Ext4FileSystem, p: string): Uint8Array {
  return fs.read(p, 0, fs.lstat(p).size);
}

/** Every path below `root` (not following symlinks), depth first, sorted per directory. */
export function walk(fs: Ext4FileSystem, root = '/'): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    const entries = fs
      .readdir(dir)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
      out.push(p);
      if (e.type === 'directory') visit(p);
    }
  };
  visit(root);
  return out;
}
