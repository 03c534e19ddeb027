// The Berkeley DB hash database rpm used before 4.16 (/var/lib/rpm/Packages): key = header
// number (4 bytes, host order), value = header blob. We walk every hash bucket — bucket
// pages and their overflow bucket pages through next_pgno — and read each key/data pair;
// values too large for a page live on chains of overflow pages (H_OFFPAGE). Pages are in
// the byte order of the machine that wrote them: the metadata magic tells which.
// Reference: Berkeley DB 5.3 dbinc/db_page.h (PAGE header, HMETA, HKEYDATA, HOFFPAGE,
// P_HASH/P_OVERFLOW), hash/hash_page.c (BUCKET_TO_PAGE, __db_log2).

import { corrupt, unsupported } from '../../../errors.js';
import { Bytes } from '../../../io/bytes.js';
import type { PackageBlob } from './sqlite.js';

const STRUCTURE = 'Berkeley DB hash metadata page';
const PAGE_STRUCTURE = 'Berkeley DB hash page';
const OVERFLOW_STRUCTURE = 'Berkeley DB overflow page';
const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;
const DBMETA_CHKSUM = 0x01;
/** A value larger than an rpm header can be (rpm's hdrchkData + index) is damage. */
export const MAX_BDB_RECORD = 0x10000000 + 16 * 0x10000;

class Pages {
  readonly le: boolean;
  readonly pageSize: number;
  readonly count: number;

  constructor(readonly file: Uint8Array) {
    const b = new Bytes(file, STRUCTURE);
    if (file.length < 512)
      throw corrupt(STRUCTURE, 0, 'file too small for a metadata page', 512, file.length);
    this.le = b.u32le(12) === HASH_MAGIC;
    if (!this.le && b.u32be(12) !== HASH_MAGIC)
      throw corrupt(STRUCTURE, 12, 'not a Berkeley DB hash database', HASH_MAGIC, b.u32le(12));
    this.pageSize = this.u32(b, 20);
    if (
      this.pageSize < 512 ||
      this.pageSize > 65536 ||
      (this.pageSize & (this.pageSize - 1)) !== 0
    ) {
      throw corrupt(
        STRUCTURE,
        20,
        'page size is not a power of two in 512..65536',
        '512..65536',
        this.pageSize,
      );
    }
    this.count = Math.floor(file.length / this.pageSize);
  }

  u32(b: Bytes, off: number): number {
    return this.le ? b.u32le(off) : b.u32be(off);
  }
  u16(b: Bytes, off: number): number {
    return this.le ? b.u16le(off) : b.u16be(off);
  }

  page(pgno: number, structure: string): Bytes {
    if (pgno < 1 || pgno >= this.count) {
      throw corrupt(
        structure,
        pgno * this.pageSize,
        'page number outside the file',
        `< ${this.count}`,
        pgno,
      );
    }
    return new Bytes(
      this.file.subarray(pgno * this.pageSize, (pgno + 1) * this.pageSize),
      structure,
      pgno * this.pageSize,
    );
  }
}

/** Smallest i with 2^i ≥ n: Berkeley DB's __db_log2. */
function ceilLog2(n: number): number {
  let i = 0;
  while (2 ** i < n) i++;
  return i;
}

interface HashMeta {
  maxBucket: number;
  spares: number[];
}

function readMeta(p: Pages): HashMeta {
  const b = new Bytes(p.file.subarray(0, p.pageSize), STRUCTURE);
  if (b.u8(25) !== P_HASHMETA)
    throw corrupt(STRUCTURE, 25, 'page 0 is not a hash metadata page', P_HASHMETA, b.u8(25));
  if (b.u8(24) !== 0) throw unsupported('encrypted Berkeley DB databases');
  if ((b.u8(26) & DBMETA_CHKSUM) !== 0) throw unsupported('Berkeley DB page checksums');
  const maxBucket = p.u32(b, 72);
  // Bucket pages must exist, so a larger bucket count than pages is damage.
  if (maxBucket >= p.count)
    throw corrupt(STRUCTURE, 72, 'more buckets than pages', `< ${p.count}`, maxBucket);
  const spares: number[] = [];
  for (let i = 0; i < 32; i++) spares.push(p.u32(b, 96 + i * 4));
  return { maxBucket, spares };
}

