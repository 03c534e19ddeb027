// The VHDX metadata region: a table of items (GUID, offset, length, flags) followed by the
// items themselves — file parameters (block size, leave-blocks-allocated, has-parent),
// virtual disk size, logical and physical sector size, page 83 data (the disk's id) and,
// for differencing disks, the parent locator.
// Reference: [MS-VHDX] §2.6 Metadata Region, §2.6.1 Metadata Table, §2.6.2 Known Metadata
// Items (value ranges: block size 1-256 MiB power of two, sector sizes 512/4096, disk size
// at most 64 TiB and a multiple of the logical sector size).

import { corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { MiB } from './header.js';
import {
  PARENT_LOCATOR_GUID,
  parseParentLocator,
  type VhdxParentLocator,
} from './parent-locator.js';
import type { Region } from './region-table.js';

export const METADATA_STRUCTURE = 'VHDX metadata table';
export const ITEM_STRUCTURE = 'VHDX metadata item';
const METADATA_SIGNATURE = 'metadata';
const TABLE_SIZE = 64 * 1024;
/** The specification's bound on table entries. */
const MAX_METADATA_ENTRIES = 2047;
/** [MS-VHDX] §2.6.1.2: an item is at most 1 MiB. Items are read whole. */
const MAX_ITEM_LENGTH = 1 * MiB;
/** [MS-VHDX] §2.6.2.2: the largest virtual disk. */
const MAX_VIRTUAL_DISK_SIZE = 64 * 1024 * 1024 * MiB;

const FILE_PARAMETERS = 'caa16737-fa36-4d43-b3b6-33f0aa44e76b';
const VIRTUAL_DISK_SIZE = '2fa54224-cd1b-4876-b211-5dbed83bf4b8';
const PAGE_83_DATA = 'beca12ab-b2e6-4523-93ef-c309e000c746';
const LOGICAL_SECTOR_SIZE = '8141bf1d-a96f-4709-ba47-f233a8faab5f';
const PHYSICAL_SECTOR_SIZE = 'cda348c7-445d-4471-9cc9-e9885251c556';
const KNOWN_ITEMS = new Set([
  FILE_PARAMETERS,
  VIRTUAL_DISK_SIZE,
  PAGE_83_DATA,
  LOGICAL_SECTOR_SIZE,
  PHYSICAL_SECTOR_SIZE,
  PARENT_LOCATOR_GUID,
]);

export interface VhdxMetadata {
  readonly blockSize: number;
  readonly leaveBlocksAllocated: boolean;
  readonly hasParent: boolean;
  readonly virtualDiskSize: number;
  readonly logicalSectorSize: number;
  readonly physicalSectorSize: number;
  /** The virtual disk's id (SCSI page 83 data). */
  readonly page83Data: string;
  readonly parentLocator: VhdxParentLocator | undefined;
}

interface Item {
  readonly bytes: Bytes;
  readonly entryOffset: number;
}

export function readMetadata(file: BlockSource, region: Region): VhdxMetadata {
  const items = readItems(file, region);
  const item = (guid: string, name: string, minLength: number): Bytes => {
    const it = items.get(guid);
    if (!it)
      throw corrupt(
        METADATA_STRUCTURE,
        region.fileOffset,
        `required item ${name} missing`,
        guid,
        'absent',
      );
    if (it.bytes.length < minLength)
      throw corrupt(
        ITEM_STRUCTURE,
        it.entryOffset + 20,
        `${name} too short`,
        `>= ${minLength}`,
        it.bytes.length,
      );
    return it.bytes;
  };
  const params = item(FILE_PARAMETERS, 'file parameters', 8);
  const flags = params.u32le(4);
  const m = {
    blockSize: params.u32le(0),
    leaveBlocksAllocated: (flags & 1) !== 0,
    hasParent: (flags & 2) !== 0,
    virtualDiskSize: item(VIRTUAL_DISK_SIZE, 'virtual disk size', 8).u64le(0, 'virtual disk size'),
    logicalSectorSize: item(LOGICAL_SECTOR_SIZE, 'logical sector size', 4).u32le(0),
    physicalSectorSize: item(PHYSICAL_SECTOR_SIZE, 'physical sector size', 4).u32le(0),
    page83Data: item(PAGE_83_DATA, 'page 83 data', 16).guid(0),
    parentLocator: undefined as VhdxParentLocator | undefined,
  };
  validateValues(m, items);
  if (m.hasParent)
    m.parentLocator = parseParentLocator(item(PARENT_LOCATOR_GUID, 'parent locator', 20));
  return m;
}

function readItems(file: BlockSource, region: Region): Map<string, Item> {
  const b = new Bytes(
    file.readAt(region.fileOffset, Math.min(TABLE_SIZE, region.length)),
    METADATA_STRUCTURE,
    region.fileOffset,
  );
  if (!b.equals(0, METADATA_SIGNATURE)) {
    throw corrupt(
      METADATA_STRUCTURE,
      region.fileOffset,
      'bad signature',
      METADATA_SIGNATURE,
      JSON.stringify(b.ascii(0, 8)),
    );
  }
  const count = b.u16le(10);
  if (count > MAX_METADATA_ENTRIES) {
    throw corrupt(
      METADATA_STRUCTURE,
      region.fileOffset + 10,
      'too many entries',
      `<= ${MAX_METADATA_ENTRIES}`,
      count,
    );
  }
  const items = new Map<string, Item>();
  for (let i = 0; i < count; i++) {
    const at = 32 + i * 32;
    const guid = b.guid(at);
    const entryOffset = region.fileOffset + at;
    const flags = b.u32le(at + 24);
    const isUser = (flags & 1) !== 0;
    if (!KNOWN_ITEMS.has(guid) || isUser) {
      if ((flags & 4) !== 0 && !isUser)
        throw unsupported(`VHDX required metadata item ${guid}`, 'unknown to this reader');
      continue;
    }
    if (items.has(guid))
      throw corrupt(METADATA_STRUCTURE, entryOffset, 'item listed twice', 'once', guid);
    items.set(guid, { bytes: readItem(file, region, b, at, entryOffset), entryOffset });
  }
  return items;
}

/** An item's bytes, checked to lie inside the region past the table (offset >= 64 KiB). */
function readItem(
  file: BlockSource,
  region: Region,
  b: Bytes,
  at: number,
  entryOffset: number,
): Bytes {
  const offset = b.u32le(at + 16);
  const length = b.u32le(at + 20);
  if (length > MAX_ITEM_LENGTH) {
    throw corrupt(
      ITEM_STRUCTURE,
      entryOffset + 20,
      'item longer than MAX_ITEM_LENGTH',
      `<= ${MAX_ITEM_LENGTH}`,
      length,
    );
  }
  if (length === 0) return new Bytes(new Uint8Array(0), ITEM_STRUCTURE, region.fileOffset);
  if (offset < TABLE_SIZE || offset + length > region.length) {
    throw corrupt(
      ITEM_STRUCTURE,
      entryOffset + 16,
      'item outside the metadata region',
      `${TABLE_SIZE}..${region.length}`,
      `${offset}+${length}`,
    );
  }
  return new Bytes(
    file.readAt(region.fileOffset + offset, length),
    ITEM_STRUCTURE,
    region.fileOffset + offset,
  );
}

function validateValues(m: VhdxMetadata, items: Map<string, Item>): void {
  const at = (guid: string): number => items.get(guid)!.bytes.base;
  const bs = m.blockSize;
  if (bs < MiB || bs > 256 * MiB || (bs & (bs - 1)) !== 0) {
    throw corrupt(
      ITEM_STRUCTURE,
      at(FILE_PARAMETERS),
      'block size is not a power of two in 1..256 MiB',
      'power of two',
      bs,
    );
  }
  for (const [guid, v, name] of [
    [LOGICAL_SECTOR_SIZE, m.logicalSectorSize, 'logical sector size'],
    [PHYSICAL_SECTOR_SIZE, m.physicalSectorSize, 'physical sector size'],
  ] as const) {
    if (v !== 512 && v !== 4096)
      throw corrupt(ITEM_STRUCTURE, at(guid), `${name} not 512 or 4096`, '512 or 4096', v);
  }
  const size = m.virtualDiskSize;
  if (size > MAX_VIRTUAL_DISK_SIZE || size % m.logicalSectorSize !== 0) {
    throw corrupt(
      ITEM_STRUCTURE,
      at(VIRTUAL_DISK_SIZE),
      'virtual disk size out of range or not a sector multiple',
      `<= 64 TiB, multiple of ${m.logicalSectorSize}`,
      size,
    );
  }
}
