// The CLI's file commands against independent walks: `ls -lR --checksum=sha256` must print
// exactly the virt-ls lines built from the kernel's walk of the mounted guest
// (expected/ls-lR-sha256.txt of the guestfs fixture) and from the ext4 fixture's source
// tree (expected/tree.json, with directory sizes from debugfs); `ls -l` equals GNU
// `ls -lan`; `-R` the source paths; `cat` the source bytes; `tar-out` what GNU tar makes of
// the source tree.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture, repoRoot } from '../helpers/fixtures.js';
import { ensureWasm } from '../guestfs/helpers.js';

const bin = path.join(repoRoot, 'bin/guestkit.mjs');
const gf = ensureFixture('guestfs');
const disk = path.join(gf, 'disk.qcow2');
const MOUNTS = ['-m', '/dev/sda1:/', '-m', '/dev/sda2:/home'];

function guestkit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('node', [bin, ...args], {
    maxBuffer: 1 << 28,
    env: { ...process.env, TZ: 'UTC', ...env },
  });
  return {
    status: r.status ?? -1,
    stdout: r.stdout,
    out: r.stdout.toString('utf8'),
    stderr: r.stderr.toString(),
  };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

beforeAll(() => {
  ensureWasm();
  execFileSync('node', [path.join(repoRoot, 'scripts/build-cli.mjs')], { cwd: repoRoot });
});

