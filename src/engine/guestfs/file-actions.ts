// The read-only file actions on single paths: type tests, stat family, reading, links,
// statvfs and extended attributes. Names, argument order, return shapes and errno kinds
// follow guestfs(3); where the daemon's behaviour is specific (exists never fails,
// is_* answer false for ENOENT/ENOTDIR, readlink of a non-link is EINVAL) it is
// reproduced here.
// Reference: guestfs(3) guestfs_is_file … guestfs_lgetxattrs; libguestfs daemon/stat.c,
// daemon/is.c, lib/file.c (read_lines, cat).

import { EngineError, isEngineError, unsupported } from '../errors.js';
import type { DirEntry, FileType } from '../fs/types.js';
import type { FsLayer } from './layer.js';
import { virtualDirStat } from './mounts.js';
import { type Location, joinPath, pathError } from './paths.js';
import {
  type GuestfsDirent,
  type GuestfsStat,
  type GuestfsStatns,
  type GuestfsStatvfs,
  type GuestfsXattr,
  ftyp,
  toStat,
  toStatns,
} from './structs.js';

/** Largest file read_file/cat/read_lines hold in memory; download and tar_out stream. */
export const READ_FILE_MAX = 512 * 1024 * 1024;
/** Largest pread: one call's result is one buffer. */
export const PREAD_MAX = 64 * 1024 * 1024;
/** Read unit for whole-file reads: amortises the per-call cost of the WASM driver. */
export const READ_CHUNK = 4 * 1024 * 1024;

export interface FollowOpt {
  followsymlinks?: boolean;
}

/** lstat/stat of `path` for the is_* tests: undefined for ENOENT and ENOTDIR. */
function probeType(layer: FsLayer, path: string, follow: boolean, action: string) {
  try {
    return layer.paths.resolve(path, follow, action).stat.type;
  } catch (e) {
    if (isEngineError(e) && (e.kind === 'ENOENT' || e.kind === 'ENOTDIR')) return undefined;
    throw e;
  }
}

function isType(want: FileType, action: string) {
  return (layer: FsLayer, path: string, opts: FollowOpt = {}): boolean =>
    probeType(layer, path, opts.followsymlinks === true, action) === want;
}

export function devOf(loc: Location): number {
  return loc.mount?.dev ?? 0;
}

/** Reads a whole regular file (after resolution) into memory, bounded by READ_FILE_MAX. */
export function readWhole(layer: FsLayer, loc: Location, action: string, userPath: string) {
  requireRegular(loc, action, userPath);
  const size = loc.stat.size;
  if (size > READ_FILE_MAX)
    throw new EngineError(
      'EINVAL',
      `${action}: ${userPath}: file is ${size} bytes, more than the ${READ_FILE_MAX} bytes this call holds in memory (use download)`,
      { path: userPath },
    );
  const out = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const part = layer.paths.read(loc, done, Math.min(READ_CHUNK, size - done), action, userPath);
    out.set(part, done);
    done += part.length;
    if (part.length === 0) break;
  }
  return done === size ? out : out.slice(0, done);
}

/** Only regular files have data in the image; devices and fifos are the guest's kernel's. */
export function requireRegular(loc: Location, action: string, userPath: string): void {
  const t = loc.stat.type;
  if (t === 'directory') throw pathError('EISDIR', action, userPath);
  if (t !== 'file')
    throw unsupported(
      `${action} of ${t} files`,
      `${userPath} is a ${t}: it has no data in the image`,
    );
}

/** C string semantics (libguestfs returns char *): stop at the first NUL. */
function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** lib/file.c read_lines: split on LF, drop a CR before it, keep a last unterminated line. */
export function splitLines(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) break;
    const end = nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    out.push(cString(bytes.subarray(start, end)));
    start = nl + 1;
  }
  if (start < bytes.length) out.push(cString(bytes.subarray(start)));
  return out;
}

