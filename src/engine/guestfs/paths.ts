// Path resolution across the mount table, the way the Linux kernel walks a path inside
// the appliance's chroot: component by component; ".." of a mount's root leads to the
// parent of its mountpoint (the walk keeps the canonical guest path, so ".." is simply the
// previous component); symlinks are followed when more components follow them or when
// the caller asks to follow the last one; absolute targets restart at the guest root (the
// whole mounted tree, not the root of the filesystem holding the link); 40 symlinks per
// walk at most (ELOOP); a non-directory before more components is ENOTDIR.
// Reference: path_resolution(7); Linux fs/namei.c (MAXSYMLINKS = 40); guestfs(3)
// "PATH NAMES" (guest paths are absolute).

import { EngineError, type ErrorKind, isEngineError } from '../errors.js';
import type { DirEntry, Stat } from '../fs/types.js';
import { type Mount, type MountTable, virtualDirStat } from './mounts.js';

/** Linux MAXSYMLINKS: symlinks followed in one walk before ELOOP. */
export const MAX_SYMLINKS = 40;
/**
 * Lookups remembered by canonical path: walks and per-file calls in a large tree resolve
 * the same parents again and again, and a listing stats a file just before reading it;
 * 4096 entries cost well under a MiB.
 */
const CACHE_MAX = 4096;

/** A resolved guest path. */
export interface Location {
  /** Canonical guest path: absolute, no symlinks, no "." or "..". */
  path: string;
  /** The mount holding it; undefined for directories that exist only in the mount table. */
  mount?: Mount;
  /** The path inside `mount.fs`. */
  fsPath: string;
  /** lstat of `path` (a symlink only if the last component was not followed). */
  stat: Stat;
}

const ERRNO_TEXT: Partial<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  EINVAL: 'Invalid argument',
  EROFS: 'Read-only file system',
  EEXIST: 'File exists',
  ENODATA: 'No data available',
};

/** The libguestfs-style error: "ACTION: PATH: strerror". */
export function pathError(
  kind: ErrorKind,
  action: string,
  path: string,
  text = ERRNO_TEXT[kind] ?? kind,
): EngineError {
  return new EngineError(kind, `${action}: ${path}: ${text}`, { path });
}

