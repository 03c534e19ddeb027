// One filesystem crate instance bound to one device: the read_at import, linear-memory
// buffers, typed wrappers over the raw exports, and trap recovery. A WebAssembly trap
// (unreachable after a Rust panic, an out-of-bounds access, stack exhaustion) becomes an
// EngineError 'corrupt' naming the trap; the instance is discarded and the next call
// instantiates a fresh one and re-opens the filesystem, so one bad structure never takes
// the worker down.

import { EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import {
  ABI_VERSION,
  LAST_ERROR_SIZE,
  type RawFsExports,
  Status,
  decodeLastError,
  statusToError,
} from './abi.js';
import { type FileRun, MappedReader, fileMap } from './mapped-read.js';

/** Largest buffer handed to one fs_read call: big enough to amortise the call. */
export const READ_CHUNK = 4 << 20;
/** Buffer for small records (stat, info, names): one name is at most 255 bytes. */
const SCRATCH = 64 << 10;
/** Attribute values and symlink targets above this are refused before allocating. */
const MAX_VALUE = 1 << 20;
const READDIR_END = 0xffff_ffff_ffff_ffffn;
/** Bytes of one stat record (wasm/README.md "Records"). */
export const STAT_SIZE = 128;
/** Inode numbers per fs_stat_many call: the numbers and their records fit the scratch
 * buffer below the name area (384 × (4 + 128) bytes = 49.5 KiB). */
const STAT_BATCH = 384;

export interface RawDirEntry {
  ino: number;
  /** ext4-style type code: 1 file, 2 dir, 3 chr, 4 blk, 5 fifo, 6 sock, 7 symlink. */
  type: number;
  name: Uint8Array;
}

export interface Live {
  x: RawFsExports;
  handle: number;
  scratch: number;
  io: number;
  ioLen: number;
}

export class WasmFs {
  private live: Live | undefined;
  private pendingIo: unknown;
  private closed = false;
  /** Reads by device runs (fs_map) for this instance's device. */
  readonly mapped: MappedReader;
  /** Instances created so far (1 + traps recovered from); tests read it. */
  generation = 0;
  /** The module maps file ranges to device runs (fs_map) and stats in batches. */
  readonly canMap: boolean;
  readonly canStatMany: boolean;

  /** Opens the filesystem on `device`; throws what fs_open reports. */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly device: BlockSource,
    readonly driver: string,
  ) {
    const live = this.ensure();
    this.mapped = new MappedReader(this, device, driver);
    this.canMap = typeof live.x.fs_map === 'function';
    this.canStatMany = typeof live.x.fs_stat_many === 'function';
  }

  private instantiate(): RawFsExports {
    const imports = {
      env: { read_at: (offset: bigint, ptr: number, len: number) => this.readAt(offset, ptr, len) },
    };
    const instance = new WebAssembly.Instance(this.module, imports);
    const x = instance.exports as unknown as RawFsExports;
    if (x.fs_abi_version() !== ABI_VERSION) {
      throw new EngineError(
        'unsupported',
        `${this.driver}.wasm ABI ${x.fs_abi_version()} != ${ABI_VERSION}`,
        {
          feature: `${this.driver} module ABI version`,
        },
      );
    }
    return x;
  }

  /** The env.read_at import: never lets an exception unwind through Rust frames. */
  private readAt(offset: bigint, ptr: number, len: number): number {
    try {
      if (offset > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new EngineError('EINVAL', `${this.driver}: read offset ${offset} past 2^53`);
      }
      const data = this.device.readAt(Number(offset), len);
      new Uint8Array(this.live!.x.memory.buffer, ptr, len).set(data);
      return 0;
    } catch (e) {
      this.pendingIo = e;
      return 1;
    }
  }

  private ensure(): Live {
    if (this.closed) throw new EngineError('EINVAL', `${this.driver}: filesystem is closed`);
    if (this.live) return this.live;
    const x = this.instantiate();
    this.generation++;
    const scratch = x.fs_alloc(SCRATCH);
    if (!scratch) throw new EngineError('io', `${this.driver}: cannot allocate buffers`);
    const live: Live = { x, handle: 0, scratch, io: 0, ioLen: 0 };
    this.live = live;
    try {
      live.handle = this.invoke((l) => l.x.fs_open(BigInt(this.device.size)));
    } catch (e) {
      this.live = undefined;
      throw e;
    }
    return live;
  }

  /** Runs one export; statuses and traps become EngineErrors here and only here. */
  private invoke(fn: (l: Live) => bigint, path?: string): number {
    const live = this.live!;
    this.pendingIo = undefined;
    let r: bigint;
    try {
      r = fn(live);
    } catch (e) {
      this.live = undefined;
      if (e instanceof EngineError) throw e;
      const what = e instanceof Error ? e.message : String(e);
      throw new EngineError(
        'corrupt',
        `${this.driver}: WebAssembly trap (${what}); module re-created`,
        {
          structure: `${this.driver} WebAssembly trap: ${what}`,
          offset: 0,
          path,
        },
      );
    }
    if (r >= 0n) return Number(r);
    if (Number(r) === Status.IO && this.pendingIo !== undefined) {
      // The device's own error (e.g. a qcow2 'corrupt' below us) says more than "I/O".
      const e = this.pendingIo;
      this.pendingIo = undefined;
      throw e;
    }
    const rec = new Uint8Array(live.x.memory.buffer, live.x.fs_last_error(), LAST_ERROR_SIZE);
    throw statusToError(decodeLastError(rec.slice()), this.driver, path);
  }

  /** Calls an export with the open handle, re-creating the instance after a trap. */
  call(fn: (x: RawFsExports, handle: number, live: Live) => bigint, path?: string): number {
    this.ensure();
    return this.invoke((l) => fn(l.x, l.handle, l), path);
  }

  private mem(live: Live, ptr: number, len: number): Uint8Array {
    return new Uint8Array(live.x.memory.buffer, ptr, len);
  }

  /** A fixed-size record written by `fn` into the scratch buffer. */
  record(
    fn: (x: RawFsExports, h: number, out: number, len: number) => bigint,
    path?: string,
  ): Uint8Array {
    let out = new Uint8Array(0);
    this.call((x, h, l) => {
      const r = fn(x, h, l.scratch, SCRATCH);
      if (r >= 0n) out = this.mem(l, l.scratch, Number(r)).slice();
      return r;
    }, path);
    return out;
  }

  /** Writes `name` into scratch (after the first 1 KiB) and passes its pointer/length. */
  withName(live: Live, name: Uint8Array): [number, number] {
    if (name.length > 4096) throw new EngineError('EINVAL', `${this.driver}: name too long`);
    const at = live.scratch + SCRATCH - 4096;
    this.mem(live, at, name.length).set(name);
    return [at, name.length];
  }

  info(): Uint8Array {
    return this.record((x, h, o, n) => x.fs_info(h, o, n));
  }

  stat(ino: number, path?: string): Uint8Array {
    return this.record((x, h, o, n) => x.fs_stat(h, ino, o, n), path);
  }

  statvfs(): Uint8Array {
    return this.record((x, h, o, n) => x.fs_statvfs(h, o, n));
  }

  lookup(dir: number, name: Uint8Array, path?: string): number {
    return this.call((x, h, l) => {
      const [p, n] = this.withName(l, name);
      return x.fs_lookup(h, dir, p, n);
    }, path);
  }

  /** One batch from `cookie`; `next` is undefined once the directory is exhausted. */
  readdir(dir: number, cookie: bigint, path?: string): { entries: RawDirEntry[]; next?: bigint } {
    let bytes = new Uint8Array(0);
    this.call((x, h, l) => {
      const r = x.fs_readdir(h, dir, cookie, l.scratch, SCRATCH - 4096);
      if (r >= 0n) bytes = this.mem(l, l.scratch, Number(r)).slice();
      return r;
    }, path);
    const dv = new DataView(bytes.buffer);
    const next = dv.getBigUint64(0, true);
    const count = dv.getUint32(8, true);
    const entries: RawDirEntry[] = [];
    let pos = 16;
    for (let i = 0; i < count; i++) {
      const nameLen = dv.getUint16(pos + 10, true);
      entries.push({
        ino: Number(dv.getBigUint64(pos, true)),
        type: bytes[pos + 8]!,
        name: bytes.subarray(pos + 12, pos + 12 + nameLen),
      });
      pos += 12 + nameLen;
    }
    return { entries, next: next === READDIR_END ? undefined : next };
  }

  private ioBuffer(live: Live, len: number): number {
    if (live.ioLen < len) {
      if (live.io) live.x.fs_free(live.io, live.ioLen);
      live.io = live.x.fs_alloc(len);
      live.ioLen = live.io ? len : 0;
      if (!live.io) throw new EngineError('io', `${this.driver}: cannot allocate ${len} bytes`);
    }
    return live.io;
  }

  /** Up to `length` bytes of inode `ino` at `offset` (shorter only at end of file). */
  read(ino: number, offset: number, length: number, path?: string): Uint8Array {
    const fallback = (at: number, dst: Uint8Array) => this.readViaModule(ino, at, dst, path);
    if (!this.canMap) {
      const out = new Uint8Array(length);
      const n = fallback(offset, out);
      return n === length ? out : out.slice(0, n);
    }
    return this.mapped.read(offset, length, fileMap(ino), fallback, path);
  }

  /** Bytes of inode `ino` from `offset` into all of `dst` (less only at end of file);
   * returns how many. The buffer is the caller's to reuse: nothing is allocated per call. */
  readInto(ino: number, offset: number, dst: Uint8Array, path?: string): number {
    const fallback = (at: number, part: Uint8Array) => this.readViaModule(ino, at, part, path);
    if (!this.canMap) return fallback(offset, dst);
    return this.mapped.readInto(offset, dst, fileMap(ino), fallback, path);
  }

  /** The runs behind bytes `[offset, offset + length)` of file `ino` (clipped to its size):
   * for tools that show where a file lies, and tests. */
  mapFile(ino: number, offset: number, length: number, path?: string): FileRun[] {
    if (!this.canMap)
      throw new EngineError('unsupported', `${this.driver}.wasm has no fs_map`, {
        feature: `${this.driver} module without fs_map`,
      });
    return this.mapped.runs(offset, length, fileMap(ino), path);
  }

  /** The module's own read (fs_read), READ_CHUNK at a time, into `dst`. */
  private readViaModule(ino: number, offset: number, dst: Uint8Array, path?: string): number {
    let done = 0;
    while (done < dst.length) {
      const want = Math.min(READ_CHUNK, dst.length - done);
      let got = 0;
      this.call((x, h, l) => {
        const buf = this.ioBuffer(l, want);
        const r = x.fs_read(h, ino, BigInt(offset + done), buf, want);
        if (r > 0n) dst.set(this.mem(l, buf, Number(r)), done);
        got = Number(r);
        return r;
      }, path);
      done += got;
      if (got < want) break;
    }
    return done;
  }

  /**
   * Stat records (STAT_SIZE bytes each, in the order given) of `inos`, in batches through
   * fs_stat_many. A record the crate could not produce is zeroed (its inode number reads
   * 0): stat that one alone to get its error.
   */
  statMany(inos: Uint32Array, path?: string): Uint8Array {
    const out = new Uint8Array(inos.length * STAT_SIZE);
    for (let i = 0; i < inos.length; i += STAT_BATCH) {
      const part = inos.subarray(i, i + STAT_BATCH);
      this.call((x, h, l) => {
        const at = l.scratch + part.length * STAT_SIZE;
        const dv = new DataView(x.memory.buffer, at, part.length * 4);
        for (let k = 0; k < part.length; k++) dv.setUint32(k * 4, part[k]!, true);
        const r = x.fs_stat_many!(h, at, part.length, l.scratch, part.length * STAT_SIZE);
        if (r >= 0n) out.set(this.mem(l, l.scratch, Number(r) * STAT_SIZE), i * STAT_SIZE);
        return r;
      }, path);
    }
    return out;
  }

  /** Calls an export that reports its full length and writes only when the buffer fits. */
  private sized(
    fn: (x: RawFsExports, h: number, out: number, len: number, l: Live) => bigint,
    path?: string,
  ): Uint8Array {
    let len = SCRATCH - 4096;
    for (;;) {
      let bytes: Uint8Array | undefined;
      let need = 0;
      this.call((x, h, l) => {
        const buf = len <= SCRATCH - 4096 ? l.scratch : this.ioBuffer(l, len);
        const r = fn(x, h, buf, len, l);
        need = Number(r);
        if (r >= 0n && need <= len) bytes = this.mem(l, buf, need).slice();
        return r;
      }, path);
      if (bytes) return bytes;
      if (need > MAX_VALUE)
        throw new EngineError('corrupt', `${this.driver}: value of ${need} bytes`, {
          structure: `${this.driver} value`,
          offset: 0,
        });
      len = need;
    }
  }

  readlink(ino: number, path?: string): Uint8Array {
    return this.sized((x, h, o, n) => x.fs_readlink(h, ino, o, n), path);
  }

  listxattr(ino: number, path?: string): Uint8Array {
    return this.sized((x, h, o, n) => x.fs_listxattr(h, ino, o, n), path);
  }

  getxattr(ino: number, name: Uint8Array, path?: string): Uint8Array {
    return this.sized((x, h, o, n, l) => {
      const [p, len] = this.withName(l, name);
      return x.fs_getxattr(h, ino, p, len, o, n);
    }, path);
  }

  /** The raw exports of the live instance, for tests that feed the ABI garbage. */
  rawCall(fn: (x: RawFsExports, handle: number) => bigint): number {
    return this.call((x, h) => fn(x, h));
  }

  close(): void {
    if (this.live && !this.closed) {
      try {
        this.live.x.fs_close(this.live.handle);
      } catch {
        // a trapped instance is dropped anyway
      }
    }
    this.live = undefined;
    this.closed = true;
  }
}
