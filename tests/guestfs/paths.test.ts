// Path resolution across two mounts against the kernel: expected/resolve.json holds, for
// each path, what openat2(RESOLVE_IN_ROOT) answered on a read-only mount of the same two
// filesystems (root on /, home on /home): the canonical path and type when following the
// last symlink and when not, or the errno. realpath, lstatns/statns, is_* and exists must
// give the same answers; the mount table actions are checked against the fixture's layout.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { MAX_SYMLINKS } from '../../src/engine/guestfs/paths.js';
import { disk, entry, expected, guest, kindOf, launched, thrown } from './helpers.js';

type Answer = { path: string; type: string } | { error: string };
const resolve = expected<Record<string, { follow: Answer; nofollow: Answer }>>('resolve.json');

const TYPE_BITS: Record<string, number> = {
  file: 0o100000,
  directory: 0o040000,
  symlink: 0o120000,
  chardev: 0o020000,
  blockdev: 0o060000,
  fifo: 0o010000,
  socket: 0o140000,
};

let g: Guestfs;
beforeAll(async () => {
  g = await guest();
});
afterAll(() => g?.close());

describe('resolution matches the kernel (openat2 RESOLVE_IN_ROOT)', () => {
  it('covers the cases the issue names', () => {
    const paths = Object.keys(resolve);
    // relative and absolute links across the mount boundary, "..", loops, the 40-link limit
    for (const p of [
      '/etc/rel-home',
      '/home/alice/up',
      '/home/alice/abs',
      '/loop/c00',
      '/loop/c01',
    ])
      expect(paths).toContain(p);
    expect(resolve['/loop/c00']!.follow).toEqual({ error: 'ELOOP' });
    expect(resolve['/loop/c01']!.follow).toHaveProperty('path', '/etc/hostname');
    expect(MAX_SYMLINKS).toBe(40);
  });

  for (const [p, want] of Object.entries(resolve)) {
    it(`${p} (following)`, () => {
      const f = want.follow;
      if ('error' in f) {
        expect(kindOf(() => g.realpath(p))).toBe(f.error);
        expect(kindOf(() => g.statns(p))).toBe(f.error);
        expect(g.exists(p)).toBe(false);
      } else {
        expect(g.realpath(p)).toBe(f.path);
        expect(g.statns(p).st_mode & 0o170000).toBe(TYPE_BITS[f.type]);
        expect(g.exists(p)).toBe(true);
        expect(g.is_dir(p, { followsymlinks: true })).toBe(f.type === 'directory');
        expect(g.is_file(p, { followsymlinks: true })).toBe(f.type === 'file');
      }
    });
    it(`${p} (not following)`, () => {
      const n = want.nofollow;
      if ('error' in n) {
        expect(kindOf(() => g.lstatns(p))).toBe(n.error);
        if (n.error === 'ENOENT' || n.error === 'ENOTDIR') expect(g.is_symlink(p)).toBe(false);
      } else {
        expect(g.lstatns(p).st_mode & 0o170000).toBe(TYPE_BITS[n.type]);
        expect(g.is_symlink(p)).toBe(n.type === 'symlink');
        expect(g.is_chardev(p)).toBe(n.type === 'chardev');
        expect(g.is_fifo(p)).toBe(n.type === 'fifo');
        expect(g.is_socket(p)).toBe(n.type === 'socket');
      }
    });
  }

  it('reads through links that cross the mount boundary', () => {
    expect(g.cat('/etc/rel-home')).toBe('alice notes\nsecond ERROR line\n');
    expect(g.cat('/home/alice/up')).toBe('guestkit-test\n');
    expect(g.cat('/home/alice/root-link/etc/hostname')).toBe('guestkit-test\n');
  });

  it('is_* with a loop: ELOOP when following, false otherwise (the daemon reports only ENOENT/ENOTDIR as false)', () => {
    expect(kindOf(() => g.is_file('/loop/a', { followsymlinks: true }))).toBe('ELOOP');
    expect(g.is_file('/loop/a')).toBe(false);
    expect(g.is_symlink('/loop/a')).toBe(true);
  });
});

