// The file actions on the mounted guest against independent values: the kernel's lstat,
// getdents and statvfs on a read-only mount of the same images (expected/tree.json,
// readdir.json, statvfs.json), the source files' bytes, hashlib and cksum, GNU grep,
// bash globbing and GNU ls -lan on that mount.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import type { GuestfsEnvironment } from '../../src/engine/guestfs/environment.js';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { CHECKSUM_TYPES } from '../../src/engine/guestfs/checksum.js';
import { dir, entry, expected, guest, kindOf, launched, source, thrown, tree } from './helpers.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

let g: Guestfs;
beforeAll(async () => {
  g = await guest();
});
afterAll(() => g?.close());

const NS = 1_000_000_000;
const makedev = (ma: number, mi: number) =>
  (mi & 0xff) + (ma & 0xfff) * 0x100 + Math.floor(mi / 0x100) * 0x100000;

describe('stat family against the kernel lstat', () => {
  for (const e of tree.entries) {
    it(e.path, () => {
      const st = g.lstatns(e.path);
      expect(st.st_ino).toBe(e.ino);
      expect(st.st_mode).toBe(e.mode);
      expect(st.st_nlink).toBe(e.nlink);
      expect(st.st_uid).toBe(e.uid);
      expect(st.st_gid).toBe(e.gid);
      expect(st.st_size).toBe(e.size);
      expect(st.st_blocks).toBe(e.blocks);
      expect(st.st_blksize).toBe(e.blksize);
      expect(st.st_atime_sec * NS + st.st_atime_nsec).toBe(e.atime_ns);
      expect(st.st_mtime_sec * NS + st.st_mtime_nsec).toBe(e.mtime_ns);
      expect(st.st_ctime_sec * NS + st.st_ctime_nsec).toBe(e.ctime_ns);
      if (e.rdev) expect(st.st_rdev).toBe(makedev(e.rdev[0], e.rdev[1]));
      const old = g.lstat(e.path);
      expect([old.ino, old.mode, old.size, old.mtime]).toEqual([
        e.ino,
        e.mode,
        e.size,
        Math.floor(e.mtime_ns / NS),
      ]);
    });
  }

  it('stat follows links, lstat does not; st_dev tells the two filesystems apart', () => {
    expect(g.statns('/etc/rel-home').st_ino).toBe(entry('/home/alice/notes.txt').ino);
    expect(g.lstatns('/etc/rel-home').st_ino).toBe(entry('/etc/rel-home').ino);
    expect(g.stat('/bin').mode & 0o170000).toBe(0o040000);
    // /dev/sda1 is 8:1 and /dev/sda2 8:2, as the appliance's kernel numbers them.
    expect(g.statns('/etc').st_dev).toBe(makedev(8, 1));
    expect(g.statns('/home/alice').st_dev).toBe(makedev(8, 2));
  });

  it('filesize follows links', () => {
    expect(g.filesize('/data/big.bin')).toBe(entry('/data/big.bin').size);
    expect(g.filesize('/etc/alternatives/editor')).toBe(entry('/usr/bin/tool').size);
  });

  it('lstatnslist: one struct per name, st_ino -1 for a missing one', () => {
    const l = g.lstatnslist('/etc', ['hostname', 'nope', 'home-link']);
    expect(l.map((s) => s.st_ino)).toEqual([
      entry('/etc/hostname').ino,
      -1,
      entry('/etc/home-link').ino,
    ]);
  });
});

