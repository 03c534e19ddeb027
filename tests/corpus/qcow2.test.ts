// Peer test data (../shared/testdata, MANIFEST.md): the facts dissect.hypervisor's
// tests/disk/test_qcow2.py asserts about its qcow2 images (§3a), and sleuthkit's
// test/tsk/img/test_qcow.cpp / test_raw.cpp images (§3b).

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import type { Qcow2Image } from '../../src/engine/formats/qcow2/image.js';
import { createOpenContext, detectFormat, openImage } from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { readTestdata, sharedTestdata, testdataFile } from '../helpers/fixtures.js';

const MiB = 1024 * 1024;
const QCOW2 = 'dissect.hypervisor/qcow2';
const qcow2File = (name: string) => testdataFile(`${QCOW2}/${name}.gz`);

function openError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

/** "Block i (1 MiB each, i = 0..254) consists entirely of byte i." */
function expectBytePerMiB(image: DiskImage): void {
  for (let i = 0; i <= 254; i++) {
    const block = image.readAt(i * MiB, MiB);
    const wrong = block.findIndex((b) => b !== i);
    if (wrong >= 0) throw new Error(`MiB ${i}: byte ${wrong} is ${block[wrong]}, not ${i}`);
  }
}

/** Successive 1 MiB reads with the NULs stripped, as test_qcow2.py compares them. */
function stripped(image: DiskImage, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Buffer.from(image.readAt(i * MiB, MiB).filter((b) => b !== 0)).toString('latin1'));
  }
  return out;
}

describe('dissect.hypervisor qcow2 (MANIFEST §3a)', () => {
  test.each(['basic', 'basic-zstd'])('%s: 512 MiB, block i of 1 MiB is all byte i', (name) => {
    const { image } = openNodeImage(qcow2File(`${name}.qcow2`));
    expect(image.size).toBe(536870912);
    expect(image.backing).toBeUndefined();
    expect(image.info.compressionType).toBe(name === 'basic' ? 'zlib' : 'zstd');
    expectBytePerMiB(image);
  });

  test('data-file: fails without its data file, holds the pattern with it', () => {
    const top = new MemorySource(readTestdata(`${QCOW2}/data-file.qcow2.gz`), 'data-file.qcow2');
    const alone = new MapResolver([['data-file.qcow2', top]]);
    const e = openError(() => openImage(top, createOpenContext(alone, 'data-file.qcow2')));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toBe('data-file.bin');
    qcow2File('data-file.bin'); // beside the image, where the Node resolver looks
    const { image } = openNodeImage(qcow2File('data-file.qcow2'));
    expect(image.info.dataFile).toBe('data-file.bin');
    expectBytePerMiB(image);
  });

  test('backing chain 1 -> 2 -> 3: names and the strings of each layer', () => {
    for (const n of [1, 2, 3]) qcow2File(`backing-chain-${n}.qcow2`);
    const chain3 = openNodeImage(qcow2File('backing-chain-3.qcow2')).image;
    const chain2 = openNodeImage(qcow2File('backing-chain-2.qcow2')).image;
    const chain1 = openNodeImage(qcow2File('backing-chain-1.qcow2')).image;
    expect(chain1.backingFile).toBe('backing-chain-2.qcow2');
    expect(chain2.backingFile).toBe('backing-chain-3.qcow2');
    expect(chain3.backingFile).toBeUndefined();
    expect(stripped(chain3, 5)).toEqual([
      'Something here',
      'Something here too',
      'Something here three',
      '',
      '',
    ]);
    expect(stripped(chain2, 5)).toEqual([
      'Nothing here',
      'Something here too',
      'Something here three',
      'Something here four',
      '',
    ]);
    expect(stripped(chain1, 5)).toEqual([
      'Nothing here',
      'Nothing here two',
      'Something here three',
      'Something here four',
      'Something here five',
    ]);
  });

  test('snapshot: two snapshots, their contents by sha1; the active layer starts with 4 MiB of zeros', () => {
    const image = openNodeImage(qcow2File('snapshot.qcow2')).image as Qcow2Image;
    expect(image.size).toBe(536870912);
    expect(image.readAt(0, 4 * MiB).every((b) => b === 0)).toBe(true);
    expect(image.snapshots.map((s) => [s.id, s.name])).toEqual([
      ['1', "you can't see me"],
      ['2', 'confused'],
    ]);
    const sha1 = (img: DiskImage, n: number) =>
      createHash('sha1').update(img.readAt(0, n)).digest('hex');
    expect(sha1(image.openSnapshot('2'), 813857)).toBe('c97f53aece77ea49099d15e5f53af3af5f62fb54');
    expect(sha1(image.openSnapshot('1'), 2261577)).toBe('2c7a6b5f6b5c4739f6d24c11e86c764bdf86096f');
  });
});

describe('sleuthkit test-data (MANIFEST §3b)', () => {
  const file = (name: string) => path.join(sharedTestdata, 'sleuthkit/test-data', name);

  test('image.qcow is QCOW version 1 and holds the ext2 file system', () => {
    const { image } = openNodeImage(file('image.qcow'));
    expect(image.format).toBe('qcow');
    expect(image.size).toBe(102400); // img_dump-image.qcow.json "size"
    const sb = Buffer.from(image.readAt(1024, 1024));
    expect(sb.readUInt16LE(56)).toBe(0xef53); // ext2 magic
    expect(sb.readUInt32LE(4)).toBe(100); // blocks of 1 KiB
    expect(sb.subarray(104, 120).toString('hex')).toBe('f1f8dab857ef49db9cf5b409570736ed'); // fs_id
  });

  test('image.qcow reads exactly as qemu-img converts it', () => {
    const tmp = path.join(os.tmpdir(), `guestkit-qcow1-${process.pid}.raw`);
    try {
      execFileSync('qemu-img', ['convert', '-f', 'qcow', '-O', 'raw', file('image.qcow'), tmp]);
      const { image } = openNodeImage(file('image.qcow'));
      expect(Buffer.from(image.readAt(0, image.size)).equals(fs.readFileSync(tmp))).toBe(true);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  });

  test('image.dd is not detected as qcow2, and forcing qcow2 on it fails as corrupt', () => {
    const dd = new Uint8Array(fs.readFileSync(file('image.dd')));
    expect(detectFormat(dd.subarray(0, 65536), dd.length).name).toBe('raw');
    const e = openError(() => openNodeImage(file('image.dd'), 'qcow2'));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'qcow2 header',
    });
  });
});
