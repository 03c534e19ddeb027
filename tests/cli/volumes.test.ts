// The CLI on volume stacks (fixtures/build-stacks.sh). Without keys, `guestkit filesystems
// --all --long --uuid --csv` must print byte for byte what virt-filesystems printed for the
// same disks. With --key (virt-tools syntax) the LUKS volumes open, the VGs inside are
// activated, and the rows inside match libguestfs' answers after luks_open + lvm_scan,
// blkid -p of the plaintext filesystems and the files the script wrote. Keys never appear
// in any output, traces included.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixture, repoRoot } from '../helpers/fixtures.js';

const bin = path.join(repoRoot, 'bin/guestkit.mjs');
const dir = ensureFixture('stacks');
const file = (rel: string) => path.join(dir, rel);
const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
const lines = (rel: string) => text(rel).split('\n').filter(Boolean);
const blkid = (name: string) =>
  JSON.parse(text(`expected/blkid/${name}.json`)) as Record<string, string>;
const keys = JSON.parse(text('expected/keys.json')) as Record<
  string,
  { device: string; passphrase: string; uuid: string }
>;
const lol = keys['lvm-on-luks']!;
const lov = keys['luks-on-lvm']!;

function guestkit(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  name: string;
  type: string;
  vfs: string | null;
  label: string | null;
  size: number;
  parent: string | null;
  uuid: string | null;
}

/** guestfish's struct list printing → objects. */
function structs(rel: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text(rel).split('\n')) {
    if (/^\[\d+\] = \{/.test(line)) out.push({});
    const m = /^ {2}(\w+): ?(.*)$/.exec(line);
    if (m) out.at(-1)![m[1]!] = m[2]!;
  }
  return out;
}

beforeAll(() => {
  execFileSync('node', [path.join(repoRoot, 'scripts/build-cli.mjs')], { cwd: repoRoot });
});

