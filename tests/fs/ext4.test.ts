// Mounts every image of fixtures/build-ext4.sh through ext4.wasm and compares the tree with
// the walk of the source directory (expected/tree*.json, taken by Python from the files
// mke2fs -d and cp -a copied) and the superblock with dumpe2fs -h / blkid -p.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Ext4FileSystem } from '../../src/engine/fs/ext4/filesystem.js';
import { EngineError } from '../../src/engine/errors.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';
import { loadExt4, mountFile, walk } from './ext4-support.js';

interface Expected {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  nlink: number;
  size?: number;
  sha256?: string;
  target?: string;
  rdev?: [number, number];
  xattrs?: Record<string, string>;
}

interface ImageFacts {
  blkidType: string;
  label: string;
  uuid: string;
  features: string[];
  blockSize: number;
  blockCount: number;
  freeBlocks: number;
  inodeCount: number;
  freeInodes: number;
  reservedBlocks: number;
  hashVersion: string;
  rootInodes: Record<string, number>;
  tailHoleSize: number;
}

let dir = '';
const readJson = <T>(rel: string): T =>
  JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as T;

beforeAll(async () => {
  dir = ensureFixture('ext4');
  await loadExt4();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const makedev = (major: number, minor: number) =>
  (minor & 0xff) + (major & 0xfff) * 0x100 + (minor & ~0xff) * 0x1000;

/** Compares one entry with the source's lstat facts; returns the differences. */
function compare(fsys: Ext4FileSystem, e: Expected): string[] {
  const st = fsys.lstat(e.path);
  const diffs: string[] = [];
  const check = (what: string, got: unknown, want: unknown) => {
    if (got !== want) diffs.push(`${e.path} ${what}: got ${String(got)}, want ${String(want)}`);
  };
  check('type', st.type, e.type);
  check('mode', st.mode, e.mode);
  check('uid', st.uid, e.uid);
  check('gid', st.gid, e.gid);
  check('mtime', st.mtimeSec, e.mtime);
  check('nlink', st.nlink, e.nlink);
  if (e.type === 'file' || e.type === 'symlink') check('size', st.size, e.size);
  if (e.sha256) check('sha256', sha256(fsys.read(e.path, 0, st.size)), e.sha256);
  if (e.target !== undefined) check('target', fsys.readlink(e.path), e.target);
  if (e.rdev) check('rdev', st.rdev, makedev(e.rdev[0], e.rdev[1]));
  if (e.type !== 'symlink' && e.type !== 'socket' && e.type !== 'fifo') {
    const got = Object.fromEntries(fsys.listxattrs(e.path).map((x) => [x.name, hex(x.value)]));
    check('xattrs', JSON.stringify(sortKeys(got)), JSON.stringify(sortKeys(e.xattrs ?? {})));
  }
  return diffs;
}

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort());

/** Expected entries for an image: the common tree plus, where copied in, srcbig's. */
function expectedFor(big: 'none' | 'all' | 'dir'): Expected[] {
  const out = readJson<Expected[]>('expected/tree.json');
  if (big === 'none') return out;
  const extra = readJson<Expected[]>('expected/tree-big.json');
  return out.concat(big === 'all' ? extra : extra.filter((e) => e.path.startsWith('/big')));
}

const IMAGES = [
  { name: 'ext4-4k', big: 'all', hash: 'half_md4', unsigned: false },
  { name: 'ext4-1k', big: 'dir', hash: 'half_md4', unsigned: true },
  { name: 'ext4-nocsum', big: 'none', hash: 'tea', unsigned: false },
  { name: 'ext4-inline', big: 'none', hash: 'legacy', unsigned: false },
  { name: 'ext3', big: 'none', hash: 'tea', unsigned: true },
  { name: 'ext2', big: 'none', hash: 'legacy', unsigned: true },
  { name: 'ext4-casefold', big: 'none', hash: 'half_md4', unsigned: false },
] as const;
const HASHES: Record<string, number> = { legacy: 0, half_md4: 1, tea: 2 };

describe.each(IMAGES)('$name', ({ name, big, hash, unsigned }) => {
  let fsys: Ext4FileSystem;
  let facts: ImageFacts;
  beforeAll(() => {
    fsys = mountFile(path.join(dir, `${name}.img`));
    facts = readJson<ImageFacts>(`expected/${name}.json`);
  });
  afterAll(() => fsys?.close());

  test('superblock facts match dumpe2fs and blkid', () => {
    const info = fsys.info();
    expect(info.type).toBe(facts.blkidType);
    expect(fsys.type).toBe(facts.blkidType);
    expect(info.label).toBe(facts.label);
    expect(info.uuid).toBe(facts.uuid);
    expect([...info.features].sort()).toEqual([...facts.features].sort());
    expect(info.blockSize).toBe(facts.blockSize);
    expect(info.blocksCount).toBe(facts.blockCount);
    expect(info.inodesCount).toBe(facts.inodeCount);
    expect(info.hashVersion).toBe(HASHES[facts.hashVersion]);
    expect(facts.hashVersion).toBe(hash);
    expect(info.unsignedHash).toBe(unsigned);
    expect(info.needsRecovery).toBe(false);
    expect(info.casefold).toBe(facts.features.includes('casefold'));
    expect(info.casefold).toBe(name === 'ext4-casefold');
  });

  // f_blocks and f_bavail are the kernel's (metadata overhead and allocator reserve left
  // out): tests/fs/ext4-statfs.test.ts checks them against a kernel mount.
  test('statvfs counts match dumpe2fs', () => {
    const v = fsys.statvfs();
    expect(v.bsize).toBe(facts.blockSize);
    expect(v.blocks).toBeLessThan(facts.blockCount);
    expect(v.bfree).toBe(facts.freeBlocks);
    expect(v.bavail).toBeLessThanOrEqual(facts.freeBlocks - facts.reservedBlocks);
    expect(v.files).toBe(facts.inodeCount);
    expect(v.ffree).toBe(facts.freeInodes);
  });

  test('root entries carry the inode numbers debugfs lists', () => {
    const got = Object.fromEntries(fsys.readdir('/').map((e) => [e.name, e.ino]));
    expect(got).toEqual(facts.rootInodes);
  });

  test('walk matches the source tree exactly', () => {
    const want = expectedFor(big);
    // mke2fs -d with inline_data cuts a file's trailing hole from i_size; what the image
    // holds is debugfs's size and the source's bytes up to it.
    const tail = want.find((e) => e.path === '/sparse/tail-hole.bin')!;
    if (facts.tailHoleSize !== tail.size) {
      expect(name).toBe('ext4-inline');
      tail.size = facts.tailHoleSize;
      tail.sha256 = sha256(
        new Uint8Array(fs.readFileSync(path.join(dir, 'src/sparse/tail-hole.bin'))).subarray(
          0,
          tail.size,
        ),
      );
    }
    const paths = walk(fsys).filter((p) => p !== '/lost+found' && !p.startsWith('/lost+found/'));
    expect(paths.sort()).toEqual(want.map((e) => e.path).sort());
    const diffs = want.flatMap((e) => compare(fsys, e));
    expect(diffs).toEqual([]);
  });

  test('missing names are ENOENT, files are not directories', () => {
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as EngineError).kind;
      }
      return 'no error';
    };
    expect(kind(() => fsys.lstat('/medium/m-9999'))).toBe('ENOENT');
    expect(kind(() => fsys.lstat('/medium/ü-0010-Ж-not'))).toBe('ENOENT');
    expect(kind(() => fsys.readdir('/hello.txt'))).toBe('ENOTDIR');
    expect(kind(() => fsys.lstat('/hello.txt/x'))).toBe('ENOTDIR');
    expect(kind(() => fsys.read('/medium', 0, 1))).toBe('EISDIR');
    expect(kind(() => fsys.lstat('/symlinks/to-dir/d02'))).toBe('ENOTDIR');
  });
});

describe('htree lookups', () => {
  test('every name of the 100,000-entry directory resolves through the index', () => {
    for (const name of ['ext4-4k', 'ext4-1k']) {
      const fsys = mountFile(path.join(dir, `${name}.img`));
      const names = fsys.readdir('/big').map((e) => e.name);
      expect(names.length).toBe(100_000);
      const inodes = new Set<number>();
      for (const n of names) inodes.add(fsys.lstat(`/big/${n}`).ino);
      expect(inodes.size).toBe(5);
      expect(fsys.lstat('/big/ü-042000').nlink).toBe(20_000);
      expect(() => fsys.lstat('/big/entry-100000')).toThrow(EngineError);
      fsys.close();
    }
  });
});
