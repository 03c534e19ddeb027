// Partition tables of the peer test images in ../shared/testdata, against the facts their
// own test suites assert (MANIFEST.md §3b, §3c, §3d, §3h, §3i).
//
// dissect.volume reports a GPT partition's size as (EndingLBA − StartingLBA) × sector size
// (dissect/volume/disk/schemes/gpt.py), one sector less than the inclusive range UEFI
// defines and sfdisk prints; so every GPT size below is dissect's + one sector. Its MBR
// sizes are the entry's sector count and match directly.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource, type BlockSource } from '../../src/engine/io/block-source.js';
import { Bytes } from '../../src/engine/io/bytes.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { decodePartitionRecord } from '../../src/engine/partitions/boot-record.js';
import { decodeGptEntry, decodeGptEntryArray } from '../../src/engine/partitions/gpt-entries.js';
import { decodeGptHeader } from '../../src/engine/partitions/gpt-header.js';
import { gptDriver } from '../../src/engine/partitions/gpt.js';
import { mbrDriver } from '../../src/engine/partitions/mbr.js';
import { openPartitionTable } from '../../src/engine/partitions/registry.js';
import type { PartitionTable } from '../../src/engine/partitions/types.js';
import { volumeBootRecordKind } from '../../src/engine/partitions/vbr.js';
import { readTestdata, repoRoot, sharedTestdata } from '../helpers/fixtures.js';

const ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const BASIC_DATA = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7';
const LINUX_FS = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

const source = (rel: string): BlockSource => new MemorySource(readTestdata(rel), rel);
const open = (rel: string): PartitionTable => openPartitionTable(source(rel))!;

function thrown(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an EngineError');
}

/** [partnum, byte offset, byte size] of each partition. */
const layoutOf = (t: PartitionTable) => t.partitions.map((p) => [p.partnum, p.start, p.size]);

