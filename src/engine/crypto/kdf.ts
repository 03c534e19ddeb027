// Key derivations as requests, so one unlock procedure can run synchronously (the engine's
// normal mode: our PBKDF2 and Argon2) or asynchronously (WebCrypto's native PBKDF2, in a
// browser worker or Node, several times faster than JavaScript). The procedure is a
// generator that yields each derivation it needs and receives the result; runSync and
// runAsync are the two drivers.
// Reference: W3C Web Cryptography API, section "PBKDF2" (deriveBits with SHA-1/256/384/512).

import { argon2, type Argon2Params } from './argon2.js';
import type { HashAlgorithm } from './hash.js';
import { pbkdf2, type ProgressFn } from './pbkdf2.js';

export type KdfRequest =
  | {
      kind: 'pbkdf2';
      hash: HashAlgorithm;
      password: Uint8Array;
      salt: Uint8Array;
      iterations: number;
      length: number;
      onProgress?: ProgressFn;
    }
  | {
      kind: 'argon2';
      params: Argon2Params;
      password: Uint8Array;
      salt: Uint8Array;
      onProgress?: ProgressFn;
    };

/** A computation that needs key derivations: yields requests, receives their results. */
export type KdfSteps<T> = Generator<KdfRequest, T, Uint8Array>;

export function deriveSync(r: KdfRequest): Uint8Array {
  if (r.kind === 'argon2') return argon2(r.params, r.password, r.salt, r.onProgress);
  return pbkdf2(r.hash, r.password, r.salt, r.iterations, r.length, r.onProgress);
}

const WEBCRYPTO_HASH: Record<string, string> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/** WebCrypto's PBKDF2 where it has the hash; undefined where it does not (or refuses the
 * input, e.g. an empty password in some engines). */
async function webCryptoPbkdf2(
  r: Extract<KdfRequest, { kind: 'pbkdf2' }>,
): Promise<Uint8Array | undefined> {
  const subtle = globalThis.crypto?.subtle;
  const hash = WEBCRYPTO_HASH[r.hash.name];
  if (!subtle || !hash) return undefined;
  try {
    const key = await subtle.importKey('raw', r.password.slice(), 'PBKDF2', false, ['deriveBits']);
    const params = { name: 'PBKDF2', hash, salt: r.salt.slice(), iterations: r.iterations };
    const bits = await subtle.deriveBits(params, key, r.length * 8);
    r.onProgress?.(1);
    return new Uint8Array(bits);
  } catch {
    return undefined;
  }
}

export async function deriveAsync(r: KdfRequest): Promise<Uint8Array> {
  if (r.kind === 'pbkdf2') {
    const native = await webCryptoPbkdf2(r);
    if (native) return native;
  }
  return deriveSync(r);
}

// A derivation that fails (Argon2 memory the runtime cannot give, a cancelling progress
// callback) is thrown back into the procedure, where it can be handled per keyslot.

export function runSync<T>(steps: KdfSteps<T>): T {
  let step = steps.next();
  while (!step.done) {
    let result: Uint8Array;
    try {
      result = deriveSync(step.value);
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

export async function runAsync<T>(steps: KdfSteps<T>): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    let result: Uint8Array;
    try {
      result = await deriveAsync(step.value);
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}