/** Code point order: the byte order of the UTF-8 names, which is what strcmp sorts by. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function xattrs(layer: FsLayer, loc: Location, action: string, path: string): GuestfsXattr[] {
  if (!loc.mount) return [];
  const m = loc.mount;
  try {
    return m.fs.listxattrs(loc.fsPath).map((x) => ({ attrname: x.name, attrval: x.value }));
  } catch (e) {
    if (isEngineError(e) && e.kind === 'ENOENT') throw pathError('ENOENT', action, path);
    throw e;
  }
}

function oneXattr(list: GuestfsXattr[], name: string, action: string, path: string) {
  const x = list.find((a) => a.attrname === name);
  if (!x) throw pathError('ENODATA', action, path);
  return x.attrval;
}

const MISSING = virtualDirStat();

/**
 * lstat of each name in directory `path`. One readdir gives the inode numbers, so the
 * names are not looked up one by one (what makes virt-ls-style walks of huge directories
 * fast); names readdir does not list go through a normal lookup.
 */
function statChildren(layer: FsLayer, path: string, names: string[], action: string) {
  const dir = layer.paths.resolve(path, true, action);
  const byName = new Map<string, DirEntry>();
  if (dir.stat.type === 'directory' && names.length > 1)
    for (const e of layer.paths.readdir(dir, action, path)) byName.set(e.name, e);
  const out = names.map((n) => {
    const e = byName.get(n);
    if (!e) return statChild(layer, dir, n, action);
    try {
      return layer.paths.child(dir, e, action);
    } catch (err) {
      // One entry the driver cannot stat (damaged, or a kind it does not read) must not
      // hide the rest of the directory: it gets st_ino -1, as libguestfs specifies.
      if (isEngineError(err)) return undefined;
      throw err;
    }
  });
  layer.paths.remember(out);
  return out;
}

/** lstat of `name` inside the resolved directory `dir`; undefined when it is not there. */
function statChild(layer: FsLayer, dir: Location, name: string, action: string) {
  if (name === '' || name.includes('/') || dir.stat.type !== 'directory') return undefined;
  try {
    const p = name === '.' || name === '..' ? joinPath(dir.path, name) : undefined;
    if (p) return layer.paths.resolve(p, false, action);
    return layer.paths.lookup(joinPath(dir.path, name), action);
  } catch (e) {
    if (isEngineError(e) && (e.kind === 'ENOENT' || e.kind === 'ENOTDIR')) return undefined;
    throw e;
  }
}

