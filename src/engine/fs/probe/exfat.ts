// exFAT main boot sector and the volume-label entry (type 0x83) of the root directory.
// Reference: Microsoft "exFAT file system specification", sections 3.1 (Main Boot
// Sector) and 7.3 (Volume Label Directory Entry); util-linux libblkid superblocks/exfat.c.
// libblkid 2.38 trusts the "EXFAT   " name alone: no boot signature, jump, must-be-zero
// or checksum checks (later versions added them); we answer as 2.38 does.

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { serialUuid, utf8Label } from './text.js';
import type { FsProber } from './types.js';

const EXFAT_MAGIC = magic('EXFAT   ', 3);
const ENTRY = 32;
const ENTRY_EOD = 0x00;
const ENTRY_LABEL = 0x83;
const FIRST_DATA_CLUSTER = 2;
const LAST_DATA_CLUSTER = 0xffffff6;
/** libblkid gives up after 256 MiB of root directory entries. */
const MAX_DIR_ENTRIES = (256 * 1024 * 1024) / ENTRY;

interface ExfatGeometry {
  sectorShift: number;
  clusterShift: number;
  fatOffset: number;
  heapOffset: number;
}

const clusterOffset = (g: ExfatGeometry, cluster: number): number =>
  (g.heapOffset + (cluster - FIRST_DATA_CLUSTER) * 2 ** g.clusterShift) * 2 ** g.sectorShift;

function nextCluster(r: ProbeReader, g: ExfatGeometry, cluster: number): number {
  const at = g.fatOffset * 2 ** g.sectorShift + cluster * 4;
  const b = r.bytes(at, 4);
  return b ? new Bytes(b, 'exFAT FAT entry', at).u32le(0) : 0;
}

/** find_label: walk the root directory chain until the label or end-of-directory entry. */
function findLabel(r: ProbeReader, g: ExfatGeometry, root: number): Uint8Array | undefined {
  const clusterSize =
    g.sectorShift + g.clusterShift < 32 ? 2 ** (g.sectorShift + g.clusterShift) : 0;
  let cluster = root;
  let offset = clusterOffset(g, cluster);
  for (let i = 0; i < MAX_DIR_ENTRIES; i++) {
    const e = r.bytes(offset, ENTRY);
    if (!e || e[0] === ENTRY_EOD) return undefined;
    if (e[0] === ENTRY_LABEL) return e.subarray(2, 2 + Math.min(e[1]! * 2, 22));
    offset += ENTRY;
    if (clusterSize && offset % clusterSize === 0) {
      cluster = nextCluster(r, g, cluster);
      if (cluster < FIRST_DATA_CLUSTER || cluster > LAST_DATA_CLUSTER) return undefined;
      offset = clusterOffset(g, cluster);
    }
  }
  return undefined;
}

/**
 * BLOCK_SIZE as libblkid 2.38 computes it, `1u << BytesPerSectorShift` on x86, where
 * the shift count is taken modulo 32 (a hostile shift of 64 prints 1).
 */
const blockSize = (shift: number): number => 2 ** (shift & 31);

export const exfatProber = {
  type: 'exfat',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [EXFAT_MAGIC])) return undefined;
      const buf = r.bytes(0, 512);
      if (!buf) return undefined;
      const bs = new Bytes(buf, 'exFAT boot sector', 0);
      const g: ExfatGeometry = {
        sectorShift: bs.u8(108),
        clusterShift: bs.u8(109),
        fatOffset: bs.u32le(80),
        heapOffset: bs.u32le(88),
      };
      const f = new Found();
      // Shifts of 32 or more make libblkid compute nonsense offsets: no label then.
      const sane = g.sectorShift < 32 && g.clusterShift < 32;
      const label = sane ? findLabel(r, g, bs.u32le(96)) : undefined;
      if (label) f.set('LABEL', utf8Label(label, 'utf16le'));
      f.set('UUID', serialUuid(bs.raw(100, 4)));
      f.set('VERSION', `${bs.u8(105)}.${bs.u8(104)}`);
      f.set('BLOCK_SIZE', String(blockSize(g.sectorShift)));
      return f.result('exfat', 'filesystem');
    }),
} satisfies FsProber;
