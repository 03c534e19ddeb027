// Damage one field of a good image (offsets from debugfs/dumpe2fs in expected/IMAGE.json)
// and check the error's kind and structure; feed the ABI garbage to make the module trap
// and check that the adapter recovers.

import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError, corrupt } from '../../src/engine/errors.js';
import type { BlockSource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import * as fs from 'node:fs';
import { ensureFixture } from '../helpers/fixtures.js';
import { loadExt4, mountSource } from './ext4-support.js';

interface Offsets {
  helloInode: number;
  helloIno: number;
  manyExtentsInode: number;
  manyExtentsIno: number;
  rootDirBlock: number;
  gdt: number;
  extentLeaf?: number;
}

let dir = '';
beforeAll(async () => {
  dir = ensureFixture('ext4');
  await loadExt4();
});

const offsets = (image: string): Offsets =>
  (
    JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${image}.json`), 'utf8')) as {
      offsets: Offsets;
    }
  ).offsets;

/** The image with bytes replaced at the given offsets (the file is never written). */
function patched(image: string, patches: Record<number, number[]>): BlockSource {
  const src = new NodeFileSource(path.join(dir, `${image}.img`));
  return {
    size: src.size,
    name: `${image} (patched)`,
    readAt(offset, length) {
      const out = src.readAt(offset, length);
      for (const [at, bytes] of Object.entries(patches)) {
        bytes.forEach((b, i) => {
          const pos = Number(at) + i - offset;
          if (pos >= 0 && pos < length) out[pos] = b;
        });
      }
      return out;
    },
  };
}

function failure(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

const xor = (image: string, at: number, len = 1): number[] => {
  const b = new NodeFileSource(path.join(dir, `${image}.img`)).readAt(at, len);
  return [...b].map((v) => v ^ 0xff);
};

describe('corruption: one field patched, kind and structure asserted', () => {
  test('superblock magic', () => {
    const e = failure(() => mountSource(patched('ext4-4k', { [1024 + 0x38]: [0x00, 0x00] })));
    expect([e.kind, e.structure, e.offset]).toEqual(['corrupt', 'ext4 superblock', 1024 + 0x38]);
  });

  test('superblock checksum (metadata_csum)', () => {
    const e = failure(() => mountSource(patched('ext4-4k', { [1024 + 0x78]: [0x21] })));
    expect([e.kind, e.structure, e.offset]).toEqual([
      'corrupt',
      'ext4 superblock checksum',
      1024 + 0x3fc,
    ]);
  });

  test('group descriptor checksum, crc32c and crc16', () => {
    for (const image of ['ext4-4k', 'ext4-nocsum']) {
      const { gdt } = offsets(image);
      const e = failure(() => mountSource(patched(image, { [gdt + 0xe]: xor(image, gdt + 0xe) })));
      expect([e.kind, e.structure, e.offset]).toEqual([
        'corrupt',
        'ext4 group descriptor 0 checksum',
        gdt + 0x1e,
      ]);
    }
  });

  test('inode checksum', () => {
    const o = offsets('ext4-4k');
    const fsys = mountSource(
      patched('ext4-4k', { [o.helloInode + 0x10]: xor('ext4-4k', o.helloInode + 0x10) }),
    );
    const e = failure(() => fsys.lstat('/hello.txt'));
    expect([e.kind, e.structure, e.offset]).toEqual([
      'corrupt',
      `ext4 inode ${o.helloIno} checksum`,
      o.helloInode + 0x7c,
    ]);
    expect(fsys.lstat('/with space.txt').size).toBe(19);
  });

  test('extent header magic in the inode', () => {
    const o = offsets('ext4-nocsum');
    const fsys = mountSource(patched('ext4-nocsum', { [o.helloInode + 0x28]: [0x0b, 0xf3] }));
    const e = failure(() => fsys.read('/hello.txt', 0, 4));
    expect([e.kind, e.structure, e.offset]).toEqual([
      'corrupt',
      `ext4 extent header ${o.helloIno}`,
      o.helloInode + 0x28,
    ]);
  });

  test('extent depth far beyond the limit', () => {
    const o = offsets('ext4-nocsum');
    const fsys = mountSource(patched('ext4-nocsum', { [o.helloInode + 0x2e]: [0xff, 0x7f] }));
    const e = failure(() => fsys.read('/hello.txt', 0, 4));
    expect([e.kind, e.structure, e.offset]).toEqual([
      'corrupt',
      `ext4 extent header ${o.helloIno}`,
      o.helloInode + 0x2e,
    ]);
  });

  test('extent leaf block: magic, then checksum', () => {
    const o = offsets('ext4-4k');
    expect(o.extentLeaf).toBeGreaterThan(0);
    const leaf = o.extentLeaf!;
    const bad = mountSource(patched('ext4-4k', { [leaf]: [0, 0] }));
    const e = failure(() => bad.read('/sparse/many-extents.bin', 0, 10));
    expect([e.kind, e.structure, e.offset]).toEqual([
      'corrupt',
      `ext4 extent header ${o.manyExtentsIno}`,
      leaf,
    ]);
    // A byte inside the checksummed area but outside any live entry.
    const at = leaf + 12 + 12 * 20;
    const sum = mountSource(patched('ext4-4k', { [at]: xor('ext4-4k', at) }));
    const c = failure(() => sum.read('/sparse/many-extents.bin', 0, 10));
    expect([c.kind, c.structure]).toEqual([
      'corrupt',
      `ext4 extent block ${o.manyExtentsIno} checksum`,
    ]);
  });

  test('directory entry with rec_len 0', () => {
    const o = offsets('ext4-nocsum');
    const fsys = mountSource(patched('ext4-nocsum', { [o.rootDirBlock + 4]: [0, 0] }));
    const e = failure(() => fsys.readdir('/'));
    expect([e.kind, e.structure, e.offset]).toEqual([
      'corrupt',
      'ext4 directory entry 2',
      o.rootDirBlock,
    ]);
    expect(failure(() => fsys.lstat('/hello.txt')).structure).toBe('ext4 directory entry 2');
  });

  test('directory block checksum', () => {
    const o = offsets('ext4-4k');
    const fsys = mountSource(patched('ext4-4k', { [o.rootDirBlock + 9]: [0x2e ^ 0x40] }));
    const e = failure(() => fsys.readdir('/'));
    expect([e.kind, e.structure]).toEqual(['corrupt', 'ext4 directory block 2 checksum']);
  });

  test('a device shorter than the block count', () => {
    const src = new NodeFileSource(path.join(dir, 'ext4-nocsum.img'));
    const short: BlockSource = { size: 64 << 20, readAt: (o, l) => src.readAt(o, l) };
    const e = failure(() => mountSource(short));
    expect([e.kind, e.structure, e.offset]).toEqual(['corrupt', 'ext4 superblock', 1024 + 4]);
  });

  test('an error of the layer below passes through unchanged', () => {
    const src = new NodeFileSource(path.join(dir, 'ext4-nocsum.img'));
    const o = offsets('ext4-nocsum');
    const below: BlockSource = {
      size: src.size,
      readAt(offset, length) {
        if (offset <= o.rootDirBlock && o.rootDirBlock < offset + length)
          throw corrupt('qcow2 L2 table', 4242, 'test');
        return src.readAt(offset, length);
      },
    };
    const e = failure(() => mountSource(below).readdir('/'));
    expect([e.kind, e.structure, e.offset]).toEqual(['corrupt', 'qcow2 L2 table', 4242]);
  });
});

describe('WebAssembly traps', () => {
  test('a trap becomes corrupt, the module is re-created and the next call works', () => {
    const fsys = mountSource(new NodeFileSource(path.join(dir, 'ext4-nocsum.img')));
    const ino = fsys.lstat('/sparse/all-hole.bin').ino;
    expect(fsys.wasm.generation).toBe(1);
    // Garbage for the ABI: an output pointer 2 GiB past linear memory. Zero-filling the
    // hole there is an out-of-bounds store inside Rust: a trap, not a status.
    const e = failure(() => fsys.wasm.rawCall((x, h) => x.fs_read(h, ino, 0n, 0x7fff_0000, 65536)));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toMatch(/^ext4 WebAssembly trap/);
    expect(new TextDecoder().decode(fsys.read('/hello.txt', 0, 100))).toBe('hello, ext4\n');
    expect(fsys.wasm.generation).toBe(2);
  });
});
