// An ext2/3/4 filesystem mounted through the ext4 WebAssembly module: resolves paths one
// component at a time with fs_lookup (no symlink following: the Guestfs layer resolves
// links itself) and decodes the crate's records into the FileSystem types.

import { EngineError, errno } from '../../errors.js';
import type { DirEntry, FileSystem, Stat, StatVfs, Xattr } from '../types.js';
import { ListingStats } from '../wasm/listing-stats.js';
import type { WasmFs } from '../wasm/wasm-fs.js';
import { type Ext4Info, decodeDirEntry, decodeInfo, decodeStat, decodeStatVfs } from './records.js';

export const ROOT_INO = 2;
/** Resolved directories remembered per mount: a walk of a large tree resolves each
 * parent once, and 4096 entries cost well under a MiB. */
const DIR_CACHE_MAX = 4096;
const S_IFMT = 0xf000;
const S_IFDIR = 0x4000;

const encoder = new TextEncoder();

export class Ext4FileSystem implements FileSystem {
  readonly type: string;
  readonly caseInsensitive = false;
  private readonly dirs = new Map<string, number>();
  private cachedInfo: Ext4Info;
  private readonly listing: ListingStats;

  /** The module instance (tests drive the raw ABI through it). */
  constructor(readonly wasm: WasmFs) {
    this.listing = new ListingStats(wasm);
    this.cachedInfo = decodeInfo(wasm.info());
    this.type = this.cachedInfo.type;
  }

  /** Superblock summary: label, UUID, features, needs_recovery, casefold … */
  info(): Ext4Info {
    return this.cachedInfo;
  }

  /** Inode number of `path` (not following a final symlink). */
  resolve(path: string): number {
    const parts = splitPath(path);
    let ino = ROOT_INO;
    let here = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const next = `${here}/${name}`;
      const cached = this.dirs.get(next);
      if (cached !== undefined) {
        ino = cached;
      } else {
        ino = this.wasm.lookup(ino, encoder.encode(name), path);
        if (i < parts.length - 1) this.rememberDir(next, ino, path);
      }
      here = next;
    }
    return ino;
  }

  /** Intermediate components must be directories (a symlink there is ENOTDIR here). */
  private rememberDir(dirPath: string, ino: number, path: string): void {
    const st = decodeStat(this.wasm.stat(ino, path));
    if ((st.mode & S_IFMT) !== S_IFDIR) throw errno('ENOTDIR', path, 'Not a directory');
    if (this.dirs.size >= DIR_CACHE_MAX) this.dirs.clear();
    this.dirs.set(dirPath, ino);
  }

  lstat(path: string): Stat {
    return this.statInode(this.resolve(path), path);
  }

  /** Entries of the last listing are stat-ed together on the first ask (listing-stats.ts). */
  statInode(ino: number, path?: string): Stat {
    return decodeStat(this.listing.record(ino) ?? this.wasm.stat(ino, path));
  }

  readdir(path: string): DirEntry[] {
    const ino = this.resolve(path);
    const out: DirEntry[] = [];
    let cookie: bigint | undefined = 0n;
    while (cookie !== undefined) {
      const batch: ReturnType<WasmFs['readdir']> = this.wasm.readdir(ino, cookie, path);
      for (const e of batch.entries) out.push(decodeDirEntry(e));
      cookie = batch.next;
    }
    this.listing.listed(out);
    return out;
  }

  read(path: string, offset: number, length: number): Uint8Array {
    checkRange(path, offset, length);
    return this.wasm.read(this.resolve(path), offset, length, path);
  }

  /** Reads by inode number (libguestfs' inode-based calls, the corpus tests). */
  readInode(ino: number, offset: number, length: number): Uint8Array {
    checkRange(`inode ${ino}`, offset, length);
    return this.wasm.read(ino, offset, length);
  }

  /** Reads into the caller's buffer (all of it unless the file ends first); returns the
   * bytes read. Bulk readers reuse one buffer: nothing is allocated per call. */
  readInto(path: string, offset: number, dst: Uint8Array): number {
    checkRange(path, offset, dst.length);
    return this.wasm.readInto(this.resolve(path), offset, dst, path);
  }

  readInodeInto(ino: number, offset: number, dst: Uint8Array): number {
    checkRange(`inode ${ino}`, offset, dst.length);
    return this.wasm.readInto(ino, offset, dst);
  }

  readlink(path: string): string {
    return new TextDecoder().decode(this.wasm.readlink(this.resolve(path), path));
  }

  statvfs(): StatVfs {
    return decodeStatVfs(this.wasm.statvfs());
  }

  listxattrs(path: string): Xattr[] {
    const ino = this.resolve(path);
    const list = this.wasm.listxattr(ino, path);
    const out: Xattr[] = [];
    let start = 0;
    for (let i = 0; i < list.length; i++) {
      if (list[i] !== 0) continue;
      const raw = list.subarray(start, i);
      start = i + 1;
      out.push({ name: new TextDecoder().decode(raw), value: this.wasm.getxattr(ino, raw, path) });
    }
    return out;
  }

  close(): void {
    this.wasm.close();
    this.dirs.clear();
    this.listing.clear();
  }
}

function splitPath(path: string): string[] {
  if (!path.startsWith('/')) throw errno('EINVAL', path, 'path must be absolute');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw errno('EINVAL', path, '".." is resolved by the caller');
  return parts;
}

function checkRange(path: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new EngineError('EINVAL', `${path}: bad range ${offset}+${length}`, { path });
  }
}
