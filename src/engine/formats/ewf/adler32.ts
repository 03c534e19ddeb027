// Adler-32, the checksum EWF puts on section descriptors, table entries, volume, hash and
// digest data and on uncompressed chunks (and zlib at the end of every compressed chunk).
// Reference: RFC 1950 §8.2 (Adler-32); libewf "Expert Witness Compression Format" §3.1.

const MOD = 65521;
/** The largest run of bytes whose sums cannot overflow 2^53 before the modulo (zlib's NMAX). */
const NMAX = 5552;

export function adler32(data: Uint8Array, previous = 1): number {
  let a = previous & 0xffff;
  let b = previous >>> 16;
  for (let i = 0; i < data.length;) {
    const end = Math.min(data.length, i + NMAX);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
