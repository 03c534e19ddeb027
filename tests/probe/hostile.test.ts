// Damaged and hostile input. A probe never throws, never reads more than its named
// limits, and on a structure with one field patched says what blkid -p says about the
// same patched bytes (blkid is run on the patched copy inside the test).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { PROBE_CACHE_LIMIT } from '../../src/engine/fs/probe/reader.js';
import { probe, probeAll, probeVerdict } from '../../src/engine/fs/probe/registry.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { asExport, blkidNow } from './blkid.js';

let dir = '';
let tmp = '';
beforeAll(() => {
  dir = ensureFixture('probe');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-hostile-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const head = (name: string, len: number): Uint8Array => {
  const src = new NodeFileSource(path.join(dir, name));
  try {
    return src.readAt(0, Math.min(len, src.size));
  } finally {
    src.close();
  }
};

/** A deterministic PRNG (xorshift32) so a failing case can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('truncated input', () => {
  it('the first 2 KiB of an ext4 image does not throw and still names ext4', () => {
    const r = probe(new MemorySource(head('ext4.img', 2048)));
    expect([r?.type, r?.uuid]).toEqual(['ext4', '0e2f0e2f-0000-4000-8000-000000000004']);
  });

  it.each([
    'ext4.img',
    'btrfs.img',
    'xfs.img',
    'iso-udf.iso',
    'luks2.img',
    'vfat32.img',
    'md12.img',
  ])('every truncation of %s probes without throwing', (name) => {
    const bytes = head(name, 160 * 1024);
    for (let len = 0; len <= bytes.length; len += len < 4096 ? 97 : 4093) {
      expect(() => probeAll(new MemorySource(bytes.subarray(0, len)))).not.toThrow();
    }
  });
});

describe('hostile sources', () => {
  it('a source whose reads fail probes to nothing', () => {
    const broken: BlockSource = {
      size: 1 << 30,
      readAt() {
        throw new Error('EIO');
      },
    };
    expect(probeVerdict(broken).result).toBeUndefined();
    expect(probeAll(broken)).toEqual([]);
  });

  it('a 4 PiB sparse source costs a bounded number of reads and bytes', () => {
    let reads = 0;
    const huge: BlockSource = {
      size: 2 ** 52,
      readAt(_o, len) {
        reads++;
        return new Uint8Array(len);
      },
    };
    const v = probeVerdict(huge);
    expect(v.result).toBeUndefined();
    expect(reads).toBeLessThanOrEqual(8);
    expect(v.reads.bytes).toBeLessThanOrEqual(PROBE_CACHE_LIMIT);
  });

  it.each([
    'ext4.img',
    'vfat32.img',
    'ntfs.img',
    'iso-udf.iso',
    'udf.img',
    'exfat.img',
    'hfsplus.img',
    'zfs.img',
    'luks2.img',
    'md090.img',
  ])('random byte mutations of %s never throw nor exceed the read limits', (name) => {
    const src = new NodeFileSource(path.join(dir, name));
    const size = src.size;
    const base = src.readAt(0, Math.min(size, 2 * 1024 * 1024));
    src.close();
    const next = rng(name.length * 7919);
    for (let round = 0; round < 60; round++) {
      const img = Uint8Array.from(base);
      // Patch the first 128 KiB where the superblocks live, several bytes per round.
      for (let k = 0; k < 16; k++)
        img[Math.floor(next() * Math.min(img.length, 131072))] = Math.floor(next() * 256);
      const v = probeVerdict(new MemorySource(img));
      expect(v.reads.bytes).toBeLessThanOrEqual(PROBE_CACHE_LIMIT);
    }
  });
});

/** Copy a fixture (sparse), patch bytes at an offset, return the copy's path. */
function patched(name: string, offset: number, bytes: number[]): string {
  const out = path.join(tmp, `${name}.${offset}.patched`);
  execFileSync('cp', ['--sparse=always', path.join(dir, name), out]);
  const fd = fs.openSync(out, 'r+');
  fs.writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, offset);
  fs.closeSync(fd);
  return out;
}

describe('one patched field: probe and blkid -p agree on the damaged structure', () => {
  const cases: [string, string, number, number[]][] = [
    ['xfs.img', 'sb_agcount = 0', 0x58, [0, 0, 0, 0]],
    ['xfs.img', 'sb_sectsize = 768', 0x66, [0x03, 0x00]],
    ['ext4.img', 's_feature_incompat = 0 (journal only: ext3)', 1024 + 0x60, [0, 0, 0, 0]],
    ['ext4.img', 's_flags |= TEST_FILESYS', 1024 + 0x160, [0x04]],
    ['ext2.img', 's_feature_compat has_journal (ext3)', 1024 + 0x5c, [0x04]],
    ['lvm.img', 'a byte under the label CRC', 512 + 200, [0x5a]],
    ['luks2.img', 'primary hdr_offset = 1 (secondary header found)', 256, [0, 0, 0, 0, 0, 0, 0, 1]],
    ['luks2.img', 'version = 3', 6, [0, 3]],
    ['luks1.img', 'magic', 0, [0x58]],
    ['md12.img', 'super_offset = 9', 4096 + 0x90, [9]],
    ['md090.img', 'md_magic', 4 * 1024 * 1024 - 65536, [0, 0, 0, 0]],
    ['ntfs.img', 'sectors_per_cluster = 3', 0x0d, [3]],
    ['vfat16.img', 'media descriptor = 0', 0x15, [0]],
    ['vfat32.img', 'FSInfo signature', 512, [0x41, 0x41, 0x41, 0x41]],
    ['swap.img', 'swap header version = 2', 1024, [2]],
    ['iso-joliet.iso', 'Joliet escape sequence', 0x8800 + 88, [0x25, 0x2f, 0x41]],
    ['iso-udf.iso', 'NSR02 descriptor id', 0x8800 + 1 + 2048, [0x58]],
    ['btrfs.img', 'magic', 65536 + 0x40, [0x58]],
    ['exfat.img', 'volume serial', 100, [0x11]],
    ['ext2.img', 's_flags |= TEST_FILESYS (ext4dev)', 1024 + 0x160, [0x04]],
    ['f2fs.img', 'version 1.0', 1024 + 4, [1, 0, 0, 0]],
    ['zfs.img', 'one of four uberblocks', 128 * 1024 + 5 * 1024, [0]],
    ['hfsplus.img', 'blockSize = 256', 1024 + 40, [0, 0, 1, 0]],
    ['apfs.img', 'block size 8192', 36, [0, 0x20]],
    ['bitlocker.img', 'FVE metadata signature', 0x21000, [0x58]],
  ];

  it.each(cases)('%s: %s', (name, _what, offset, bytes) => {
    const file = patched(name, offset, bytes);
    const want = blkidNow(file);
    const src = new NodeFileSource(file);
    try {
      expect(asExport(probe(src))).toEqual(want);
    } finally {
      src.close();
    }
  });

  it('the patches change what blkid says (the cases test something)', () => {
    // The LUKS2 secondary header is a copy of the primary: same answer, found elsewhere.
    const changing = cases.filter(([, what]) => !what.includes('secondary header'));
    const unchanged = changing.filter(([name, , offset, bytes]) => {
      const orig = blkidNow(path.join(dir, name));
      return JSON.stringify(blkidNow(patched(name, offset, bytes))) === JSON.stringify(orig);
    });
    expect(unchanged.map(([name, what]) => `${name}: ${what}`)).toEqual([]);
  });
});
