// Mounts the image of fixtures/build-ntfs.sh through ntfs.wasm and compares it with what
// independent tools saw: the source tree walk (expected/source.json), the same image walked
// through ntfs-3g with default options (expected/ntfs3g.json, order.json, statvfs.json),
// and ntfsinfo/blkid (expected/volume.json, facts.json).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { ntfsDriver } from '../../src/engine/fs/ntfs/driver.js';
import type { NtfsFileSystem } from '../../src/engine/fs/ntfs/filesystem.js';
import { FileAttribute } from '../../src/engine/fs/ntfs/records.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { ensureFixture, repoRoot, sha256 } from '../helpers/fixtures.js';

interface Source {
  path: string;
  type: string;
  size?: number;
  sha256?: string;
  target?: string;
  rdev?: [number, number];
}

interface Ntfs3g extends Source {
  mode: number;
  nlink: number;
  ino: number;
  blocks: number;
  atime: [number, number];
  mtime: [number, number];
  ctime: [number, number];
  attributes?: number;
  streams?: Record<string, { size: number; sha256: string }>;
  readError?: number;
}

let dir = '';
let fsys: NtfsFileSystem;
const json = <T>(rel: string): T =>
  JSON.parse(fs.readFileSync(path.join(dir, 'expected', rel), 'utf8')) as T;
const bytes = (s: string) => new TextEncoder().encode(s);
/** Reparse tags ntfs-3g (without plugins) shows as symlinks but we treat as files. */
const NON_LINK_REPARSE = [
  '/reparse/wof.bin',
  '/reparse/cloud-hydrated.txt',
  '/reparse/cloud-placeholder.txt',
];

beforeAll(async () => {
  dir = ensureFixture('ntfs');
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'build-wasm.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await ntfsDriver.load();
  fsys = ntfsDriver.mount(new NodeFileSource(path.join(dir, 'ntfs.img')), { readonly: true });
  return () => fsys.close();
});

function walk(root = '/'): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of fsys.readdir(d)) {
      const p = d === '/' ? `/${e.name}` : `${d}/${e.name}`;
      out.push(p);
      if (e.type === 'directory') visit(p);
    }
  };
  visit(root);
  return out;
}

