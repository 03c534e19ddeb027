// statvfs of ext2/3/4 against the kernel's: fixtures/build-ext4-statfs.sh mounts each image
// read-only through a loop device and records os.statvfs (expected/statvfs.json). The
// images cover what changes the kernel's numbers: the metadata overhead left out of
// f_blocks (superblock backups with sparse_super, sparse_super2 or neither, meta_bg
// descriptors, reserved GDT blocks, the journal, bigalloc clusters counted or stored) and
// the allocator reserve kept out of f_bavail (extent filesystems only).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureFixture } from '../helpers/fixtures.js';
import { loadExt4, mountFile } from './ext4-support.js';

let dir = '';
let expected: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  dir = ensureFixture('ext4-statfs');
  expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'statvfs.json'), 'utf8'));
  await loadExt4();
});

const IMAGES = [
  'ext4-4k',
  'ext4-1k',
  'ext4-nojournal',
  'ext4-sparse2',
  'ext4-nosparse',
  'ext3',
  'ext2-metabg',
  'bigalloc',
  'bigalloc-calc',
];

describe.each(IMAGES)('%s', (name) => {
  test('statvfs equals the kernel statvfs of a read-only mount', () => {
    const want = expected[name]!;
    const fsys = mountFile(path.join(dir, `${name}.img`));
    const v = fsys.statvfs();
    fsys.close();
    expect({
      f_bsize: v.bsize,
      f_frsize: v.frsize,
      f_blocks: v.blocks,
      f_bfree: v.bfree,
      f_bavail: v.bavail,
      f_files: v.files,
      f_ffree: v.ffree,
      f_favail: v.favail,
      f_namemax: v.namemax,
    }).toEqual(want);
  });
});

test('every image was measured', () => {
  expect(Object.keys(expected).sort()).toEqual([...IMAGES].sort());
});
