// EWF chunk tables and chunks. Each "table" section lists the chunks of the "sectors"
// section before it (32-bit offsets from a 64-bit base, the top bit saying "compressed");
// "table2" is its mirror, used when the table's checksum fails. A chunk runs from its
// offset to the next entry's, the last one to the end of its sectors section (or, in the
// original EWF/SMART layout, of the table section that holds the chunks). Compressed
// chunks are zlib streams (their Adler-32 is zlib's own trailer); uncompressed chunks
// carry an Adler-32 after the data.
// Reference: libewf "Expert Witness Compression Format (EWF)" §3.9 Sectors section (data
// chunk), §3.10 Table section (header: entry count, base offset, Adler-32; entries; EWF-E01
// adds an Adler-32 of the entries), §3.11 Table2 section; RFC 1950 (zlib).

import { inflateSync } from 'fflate';
import { corrupt } from '../../errors.js';
import { Bytes } from '../../io/bytes.js';
import { adler32 } from './adler32.js';
import { DESCRIPTOR_SIZE, type Segment, type Section } from './segment.js';
import type { EwfVolume } from './volume.js';

export const TABLE_STRUCTURE = 'EWF table section';
export const CHUNK_STRUCTURE = 'EWF chunk';
const TABLE_HEADER_SIZE = 24;
/**
 * Entries per table: EnCase writes at most 65534 (16375 before EnCase 6). A table is read
 * whole when first used (4 MiB at this limit).
 */
export const MAX_TABLE_ENTRIES = 1 << 20;
const TABLE_CACHE = 8;
const CHUNK_CACHE = 16;

interface Table {
  readonly segment: Segment;
  readonly section: Section;
  readonly count: number;
  readonly base: number;
  /** Where the last chunk of the table ends. */
  readonly end: number;
  readonly firstChunk: number;
  mirror: Table | undefined;
}

/** Collect the tables of every segment in chunk order (table headers read, entries not). */
export function collectTables(segments: readonly Segment[], volume: EwfVolume): Table[] {
  const tables: Table[] = [];
  let next = 0;
  for (const seg of segments) {
    let sectors: Section | undefined;
    let previous: Table | undefined;
    for (const s of seg.sections) {
      if (s.type === 'sectors') {
        sectors = s;
        previous = undefined;
      } else if (s.type === 'table' || (s.type === 'table2' && !previous)) {
        previous = readTableHeader(seg, s, sectors, next, volume);
        tables.push(previous);
        next += previous.count;
      } else if (s.type === 'table2' && previous && !previous.mirror) {
        previous.mirror = readTableHeader(seg, s, sectors, previous.firstChunk, volume);
      }
    }
  }
  return tables;
}

function readTableHeader(
  seg: Segment,
  s: Section,
  sectors: Section | undefined,
  firstChunk: number,
  v: EwfVolume,
): Table {
  const b = new Bytes(
    seg.file.readAt(s.dataOffset, TABLE_HEADER_SIZE),
    TABLE_STRUCTURE,
    s.dataOffset,
  );
  const sum = adler32(b.raw(0, 20));
  if (b.u32le(20) !== sum)
    throw corrupt(
      TABLE_STRUCTURE,
      s.dataOffset + 20,
      `${seg.name}: header checksum mismatch`,
      sum,
      b.u32le(20),
    );
  const count = b.u32le(0);
  const room = s.size - DESCRIPTOR_SIZE - TABLE_HEADER_SIZE;
  if (count > MAX_TABLE_ENTRIES || count * 4 > room) {
    throw corrupt(
      TABLE_STRUCTURE,
      s.dataOffset,
      `${seg.name}: entry count`,
      `<= ${Math.min(MAX_TABLE_ENTRIES, Math.floor(room / 4))}`,
      count,
    );
  }
  // Chunks live in the sectors section before the table (EWF-E01), else in the table section.
  const holder = v.layout === 'E01' && sectors ? sectors : s;
  return {
    segment: seg,
    section: s,
    count,
    base: b.u64le(8, 'base offset'),
    end: holder.offset + holder.size,
    firstChunk,
    mirror: undefined,
  };
}

/** Reads chunks through the tables, with small caches of tables and decompressed chunks. */
export class ChunkReader {
  private readonly entries = new Map<Table, Uint32Array>();
  private readonly chunks = new Map<number, Uint8Array>();
  readonly chunkSize: number;
  private readonly mediaSize: number;

  constructor(
    private readonly tables: readonly Table[],
    private readonly volume: EwfVolume,
  ) {
    this.chunkSize = volume.sectorsPerChunk * volume.bytesPerSector;
    this.mediaSize = volume.sectorCount * volume.bytesPerSector;
  }

  /** The bytes of chunk `i` (shorter for the last chunk of the media). */
  chunk(i: number): Uint8Array {
    const hit = this.chunks.get(i);
    if (hit) return hit;
    const data = this.readChunk(i);
    if (this.chunks.size >= CHUNK_CACHE) this.chunks.delete(this.chunks.keys().next().value!);
    this.chunks.set(i, data);
    return data;
  }

