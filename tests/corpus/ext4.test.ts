// Peer test images (../shared/testdata, see MANIFEST.md) mounted through ext4.wasm; every
// expected value is a fact the peer project's own tests assert (or fiwalk/fls output).

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { Ext4FileSystem } from '../../src/engine/fs/ext4/filesystem.js';
import { testdataFile } from '../helpers/fixtures.js';
import { loadExt4, mountFile, readAll } from '../fs/ext4-support.js';

beforeAll(loadExt4);

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

function failure(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

/** Follows symlinks the way the kernel's path walk does (the driver itself never does). */
function canonicalize(fs: Ext4FileSystem, p: string, depth = 0): string {
  expect(depth).toBeLessThan(40);
  const parts = p.split('/').filter(Boolean);
  let done: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '.') continue;
    if (part === '..') {
      done = done.slice(0, -1);
      continue;
    }
    const here = `/${[...done, part].join('/')}`;
    if (fs.lstat(here).type === 'symlink') {
      const target = fs.readlink(here);
      const base = target.startsWith('/') ? target : `/${[...done, target].join('/')}`;
      const resolved = canonicalize(fs, base, depth + 1);
      done = resolved.split('/').filter(Boolean);
    } else {
      done.push(part);
    }
  }
  return `/${done.join('/')}`;
}

describe('ext4-view-rs test_disk1', () => {
  let fs: Ext4FileSystem;
  beforeAll(() => {
    fs = mountFile(testdataFile('ext4-view-rs/test_disk1.bin.zst'));
  });

  test('label (16 bytes, no NUL), small and empty files', () => {
    expect(fs.info().label).toBe('ext4-view testfs');
    expect(fs.lstat('/').ino).toBe(2);
    expect(text(readAll(fs, '/small_file'))).toBe('hello, world!');
    expect(fs.lstat('/small_file').mode & 0o7777).toBe(0o644);
    expect(fs.lstat('/empty_file').size).toBe(0);
    expect(fs.read('/empty_file', 0, 10).length).toBe(0);
  });

  test('holes read as zeros between data blocks', () => {
    const data = readAll(fs, '/holes');
    expect(data.length).toBe(10 * 1024);
    const pattern = [0, 0, 0xa1, 0xa2, 0, 0, 0xa3, 0xa4, 0, 0];
    pattern.forEach((v, i) =>
      expect(data.subarray(i * 1024, (i + 1) * 1024).every((b) => b === v)).toBe(true),
    );
  });

  test('big_dir holds 0..9999 and medium_dir/N holds N', () => {
    const names = fs.readdir('/big_dir').map((e) => e.name);
    expect(names.sort()).toEqual([...Array(10000).keys()].map(String).sort());
    for (const n of [0, 1, 4711, 9999]) expect(fs.lstat(`/big_dir/${n}`).type).toBe('file');
    expect(fs.readdir('/medium_dir').length).toBe(1000);
    for (let n = 0; n < 1000; n++) expect(text(readAll(fs, `/medium_dir/${n}`))).toBe(String(n));
  });

  test('symlinks: inline (59) and in extents (60), canonicalized by the test', () => {
    expect(fs.readlink('/sym_simple')).toBe('small_file');
    expect(fs.readlink('/sym_59')).toBe('a'.repeat(59));
    expect(fs.readlink('/sym_60')).toBe('a'.repeat(60));
    expect(canonicalize(fs, '/dir1/dir2/sym_abs')).toBe('/small_file');
    expect(canonicalize(fs, '/dir1/dir2/sym_rel')).toBe('/small_file');
    expect(canonicalize(fs, '/dir1/dir2/sym_abs_dir')).toBe('/dir1');
    expect(canonicalize(fs, '/dir1/dir2/sym_rel_dir')).toBe('/dir1');
  });

  test('owner and encryption', () => {
    const st = fs.lstat('/owner_file');
    expect([st.uid, st.gid]).toEqual([123, 456]);
    expect(fs.lstat('/encrypted_dir').type).toBe('directory');
    const e = failure(() => fs.readdir('/encrypted_dir'));
    expect(e.kind).toBe('unsupported');
    expect(e.feature).toMatch(/encryption/);
    expect(fs.info().encrypt).toBe(true);
  });
});

