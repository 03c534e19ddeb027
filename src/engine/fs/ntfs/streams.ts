// The two exports only the NTFS crate has (alternate data streams), called through the
// generic adapter's `call` so that status codes, traps and module re-creation are handled
// in the one place that handles them for every crate. Buffers are allocated per call in
// the live instance: after a trap the next call runs in a fresh one.

import { EngineError } from '../../errors.js';
import type { RawFsExports } from '../wasm/abi.js';
import type { MapFn } from '../wasm/mapped-read.js';
import { READ_CHUNK, type WasmFs } from '../wasm/wasm-fs.js';

/** The NTFS crate's exports beyond fsabi's common set (wasm/ntfs/src/exports.rs). */
export interface NtfsExports extends RawFsExports {
  ntfs_streams(handle: number, ino: number, out: number, len: number): bigint;
  ntfs_read_stream(
    handle: number,
    ino: number,
    name: number,
    nameLen: number,
    offset: bigint,
    out: number,
    len: number,
  ): bigint;
  ntfs_map_stream(
    handle: number,
    ino: number,
    name: number,
    nameLen: number,
    offset: bigint,
    length: bigint,
    out: number,
    len: number,
  ): bigint;
}

/** A stream list longer than this (about 10,000 names) is refused before allocating. */
const MAX_STREAM_LIST = 1 << 20;

/** Runs `fn` with `len` bytes of module memory, freed afterwards. */
function withBuffer<T>(x: RawFsExports, len: number, fn: (ptr: number) => T): T {
  const ptr = x.fs_alloc(len);
  if (!ptr) throw new EngineError('io', `ntfs: cannot allocate ${len} bytes in the module`);
  try {
    return fn(ptr);
  } finally {
    x.fs_free(ptr, len);
  }
}

/** The stream list record of file `ino` (ops::streams). */
export function streamList(wasm: WasmFs, ino: number, path?: string): Uint8Array {
  let len = 4096;
  for (;;) {
    let bytes: Uint8Array | undefined;
    let need = 0;
    wasm.call(
      (x, h) =>
        withBuffer(x, len, (buf) => {
          const r = (x as NtfsExports).ntfs_streams(h, ino, buf, len);
          need = Number(r);
          if (r >= 0n && need <= len) bytes = new Uint8Array(x.memory.buffer, buf, need).slice();
          return r;
        }),
      path,
    );
    if (bytes) return bytes;
    if (need > MAX_STREAM_LIST) {
      throw new EngineError('corrupt', `ntfs: stream list of ${need} bytes`, {
        structure: 'NTFS stream list',
        offset: 0,
        path,
      });
    }
    len = need;
  }
}

/** Up to `length` bytes of stream `name` of file `ino` at `offset` (short at its end). */
export function readStream(
  wasm: WasmFs,
  ino: number,
  name: Uint8Array,
  offset: number,
  length: number,
  path?: string,
): Uint8Array {
  const fallback = (at: number, dst: Uint8Array) => readViaModule(wasm, ino, name, at, dst, path);
  if (!wasm.canMap) {
    const out = new Uint8Array(length);
    const n = fallback(offset, out);
    return n === length ? out : out.slice(0, n);
  }
  return wasm.mapped.read(offset, length, streamMap(wasm, ino, name), fallback, path);
}

/** Stream bytes into the caller's buffer (all of it unless the stream ends); the count. */
export function readStreamInto(
  wasm: WasmFs,
  ino: number,
  name: Uint8Array,
  offset: number,
  dst: Uint8Array,
  path?: string,
): number {
  const fallback = (at: number, part: Uint8Array) => readViaModule(wasm, ino, name, at, part, path);
  if (!wasm.canMap) return fallback(offset, dst);
  return wasm.mapped.readInto(offset, dst, streamMap(wasm, ino, name), fallback, path);
}

/** ntfs_map_stream for stream `name`, the name passed in the scratch buffer's name area. */
function streamMap(wasm: WasmFs, ino: number, name: Uint8Array): MapFn {
  return (x, h, off, len, out, outLen, live) => {
    const [p, n] = wasm.withName(live, name);
    return (x as NtfsExports).ntfs_map_stream(h, ino, p, n, off, len, out, outLen);
  };
}

/** The module's own read of the stream (ntfs_read_stream), READ_CHUNK at a time. */
function readViaModule(
  wasm: WasmFs,
  ino: number,
  name: Uint8Array,
  offset: number,
  dst: Uint8Array,
  path?: string,
): number {
  let done = 0;
  while (done < dst.length) {
    const want = Math.min(READ_CHUNK, dst.length - done);
    let got = 0;
    wasm.call(
      (x, h) =>
        withBuffer(x, want + name.length, (buf) => {
          const namePtr = buf + want;
          new Uint8Array(x.memory.buffer, namePtr, name.length).set(name);
          const r = (x as NtfsExports).ntfs_read_stream(
            h,
            ino,
            namePtr,
            name.length,
            BigInt(offset + done),
            buf,
            want,
          );
          if (r > 0n) dst.set(new Uint8Array(x.memory.buffer, buf, Number(r)), done);
          got = Number(r);
          return r;
        }),
      path,
    );
    done += got;
    if (got < want) break;
  }
  return done;
}