/** Guest paths (libguestfs Pathname) must be absolute. */
export function checkPathname(path: string, action: string): void {
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw pathError('EINVAL', action, String(path), 'path must start with a / character');
  if (path.includes('\0')) throw pathError('EINVAL', action, path, 'path contains a NUL byte');
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/**
 * Components of `path` in walk order. A trailing slash becomes a final "." so that the
 * walk requires a directory there and follows a symlink naming it, as POSIX says.
 */
function components(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  if (path.length > 1 && path.endsWith('/') && parts.length > 0) parts.push('.');
  return parts;
}

export class PathResolver {
  private readonly cache = new Map<string, Location>();
  /** Every entry of the directory listed last (see remember), whatever its size. */
  private listing = new Map<string, Location>();
  private generation = -1;

  constructor(private readonly mounts: MountTable) {}

  /** Resolve `path`; `follow` says whether a symlink in the last component is followed. */
  resolve(path: string, follow: boolean, action: string): Location {
    checkPathname(path, action);
    this.needRoot(action);
    const pending = components(path);
    const cur: string[] = [];
    let here = this.lookup('/', action, path);
    let links = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (here.stat.type !== 'directory') throw pathError('ENOTDIR', action, path);
      if (name === '.') continue;
      if (name === '..') {
        cur.pop();
        here = this.lookup(`/${cur.join('/')}`, action, path);
        continue;
      }
      const next = this.lookup(joinPath(here.path, name), action, path);
      const last = pending.length === 0;
      if (next.stat.type === 'symlink' && (!last || follow)) {
        if (++links > MAX_SYMLINKS) throw pathError('ELOOP', action, path);
        const target = this.readlink(next, action, path);
        if (target === '') throw pathError('ENOENT', action, path);
        pending.unshift(...components(target));
        // A relative target continues from the directory holding the link (`here`).
        if (target.startsWith('/')) {
          cur.length = 0;
          here = this.lookup('/', action, path);
        }
        continue;
      }
      cur.push(name);
      here = next;
    }
    return here;
  }

  /** The location of a canonical guest path, without following a symlink there. */
  lookup(guestPath: string, action: string, userPath = guestPath): Location {
    // Everything is read-only, so an answer only changes when the mount table does.
    if (this.generation !== this.mounts.generation) {
      this.cache.clear();
      this.listing = new Map();
      this.generation = this.mounts.generation;
    }
    const hit = this.cache.get(guestPath) ?? this.listing.get(guestPath);
    if (hit) return hit;
    const loc = this.lookupUncached(guestPath, action, userPath);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(guestPath, loc);
    return loc;
  }

  private lookupUncached(guestPath: string, action: string, userPath: string): Location {
    const m = this.mounts.covering(guestPath);
    if (!m) {
      if (this.mounts.isVirtualDir(guestPath))
        return { path: guestPath, fsPath: guestPath, stat: virtualDirStat() };
      throw pathError('ENOENT', action, userPath);
    }
    const fsPath = m.mountpoint === '/' ? guestPath : guestPath.slice(m.mountpoint.length) || '/';
    const stat = this.guard(() => m.fs.lstat(fsPath), action, userPath);
    return { path: guestPath, mount: m, fsPath, stat };
  }

  /**
   * The location of `entry`, an entry readdir returned for the directory `dir`: stat by
   * inode number where the driver can (no name lookup), except where a filesystem is
   * mounted on the entry.
   */
  child(dir: Location, entry: DirEntry, action: string): Location {
    const p = joinPath(dir.path, entry.name);
    const fs = dir.mount?.fs;
    if (!fs?.statInode || this.mounts.at(p) || this.generation !== this.mounts.generation)
      return this.lookup(p, action);
    const hit = this.cache.get(p);
    if (hit) return hit;
    const fsPath = joinPath(dir.fsPath, entry.name);
    const stat = this.guard(() => fs.statInode!(entry.ino), action, p);
    const loc: Location = { path: p, mount: dir.mount, fsPath, stat };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(p, loc);
    return loc;
  }

  /**
   * Keeps the locations of one directory's entries (lstatnslist's answer) beyond the
   * bounded cache: a listing of a 100,000-entry directory followed by a checksum of each
   * file must not look every name up a second time. Only the last listing is kept.
   */
  remember(locations: readonly (Location | undefined)[]): void {
    this.listing = new Map();
    for (const l of locations) if (l) this.listing.set(l.path, l);
  }

  /** Directory entries of a resolved directory (without "." and ".."). */
  readdir(loc: Location, action: string, userPath = loc.path): DirEntry[] {
    if (loc.stat.type !== 'directory') throw pathError('ENOTDIR', action, userPath);
    if (!loc.mount) {
      return this.mounts
        .virtualChildren(loc.path)
        .map((name) => ({ name, ino: 0, type: 'directory' as const }));
    }
    const m = loc.mount;
    return this.guard(() => m.fs.readdir(loc.fsPath), action, userPath);
  }

  readlink(loc: Location, action: string, userPath = loc.path): string {
    if (loc.stat.type !== 'symlink') throw pathError('EINVAL', action, userPath);
    const m = loc.mount!;
    return this.guard(() => m.fs.readlink(loc.fsPath), action, userPath);
  }

  /** Up to `length` bytes at `offset` of a resolved regular file. */
  read(loc: Location, offset: number, length: number, action: string, userPath = loc.path) {
    if (loc.stat.type === 'directory') throw pathError('EISDIR', action, userPath);
    const fs = loc.mount!.fs;
    if (fs.readInode) {
      const ino = loc.stat.ino;
      return this.guard(() => fs.readInode!(ino, offset, length), action, userPath);
    }
    return this.guard(() => fs.read(loc.fsPath, offset, length), action, userPath);
  }

  /** libguestfs refuses file calls before a filesystem is mounted. */
  needRoot(action: string): void {
    if (this.mounts.empty)
      throw new EngineError(
        'EINVAL',
        `${action}: you must call 'mount' first to mount the root filesystem`,
      );
  }

  /**
   * Driver errno errors name the path inside the filesystem; callers want their own
   * path. Everything else (corrupt, unsupported, io) passes through untouched.
   */
  private guard<T>(fn: () => T, action: string, userPath: string): T {
    try {
      return fn();
    } catch (e) {
      if (isEngineError(e) && (e.kind === 'ENOENT' || e.kind === 'ENOTDIR' || e.kind === 'EISDIR'))
        throw pathError(e.kind, action, userPath);
      throw e;
    }
  }
}