function itemBounds(p: Pages, page: Bytes, i: number): [number, number] {
  const start = p.u16(page, PAGE_HEADER + 2 * i);
  const end = i === 0 ? p.pageSize : p.u16(page, PAGE_HEADER + 2 * (i - 1));
  if (start < PAGE_HEADER || start >= end || end > p.pageSize) {
    throw corrupt(
      PAGE_STRUCTURE,
      page.base + PAGE_HEADER + 2 * i,
      'item offset out of order or outside the page',
      `< ${end}`,
      start,
    );
  }
  return [start, end];
}

function overflow(p: Pages, first: number, length: number): Uint8Array {
  if (length > MAX_BDB_RECORD)
    throw corrupt(
      OVERFLOW_STRUCTURE,
      first * p.pageSize,
      'record exceeds MAX_BDB_RECORD',
      `<= ${MAX_BDB_RECORD}`,
      length,
    );
  const out = new Uint8Array(length);
  let done = 0;
  for (let pgno = first, hops = 0; done < length; hops++) {
    const page = p.page(pgno, OVERFLOW_STRUCTURE);
    if (page.u8(25) !== P_OVERFLOW || hops > p.count)
      throw corrupt(
        OVERFLOW_STRUCTURE,
        page.base + 25,
        'not an overflow page',
        P_OVERFLOW,
        page.u8(25),
      );
    const len = Math.min(p.u16(page, 22), length - done);
    out.set(page.raw(PAGE_HEADER, len), done);
    done += len;
    pgno = p.u32(page, 16);
    if (done < length && pgno === 0)
      throw corrupt(
        OVERFLOW_STRUCTURE,
        page.base + 16,
        'overflow chain ends before the record does',
        length,
        done,
      );
  }
  return out;
}

function item(p: Pages, page: Bytes, i: number): Uint8Array {
  const [start, end] = itemBounds(p, page, i);
  const type = page.u8(start);
  if (type === H_KEYDATA) return page.raw(start + 1, end - start - 1);
  if (type === H_OFFPAGE) return overflow(p, p.u32(page, start + 4), p.u32(page, start + 8));
  throw unsupported(
    `Berkeley DB hash item type ${type}`,
    'rpm Packages databases hold no duplicates',
  );
}

/** Every (header number, blob) pair of an rpm Packages hash database, bucket by bucket. */
export function readBdbPackages(file: Uint8Array): PackageBlob[] {
  const p = new Pages(file);
  const meta = readMeta(p);
  const out: PackageBlob[] = [];
  const seen = new Set<number>();
  for (let bucket = 0; bucket <= meta.maxBucket; bucket++) {
    let pgno = bucket + (meta.spares[ceilLog2(bucket + 1)] ?? 0);
    while (pgno !== 0) {
      if (seen.has(pgno))
        throw corrupt(PAGE_STRUCTURE, pgno * p.pageSize, 'bucket page chain loops');
      seen.add(pgno);
      const page = p.page(pgno, PAGE_STRUCTURE);
      const type = page.u8(25);
      if (type !== P_HASH && type !== P_HASH_UNSORTED)
        throw corrupt(PAGE_STRUCTURE, page.base + 25, 'not a hash page', P_HASH, type);
      const entries = p.u16(page, 20);
      for (let i = 0; i + 1 < entries; i += 2) {
        const key = item(p, page, i);
        if (key.length !== 4) continue;
        const hnum = p.le
          ? new DataView(key.buffer, key.byteOffset).getUint32(0, true)
          : new DataView(key.buffer, key.byteOffset).getUint32(0, false);
        if (hnum === 0) continue; // rpm's record 0 holds the next instance number, no header
        out.push({ hnum, blob: item(p, page, i + 1) });
      }
      pgno = p.u32(page, 16);
    }
  }
  return out.sort((a, b) => a.hnum - b.hnum);
}
