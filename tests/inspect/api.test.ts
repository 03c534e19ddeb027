// The inspect_* actions as libguestfs defines their behaviour, on the Debian fixture:
// the errors before inspect_os and for a root it did not return, the Windows-only getters
// failing on Linux, inspect_os unmounting everything, listing applications and the icon
// reading only what the caller mounted, a relaunch forgetting the inspection, the generic
// `call` path and the API table. The icon is compared with the one virt-inspector printed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import { EngineError } from '../../src/engine/errors.js';
import { findAction } from '../../src/engine/guestfs/api-table.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { openGuest, sfdiskPartitions } from './helpers.js';

const dir = ensureFixture('debian');
const disk = path.join(dir, 'disk.qcow2');
const parts = sfdiskPartitions(path.join(dir, 'expected', 'partitions.json'));
const root = `/dev/sda${parts.findIndex((p) => p.name === 'root') + 1}`;
const boot = `/dev/sda${parts.findIndex((p) => p.name === 'boot') + 1}`;

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('inspect_* actions', () => {
  // First in this file: the WebAssembly drivers are loaded once per process.
  it('refuses to inspect before the filesystem drivers are loaded', () => {
    const g = new Guestfs(new NodeEnvironment());
    g.add_drive_opts(disk, { readonly: true });
    g.launch();
    const e = thrown(() => g.inspect_os());
    expect(e.kind).toBe('EINVAL');
    expect(e.feature).toBe('ext4 driver');
    g.close();
  });

  it('answers nothing before inspect_os, as libguestfs does', async () => {
    const g = await openGuest(disk);
    expect(g.inspect_get_roots()).toEqual([]);
    expect(thrown(() => g.inspect_get_type(root)).kind).toBe('EINVAL');
    g.close();
  });

  it('accepts only the roots inspect_os returned', async () => {
    const g = await openGuest(disk);
    expect(g.inspect_os()).toEqual([root]);
    expect(g.inspect_get_roots()).toEqual([root]);
    const e = thrown(() => g.inspect_get_distro(boot));
    expect(e.kind).toBe('EINVAL');
    expect(e.path).toBe(boot);
    g.close();
  });

  it('fails the Windows-only getters on a Linux root and maps no drives', async () => {
    const g = await openGuest(disk);
    g.inspect_os();
    for (const fn of [
      () => g.inspect_get_windows_systemroot(root),
      () => g.inspect_get_windows_software_hive(root),
      () => g.inspect_get_windows_system_hive(root),
      () => g.inspect_get_windows_current_control_set(root),
    ])
      expect(thrown(fn).kind).toBe('EINVAL');
    expect(g.inspect_get_drive_mappings(root)).toEqual({});
    g.close();
  });

  it('unmounts everything first, and lists applications only through mounts', async () => {
    const g = await openGuest(disk);
    g.mount_ro(boot, '/');
    g.inspect_os();
    expect(g.mounts()).toEqual([]);
    // libguestfs' requirement: the caller mounts the guest first.
    expect(thrown(() => g.inspect_list_applications2(root)).kind).toBe('EINVAL');
    g.mount_ro(root, '/');
    const apps = g.inspect_list_applications2(root);
    const old = g.inspect_list_applications(root);
    expect(old.map((a) => a.app_name)).toEqual(apps.map((a) => a.app2_name));
    expect(Object.keys(old[0]!)).not.toContain('app_arch');
    g.close();
  });

  it('returns the icon virt-inspector returned, and none with highquality for Debian’s', async () => {
    const g = await openGuest(disk);
    g.inspect_os();
    g.mount_ro(root, '/');
    const icon = g.inspect_get_icon(root, { favicon: false });
    const xml = path.join(dir, 'expected', 'virt-inspector.xml');
    if (fs.existsSync(xml)) {
      const m = /<icon>([^<]*)<\/icon>/.exec(fs.readFileSync(xml, 'utf8'));
      expect(Buffer.from(icon).toString('base64')).toBe(m ? m[1]!.replace(/\s/g, '') : '');
    }
    // The PNG signature and an IHDR within libguestfs' 16–1024 pixel bounds.
    expect([...icon.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    g.close();
  });

  it('forgets the inspection when the handle is relaunched', async () => {
    const g = await openGuest(disk);
    g.inspect_os();
    g.shutdown();
    g.launch();
    expect(g.inspect_get_roots()).toEqual([]);
    g.close();
  });

  it('is reachable through `call` and declared in the API table', async () => {
    const g = await openGuest(disk);
    expect(g.call('inspect_os', [])).toEqual([root]);
    expect(g.call('inspect-get-mountpoints', [root])).toEqual(g.inspect_get_mountpoints(root));
    expect(findAction('inspect_get_icon')?.optargs?.map((a) => a.name)).toEqual([
      'favicon',
      'highquality',
    ]);
    expect(findAction('inspect_list_applications2')?.struct).toBe('application2');
    g.close();
  });
});
