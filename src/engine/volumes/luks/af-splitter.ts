// The anti-forensic information splitter's merge step: recovers a key from the `stripes`
// blocks stored in a keyslot. Every stripe but the last is folded in through the
// diffusion function H, so a single damaged bit of any stripe destroys the key (which is
// the point: wiping a little of the keyslot area wipes the key).
// Reference: LUKS1 On-Disk Format Specification 1.2.3, section 2.4 (AFsplit/AFmerge and
// the diffuse function H built from the hash: each digest-sized piece i is replaced by
// hash(be32(i) || piece), the last piece truncated).

import type { HashAlgorithm } from '../../crypto/hash.js';

function diffuse(buf: Uint8Array, alg: HashAlgorithm): void {
  const size = alg.outputLen;
  const index = new Uint8Array(4);
  const view = new DataView(index.buffer);
  for (let i = 0, off = 0; off < buf.length; i++, off += size) {
    const piece = buf.subarray(off, Math.min(off + size, buf.length));
    view.setUint32(0, i, false);
    const h = alg.create().update(index).update(piece).digest();
    piece.set(h.subarray(0, piece.length));
  }
}

/** AFmerge(material, keyBytes, stripes): material holds at least keyBytes * stripes bytes. */
export function afMerge(
  material: Uint8Array,
  keyBytes: number,
  stripes: number,
  alg: HashAlgorithm,
): Uint8Array {
  const d = new Uint8Array(keyBytes);
  for (let s = 0; s < stripes; s++) {
    const stripe = material.subarray(s * keyBytes, (s + 1) * keyBytes);
    for (let i = 0; i < keyBytes; i++) d[i]! ^= stripe[i]!;
    if (s < stripes - 1) diffuse(d, alg);
  }
  return d;
}
