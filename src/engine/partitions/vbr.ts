// Telling a volume boot record (the first sector of a FAT, NTFS or exFAT filesystem written
// on the whole disk, a "superfloppy") from a master boot record. Both end in 0x55AA, so
// the signature alone proves nothing; libblkid's dos prober rejects sector 0 when it is a
// valid FAT boot sector, and we do the same with the same rules, plus the NTFS and exFAT
// OEM names (which libblkid catches later, when it probes filesystems).
// Reference: util-linux libblkid/src/superblocks/vfat.c fat_valid_superblock() and
// blkid_probe_is_vfat(); libblkid/src/partitions/dos.c probe_dos_pt(); Microsoft "FAT32 File
// System Specification" §3.1 (BPB field offsets); MS-NTFS / exFAT boot sector OEM names.

import { Bytes } from '../io/bytes.js';

/** Largest cluster counts per FAT width, as libblkid bounds them. */
const FAT12_MAX_CLUSTERS = 0xff4;
const FAT16_MAX_CLUSTERS = 0xfff4;
const FAT32_MAX_CLUSTERS = 0x0ffffff6;
const DIR_ENTRY_SIZE = 32;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** The BIOS Parameter Block fields libblkid checks, at their FAT-spec offsets. */
interface Bpb {
  bytsPerSec: number;
  secPerClus: number;
  rsvdSecCnt: number;
  numFats: number;
  rootEntCnt: number;
  totSec16: number;
  media: number;
  fatSz16: number;
  totSec32: number;
  fatSz32: number;
  /** BS_FilSysType of a FAT12/16 boot sector (offset 0x36). */
  filSysType16: string;
}

function decodeBpb(b: Bytes): Bpb {
  return {
    bytsPerSec: b.u16le(0x0b),
    secPerClus: b.u8(0x0d),
    rsvdSecCnt: b.u16le(0x0e),
    numFats: b.u8(0x10),
    rootEntCnt: b.u16le(0x11),
    totSec16: b.u16le(0x13),
    media: b.u8(0x15),
    fatSz16: b.u16le(0x16),
    totSec32: b.u32le(0x20),
    fatSz32: b.u32le(0x24),
    filSysType16: b.ascii(0x36, 8),
  };
}

/** Field sanity of a FAT boot sector: the same tests as libblkid's fat_valid_superblock(). */
function bpbFieldsValid(bpb: Bpb): boolean {
  // OS/2 and DFSee put a FAT-like pseudo-BPB in front of JFS and HPFS volumes.
  if (bpb.filSysType16 === 'JFS     ' || bpb.filSysType16 === 'HPFS    ') return false;
  if (bpb.numFats === 0 || bpb.rsvdSecCnt === 0) return false;
  if (!(bpb.media >= 0xf8 || bpb.media === 0xf0)) return false;
  if (!isPowerOfTwo(bpb.secPerClus)) return false;
  return isPowerOfTwo(bpb.bytsPerSec) && bpb.bytsPerSec >= 512 && bpb.bytsPerSec <= 4096;
}

/** True when the sector's BPB describes a FAT12/16/32 volume libblkid would accept. */
export function isFatBootSector(sector: Uint8Array): boolean {
  if (sector.length < 512) return false;
  const bpb = decodeBpb(new Bytes(sector, 'FAT boot sector'));
  if (!bpbFieldsValid(bpb)) return false;
  const sectors = bpb.totSec16 !== 0 ? bpb.totSec16 : bpb.totSec32;
  const fatLength = bpb.fatSz16 !== 0 ? bpb.fatSz16 : bpb.fatSz32;
  const dirSectors = Math.ceil((bpb.rootEntCnt * DIR_ENTRY_SIZE) / bpb.bytsPerSec);
  const dataSectors = sectors - (bpb.rsvdSecCnt + fatLength * bpb.numFats + dirSectors);
  // libblkid computes this in uint32, so a negative count wraps and fails the max test.
  if (dataSectors < 0) return false;
  const clusters = Math.floor(dataSectors / bpb.secPerClus);
  let max: number;
  if (bpb.fatSz16 === 0 && bpb.fatSz32 !== 0) max = FAT32_MAX_CLUSTERS;
  else max = clusters > FAT12_MAX_CLUSTERS ? FAT16_MAX_CLUSTERS : FAT12_MAX_CLUSTERS;
  return clusters <= max;
}

/**
 * Which filesystem's boot sector this is, or undefined when it is none of those we know.
 * Never throws.
 */
export function volumeBootRecordKind(sector: Uint8Array): 'vfat' | 'ntfs' | 'exfat' | undefined {
  if (sector.length < 512) return undefined;
  const b = new Bytes(sector, 'boot sector');
  if (b.equals(3, 'NTFS    ')) return 'ntfs';
  if (b.equals(3, 'EXFAT   ')) return 'exfat';
  if (isFatBootSector(sector)) return 'vfat';
  return undefined;
}