  private readChunk(i: number): Uint8Array {
    const t = this.tableOf(i);
    const e = this.tableEntries(t);
    const j = i - t.firstChunk;
    const start = t.base + (e[j]! & 0x7fffffff);
    const end = j + 1 < t.count ? t.base + (e[j + 1]! & 0x7fffffff) : t.end;
    const compressed = (e[j]! & 0x80000000) !== 0;
    const expected = Math.min(this.chunkSize, this.mediaSize - i * this.chunkSize);
    const entryAt = t.section.dataOffset + TABLE_HEADER_SIZE + j * 4;
    const stored = end - start;
    if (
      start < 0 ||
      stored < 6 ||
      stored > this.chunkSize + 1024 ||
      start + stored > t.segment.file.size
    ) {
      throw corrupt(
        TABLE_STRUCTURE,
        entryAt,
        `${t.segment.name}: chunk ${i} lies outside its section`,
        `${stored} bytes inside the file`,
        `${start}..${start + stored}`,
      );
    }
    const raw = t.segment.file.readAt(start, stored);
    const data = compressed
      ? inflateChunk(raw, this.chunkSize, start, i)
      : checkedPlain(raw, this.chunkSize, start, i);
    // The last chunk may hold the bytes of a partial last sector past the media size.
    if (data.length < expected) {
      throw corrupt(
        CHUNK_STRUCTURE,
        start,
        `chunk ${i}: shorter than the media needs`,
        expected,
        data.length,
      );
    }
    return data.subarray(0, expected);
  }

  private tableOf(i: number): Table {
    let lo = 0;
    let hi = this.tables.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.tables[mid]!.firstChunk <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.tables[lo]!;
  }

  /** The entries of a table; a checksum failure falls back to the table2 mirror. */
  private tableEntries(t: Table): Uint32Array {
    const hit = this.entries.get(t);
    if (hit) return hit;
    let e: Uint32Array;
    try {
      e = readEntries(t, this.volume);
    } catch (err) {
      if (!t.mirror || t.mirror.count !== t.count) throw err;
      e = readEntries(t.mirror, this.volume);
    }
    if (this.entries.size >= TABLE_CACHE) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(t, e);
    return e;
  }
}

function readEntries(t: Table, v: EwfVolume): Uint32Array {
  const at = t.section.dataOffset + TABLE_HEADER_SIZE;
  const withSum = v.layout === 'E01';
  const b = new Bytes(
    t.segment.file.readAt(at, t.count * 4 + (withSum ? 4 : 0)),
    TABLE_STRUCTURE,
    at,
  );
  if (withSum) {
    const sum = adler32(b.raw(0, t.count * 4));
    if (b.u32le(t.count * 4) !== sum) {
      throw corrupt(
        TABLE_STRUCTURE,
        at + t.count * 4,
        `${t.segment.name}: entries checksum mismatch`,
        sum,
        b.u32le(t.count * 4),
      );
    }
  }
  const out = new Uint32Array(t.count);
  for (let k = 0; k < t.count; k++) out[k] = b.u32le(k * 4);
  return out;
}

/** A zlib stream: header check, inflate to at most a chunk, Adler-32 trailer. */
function inflateChunk(raw: Uint8Array, chunkSize: number, at: number, i: number): Uint8Array {
  const cmf = raw[0]!;
  const flg = raw[1]!;
  if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20) !== 0) {
    throw corrupt(
      CHUNK_STRUCTURE,
      at,
      `chunk ${i}: not a zlib stream`,
      'deflate header',
      `${cmf.toString(16)} ${flg.toString(16)}`,
    );
  }
  let out: Uint8Array;
  try {
    // One byte of room past a chunk: fflate stops silently at a full buffer.
    out = inflateSync(raw.subarray(2), { out: new Uint8Array(chunkSize + 1) });
  } catch (e) {
    throw corrupt(CHUNK_STRUCTURE, at, `chunk ${i}: bad deflate data (${(e as Error).message})`);
  }
  if (out.length > chunkSize) {
    throw corrupt(
      CHUNK_STRUCTURE,
      at,
      `chunk ${i}: decompresses to more than a chunk`,
      chunkSize,
      '> chunk size',
    );
  }
  const trailer = new Bytes(raw, CHUNK_STRUCTURE, at).u32be(raw.length - 4);
  const sum = adler32(out);
  if (trailer !== sum)
    throw corrupt(
      CHUNK_STRUCTURE,
      at + raw.length - 4,
      `chunk ${i}: Adler-32 mismatch`,
      sum,
      trailer,
    );
  return out;
}

/** Uncompressed chunk data followed by its little-endian Adler-32. */
function checkedPlain(raw: Uint8Array, chunkSize: number, at: number, i: number): Uint8Array {
  const n = raw.length - 4;
  if (n > chunkSize) {
    throw corrupt(
      CHUNK_STRUCTURE,
      at,
      `chunk ${i}: longer than a chunk`,
      `<= ${chunkSize + 4}`,
      raw.length,
    );
  }
  const data = raw.subarray(0, n);
  const stored = new Bytes(raw, CHUNK_STRUCTURE, at).u32le(n);
  const sum = adler32(data);
  if (stored !== sum)
    throw corrupt(CHUNK_STRUCTURE, at + n, `chunk ${i}: Adler-32 mismatch`, sum, stored);
  return data;
}
