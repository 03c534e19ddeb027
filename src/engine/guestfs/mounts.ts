// The mount table of a Guestfs handle: guest path → mounted FileSystem, matched by longest
// prefix, plus the directories mkmountpoint creates before anything covers them. Mounts
// are read-only (the overlay that would take writes is not there yet).
// Reference: guestfs(3) "MOUNTING", guestfs_mkmountpoint; Linux mount(2) semantics for
// what a mount hides.

import { EngineError } from '../errors.js';
import type { FileSystem, Stat } from '../fs/types.js';
import { driveIndex, splitDevicePartition } from '../partitions/naming.js';

export interface Mount {
  /** Normalised guest path: "/" or "/home" (no trailing slash). */
  mountpoint: string;
  /** The device as the caller named it after canonicalisation ("/dev/sda2"). */
  device: string;
  fs: FileSystem;
  /** st_dev reported for every file of this mount (Linux makedev of the sd device). */
  dev: number;
  vfstype: string;
  options: string;
}

/** Stat of a directory that exists only in the mount table (the empty root, mkmountpoint). */
export function virtualDirStat(): Stat {
  return {
    ino: 0,
    type: 'directory',
    mode: 0o40755,
    nlink: 2,
    uid: 0,
    gid: 0,
    size: 0,
    blocks: 0,
    blksize: 4096,
    rdev: 0,
    atimeSec: 0,
    atimeNsec: 0,
    mtimeSec: 0,
    mtimeNsec: 0,
    ctimeSec: 0,
    ctimeNsec: 0,
  };
}

/** glibc makedev(major, minor): the st_dev/st_rdev encoding libguestfs returns. */
export function makedev(major: number, minor: number): number {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  const dev =
    ((ma & 0xfffn) << 8n) |
    ((ma & 0xfffff000n) << 32n) |
    (mi & 0xffn) |
    ((mi & 0xffffff00n) << 12n);
  return Number(dev);
}

/** glibc major()/minor() of a makedev value. */
export function devMajorMinor(dev: number): [number, number] {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n);
  const minor = (d & 0xffn) | ((d >> 12n) & 0xffffff00n);
  return [Number(major), Number(minor)];
}

/**
 * The device number the appliance's kernel would give `device`: sd disks are major 8 with
 * 16 minors per disk (partitions 1–15); anything else gets the dynamic major 259, as
 * Linux gives extended partitions. libguestfs itself says st_dev need not match the guest.
 */
export function deviceNumber(device: string, seq: number): number {
  const { device: disk, partnum } = splitDevicePartition(device);
  const index = disk.startsWith('sd') ? driveIndex(disk.slice(2)) : -1;
  if (index >= 0 && index < 16 && partnum < 16) return makedev(8, index * 16 + partnum);
  return makedev(259, seq);
}

/** "/a//b/" → "/a/b". Mountpoints must be absolute; "." and ".." are not allowed in them. */
export function normaliseMountpoint(path: string, action: string): string {
  if (!path.startsWith('/'))
    throw new EngineError('EINVAL', `${action}: ${path}: mountpoint must be an absolute path`, {
      path,
    });
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..'))
    throw new EngineError('EINVAL', `${action}: ${path}: "." and ".." are not allowed here`, {
      path,
    });
  return `/${parts.join('/')}`;
}

const isBelow = (path: string, dir: string): boolean =>
  dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);

export class MountTable {
  private readonly entries: Mount[] = [];
  private readonly virtualDirs = new Set<string>();
  private seq = 0;
  /** Bumped on every change, so path caches know when to forget. */
  generation = 0;

  /** Mounts in the order they were made (libguestfs' mounts / mountpoints order). */
  list(): readonly Mount[] {
    return this.entries;
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  nextSeq(): number {
    return this.seq++;
  }

  /** The mount whose mountpoint is the longest prefix of the guest path `path`. */
  covering(path: string): Mount | undefined {
    let best: Mount | undefined;
    for (const m of this.entries) {
      if (m.mountpoint !== path && !isBelow(path, m.mountpoint)) continue;
      if (!best || m.mountpoint.length > best.mountpoint.length) best = m;
    }
    return best;
  }

  at(mountpoint: string): Mount | undefined {
    return this.entries.find((m) => m.mountpoint === mountpoint);
  }

  /**
   * Adds a mount. Stacking a second filesystem on a mountpoint, or mounting above
   * existing mounts, would hide filesystems the caller still expects to reach: both are
   * refused (EBUSY) rather than silently shadowed.
   */
  add(m: Mount, action: string): void {
    if (this.at(m.mountpoint))
      throw new EngineError(
        'EBUSY',
        `${action}: ${m.mountpoint}: a filesystem is already mounted here`,
        {
          path: m.mountpoint,
        },
      );
    const below = this.entries.find((x) => isBelow(x.mountpoint, m.mountpoint));
    if (below)
      throw new EngineError(
        'EBUSY',
        `${action}: ${m.mountpoint}: ${below.mountpoint} is mounted below it; unmount it first`,
        { path: m.mountpoint },
      );
    if (this.entries.some((x) => x.device === m.device))
      throw new EngineError('EBUSY', `${action}: ${m.device} is already mounted`, {
        path: m.device,
      });
    this.entries.push(m);
    this.generation++;
  }

  /** Removes the mount at `mountpoint` (or of device `device`); its children must go first. */
  remove(target: string, action: string): Mount {
    const m = this.entries.find((x) => x.mountpoint === target || x.device === target);
    if (!m) throw new EngineError('EINVAL', `${action}: ${target}: not mounted`, { path: target });
    const child = this.entries.find((x) => isBelow(x.mountpoint, m.mountpoint));
    if (child)
      throw new EngineError(
        'EBUSY',
        `${action}: ${m.mountpoint}: target is busy (${child.mountpoint} is mounted below it)`,
        { path: target },
      );
    this.entries.splice(this.entries.indexOf(m), 1);
    this.generation++;
    m.fs.close();
    return m;
  }

  /** Unmounts everything, deepest first (libguestfs umount_all). */
  clear(): void {
    const order = [...this.entries].sort((a, b) => b.mountpoint.length - a.mountpoint.length);
    for (const m of order) m.fs.close();
    this.entries.length = 0;
    this.generation++;
  }

  // ---- directories that exist only in the table ----

  isVirtualDir(path: string): boolean {
    return (path === '/' && !this.at('/')) || this.virtualDirs.has(path);
  }

  addVirtualDir(path: string): void {
    this.virtualDirs.add(path);
    this.generation++;
  }

  removeVirtualDir(path: string): boolean {
    this.generation++;
    return this.virtualDirs.delete(path);
  }

  /** Names directly below `dir` that exist because of the table (mkmountpoint dirs). */
  virtualChildren(dir: string): string[] {
    const out = new Set<string>();
    for (const p of this.virtualDirs) {
      if (!isBelow(p, dir)) continue;
      const rest = p.slice(dir === '/' ? 1 : dir.length + 1);
      if (!rest.includes('/')) out.add(rest);
    }
    return [...out];
  }
}