describe('ext4-view-rs ext2, ext3 and a journal needing recovery', () => {
  test('ext2 big_file: block i holds LE32 i at its start and end (indirect, double-indirect)', () => {
    const fs = mountFile(testdataFile('ext4-view-rs/test_disk_ext2.bin.zst'));
    expect(fs.type).toBe('ext2');
    const blocks = 12 + 256 + 65536 + 4096;
    expect(fs.lstat('/big_file').size).toBe(blocks * 1024);
    const data = readAll(fs, '/big_file');
    const dv = new DataView(data.buffer);
    let bad = 0;
    for (let i = 0; i < blocks; i++) {
      if (dv.getUint32(i * 1024, true) !== i || dv.getUint32(i * 1024 + 1020, true) !== i) bad++;
    }
    expect(bad).toBe(0);
    expect(text(readAll(fs, '/small_file'))).toBe('hello, world!');
    expect(
      readAll(fs, '/holes')
        .subarray(2048, 3072)
        .every((b) => b === 0xa1),
    ).toBe(true);
  });

  test('ext3: 128-byte inodes, TEA htree medium_dir', () => {
    const fs = mountFile(testdataFile('ext4-view-rs/test_disk_ext3.bin.zst'));
    expect(fs.info().inodeSize).toBe(128);
    expect(fs.info().hashVersion).toBe(2);
    expect(fs.readdir('/medium_dir').length).toBe(1000);
    for (let n = 0; n < 1000; n++) expect(text(readAll(fs, `/medium_dir/${n}`))).toBe(String(n));
  });

  test('needs_recovery is reported; the un-replayed tree has no /dir500', () => {
    const fs = mountFile(testdataFile('ext4-view-rs/test_disk_4k_block_journal.bin.zst'));
    expect(fs.info().needsRecovery).toBe(true);
    expect(fs.info().features).toContain('needs_recovery');
    expect(failure(() => fs.lstat('/dir500')).kind).toBe('ENOENT');
  });
});

describe('dissect.extfs', () => {
  test('ext4.bin: geometry, root entries, test_file and xattr_cap', () => {
    const fs = mountFile(testdataFile('dissect.extfs/ext4.bin.gz'));
    const info = fs.info();
    expect([info.blocksCount, info.groups, info.uuid, info.label, info.lastMounted]).toEqual([
      2048,
      1,
      'ab98e08e-e2da-4bc9-bfc6-1ac5eafb1001',
      '',
      '/tmp/mnt',
    ]);
    expect(fs.lstat('/').size).toBe(1024);
    expect(
      fs
        .readdir('/')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['lost+found', 'test_file', 'xattr_cap']);
    expect(text(readAll(fs, '/test_file'))).toBe('dissect test file in ext4\n');
    expect(fs.lstat('/test_file').atimeSec).toBe(Date.UTC(2018, 4, 29, 8, 57, 58) / 1000);
    const x = Object.fromEntries(fs.listxattrs('/xattr_cap').map((a) => [a.name, a.value]));
    expect(text(x['security.selinux']!)).toBe('unconfined_u:object_r:unlabeled_t:s0\0');
    expect(x['security.capability']!.length).toBe(20);
    expect([...x['security.capability']!.subarray(0, 8)]).toEqual([
      0x01, 0, 0, 0x02, 0, 0x04, 0x40, 0,
    ]);
  });

  test.each([1, 2, 3])('ext4_symlink_test%i: the chain resolves to "resolved!\\n"', (n) => {
    const fs = mountFile(testdataFile(`dissect.extfs/ext4_symlink_test${n}.bin.gz`));
    const real = canonicalize(fs, '/path/to/dir/with/file.ext');
    expect(text(readAll(fs, real))).toBe('resolved!\n');
  });
});

describe.each(['sleuthkit/test-data/image.dd', 'pytsk/image.raw'])('%s (ext2)', (file) => {
  test('listing, md5s and the link target from fiwalk/fls', () => {
    const fs = mountFile(testdataFile(file));
    expect(fs.type).toBe('ext2');
    const root = Object.fromEntries(fs.readdir('/').map((e) => [e.name, [e.ino, e.type]]));
    // pytsk's copy predates the link (its tests list no a_link).
    const link = file.startsWith('sleuthkit') ? { a_link: [13, 'symlink'] } : {};
    expect(root).toEqual({
      'lost+found': [11, 'directory'],
      a_directory: [12, 'directory'],
      'passwords.txt': [15, 'file'],
      ...link,
    });
    expect(md5(readAll(fs, '/passwords.txt'))).toBe('39cb097008d17660abd0539891a672af');
    expect(fs.lstat('/passwords.txt').size).toBe(116);
    expect(md5(readAll(fs, '/a_directory/a_file'))).toBe('85bebf486af24792085f769afa46717d');
    expect(md5(readAll(fs, '/a_directory/another_file'))).toBe('d54ff73404ed6041a3bd66850b061bff');
    // fiwalk's <link_target>.
    if (file.startsWith('sleuthkit'))
      expect(fs.readlink('/a_link')).toBe('a_directory/another_file');
    expect(fs.statInode(15).size).toBe(116);
    expect(failure(() => fs.statInode(19)).kind).toBe('corrupt');
  });
});
