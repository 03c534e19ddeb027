// rpm's NDB package database (Packages.db, rpm ≥ 4.15 on SUSE): a 32-byte header, slot
// pages of 16-byte slots (package index, block offset, block count; blocks are 16 bytes),
// and blobs framed by a 16-byte head ("BlbS", index, timestamp, length) and a 12-byte tail
// (Adler-32 of head + data + padding, length, "BlbE"). Slots are read in block order, as
// rpm lists them.
// Reference: rpm lib/backend/ndb/rpmpkg.c (rpmpkgReadHeader, rpmpkgReadSlots,
// rpmpkgReadBlob, rpmpkgListInternal).

import { corrupt, unsupported } from '../../../errors.js';
import { Bytes } from '../../../io/bytes.js';
import type { PackageBlob } from './sqlite.js';

const HEADER_STRUCTURE = 'rpm ndb header';
const SLOT_STRUCTURE = 'rpm ndb slot';
const BLOB_STRUCTURE = 'rpm ndb blob';
const PKGDB_MAGIC = 0x506d7052; // "RpmP" little-endian
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOBHEAD_MAGIC = 0x53626c42; // "BlbS"
const BLOBTAIL_MAGIC = 0x45626c42; // "BlbE"
const PKGDB_HEADER_SIZE = 32;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const PAGE_SIZE = 4096;
const BLOBHEAD_SIZE = 16;
const BLOBTAIL_SIZE = 12;

export function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  for (let i = 0; i < data.length;) {
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

interface Slot {
  pkgidx: number;
  blkoff: number;
  blkcnt: number;
  at: number;
}

function readSlots(file: Bytes): Slot[] {
  if (file.u32le(0) !== PKGDB_MAGIC)
    throw corrupt(HEADER_STRUCTURE, 0, 'bad magic', 'RpmP', file.ascii(0, 4));
  if (file.u32le(4) !== 0) throw unsupported(`rpm ndb version ${file.u32le(4)}`);
  const slotnpages = file.u32le(12);
  if (slotnpages === 0 || slotnpages * PAGE_SIZE > file.length) {
    throw corrupt(
      HEADER_STRUCTURE,
      12,
      'slot pages run past the file',
      `<= ${Math.floor(file.length / PAGE_SIZE)}`,
      slotnpages,
    );
  }
  const fileblks = Math.floor(file.length / BLK_SIZE);
  const minblkoff = (slotnpages * PAGE_SIZE) / BLK_SIZE;
  const slots: Slot[] = [];
  for (let at = PKGDB_HEADER_SIZE; at < slotnpages * PAGE_SIZE; at += SLOT_SIZE) {
    if (file.u32le(at) !== SLOT_MAGIC)
      throw corrupt(SLOT_STRUCTURE, at, 'bad magic', 'Slot', file.ascii(at, 4));
    const blkoff = file.u32le(at + 8);
    if (blkoff === 0) continue;
    const slot = { pkgidx: file.u32le(at + 4), blkoff, blkcnt: file.u32le(at + 12), at };
    if (
      slot.pkgidx === 0 ||
      slot.blkcnt === 0 ||
      blkoff < minblkoff ||
      blkoff + slot.blkcnt > fileblks
    ) {
      throw corrupt(
        SLOT_STRUCTURE,
        at,
        'slot points outside the blob area',
        `${minblkoff}..${fileblks}`,
        blkoff,
      );
    }
    slots.push(slot);
  }
  return slots.sort((a, b) => a.blkoff - b.blkoff);
}

function readBlob(file: Bytes, slot: Slot): Uint8Array {
  const at = slot.blkoff * BLK_SIZE;
  const head = file.sub(at, BLOBHEAD_SIZE, BLOB_STRUCTURE);
  if (head.u32le(0) !== BLOBHEAD_MAGIC)
    throw corrupt(BLOB_STRUCTURE, at, 'bad head magic', 'BlbS', head.ascii(0, 4));
  if (head.u32le(4) !== slot.pkgidx)
    throw corrupt(
      BLOB_STRUCTURE,
      at + 4,
      'package index differs from its slot',
      slot.pkgidx,
      head.u32le(4),
    );
  const len = head.u32le(12);
  const blkcnt = Math.ceil((BLOBHEAD_SIZE + len + BLOBTAIL_SIZE) / BLK_SIZE);
  if (blkcnt !== slot.blkcnt)
    throw corrupt(
      BLOB_STRUCTURE,
      at + 12,
      'length disagrees with the slot block count',
      slot.blkcnt,
      blkcnt,
    );
  const tailAt = at + slot.blkcnt * BLK_SIZE - BLOBTAIL_SIZE;
  const tail = file.sub(tailAt, BLOBTAIL_SIZE, BLOB_STRUCTURE);
  if (tail.u32le(8) !== BLOBTAIL_MAGIC || tail.u32le(4) !== len) {
    throw corrupt(
      BLOB_STRUCTURE,
      tailAt,
      'bad tail (magic or length)',
      `BlbE/${len}`,
      `${tail.ascii(8, 4)}/${tail.u32le(4)}`,
    );
  }
  const sum = adler32(file.raw(at, tailAt - at));
  if (sum !== tail.u32le(0))
    throw corrupt(BLOB_STRUCTURE, tailAt, 'Adler-32 mismatch', tail.u32le(0), sum);
  return file.raw(at + BLOBHEAD_SIZE, len);
}

export function readNdbPackages(bytes: Uint8Array): PackageBlob[] {
  const file = new Bytes(bytes, HEADER_STRUCTURE);
  return readSlots(file).map((s) => ({ hnum: s.pkgidx, blob: readBlob(file, s) }));
}
