// FAT12/16/32 boot sector (BPB) and the volume-label entry of the root directory.
// blkid reports TYPE=vfat for all three, SEC_TYPE=msdos for FAT12/16, the root
// directory's label as LABEL and the boot sector's copy as LABEL_FATBOOT.
// Reference: Microsoft "FAT: General Overview of On-Disk Format" (BPB, FAT32 extended
// BPB, directory entries, FSInfo); util-linux libblkid superblocks/vfat.c.

import { Bytes } from '../../io/bytes.js';
import { bitlockerHeaders } from './bitlocker.js';
import { Found, findMagic, guarded, isPowerOf2, magic, type Magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { idLabel, rawLabel, serialUuid } from './text.js';
import type { FsProber } from './types.js';

/** libblkid's table, in its order; the short ones (jump opcodes, 55AA) need extra checks. */
const FAT_MAGICS: readonly Magic[] = [
  magic('MSWIN', 0x52),
  magic('FAT32   ', 0x52),
  magic('MSDOS', 0x36),
  magic('FAT16   ', 0x36),
  magic('FAT12   ', 0x36),
  magic('FAT     ', 0x36),
  magic([0xeb], 0),
  magic([0xe9], 0),
  magic([0x55, 0xaa], 0x1fe),
];
const FAT12_MAX = 0xff4;
const FAT16_MAX = 0xfff4;
const FAT32_MAX = 0x0ffffff6;
const DIR_ENTRY = 32;
const ATTR_VOLUME_ID = 0x08;
const ATTR_DIR = 0x10;
const ATTR_LONG_NAME = 0x0f;
const NO_NAME = 'NO NAME    ';
/** libblkid follows at most 99 clusters of a FAT32 root directory looking for the label. */
const MAX_ROOT_CLUSTERS = 99;
/** libblkid's floppy limit: smaller devices read the root directory entry by entry. */
const TINY_DEVICE = 1440 * 1024;

interface Bpb {
  sectorSize: number;
  clusterSectors: number;
  reserved: number;
  fatSize: number;
  clusterCount: number;
}

/** fat_valid_superblock: undefined when the BPB cannot be FAT's. */
function validBpb(r: ProbeReader, bs: Bytes, mag: Magic): Bpb | undefined {
  if (mag.bytes.length <= 2) {
    // Old floppies have a valid MBR signature; OS/2 leaves FAT-like headers on JFS/HPFS.
    if (bs.u8(0x1fe) !== 0x55 || bs.u8(0x1ff) !== 0xaa) return undefined;
    if (bs.equals(0x36, 'JFS     ') || bs.equals(0x36, 'HPFS    ')) return undefined;
  }
  const fats = bs.u8(0x10);
  const reserved = bs.u16le(0x0e);
  const media = bs.u8(0x15);
  const clusterSectors = bs.u8(0x0d);
  const sectorSize = bs.u16le(0x0b);
  if (!fats || !reserved || !(media >= 0xf8 || media === 0xf0)) return undefined;
  if (!isPowerOf2(clusterSectors)) return undefined;
  if (!isPowerOf2(sectorSize) || sectorSize < 512 || sectorSize > 4096) return undefined;
  const sectors = bs.u16le(0x13) || bs.u32le(0x20);
  const fatLength = bs.u16le(0x16) || bs.u32le(0x24);
  const fatSize = fatLength * fats;
  const dirSectors = Math.ceil((bs.u16le(0x11) * DIR_ENTRY) / sectorSize);
  // uint32 arithmetic in libblkid: a negative remainder wraps to a huge count.
  const data = (sectors - (reserved + fatSize + dirSectors)) >>> 0;
  const clusterCount = Math.floor(data / clusterSectors);
  const fat32 = bs.u16le(0x16) === 0 && bs.u32le(0x24) !== 0;
  const max = fat32 ? FAT32_MAX : clusterCount > FAT12_MAX ? FAT16_MAX : FAT12_MAX;
  if (clusterCount > max) return undefined;
  if (bitlockerHeaders(r)) return undefined;
  return { sectorSize, clusterSectors, reserved, fatSize, clusterCount };
}

/** search_fat_label: the first volume-label entry of a directory region. */
function searchLabel(r: ProbeReader, offset: number, entries: number): Uint8Array | undefined {
  // Above floppy size libblkid reads the directory in one piece: unreadable means none.
  if (r.size > TINY_DEVICE && offset + entries * DIR_ENTRY > r.size) return undefined;
  for (let i = 0; i < entries; i++) {
    const e = r.bytes(offset + i * DIR_ENTRY, DIR_ENTRY);
    if (!e || e[0] === 0x00) return undefined;
    const ent = new Bytes(e, 'FAT directory entry', offset + i * DIR_ENTRY);
    const attr = ent.u8(11);
    if (e[0] === 0xe5 || ent.u16le(20) !== 0 || ent.u16le(26) !== 0) continue;
    if ((attr & 0x3f) === ATTR_LONG_NAME) continue;
    if ((attr & (ATTR_VOLUME_ID | ATTR_DIR)) === ATTR_VOLUME_ID) {
      const name = Uint8Array.from(e.subarray(0, 11));
      if (name[0] === 0x05) name[0] = 0xe5; // 0x05 stands for a leading 0xE5 byte
      return name;
    }
  }
  return undefined;
}

/** The FAT32 root directory is a cluster chain: follow it through the FAT. */
function searchFat32Label(r: ProbeReader, bs: Bytes, bpb: Bpb): Uint8Array | undefined {
  const clusterBytes = bpb.clusterSectors * bpb.sectorSize;
  const fatEntries = Math.floor((bs.u32le(0x24) * bpb.sectorSize) / 4);
  const dataStart = bpb.reserved + bpb.fatSize;
  let next = bs.u32le(0x2c);
  for (let loop = 0; next && next < fatEntries && loop < MAX_ROOT_CLUSTERS; loop++) {
    const at = (dataStart + (next - 2) * bpb.clusterSectors) * bpb.sectorSize;
    const label = searchLabel(r, at, clusterBytes / DIR_ENTRY);
    if (label) return label;
    const fatAt = bpb.reserved * bpb.sectorSize + next * 4;
    // libblkid reads a cluster-sized buffer at the FAT entry; past the end it stops.
    if (fatAt + clusterBytes > r.size) return undefined;
    const entry = r.bytes(fatAt, 4);
    if (!entry) return undefined;
    next = new Bytes(entry, 'FAT32 FAT entry', fatAt).u32le(0) & 0x0fffffff;
  }
  return undefined;
}

/** FAT32 volumes must carry a valid (or all-zero) FSInfo signature. */
function fsinfoValid(r: ProbeReader, bs: Bytes, sectorSize: number): boolean {
  const sector = bs.u16le(0x30);
  if (!sector) return true;
  const b = r.bytes(sector * sectorSize, 488);
  if (!b) return false;
  const fi = new Bytes(b, 'FAT32 FSInfo', sector * sectorSize);
  const sig1 = fi.equals(0, 'RRaA') || fi.equals(0, 'RRdA') || fi.u32le(0) === 0;
  const sig2 = fi.equals(484, 'rrAa') || fi.u32le(484) === 0;
  return sig1 && sig2;
}

function probeFat(r: ProbeReader, mag: Magic): Found | undefined {
  const buf = r.bytes(0, 512);
  if (!buf) return undefined;
  const bs = new Bytes(buf, 'FAT boot sector', 0);
  const bpb = validBpb(r, bs, mag);
  if (!bpb) return undefined;
  const f = new Found();
  let volLabel: Uint8Array | undefined;
  let bootLabel: Uint8Array | undefined;
  let serial: Uint8Array | undefined;
  if (bs.u16le(0x16)) {
    const rootStart = (bpb.reserved + bpb.fatSize) * bpb.sectorSize;
    volLabel = searchLabel(r, rootStart, bs.u16le(0x11));
    const sign = bs.u8(0x26);
    if (sign === 0x29) bootLabel = bs.raw(0x2b, 11);
    if (sign === 0x28 || sign === 0x29) serial = bs.raw(0x27, 4);
    f.set('SEC_TYPE', 'msdos');
    if (bpb.clusterCount < FAT12_MAX) f.set('VERSION', 'FAT12');
    else if (bpb.clusterCount < FAT16_MAX) f.set('VERSION', 'FAT16');
  } else if (bs.u32le(0x24)) {
    volLabel = searchFat32Label(r, bs, bpb);
    f.set('VERSION', 'FAT32');
    if (bs.u8(0x42) === 0x29) bootLabel = bs.raw(0x47, 11);
    serial = bs.raw(0x43, 4);
    if (!fsinfoValid(r, bs, bpb.sectorSize)) return undefined;
  }
  if (bootLabel && !new Bytes(bootLabel, 'label').equals(0, NO_NAME)) {
    f.set('LABEL_FATBOOT', idLabel(bootLabel));
  }
  if (volLabel) f.set('LABEL', rawLabel(volLabel));
  if (serial) f.set('UUID', serialUuid(serial));
  f.set('BLOCK_SIZE', String(bpb.sectorSize));
  return f;
}

export const vfatProber = {
  type: 'vfat',
  probe: (src) =>
    guarded(src, (r) => {
      const mag = findMagic(r, FAT_MAGICS);
      return mag ? probeFat(r, mag)?.result('vfat', 'filesystem') : undefined;
    }),
} satisfies FsProber;