export const FILE_ACTIONS = {
  is_file: isType('file', 'is_file'),
  is_dir: isType('directory', 'is_dir'),
  is_blockdev: isType('blockdev', 'is_blockdev'),
  is_chardev: isType('chardev', 'is_chardev'),
  is_fifo: isType('fifo', 'is_fifo'),
  is_socket: isType('socket', 'is_socket'),
  is_symlink(layer: FsLayer, path: string): boolean {
    return probeType(layer, path, false, 'is_symlink') === 'symlink';
  },

  /** access(F_OK) in the daemon: follows links and never reports an error. */
  exists(layer: FsLayer, path: string): boolean {
    try {
      layer.paths.resolve(path, true, 'exists');
      return true;
    } catch (e) {
      if (isEngineError(e) && (e.kind === 'ENOENT' || e.kind === 'ENOTDIR' || e.kind === 'ELOOP'))
        return false;
      throw e;
    }
  },

  /** Names in `directory`, sorted, without "." and "..". */
  ls(layer: FsLayer, directory: string): string[] {
    const loc = layer.paths.resolve(directory, true, 'ls');
    return layer.paths
      .readdir(loc, 'ls', directory)
      .map((e) => e.name)
      .sort(compareNames);
  },

  /** All entries, "." and ".." first, then in the filesystem's own order. */
  readdir(layer: FsLayer, dir: string): GuestfsDirent[] {
    const loc = layer.paths.resolve(dir, true, 'readdir');
    const entries = layer.paths.readdir(loc, 'readdir', dir);
    const parent = layer.paths.resolve(joinPath(loc.path, '..'), true, 'readdir');
    // ".." of a filesystem's root is the root itself on disk, which is what the kernel
    // returns for a mountpoint too.
    const dotdot = parent.mount === loc.mount ? parent.stat.ino : loc.stat.ino;
    return [
      { ino: loc.stat.ino, ftyp: 'd', name: '.' },
      { ino: dotdot, ftyp: 'd', name: '..' },
      ...entries.map((e) => ({ ino: e.ino, ftyp: ftyp(e.type), name: e.name })),
    ];
  },

  stat(layer: FsLayer, path: string): GuestfsStat {
    const loc = layer.paths.resolve(path, true, 'stat');
    return toStat(loc.stat, devOf(loc));
  },
  lstat(layer: FsLayer, path: string): GuestfsStat {
    const loc = layer.paths.resolve(path, false, 'lstat');
    return toStat(loc.stat, devOf(loc));
  },
  statns(layer: FsLayer, path: string): GuestfsStatns {
    const loc = layer.paths.resolve(path, true, 'statns');
    return toStatns(loc.stat, devOf(loc));
  },
  lstatns(layer: FsLayer, path: string): GuestfsStatns {
    const loc = layer.paths.resolve(path, false, 'lstatns');
    return toStatns(loc.stat, devOf(loc));
  },
  /** lstatns of each name in `path`; a name that cannot be lstat'd gets st_ino -1. */
  lstatnslist(layer: FsLayer, path: string, names: string[]): GuestfsStatns[] {
    return statChildren(layer, path, names, 'lstatnslist').map((l) =>
      l ? toStatns(l.stat, devOf(l)) : { ...toStatns(MISSING, 0), st_ino: -1 },
    );
  },
  lstatlist(layer: FsLayer, path: string, names: string[]): GuestfsStat[] {
    return statChildren(layer, path, names, 'lstatlist').map((l) =>
      l ? toStat(l.stat, devOf(l)) : { ...toStat(MISSING, 0), ino: -1 },
    );
  },
  filesize(layer: FsLayer, file: string): number {
    return layer.paths.resolve(file, true, 'filesize').stat.size;
  },

  read_file(layer: FsLayer, path: string): Uint8Array {
    return readWhole(layer, layer.paths.resolve(path, true, 'read_file'), 'read_file', path);
  },
  cat(layer: FsLayer, path: string): string {
    return cString(readWhole(layer, layer.paths.resolve(path, true, 'cat'), 'cat', path));
  },
  read_lines(layer: FsLayer, path: string): string[] {
    const loc = layer.paths.resolve(path, true, 'read_lines');
    return splitLines(readWhole(layer, loc, 'read_lines', path));
  },
  pread(layer: FsLayer, path: string, count: number, offset: number): Uint8Array {
    if (!Number.isSafeInteger(count) || count < 0)
      throw pathError('EINVAL', 'pread', path, 'count is negative or not an integer');
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw pathError('EINVAL', 'pread', path, 'offset is negative or not an integer');
    if (count > PREAD_MAX)
      throw pathError('EINVAL', 'pread', path, `count is larger than ${PREAD_MAX} bytes`);
    const loc = layer.paths.resolve(path, true, 'pread');
    requireRegular(loc, 'pread', path);
    if (offset >= loc.stat.size || count === 0) return new Uint8Array(0);
    return layer.paths.read(loc, offset, Math.min(count, loc.stat.size - offset), 'pread', path);
  },

  readlink(layer: FsLayer, path: string): string {
    const loc = layer.paths.resolve(path, false, 'readlink');
    return layer.paths.readlink(loc, 'readlink', path);
  },
  realpath(layer: FsLayer, path: string): string {
    return layer.paths.resolve(path, true, 'realpath').path;
  },

  statvfs(layer: FsLayer, path: string): GuestfsStatvfs {
    const loc = layer.paths.resolve(path, true, 'statvfs');
    if (!loc.mount)
      return {
        bsize: 4096,
        frsize: 4096,
        blocks: 0,
        bfree: 0,
        bavail: 0,
        files: 0,
        ffree: 0,
        favail: 0,
        fsid: 0,
        flag: 1,
        namemax: 255,
      };
    return { ...loc.mount.fs.statvfs() };
  },

  getxattrs(layer: FsLayer, path: string): GuestfsXattr[] {
    return xattrs(layer, layer.paths.resolve(path, true, 'getxattrs'), 'getxattrs', path);
  },
  lgetxattrs(layer: FsLayer, path: string): GuestfsXattr[] {
    return xattrs(layer, layer.paths.resolve(path, false, 'lgetxattrs'), 'lgetxattrs', path);
  },
  getxattr(layer: FsLayer, path: string, name: string): Uint8Array {
    const loc = layer.paths.resolve(path, true, 'getxattr');
    return oneXattr(xattrs(layer, loc, 'getxattr', path), name, 'getxattr', path);
  },
  lgetxattr(layer: FsLayer, path: string, name: string): Uint8Array {
    const loc = layer.paths.resolve(path, false, 'lgetxattr');
    return oneXattr(xattrs(layer, loc, 'lgetxattr', path), name, 'lgetxattr', path);
  },
};
