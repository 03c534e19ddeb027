// mount, mount_ro, mount_options, mount_vfs, umount, umount_all, mounts, mountpoints,
// mkmountpoint, rmmountpoint. Every mount is read-only whatever the call: guestkit has no
// writable filesystem driver and no overlay yet, so `mount` behaves as libguestfs does on
// a read-only drive and every write action fails with EROFS.
// Reference: guestfs(3) guestfs_mount, guestfs_mount_vfs, guestfs_umount,
// guestfs_mkmountpoint; mount(8) for the option names.

import { EngineError } from '../errors.js';
import { driverFor, mountDevice } from '../fs/registry.js';
import { canonicalDeviceName } from '../partitions/naming.js';
import type { FsLayer } from './layer.js';
import { deviceNumber, normaliseMountpoint } from './mounts.js';
import { pathError } from './paths.js';

/**
 * Mount options that change nothing for a read-only mount of the supported filesystems
 * (time updates, device/exec flags, journalling and error policies, ACL/xattr switches).
 * Anything else (uid=, umask=, iocharset=, subvol= …) would change what the files look
 * like, so it is refused as unsupported rather than ignored.
 */
const HARMLESS_OPTIONS = new Set([
  '',
  'ro',
  'rw',
  'defaults',
  'auto',
  'noauto',
  'user',
  'nouser',
  'atime',
  'noatime',
  'relatime',
  'norelatime',
  'strictatime',
  'lazytime',
  'nolazytime',
  'diratime',
  'nodiratime',
  'dev',
  'nodev',
  'exec',
  'noexec',
  'suid',
  'nosuid',
  'sync',
  'async',
  'dirsync',
  'acl',
  'noacl',
  'user_xattr',
  'nouser_xattr',
  'noload',
  'norecovery',
  'nobarrier',
  'barrier',
  'discard',
  'nodiscard',
  'journal_checksum',
  'nojournal_checksum',
  'nodelalloc',
  'delalloc',
  'auto_da_alloc',
  'noauto_da_alloc',
  'block_validity',
  'noblock_validity',
  'i_version',
  'noquota',
  'quota',
  'usrquota',
  'grpquota',
  'nofail',
]);
const HARMLESS_PREFIXES = ['errors=', 'data=', 'commit=', 'barrier=', 'x-', 'context=', 'comment='];

function checkOptions(options: string, action: string): void {
  for (const opt of options.split(',')) {
    if (HARMLESS_OPTIONS.has(opt) || HARMLESS_PREFIXES.some((p) => opt.startsWith(p))) continue;
    throw new EngineError('unsupported', `${action}: mount option "${opt}" is not supported`, {
      feature: `mount option ${opt}`,
    });
  }
}

function mountImpl(
  layer: FsLayer,
  action: string,
  options: string,
  vfstype: string | undefined,
  mountable: string,
  mountpoint: string,
): void {
  checkOptions(options, action);
  const dev = layer.host.device(mountable, action);
  const probed = layer.host.probe(dev);
  if (!probed)
    throw new EngineError(
      'EINVAL',
      `${action}: ${mountable}: no filesystem recognised on the device`,
      {
        path: mountable,
      },
    );
  if (probed.usage !== 'filesystem')
    throw new EngineError(
      'EINVAL',
      `${action}: ${mountable} holds ${probed.type}, not a filesystem`,
      {
        path: mountable,
      },
    );
  const type = vfsTypeFor(probed.type, vfstype, action, mountable);
  const mp = mountpointFor(layer, mountpoint, action);
  const fs = mountDevice(dev.source, type);
  try {
    const dnum = deviceNumber(dev.name, layer.mounts.nextSeq());
    layer.mounts.add(
      { mountpoint: mp, device: dev.name, fs, dev: dnum, vfstype: type, options },
      action,
    );
  } catch (e) {
    fs.close();
    throw e;
  }
}

/** mount_vfs's explicit type must be one the same driver reads (ext2 for an ext4, …). */
function vfsTypeFor(probed: string, vfstype: string | undefined, action: string, dev: string) {
  if (vfstype === undefined || vfstype === '' || vfstype === probed) return probed;
  const want = driverFor(vfstype);
  if (!want)
    throw new EngineError(
      'unsupported',
      `${action}: mounting ${vfstype} filesystems is not supported`,
      {
        feature: `mounting ${vfstype} filesystems`,
      },
    );
  if (want !== driverFor(probed))
    throw new EngineError(
      'EINVAL',
      `${action}: ${dev}: wrong fs type: it holds ${probed}, not ${vfstype}`,
      {
        path: dev,
      },
    );
  return probed;
}

