// Hash functions by the names LUKS headers use for them (LUKS1 hash-spec, LUKS2 kdf.hash,
// af.hash, digest hash, checksum_alg, and the hash of an ESSIV IV generator).
// Reference: cryptsetup lib/crypto_backend (hash names as gcrypt/OpenSSL spell them);
// Linux crypto/wp512.c (wp256/wp384 are truncated Whirlpool).
//
// Everything here is synchronous. Whirlpool and SM3 come from hash-wasm, whose WASM
// instances are created asynchronously once: call `prepareCrypto()` before the first
// unlock that may need them (prepareLuks() does). The others are @noble/hashes.

import { blake2b, blake2s } from '@noble/hashes/blake2.js';
import { ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha3_224, sha3_256, sha3_384, sha3_512 } from '@noble/hashes/sha3.js';
import type { CHash } from '@noble/hashes/utils.js';
import { createSM3, createWhirlpool, type IHasher } from 'hash-wasm';
import { unsupported } from '../errors.js';

/** One running hash computation. */
export interface HashState {
  update(data: Uint8Array): HashState;
  digest(): Uint8Array;
}

export interface HashAlgorithm {
  /** The name as the header spells it, lower-case ("sha256", "whirlpool", "wp256"). */
  readonly name: string;
  /** Digest size in bytes (after truncation for wp256/wp384). */
  readonly outputLen: number;
  /** Input block size in bytes (HMAC pads keys to it). */
  readonly blockLen: number;
  create(): HashState;
  /** The @noble/hashes object when this is one: PBKDF2 then takes noble's fast HMAC path. */
  readonly noble?: CHash;
}

function fromNoble(name: string, h: CHash): HashAlgorithm {
  return {
    name,
    outputLen: h.outputLen,
    blockLen: h.blockLen,
    noble: h,
    create: () => h.create() as HashState,
  };
}

const NOBLE: Record<string, CHash> = {
  sha1,
  sha224,
  sha256,
  sha384,
  sha512,
  ripemd160,
  'sha3-224': sha3_224,
  'sha3-256': sha3_256,
  'sha3-384': sha3_384,
  'sha3-512': sha3_512,
  'blake2b-512': blake2b,
  'blake2s-256': blake2s,
};

/** hash-wasm hashers, created by prepareCrypto(). One instance each, used strictly
 * sequentially: create() re-initialises it, so two states of the same algorithm must
 * never be open at once (HMAC and the AF diffuse function only ever hold one). */
const wasmHashers: { whirlpool?: IHasher; sm3?: IHasher } = {};
let preparing: Promise<void> | undefined;

/** Loads the WASM-backed hashes. Idempotent; safe to call concurrently. */
export function prepareCrypto(): Promise<void> {
  preparing ??= (async () => {
    const [whirlpool, sm3] = await Promise.all([createWhirlpool(), createSM3()]);
    wasmHashers.whirlpool = whirlpool;
    wasmHashers.sm3 = sm3;
  })();
  return preparing;
}

function fromWasm(name: string, which: 'whirlpool' | 'sm3', outputLen: number): HashAlgorithm {
  const hasher = wasmHashers[which];
  if (!hasher) {
    throw unsupported(`hash ${name}`, 'not loaded yet: call prepareLuks() before unlocking');
  }
  return {
    name,
    outputLen,
    blockLen: hasher.blockSize,
    create(): HashState {
      hasher.init();
      const state: HashState = {
        update(data) {
          hasher.update(data);
          return state;
        },
        digest: () => hasher.digest('binary').subarray(0, outputLen),
      };
      return state;
    },
  };
}

/** The hash named `name` (case-insensitive), or an `unsupported` error naming it. */
export function getHash(name: string): HashAlgorithm {
  const key = name.toLowerCase();
  const noble = NOBLE[key];
  if (noble) return fromNoble(key, noble);
  switch (key) {
    case 'whirlpool':
    case 'wp512':
      return fromWasm(key, 'whirlpool', 64);
    case 'wp384':
      return fromWasm(key, 'whirlpool', 48);
    case 'wp256':
      return fromWasm(key, 'whirlpool', 32);
    case 'sm3':
      return fromWasm(key, 'sm3', 32);
    default:
      throw unsupported(`hash ${name}`);
  }
}

/** Digest of one buffer (or several, concatenated). */
export function hashOf(alg: HashAlgorithm, ...parts: Uint8Array[]): Uint8Array {
  const st = alg.create();
  for (const p of parts) st.update(p);
  return st.digest();
}
