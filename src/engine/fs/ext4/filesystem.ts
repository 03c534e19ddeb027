// An ext2/3/4 filesystem mounted through the ext4 WebAssembly module: resolves paths one
// component at a time with fs_lookup (no symlink following: the Guestfs layer resolves
// links itself) and decodes the crate's records into the FileSystem types.

import type { DirEntry, FileSystem, Stat, StatVfs, Xattr } from '../types.js';
import { ListingStats } from '../wasm/listing-stats.js';
import type { WasmFs } from '../wasm/wasm-fs.js';
import { type Ext4Info, decodeDirEntry, decodeInfo, decodeStat, decodeStatVfs } from './records.js';
import { PathResolver, checkRange } from '../wasm/paths.js';

export const ROOT_INO = 2;
const S_IFMT = 0xf000;
const S_IFDIR = 0x4000;

export class Ext4FileSystem implements FileSystem {
  readonly type: string;
  readonly caseInsensitive = false;
  private readonly paths: PathResolver;
  private cachedInfo: Ext4Info;
  private readonly listing: ListingStats;

  /** The module instance (tests drive the raw ABI through it). */
  constructor(readonly wasm: WasmFs) {
    this.listing = new ListingStats(wasm);
    this.paths = new PathResolver(
      ROOT_INO,
      (dir, name, path) => wasm.lookup(dir, name, path),
      (ino, path) => (decodeStat(wasm.stat(ino, path)).mode & S_IFMT) === S_IFDIR,
    );
    this.cachedInfo = decodeInfo(wasm.info());
    this.type = this.cachedInfo.type;
  }

  /** Superblock summary: label, UUID, features, needs_recovery, casefold … */
  info(): Ext4Info {
    return this.cachedInfo;
  }

  /** Inode number of `path` (not following a final symlink). */
  resolve(path: string): number {
    return this.paths.resolve(path);
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
    this.paths.clear();
    this.listing.clear();
  }
}