describe('dissect.volume (tests/disk/test_{mbr,gpt}.py)', () => {
  it('mbr.bin: two NTFS (0x07) partitions', () => {
    const t = open('dissect.volume/disk/mbr.bin');
    expect(t.type).toBe('msdos');
    expect(layoutOf(t)).toEqual([
      [1, 0x100000, 0x1f400000],
      [2, 0x1f500000, 0xee0a00000],
    ]);
    expect(t.partitions.map((p) => p.mbrId)).toEqual([0x07, 0x07]);
    // The image is only the MBR sector: both partitions lie past its end, which is said.
    expect(t.warnings.length).toBe(2);
  });

  it('gpt.bin: the EFI System and basic data partitions', () => {
    const t = open('dissect.volume/disk/gpt.bin');
    expect(t.type).toBe('gpt');
    const [p1, p2] = t.partitions;
    expect([p1!.start, p1!.size]).toEqual([0x5000, 0xc7ffe00 + 512]);
    expect([p1!.gptType, p1!.gptGuid, p1!.name]).toEqual([
      ESP,
      '27D920BC-E414-45E0-9503-2606DE7A1056',
      'EFI System Partition',
    ]);
    expect([p2!.start, p2!.size]).toEqual([0xc900000, 0x7465ffe00 + 512]);
    expect([p2!.gptType, p2!.gptGuid, p2!.name]).toEqual([
      BASIC_DATA,
      'A14CECF3-B364-4D6D-A540-E245E6DF9D11',
      '',
    ]);
    // dissect's third partition is the hybrid MBR's entry for the same range (type 0x07).
    expect(p2!.mbrId).toBe(0x07);
  });

  it('gpt.bin with the GPT header sector zeroed is rejected', () => {
    const bytes = readTestdata('dissect.volume/disk/gpt.bin');
    bytes.fill(0, 512, 1024);
    const e = thrown(() => openPartitionTable(new MemorySource(bytes)));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT header');
  });

  it('gpt_hybrid.bin: what the GPT reports, and what the MBR says', () => {
    const t = open('dissect.volume/disk/gpt_hybrid.bin');
    expect(t.type).toBe('gpt');
    expect(layoutOf(t)).toEqual([
      [1, 0x100000, 0x80000 + 512],
      [2, 0x4400, 0xfba00 + 512],
      [3, 0x180200, 0x7ba00 + 512],
    ]);
    const guids = t.partitions.map((p) => p.gptGuid!.slice(0, 8));
    expect(guids).toEqual(['44EEA528', '8F4BCD34', 'B6AA0017']);
    for (const p of t.partitions)
      expect([p.gptType, p.name]).toEqual([LINUX_FS, 'Linux filesystem']);
    const mbr = mbrDriver.open(source('dissect.volume/disk/gpt_hybrid.bin'));
    const linux = mbr.partitions.filter((p) => p.mbrId === 0x83).map((p) => [p.start, p.size]);
    expect(linux).toEqual([
      [0x100000, 0x80200],
      [0x180200, 0x7bc00],
    ]);
  });

  it('gpt_4k.bin: 4096-byte sectors, three partitions', () => {
    const disk = source('dissect.volume/disk/gpt_4k.bin');
    // With 512-byte sectors there is no GPT header at LBA 1 (dissect: "Maybe 4K sector size").
    expect(String.fromCharCode(...disk.readAt(512, 8))).not.toBe('EFI PART');
    const t = openPartitionTable(disk)!;
    expect(t.sectorSize).toBe(4096);
    expect(layoutOf(t)).toEqual([
      [1, 0x100000, 0x100000 + 4096],
      [2, 0x300000, 0x100000 + 4096],
      [3, 0x500000, 0xb5a000 + 4096],
    ]);
    expect(t.partitions.map((p) => p.gptGuid!.slice(0, 8))).toEqual([
      '21B90A6E',
      'C6F4AD42',
      'B7230707',
    ]);
  });

  it('gpt_esxi.bin: partition numbers 1, 5, 6, 7, 8', () => {
    const t = open('dissect.volume/disk/gpt_esxi.bin');
    expect(layoutOf(t)).toEqual([
      [1, 0x8000, 0x63ffe00 + 512],
      [5, 0x6600000, 0xffeffe00 + 512],
      [6, 0x106600000, 0xffeffe00 + 512],
      [7, 0x206600000, 0x1df99ffe00 + 512],
      [8, 0x2000100000, 0x37fefbc00 + 512],
    ]);
    expect(t.partitions.map((p) => p.name)).toEqual([
      'BOOT',
      'BOOTBANK1',
      'BOOTBANK2',
      'OSDATA',
      'datastore1',
    ]);
    expect(t.partitions.map((p) => p.gptType!)).toEqual([
      ESP,
      BASIC_DATA,
      BASIC_DATA,
      expect.stringMatching(/^4EB2EA39-/),
      'AA31E02A-400F-11DB-9590-000C2911D1B8',
    ]);
  });

  it('gpt_no_name_xff.bin: a name of 0xFF bytes is ""', () => {
    const bytes = readTestdata('dissect.volume/disk/gpt_no_name_xff.bin');
    const array = bytes.subarray(1024, 1024 + 128 * 128);
    const entries = decodeGptEntryArray(array, 128, 1024);
    expect(entries.length).toBe(1);
    expect(entries[0]!.name).toBe('');
    // dissect does not check CRCs, and this file was made by filling the name of a good
    // table with 0xFF without updating PartitionEntryArrayCRC32: the stored CRC (zlib says)
    // is that of the array with a zeroed name. With no backup in the file, we say corrupt.
    const header = decodeGptHeader(bytes.subarray(512, 1024), 1, 512);
    const zeroed = array.slice();
    zeroed.fill(0, 56, 128);
    expect(zlib.crc32(zeroed)).toBe(header.partitionEntryArrayCrc32);
    expect(zlib.crc32(array)).not.toBe(header.partitionEntryArrayCrc32);
    const e = thrown(() => gptDriver.open(new MemorySource(bytes)));
    expect(e.kind).toBe('corrupt');
    expect(e.structure).toBe('GPT entry array');
  });

  it('apm.bin and bsd.bin are not read as MBR partitions', () => {
    expect(openPartitionTable(source('dissect.volume/disk/apm.bin'))).toBeUndefined();
    expect(openPartitionTable(source('dissect.volume/disk/bsd.bin'))).toBeUndefined();
  });

  it('bsd64.bin: the GPT is read and its BSD disklabel partition is flagged, not parsed', () => {
    const t = open('dissect.volume/disk/bsd64.bin.gz');
    expect(t.type).toBe('gpt');
    const label = t.partitions.find((p) => p.gptType === '3D48CE54-1D16-11DC-8696-01301BB8A9F5');
    expect(label).toBeDefined();
    expect(
      t.warnings.some((w) => w.includes(`partition ${label!.partnum} `) && w.includes('disklabel')),
    ).toBe(true);
  });
});

