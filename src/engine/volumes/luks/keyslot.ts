// Unlocking: passphrase → keyslot key (PBKDF2 or Argon2) → decrypted key material (the
// keyslot area, 512-byte sectors, IVs from 0) → AF-merge → candidate volume key, accepted
// only if its digest (PBKDF2 of the candidate) matches the header's.
// Reference: LUKS1 On-Disk Format Specification 1.2.3, section 3.2 (key recovery);
// LUKS2 On-Disk Format Specification 1.1, sections 3.2 (keyslot kdf/af/area) and 3.4
// (digests bind keyslots to segments); cryptsetup lib/luks2/luks2_keyslot.c (priority
// order: high before normal, "ignore" only when asked for by number).

import { EngineError, unsupported } from '../../errors.js';
import { getHash, type HashAlgorithm } from '../../crypto/hash.js';
import type { KdfRequest, KdfSteps } from '../../crypto/kdf.js';
import { toHex } from '../../io/bytes.js';
import type { BlockSource } from '../../io/block-source.js';
import { afMerge } from './af-splitter.js';
import { checkKeyBytes, parseCipherSpec, type CipherSpec } from './cipher-spec.js';
import { SECTOR } from './limits.js';
import { materialSectors, type Luks1Header } from './luks1-header.js';
import type { Luks2Header } from './luks2-header.js';
import type { Luks2Keyslot, Luks2Segment } from './luks2-metadata.js';
import { createSectorCipher } from './sector-cipher.js';

export interface UnlockProgress {
  keyslot: number;
  /** 0..1 within this keyslot's key derivation. */
  fraction: number;
}

export interface UnlockOptions {
  /** Try only this keyslot (cryptsetup --key-slot). */
  keyslot?: number;
  /** Progress of each key derivation; throwing from it cancels the unlock. */
  onProgress?: (p: UnlockProgress) => void;
}

export interface Unlocked {
  key: Uint8Array;
  keyslot: number;
}

export const noKey = () => new EngineError('locked', 'no key available with this passphrase');

function badSlot(n: number, why: string): EngineError {
  return new EngineError('EINVAL', `keyslot ${n} ${why}`);
}

