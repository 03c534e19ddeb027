// Peer test data (../shared/testdata, MANIFEST.md): the facts dissect.hypervisor's
// tests/disk/test_vhd.py and test_vhdx.py assert about its Hyper-V-made images (§3a), and
// the Sleuth Kit's test/tsk/img/test_vhd.cpp image (§3b).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { detectFormat, readTail } from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';
import type { VhdxImage } from '../../src/engine/formats/vhdx/image.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { sharedTestdata, testdataFile } from '../helpers/fixtures.js';

const open = (rel: string): DiskImage => openNodeImage(testdataFile(rel)).image;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const allBytes = (b: Uint8Array, v: number) => b.every((x) => x === v);

function openError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('dissect.hypervisor vhd (MANIFEST §3a)', () => {
  test.each([
    ['fixed', 'eb3dad8c'],
    ['dynamic', 'e13dad8c'],
  ])('%s.vhd: 10 MiB, MBR with disk signature %s, 0xFF×512 at 0x200000', (name, sig) => {
    const image = open(`dissect.hypervisor/vhd/${name}.vhd.gz`);
    expect(image.format).toBe('vpc');
    expect(image.info.diskType).toBe(name);
    expect(image.size).toBe(10485760);
    const mbr = image.readAt(0, 512);
    expect(hex(mbr.subarray(0x1b8, 0x1bc))).toBe(sig);
    expect(hex(mbr.subarray(510, 512))).toBe('55aa');
    expect(allBytes(image.readAt(0x200000, 512), 0xff)).toBe(true);
  });

  test('the two MBRs differ only at 0x1B8', () => {
    const a = open('dissect.hypervisor/vhd/fixed.vhd.gz').readAt(0, 512);
    const b = open('dissect.hypervisor/vhd/dynamic.vhd.gz').readAt(0, 512);
    const diff = [...a.keys()].filter((i) => a[i] !== b[i]);
    expect(diff).toEqual([0x1b8]);
  });

  test('dynamic.vhd: 16 sectors at sector 0x3FFF are zero', () => {
    const image = open('dissect.hypervisor/vhd/dynamic.vhd.gz');
    expect(allBytes(image.readAt(0x3fff * 512, 16 * 512), 0)).toBe(true);
  });
});

describe('dissect.hypervisor vhdx (MANIFEST §3a)', () => {
  test('fixed.vhdx: geometry, id, every payload block FULLY_PRESENT, MBR and 0xFF sector', () => {
    const image = open('dissect.hypervisor/vhdx/fixed.vhdx.gz') as VhdxImage;
    expect(image.format).toBe('vhdx');
    expect(image.size).toBe(0xa00000);
    expect(image.info.blockSize).toBe(0x200000);
    expect(image.info.logicalSectorSize).toBe(512);
    expect(image.info.chunkRatio).toBe(0x800);
    expect(image.info.id).toBe('4a49d245-db0a-4634-9818-9f93db5ba6c1');
    for (let i = 0; i < 0xa00000 / 0x200000; i++)
      expect(image.payloadState(i)).toBe('FULLY_PRESENT');
    expect(hex(image.readAt(0x1b8, 4))).toBe('8a3dad8c');
    expect(allBytes(image.readAt(0x200000, 512), 0xff)).toBe(true);
  });

  test('dynamic.vhdx: geometry, id, MBR and 0xFF sector', () => {
    const image = open('dissect.hypervisor/vhdx/dynamic.vhdx.gz');
    expect(image.info.blockSize).toBe(0x2000000);
    expect(image.info.chunkRatio).toBe(0x80);
    expect(image.info.id).toBe('788015f0-5e93-4bd2-a5de-b0cd8459db11');
    expect(hex(image.readAt(0x1b8, 4))).toBe('f93dad8c');
    expect(allBytes(image.readAt(0x200000, 512), 0xff)).toBe(true);
  });

  test('differencing.avhdx: the absent parent fails the open with ENOENT naming the locator', () => {
    const e = openError(() => open('dissect.hypervisor/vhdx/differencing.avhdx.gz'));
    expect(e.kind).toBe('ENOENT');
    expect(e.path).toMatch(/Generation 1_49C4BAF3-4B25-4406-8C4B-D39E65C32385\.avhdx$/);
  });
});

describe('Sleuth Kit image.vhd (MANIFEST §3b)', () => {
  const sleuthkit = (name: string) => path.join(sharedTestdata, 'sleuthkit/test-data', name);

  test('image.vhd: size 104448 (img_dump), the ext2 superblock at 1024', () => {
    const { image } = openNodeImage(sleuthkit('image.vhd'));
    expect(image.format).toBe('vpc');
    expect(image.size).toBe(104448);
    const sb = image.readAt(1024, 1024);
    expect(sb[56]! | (sb[57]! << 8)).toBe(0xef53); // s_magic
    expect(new DataView(sb.buffer).getUint32(4, true)).toBe(100); // s_blocks_count: 100 × 1 KiB
  });

  test('image.dd is not detected as vhd (test_vhd.cpp: it must fail to open as vhd)', () => {
    const dd = new Uint8Array(fs.readFileSync(sleuthkit('image.dd')));
    const src = new MemorySource(dd);
    expect(detectFormat(dd.subarray(0, 65536), dd.length, readTail(src)).name).toBe('raw');
  });
});