describe('pytsk tsk_volume_system.raw (tests/volume_info.py)', () => {
  it('two Linux partitions at sectors 1 and 352, the second inside an extended one', () => {
    const t = open('pytsk/tsk_volume_system.raw');
    const rows = t.partitions.map((p) => [p.partnum, p.kind, p.start / 512, p.size / 512, p.mbrId]);
    expect(rows).toEqual([
      [1, 'primary', 1, 350, 0x83],
      [2, 'extended', 351, 2529, 0x05],
      [5, 'logical', 352, 2528, 0x83],
    ]);
  });
});

/** ext-part-test-2.dd, unzipped once into the fixture cache (150 MB, sparse-ish). */
function dfttExtendedImage(): string {
  const dest = path.join(
    repoRoot,
    '.fixtures',
    'testdata',
    'sleuthkit',
    'dftt',
    'ext-part-test-2.dd',
  );
  if (!fs.existsSync(dest)) {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const zip = path.join(sharedTestdata, 'sleuthkit', 'dftt', '1-extend-part.zip');
    const tmp = `${dest}.${process.pid}.tmp`;
    execFileSync('sh', [
      '-c',
      'unzip -p "$1" 1-extend-part/ext-part-test-2.dd > "$2"',
      'sh',
      zip,
      tmp,
    ]);
    fs.renameSync(tmp, dest);
  }
  return dest;
}

describe('sleuthkit DFTT 1-extend-part (index.html layout)', () => {
  it('six FAT16 partitions, one of them in the second slot of an EBR', () => {
    const disk = new NodeFileSource(dfttExtendedImage());
    const t = openPartitionTable(disk)!;
    const rows = t.partitions.map((p) => [p.partnum, p.start / 512, p.size / 512, p.mbrId]);
    expect(rows).toEqual([
      [1, 63, 52353, 0x04],
      [2, 52416, 52416, 0x04],
      [3, 104832, 52416, 0x04],
      [4, 157248, 155232, 0x05],
      [5, 157311, 52353, 0x04],
      [6, 209727, 52353, 0x04],
      [7, 262143, 50337, 0x06],
    ]);
    const fat = t.partitions.filter((p) => p.kind !== 'extended');
    expect(fat.map((p) => volumeBootRecordKind(disk.readAt(p.start, 512)))).toEqual(
      Array(6).fill('vfat'),
    );
    expect(t.warnings).toEqual([]);
  });
});

describe('go-diskfs single entries (mbr/partition_test.go, gpt/partition_test.go)', () => {
  it('gpt_partition.dat', () => {
    const e = decodeGptEntry(
      new Bytes(readTestdata('go-diskfs/gpt_partition.dat'), 'GPT entry'),
      0,
      0,
    )!;
    expect([e.startingLba, e.endingLba, e.name, e.uniqueGuid, e.typeGuid, e.attributes]).toEqual([
      2048,
      3048,
      'EFI System',
      '5CA3360B-5DE6-4FCF-B4CE-419CEE433B51',
      ESP,
      0n,
    ]);
  });

  it('mbr_partition.dat', () => {
    const e = decodePartitionRecord(
      new Bytes(readTestdata('go-diskfs/mbr_partition.dat'), 'MBR entry'),
      0,
      0,
    );
    expect([e.status === 0x80, e.type, e.startLba, e.sectors]).toEqual([false, 0x83, 2048, 20480]);
  });
});

describe('booster-blkid fragments (init/blkid_test.go)', () => {
  it('gpt_header.bin: GPT with disk GUID 6d7bcc78-…', () => {
    const t = open('booster-blkid/gpt_header.bin');
    expect(t.type).toBe('gpt');
    expect(t.id).toBe('6D7BCC78-33AC-462A-998A-1FA7C9DAF661');
    expect(t.partitions).toEqual([]); // the fragment ends before the entry array
  });

  it('mbr_header.bin: MBR with disk signature 88acdfc5', () => {
    const t = open('booster-blkid/mbr_header.bin');
    expect(t.type).toBe('msdos');
    expect(t.id).toBe('88acdfc5');
  });
});

describe('dissect.hypervisor fixed.vhd (tests/disk/test_vhd.py)', () => {
  it('the disk signature bytes eb 3d ad 8c at 0x1B8 read as id 8cad3deb, as blkid prints PTUUID', () => {
    const t = open('dissect.hypervisor/vhd/fixed.vhd.gz');
    expect(t.id).toBe('8cad3deb');
  });
});
