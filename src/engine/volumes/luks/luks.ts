// A LUKS container (LUKS1 or LUKS2): the header, validated, and the way to unlock it into
// a LuksVolume, the decrypted BlockSource of its data segment. Opening needs no key: the
// header alone gives UUID, cipher and keyslots (luks_uuid, luksDump-like info); only
// unlock() derives keys. The volume key stays inside the volume's cipher closures: it is
// in no property, no info object, no error and no JSON.
// Reference: LUKS1 On-Disk Format Specification 1.2.3; LUKS2 On-Disk Format
// Specification 1.1, section 3.3 (one crypt segment; "dynamic" size runs to the device end).

import { corrupt, EngineError, unsupported } from '../../errors.js';
import { prepareCrypto } from '../../crypto/hash.js';
import { precompileArgon2 } from '../../crypto/argon2-wasm.js';
import { runAsync, runSync, type KdfSteps } from '../../crypto/kdf.js';
import { slice, type BlockSource } from '../../io/block-source.js';
import type { MemberDevice, VolumeDevice } from '../types.js';
import { checkKeyBytes, parseCipherSpec, type CipherSpec } from './cipher-spec.js';
import { CryptSource } from './crypt-source.js';
import { unlockLuks1, unlockLuks2, type Unlocked, type UnlockOptions } from './keyslot.js';
import { SECTOR } from './limits.js';
import { readHeader } from './header.js';
import { LUKS_MAGIC, type Luks1Header } from './luks1-header.js';
import type { Luks2Header } from './luks2-header.js';
import type { Luks2Segment } from './luks2-metadata.js';
import { createSectorCipher } from './sector-cipher.js';

export type { UnlockOptions, UnlockProgress } from './keyslot.js';

/**
 * Loads what unlocking may need asynchronously, once: the WASM hashes (Whirlpool, SM3)
 * and the Argon2 module. After it resolves every LUKS call is synchronous. Unlocks of
 * volumes that use neither work without it.
 */
export async function prepareLuks(): Promise<void> {
  await Promise.all([prepareCrypto(), precompileArgon2()]);
}

/** True if the bytes start with a LUKS1/LUKS2 primary header signature. Never throws. */
export function isLuks(head: Uint8Array): boolean {
  return (
    head.length >= 8 &&
    LUKS_MAGIC.every((b, i) => head[i] === b) &&
    [1, 2].includes((head[6]! << 8) | head[7]!)
  );
}

interface DataSegment {
  offset: number;
  size: number;
  sectorSize: number;
  ivTweak: number;
  spec: CipherSpec | Error;
  keyBytes: number;
}

