// Inspection of a real Debian 12 made by debootstrap (fixtures/build-debian.sh) against
// what the fixture recorded independently: the guest's own files (debian_version, hostname,
// fstab, dpkg status), sfdisk --json, blkid -p, file(1) of /usr/bin/bash, dpkg-query — and
// libguestfs' virt-inspector on the same image, which `guestkit inspect --xml` must equal
// byte for byte.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture } from '../helpers/fixtures.js';
import {
  archOfFileOutput,
  canValidate,
  cliInspect,
  openGuest,
  readJson,
  relaxngErrors,
  sfdiskPartitions,
} from './helpers.js';

const dir = ensureFixture('debian');
const disk = path.join(dir, 'disk.qcow2');
const src = (p: string) => fs.readFileSync(path.join(dir, 'source', p), 'utf8');
const parts = sfdiskPartitions(path.join(dir, 'expected', 'partitions.json'));
const blkid = readJson<Record<string, Record<string, string>>>(
  path.join(dir, 'expected', 'blkid.json'),
);
const dpkg = readJson<{
  count: number;
  packages: { name: string; version: string; arch: string }[];
}>(path.join(dir, 'expected', 'dpkg.json'));
/** /dev/sdaN of the partition sfdisk names `name`. */
const partDev = (name: string) => `/dev/sda${parts.findIndex((p) => p.name === name) + 1}`;
/** The partition holding the filesystem whose blkid says KEY=value. */
function devOf(key: 'UUID' | 'LABEL', value: string): string {
  const img = Object.values(blkid).find((b) => b[key] === value)!;
  return partDev(img.LABEL!);
}

let g: Guestfs;
let roots: string[];
beforeAll(async () => {
  g = await openGuest(disk);
  roots = g.inspect_os();
});
afterAll(() => g.close());

describe('Debian 12 (debootstrap minbase)', () => {
  it('finds one root, the partition holding /', () => {
    expect(roots).toEqual([partDev('root')]);
  });

  it('reads the identity from the release files as libguestfs does', () => {
    const r = roots[0]!;
    const version = src('etc/debian_version').split('\n')[0]!;
    const [major, minor] = version.split('.').map(Number);
    expect(g.inspect_get_type(r)).toBe('linux');
    expect(g.inspect_get_distro(r)).toBe('debian');
    // os-release gives only "12", so libguestfs goes on to debian_version: its first line
    // is both the product name and the version.
    expect(g.inspect_get_product_name(r)).toBe(version);
    expect(g.inspect_get_major_version(r)).toBe(major);
    expect(g.inspect_get_minor_version(r)).toBe(minor);
    expect(g.inspect_get_osinfo(r)).toBe(`debian${major}`);
    expect(g.inspect_get_hostname(r)).toBe(src('etc/hostname').trim());
    expect(g.inspect_get_arch(r)).toBe(
      archOfFileOutput(fs.readFileSync(path.join(dir, 'expected', 'file-bash.txt'), 'utf8')),
    );
    expect(g.inspect_get_package_format(r)).toBe('deb');
    expect(g.inspect_get_package_management(r)).toBe('apt');
    expect(g.inspect_get_format(r)).toBe('installed');
    expect(g.inspect_is_live(r)).toBe(false);
  });

  it('resolves the fstab: UUID= and LABEL= through blkid, pseudo filesystems skipped', () => {
    const fstab = src('etc/fstab')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/\s+/));
    const expected: Record<string, string> = {};
    for (const [spec, mp] of fstab) {
      const m = /^(UUID|LABEL)=(.*)$/.exec(spec!);
      if (m) expected[mp!] = devOf(m[1] as 'UUID' | 'LABEL', m[2]!);
    }
    expect(g.inspect_get_mountpoints(roots[0]!)).toEqual(expected);
    expect(g.inspect_get_filesystems(roots[0]!).sort()).toEqual(Object.values(expected).sort());
  });

  it('lists exactly the installed packages of the dpkg status, as dpkg-query does', async () => {
    const status = src('var/lib/dpkg/status');
    const installed = status.match(/^Status: install ok installed$/gm)!.length;
    const r = roots[0]!;
    g.mount_ro(r, '/');
    try {
      const apps = g.inspect_list_applications2(r);
      expect(apps.length).toBe(installed);
      expect(apps.length).toBe(dpkg.count);
      const want = new Map(dpkg.packages.map((p) => [p.name, p]));
      for (const a of apps) {
        const p = want.get(a.app2_name)!;
        const full =
          (a.app2_epoch ? `${a.app2_epoch}:` : '') +
          a.app2_version +
          (a.app2_release ? `-${a.app2_release}` : '');
        expect(full).toBe(p.version);
        expect(a.app2_arch).toBe(p.arch);
      }
    } finally {
      g.umount_all();
    }
  });
});

describe('guestkit inspect on the Debian image', () => {
  const reference = path.join(dir, 'expected', 'virt-inspector.xml');

  it.skipIf(!fs.existsSync(reference))(
    'prints what virt-inspector prints, byte for byte',
    async () => {
      const { stdout, code } = await cliInspect(['-a', disk, '--xml']);
      expect(code).toBe(0);
      expect(stdout).toBe(fs.readFileSync(reference, 'utf8'));
    },
  );

  it.skipIf(!canValidate)('writes XML valid against virt-inspector.rng', async () => {
    const { stdout } = await cliInspect(['-a', disk]);
    expect(relaxngErrors(stdout)).toBeUndefined();
  });

  it('prints the same data as JSON under the same names', async () => {
    const { stdout } = await cliInspect(['-a', disk, '--json', '--no-icon']);
    const j = JSON.parse(stdout) as {
      operatingsystems: Record<string, unknown>[];
      notes: unknown[];
    };
    const os = j.operatingsystems[0]!;
    expect(os.root).toBe(partDev('root'));
    expect(os.distro).toBe('debian');
    expect(os.hostname).toBe(src('etc/hostname').trim());
    expect((os.applications as unknown[]).length).toBe(dpkg.count);
    expect(os.icon).toBeUndefined();
    expect(j.notes).toEqual([]);
  });

  it('refuses conflicting and unknown options', async () => {
    await expect(cliInspect(['-a', disk, '--xml', '--json'])).rejects.toThrow(/--xml and --json/);
    await expect(cliInspect(['-a', disk, '--bogus'])).rejects.toThrow(/unknown option/);
  });
});
