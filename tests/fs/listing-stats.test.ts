// Stat of a listing's entries by inode number ("readdirplus", src/engine/fs/wasm/
// listing-stats.ts): the records fetched in one sorted batch equal what the source trees
// and ntfs-3g say (expected/tree.json, ntfs3g.json), the batch reads the inode table in
// order (far fewer device reads than entries), and one damaged inode fails only its own
// stat, with the error a single stat reports.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { ntfsDriver } from '../../src/engine/fs/ntfs/driver.js';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { loadExt4, mountSource } from './ext4-support.js';

let ext4Dir = '';
let ntfsDir = '';

beforeAll(async () => {
  ext4Dir = ensureFixture('ext4');
  ntfsDir = ensureFixture('ntfs');
  await loadExt4();
  await ntfsDriver.load();
});

const json = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** A Node file that counts its reads; `patch` replaces bytes at absolute offsets. */
function counted(file: string, patch: Record<number, number> = {}) {
  const src = new NodeFileSource(file);
  const source: BlockSource = {
    size: src.size,
    name: file,
    readAt(offset, length) {
      const out = src.readAt(offset, length);
      for (const [at, v] of Object.entries(patch)) {
        const i = Number(at) - offset;
        if (i >= 0 && i < length) out[i] = v;
      }
      return out;
    },
  };
  return { source, stats: src.stats };
}

describe('ext4', () => {
  interface TreeEntry {
    path: string;
    mode: number;
    uid: number;
    gid: number;
    size?: number;
    nlink: number;
    mtime: number;
  }

  test('3,000 entries: every stat equals the source tree; the table is read in order', () => {
    const tree = json<TreeEntry[]>(path.join(ext4Dir, 'expected', 'tree.json'));
    const want = new Map(tree.filter((e) => e.path.startsWith('/medium/')).map((e) => [e.path, e]));
    const { source, stats } = counted(path.join(ext4Dir, 'ext4-4k.img'));
    const fsys = mountSource(source);
    const entries = fsys.readdir('/medium');
    expect(entries.length).toBe(want.size);
    const before = stats.calls;
    for (const e of entries) {
      const st = fsys.statInode(e.ino);
      const w = want.get(`/medium/${e.name}`)!;
      expect([st.ino, st.mode, st.uid, st.gid, st.size, st.nlink, st.mtimeSec]).toEqual([
        e.ino,
        w.mode,
        w.uid,
        w.gid,
        w.size,
        w.nlink,
        w.mtime,
      ]);
    }
    // 3,000 inodes of 256 bytes fill ~190 table blocks of 4 KiB; stat-ed one at a time in
    // name-hash order through a 64-block cache they would cost a read each.
    expect(stats.calls - before).toBeLessThan(400);
    fsys.close();
  });

  test('a damaged inode fails its own stat only, as a single stat reports it', () => {
    const img = path.join(ext4Dir, 'ext4-4k.img');
    const m = /located at block (\d+), offset (0x[0-9a-f]+)/.exec(
      execFileSync('debugfs', ['-R', 'imap "/medium/m-0001"', img], { encoding: 'utf8' }),
    )!;
    const inodeAt = Number(m[1]) * 4096 + Number(m[2]);
    // i_checksum_lo (0x7C): flip its low byte.
    const good = new NodeFileSource(img).readAt(inodeAt + 0x7c, 1)[0]!;
    const fsys = mountSource(counted(img, { [inodeAt + 0x7c]: good ^ 0xff }).source);
    const entries = fsys.readdir('/medium');
    const bad = entries.find((e) => e.name === 'm-0001')!;
    const other = entries.find((e) => e.name === 'm-0002')!;
    expect(fsys.statInode(other.ino).size).toBe(1);
    let err: unknown;
    try {
      fsys.statInode(bad.ino);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect([(err as EngineError).kind, (err as EngineError).structure]).toEqual([
      'corrupt',
      `ext4 inode ${bad.ino} checksum`,
    ]);
    fsys.close();
  });
});

describe('NTFS', () => {
  interface Ntfs3g {
    path: string;
    ino: number;
    mode: number;
    nlink: number;
    size?: number;
    blocks: number;
    mtime: [number, number];
  }

  test('5,000 entries: every stat equals what ntfs-3g reported', () => {
    const walk = json<Ntfs3g[]>(path.join(ntfsDir, 'expected', 'ntfs3g.json'));
    const want = new Map(walk.filter((e) => e.path.startsWith('/big/')).map((e) => [e.path, e]));
    const fsys = ntfsDriver.mount(new NodeFileSource(path.join(ntfsDir, 'ntfs.img')), {
      readonly: true,
    });
    const entries = fsys.readdir('/big');
    expect(entries.length).toBe(want.size);
    for (const e of entries) {
      const st = fsys.statInode(e.ino);
      const w = want.get(`/big/${e.name}`)!;
      expect([st.ino, st.mode, st.nlink, st.size, st.blocks, st.mtimeSec, st.mtimeNsec]).toEqual([
        w.ino,
        w.mode,
        w.nlink,
        w.size,
        w.blocks,
        ...w.mtime,
      ]);
    }
    fsys.close();
  });
});