function kindOf(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

test('volume facts match ntfsinfo and blkid', () => {
  const v = json<Record<string, string | number>>('volume.json');
  const info = fsys.info();
  expect(info.label).toBe(v.label);
  expect(info.serial).toBe(v.uuid);
  expect(info.version).toBe(v.version);
  expect(info.clusterSize).toBe(v.clusterSize);
  expect(info.sectorSize).toBe(v.sectorSize);
  expect(info.mftRecordSize).toBe(v.mftRecordSize);
  expect(info.indexRecordSize).toBe(v.indexRecordSize);
  expect(info.totalClusters).toBe(v.totalClusters);
  expect(info.mftLcn).toBe(v.mftLcn);
  expect(info.mftMirrLcn).toBe(v.mftMirrLcn);
  expect(fsys.type).toBe('ntfs');
  expect(fsys.caseInsensitive).toBe(true);
});

test('statvfs matches ntfs-3g statfs', () => {
  const want = json<Record<string, number>>('statvfs.json');
  const got = fsys.statvfs();
  for (const k of [
    'bsize',
    'frsize',
    'blocks',
    'bfree',
    'bavail',
    'files',
    'ffree',
    'favail',
    'namemax',
  ] as const) {
    expect(got[k], k).toBe(want[k]);
  }
  expect(got.bfree).toBe(json<Record<string, number>>('volume.json').freeClusters);
});

test('the walk lists exactly the paths ntfs-3g lists', () => {
  const want = json<Ntfs3g[]>('ntfs3g.json').map((e) => e.path);
  expect([...walk()].sort()).toEqual([...want].sort());
});

test('readdir returns entries in $I30 collation order', () => {
  const order = json<Record<'ntfs3g' | 'collation', Record<string, string[]>>>('order.json');
  for (const [d, names] of Object.entries(order.collation)) {
    const got = fsys.readdir(d).map((e) => e.name);
    expect(got, d).toEqual(names);
    // ntfs-3g lists the same names (in block order, which is collation order for one node).
    expect([...got].sort(), d).toEqual([...order.ntfs3g[d]!].sort());
    if (d !== '/big') expect(got, d).toEqual(order.ntfs3g[d]);
  }
  expect(order.collation['/big']!.length).toBe(5000);
  expect(json<Record<string, boolean>>('facts.json').bigHasIndexAllocation).toBe(true);
});

describe('every entry matches ntfs-3g', () => {
  const S_IFREG = 0o100000;
  const diffs = (e: Ntfs3g): string[] => {
    const out: string[] = [];
    const check = (what: string, got: unknown, want: unknown) => {
      if (got !== want) out.push(`${e.path} ${what}: got ${String(got)}, want ${String(want)}`);
    };
    const st = fsys.lstat(e.path);
    const asFile = NON_LINK_REPARSE.includes(e.path);
    check('ino', st.ino, e.ino);
    check('type', st.type, asFile ? 'file' : e.type);
    check('mode', st.mode, asFile ? S_IFREG | 0o777 : e.mode);
    check('nlink', st.nlink, e.nlink);
    check('uid/gid', `${st.uid}/${st.gid}`, '0/0');
    check('mtime', `${st.mtimeSec}.${st.mtimeNsec}`, e.mtime.join('.'));
    check('atime', `${st.atimeSec}.${st.atimeNsec}`, e.atime.join('.'));
    check('ctime', `${st.ctimeSec}.${st.ctimeNsec}`, e.ctime.join('.'));
    if (!asFile) check('blocks', st.blocks, e.blocks);
    if (e.type === 'symlink' && !asFile) {
      const target = fsys.readlink(e.path);
      check('target', target, e.target);
      // ntfs-3g's size counts its mount-point prefix; ours is the target we return.
      check('size', st.size, bytes(target).length);
    } else if (!asFile) {
      check('size', st.size, e.size);
    }
    if (e.sha256) check('sha256', sha256(fsys.read(e.path, 0, st.size)), e.sha256);
    if (e.rdev) check('rdev', st.rdev, e.rdev[0] * 256 + e.rdev[1]);
    if (e.attributes !== undefined) {
      const dirBit = st.type === 'directory' ? FileAttribute.DIRECTORY : 0;
      check('attributes', st.fileAttributes | dirBit, e.attributes);
    }
    const sorted = (l: [string, number][]) => l.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const streams = sorted(fsys.streams(e.path).map((s) => [s.name, s.size]));
    const wantStreams = sorted(Object.entries(e.streams ?? {}).map(([n, s]) => [n, s.size]));
    check('streams', JSON.stringify(streams), JSON.stringify(wantStreams));
    for (const [name, s] of Object.entries(e.streams ?? {})) {
      check(`stream ${name}`, sha256(fsys.read(`${e.path}:${name}`, 0, s.size + 10)), s.sha256);
    }
    return out;
  };

  test('stat, content, targets, attributes and streams', () => {
    const all = json<Ntfs3g[]>('ntfs3g.json');
    const problems = all.flatMap(diffs);
    expect(problems).toEqual([]);
    expect(all.length).toBeGreaterThan(5100);
  });
});

test('every source file, directory and symlink is in the image', () => {
  const problems: string[] = [];
  for (const e of json<Source[]>('source.json')) {
    const st = fsys.lstat(e.path);
    if (st.type !== e.type) problems.push(`${e.path}: type ${st.type} != ${e.type}`);
    if (e.size !== undefined && st.size !== e.size)
      problems.push(`${e.path}: size ${st.size} != ${e.size}`);
    if (e.sha256 && sha256(fsys.read(e.path, 0, st.size)) !== e.sha256)
      problems.push(`${e.path}: content`);
    if (e.target !== undefined && fsys.readlink(e.path) !== e.target)
      problems.push(`${e.path}: target`);
  }
  expect(problems).toEqual([]);
});

describe('lookup', () => {
  const ino = (p: string) => json<Ntfs3g[]>('ntfs3g.json').find((e) => e.path === p)!.ino;

  test('is case-insensitive through $UpCase, exact names first', () => {
    expect(fsys.lstat('/CASE/readme.txt').ino).toBe(ino('/case/Readme.TXT'));
    expect(fsys.lstat('/HELLO.TXT').ino).toBe(ino('/hello.txt'));
    expect(fsys.lstat('/ÜNÏCÖDÉ 日本語.TXT').ino).toBe(ino('/ünïcödé 日本語.txt'));
    expect(fsys.lstat('/case/abc').ino).toBe(ino('/case/abc'));
    expect(fsys.lstat('/case/ABC').ino).toBe(ino('/case/ABC'));
    expect([ino('/case/abc'), ino('/case/ABC')]).toContain(fsys.lstat('/case/Abc').ino);
    expect(kindOf(() => fsys.lstat('/case/abcd')).kind).toBe('ENOENT');
    // Through every level of the 5,000-entry B-tree.
    const big = json<{ collation: Record<string, string[]> }>('order.json').collation['/big']!;
    for (let i = 0; i < big.length; i += 97) {
      expect(fsys.lstat(`/BIG/${big[i]!.toUpperCase()}`).ino).toBe(ino(`/big/${big[i]}`));
    }
  });

  test('finds DOS 8.3 aliases, which listings hide', () => {
    expect(fsys.lstat('/LONGFI~1.TXT').ino).toBe(ino('/Long File Name.txt'));
    const names = fsys.readdir('/').map((e) => e.name);
    expect(names.filter((n) => n === 'Long File Name.txt')).toHaveLength(1);
    expect(names).not.toContain('LONGFI~1.TXT');
    expect(fsys.lstat('/Long File Name.txt').nlink).toBe(2);
  });

  test('hard links share one MFT record', () => {
    const a = fsys.lstat('/hardlinks/a');
    expect(fsys.lstat('/hardlinks/b').ino).toBe(a.ino);
    expect(fsys.lstat('/hardlinks/sub/c').ino).toBe(a.ino);
    expect(a.ino).toBe(ino('/hardlinks/a'));
    expect(a.nlink).toBe(3);
  });

  test('errors: ENOTDIR through a file, EISDIR on read, EINVAL on readlink of a file', () => {
    expect(kindOf(() => fsys.lstat('/hello.txt/x')).kind).toBe('ENOTDIR');
    expect(kindOf(() => fsys.read('/big', 0, 1)).kind).toBe('EISDIR');
    expect(kindOf(() => fsys.readlink('/hello.txt')).kind).toBe('EINVAL');
    expect(kindOf(() => fsys.readdir('/hello.txt')).kind).toBe('ENOTDIR');
    expect(kindOf(() => fsys.readdir('/reparse/junction-deep')).kind).toBe('ENOTDIR');
  });
});

describe('data', () => {
  test('alternate data streams are listed and readable as path:stream', () => {
    const list = fsys
      .streams('/ads/ads.txt')
      .map((s) => s.name)
      .sort();
    expect(list).toEqual(['Zone.Identifier', 'big', 'note']);
    expect(new TextDecoder().decode(fsys.read('/ads/ads.txt:note', 0, 100))).toBe(
      'a small resident stream\n',
    );
    expect(new TextDecoder().decode(fsys.read('/ads/ads.txt:note:$DATA', 0, 100))).toBe(
      'a small resident stream\n',
    );
    expect(new TextDecoder().decode(fsys.read('/ads/ads.txt::$DATA', 0, 100))).toBe(
      'main stream\n',
    );
    expect(fsys.lstat('/ads/ads.txt:big').size).toBe(150_000);
    expect(fsys.read('/ads/ads.txt:big', 149_990, 100)).toHaveLength(10);
    expect(kindOf(() => fsys.read('/ads/ads.txt:nope', 0, 1)).kind).toBe('ENOENT');
  });

  test('the 2,000-run file (attribute list, extension records) reads back', () => {
    const facts = json<Record<string, number | boolean>>('facts.json');
    expect(facts.manyHasAttributeList).toBe(true);
    expect(facts.manyRuns as number).toBeGreaterThanOrEqual(2000);
    expect(facts.manyDataExtents as number).toBeGreaterThan(1);
    const data = fsys.read('/fragmented/many.bin', 0, 8_192_000);
    const dv = new DataView(data.buffer);
    for (const i of [0, 1, 777, 1999]) expect(dv.getUint32(i * 4096 + 4092, true)).toBe(i);
    expect(facts.twoARuns as number).toBeGreaterThanOrEqual(40);
    expect(facts.textCompressed).toBe(true);
  });

  test('compressed, sparse and resident reads at unaligned ranges match the source', () => {
    for (const p of [
      '/compressed/text.txt',
      '/compressed/mixed.bin',
      '/sparse/middle.bin',
      '/sizes/size-700',
    ]) {
      const src = new Uint8Array(fs.readFileSync(path.join(dir, 'src', p)));
      for (const [off, len] of [
        [0, 1],
        [4095, 2],
        [65535, 70000],
        [src.length - 3, 10],
      ] as const) {
        if (off >= src.length) continue;
        expect(sha256(fsys.read(p, off, len)), `${p} ${off}+${len}`).toBe(
          sha256(src.subarray(off, off + len)),
        );
      }
    }
    expect(fsys.read('/sparse/all-hole.bin', 1 << 20, 4096).every((b) => b === 0)).toBe(true);
  });

  test('reparse points other than links: cloud data is read from $DATA, others refused', () => {
    expect(new TextDecoder().decode(fsys.read('/reparse/cloud-hydrated.txt', 0, 100))).toBe(
      'cloud file whose data is present\n',
    );
    const placeholder = kindOf(() => fsys.read('/reparse/cloud-placeholder.txt', 0, 1));
    expect(placeholder.kind).toBe('unsupported');
    expect(placeholder.feature).toContain('0x9000001a');
    const wof = kindOf(() => fsys.read('/reparse/wof.bin', 0, 1));
    expect(wof.kind).toBe('unsupported');
    expect(wof.feature).toContain('WOF');
    expect(wof.feature).toContain('0x80000017');
    expect(fsys.lstat('/reparse/wof.bin').type).toBe('file');
    // Callers print `${kind}: ${message}`: the message names path and feature, not the kind.
    expect(wof.message).toBe(`/reparse/wof.bin: ${wof.feature}`);
    expect(kindOf(() => fsys.readInode(fsys.resolve('/reparse/wof.bin'), 0, 1)).message).toBe(
      wof.feature,
    );
  });
});