/** Reads and decrypts a keyslot's key material (whole sectors, aligned copy). */
function keyMaterial(
  src: BlockSource,
  offset: number,
  bytes: number,
  spec: CipherSpec,
  slotKey: Uint8Array,
): Uint8Array {
  const buf = new Uint8Array(Math.ceil(bytes / SECTOR) * SECTOR);
  buf.set(src.readAt(offset, buf.length));
  createSectorCipher(spec, slotKey, SECTOR).decrypt(buf, 0);
  return buf;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => toHex(a) === toHex(b);

/** PBKDF2 as a request of the unlock procedure. */
const pbkdf2Request = (
  hash: HashAlgorithm,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
  onProgress?: (f: number) => void,
): KdfRequest => ({
  kind: 'pbkdf2',
  hash,
  password,
  salt,
  iterations,
  length,
  ...(onProgress ? { onProgress } : {}),
});

/** The LUKS1 unlock procedure (run it with runSync or runAsync from crypto/kdf.ts). */
export function* unlockLuks1(
  src: BlockSource,
  hdr: Luks1Header,
  passphrase: Uint8Array,
  opts: UnlockOptions = {},
): KdfSteps<Unlocked> {
  if (hdr.spec instanceof Error) throw hdr.spec;
  const spec = hdr.spec;
  const hash = getHash(hdr.hashSpec);
  if (opts.keyslot !== undefined && !hdr.keyslots[opts.keyslot]?.active) {
    throw badSlot(opts.keyslot, 'is not active');
  }
  for (const ks of hdr.keyslots) {
    if (!ks.active || (opts.keyslot !== undefined && ks.index !== opts.keyslot)) continue;
    const progress =
      opts.onProgress && ((f: number) => opts.onProgress!({ keyslot: ks.index, fraction: f }));
    const slotKey = yield pbkdf2Request(
      hash,
      passphrase,
      ks.salt,
      ks.iterations,
      hdr.keyBytes,
      progress,
    );
    const bytes = materialSectors(hdr.keyBytes, ks.stripes) * SECTOR;
    const material = keyMaterial(src, ks.keyMaterialOffset * SECTOR, bytes, spec, slotKey);
    const candidate = afMerge(material, hdr.keyBytes, ks.stripes, hash);
    material.fill(0);
    const digest = yield pbkdf2Request(
      hash,
      candidate,
      hdr.mkDigestSalt,
      hdr.mkDigestIterations,
      hdr.mkDigest.length,
    );
    if (sameBytes(digest, hdr.mkDigest)) return { key: candidate, keyslot: ks.index };
    candidate.fill(0);
  }
  throw noKey();
}

/** The keyslot's KDF as a request; other KDFs ("argon2" of early LUKS2, scrypt) are unsupported. */
function kdfRequest(
  ks: Luks2Keyslot,
  passphrase: Uint8Array,
  progress?: (f: number) => void,
): KdfRequest {
  const kdf = ks.kdf;
  const len = ks.area.keySize;
  if (kdf.type === 'pbkdf2')
    return pbkdf2Request(getHash(kdf.hash), passphrase, kdf.salt, kdf.iterations, len, progress);
  if (kdf.type === 'other') throw unsupported(`LUKS2 kdf ${kdf.name}`);
  const params = {
    type: kdf.type,
    time: kdf.time,
    memoryKiB: kdf.memory,
    parallelism: kdf.cpus,
    outLen: len,
  };
  return {
    kind: 'argon2',
    params,
    password: passphrase,
    salt: kdf.salt,
    ...(progress ? { onProgress: progress } : {}),
  };
}

/** Keyslots that can unlock `segment`, in the order cryptsetup tries them. */
function candidates(hdr: Luks2Header, segment: Luks2Segment, wanted?: number): Luks2Keyslot[] {
  const md = hdr.metadata;
  const bound = (ks: Luks2Keyslot) =>
    md.digests.some((d) => d.keyslots.includes(ks.id) && d.segments.includes(segment.id));
  if (wanted !== undefined) {
    const ks = md.keyslots.find((k) => k.id === wanted);
    if (!ks || ks.type !== 'luks2') throw badSlot(wanted, 'is not an active luks2 keyslot');
    if (!bound(ks)) throw badSlot(wanted, 'is not bound to the data segment');
    return [ks];
  }
  const usable = md.keyslots.filter((ks) => ks.type === 'luks2' && ks.priority > 0 && bound(ks));
  return [...usable.filter((k) => k.priority === 2), ...usable.filter((k) => k.priority === 1)];
}

function* tryLuks2Slot(
  src: BlockSource,
  hdr: Luks2Header,
  ks: Luks2Keyslot,
  segment: Luks2Segment,
  passphrase: Uint8Array,
  opts: UnlockOptions,
): KdfSteps<Uint8Array | undefined> {
  const where = `LUKS2 keyslot ${ks.id}`;
  const jsonOffset = hdr.offset + 4096;
  const areaSpec = parseCipherSpec(ks.area.encryption);
  checkKeyBytes(areaSpec, ks.area.keySize, where, jsonOffset);
  checkKeyBytes(parseCipherSpec(segment.encryption), ks.keySize, where, jsonOffset);
  const afHash: HashAlgorithm = getHash(ks.af.hash);
  const progress =
    opts.onProgress && ((f: number) => opts.onProgress!({ keyslot: ks.id, fraction: f }));
  const slotKey = yield kdfRequest(ks, passphrase, progress);
  const material = keyMaterial(src, ks.area.offset, ks.keySize * ks.af.stripes, areaSpec, slotKey);
  const candidate = afMerge(material, ks.keySize, ks.af.stripes, afHash);
  material.fill(0);
  for (const d of hdr.metadata.digests) {
    if (!d.keyslots.includes(ks.id) || !d.segments.includes(segment.id)) continue;
    if (d.type !== 'pbkdf2') throw unsupported(`LUKS2 digest ${d.type}`);
    const check = yield pbkdf2Request(
      getHash(d.hash),
      candidate,
      d.salt,
      d.iterations,
      d.digest.length,
    );
    if (sameBytes(check, d.digest)) return candidate;
  }
  candidate.fill(0);
  return undefined;
}

/** The LUKS2 unlock procedure (run it with runSync or runAsync from crypto/kdf.ts). */
export function* unlockLuks2(
  src: BlockSource,
  hdr: Luks2Header,
  segment: Luks2Segment,
  passphrase: Uint8Array,
  opts: UnlockOptions = {},
): KdfSteps<Unlocked> {
  let refusal: EngineError | undefined;
  for (const ks of candidates(hdr, segment, opts.keyslot)) {
    try {
      const key = yield* tryLuks2Slot(src, hdr, ks, segment, passphrase, opts);
      if (key) return { key, keyslot: ks.id };
    } catch (e) {
      // A keyslot we cannot use (unknown KDF, cipher) must not hide one we can.
      if (!(e instanceof EngineError) || e.kind !== 'unsupported') throw e;
      refusal ??= e;
    }
  }
  // The passphrase may well belong to the keyslot we could not try: say why, not "wrong".
  throw refusal ?? noKey();
}
