// One error type for the whole engine. `kind` says who is at fault (see DESIGN.md "Errors"):
// the image (corrupt), us (unsupported), the user (locked) or the host (io); the errno
// kinds are caller errors spelled as libguestfs reports them.

export type ErrorKind =
  | 'corrupt'
  | 'unsupported'
  | 'locked'
  | 'io'
  | 'ENOENT'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'EINVAL'
  | 'EROFS'
  | 'EEXIST'
  | 'ENOTEMPTY'
  | 'ENOSPC'
  | 'EPERM'
  | 'ELOOP'
  | 'EBUSY'
  | 'ENODATA';

export interface EngineErrorFields {
  /** The on-disk structure at fault, e.g. "qcow2 header", "GPT entry array". */
  structure?: string;
  /** Byte offset of the structure (or field) in the source it was read from. */
  offset?: number;
  expected?: string | number | bigint;
  actual?: string | number | bigint;
  /** For unsupported: the feature, e.g. "qcow2 encryption (AES)". */
  feature?: string;
  /** A path or device name the caller gave. */
  path?: string;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly kind: ErrorKind;
  readonly structure: string | undefined;
  readonly offset: number | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
  readonly feature: string | undefined;
  readonly path: string | undefined;

  constructor(kind: ErrorKind, message: string, fields: EngineErrorFields = {}) {
    super(message);
    this.kind = kind;
    this.structure = fields.structure;
    this.offset = fields.offset;
    this.expected = fields.expected === undefined ? undefined : String(fields.expected);
    this.actual = fields.actual === undefined ? undefined : String(fields.actual);
    this.feature = fields.feature;
    this.path = fields.path;
  }

  /** Plain object form: crosses the worker boundary and prints as JSON in the CLI. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { kind: this.kind, message: this.message };
    for (const key of ['structure', 'offset', 'expected', 'actual', 'feature', 'path'] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }

  static fromJSON(obj: Record<string, unknown>): EngineError {
    const e = new EngineError(obj.kind as ErrorKind, String(obj.message), obj as EngineErrorFields);
    return e;
  }
}

/** A damaged on-disk structure. The message always names structure and offset. */
export function corrupt(
  structure: string,
  offset: number,
  what: string,
  expected?: string | number | bigint,
  actual?: string | number | bigint,
): EngineError {
  let msg = `${structure} at offset ${offset}: ${what}`;
  if (expected !== undefined || actual !== undefined) {
    msg += ` (expected ${String(expected)}, found ${String(actual)})`;
  }
  return new EngineError('corrupt', msg, { structure, offset, expected, actual });
}

export function unsupported(feature: string, why?: string): EngineError {
  return new EngineError('unsupported', why ? `${feature}: ${why}` : `unsupported: ${feature}`, {
    feature,
  });
}

export function errno(kind: ErrorKind, path: string, message: string): EngineError {
  return new EngineError(kind, `${path}: ${message}`, { path });
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}