describe('without keys: exactly what virt-filesystems printed', () => {
  const stacks: [string, string[]][] = [
    ['wholefs', ['wholefs.qcow2']],
    ['luks-on-lvm', ['luks-on-lvm.qcow2']],
    ['lvm-on-luks', ['lvm-on-luks.qcow2']],
    ['lvm-on-md', ['md-a.qcow2', 'md-b.qcow2']],
  ];
  for (const [name, disks] of stacks) {
    it(name, () => {
      const r = guestkit(
        'filesystems',
        '--all',
        '--long',
        '--uuid',
        '--csv',
        ...disks.flatMap((d) => ['-a', file(d)]),
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(text(`expected/virt-filesystems/${name}.csv`));
    });
  }
});

describe('--key opens LUKS volumes, then LVM activates what they hold', () => {
  it('LVM on LUKS by device name: LVs, VG, PV and the filesystems inside', () => {
    const lg = 'expected/libguestfs/lvm-on-luks';
    const r = guestkit(
      'filesystems',
      '--all',
      '--long',
      '--json',
      '-a',
      file('lvm-on-luks.qcow2'),
      '--key',
      `${lol.device}:key:${lol.passphrase}`,
    );
    expect(r.stderr).toBe('');
    const rows: Row[] = JSON.parse(r.stdout);
    const of = (type: string) => rows.filter((x) => x.type === type);
    const fsWant = (lv: string, b: Record<string, string>) => ({
      name: `/dev/vgcrypt/${lv}`,
      vfs: b.TYPE,
      label: b.LABEL,
      uuid: b.UUID,
    });
    expect(
      of('filesystem').map(({ name, vfs, label, uuid }) => ({ name, vfs, label, uuid })),
    ).toEqual([fsWant('data', blkid('data')), fsWant('root', blkid('root'))]);
    expect(of('lv').map(({ name, size, parent, uuid }) => ({ name, size, parent, uuid }))).toEqual(
      lines(`${lg}/lvs.txt`).map((lv) => {
        const n = lv.split('/').pop()!;
        return {
          name: lv,
          size: Number(text(`${lg}/size-${n}.txt`)),
          parent: '/dev/vgcrypt',
          uuid: text(`${lg}/lvuuid-${n}.txt`).trim(),
        };
      }),
    );
    const vg = structs(`${lg}/vgs-full.txt`)[0]!;
    const pv = structs(`${lg}/pvs-full.txt`)[0]!;
    expect(of('vg')).toMatchObject([
      { name: '/dev/vgcrypt', size: Number(vg.vg_size), parent: pv.pv_name, uuid: vg.vg_uuid },
    ]);
    expect(of('pv')).toMatchObject([
      { name: pv.pv_name, size: Number(pv.pv_size), parent: null, uuid: pv.pv_uuid },
    ]);
    // The rows virt-filesystems printed without the key are still there, unchanged.
    const csv = lines('expected/virt-filesystems/lvm-on-luks.csv').slice(1);
    expect(of('partition').length + of('device').length).toBe(csv.length);
  });

  it('LUKS on LVM by LUKS UUID: the LV’s mapping is luks-UUID, listed first', () => {
    const r = guestkit(
      'filesystems',
      '--long',
      '--json',
      '-a',
      file('luks-on-lvm.qcow2'),
      '--key',
      `${lov.uuid}:key:${lov.passphrase}`,
    );
    expect(r.stderr).toBe('');
    const rows: Row[] = JSON.parse(r.stdout);
    const b = blkid('inner');
    const p = blkid('plain');
    expect(rows.map(({ name, vfs, label, uuid }) => ({ name, vfs, label, uuid }))).toEqual([
      { name: `/dev/mapper/luks-${lov.uuid}`, vfs: b.TYPE, label: b.LABEL, uuid: b.UUID },
      { name: '/dev/vgouter/plain', vfs: p.TYPE, label: p.LABEL, uuid: p.UUID },
    ]);
  });

  it('cat reads a file inside the LV inside LUKS; ls inside LVM on MD', () => {
    const r = guestkit(
      'cat',
      '-a',
      file('lvm-on-luks.qcow2'),
      '--key',
      `all:key:${lol.passphrase}`,
      '-m',
      '/dev/vgcrypt/root',
      '/hello.txt',
    );
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'this is crypt-root\n', '']);
    const md = guestkit('cat', '-a', file('md-a.qcow2'), '-a', file('md-b.qcow2'), '/hello.txt');
    expect([md.status, md.stdout]).toEqual([0, 'this is md-root\n']);
  });

  it('a key file (its first line) works as the key', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gk-key-'));
    try {
      fs.writeFileSync(path.join(tmp, 'k'), `${lov.passphrase}\nsecond line\n`);
      const r = guestkit(
        'cat',
        '-a',
        file('luks-on-lvm.qcow2'),
        '--key',
        `${lov.device}:file:${path.join(tmp, 'k')}`,
        '-m',
        `/dev/mapper/luks-${lov.uuid}`,
        '/hello.txt',
      );
      expect([r.status, r.stdout, r.stderr]).toEqual([0, 'this is inner-secret\n', '']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('call: --key applies after launch; cryptsetup_open works as an action too', () => {
    const lg = 'expected/libguestfs/lvm-on-luks';
    const a = guestkit(
      'call',
      '-a',
      file('lvm-on-luks.qcow2'),
      '--key',
      `all:key:${lol.passphrase}`,
      'lvs',
    );
    expect(a.stdout).toBe(`${JSON.stringify(lines(`${lg}/lvs.txt`))}\n`);
    const b = guestkit(
      'call',
      '-a',
      file('lvm-on-luks.qcow2'),
      'cryptsetup_open',
      lol.device,
      lol.passphrase,
      'cryptsda1',
      ':',
      'lvm_scan',
      'true',
      ':',
      'list_dm_devices',
    );
    expect(b.stdout.split('\n').filter(Boolean).pop()).toBe(
      JSON.stringify(lines(`${lg}/list-dm-devices.txt`)),
    );
  });
});

describe('keys stay secret', () => {
  it('a wrong key: locked, exit 1, the key not echoed', () => {
    const r = guestkit(
      'filesystems',
      '-a',
      file('lvm-on-luks.qcow2'),
      '--key',
      'all:key:hunter2-wrong',
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^guestkit: locked: could not find key to open LUKS encrypted \/dev\/sda1/,
    );
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });

  it('-x traces cryptsetup_open with the key as "***"', () => {
    const r = guestkit(
      'ls',
      '-x',
      '-a',
      file('lvm-on-luks.qcow2'),
      '--key',
      `${lol.device}:key:${lol.passphrase}`,
      '-m',
      '/dev/vgcrypt/root',
      '/',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `libguestfs: trace: cryptsetup_open "${lol.device}" "***" "cryptsda1"`,
    );
    expect(r.stderr + r.stdout).not.toContain(lol.passphrase);
    expect(r.stdout.split('\n')).toContain('hello.txt');
  });

  it('a malformed --key is a usage error that hides the key', () => {
    const r = guestkit('filesystems', '-a', file('wholefs.qcow2'), '--key', 'all:key:top:secret');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--key all:key:***');
    expect(r.stderr).not.toContain('secret');
  });

  it('an encrypted device without a key: the file commands say so', () => {
    const r = guestkit('ls', '-a', file('lvm-on-luks.qcow2'), '/');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('guestkit: warning: /dev/sda1 is encrypted (LUKS)');
  });
});
