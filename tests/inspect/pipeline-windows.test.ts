// The inspection pipeline and the hivex_* actions through the Guestfs handle on the Windows
// fixture (fixtures/build-windows.sh: NTFS system roots in an MBR and a GPT disk), against
// the inputs that script wrote (registry values, computer name, control set, file(1) of
// cmd.exe, the partitions' offsets and GUID) and Win::Hivex's reading of the hives.

import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { openGuest, readJson } from './helpers.js';

const dir = ensureFixture('windows');
interface Variant {
  cv: [string, string | number][];
  hostname: string | null;
  computername: string;
  control_set: string;
  drive_mappings: [string, string][];
  arch: string;
}
const facts = readJson<{ variants: Record<string, Variant> }>(
  path.join(dir, 'expected', 'windows.json'),
);
/** libguestfs' osinfo table for these versions (lib/inspect-osinfo.c). */
const OSINFO: Record<string, string> = { win10: 'win10', win2019: 'win2k19', win11: 'win11' };

function check(g: Guestfs, root: string, variant: string): void {
  const v = facts.variants[variant]!;
  const cv = Object.fromEntries(v.cv);
  expect(g.inspect_get_type(root)).toBe('windows');
  expect(g.inspect_get_distro(root)).toBe('windows');
  expect(g.inspect_get_product_name(root)).toBe(cv.ProductName);
  expect(g.inspect_get_product_variant(root)).toBe(cv.InstallationType);
  expect(g.inspect_get_major_version(root)).toBe(cv.CurrentMajorVersionNumber);
  expect(g.inspect_get_minor_version(root)).toBe(cv.CurrentMinorVersionNumber);
  expect(g.inspect_get_build_id(root)).toBe(cv.CurrentBuildNumber);
  expect(g.inspect_get_arch(root)).toBe(v.arch);
  // Only Tcpip\Parameters\Hostname, as libguestfs (virt-inspector 1.48 agrees on this fixture).
  expect(g.inspect_get_hostname(root)).toBe(v.hostname ?? 'unknown');
  expect(g.inspect_get_osinfo(root)).toBe(OSINFO[variant]);
  expect(g.inspect_get_windows_systemroot(root)).toBe('/Windows');
  expect(g.inspect_get_windows_current_control_set(root)).toBe(v.control_set);
  expect(g.inspect_get_drive_mappings(root)).toEqual(Object.fromEntries(v.drive_mappings));
  expect(g.inspect_get_mountpoints(root)).toEqual({ '/': root });
  expect(g.inspect_get_filesystems(root)).toEqual([root]);
  expect(g.inspect_get_package_format(root)).toBe('unknown');
}

describe('Windows roots through inspect_os', () => {
  // Both disks on one handle: the MBR disk is /dev/sda, the GPT disk /dev/sdb (the
  // device names the fixture's drive mappings use).
  let g: Guestfs;
  let roots: string[];
  beforeAll(async () => {
    g = await openGuest(path.join(dir, 'disk-mbr.qcow2'), path.join(dir, 'disk-gpt.qcow2'));
    roots = g.inspect_os();
  });
  afterAll(() => g.close());

  it('finds the three systems, in list_filesystems order', () => {
    expect(roots).toEqual(['/dev/sda1', '/dev/sda2', '/dev/sdb1']);
  });

  it('reads each identity and its drive letters from MountedDevices (MBR and GPT)', () => {
    check(g, '/dev/sda1', 'win10');
    check(g, '/dev/sda2', 'win2019');
    check(g, '/dev/sdb1', 'win11');
  });

  it('answers hivex_* on the mounted guest as Win::Hivex reads the hive', () => {
    const want = readJson<{
      nodes: { h: number; name: string; parent: number | null; children: number[] }[];
    }>(path.join(dir, 'expected', 'hivex-SOFTWARE-win10.json'));
    g.mount_ro('/dev/sda1', '/');
    try {
      g.hivex_open(g.inspect_get_windows_software_hive('/dev/sda1'));
      const root = g.hivex_root();
      expect(root).toBe(want.nodes.find((n) => n.parent === null)!.h);
      for (const n of want.nodes) {
        expect(g.hivex_node_name(n.h)).toBe(n.name);
        expect(g.hivex_node_children(n.h).map((c) => c.hivex_node_h)).toEqual(n.children);
        if (n.parent !== null) expect(g.hivex_node_parent(n.h)).toBe(n.parent);
      }
      g.hivex_close();
    } finally {
      g.umount_all();
    }
  });
});
