// Serpent's eight S-boxes and their inverses in bitslice form: each applies the 4-bit
// S-box to the 32 bit columns of four words at once, as an XOR of AND-products of the
// input words (the S-box's algebraic normal form).
//
// Generated, not written by hand: the expressions come from the S-box tables of the
// Serpent proposal (section 2, also in serpent.ts) by the Moebius transform, one output bit
// at a time; tests/volumes/luks-crypto.test.ts checks every function against the tables
// for all 16 inputs. a, b, c, d are words 0..3 (word 0 holds the least significant bit of
// each column's nibble).
// Reference: R. Anderson, E. Biham, L. Knudsen, "Serpent: A Proposal for the Advanced
// Encryption Standard", section 2.

export function s0(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const abc = ab & c;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(a ^ ab ^ c ^ ac ^ bc ^ abc ^ d ^ acd ^ bcd);
  x[i + 1] = ~(a ^ ac ^ bc ^ abc ^ bd ^ acd ^ bcd);
  x[i + 2] = b ^ ab ^ ac ^ abc ^ d ^ bd ^ bcd;
  x[i + 3] = a ^ b ^ c ^ d ^ ad;
}

export function s1(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(a ^ b ^ bc ^ ad ^ cd ^ acd ^ bcd);
  x[i + 1] = ~(a ^ ab ^ c ^ ac ^ d ^ bd ^ abd ^ acd ^ bcd);
  x[i + 2] = ~(b ^ ab ^ c ^ d);
  x[i + 3] = ~(b ^ ac ^ d ^ ad ^ abd ^ acd ^ bcd);
}

export function s2(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  x[i] = b ^ c ^ ac ^ d;
  x[i + 1] = a ^ b ^ c ^ bc ^ abc ^ ad ^ abd ^ cd ^ acd;
  x[i + 2] = a ^ b ^ bc ^ d ^ bd ^ abd ^ cd ^ acd;
  x[i + 3] = ~(a ^ b ^ c ^ abc ^ bd);
}

export function s3(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = a ^ b ^ bc ^ d ^ ad ^ cd ^ acd ^ bcd;
  x[i + 1] = a ^ b ^ ac ^ ad ^ abd ^ cd ^ acd;
  x[i + 2] = a ^ ab ^ c ^ abc ^ d ^ bd ^ abd;
  x[i + 3] = a ^ b ^ ab ^ c ^ ac ^ abc ^ d ^ cd ^ acd;
}

export function s4(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(b ^ ab ^ c ^ d ^ ad ^ bd);
  x[i + 1] = a ^ ac ^ bc ^ d ^ bd ^ cd ^ acd ^ bcd;
  x[i + 2] = a ^ ab ^ c ^ bc ^ abc ^ bd ^ abd ^ cd ^ bcd;
  x[i + 3] = a ^ b ^ c ^ bc ^ ad ^ bd ^ abd;
}

export function s5(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(b ^ ab ^ c ^ d ^ ad ^ bd);
  x[i + 1] = ~(a ^ ab ^ c ^ d ^ bd ^ abd ^ cd);
  x[i + 2] = ~(b ^ ac ^ d ^ abd ^ cd ^ acd ^ bcd);
  x[i + 3] = ~(a ^ b ^ c ^ abc ^ d ^ ad ^ acd);
}

export function s6(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const bcd = bc & d;
  x[i] = ~(a ^ b ^ c ^ ac ^ bc ^ abc ^ d ^ abd ^ bcd);
  x[i + 1] = ~(b ^ c ^ ad);
  x[i + 2] = ~(a ^ ab ^ c ^ bc ^ abc ^ bd ^ abd ^ cd ^ bcd);
  x[i + 3] = b ^ ab ^ c ^ ac ^ abc ^ d ^ cd ^ bcd;
}

export function s7(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(ab ^ c ^ ad ^ bd ^ cd ^ acd ^ bcd);
  x[i + 1] = b ^ ab ^ c ^ ac ^ bc ^ d ^ ad ^ abd ^ acd;
  x[i + 2] = a ^ b ^ c ^ abc ^ d ^ ad ^ bd ^ abd ^ bcd;
  x[i + 3] = a ^ b ^ c ^ ac ^ abc ^ ad;
}

