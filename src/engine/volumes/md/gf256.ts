// Arithmetic in GF(2^8) with the RAID-6 polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and
// generator {02}: the field the Q syndrome of md RAID-6 lives in.
// Reference: H. Peter Anvin, "The mathematics of RAID-6" (2004, rev. 2011), §1-§4; Linux
// lib/raid6/mktables.c (the same field).

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
(() => {
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  // Doubling the table lets mul() skip a modulo.
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
})();

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

/** {02}^n for any integer n (negative n gives the inverse power). */
export function gfPow2(n: number): number {
  return EXP[((n % 255) + 255) % 255]!;
}

export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('GF(2^8): 0 has no inverse');
  return EXP[255 - LOG[a]!]!;
}

/** dst ^= c · src, byte by byte. */
export function gfMulXor(dst: Uint8Array, src: Uint8Array, c: number): void {
  if (c === 0) return;
  if (c === 1) {
    for (let i = 0; i < dst.length; i++) dst[i]! ^= src[i]!;
    return;
  }
  const lc = LOG[c]!;
  for (let i = 0; i < dst.length; i++) {
    const s = src[i]!;
    if (s !== 0) dst[i]! ^= EXP[lc + LOG[s]!]!;
  }
}

/** buf = c · buf, in place. */
export function gfScale(buf: Uint8Array, c: number): void {
  const lc = LOG[c]!;
  for (let i = 0; i < buf.length; i++) {
    const s = buf[i]!;
    buf[i] = s === 0 ? 0 : EXP[lc + LOG[s]!]!;
  }
}

export function xorInto(dst: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < dst.length; i++) dst[i]! ^= src[i]!;
}
