// The probe on other projects' test images (../shared/testdata), asserting the facts
// MANIFEST.md records for them. Where MANIFEST says "what blkid says", blkid -p is run
// on the decompressed file here and the whole answer compared.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { probe, probeAll } from '../../src/engine/fs/probe/registry.js';
import type { ProbeResult } from '../../src/engine/fs/probe/types.js';
import { readTestdata, sharedTestdata, testdataFile } from '../helpers/fixtures.js';
import { asExport, blkidNow } from '../probe/blkid.js';

const probeBytes = (b: Uint8Array): ProbeResult | undefined => probe(new MemorySource(b));
const probeFile = (rel: string): ProbeResult | undefined =>
  probe(new NodeFileSource(testdataFile(rel)));

describe('serpent-superblock (blsforme / disks-rs superblock tests)', () => {
  it.each([
    ['btrfs.img.zst', 'btrfs', 'blsforme testing', '829d6a03-96a5-4749-9ea2-dbb6e59368b2'],
    ['ext4.img.zst', 'ext4', 'blsforme testing', '731af94c-9990-4eed-944d-5d230dbe8a0d'],
    ['xfs.img.zst', 'xfs', 'BLSFORME', '45e8a3bf-8114-400f-95b0-380d0fb7d42d'],
    ['f2fs.img.zst', 'f2fs', 'blsforme testing', 'd2c85810-4e75-4274-bc7d-a78267af7443'],
    ['fat16.img.zst', 'vfat', 'TESTLABEL', 'A1B2-C3D4'],
    ['fat32.img.zst', 'vfat', 'TESTLABEL', 'A1B2-C3D4'],
  ])('%s is %s labelled %s with id %s', (file, type, label, uuid) => {
    const r = probeFile(`serpent-superblock/${file}`);
    expect([r?.type, r?.label, r?.uuid]).toEqual([type, label, uuid]);
  });

  it('FAT16 and FAT32 versions', () => {
    expect(probeFile('serpent-superblock/fat16.img.zst')?.extra.VERSION).toBe('FAT16');
    expect(probeFile('serpent-superblock/fat32.img.zst')?.extra.VERSION).toBe('FAT32');
  });
});

describe('booster-blkid header fragments: detection and UUID from the header alone', () => {
  it.each([
    ['ext4_superblock.bin', 'ext4', '1fa04de7-30a9-4183-93e9-1b0061567121'],
    ['btrfs_superblock.bin', 'btrfs', '7f95b123-5fbf-4b84-af9d-daf2a541c527'],
    ['xfs_superblock.bin', 'xfs', '35d49b10-058b-44be-ba53-6e3d5c07da35'],
    ['luks_header.bin', 'crypto_LUKS', '0d7b09a9-8928-4451-8037-21f7a329fed8'],
  ])('%s → %s %s', (file, type, uuid) => {
    const r = probeBytes(readTestdata(`booster-blkid/${file}`));
    expect([r?.type, r?.uuid]).toEqual([type, uuid]);
  });

  it('the LUKS fragment is LUKS2', () => {
    expect(probeBytes(readTestdata('booster-blkid/luks_header.bin'))?.extra.VERSION).toBe('2');
  });

  it('partition-table fragments are not filesystems', () => {
    expect(probeBytes(readTestdata('booster-blkid/gpt_header.bin'))).toBeUndefined();
    expect(probeBytes(readTestdata('booster-blkid/mbr_header.bin'))).toBeUndefined();
  });
});