export function i0(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(ab ^ c ^ bc ^ ad ^ bd ^ abd ^ cd ^ acd ^ bcd);
  x[i + 1] = a ^ b ^ c ^ ac ^ bd ^ acd ^ bcd;
  x[i + 2] = ~(a ^ b ^ ab ^ c ^ d);
  x[i + 3] = ~(a ^ bc ^ d ^ abd ^ cd ^ acd ^ bcd);
}

export function i1(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const abc = ab & c;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(a ^ b ^ ab ^ abc ^ bd ^ acd ^ bcd);
  x[i + 1] = b ^ c ^ abc ^ d ^ ad ^ bd ^ acd ^ bcd;
  x[i + 2] = ~(a ^ b ^ ac ^ bc ^ abc ^ d ^ acd);
  x[i + 3] = a ^ c ^ d ^ bd;
}

export function i2(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  x[i] = a ^ b ^ c ^ bc ^ bd;
  x[i + 1] = b ^ ab ^ c ^ ad ^ abd ^ cd ^ acd;
  x[i + 2] = ~(a ^ ab ^ c ^ d ^ ad ^ bd ^ abd ^ acd);
  x[i + 3] = ~(ab ^ bc ^ abc ^ d ^ acd);
}

export function i3(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = a ^ c ^ bc ^ d ^ ad ^ bd ^ bcd;
  x[i + 1] = b ^ c ^ bc ^ abc ^ d ^ ad ^ acd ^ bcd;
  x[i + 2] = ab ^ ac ^ bc ^ ad ^ bd ^ abd ^ cd ^ acd;
  x[i + 3] = a ^ b ^ c ^ ac ^ abc ^ ad ^ abd ^ cd;
}

export function i4(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  x[i] = ~(a ^ b ^ c ^ d ^ ad ^ abd ^ cd ^ acd);
  x[i + 1] = ab ^ c ^ ac ^ d ^ ad ^ acd;
  x[i + 2] = ~(a ^ b ^ ab ^ c ^ ac ^ abc ^ d ^ bd ^ abd);
  x[i + 3] = b ^ ab ^ c ^ ad ^ abd ^ cd;
}

export function i5(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  x[i] = a ^ bc ^ d ^ abd;
  x[i + 1] = a ^ b ^ ac ^ bc ^ abc ^ d ^ ad ^ abd;
  x[i + 2] = a ^ ab ^ c ^ bd ^ abd ^ acd;
  x[i + 3] = ~(b ^ ab ^ c ^ abc ^ ad);
}

export function i6(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const bcd = bc & d;
  x[i] = ~(a ^ ab ^ ac ^ bc ^ abc ^ d ^ abd ^ bcd);
  x[i + 1] = ~(b ^ c ^ ac ^ d);
  x[i + 2] = ~(a ^ b ^ bc ^ bd ^ abd ^ cd ^ bcd);
  x[i + 3] = ~(b ^ ab ^ c ^ bc ^ abc ^ d ^ ad ^ abd ^ cd ^ bcd);
}

export function i7(x: Uint32Array, i: number): void {
  const a = x[i]!,
    b = x[i + 1]!,
    c = x[i + 2]!,
    d = x[i + 3]!;
  const ab = a & b;
  const ac = a & c;
  const bc = b & c;
  const ad = a & d;
  const bd = b & d;
  const cd = c & d;
  const abc = ab & c;
  const abd = ab & d;
  const acd = ac & d;
  const bcd = bc & d;
  x[i] = ~(a ^ b ^ bc ^ bd ^ abd ^ cd ^ bcd);
  x[i + 1] = ~(a ^ c ^ bc ^ d ^ ad ^ bd ^ acd ^ bcd);
  x[i + 2] = b ^ ac ^ d ^ abd ^ cd ^ acd;
  x[i + 3] = ab ^ c ^ abc ^ ad ^ bd ^ abd;
}

/** S0..S7, for round r use FORWARD[r % 8]. */
export const FORWARD = [s0, s1, s2, s3, s4, s5, s6, s7];
/** Their inverses, in the same order. */
export const INVERSE = [i0, i1, i2, i3, i4, i5, i6, i7];
