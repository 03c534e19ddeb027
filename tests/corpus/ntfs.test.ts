// Peer NTFS images of ../shared/testdata mounted through ntfs.wasm. Every assertion is a
// fact that MANIFEST.md records from the peer's own tests, or that the DFTT author's
// index.html states (read from the zip at test time).

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { ntfsDriver } from '../../src/engine/fs/ntfs/driver.js';
import type { NtfsFileSystem } from '../../src/engine/fs/ntfs/filesystem.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { readTestdata, repoRoot, sharedTestdata } from '../helpers/fixtures.js';

const cache = path.join(repoRoot, '.fixtures', 'ntfs-corpus');
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'build-wasm.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await ntfsDriver.load();
  fs.mkdirSync(cache, { recursive: true });
});

/** Builds `name` in the cache once (written to a temporary name, then renamed). */
function cached(name: string, build: (tmp: string) => void): string {
  const dest = path.join(cache, name);
  if (!fs.existsSync(dest)) {
    const tmp = `${dest}.${process.pid}.tmp`;
    build(tmp);
    fs.renameSync(tmp, dest);
  }
  return dest;
}

/** gunzip into a sparse file: ntfs-cloud is 1 GiB of mostly zeros. */
function gunzipSparse(rel: string): string {
  return cached(path.basename(rel, '.gz'), (tmp) =>
    execFileSync('bash', [
      '-c',
      'gzip -dc "$1" | cp --sparse=always /dev/stdin "$2"',
      '_',
      path.join(sharedTestdata, rel),
      tmp,
    ]),
  );
}

function unzipMember(zip: string, member: string): Uint8Array {
  return new Uint8Array(
    execFileSync('unzip', ['-p', path.join(sharedTestdata, 'sleuthkit/dftt', zip), member], {
      maxBuffer: 1 << 26,
    }),
  );
}

function mount(file: string): NtfsFileSystem {
  return ntfsDriver.mount(new NodeFileSource(file), { readonly: true });
}

function error(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

const readAll = (f: NtfsFileSystem, p: string) => f.read(p, 0, f.lstat(p).size);

describe('ntfs-rs testfs1 (mkntfs -c 512 -L mylabel)', () => {
  let f: NtfsFileSystem;
  beforeAll(() => {
    f = mount(path.join(sharedTestdata, 'ntfs-rs/testfs1'));
    return () => f.close();
  });

  test('geometry, version and label', () => {
    const i = f.info();
    expect([i.clusterSize, i.sectorSize]).toEqual([512, 512]);
    expect(i.totalClusters * i.clusterSize).toBe(2096640);
    expect(i.version).toBe('3.1');
    expect(i.label).toBe('mylabel');
  });

  test('empty, resident and non-resident files', () => {
    expect(f.lstat('/empty-file').size).toBe(0);
    expect(readAll(f, '/empty-file')).toHaveLength(0);
    expect(text(readAll(f, '/file-with-12345'))).toBe('12345');
    expect(f.lstat('/file-with-12345').dataRuns).toBe(0);
    expect(text(readAll(f, '/1000-bytes-file'))).toBe('12345'.repeat(200));
    expect(f.lstat('/1000-bytes-file').dataRuns).toBeGreaterThan(0);
  });

  test('sparse-file: data, sparse, data', () => {
    const st = f.lstat('/sparse-file');
    expect(st.size).toBe(500005);
    expect(st.dataRuns).toBe(3);
    const d = readAll(f, '/sparse-file');
    expect(text(d.subarray(0, 5))).toBe('12345');
    expect(d.subarray(5, 500000).every((b) => b === 0)).toBe(true);
    expect(text(d.subarray(500000))).toBe('11111');
  });

  test('many_subdirs/1..512 in sorted string order (INDEX_ROOT + INDEX_ALLOCATION)', () => {
    const want = Array.from({ length: 512 }, (_, i) => String(i + 1)).sort();
    expect(f.readdir('/many_subdirs').map((e) => e.name)).toEqual(want);
    expect(f.lstat('/many_subdirs').size).toBeGreaterThan(0);
  });

  test('the volume $UpCase maps a-z to A-Z', () => {
    expect(f.lstat('/EMPTY-FILE').ino).toBe(f.lstat('/empty-file').ino);
    expect(f.lstat('/MANY_SUBDIRS/511').ino).toBe(f.lstat('/many_subdirs/511').ino);
  });
});

describe('dissect.ntfs ntfs.bin', () => {
  let f: NtfsFileSystem;
  beforeAll(() => {
    f = mount(gunzipSparse('dissect.ntfs/ntfs.bin.gz'));
    return () => f.close();
  });

  test('geometry and label', () => {
    const i = f.info();
    expect([i.sectorSize, i.clusterSize, i.mftRecordSize, i.indexRecordSize]).toEqual([
      512, 4096, 1024, 4096,
    ]);
    expect(i.label).toBe('New Volume');
  });

  test('File.txt (resident, record 41) and Large.txt (non-resident, record 44)', () => {
    const small = f.lstat('/File.txt');
    expect(small.ino).toBe(41);
    expect(small.dataRuns).toBe(0);
    expect(text(readAll(f, '/File.txt'))).toBe('Contents here');
    const large = f.lstat('/Large.txt');
    expect(large.ino).toBe(44);
    expect(large.size).toBe(2097152);
    expect(large.dataRuns).toBeGreaterThan(0);
    expect(readAll(f, '/Large.txt').every((b) => b === 0x41)).toBe(true);
  });

  test('Directory and Large Directory', () => {
    expect(f.readdir('/Directory').map((e) => e.name)).toEqual(['File 1.txt', 'File 2.txt']);
    expect(f.lstat('/Directory/File 1.txt').type).toBe('file');
    const names = f.readdir('/Large Directory').map((e) => e.name);
    expect(names).toHaveLength(2048);
    expect(new Set(names)).toEqual(
      new Set(Array.from({ length: 2048 }, (_, i) => `Directory ${i}`)),
    );
  });
});

test('boot_2m: 2 MiB clusters (sectors per cluster 2^-n) place $MFT at cluster 0xAA x 2 MiB', () => {
  // The sample is the first 2 MiB of the volume: the MFT itself is past its end.
  const e = error(() => mount(gunzipSparse('dissect.ntfs/boot_2m.bin.gz')));
  expect(e.kind).toBe('io');
  expect(e.offset).toBe(0xaa * 0x200000);
});

test('ntfs-cloud: OneDrive/example.txt (cloud reparse point) reads from its $DATA', () => {
  const f = mount(gunzipSparse('dissect.ntfs/ntfs-cloud.bin.gz'));
  try {
    expect(text(readAll(f, '/OneDrive/example.txt'))).toBe(
      'This is an example file in the OneDrive folder!\r\n',
    );
    const tag = f.lstat('/OneDrive/example.txt').reparseTag;
    expect((tag & 0xffff0fff) >>> 0).toBe(0x9000001a);
  } finally {
    f.close();
  }
});

test('fragmented MFT (msuhanov/ntfs-samples): a 238-run $MFT is walkable', () => {
  const csv = text(readTestdata('dissect.ntfs/ntfs_fragmented_mft.csv.gz'));
  const rows = csv
    .split('\n')
    .filter((l) => l.includes(','))
    .map((l) => {
      const [off, hex] = l.trim().split(',');
      return { offset: Number(off), data: Buffer.from(hex!, 'hex') };
    });
  const file = cached('fragmented-mft.bin', (tmp) => {
    const totalSectors = rows[0]!.data.readBigUInt64LE(0x28);
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.ftruncateSync(fd, Number(totalSectors) * 512 + 512);
      for (const r of rows) fs.writeSync(fd, r.data, 0, r.data.length, r.offset);
    } finally {
      fs.closeSync(fd);
    }
  });
  const f = mount(file);
  try {
    const mft = f.statInode(0);
    expect(mft.dataRuns).toBe(238);
    // The listing of the root comes out (its entries' records are not in the sample).
    expect(f.readdirInode(5).length).toBeGreaterThan(0);
    // A record far down the runlist lands on the sample row written for it.
    const deep = error(() => f.statInode(34799617));
    expect(rows.map((r) => r.offset)).toContain(deep.offset);
  } finally {
    f.close();
  }
});

