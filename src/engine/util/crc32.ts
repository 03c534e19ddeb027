// CRC-32 (the IEEE 802.3 polynomial that zlib, PNG and GPT use) and CRC-32C (Castagnoli:
// ext4 metadata_csum, btrfs, XFS v5, iSCSI), both in their bit-reflected form.
// Reference: Ross N. Williams, "A Painless Guide to CRC Error Detection Algorithms" (1993),
// §9-§11 (table-driven, reflected); check values from the "Catalogue of parametrised CRC
// algorithms" (CRC-32/ISO-HDLC check 0xcbf43926, CRC-32/ISCSI check 0xe3069283).
//
// Tables are sliced by 8 (8 × 256 entries per polynomial, built once on first use) so a
// 16 KiB GPT entry array or a 4 KiB metadata block costs a few microseconds; the plain
// byte-at-a-time loop handles the tail.

/** Reflected polynomials. */
const POLY_CRC32 = 0xedb88320;
const POLY_CRC32C = 0x82f63b78;

type Tables = Uint32Array[];

function buildTables(poly: number): Tables {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables: Tables = [t0];
  // Table k gives the CRC contribution of a byte followed by k zero bytes.
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(t);
  }
  return tables;
}

let crc32Tables: Tables | undefined;
let crc32cTables: Tables | undefined;

/** Advance a raw (not inverted) CRC register over `data`. */
function update(tables: Tables, crc: number, data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = crc >>> 0;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/**
 * Raw CRC-32 register update: no initial or final inversion. For formats that chain or
 * store the register itself.
 */
export function crc32Update(crc: number, data: Uint8Array): number {
  crc32Tables ??= buildTables(POLY_CRC32);
  return update(crc32Tables, crc, data);
}

/** Raw CRC-32C register update, as Linux's crc32c_le(): no initial or final inversion. */
export function crc32cUpdate(crc: number, data: Uint8Array): number {
  crc32cTables ??= buildTables(POLY_CRC32C);
  return update(crc32cTables, crc, data);
}

/**
 * CRC-32 as zlib's crc32() computes it (init ~0, final ~). `previous` continues an earlier
 * result: crc32(b, crc32(a)) === crc32(a ++ b).
 */
export function crc32(data: Uint8Array, previous = 0): number {
  return ~crc32Update(~previous >>> 0, data) >>> 0;
}

/** CRC-32C with the standard init ~0 and final ~; `previous` chains like crc32(). */
export function crc32c(data: Uint8Array, previous = 0): number {
  return ~crc32cUpdate(~previous >>> 0, data) >>> 0;
}
