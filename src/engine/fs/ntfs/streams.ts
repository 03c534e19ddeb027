// The two exports only the NTFS crate has (alternate data streams), called through the
// generic adapter's `call` so that status codes, traps and module re-creation are handled
// in the one place that handles them for every crate. Buffers are allocated per call in
// the live instance: after a trap the next call runs in a fresh one.

import { EngineError } from '../../errors.js';
import type { RawFsExports } from '../wasm/abi.js';
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
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const want = Math.min(READ_CHUNK, length - done);
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
          if (r > 0n) out.set(new Uint8Array(x.memory.buffer, buf, Number(r)), done);
          got = Number(r);
          return r;
        }),
      path,
    );
    done += got;
    if (got < want) break;
  }
  return done === length ? out : out.slice(0, done);
}
