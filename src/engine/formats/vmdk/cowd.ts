// The ESX Server sparse extent ("COWD"): the VMFSSPARSE extents of ESX snapshots before
// seSparse (the "-delta.vmdk" files). All fields are 32-bit; grain tables have 4096 entries;
// an entry is a sector offset, 0 meaning unallocated (read from the parent).
// Reference: VMware "Virtual Disk Format 1.1", "ESX Server Sparse Extent Header"; QEMU
// block/vmdk.c vmdk_open_vmfs_sparse (4096-entry tables, l1dir_offset in sectors).

import { corrupt, EngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { ENTRY_UNALLOCATED, type GrainLayout } from './grain-map.js';
import { MAX_GD_ENTRIES, MAX_GRAIN_SECTORS, SECTOR } from './sparse-header.js';

export const COWD_HEADER_STRUCTURE = 'VMDK COWD header';
export const COWD_GD_STRUCTURE = 'VMDK COWD grain directory';
export const COWD_GT_STRUCTURE = 'VMDK COWD grain table';
/** "COWD" as a little-endian u32. */
export const COWD_MAGIC = 0x44574f43;
export const COWD_GT_ENTRIES = 4096;

/** The header's fields, named as in the spec. */
export interface CowdHeaderFields {
  magicNumber: number;
  version: number;
  flags: number;
  numSectors: number;
  grainSize: number;
  gdOffset: number;
  numGDEntries: number;
  freeSector: number;
}

export function decodeCowdHeader(b: Bytes): CowdHeaderFields {
  return {
    magicNumber: b.u32le(0),
    version: b.u32le(4),
    flags: b.u32le(8),
    numSectors: b.u32le(12),
    grainSize: b.u32le(16),
    gdOffset: b.u32le(20),
    numGDEntries: b.u32le(24),
    freeSector: b.u32le(28),
  };
}

export interface CowdHeader {
  readonly fields: CowdHeaderFields;
  readonly capacity: number;
  readonly layout: GrainLayout;
}

export function readCowdHeader(file: BlockSource): CowdHeader {
  if (file.size < SECTOR) {
    throw corrupt(COWD_HEADER_STRUCTURE, 0, 'file shorter than one header', SECTOR, file.size);
  }
  const f = decodeCowdHeader(new Bytes(file.readAt(0, SECTOR), COWD_HEADER_STRUCTURE, 0));
  const bad = (off: number, what: string, exp: string | number, act: number) =>
    corrupt(COWD_HEADER_STRUCTURE, off, what, exp, act);
  if (f.magicNumber !== COWD_MAGIC) throw bad(0, 'bad magic', COWD_MAGIC, f.magicNumber);
  if (f.version !== 1) {
    throw new EngineError('unsupported', `VMDK COWD version ${f.version}`, {
      feature: `VMDK COWD version ${f.version}`,
      structure: COWD_HEADER_STRUCTURE,
      offset: 4,
    });
  }
  const g = f.grainSize;
  if (g === 0 || g > MAX_GRAIN_SECTORS || (g & (g - 1)) !== 0) {
    throw bad(
      16,
      'grainSize not a power of two within MAX_GRAIN_SECTORS',
      `1..${MAX_GRAIN_SECTORS}`,
      g,
    );
  }
  if (f.numGDEntries > MAX_GD_ENTRIES) {
    throw bad(24, 'grain directory exceeds MAX_GD_ENTRIES', `<= ${MAX_GD_ENTRIES}`, f.numGDEntries);
  }
  const needed = Math.ceil(f.numSectors / (COWD_GT_ENTRIES * g));
  if (f.numGDEntries < needed)
    throw bad(24, 'grain directory too small for numSectors', `>= ${needed}`, f.numGDEntries);
  const gdOffset = f.gdOffset * SECTOR;
  if (needed > 0 && (gdOffset === 0 || gdOffset + f.numGDEntries * 4 > file.size)) {
    throw bad(20, 'grain directory outside the file', `< ${file.size}`, gdOffset);
  }
  return {
    fields: f,
    capacity: f.numSectors * SECTOR,
    layout: cowdLayout(g * SECTOR, gdOffset, f.numGDEntries),
  };
}

function cowdLayout(grainSize: number, gdOffset: number, gdEntries: number): GrainLayout {
  return {
    gdStructure: COWD_GD_STRUCTURE,
    gtStructure: COWD_GT_STRUCTURE,
    grainSize,
    gtEntries: COWD_GT_ENTRIES,
    entryBytes: 4,
    gdOffset,
    gdEntries,
    compressed: false,
    gtOffset: (gd, i) => gd.u32le(i * 4) * SECTOR,
    grain: (gt, i) => {
      const sector = gt.u32le(i * 4);
      return sector === 0 ? ENTRY_UNALLOCATED : sector * SECTOR;
    },
  };
}
