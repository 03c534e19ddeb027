// The VDI (VirtualBox Disk Image) header: a 64-byte text pre-header ("<<< Oracle VM
// VirtualBox Disk Image >>>"), signature 0xBEDA107F, version, then the version 1.1 header:
// image type, offsets of the block map and of the data, disk and block sizes, block counts
// and four UUIDs (this image, last modification, parent, parent's modification).
// Reference: VirtualBox src/VBox/Storage/VDICore.h (VDIPREHEADER, VDIHEADER1, VDI_IMAGE_TYPE_*,
// VDI_IMAGE_BLOCK_FREE/ZERO); QEMU block/vdi.c vdi_open (its checks, and rounding the disk
// size down to whole sectors as QEMU does for images from `VBoxManage convertfromraw`).

import { EngineError, corrupt } from '../../errors.js';
import { Bytes } from '../../io/bytes.js';

export const HEADER_STRUCTURE = 'VDI header';
export const VDI_SIGNATURE = 0xbeda107f;
/** Major 1, minor 1: the only version VirtualBox has written since 2008. */
export const VDI_VERSION_1_1 = 0x00010001;
/** Bytes read for the header: pre-header (72) + VDIHEADER1PLUS (400), rounded up. */
export const HEADER_READ = 512;
/** The pre-header (text, signature, version) ends here; the versioned header follows. */
const PRE_HEADER = 0x48;
/** sizeof(VDIHEADER1): the 1.1 header without the LCHS geometry VirtualBox 2.0 appended. */
const MIN_HEADER_1_1 = 0x180;

export const VDI_TYPE_NORMAL = 1;
export const VDI_TYPE_FIXED = 2;
export const VDI_TYPE_UNDO = 3;
export const VDI_TYPE_DIFF = 4;

/** Block map entries that are not block numbers. */
export const BLOCK_FREE = 0xffffffff;
export const BLOCK_ZERO = 0xfffffffe;

export const MIN_BLOCK_SIZE = 512;
/**
 * VirtualBox writes 1 MiB blocks (QEMU accepts no other size). 64 MiB bounds block-offset
 * arithmetic well inside 2^53 for any 32-bit block number.
 */
export const MAX_BLOCK_SIZE = 64 * 1024 * 1024;
/** The block map is read whole: 16 Mi entries (64 MiB) map 16 TiB with 1 MiB blocks. */
export const MAX_BLOCKS = 16 * 1024 * 1024;

/** The header's fields as stored, named as in VirtualBox's VDIHEADER1. */
export interface VdiHeaderFields {
  szFileInfo: string;
  u32Signature: number;
  u32Version: number;
  cbHeader: number;
  u32Type: number;
  fFlags: number;
  szComment: string;
  offBlocks: number;
  offData: number;
  cbSector: number;
  cbDisk: number;
  cbBlock: number;
  cbBlockExtra: number;
  cBlocks: number;
  cBlocksAllocated: number;
  uuidCreate: string;
  uuidModify: string;
  uuidLinkage: string;
  uuidParentModify: string;
}

export function decodeVdiHeader(b: Bytes): VdiHeaderFields {
  return {
    szFileInfo: b.ascii(0, 64),
    u32Signature: b.u32le(0x40),
    u32Version: b.u32le(0x44),
    cbHeader: b.u32le(0x48),
    u32Type: b.u32le(0x4c),
    fFlags: b.u32le(0x50),
    szComment: b.utf8(0x54, 256),
    offBlocks: b.u32le(0x154),
    offData: b.u32le(0x158),
    cbSector: b.u32le(0x168),
    cbDisk: b.u64le(0x170, 'cbDisk'),
    cbBlock: b.u32le(0x178),
    cbBlockExtra: b.u32le(0x17c),
    cBlocks: b.u32le(0x180),
    cBlocksAllocated: b.u32le(0x184),
    // RTUUIDs are stored as Microsoft GUIDs (mixed-endian), as VirtualBox prints them.
    uuidCreate: b.guid(0x188),
    uuidModify: b.guid(0x198),
    uuidLinkage: b.guid(0x1a8),
    uuidParentModify: b.guid(0x1b8),
  };
}

/** A validated header in byte units. */
export interface VdiHeader {
  readonly fields: VdiHeaderFields;
  readonly type: number;
  readonly diskSize: number;
  readonly blockSize: number;
  /** Bytes before each block's data (cbBlockExtra), and block to block. */
  readonly blockExtra: number;
  readonly blockStride: number;
  readonly blocks: number;
  readonly mapOffset: number;
  readonly dataOffset: number;
}

const bad = (off: number, what: string, expected?: string | number, actual?: string | number) =>
  corrupt(HEADER_STRUCTURE, off, what, expected, actual);

