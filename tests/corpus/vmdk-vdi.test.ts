// Peer test data (../shared/testdata, MANIFEST.md): the facts dissect.hypervisor's
// tests/disk/test_vdi.py and test_vmdk.py assert about basic.vdi and sesparse.vmdk (§3a), and
// Sleuth Kit's test/tsk/img/test_vmdk.cpp image (§3b, with img_dump-image.vmdk.json).

import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MapResolver } from '../../src/engine/formats/map-resolver.js';
import {
  createOpenContext,
  detectFormat,
  openImage,
  readTail,
} from '../../src/engine/formats/registry.js';
import type { DiskImage } from '../../src/engine/formats/types.js';
import { MemorySource, readHead } from '../../src/engine/io/block-source.js';
import { formatUuid } from '../../src/engine/io/bytes.js';
import { readTestdata } from '../helpers/fixtures.js';

const MiB = 1024 * 1024;

function openMemory(rel: string, formatHint?: string): DiskImage {
  const name = rel.split('/').pop()!.replace(/\.gz$/, '');
  const resolver = new MapResolver([[name, new MemorySource(readTestdata(rel), name)]]);
  return openImage(resolver.resolve(name)!.source, createOpenContext(resolver, name), formatHint);
}

describe('dissect.hypervisor vdi/basic.vdi (MANIFEST §3a)', () => {
  test('type NORMAL, flags 0, 10 MiB, 1 MiB blocks', () => {
    const image = openMemory('dissect.hypervisor/vdi/basic.vdi.gz');
    expect(image.format).toBe('vdi');
    expect([image.info.imageType, image.info.variant, image.info.flags]).toEqual([1, 'dynamic', 0]);
    expect([image.size, image.info.clusterSize]).toEqual([10 * MiB, MiB]);
  });

  test('the first MiB is zero; then 4 KiB chunk i is all byte i % 256 up to the end', () => {
    const image = openMemory('dissect.hypervisor/vdi/basic.vdi.gz');
    expect(image.readAt(0, MiB).every((b) => b === 0)).toBe(true);
    for (let off = MiB; off < image.size; off += 4096) {
      const chunk = image.readAt(off, 4096);
      const want = (off / 4096) % 256;
      if (!chunk.every((b) => b === want)) throw new Error(`chunk at ${off} is not all ${want}`);
    }
  });
});

describe('dissect.hypervisor vmdk/sesparse.vmdk (MANIFEST §3a)', () => {
  test('seSparse: header version, grain directory and table sizes, GD[0]', () => {
    const bytes = readTestdata('dissect.hypervisor/vmdk/sesparse.vmdk.gz');
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(v.getBigUint64(8, true)).toBe(0x200000001n);
    const image = openMemory('dissect.hypervisor/vmdk/sesparse.vmdk.gz');
    expect([image.format, image.info.sparseFormat, image.info.createType]).toEqual([
      'vmdk',
      'seSparse',
      'seSparse',
    ]);
    expect([image.info.grainDirectoryEntries, image.info.grainTableEntries]).toEqual([
      0x20000, 0x1000,
    ]);
    const gd = Number(v.getBigUint64(16 * 8, true)) * 512; // grain_dir_offset, in sectors
    expect(v.getBigUint64(gd, true)).toBe(0x1000000000000000n);
  });

  test('the first 0x1000000 bytes are all "a"', () => {
    const image = openMemory('dissect.hypervisor/vmdk/sesparse.vmdk.gz');
    for (let off = 0; off < 0x1000000; off += 4 * MiB) {
      const chunk = image.readAt(off, 4 * MiB);
      if (!chunk.every((b) => b === 0x61)) throw new Error(`not all "a" in ${off}+4 MiB`);
    }
  });
});

describe('sesparse.vmdk as ESXi names it: a SESPARSE extent of a descriptor', () => {
  test('the descriptor sizes the disk; the extent reads as on its own', () => {
    const extent = readTestdata('dissect.hypervisor/vmdk/sesparse.vmdk.gz');
    const sectors = 0x1000000 / 512; // the 16 MiB the manifest describes
    const text = [
      '# Disk DescriptorFile',
      'version=1',
      'CID=fffffffe',
      'parentCID=ffffffff',
      'createType="seSparse"',
      `RW ${sectors} SESPARSE "snap-sesparse.vmdk"`,
      '',
    ].join('\n');
    const resolver = new MapResolver([
      ['snap.vmdk', new MemorySource(new Uint8Array(Buffer.from(text)), 'snap.vmdk')],
      ['snap-sesparse.vmdk', new MemorySource(extent, 'snap-sesparse.vmdk')],
    ]);
    const image = openImage(
      resolver.resolve('snap.vmdk')!.source,
      createOpenContext(resolver, 'snap.vmdk'),
    );
    expect([image.size, image.info.createType, image.info.sparseFormat]).toEqual([
      0x1000000,
      'seSparse',
      'seSparse',
    ]);
    expect(image.info.warnings).toBeUndefined();
    expect(image.readAt(0, image.size).every((b) => b === 0x61)).toBe(true);
  });
});

describe('Sleuth Kit test-data (MANIFEST §3b)', () => {
  test('image.vmdk: 102400 bytes holding the ext2 file system img_dump reports', () => {
    const image = openMemory('sleuthkit/test-data/image.vmdk');
    expect([image.format, image.size]).toEqual(['vmdk', 102400]);
    const sb = image.readAt(1024, 1024);
    const v = new DataView(sb.buffer, sb.byteOffset);
    expect(v.getUint16(56, true)).toBe(0xef53); // s_magic, at 1080 of the disk
    // img_dump: inum_count 17 = s_inodes_count + TSK's virtual $OrphanFiles (inode 17).
    expect([v.getUint32(0, true) + 1, v.getUint32(4, true), 1024 << v.getUint32(24, true)]).toEqual(
      [17, 100, 1024],
    );
    expect(formatUuid(sb.subarray(104, 120)).replace(/-/g, '')).toBe(
      'f1f8dab857ef49db9cf5b409570736ed',
    );
  });

  test('image.dd is not detected as vmdk, and forced to vmdk it does not open', () => {
    const dd = new MemorySource(readTestdata('sleuthkit/test-data/image.dd'), 'image.dd');
    expect(detectFormat(readHead(dd, 0, 65536), dd.size, readTail(dd)).name).toBe('raw');
    expect(() => openMemory('sleuthkit/test-data/image.dd', 'vmdk')).toThrow(EngineError);
    expect(() => openMemory('sleuthkit/test-data/image.dd', 'vdi')).toThrow(EngineError);
  });

  test('no other peer image is claimed by the vmdk or vdi probe', () => {
    const files = [
      'sleuthkit/test-data/image.dd', 'sleuthkit/test-data/image.qcow', 'sleuthkit/test-data/image.vhd',
      'sleuthkit/test-data/image.iso', 'dissect.hypervisor/vhd/dynamic.vhd.gz',
      'dissect.hypervisor/vhdx/fixed.vhdx.gz', 'dissect.hypervisor/qcow2/basic.qcow2.gz',
    ]; // prettier-ignore
    for (const rel of files) {
      const src = new MemorySource(readTestdata(rel), rel);
      const name = detectFormat(readHead(src, 0, 65536), src.size, readTail(src)).name;
      expect(`${rel}: ${['vmdk', 'vdi'].includes(name)}`).toBe(`${rel}: false`);
    }
  });
});