function specOrError(text: string): CipherSpec | Error {
  try {
    return parseCipherSpec(text);
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
}

function luks1Segment(hdr: Luks1Header, size: number): DataSegment {
  const offset = hdr.payloadOffset * SECTOR;
  return {
    offset,
    size: size - offset - ((size - offset) % SECTOR),
    sectorSize: SECTOR,
    ivTweak: 0,
    spec: hdr.spec,
    keyBytes: hdr.keyBytes,
  };
}

/** The one crypt segment LUKS2 may have outside a reencryption, or why not. */
function singleCryptSegment(hdr: Luks2Header): Luks2Segment {
  const md = hdr.metadata;
  for (const req of md.config.requirements) throw unsupported(`LUKS2 requirement ${req}`);
  if (md.segments.length !== 1) throw unsupported(`LUKS2 with ${md.segments.length} segments`);
  const seg = md.segments[0]!;
  if (seg.type !== 'crypt') throw unsupported(`LUKS2 segment type ${seg.type}`);
  if (seg.integrity) throw unsupported('LUKS2 with dm-integrity (authenticated encryption)');
  return seg;
}

/** The data segment, placed after the metadata and keyslot areas and inside the device. */
function luks2Segment(hdr: Luks2Header, size: number): { seg: Luks2Segment; data: DataSegment } {
  const md = hdr.metadata;
  const seg = singleCryptSegment(hdr);
  const fail = (what: string, expected: string) =>
    corrupt(`LUKS2 segment ${seg.id}`, hdr.offset + 4096, what, expected, seg.offset);
  const metadataEnd = 2 * hdr.hdrSize + md.config.keyslotsSize;
  if (seg.offset < metadataEnd)
    throw fail('data overlaps the metadata and keyslots areas', `>= ${metadataEnd}`);
  if (seg.offset > size) throw fail('data offset past the end of the device', `<= ${size}`);
  const rest = size - seg.offset;
  const length = seg.size === 'dynamic' ? rest - (rest % seg.sectorSize) : seg.size;
  const bound = (k: { id: number; type: string }) =>
    k.type === 'luks2' &&
    md.digests.some((d) => d.keyslots.includes(k.id) && d.segments.includes(seg.id));
  const keyBytes = md.keyslots.find(bound)?.keySize ?? 0;
  const spec = specOrError(seg.encryption);
  return {
    seg,
    data: {
      offset: seg.offset,
      size: length,
      sectorSize: seg.sectorSize,
      ivTweak: seg.ivTweak,
      spec,
      keyBytes,
    },
  };
}

export class LuksContainer {
  readonly version: 1 | 2;
  readonly uuid: string;
  readonly name: string;
  readonly #src: BlockSource;
  readonly #luks1?: Luks1Header;
  readonly #luks2?: { hdr: Luks2Header; seg: Luks2Segment };
  readonly #data: DataSegment;

  private constructor(src: BlockSource, name: string, hdr: Luks1Header | Luks2Header) {
    this.#src = src;
    this.name = name;
    this.version = hdr.version;
    this.uuid = hdr.uuid;
    if (hdr.version === 1) {
      this.#luks1 = hdr;
      this.#data = luks1Segment(hdr, src.size);
    } else {
      const { seg, data } = luks2Segment(hdr, src.size);
      this.#luks2 = { hdr, seg };
      this.#data = data;
      if (!(data.spec instanceof Error) && data.keyBytes)
        checkKeyBytes(data.spec, data.keyBytes, `LUKS2 segment ${seg.id}`, hdr.offset + 4096);
    }
  }

  /** Parses and validates the header of `src` (no key needed). */
  static open(src: BlockSource, name = src.name ?? 'LUKS device'): LuksContainer {
    return new LuksContainer(src, name, readHeader(src));
  }

  /** The cipher specification of the data ("aes-xts-plain64"). */
  get cipher(): string {
    const s = this.#data.spec;
    if (!(s instanceof Error)) return s.text;
    return this.#luks1
      ? `${this.#luks1.cipherName}-${this.#luks1.cipherMode}`
      : this.#luks2!.seg.encryption;
  }

  /** Facts for display: no key material, no salts. */
  info(): Record<string, string | number | boolean | string[]> {
    const d = this.#data;
    const common = {
      type: 'crypto_LUKS',
      version: this.version,
      uuid: this.uuid,
      cipher: this.cipher,
      key_size: d.keyBytes * 8,
      payload_offset: d.offset,
      payload_size: d.size,
      sector_size: d.sectorSize,
    };
    if (this.#luks1) {
      const active = this.#luks1.keyslots.filter((k) => k.active).map((k) => String(k.index));
      return { ...common, hash: this.#luks1.hashSpec, keyslots: active };
    }
    const { hdr } = this.#luks2!;
    return {
      ...common,
      label: hdr.label,
      subsystem: hdr.subsystem,
      header: hdr.copy,
      seqid: hdr.seqid.toString(),
      keyslots: hdr.metadata.keyslots.map((k) => String(k.id)),
      kdf: hdr.metadata.keyslots.map((k) => (k.kdf.type === 'other' ? k.kdf.name : k.kdf.type)),
    };
  }

  /**
   * Unlocks with a passphrase (or key file contents) and returns the decrypted volume.
   * Wrong passphrase: EngineError 'locked'. Synchronous (PBKDF2 and Argon2 in this
   * engine); call prepareLuks() first when a keyslot may use Whirlpool or SM3.
   */
  unlock(
    passphrase: Uint8Array | string,
    opts: UnlockOptions & { readonly?: boolean } = {},
  ): LuksVolume {
    return this.#volume(runSync(this.#steps(passphrase, opts)), opts);
  }

  /**
   * The same, with PBKDF2 done by WebCrypto (native code: several times faster than the
   * synchronous path, for the worker's async API).
   */
  async unlockAsync(
    passphrase: Uint8Array | string,
    opts: UnlockOptions & { readonly?: boolean } = {},
  ): Promise<LuksVolume> {
    return this.#volume(await runAsync(this.#steps(passphrase, opts)), opts);
  }

  #steps(passphrase: Uint8Array | string, opts: UnlockOptions): KdfSteps<Unlocked> {
    if (this.#data.spec instanceof Error) throw this.#data.spec;
    const pass = typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : passphrase;
    return this.#luks1
      ? unlockLuks1(this.#src, this.#luks1, pass, opts)
      : unlockLuks2(this.#src, this.#luks2!.hdr, this.#luks2!.seg, pass, opts);
  }

  #volume({ key, keyslot }: Unlocked, opts: { readonly?: boolean }): LuksVolume {
    const cipher = createSectorCipher(this.#data.spec as CipherSpec, key, this.#data.sectorSize);
    key.fill(0); // the cipher holds its own expanded copies
    const payload = slice(this.#src, this.#data.offset, this.#data.size, `${this.name}[payload]`);
    const source = new CryptSource(
      payload,
      cipher,
      this.#data.ivTweak,
      !!opts.readonly,
      `${this.name} (decrypted)`,
    );
    return new LuksVolume(this, source, keyslot);
  }
}

/** An unlocked LUKS container: a BlockSource of the decrypted data. */
export class LuksVolume implements BlockSource {
  readonly size: number;
  readonly name: string;
  readonly writeAt?: (offset: number, data: Uint8Array) => void;
  readonly #source: CryptSource;

  constructor(
    readonly container: LuksContainer,
    source: CryptSource,
    /** The keyslot the passphrase opened. */
    readonly keyslot: number,
  ) {
    this.#source = source;
    this.size = source.size;
    this.name = source.name;
    if (source.writeAt) this.writeAt = source.writeAt;
  }

  readAt(offset: number, length: number): Uint8Array {
    return this.#source.readAt(offset, length);
  }

  /** The volume as the handle lists it: /dev/mapper/MAPNAME over `member`. */
  device(mapname: string, member: MemberDevice): VolumeDevice {
    return {
      name: `/dev/mapper/${mapname}`,
      kind: 'luks',
      source: this,
      members: [member.name],
      info: { ...this.container.info(), keyslot_used: this.keyslot },
    };
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, size: this.size, uuid: this.container.uuid, keyslot: this.keyslot };
  }
}
