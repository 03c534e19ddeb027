// The driver registry: blkid TYPE → driver, lazy loading, and the errors for types with no
// driver (unsupported, naming "mounting TYPE filesystems") and for drivers not loaded yet
// (EINVAL pointing at prepareFilesystems). This file runs in its own module instance, so
// nothing is loaded when it starts. Types come from blkid -p (the probe fixture).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeEnvironment } from '../../src/cli/node-env.js';
import { EngineError } from '../../src/engine/errors.js';
import { canMount, isLoaded, loadDriverFor, mountDevice } from '../../src/engine/fs/registry.js';
import { Guestfs } from '../../src/engine/guestfs/handle.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { dir, ensureWasm, thrown } from './helpers.js';

const probe = ensureFixture('probe');
const blkidType = (img: string) =>
  /^TYPE=(.*)$/m.exec(fs.readFileSync(path.join(probe, 'expected', `${img}.blkid`), 'utf8'))![1];

describe('driver registry', () => {
  it('ext2/3/4 and ntfs have drivers; xfs and btrfs do not', () => {
    for (const t of ['ext2', 'ext3', 'ext4', 'ntfs']) expect(canMount(t), t).toBe(true);
    for (const t of ['xfs', 'btrfs', 'vfat', 'swap', '']) expect(canMount(t), t).toBe(false);
  });

  it('mounting before the driver is loaded is EINVAL, and works once it is', async () => {
    const src = new NodeFileSource(path.join(dir, 'home.img'));
    expect(isLoaded('ext4')).toBe(false);
    expect(thrown(() => mountDevice(src, 'ext4')).kind).toBe('EINVAL');
    ensureWasm();
    await loadDriverFor('ext4');
    expect(isLoaded('ext3')).toBe(true); // one driver, three types
    const fsys = mountDevice(src, 'ext4');
    expect(
      fsys
        .readdir('/')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['alice', 'bob', 'lost+found', 'shared']);
    fsys.close();
  });

  it('a type with no driver is unsupported, naming it', async () => {
    for (const img of ['xfs.img', 'btrfs.img']) {
      const type = blkidType(img)!;
      const e = thrown(() => mountDevice(new NodeFileSource(path.join(probe, img)), type));
      expect([e.kind, e.feature]).toEqual(['unsupported', `mounting ${type} filesystems`]);
      await expect(loadDriverFor(type)).rejects.toBeInstanceOf(EngineError);
    }
  });

  it('through the handle: prepareFilesystems loads what the probed devices need', async () => {
    const g = new Guestfs(new NodeEnvironment());
    g.add_drive_ro(path.join(probe, 'xfs.img'));
    g.add_drive_ro(path.join(dir, 'disk.qcow2'));
    g.launch();
    expect(await g.prepareFilesystems()).toEqual(['ext4']);
    const e = thrown(() => g.mount_ro('/dev/sda', '/'));
    expect([e.kind, e.feature]).toEqual(['unsupported', 'mounting xfs filesystems']);
    g.mount_ro('/dev/sdb1', '/');
    expect(g.cat('/etc/hostname')).toBe('guestkit-test\n');
    g.close();
  });
});
