// The checksum action's algorithms: md5, sha1, sha224, sha256, sha384, sha512 (hex, as
// md5sum/sha*sum print them) and crc (the POSIX cksum CRC, in decimal, as libguestfs
// returns the first field of cksum's output). Hashing is incremental so a file of any
// size goes through in bounded memory; the host may supply faster native hashes (Node's
// crypto), otherwise @noble/hashes runs everywhere.
// Reference: guestfs(3) guestfs_checksum; POSIX.1-2017 XCU cksum (the CRC and the length
// bytes appended least significant first).

import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { EngineError } from '../errors.js';
import { toHex } from '../io/bytes.js';

export const CHECKSUM_TYPES = [
  'crc',
  'md5',
  'sha1',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

export interface Hasher {
  update(data: Uint8Array): void;
  /** The checksum as the command-line tool prints it (hex, or decimal for crc). */
  result(): string;
}

/** A host hash implementation for hex algorithms (md5 … sha512); undefined = use noble. */
export type HashFactory = (type: Exclude<ChecksumType, 'crc'>) => Hasher | undefined;

const NOBLE = { md5, sha1, sha224, sha256, sha384, sha512 };

export function isChecksumType(t: string): t is ChecksumType {
  return (CHECKSUM_TYPES as readonly string[]).includes(t);
}

export function createHasher(type: string, host?: HashFactory): Hasher {
  if (!isChecksumType(type))
    throw new EngineError(
      'EINVAL',
      `checksum: unknown checksum type "${type}" (one of ${CHECKSUM_TYPES.join(', ')})`,
    );
  if (type === 'crc') return new CksumCrc();
  const native = host?.(type);
  if (native) return native;
  const h = NOBLE[type].create();
  return {
    update: (d) => void h.update(d),
    result: () => toHex(h.digest()),
  };
}

/** The CRC-32 of cksum: polynomial 0x04C11DB7, most significant bit first, no reflection. */
const CKSUM_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

class CksumCrc implements Hasher {
  private crc = 0;
  private length = 0;

  private add(b: number): void {
    this.crc = ((this.crc << 8) ^ CKSUM_TABLE[((this.crc >>> 24) ^ b) & 0xff]!) >>> 0;
  }

  update(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.add(data[i]!);
    this.length += data.length;
  }

  result(): string {
    // The length goes in after the data, low byte first, as few bytes as it needs.
    for (let n = this.length; n > 0; n = Math.floor(n / 256)) this.add(n % 256);
    return String(~this.crc >>> 0);
  }
}