describe('dissect, ntfs-rs and sleuthkit images', () => {
  it('dissect.extfs ext4.bin: ext4, uuid, empty volume name', () => {
    const r = probeBytes(readTestdata('dissect.extfs/ext4.bin.gz'));
    expect([r?.type, r?.uuid, r?.label]).toEqual([
      'ext4',
      'ab98e08e-e2da-4bc9-bfc6-1ac5eafb1001',
      undefined,
    ]);
  });

  it('dissect.xfs xfs.bin: xfs uuid', () => {
    const r = probeBytes(readTestdata('dissect.xfs/xfs.bin.gz'));
    expect([r?.type, r?.uuid]).toEqual(['xfs', '3fb8342e-e144-4f0c-8bd7-725e78966200']);
  });

  it('dissect.ntfs ntfs.bin: label "New Volume"', () => {
    const r = probeBytes(readTestdata('dissect.ntfs/ntfs.bin.gz'));
    expect([r?.type, r?.label]).toEqual(['ntfs', 'New Volume']);
  });

  it('ntfs-rs testfs1: label mylabel', () => {
    const r = probeBytes(readTestdata('ntfs-rs/testfs1'));
    expect([r?.type, r?.label]).toEqual(['ntfs', 'mylabel']);
  });

  it('dissect.fat exfat.bin: label THESIS', () => {
    const r = probeBytes(readTestdata('dissect.fat/exfat.bin'));
    expect([r?.type, r?.label]).toEqual(['exfat', 'THESIS']);
  });

  it.each(['gzip', 'gzip-opts', 'lz4', 'lzma', 'lzo', 'xz', 'zstd'])(
    'dissect.squashfs %s.sqfs is squashfs 4.0',
    (name) => {
      const r = probeBytes(readTestdata(`dissect.squashfs/${name}.sqfs`));
      expect([r?.type, r?.extra.VERSION]).toEqual(['squashfs', '4.0']);
    },
  );

  it('sleuthkit image.dd: ext2 with the fs_id as UUID', () => {
    const r = probeBytes(readTestdata('sleuthkit/test-data/image.dd'));
    expect([r?.type, r?.uuid]).toEqual(['ext2', 'f1f8dab8-57ef-49db-9cf5-b409570736ed']);
  });

  it('sleuthkit image.iso: iso9660 with volume id CDROM', () => {
    const r = probeBytes(readTestdata('sleuthkit/test-data/image.iso'));
    expect([r?.type, r?.label]).toEqual(['iso9660', 'CDROM']);
  });
});

describe('cryptsetup LUKS images', () => {
  it('compatimage: LUKS1, uuid 28632274-…', () => {
    const r = probeFile('cryptsetup/compatimage.img.xz');
    expect([r?.type, r?.extra.VERSION, r?.uuid]).toEqual([
      'crypto_LUKS',
      '1',
      '28632274-8c8a-493f-835b-da802e1c576b',
    ]);
  });

  it('compatimage2: LUKS2, same uuid', () => {
    const r = probeFile('cryptsetup/compatimage2.img.xz');
    expect([r?.type, r?.extra.VERSION, r?.uuid]).toEqual([
      'crypto_LUKS',
      '2',
      '28632274-8c8a-493f-835b-da802e1c576b',
    ]);
  });

  it('luks2_mda_images: every metadata size probes to uuid f453a131-…', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mda-'));
    try {
      const tar = path.join(sharedTestdata, 'cryptsetup/luks2_mda_images.tar.xz');
      execFileSync('tar', ['-xJf', tar, '-C', dir]);
      const names = fs.readdirSync(dir).filter((n) => n.startsWith('test_image_'));
      expect(names.length).toBe(9);
      for (const n of names) {
        const r = probe(new NodeFileSource(path.join(dir, n)));
        expect([n, r?.type, r?.uuid]).toEqual([
          n,
          'crypto_LUKS',
          'f453a131-2739-4fbb-af7e-963f442ad433',
        ]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('blkid-luks2-pv.img: exactly what blkid -p says (LVM2 first, as blkid decides)', () => {
    const file = testdataFile('cryptsetup/blkid-luks2-pv.img.xz');
    const want = blkidNow(file);
    expect(want.TYPE).toBe('LVM2_member');
    expect(asExport(probe(new NodeFileSource(file)))).toEqual(want);
    // Both signatures are there; blkid -p stops at the first volume-manager one.
    expect(probeAll(new NodeFileSource(file)).map((r) => r.type)).toEqual([
      'LVM2_member',
      'crypto_LUKS',
    ]);
  });
});

describe('go-diskfs volrecords.iso (the four descriptors of the Ubuntu 18.04.1 server ISO)', () => {
  it('placed at sector 16, probes as blkid does: Joliet label merged with the PVD label', () => {
    const vr = readTestdata('go-diskfs/volrecords.iso');
    const img = new Uint8Array(32 * 1024 + vr.length);
    img.set(vr, 32 * 1024);
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vr-')), 'vr.iso');
    fs.writeFileSync(tmp, img);
    try {
      const want = blkidNow(tmp);
      const got = asExport(probeBytes(img));
      expect(got).toEqual(want);
      expect(got.LABEL).toBe('Ubuntu-Server 18.04.1 LTS amd64');
      expect(got.VERSION).toBe('Joliet Extension');
    } finally {
      fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    }
  });

  it('as shipped (descriptors at offset 0) it is not an ISO, for blkid nor for us', () => {
    expect(probeBytes(readTestdata('go-diskfs/volrecords.iso'))).toBeUndefined();
  });
});