describe('mount table', () => {
  it('mounts and mountpoints in mount order', () => {
    expect(g.mounts()).toEqual(['/dev/sda1', '/dev/sda2']);
    expect(g.mountpoints()).toEqual({ '/dev/sda1': '/', '/dev/sda2': '/home' });
  });

  it('hides what the root filesystem holds under /home, and shows it again after umount', async () => {
    const h = await guest();
    expect(h.exists('/home/shadowed-by-mount.txt')).toBe(false);
    expect(h.ls('/home')).toEqual(['alice', 'bob', 'lost+found', 'shared']);
    h.umount('/home');
    expect(h.ls('/home')).toEqual(['shadowed-by-mount.txt']);
    expect(h.cat('/home/shadowed-by-mount.txt')).toBe('hidden once /home is mounted\n');
    h.close();
  });

  it('umount by device; umount_all; file calls before any mount', async () => {
    const h = await guest();
    h.umount('/dev/sda2');
    expect(h.mounts()).toEqual(['/dev/sda1']);
    h.umount_all();
    expect(h.mounts()).toEqual([]);
    expect(thrown(() => h.ls('/')).kind).toBe('EINVAL');
    expect(thrown(() => h.umount('/')).kind).toBe('EINVAL');
    h.close();
  });

  it('refuses to unmount a filesystem with a mount below it, or to stack two', async () => {
    const h = await guest();
    expect(kindOf(() => h.umount('/'))).toBe('EBUSY');
    expect(kindOf(() => h.mount_ro('/dev/sda2', '/etc'))).toBe('EBUSY'); // already mounted
    h.umount('/home');
    expect(kindOf(() => h.mount_ro('/dev/sda2', '/nonexistent'))).toBe('ENOENT');
    expect(kindOf(() => h.mount_ro('/dev/sda2', '/etc/hostname'))).toBe('ENOTDIR');
    expect(kindOf(() => h.mount_ro('/dev/sdz1', '/home'))).toBe('ENOENT');
    h.close();
  });

  it('mounts on a symlinked mountpoint at its target, as the kernel does', async () => {
    const h = await launched();
    h.mount_ro('/dev/sda1', '/');
    h.mount_ro('/dev/sda2', '/bin'); // -> usr/bin
    expect(h.mountpoints()['/dev/sda2']).toBe('/usr/bin');
    expect(h.ls('/usr/bin')).toEqual(['alice', 'bob', 'lost+found', 'shared']);
    // Links now resolve from the new place: ../../etc/hostname from /usr/bin/alice is
    // /usr/etc/hostname; the absolute /etc/hostname is still the root filesystem's.
    expect(kindOf(() => h.cat('/bin/alice/up'))).toBe('ENOENT');
    expect(h.cat('/bin/alice/abs')).toBe('guestkit-test\n');
    h.close();
  });

  it('mkmountpoint builds directories before anything is mounted on /', async () => {
    const h = await launched();
    h.mkmountpoint('/a');
    h.mkmountpoint('/a/b');
    expect(kindOf(() => h.mkmountpoint('/x/y'))).toBe('ENOENT');
    expect(kindOf(() => h.mkmountpoint('/a'))).toBe('EEXIST');
    h.mount_ro('/dev/sda2', '/a/b');
    expect(h.ls('/')).toEqual(['a']);
    expect(h.ls('/a')).toEqual(['b']);
    expect(h.cat('/a/b/alice/notes.txt')).toBe('alice notes\nsecond ERROR line\n');
    // Inside a mounted filesystem a new directory would be a write.
    expect(kindOf(() => h.mkmountpoint('/a/b/new'))).toBe('EROFS');
    expect(kindOf(() => h.rmmountpoint('/a/b'))).toBe('EBUSY');
    expect(kindOf(() => h.rmmountpoint('/a'))).toBe('ENOTEMPTY');
    h.umount('/a/b');
    h.rmmountpoint('/a/b');
    h.rmmountpoint('/a');
    expect(kindOf(() => h.rmmountpoint('/a'))).toBe('ENOENT');
    h.close();
  });

  it('mount options: harmless ones accepted, ones that change the files refused; vfs types checked', async () => {
    const h = await launched();
    h.mount_options('ro,noatime,errors=remount-ro', '/dev/sda1', '/');
    expect(thrown(() => h.mount_options('uid=1000', '/dev/sda2', '/home')).kind).toBe(
      'unsupported',
    );
    expect(kindOf(() => h.mount_vfs('', 'vfat', '/dev/sda2', '/home'))).toBe('unsupported');
    h.mount_vfs('', 'ext2', '/dev/sda2', '/home'); // the ext4 driver reads ext2/3/4
    expect(h.cat('/home/alice/notes.txt')).toContain('alice');
    h.close();
  });

  it('refuses to mount what is not a filesystem, and drivers that were not loaded', async () => {
    const h = await launched();
    expect(kindOf(() => h.mount_ro('/dev/sda', '/'))).toBe('EINVAL'); // a partitioned disk
    h.close();
  });

  it('mount writes nothing and every write action is EROFS', async () => {
    const h = await guest();
    for (const call of [
      () => h.call('write', ['/etc/hostname', 'x']),
      () => h.call('mkdir', ['/newdir']),
      () => h.call('rm', ['/etc/hostname']),
      () => h.call('chmod', [0o644, '/etc/hostname']),
      () => h.call('ln_s', ['/a', '/b']),
    ]) {
      const e = thrown(call);
      expect(e.kind).toBe('EROFS');
      expect(e.feature).toBe('copy-on-write overlay');
    }
    h.close();
  });
});

describe('entry facts come from the fixture, not from guestkit', () => {
  it('the root of /home is the second filesystem', () => {
    expect(entry('/home/alice').dev).toBe('home');
    expect(g.lstatns('/home').st_dev).not.toBe(g.lstatns('/etc').st_dev);
    expect(g.lstatns('/home/alice').st_ino).toBe(entry('/home/alice').ino);
  });
  it('the disk is the qcow2 of the fixture', () => {
    expect(disk.endsWith('disk.qcow2')).toBe(true);
  });
});
