// One directory as the filesystem pane lists it: the names from one readdir and their
// lstat from one lstatnslist (one readdir plus a stat by inode number per entry — a
// lookup by name costs ~1 ms in a 100,000-entry ext4 directory, a stat by inode a few µs),
// kept in the worker and sorted there, so the page fetches any page in any order without
// holding the directory itself. Symlink targets are read only for the pages asked for.
// Reference: guestfs(3) guestfs_readdir, guestfs_lstatnslist, guestfs_readlink.

import { EngineError, isEngineError } from '../engine/errors.js';
import { compareNames } from '../engine/guestfs/file-actions.js';
import type { GuestfsStatns } from '../engine/guestfs/structs.js';
import type { FileType } from '../engine/fs/types.js';

/** The handle calls a listing needs (a Guestfs with one filesystem mounted on /). */
export interface ListingHandle {
  realpath(path: string): string;
  readdir(dir: string): { ino: number; ftyp: string; name: string }[];
  lstatnslist(path: string, names: string[]): GuestfsStatns[];
  readlink(path: string): string;
}

export type SortKey = 'name' | 'size' | 'mtime';

export interface SortOrder {
  key: SortKey;
  descending?: boolean;
}

/** One row of the listing: what `ls -l` shows, plus the inode. */
export interface FsEntry {
  name: string;
  type: FileType;
  size: number;
  /** Full st_mode (type bits and permissions). */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  ino: number;
  mtimeSec: number;
  mtimeNsec: number;
  /** Symlinks: where they point (read for the pages asked for). */
  target?: string;
  /** The entry could not be read (damaged or a kind the driver does not read). */
  error?: string;
}

export interface DirPage {
  /** Canonical path of the directory (symlinks resolved). */
  path: string;
  total: number;
  offset: number;
  entries: FsEntry[];
}

/** Entries in one listDir answer: a few screens of rows; larger requests are clamped. */
export const MAX_PAGE = 2000;

const S_IFMT = 0o170000;
const TYPE_BY_MODE: Record<number, FileType> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'symlink',
  0o020000: 'chardev',
  0o060000: 'blockdev',
  0o010000: 'fifo',
  0o140000: 'socket',
};
const TYPE_BY_FTYP: Record<string, FileType> = {
  r: 'file',
  d: 'directory',
  l: 'symlink',
  c: 'chardev',
  b: 'blockdev',
  f: 'fifo',
  s: 'socket',
};