/** The canonical guest path to mount on; it must be an existing directory (or the root). */
function mountpointFor(layer: FsLayer, mountpoint: string, action: string): string {
  const mp = normaliseMountpoint(mountpoint, action);
  if (mp === '/' || layer.mounts.empty) {
    if (mp === '/' || layer.mounts.isVirtualDir(mp)) return mp;
    throw pathError('ENOENT', action, mountpoint, 'mount point does not exist');
  }
  const loc = layer.paths.resolve(mp, true, action);
  if (loc.stat.type !== 'directory') throw pathError('ENOTDIR', action, mountpoint);
  return loc.path;
}

function umountTarget(layer: FsLayer, target: string, action: string): string {
  if (target.startsWith('/dev/')) {
    const canon = canonicalDeviceName(target);
    if (layer.mounts.list().some((m) => m.device === canon)) return canon;
  }
  const mp = normaliseMountpoint(target, action);
  if (layer.mounts.at(mp) || layer.mounts.empty) return mp;
  try {
    return layer.paths.resolve(mp, true, action).path;
  } catch {
    return mp; // not a path we can walk: remove() reports "not mounted"
  }
}

export const MOUNT_ACTIONS = {
  mount(layer: FsLayer, mountable: string, mountpoint: string): void {
    mountImpl(layer, 'mount', '', undefined, mountable, mountpoint);
  },
  mount_ro(layer: FsLayer, mountable: string, mountpoint: string): void {
    mountImpl(layer, 'mount_ro', 'ro', undefined, mountable, mountpoint);
  },
  mount_options(layer: FsLayer, options: string, mountable: string, mountpoint: string): void {
    mountImpl(layer, 'mount_options', options, undefined, mountable, mountpoint);
  },
  mount_vfs(
    layer: FsLayer,
    options: string,
    vfstype: string,
    mountable: string,
    mountpoint: string,
  ): void {
    mountImpl(layer, 'mount_vfs', options, vfstype, mountable, mountpoint);
  },

  umount(
    layer: FsLayer,
    pathordevice: string,
    _opts: { force?: boolean; lazyunmount?: boolean } = {},
  ): void {
    // force/lazy change how a busy kernel mount is torn down; nothing here is ever busy.
    layer.mounts.remove(umountTarget(layer, pathordevice, 'umount'), 'umount');
  },
  umount_all(layer: FsLayer): void {
    layer.mounts.clear();
  },

  /** Devices mounted, in mount order. */
  mounts(layer: FsLayer): string[] {
    return layer.mounts.list().map((m) => m.device);
  },
  /** device → mountpoint. */
  mountpoints(layer: FsLayer): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of layer.mounts.list()) out[m.device] = m.mountpoint;
    return out;
  },

  mkmountpoint(layer: FsLayer, exemptpath: string): void {
    const action = 'mkmountpoint';
    const p = normaliseMountpoint(exemptpath, action);
    if (layer.mounts.covering(p)) {
      // Inside a mounted (read-only) filesystem: mkdir would fail there.
      const exists = pathExists(layer, p, action);
      throw pathError(
        exists ? 'EEXIST' : 'EROFS',
        action,
        exemptpath,
        exists ? 'File exists' : 'Read-only file system',
      );
    }
    if (layer.mounts.isVirtualDir(p)) throw pathError('EEXIST', action, exemptpath, 'File exists');
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (!layer.mounts.isVirtualDir(parent)) throw pathError('ENOENT', action, exemptpath);
    layer.mounts.addVirtualDir(p);
  },

  rmmountpoint(layer: FsLayer, exemptpath: string): void {
    const action = 'rmmountpoint';
    const p = normaliseMountpoint(exemptpath, action);
    const cover = layer.mounts.covering(p);
    if (cover && cover.mountpoint === p)
      throw new EngineError('EBUSY', `${action}: ${exemptpath}: a filesystem is mounted here`, {
        path: exemptpath,
      });
    if (cover) throw pathError('EROFS', action, exemptpath, 'Read-only file system');
    if (p === '/' || !layer.mounts.isVirtualDir(p)) throw pathError('ENOENT', action, exemptpath);
    if (layer.mounts.virtualChildren(p).length > 0)
      throw new EngineError('ENOTEMPTY', `${action}: ${exemptpath}: Directory not empty`, {
        path: exemptpath,
      });
    layer.mounts.removeVirtualDir(p);
  },
};

function pathExists(layer: FsLayer, p: string, action: string): boolean {
  try {
    layer.paths.resolve(p, false, action);
    return true;
  } catch (e) {
    if (e instanceof EngineError && (e.kind === 'ENOENT' || e.kind === 'ENOTDIR')) return false;
    throw e;
  }
}