describe('directories', () => {
  const rd =
    expected<Record<string, Record<string, { ino: number; ftyp: string }>>>('readdir.json');
  for (const [d, ents] of Object.entries(rd)) {
    it(`readdir ${d} equals getdents (inode numbers and types)`, () => {
      const got = g.readdir(d);
      expect(got.slice(0, 2).map((x) => x.name)).toEqual(['.', '..']);
      const rest = Object.fromEntries(
        got.slice(2).map((x) => [x.name, { ino: x.ino, ftyp: x.ftyp }]),
      );
      expect(rest).toEqual(ents);
      expect(got[0]!.ino).toBe(g.statns(d).st_ino);
    });
    it(`ls ${d} is the sorted names`, () => {
      const names = Object.keys(ents).sort((a, b) =>
        Buffer.compare(Buffer.from(a), Buffer.from(b)),
      );
      expect(g.ls(d)).toEqual(names);
    });
  }

  it('find lists every path below a directory, sorted, crossing into /home', () => {
    const want = tree.entries
      .map((e) => e.path.slice(1))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(g.find('/')).toEqual(want);
    const home = tree.entries
      .filter((e) => e.path.startsWith('/home/'))
      .map((e) => e.path.slice(6));
    expect(g.find('/home')).toEqual(
      home.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
  });

  for (const f of fs.readdirSync(path.join(dir, 'expected', 'ls'))) {
    const d = `/${f.replace(/\.txt$/, '').replace(/_/g, '/')}`;
    it(`ll ${d} equals LC_ALL=C TZ=UTC ls -lan`, () => {
      const want = fs.readFileSync(path.join(dir, 'expected', 'ls', f), 'utf8');
      const tz = process.env.TZ;
      process.env.TZ = 'UTC';
      try {
        expect(g.ll(d)).toBe(want);
      } finally {
        process.env.TZ = tz;
      }
    });
  }

  it('errors: ENOTDIR, ENOENT', () => {
    expect(kindOf(() => g.ls('/etc/hostname'))).toBe('ENOTDIR');
    expect(kindOf(() => g.readdir('/nonexistent'))).toBe('ENOENT');
    expect(kindOf(() => g.find('/etc/hostname'))).toBe('ENOTDIR');
    expect(kindOf(() => g.ls('relative/path'))).toBe('EINVAL');
  });
});

describe('file contents against the source files', () => {
  const files = tree.entries.filter((e) => e.type === 'file');

  it('read_file of every regular file', () => {
    for (const e of files)
      expect(Buffer.from(g.read_file(e.path)).equals(source(e.path)), e.path).toBe(true);
  });

  it('cat stops at the first NUL (a C string), read_lines drops LF and CRLF', () => {
    expect(g.cat('/data/nul.txt')).toBe('before');
    expect(g.read_lines('/data/crlf.txt')).toEqual(['one', 'two', 'three']);
    expect(g.read_lines('/data/empty')).toEqual([]);
    expect(g.read_lines('/etc/passwd')).toEqual(
      source('/etc/passwd').toString().split('\n').slice(0, -1),
    );
  });

  it('pread at offsets across the 4 MiB read unit and past the end', () => {
    const src = source('/data/big.bin');
    for (const [off, n] of [
      [0, 10],
      [4 * 1024 * 1024 - 5, 10],
      [src.length - 3, 10],
      [src.length, 5],
      [123457, 1 << 20],
    ] as const) {
      const got = Buffer.from(g.pread('/data/big.bin', n, off));
      expect(got.equals(src.subarray(off, off + n))).toBe(true);
    }
    expect(kindOf(() => g.pread('/data/big.bin', -1, 0))).toBe('EINVAL');
  });

  it('sparse file reads back its holes as zeros', () => {
    const data = g.read_file('/data/sparse.bin');
    expect(Buffer.from(data).equals(source('/data/sparse.bin'))).toBe(true);
  });

  it('readlink of every link equals the kernel readlink; EINVAL for a non-link', () => {
    for (const e of tree.entries.filter((x) => x.type === 'symlink'))
      expect(g.readlink(e.path)).toBe(e.target);
    expect(kindOf(() => g.readlink('/etc/hostname'))).toBe('EINVAL');
  });

  it('errors: EISDIR, ENOENT, ELOOP, special files', () => {
    expect(kindOf(() => g.read_file('/etc'))).toBe('EISDIR');
    expect(kindOf(() => g.cat('/home'))).toBe('EISDIR');
    expect(kindOf(() => g.read_file('/nonexistent'))).toBe('ENOENT');
    expect(kindOf(() => g.cat('/loop/self'))).toBe('ELOOP');
    expect(kindOf(() => g.cat('/dangling'))).toBe('ENOENT');
    expect(kindOf(() => g.read_file('/run/fifo'))).toBe('unsupported');
  });
});

describe('checksums against hashlib and cksum', () => {
  for (const type of CHECKSUM_TYPES) {
    it(`${type} of every regular file (Node crypto where the host has it)`, () => {
      for (const e of tree.entries.filter((x) => x.type === 'file'))
        expect(g.checksum(type, e.path), e.path).toBe(e.hashes![type]);
    });
  }

  it('the pure-JS hashes (the browser path) agree', async () => {
    const node = new NodeEnvironment();
    const env: GuestfsEnvironment = {
      openDrive: (f) => node.openDrive(f),
      resolver: node.resolver,
      stats: () => node.stats(),
    };
    const h = await guest(env);
    for (const type of CHECKSUM_TYPES)
      for (const p of ['/data/big.bin', '/data/empty', '/etc/motd'])
        expect(h.checksum(type, p)).toBe(entry(p).hashes![type]);
    h.close();
  });

  it('follows links; EISDIR on a directory; EINVAL for an unknown type', () => {
    expect(g.checksum('sha256', '/etc/alternatives/editor')).toBe(
      entry('/usr/bin/tool').hashes!.sha256,
    );
    expect(kindOf(() => g.checksum('sha256', '/etc'))).toBe('EISDIR');
    expect(kindOf(() => g.checksum('whirlpool', '/etc/hostname'))).toBe('EINVAL');
  });
});

describe('grep family against GNU grep -a / zgrep -a', () => {
  const cases =
    expected<
      { flags: string[]; compressed: boolean; pattern: string; file: string; lines: string[] }[]
    >('grep.json');
  for (const c of cases) {
    const label = `${c.compressed ? 'z' : ''}grep ${c.flags.join(' ')} ${JSON.stringify(c.pattern)} ${c.file}`;
    it(label, () => {
      const opts = {
        extended: c.flags.includes('-E'),
        fixed: c.flags.includes('-F'),
        insensitive: c.flags.includes('-i'),
        compressed: c.compressed,
      };
      expect(g.grep(c.pattern, c.file, opts)).toEqual(c.lines);
    });
  }

  it('the deprecated variants are grep with the matching options', () => {
    expect(g.egrep('x{2,}', '/etc/motd')).toEqual(g.grep('x{2,}', '/etc/motd', { extended: true }));
    expect(g.fgrepi('A.C', '/etc/motd')).toEqual(
      g.grep('A.C', '/etc/motd', { fixed: true, insensitive: true }),
    );
    expect(g.zgrep('ERROR', '/var/log/syslog.1.gz')).toEqual(['old ERROR line 2']);
  });

  it('a bad regular expression is EINVAL', () => {
    expect(kindOf(() => g.grep('\\(', '/etc/motd'))).toBe('EINVAL');
    expect(kindOf(() => g.grep('x', '/etc/motd', { extended: true, fixed: true }))).toBe('EINVAL');
  });
});

describe("glob_expand against glibc's glob(3) in a chroot of the mounted tree", () => {
  const globs = expected<Record<string, { mark: string[]; nomark: string[] }>>('glob.json');
  for (const [pattern, want] of Object.entries(globs)) {
    it(pattern, () => {
      expect(g.glob_expand(pattern)).toEqual(want.mark);
      expect(g.glob_expand(pattern, { directoryslash: false })).toEqual(want.nomark);
    });
  }
});

describe('case_sensitive_path, statvfs, xattrs', () => {
  it('case_sensitive_path fixes the case of existing elements, keeps a missing last one', () => {
    expect(g.case_sensitive_path('/ETC/mixed/casefile.txt')).toBe('/etc/Mixed/CaseFile.TXT');
    expect(g.case_sensitive_path('/etc/MIXED/newfile')).toBe('/etc/Mixed/newfile');
    expect(g.case_sensitive_path('/HOME/Alice/NOTES.TXT')).toBe('/home/alice/notes.txt');
    expect(kindOf(() => g.case_sensitive_path('/nope/x'))).toBe('ENOENT');
    expect(kindOf(() => g.case_sensitive_path('/etc/../x'))).toBe('EINVAL');
  });

  const statvfs = expected<Record<string, Record<string, number>>>('statvfs.json');
  it('statvfs: sizes, free blocks and inodes equal the kernel statvfs', () => {
    for (const [p, v] of Object.entries(statvfs)) {
      const got = g.statvfs(p);
      expect([
        got.bsize,
        got.frsize,
        got.bfree,
        got.files,
        got.ffree,
        got.favail,
        got.namemax,
      ]).toEqual([v.f_bsize, v.f_frsize, v.f_bfree, v.f_files, v.f_ffree, v.f_favail, v.f_namemax]);
    }
  });
  // The kernel's f_blocks leaves out the metadata overhead and its f_bavail also keeps the
  // allocator reserve (s_resv_clusters); the ext4 driver computes both as it does.
  it('statvfs: blocks and bavail equal the kernel statvfs (ext4 driver)', () => {
    for (const [p, v] of Object.entries(statvfs)) {
      const got = g.statvfs(p);
      expect([got.blocks, got.bavail]).toEqual([v.f_blocks, v.f_bavail]);
    }
  });

  it('getxattrs/lgetxattrs/getxattr equal the kernel listxattr/getxattr', () => {
    for (const e of tree.entries.filter((x) => x.xattrs && Object.keys(x.xattrs).length > 0)) {
      const got = Object.fromEntries(
        g.lgetxattrs(e.path).map((x) => [x.attrname, Buffer.from(x.attrval).toString('hex')]),
      );
      expect(got, e.path).toEqual(e.xattrs);
      for (const [k, v] of Object.entries(e.xattrs!))
        expect(Buffer.from(g.getxattr(e.path, k)).toString('hex')).toBe(v);
    }
    expect(thrown(() => g.getxattr('/etc/xattr-file', 'user.absent')).kind).toBe('ENODATA');
    expect(g.lgetxattrs('/etc/hostname')).toEqual([]);
  });
});

describe('before launch and mount', () => {
  it('file calls need a mount; the handle needs a launch', async () => {
    const h = await launched();
    expect(kindOf(() => h.cat('/etc/hostname'))).toBe('EINVAL');
    h.close();
  });
});