export function typeOfMode(mode: number): FileType {
  return TYPE_BY_MODE[mode & S_IFMT] ?? 'unknown';
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function entryOf(name: string, ftyp: string, st: GuestfsStatns): FsEntry {
  if (st.st_ino === -1) {
    // lstatnslist's marker for an entry it could not stat: keep the name and readdir's type.
    return {
      name,
      type: TYPE_BY_FTYP[ftyp] ?? 'unknown',
      size: 0,
      mode: 0,
      uid: 0,
      gid: 0,
      nlink: 0,
      ino: -1,
      mtimeSec: 0,
      mtimeNsec: 0,
      error: 'this entry could not be read',
    };
  }
  return {
    name,
    type: typeOfMode(st.st_mode),
    size: st.st_size,
    mode: st.st_mode,
    uid: st.st_uid,
    gid: st.st_gid,
    nlink: st.st_nlink,
    ino: st.st_ino,
    mtimeSec: st.st_mtime_sec,
    mtimeNsec: st.st_mtime_nsec,
  };
}

function comparator(entries: FsEntry[], key: SortKey): (a: number, b: number) => number {
  const byName = (a: number, b: number) => compareNames(entries[a]!.name, entries[b]!.name);
  if (key === 'size') return (a, b) => entries[a]!.size - entries[b]!.size || byName(a, b);
  if (key === 'mtime')
    return (a, b) =>
      entries[a]!.mtimeSec - entries[b]!.mtimeSec ||
      entries[a]!.mtimeNsec - entries[b]!.mtimeNsec ||
      byName(a, b);
  return byName;
}

export class DirListing {
  /** Entry indices per sort order ("size", "size-desc" …); name order is the entries'. */
  private readonly orders = new Map<string, Int32Array>();

  private constructor(
    readonly path: string,
    readonly entries: FsEntry[],
  ) {}

  /** Reads directory `path` (following symlinks) through `h`. */
  static read(h: ListingHandle, path: string): DirListing {
    const real = h.realpath(path);
    const dirents = h.readdir(real).filter((d) => d.name !== '.' && d.name !== '..');
    dirents.sort((a, b) => compareNames(a.name, b.name));
    const names = dirents.map((d) => d.name);
    const stats = names.length === 0 ? [] : h.lstatnslist(real, names);
    if (stats.length !== names.length)
      throw new EngineError('io', `lstatnslist answered ${stats.length} of ${names.length} names`);
    return new DirListing(
      real,
      dirents.map((d, i) => entryOf(d.name, d.ftyp, stats[i]!)),
    );
  }

  get size(): number {
    return this.entries.length;
  }

  /** Names of the subdirectories, in name order (the tree's children). */
  subdirs(): string[] {
    return this.entries.filter((e) => e.type === 'directory').map((e) => e.name);
  }

  private order(sort: SortOrder): Int32Array | undefined {
    if (sort.key === 'name' && !sort.descending) return undefined;
    const id = `${sort.key}${sort.descending ? '-desc' : ''}`;
    let o = this.orders.get(id);
    if (!o) {
      const idx = Array.from(this.entries, (_, i) => i).sort(comparator(this.entries, sort.key));
      if (sort.descending) idx.reverse();
      o = Int32Array.from(idx);
      this.orders.set(id, o);
    }
    return o;
  }

  /** Entries [offset, offset + limit) in `sort` order, symlink targets filled in. */
  page(h: ListingHandle, offset: number, limit: number, sort: SortOrder): DirPage {
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new EngineError('EINVAL', `listDir: bad offset ${offset}`);
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new EngineError('EINVAL', `listDir: bad limit ${limit}`);
    const order = this.order(sort);
    const end = Math.min(this.entries.length, offset + Math.min(limit, MAX_PAGE));
    const out: FsEntry[] = [];
    for (let i = offset; i < end; i++) {
      const e = this.entries[order ? order[i]! : i]!;
      if (e.type === 'symlink' && e.target === undefined && e.error === undefined)
        this.readTarget(h, e);
      out.push({ ...e });
    }
    return { path: this.path, total: this.entries.length, offset, entries: out };
  }

  private readTarget(h: ListingHandle, e: FsEntry): void {
    try {
      e.target = h.readlink(joinPath(this.path, e.name));
    } catch (err) {
      // One unreadable link must not hide the rest of the page.
      if (!isEngineError(err)) throw err;
      e.error = err.message;
    }
  }
}

/**
 * Directory listings of one filesystem, least recently used dropped first. The bound is on
 * entries held (each ~150 bytes): a few huge directories or many small ones.
 */
export const LISTING_CACHE_ENTRIES = 400_000;

export class ListingCache {
  private readonly byPath = new Map<string, DirListing>();
  private held = 0;

  get(h: ListingHandle, path: string): DirListing {
    const hit = this.byPath.get(path);
    if (hit) {
      this.byPath.delete(path);
      this.byPath.set(path, hit);
      return hit;
    }
    const listing = DirListing.read(h, path);
    this.byPath.set(path, listing);
    if (listing.path !== path) this.byPath.set(listing.path, listing);
    this.held += listing.size;
    this.evict();
    return listing;
  }

  private evict(): void {
    for (const [key, l] of this.byPath) {
      if (this.held <= LISTING_CACHE_ENTRIES || this.byPath.size <= 1) return;
      this.byPath.delete(key);
      // A listing may be held under its link path and its real path: count it once.
      if (![...this.byPath.values()].includes(l)) this.held -= l.size;
    }
  }
}
