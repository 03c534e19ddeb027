// tar_out, download and find0 against independent tools: the tar is unpacked by GNU tar
// and the result compared with the kernel's view of the same tree (expected/tree.json:
// names, types, modes, owners, sizes, times, link targets, device numbers, contents,
// hard links, xattrs via getfattr); excludes are compared with GNU tar's own --exclude on
// the source tree; download of a partition equals the filesystem image the fixture wrote.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { READ_CHUNK } from '../../src/engine/guestfs/file-actions.js';
import { dir, entry, guest, kindOf, source, thrown, tree } from './helpers.js';

let g: Guestfs;
let tmp: string;
beforeAll(async () => {
  g = await guest();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-tar-'));
});
afterAll(() => {
  g?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const TYPE_BITS: Record<string, number> = {
  file: 0o100000,
  directory: 0o040000,
  symlink: 0o120000,
  chardev: 0o020000,
  blockdev: 0o060000,
  fifo: 0o010000,
};

function unpack(tarfile: string, extra: string[] = []): string {
  const out = fs.mkdtempSync(path.join(tmp, 'x-'));
  execFileSync('tar', [
    '-x',
    '-p',
    '--same-owner',
    '--numeric-owner',
    ...extra,
    '-f',
    tarfile,
    '-C',
    out,
  ]);
  return out;
}

function members(tarfile: string, z = false): string[] {
  return execFileSync('tar', [z ? '-tzf' : '-tf', tarfile], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  })
    .split('\n')
    .filter(Boolean);
}

describe('tar_out / unpacked by GNU tar equals the tree', () => {
  let out: string;
  beforeAll(() => {
    const tarfile = path.join(tmp, 'root.tar');
    g.tar_out('/', tarfile);
    out = unpack(tarfile);
  });

  it('holds every entry but sockets (GNU tar does not archive them), and nothing else', () => {
    const want = tree.entries
      .filter((e) => e.type !== 'socket')
      .map((e) => e.path)
      .sort();
    const got = execFileSync('find', ['.', '-mindepth', '1'], { cwd: out, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.slice(1))
      .sort();
    expect(got).toEqual(want);
  });

  it('types, modes, owners, sizes, mtimes, link targets, devices and contents', () => {
    for (const e of tree.entries) {
      if (e.type === 'socket') continue;
      const p = path.join(out, e.path);
      const st = fs.lstatSync(p);
      expect(st.mode, e.path).toBe(e.mode);
      expect([st.uid, st.gid], e.path).toEqual([e.uid, e.gid]);
      expect(Math.floor(st.mtimeMs / 1000), e.path).toBe(Math.floor(e.mtime_ns / 1e9));
      expect(st.mode & 0o170000).toBe(TYPE_BITS[e.type]);
      if (e.type === 'symlink') expect(fs.readlinkSync(p)).toBe(e.target);
      if (e.type === 'file') {
        expect(st.size, e.path).toBe(e.size);
        expect(sha256(fs.readFileSync(p)), e.path).toBe(e.hashes!.sha256);
      }
      if (e.rdev)
        expect([
          Math.floor(st.rdev / 256) & 0xfff,
          (st.rdev & 0xff) | ((st.rdev >> 12) & ~0xff),
        ]).toEqual(e.rdev);
    }
  });

  it('hard links stay hard links', () => {
    const a = fs.statSync(path.join(out, 'home/shared/hardlink-a'));
    const b = fs.statSync(path.join(out, 'home/shared/hardlink-b'));
    expect(a.ino).toBe(b.ino);
    expect(a.nlink).toBe(2);
  });

  it('member names are "./…" with directories ending in "/", as tar -C DIR -cf - . writes them', () => {
    const names = members(path.join(tmp, 'root.tar'));
    expect(names[0]).toBe('./');
    expect(names).toContain('./etc/');
    expect(names).toContain('./etc/hostname');
    expect(names).toContain(`./data/${'level-00-directory-name/'}`);
  });
});

describe('tar_out options', () => {
  it('a subdirectory; gzip equals the plain tar once decompressed', () => {
    const plain = path.join(tmp, 'etc.tar');
    const gz = path.join(tmp, 'etc.tar.gz');
    g.tar_out('/etc', plain);
    g.tar_out('/etc', gz, { compress: 'gzip' });
    expect(members(gz, true)).toEqual(members(plain));
    expect(execFileSync('gzip', ['-dc', gz]).equals(fs.readFileSync(plain))).toBe(true);
  });

  it('excludes select the same members as GNU tar --exclude on the source tree', () => {
    for (const excludes of [['*.conf'], ['conf.d'], ['./etc/hostname', 'Mixed/*'], ['a*']]) {
      const t = path.join(tmp, 'ex.tar');
      g.tar_out('/etc', t, { excludes });
      const gnu = execFileSync(
        'tar',
        [
          '-C',
          path.join(dir, 'rootsrc', 'etc'),
          ...excludes.map((x) => `--exclude=${x}`),
          '-cf',
          '-',
          '.',
        ],
        { maxBuffer: 1 << 26 },
      );
      fs.writeFileSync(path.join(tmp, 'gnu.tar'), gnu);
      expect(members(t).sort(), excludes.join(' ')).toEqual(
        members(path.join(tmp, 'gnu.tar')).sort(),
      );
    }
  });

  it('xattrs:true stores them as GNU tar does (SCHILY.xattr), restored by tar --xattrs', () => {
    const t = path.join(tmp, 'x.tar');
    g.tar_out('/etc', t, { xattrs: true });
    const out = unpack(t, ['--xattrs', '--xattrs-include=*']);
    const dump = execFileSync(
      'getfattr',
      ['-d', '-m', '-', '-e', 'hex', '--absolute-names', path.join(out, 'xattr-file')],
      {
        encoding: 'utf8',
      },
    );
    const got = Object.fromEntries(
      dump
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => {
          const [k, v] = l.split('=');
          return [k!, v!.replace(/^0x/, '')];
        }),
    );
    expect(got).toEqual(entry('/etc/xattr-file').xattrs);
  });

  it('errors: ENOTDIR, ENOENT, unsupported compress and acls', () => {
    const t = path.join(tmp, 'e.tar');
    expect(kindOf(() => g.tar_out('/etc/hostname', t))).toBe('ENOTDIR');
    expect(kindOf(() => g.tar_out('/nonexistent', t))).toBe('ENOENT');
    expect(fs.existsSync(t)).toBe(false);
    expect(thrown(() => g.tar_out('/etc', t, { compress: 'xz' })).feature).toBe(
      'tar_out compress=xz',
    );
    expect(kindOf(() => g.tar_out('/etc', t, { acls: true }))).toBe('unsupported');
  });

  it('streams: no chunk is larger than the read unit, and the sizes add up', () => {
    let total = 0;
    let largest = 0;
    for (const c of g.tarStream('/data')) {
      total += c.length;
      largest = Math.max(largest, c.length);
    }
    const t = path.join(tmp, 'data.tar');
    g.tar_out('/data', t);
    expect(total).toBe(fs.statSync(t).size);
    expect(largest).toBeLessThanOrEqual(READ_CHUNK);
    expect(total % 10240).toBe(0);
  });
});

describe('download and find0', () => {
  it('download of files equals the source bytes', () => {
    for (const p of ['/data/big.bin', '/data/sparse.bin', '/data/empty', '/etc/rel-home']) {
      const t = path.join(tmp, 'dl');
      g.download(p, t);
      const want = p === '/etc/rel-home' ? source('/home/alice/notes.txt') : source(p);
      expect(fs.readFileSync(t).equals(want), p).toBe(true);
    }
    expect(kindOf(() => g.download('/etc', path.join(tmp, 'dl2')))).toBe('EISDIR');
  });

  it('download of a partition equals the filesystem image written into it', () => {
    const t = path.join(tmp, 'sda2');
    g.download('/dev/sda2', t);
    expect(sha256(fs.readFileSync(t))).toBe(sha256(fs.readFileSync(path.join(dir, 'home.img'))));
  });

  it('find0 writes the same names as find, NUL-terminated', () => {
    const t = path.join(tmp, 'f0');
    g.find0('/home', t);
    const names = fs.readFileSync(t, 'utf8').split('\0');
    expect(names.pop()).toBe('');
    expect(names.sort()).toEqual([...g.find('/home')].sort());
  });
});
