// Small pieces every prober shares: magic tables as libblkid declares them, a builder
// for the key/value result, and the guard that keeps a probe from ever throwing.
// Reference: util-linux libblkid superblocks.h (struct blkid_idmag, blkid_idinfo) and
// probe.c blkid_probe_get_idmag().

import type { BlockSource } from '../../io/block-source.js';
import { asciiBytes } from '../../io/bytes.js';
import { readerOf, type ProbeReader } from './reader.js';
import type { ProbeResult, ProbeUsage } from './types.js';

/** One magic string: `bytes` at absolute byte offset `at` (libblkid: kboff * 1024 + sboff). */
export interface Magic {
  bytes: Uint8Array;
  at: number;
}

export function magic(bytes: string | number[], at: number): Magic {
  return { bytes: typeof bytes === 'string' ? asciiBytes(bytes) : Uint8Array.from(bytes), at };
}

/** The first magic of the table present in the source, as blkid_probe_get_idmag picks it. */
export function findMagic(r: ProbeReader, magics: readonly Magic[]): Magic | undefined {
  for (const m of magics) {
    const b = r.bytes(m.at, m.bytes.length);
    if (b && b.every((x, i) => x === m.bytes[i])) return m;
  }
  return undefined;
}

/** Collects what a prober found, keyed as `blkid -p -o export` prints it. */
export class Found {
  private label: string | undefined;
  private uuid: string | undefined;
  private readonly extra: Record<string, string> = {};

  /** Set KEY=value; an undefined value (absent, empty, all-zero UUID) sets nothing. */
  set(key: string, value: string | undefined): this {
    if (value === undefined) return this;
    if (key === 'LABEL') this.label = value;
    else if (key === 'UUID') this.uuid = value;
    else this.extra[key] = value;
    return this;
  }

  result(type: string, usage: ProbeUsage): ProbeResult {
    const out: ProbeResult = { type, usage, extra: this.extra };
    if (this.label !== undefined) out.label = this.label;
    if (this.uuid !== undefined) out.uuid = this.uuid;
    return out;
  }
}

/**
 * Run a probe body with the shared reader of `src`. A probe never throws: a field that
 * lies outside what could be read (a Bytes `corrupt` error) or any other failure means
 * the signature is not there.
 */
export function guarded(
  src: BlockSource,
  body: (r: ProbeReader) => ProbeResult | undefined,
): ProbeResult | undefined {
  try {
    return body(readerOf(src));
  } catch {
    return undefined;
  }
}

export const isPowerOf2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
