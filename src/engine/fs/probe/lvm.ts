// LVM2 physical volume label: "LABELONE" in one of the first four sectors, followed by
// the PV header whose first field is the PV UUID (32 characters, printed with dashes in
// the 6-4-4-4-4-4-6 grouping LVM uses). libblkid accepts the label only when its sector
// number and its CRC match.
// Reference: LVM2 lib/label/label.h (struct label_header), lib/format_text/layout.h
// (struct pv_header), lib/misc/crc.c; util-linux libblkid superblocks/lvm.c.

import { Bytes, latin1 } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import type { FsProber } from './types.js';

const SECTOR = 512;
/** libblkid's table: the type string "LVM2 001" at byte 24 of a label in sectors 0-3. */
const LVM2_MAGICS = [0x218, 0x018, 0x418, 0x618].map((at) => magic('LVM2 001', at));
const LABEL_SIZE = 512;
const ID_LEN = 32;
const PV_UUID = 32;
/** crc_xl covers the label from offset_xl (byte 20) to the end of its sector. */
const CRC_START = 20;

/** LVM's CRC-32 (reflected 0xEDB88320, nibble table, seed 0xf597a6cf, no final xor). */
const NIBBLE_TABLE = [
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
];
export function lvmCrc(data: Uint8Array): number {
  let crc = 0xf597a6cf;
  for (const byte of data) {
    crc ^= byte;
    crc = (crc >>> 4) ^ NIBBLE_TABLE[crc & 0xf]!;
    crc = (crc >>> 4) ^ NIBBLE_TABLE[crc & 0xf]!;
  }
  return crc >>> 0;
}

/** The PV UUID with dashes after characters 6, 10, 14, 18, 22 and 26. */
export function formatLvmUuid(id: string): string {
  const cuts = [6, 10, 14, 18, 22, 26, 32];
  let out = id.slice(0, 6);
  for (let i = 0; i + 1 < cuts.length; i++) out += `-${id.slice(cuts[i], cuts[i + 1])}`;
  return out;
}

export const lvm2Prober = {
  type: 'LVM2_member',
  probe: (src) =>
    guarded(src, (r) => {
      const m = findMagic(r, LVM2_MAGICS);
      if (!m) return undefined;
      const sector = (m.at - 0x18) / SECTOR;
      const buf = r.bytes(sector * SECTOR, LABEL_SIZE);
      if (!buf) return undefined;
      const label = new Bytes(buf, 'LVM2 label header', sector * SECTOR);
      if (!label.equals(0, 'LABELONE') || label.u64leBig(8) !== BigInt(sector)) return undefined;
      if (lvmCrc(label.raw(CRC_START, LABEL_SIZE - CRC_START)) !== label.u32le(16))
        return undefined;
      const f = new Found();
      // libblkid takes the PV UUID right after the 32-byte label header (offset_xl is 32
      // in every label LVM writes) rather than following offset_xl.
      const id = label.raw(PV_UUID, ID_LEN);
      if (!id.every((x) => x === 0)) f.set('UUID', formatLvmUuid(latin1(id)));
      f.set('VERSION', 'LVM2 001');
      return f.result('LVM2_member', 'raid');
    }),
} satisfies FsProber;
