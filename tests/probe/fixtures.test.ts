// Every image of fixtures/build-probe.sh must probe to exactly the keys and values
// `blkid -p -o export` printed for it when the fixture was built.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { probe, probeVerdict } from '../../src/engine/fs/probe/registry.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { asExport, parseExport } from './blkid.js';

let dir = '';
beforeAll(() => {
  dir = ensureFixture('probe');
});

function expected(name: string): Record<string, string> {
  return parseExport(fs.readFileSync(path.join(dir, 'expected', `${name}.blkid`), 'latin1'));
}

/** The images the build script makes; a missing expected file fails the test. */
const IMAGES = [
  'ext2.img',
  'ext4-utf8.img',
  'ext3.img',
  'ext4.img',
  'ext4-nocsum.img',
  'ext4-nojournal.img',
  'jbd.img',
  'xfs.img',
  'btrfs.img',
  'f2fs.img',
  'ntfs.img',
  'vfat12.img',
  'vfat16.img',
  'vfat32.img',
  'vfat-nolabel.img',
  'vfat16-twolabels.img',
  'vfat12-bootlabel.img',
  'exfat.img',
  'iso-plain.iso',
  'iso-joliet.iso',
  'iso-udf.iso',
  'iso-xorriso.iso',
  'udf.img',
  'squashfs-gzip.img',
  'squashfs-xz.img',
  'squashfs-zstd.img',
  'squashfs3.img',
  'swap.img',
  'swsuspend.img',
  'luks1.img',
  'luks2.img',
  'lvm.img',
  'md090.img',
  'md10.img',
  'md11.img',
  'md12.img',
  'bitlocker.img',
  'hfsplus.img',
  'hfs.img',
  'apfs.img',
  'zfs.img',
  'zero.img',
];

describe('probe agrees with blkid -p on every fixture image', () => {
  it.each(IMAGES)('%s', (name) => {
    const want = expected(name);
    const src = new NodeFileSource(path.join(dir, name));
    const verdict = probeVerdict(src);
    expect(asExport(verdict.result)).toEqual(want);
    // Grouped reads: the head and tail windows plus libblkid's LUKS2 secondary-header
    // offsets (512 KiB, 1, 2, 4 MiB) on devices large enough to have them; a FAT32 root
    // directory lies in the data area: one more read.
    expect(verdict.reads.reads).toBeLessThanOrEqual(7);
  });

  it('the blank image probes to nothing, and blkid agrees', () => {
    expect(expected('zero.img')).toEqual({});
    expect(probe(new NodeFileSource(path.join(dir, 'zero.img')))).toBeUndefined();
  });

  it('identifies the types blkid names, not just any result', () => {
    const types = IMAGES.map((n) => expected(n).TYPE).filter(Boolean);
    expect(new Set(types)).toEqual(
      new Set([
        'ext2',
        'ext3',
        'ext4',
        'jbd',
        'xfs',
        'btrfs',
        'f2fs',
        'ntfs',
        'vfat',
        'exfat',
        'iso9660',
        'udf',
        'squashfs',
        'squashfs3',
        'swap',
        'swsuspend',
        'crypto_LUKS',
        'LVM2_member',
        'linux_raid_member',
        'BitLocker',
        'hfsplus',
        'hfs',
        'apfs',
        'zfs_member',
      ]),
    );
  });
});
