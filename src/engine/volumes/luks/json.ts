// Typed, bounded access to LUKS2 JSON objects: every accessor checks the member's type and
// range and throws `corrupt` naming the LUKS2 object it belongs to ("LUKS2 keyslot 1") and
// the JSON area's offset. JSON has no positions per member, so the area offset is the
// most precise place an error can name.
// Reference: LUKS2 On-Disk Format Specification 1.1, section 3 (number encoding: 64-bit
// values as decimal strings; binary values as base64).

import { corrupt, type EngineError } from '../../errors.js';
import { MAX_LUKS2_OBJECTS, MAX_SALT_BYTES } from './limits.js';

export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class J {
  private constructor(
    private readonly o: JsonObject,
    readonly structure: string,
    readonly offset: number,
  ) {}

  static root(v: unknown, offset: number): J {
    if (!isObject(v)) throw corrupt('LUKS2 JSON metadata', offset, 'top level is not an object');
    return new J(v, 'LUKS2 JSON metadata', offset);
  }

  /** An object id ("0".."31"). */
  static id(s: string, where: J): number {
    if (!/^\d{1,2}$/.test(s) || Number(s) >= MAX_LUKS2_OBJECTS)
      throw where.fail(`bad object id "${s}"`);
    return Number(s);
  }

  fail(what: string): EngineError {
    return corrupt(this.structure, this.offset, what);
  }

  has(k: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.o, k);
  }

  keys(): string[] {
    return Object.keys(this.o);
  }

  private get(k: string): unknown {
    if (!this.has(k)) throw this.fail(`missing "${k}"`);
    return this.o[k];
  }

  obj(k: string, structure = this.structure): J {
    const v = this.get(k);
    if (!isObject(v)) throw this.fail(`"${k}" is not an object`);
    return new J(v, structure, this.offset);
  }

  str(k: string): string {
    const v = this.get(k);
    if (typeof v !== 'string') throw this.fail(`"${k}" is not a string`);
    return v;
  }

  /** A JSON integer within [min, max]. */
  int(k: string, min: number, max: number): number {
    const v = this.get(k);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw corrupt(
        this.structure,
        this.offset,
        `"${k}" out of range`,
        `${min}..${max}`,
        String(v),
      );
    }
    return v;
  }

  /** A 64-bit value stored as a decimal string; refused above 2^53. */
  u64(k: string): number {
    const v = this.str(k);
    if (!/^\d{1,20}$/.test(v)) throw this.fail(`"${k}" is not a decimal string`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) {
      throw corrupt(this.structure, this.offset, `"${k}" exceeds 2^53`, '< 2^53', v);
    }
    return n;
  }

  strings(k: string): string[] {
    const v = this.get(k);
    if (
      !Array.isArray(v) ||
      v.length > MAX_LUKS2_OBJECTS ||
      !v.every((x) => typeof x === 'string')
    ) {
      throw this.fail(`"${k}" is not a list of strings`);
    }
    return v as string[];
  }

  base64(k: string): Uint8Array {
    const v = this.str(k);
    if (v.length > Math.ceil(MAX_SALT_BYTES / 3) * 4 || !BASE64.test(v)) {
      throw this.fail(`"${k}" is not base64 of at most ${MAX_SALT_BYTES} bytes`);
    }
    const bin = atob(v);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
}
