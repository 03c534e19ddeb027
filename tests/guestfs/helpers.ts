// Shared by the Guestfs file-layer tests: the "guestfs" fixture (fixtures/build-guestfs.sh),
// its expected values (kernel mount, GNU tools), and a handle with the guest mounted the
// way its /etc/fstab says (/dev/sda1 on /, /dev/sda2 on /home).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import { EngineError } from '../../src/engine/errors.js';
import type { GuestfsEnvironment } from '../../src/engine/guestfs/environment.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture, repoRoot } from '../helpers/fixtures.js';

export const dir = ensureFixture('guestfs');
export const disk = path.join(dir, 'disk.qcow2');

export interface TreeEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  ino: number;
  nlink: number;
  blocks: number;
  blksize: number;
  atime_ns: number;
  mtime_ns: number;
  ctime_ns: number;
  dev: 'root' | 'home';
  target?: string;
  rdev?: [number, number];
  hashes?: Record<string, string>;
  xattrs?: Record<string, string>;
}

export function expected<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, 'expected', name), 'utf8')) as T;
}

export const tree = expected<{
  root: { ino: number; mode: number; size: number };
  entries: TreeEntry[];
}>('tree.json');
export const byPath = new Map(tree.entries.map((e) => [e.path, e]));

export function entry(p: string): TreeEntry {
  const e = byPath.get(p);
  if (!e) throw new Error(`fixture has no ${p}`);
  return e;
}

/** The source bytes of a guest path (rootsrc/ or homesrc/ of the fixture). */
export function source(p: string): Buffer {
  const inHome = p.startsWith('/home/');
  return fs.readFileSync(path.join(dir, inHome ? 'homesrc' : 'rootsrc', inHome ? p.slice(6) : p));
}

let wasmChecked = false;

/** The ext4 module must exist in public/wasm (CI builds it in setup; build it if not). */
export function ensureWasm(): void {
  if (wasmChecked) return;
  if (!fs.existsSync(path.join(repoRoot, 'public', 'wasm', 'ext4.wasm')))
    execFileSync('bash', [path.join(repoRoot, 'scripts', 'build-wasm.sh')], { stdio: 'ignore' });
  wasmChecked = true;
}

/** A launched handle on `files` with the drivers loaded, nothing mounted. */
export async function launched(
  files: string[] = [disk],
  env: GuestfsEnvironment = new NodeEnvironment(),
): Promise<Guestfs> {
  ensureWasm();
  const g = new Guestfs(env);
  for (const f of files) g.add_drive_ro(f);
  g.launch();
  await g.prepareFilesystems();
  return g;
}

/** The guest as its fstab describes it: /dev/sda1 on /, /dev/sda2 on /home. */
export async function guest(env?: GuestfsEnvironment): Promise<Guestfs> {
  const g = await launched([disk], env);
  g.mount_ro('/dev/sda1', '/');
  g.mount_ro('/dev/sda2', '/home');
  return g;
}

/** The EngineError `fn` throws (fails the test if it returns). */
export function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError, but the call returned');
}

export const kindOf = (fn: () => unknown): string => thrown(fn).kind;
