// An NTFS volume mounted through the ntfs WebAssembly module. Paths resolve one component
// at a time with fs_lookup (exact name first, else case-insensitive through the volume's
// $UpCase); symlinks are not followed here (the Guestfs layer resolves them). A final
// component "name:stream" (or "name:stream:$DATA") names an alternate data stream, as
// ntfs-3g's streams_interface=windows spells it.

import { EngineError, errno } from '../../errors.js';
import type { DirEntry, FileSystem, StatVfs, Xattr } from '../types.js';
import { ListingStats } from '../wasm/listing-stats.js';
import type { WasmFs } from '../wasm/wasm-fs.js';
import {
  type NtfsInfo,
  type NtfsStat,
  type NtfsStream,
  decodeDirEntry,
  decodeInfo,
  decodeStat,
  decodeStatVfs,
  decodeStreams,
} from './records.js';
import { readStream, readStreamInto, streamList } from './streams.js';
import { PathResolver, checkRange } from '../wasm/paths.js';

/** The root directory's MFT record. */
export const ROOT_INO = 5;
/** Resolved directories remembered per mount (a tree walk resolves each parent once). */
const S_IFMT = 0xf000;
const S_IFDIR = 0x4000;

const encoder = new TextEncoder();

interface Target {
  file: string;
  /** Stream name; undefined for the unnamed data. */
  stream?: string;
}

export class NtfsFileSystem implements FileSystem {
  readonly type = 'ntfs';
  readonly caseInsensitive = true;
  private readonly paths: PathResolver;
  private cachedInfo: NtfsInfo | undefined;
  private readonly listing: ListingStats;

  /** The module instance (tests drive the raw ABI through it). Mounting has read the boot
   * sector, $MFT and the root directory; $Volume is read when `info` is first asked. */
  constructor(readonly wasm: WasmFs) {
    this.listing = new ListingStats(wasm);
    this.paths = new PathResolver(
      ROOT_INO,
      (dir, name, path) => wasm.lookup(dir, name, path),
      (ino, path) => (decodeStat(wasm.stat(ino, path)).mode & S_IFMT) === S_IFDIR,
    );
  }

  /** Boot sector and $Volume summary: label, serial, version, geometry. */
  info(): NtfsInfo {
    this.cachedInfo ??= decodeInfo(this.wasm.info());
    return this.cachedInfo;
  }

  /** MFT record number of `path` (not following a final symlink). */
  resolve(path: string): number {
    return this.paths.resolve(path);
  }

  /** Splits "dir/name:stream[:$DATA]"; a name that exists with its colon wins. */
  private target(path: string): Target {
    const slash = path.lastIndexOf('/');
    const last = path.slice(slash + 1);
    const colon = last.indexOf(':');
    if (colon < 0) return { file: path };
    try {
      this.resolve(path);
      return { file: path };
    } catch (e) {
      if (!(e instanceof EngineError) || e.kind !== 'ENOENT') throw e;
    }
    let stream = last.slice(colon + 1);
    if (stream.toUpperCase().endsWith(':$DATA')) stream = stream.slice(0, -':$DATA'.length);
    const file = path.slice(0, slash + 1) + last.slice(0, colon);
    return stream === '' ? { file } : { file, stream };
  }

  lstat(path: string): NtfsStat {
    const t = this.target(path);
    const st = this.statInode(this.resolve(t.file), path);
    if (t.stream === undefined) return st;
    const s = this.findStream(t.file, t.stream, path);
    return {
      ...st,
      type: 'file',
      mode: (st.mode & ~S_IFMT) | 0x8000,
      size: s.size,
      blocks: Math.ceil(s.size / 512),
    };
  }

  /** Entries of the last listing are stat-ed together on the first ask (listing-stats.ts). */
  statInode(ino: number, path?: string): NtfsStat {
    return decodeStat(this.listing.record(ino) ?? this.wasm.stat(ino, path));
  }

  readdir(path: string): DirEntry[] {
    return this.readdirInode(this.resolve(path), path);
  }

  /** Entries of directory record `ino`, in the index's collation order. */
  readdirInode(ino: number, path?: string): DirEntry[] {
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
    const t = this.target(path);
    const ino = this.resolve(t.file);
    if (t.stream === undefined) return this.wasm.read(ino, offset, length, path);
    return readStream(this.wasm, ino, encoder.encode(t.stream), offset, length, path);
  }

  /** Reads by MFT record number (libguestfs' inode-based calls, corpus tests). */
  readInode(ino: number, offset: number, length: number): Uint8Array {
    checkRange(`inode ${ino}`, offset, length);
    return this.wasm.read(ino, offset, length);
  }

  /** Reads into the caller's buffer (all of it unless the data ends first); returns the
   * bytes read. "name:stream" paths read that stream, as `read` does. */
  readInto(path: string, offset: number, dst: Uint8Array): number {
    checkRange(path, offset, dst.length);
    const t = this.target(path);
    const ino = this.resolve(t.file);
    if (t.stream === undefined) return this.wasm.readInto(ino, offset, dst, path);
    return readStreamInto(this.wasm, ino, encoder.encode(t.stream), offset, dst, path);
  }

  readInodeInto(ino: number, offset: number, dst: Uint8Array): number {
    checkRange(`inode ${ino}`, offset, dst.length);
    return this.wasm.readInto(ino, offset, dst);
  }

  /** The target as ntfs-3g's readlink shows it for a volume mounted at "/". */
  readlink(path: string): string {
    return new TextDecoder().decode(this.wasm.readlink(this.resolve(path), path));
  }

  statvfs(): StatVfs {
    return decodeStatVfs(this.wasm.statvfs());
  }

  /** NTFS has no POSIX extended attributes; alternate data streams are in `streams`. */
  listxattrs(path: string): Xattr[] {
    this.resolve(path);
    return [];
  }

  /** Alternate data streams (named $DATA attributes) of `path`. */
  streams(path: string): NtfsStream[] {
    return this.streamsInode(this.resolve(path), path);
  }

  streamsInode(ino: number, path?: string): NtfsStream[] {
    return decodeStreams(streamList(this.wasm, ino, path));
  }

  private findStream(file: string, name: string, path: string): NtfsStream {
    const s = this.streams(file).find((x) => x.name === name);
    if (!s) throw errno('ENOENT', path, 'No such stream');
    return s;
  }

  close(): void {
    this.wasm.close();
    this.paths.clear();
    this.listing.clear();
  }
}
