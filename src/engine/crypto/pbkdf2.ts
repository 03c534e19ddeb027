// PBKDF2 with HMAC over any hash of ./hash.ts, synchronous, with progress reports.
// Reference: RFC 8018 section 5.2 (PBKDF2), RFC 2104 (HMAC).
//
// Noble's own pbkdf2() has no progress callback in its synchronous form; this loop is the
// same algorithm (an HMAC whose keyed inner/outer states are computed once and cloned for
// every iteration), so a multi-second LUKS1 keyslot can report progress and be cancelled
// by a callback that throws.

import { hmac } from '@noble/hashes/hmac.js';
import { hashOf, type HashAlgorithm } from './hash.js';

/** Called with the fraction done (0..1); throwing from it aborts the derivation. */
export type ProgressFn = (fraction: number) => void;

/** How many iterations run between two progress calls. */
const PROGRESS_STEP = 16384;

/** The keyed pseudo-random function: PRF(message) → digest, reusing precomputed state. */
type Prf = (message: Uint8Array, out: Uint8Array) => void;

function noblePrf(alg: HashAlgorithm, password: Uint8Array): Prf {
  // Noble's _HMAC supports _cloneInto: copying the keyed state costs no key schedule.
  const keyed = hmac.create(alg.noble!, password);
  const scratch = keyed.clone();
  return (message, out) => {
    keyed._cloneInto(scratch).update(message).digestInto(out);
  };
}

function genericPrf(alg: HashAlgorithm, password: Uint8Array): Prf {
  // RFC 2104: keys longer than the block are hashed first, then zero-padded.
  const key = new Uint8Array(alg.blockLen);
  key.set(password.length > alg.blockLen ? hashOf(alg, password) : password);
  const ipad = key.map((b) => b ^ 0x36);
  const opad = key.map((b) => b ^ 0x5c);
  return (message, out) => {
    const inner = hashOf(alg, ipad, message);
    out.set(hashOf(alg, opad, inner));
  };
}

/**
 * PBKDF2-HMAC-`alg`(password, salt, iterations) → `dkLen` bytes. The caller bounds
 * `iterations` and `dkLen` (both come from headers); this function trusts them.
 */
export function pbkdf2(
  alg: HashAlgorithm,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  dkLen: number,
  onProgress?: ProgressFn,
): Uint8Array {
  const prf = alg.noble ? noblePrf(alg, password) : genericPrf(alg, password);
  const hLen = alg.outputLen;
  const blocks = Math.ceil(dkLen / hLen);
  const out = new Uint8Array(blocks * hLen);
  const first = new Uint8Array(salt.length + 4);
  first.set(salt);
  const u = new Uint8Array(hLen);
  const total = blocks * iterations;
  let done = 0;
  for (let block = 1; block <= blocks; block++) {
    new DataView(first.buffer).setUint32(salt.length, block, false);
    prf(first, u);
    const t = out.subarray((block - 1) * hLen, block * hLen);
    t.set(u);
    for (let i = 1; i < iterations; i++) {
      prf(u, u);
      for (let k = 0; k < hLen; k++) t[k]! ^= u[k]!;
      if (onProgress && ++done % PROGRESS_STEP === 0) onProgress(done / total);
    }
    done = block * iterations;
  }
  onProgress?.(1);
  return out.slice(0, dkLen);
}