function unsupportedField(feature: string, offset: number, why: string): EngineError {
  return new EngineError('unsupported', `${feature}: ${why}`, {
    feature,
    structure: HEADER_STRUCTURE,
    offset,
  });
}

export function validateVdiHeader(f: VdiHeaderFields, fileSize: number): VdiHeader {
  if (f.u32Signature !== VDI_SIGNATURE)
    throw bad(0x40, 'bad signature', VDI_SIGNATURE, f.u32Signature);
  if (f.u32Version !== VDI_VERSION_1_1) {
    const v = `${f.u32Version >>> 16}.${f.u32Version & 0xffff}`;
    throw unsupportedField(`VDI version ${v}`, 0x44, 'only version 1.1 images are read');
  }
  if (f.cbHeader < MIN_HEADER_1_1)
    throw bad(0x48, 'header size too small', `>= ${MIN_HEADER_1_1}`, f.cbHeader);
  checkType(f);
  checkBlockSizes(f);
  const diskSize = f.cbDisk - (f.cbDisk % 512);
  const needed = Math.ceil(diskSize / f.cbBlock);
  if (f.cBlocks > MAX_BLOCKS)
    throw bad(0x180, 'block count exceeds MAX_BLOCKS', `<= ${MAX_BLOCKS}`, f.cBlocks);
  if (f.cBlocks < needed)
    throw bad(0x180, 'too few blocks for the disk size', `>= ${needed}`, f.cBlocks);
  if (f.cBlocksAllocated > f.cBlocks) {
    throw bad(
      0x184,
      'more blocks allocated than the disk has',
      `<= ${f.cBlocks}`,
      f.cBlocksAllocated,
    );
  }
  checkAreas(f, fileSize);
  return {
    fields: f,
    type: f.u32Type,
    diskSize,
    blockSize: f.cbBlock,
    blockExtra: f.cbBlockExtra,
    blockStride: f.cbBlock + f.cbBlockExtra,
    blocks: f.cBlocks,
    mapOffset: f.offBlocks,
    dataOffset: f.offData,
  };
}

function checkType(f: VdiHeaderFields): void {
  if (f.u32Type === VDI_TYPE_NORMAL || f.u32Type === VDI_TYPE_FIXED) return;
  if (f.u32Type === VDI_TYPE_DIFF || f.u32Type === VDI_TYPE_UNDO) {
    // The parent is named only by UUID (uuidLinkage) in VirtualBox's media registry, never
    // by file name, so it cannot be found through a file resolver.
    const kind = f.u32Type === VDI_TYPE_DIFF ? 'differencing' : 'undo';
    throw unsupportedField(
      `VDI ${kind} image`,
      0x4c,
      `its parent is the image with UUID ${f.uuidLinkage}`,
    );
  }
  throw bad(0x4c, 'unknown image type', '1..4', f.u32Type);
}

function checkBlockSizes(f: VdiHeaderFields): void {
  const b = f.cbBlock;
  if (b < MIN_BLOCK_SIZE || b > MAX_BLOCK_SIZE || (b & (b - 1)) !== 0) {
    throw bad(
      0x178,
      'block size not a power of two within MAX_BLOCK_SIZE',
      `${MIN_BLOCK_SIZE}..${MAX_BLOCK_SIZE}`,
      b,
    );
  }
  if (f.cbBlockExtra > MAX_BLOCK_SIZE) {
    throw bad(
      0x17c,
      'block extra data exceeds MAX_BLOCK_SIZE',
      `<= ${MAX_BLOCK_SIZE}`,
      f.cbBlockExtra,
    );
  }
}

/** The block map lies after the header and inside the file; the data follows the map. */
function checkAreas(f: VdiHeaderFields, fileSize: number): void {
  const mapEnd = f.offBlocks + f.cBlocks * 4;
  if (f.offBlocks < PRE_HEADER + MIN_HEADER_1_1 || mapEnd > fileSize) {
    throw bad(
      0x154,
      'block map outside the file',
      `${PRE_HEADER + MIN_HEADER_1_1}..${fileSize - f.cBlocks * 4}`,
      f.offBlocks,
    );
  }
  if (f.offData < mapEnd)
    throw bad(0x158, 'data area overlaps the block map', `>= ${mapEnd}`, f.offData);
}

/** Step 1 and 2 from the first sector. */
export function readVdiHeader(head: Uint8Array, fileSize: number): VdiHeader {
  if (head.length < HEADER_READ) {
    throw bad(0, 'file shorter than the header', HEADER_READ, head.length);
  }
  return validateVdiHeader(decodeVdiHeader(new Bytes(head, HEADER_STRUCTURE, 0)), fileSize);
}