describe('sleuthkit DFTT', () => {
  test('7-undel-ntfs: deleted files are gone, the leap-day creation date is kept', () => {
    const file = cached('7-ntfs-undel.dd', (tmp) =>
      fs.writeFileSync(tmp, unzipMember('7-undel-ntfs.zip', '7-undel-ntfs/7-ntfs-undel.dd')),
    );
    const f = mount(file);
    try {
      const html = text(unzipMember('7-undel-ntfs.zip', '7-undel-ntfs/index.html'));
      // The "Files" table (the cluster layout after it also names live metadata files).
      const files = html.slice(0, html.indexOf('Layout'));
      const deleted = [...files.matchAll(/<tt>\\([^<]+)<\/tt>/g)].map(
        (m) => `/${m[1]!.replace(/\\/g, '/').replace(/\/$/, '')}`,
      );
      expect(deleted).toContain('/res1.dat');
      for (const p of deleted)
        expect(error(() => f.lstat(p.split(':')[0]!)).kind, p).toBe('ENOENT');
      const crtime = f.lstat('/System Volume Information').crtimeSec!;
      expect(new Date(crtime * 1000).toISOString().slice(0, 10)).toBe('2004-02-29');
    } finally {
      f.close();
    }
  });

  test('8-jpeg-search: allocated files and the ADS have the md5s index.html states', () => {
    const file = cached('8-jpeg-search.dd', (tmp) =>
      fs.writeFileSync(tmp, unzipMember('8-jpeg-search.zip', '8-jpeg-search/8-jpeg-search.dd')),
    );
    const f = mount(file);
    try {
      const html = text(unzipMember('8-jpeg-search.zip', '8-jpeg-search/index.html'));
      const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
      let checked = 0;
      for (const row of rows) {
        const name = /<tt>([^<]*\\[^<]+)<\/tt>/.exec(row)?.[1];
        const sum = /<tt>\s*([0-9a-f]{32})\s*<\/tt>/.exec(row)?.[1];
        if (!name || !sum) continue;
        const p = `/${name.replace(/\\/g, '/')}`;
        if (/deleted/i.test(row)) {
          expect(error(() => f.read(p, 0, 1)).kind, p).toBe('ENOENT');
          continue;
        }
        expect(md5(readAll(f, p)), p).toBe(sum);
        checked++;
      }
      expect(checked).toBe(11);
      expect(f.streams('/misc/file13.dll').map((s) => s.name)).toEqual(['here']);
    } finally {
      f.close();
    }
  });
});
