// The decrypted view of a LUKS payload: what dm-crypt's /dev/mapper/NAME shows. A read
// fetches the whole sectors it touches (in runs of at most DECRYPT_CHUNK_BYTES, so the
// cipher sees long runs but temporary buffers stay bounded), decrypts them in one call
// per run, and returns the requested bytes. A write (only over a writable payload, i.e.
// the overlay, and not when opened read-only) re-encrypts whole sectors, reading and
// decrypting the partial ones at either end first.
// Reference: Linux drivers/md/dm-crypt.c (sector numbering: IV sector = iv_offset +
// offset in 512-byte units from the start of the mapping).

import { checkRange, type BlockSource } from '../../io/block-source.js';
import { DECRYPT_CHUNK_BYTES, SECTOR } from './limits.js';
import type { SectorCipher } from './sector-cipher.js';

export class CryptSource implements BlockSource {
  readonly size: number;
  readonly name: string;
  readonly writeAt?: (offset: number, data: Uint8Array) => void;
  // Private fields: the cipher (and the key inside it) never shows in JSON or inspection.
  readonly #payload: BlockSource;
  readonly #cipher: SectorCipher;
  readonly #ivTweak: number;

  constructor(
    payload: BlockSource,
    cipher: SectorCipher,
    ivTweak: number,
    readonly: boolean,
    name: string,
  ) {
    this.#payload = payload;
    this.#cipher = cipher;
    this.#ivTweak = ivTweak;
    this.name = name;
    this.size = payload.size - (payload.size % cipher.sectorSize);
    if (!readonly && payload.writeAt) this.writeAt = (offset, data) => this.#write(offset, data);
  }

  /** Decrypted whole sectors [first, first + count). */
  #sectors(first: number, count: number): Uint8Array {
    const ss = this.#cipher.sectorSize;
    const buf = new Uint8Array(count * ss); // fresh and aligned: decrypted in place
    buf.set(this.#payload.readAt(first * ss, count * ss));
    this.#cipher.decrypt(buf, this.#ivTweak + first * (ss / SECTOR));
    return buf;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const ss = this.#cipher.sectorSize;
    const out = new Uint8Array(length);
    const perRun = Math.max(1, Math.floor(DECRYPT_CHUNK_BYTES / ss));
    const end = offset + length;
    for (let s = Math.floor(offset / ss); s * ss < end; s += perRun) {
      const count = Math.min(perRun, Math.ceil(end / ss) - s);
      const plain = this.#sectors(s, count);
      const from = Math.max(offset, s * ss);
      const to = Math.min(end, (s + count) * ss);
      out.set(plain.subarray(from - s * ss, to - s * ss), from - offset);
    }
    return out;
  }

  #write(offset: number, data: Uint8Array): void {
    checkRange(this, offset, data.length);
    if (data.length === 0) return;
    const ss = this.#cipher.sectorSize;
    const perRun = Math.max(1, Math.floor(DECRYPT_CHUNK_BYTES / ss));
    const end = offset + data.length;
    for (let s = Math.floor(offset / ss); s * ss < end; s += perRun) {
      const count = Math.min(perRun, Math.ceil(end / ss) - s);
      const from = Math.max(offset, s * ss);
      const to = Math.min(end, (s + count) * ss);
      // Partial sectors at the edges keep their other bytes: start from the plaintext.
      const whole = from === s * ss && to === (s + count) * ss;
      const buf = whole ? new Uint8Array(count * ss) : this.#sectors(s, count);
      buf.set(data.subarray(from - offset, to - offset), from - s * ss);
      this.#cipher.encrypt(buf, this.#ivTweak + s * (ss / SECTOR));
      this.#payload.writeAt!(s * ss, buf);
    }
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, size: this.size };
  }
}
