// The C ABI of the filesystem crates in wasm/ (wasm/README.md): the raw exports, the
// status codes, the last-error record, and the ONE place that turns a status into an
// EngineError (STYLE.md #9).

import { EngineError, type ErrorKind } from '../../errors.js';

/** Exports every crate built on wasm/fsabi provides. Values are i64: negative = status. */
export interface RawFsExports {
  readonly memory: WebAssembly.Memory;
  fs_abi_version(): number;
  fs_alloc(len: number): number;
  fs_free(ptr: number, len: number): void;
  fs_last_error(): number;
  fs_open(deviceSize: bigint): bigint;
  fs_close(handle: number): bigint;
  fs_info(handle: number, out: number, len: number): bigint;
  fs_stat(handle: number, ino: number, out: number, len: number): bigint;
  fs_lookup(handle: number, dir: number, name: number, nameLen: number): bigint;
  fs_readdir(handle: number, dir: number, cookie: bigint, out: number, len: number): bigint;
  fs_read(handle: number, ino: number, offset: bigint, out: number, len: number): bigint;
  fs_readlink(handle: number, ino: number, out: number, len: number): bigint;
  fs_statvfs(handle: number, out: number, len: number): bigint;
  fs_listxattr(handle: number, ino: number, out: number, len: number): bigint;
  fs_getxattr(
    handle: number,
    ino: number,
    name: number,
    nameLen: number,
    out: number,
    len: number,
  ): bigint;
  /** Device runs of a file's bytes (wasm/fsabi/src/map.rs); absent from older builds. */
  fs_map?(
    handle: number,
    ino: number,
    offset: bigint,
    length: bigint,
    out: number,
    len: number,
  ): bigint;
  /** Stat records of a list of u32 inode numbers (wasm/fsabi/src/batch.rs); absent from
   * older builds. */
  fs_stat_many?(handle: number, inos: number, count: number, out: number, len: number): bigint;
}

export const ABI_VERSION = 1;

export const Status = {
  CORRUPT: -1,
  UNSUPPORTED: -2,
  LOCKED: -3,
  IO: -4,
  ENOENT: -5,
  ENOTDIR: -6,
  EISDIR: -7,
  EINVAL: -8,
  ELOOP: -9,
  ENOMEM: -10,
  EBADF: -11,
} as const;

/** fsabi::lasterror record layout. */
const FLAG_OFFSET = 1;
const FLAG_EXPECTED = 2;
const FLAG_ACTUAL = 4;
export const LAST_ERROR_SIZE = 280;

export interface LastError {
  status: number;
  offset?: number;
  expected?: bigint;
  actual?: bigint;
  ioCode: number;
  /** The structure (corrupt) or the feature (unsupported, locked). */
  subject: string;
  detail: string;
}

export function decodeLastError(rec: Uint8Array): LastError {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const flags = dv.getUint32(4, true);
  const text = (lenAt: number, at: number) =>
    new TextDecoder().decode(rec.subarray(at, at + Math.min(dv.getUint16(lenAt, true), 120)));
  const off = dv.getBigUint64(8, true);
  return {
    status: dv.getInt32(0, true),
    offset: flags & FLAG_OFFSET && off <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(off) : undefined,
    expected: flags & FLAG_EXPECTED ? dv.getBigUint64(16, true) : undefined,
    actual: flags & FLAG_ACTUAL ? dv.getBigUint64(24, true) : undefined,
    ioCode: dv.getInt32(32, true),
    subject: text(36, 40),
    detail: text(38, 160),
  };
}

const ERRNO: Record<number, ErrorKind> = {
  [Status.ENOENT]: 'ENOENT',
  [Status.ENOTDIR]: 'ENOTDIR',
  [Status.EISDIR]: 'EISDIR',
  [Status.EINVAL]: 'EINVAL',
  [Status.ELOOP]: 'ELOOP',
  [Status.EBADF]: 'EINVAL',
};

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
};

const big = (v: bigint | undefined) =>
  v === undefined ? undefined : v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;

/**
 * The EngineError for a failed call. `driver` names the crate ("ext4") for messages;
 * `path` is the caller's path for errno kinds.
 */
export function statusToError(err: LastError, driver: string, path?: string): EngineError {
  const s = err.status;
  if (s === Status.CORRUPT) {
    const structure = err.subject || `${driver} structure`;
    const offset = err.offset ?? 0;
    let msg = `${structure} at offset ${offset}: ${err.detail}`;
    if (err.expected !== undefined || err.actual !== undefined) {
      msg += ` (expected ${String(big(err.expected))}, found ${String(big(err.actual))})`;
    }
    return new EngineError('corrupt', msg, {
      structure,
      offset,
      expected: big(err.expected),
      actual: big(err.actual),
      path,
    });
  }
  if (s === Status.UNSUPPORTED || s === Status.LOCKED) {
    const feature = err.detail ? `${err.subject} ${err.detail}` : err.subject;
    const kind = s === Status.LOCKED ? 'locked' : 'unsupported';
    // The kind is not repeated in the message: callers print `${kind}: ${message}`.
    return new EngineError(kind, `${path ? `${path}: ` : ''}${feature}`, {
      feature,
      path,
    });
  }
  const kind = ERRNO[s];
  if (kind) {
    const why = err.detail || ERRNO_TEXT[kind] || kind;
    return new EngineError(kind, `${path ?? driver}: ${why}`, { path });
  }
  if (s === Status.IO) {
    return new EngineError(
      'io',
      `${driver}: device read failed at ${err.offset} (code ${err.ioCode})`,
      {
        offset: err.offset,
        path,
      },
    );
  }
  // ENOMEM and anything unknown: the module ran out of room or disagrees with us.
  return new EngineError('io', `${driver}: ${err.detail || `status ${s}`}`, { path });
}