describe('ls -lR --checksum=sha256 (virt-ls recursive long listing)', () => {
  it('the two-filesystem guest equals the kernel walk of the same mounts', () => {
    const r = guestkit(['ls', '-lR', '--checksum=sha256', '-a', disk, ...MOUNTS, '/']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toBe(fs.readFileSync(path.join(gf, 'expected', 'ls-lR-sha256.txt'), 'utf8'));
  });

  it('a one-filesystem ext4 image (mounted on / automatically) equals the source tree walk', () => {
    const ext4 = ensureFixture('ext4');
    const img = path.join(ext4, 'ext4-nocsum.img');
    type E = {
      path: string;
      type: string;
      mode: number;
      size?: number;
      sha256?: string;
      target?: string;
    };
    const entries: E[] = JSON.parse(
      fs.readFileSync(path.join(ext4, 'expected', 'tree.json'), 'utf8'),
    );
    // Directory sizes are the filesystem's, not the source's: debugfs reads them.
    const dirs = [
      '/',
      '/lost+found',
      ...entries.filter((e) => e.type === 'directory').map((e) => e.path),
    ];
    const cmds = path.join(os.tmpdir(), `gk-debugfs-${process.pid}`);
    fs.writeFileSync(cmds, dirs.map((d) => `stat "${d}"\n`).join(''));
    const dump = execFileSync('debugfs', ['-f', cmds, img], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 26,
    });
    fs.rmSync(cmds);
    const sizes = [...dump.matchAll(/Group:.*\bSize: (\d+)/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBe(dirs.length);
    const dirSize = new Map(dirs.map((d, i) => [d, sizes[i]!]));
    const CH: Record<string, string> = {
      file: '-',
      directory: 'd',
      chardev: 'c',
      blockdev: 'b',
      fifo: 'p',
      symlink: 'l',
      socket: 's',
    };
    const line = (e: E) => {
      const size = e.type === 'directory' ? dirSize.get(e.path)! : (e.size ?? 0);
      const f = [
        CH[e.type]!,
        (e.mode & 0o7777).toString(8).padStart(4, '0'),
        String(size).padStart(10),
      ];
      if (e.type === 'file') f.push(e.sha256!);
      f.push(e.path);
      if (e.type === 'symlink') f.push(`-> ${e.target}`);
      return f.join(' ');
    };
    const all: E[] = [...entries, { path: '/lost+found', type: 'directory', mode: 0o40700 }];
    // virt-ls order: each directory's entries sorted by bytes, each followed by its contents.
    const children = new Map<string, E[]>();
    for (const e of all) {
      const parent = e.path.slice(0, e.path.lastIndexOf('/')) || '/';
      children.set(parent, [...(children.get(parent) ?? []), e]);
    }
    const want: string[] = [line({ path: '/', type: 'directory', mode: 0o40755 })];
    const visit = (d: string) => {
      for (const e of (children.get(d) ?? []).sort((a, b) => byteOrder(a.path, b.path))) {
        want.push(line(e));
        if (e.type === 'directory') visit(e.path);
      }
    };
    visit('/');
    const r = guestkit(['ls', '-lR', '--checksum=sha256', '-a', img, '/']);
    expect(r.stderr).toBe('');
    expect(r.out.split('\n').slice(0, -1)).toEqual(want);
  });

  it('--csv quotes names with commas, quotes and spaces; empty checksum field for non-files', () => {
    const r = guestkit(['ls', '-lR', '--csv', '--checksum=md5', '-a', disk, ...MOUNTS, '/data']);
    const tree: {
      entries: {
        path: string;
        type: string;
        mode: number;
        size: number;
        hashes?: Record<string, string>;
      }[];
    } = JSON.parse(fs.readFileSync(path.join(gf, 'expected', 'tree.json'), 'utf8'));
    const csv = (s: string) => (/[ ",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = r.out.split('\n');
    for (const name of ['comma,name.txt', 'quote"name', 'space name.txt']) {
      const e = tree.entries.find((x) => x.path === `/data/${name}`)!;
      const want = [
        '-',
        (e.mode & 0o7777).toString(8).padStart(4, '0'),
        String(e.size),
        e.hashes!.md5,
        csv(e.path),
      ].join(',');
      expect(lines).toContain(want);
    }
    const d = tree.entries.find((x) => x.path === '/data/level-00-directory-name')!;
    expect(lines).toContain(
      `d,${(d.mode & 0o7777).toString(8).padStart(4, '0')},${d.size},,${d.path}`,
    );
  });

  it('--uids --time-t --extra-stats fields come from the kernel stat', () => {
    const r = guestkit([
      'ls',
      '-lR',
      '--uids',
      '--time-t',
      '--extra-stats',
      '-a',
      disk,
      ...MOUNTS,
      '/home/bob',
    ]);
    const tree: {
      entries: {
        path: string;
        uid: number;
        gid: number;
        atime_ns: number;
        mtime_ns: number;
        ctime_ns: number;
        ino: number;
        nlink: number;
        blocks: number;
        size: number;
      }[];
    } = JSON.parse(fs.readFileSync(path.join(gf, 'expected', 'tree.json'), 'utf8'));
    const e = tree.entries.find((x) => x.path === '/home/bob/secret.txt')!;
    const s = (ns: number) => String(Math.floor(ns / 1e9)).padStart(10);
    const want = [
      '-',
      '0600',
      String(e.size).padStart(10),
      String(e.uid).padStart(4),
      String(e.gid).padStart(4),
      s(e.atime_ns),
      s(e.mtime_ns),
      s(e.ctime_ns),
      '8:2',
      String(e.ino),
      String(e.nlink),
      '0:0',
      String(e.blocks),
      e.path,
    ].join(' ');
    expect(r.out.split('\n')).toContain(want);
  });

  it('--times prints atime mtime ctime as %F %T in local time; --time-days as whole days ago', () => {
    const tree: {
      entries: { path: string; atime_ns: number; mtime_ns: number; ctime_ns: number }[];
    } = JSON.parse(fs.readFileSync(path.join(gf, 'expected', 'tree.json'), 'utf8'));
    const e = tree.entries.find((x) => x.path === '/etc/hostname')!;
    const iso = (ns: number) =>
      new Date(Math.floor(ns / 1e9) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const r = guestkit(['ls', '-lR', '--times', '-a', disk, ...MOUNTS, '/etc']); // TZ=UTC
    const line = r.out.split('\n').find((l) => l.endsWith(' /etc/hostname'))!;
    expect(line).toBe(
      `- 0644         14 ${iso(e.atime_ns)} ${iso(e.mtime_ns)} ${iso(e.ctime_ns)} /etc/hostname`,
    );
    const days = guestkit(['ls', '-lR', '--time-days', '-a', disk, ...MOUNTS, '/etc']);
    const now = Date.now() / 1000;
    const d = (ns: number) =>
      String(Math.trunc((Math.floor(now) - Math.floor(ns / 1e9)) / 86400)).padStart(3);
    expect(days.out.split('\n')).toContain(
      `- 0644         14 ${d(e.atime_ns)} ${d(e.mtime_ns)} ${d(e.ctime_ns)} /etc/hostname`,
    );
  });

  it('-h sizes are what numfmt --to=iec --round=nearest prints', () => {
    const r = guestkit(['ls', '-lR', '-h', '-a', disk, ...MOUNTS, '/data']);
    for (const l of r.out.split('\n').filter((x) => x.startsWith('- '))) {
      const m = /^- \d{4} +(\S+) (\/data\/.*)$/.exec(l)!;
      const size = fs.statSync(path.join(gf, 'rootsrc', m[2]!)).size;
      const want = execFileSync('numfmt', ['--to=iec', '--round=nearest', String(size)], {
        encoding: 'utf8',
      }).trim();
      expect(m[1], m[2]).toBe(want);
    }
  });

  it('flags that only work with -lR are usage errors (exit 2)', () => {
    expect(guestkit(['ls', '--checksum', '-a', disk, ...MOUNTS, '/']).status).toBe(2);
    expect(guestkit(['ls', '-lR', '-h', '--csv', '-a', disk, ...MOUNTS, '/']).status).toBe(2);
  });
});

describe('other ls modes', () => {
  it('-l equals LC_ALL=C ls -lan of the kernel mount', () => {
    for (const d of ['etc', 'home_alice', 'dev']) {
      const r = guestkit(['ls', '-l', '-a', disk, ...MOUNTS, `/${d.replace('_', '/')}`]);
      expect(r.out).toBe(fs.readFileSync(path.join(gf, 'expected', 'ls', `${d}.txt`), 'utf8'));
    }
  });

  it('-R lists the relative paths below a directory; plain ls the names', () => {
    const src = path.join(gf, 'homesrc', 'alice');
    const want = execFileSync('find', ['.', '-mindepth', '1'], { cwd: src, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.slice(2))
      .sort(byteOrder);
    expect(guestkit(['ls', '-R', '-a', disk, ...MOUNTS, '/home/alice']).out).toBe(
      `${want.join('\n')}\n`,
    );
    const names = fs.readdirSync(path.join(gf, 'rootsrc', 'etc')).sort(byteOrder);
    expect(guestkit(['ls', '-a', disk, ...MOUNTS, '/etc']).out).toBe(`${names.join('\n')}\n`);
  });

  it('without -m: the filesystem on which the path exists is mounted on /', () => {
    expect(guestkit(['ls', '-a', disk, '/alice']).out).toBe(
      `${fs
        .readdirSync(path.join(gf, 'homesrc', 'alice'))
        .sort(byteOrder)
        .join('\n')}\n`,
    );
    expect(guestkit(['ls', '-a', disk, '/etc/conf.d']).out).toContain('a.conf');
    const r = guestkit(['ls', '-a', disk, '/nowhere']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('-m DEV');
  });

  it('a missing directory is an error for that argument only (exit 1)', () => {
    const r = guestkit(['ls', '-a', disk, ...MOUNTS, '/nonexistent', '/etc/conf.d']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ENOENT');
    expect(r.out).toContain('a.conf');
  });
});

describe('cat and tar-out', () => {
  it('cat prints the bytes of each file in order (links followed)', () => {
    const r = guestkit([
      'cat',
      '-a',
      disk,
      ...MOUNTS,
      '/data/big.bin',
      '/etc/rel-home',
      '/data/nul.txt',
    ]);
    expect(r.status).toBe(0);
    const want = Buffer.concat(
      ['rootsrc/data/big.bin', 'homesrc/alice/notes.txt', 'rootsrc/data/nul.txt'].map((f) =>
        fs.readFileSync(path.join(gf, f)),
      ),
    );
    expect(r.stdout.equals(want)).toBe(true);
    expect(guestkit(['cat', '-a', disk, ...MOUNTS, '/etc']).status).toBe(1);
  });

  it('tar-out: unpacked by GNU tar it equals the source directory', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-cli-tar-'));
    try {
      const t = path.join(tmp, 'etc.tar');
      expect(guestkit(['tar-out', '-a', disk, ...MOUNTS, '/etc', t]).status).toBe(0);
      fs.mkdirSync(path.join(tmp, 'x'));
      execFileSync('tar', ['-xpf', t, '-C', path.join(tmp, 'x')]);
      // diff exits 0 only when names, link targets and contents all agree.
      execFileSync('diff', [
        '-r',
        '--no-dereference',
        path.join(gf, 'rootsrc', 'etc'),
        path.join(tmp, 'x'),
      ]);
      const piped = guestkit(['tar-out', '-a', disk, ...MOUNTS, '/etc', '-']);
      expect(piped.stdout.equals(fs.readFileSync(t))).toBe(true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('damaged trees', () => {
  it('ls -lR of a tree whose directory is its own ancestor stops with a corrupt error', () => {
    const r = guestkit(['ls', '-lR', '-a', path.join(gf, 'home-loop.img'), '/']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^guestkit: corrupt: directory tree/m);
  });
});

describe('output', () => {
  it('a reader that stops early (| head) ends the listing quietly', () => {
    const r = spawnSync(
      'bash',
      ['-c', `node ${bin} ls -lR -a ${disk} ${MOUNTS.join(' ')} / | head -1`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toBe('d 0755       4096 /\n');
    expect(r.stderr).toBe('');
  });
});

describe('call with the file actions', () => {
  it('prints each result as a JSON line; buffers as text, or hex when not UTF-8', () => {
    const r = guestkit([
      'call',
      '-a',
      disk,
      'mount_ro',
      '/dev/sda1',
      '/',
      ':',
      'mount_ro',
      '/dev/sda2',
      '/home',
      ':',
      'cat',
      '/etc/rel-home',
      ':',
      'is_dir',
      '/bin',
      'followsymlinks:true',
      ':',
      'checksum',
      'sha256',
      '/etc/hostname',
      ':',
      'getxattr',
      '/etc/xattr-file',
      'trusted.note',
      ':',
      'mountpoints',
    ]);
    expect(r.stderr).toBe('');
    const tree: {
      entries: { path: string; hashes?: Record<string, string>; xattrs?: Record<string, string> }[];
    } = JSON.parse(fs.readFileSync(path.join(gf, 'expected', 'tree.json'), 'utf8'));
    const e = (p: string) => tree.entries.find((x) => x.path === p)!;
    expect(
      r.out
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      null,
      null,
      fs.readFileSync(path.join(gf, 'homesrc/alice/notes.txt'), 'utf8'),
      true,
      e('/etc/hostname').hashes!.sha256,
      { hex: e('/etc/xattr-file').xattrs!['trusted.note'] },
      { '/dev/sda1': '/', '/dev/sda2': '/home' },
    ]);
  });

  it('a write action fails with EROFS (exit 1)', () => {
    const r = guestkit(['call', '-a', disk, 'mount', '/dev/sda1', '/', ':', 'mkdir', '/x']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^guestkit: EROFS: /);
  });
});
