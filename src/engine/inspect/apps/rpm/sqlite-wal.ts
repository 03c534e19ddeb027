// Replaying a SQLite write-ahead log into the database image, so that transactions rpm
// committed but never checkpointed are seen (rpm 4.16+ keeps rpmdb.sqlite in WAL mode).
// Frames count only up to the last valid commit frame: a frame whose salts differ from
// the header's or whose cumulative checksum fails ends the log, as in SQLite's recovery.
// Reference: SQLite "Database File Format" §4 "The Write-Ahead Log" (WAL header, frame
// header, checksum algorithm), §1.3 "The Database Header" (page size, read/write version).

import { corrupt } from '../../../errors.js';
import { Bytes } from '../../../io/bytes.js';

const WAL_STRUCTURE = 'sqlite wal header';
const FRAME_STRUCTURE = 'sqlite wal frame';
const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from [s0, s1]. */
export function walChecksum(
  data: Uint8Array,
  bigEndian: boolean,
  s: [number, number],
): [number, number] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let [s0, s1] = s;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    s0 = (s0 + dv.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + dv.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

/** The database page size from its header (1 means 65536). */
export function sqlitePageSize(db: Uint8Array): number {
  const raw = new Bytes(db, 'sqlite database header').u16be(16);
  return raw === 1 ? 65536 : raw;
}

/** The database image with every committed WAL frame applied. */
export function applyWal(db: Uint8Array, wal: Uint8Array): Uint8Array {
  if (wal.length < WAL_HEADER) return db;
  const h = new Bytes(wal, WAL_STRUCTURE);
  const magic = h.u32be(0);
  if (magic !== WAL_MAGIC_LE && magic !== WAL_MAGIC_BE)
    throw corrupt(WAL_STRUCTURE, 0, 'bad magic', WAL_MAGIC_LE, magic);
  const bigEndian = magic === WAL_MAGIC_BE;
  const pageSize = h.u32be(8);
  if (pageSize !== sqlitePageSize(db))
    throw corrupt(
      WAL_STRUCTURE,
      8,
      'page size differs from the database',
      sqlitePageSize(db),
      pageSize,
    );
  let sum = walChecksum(wal.subarray(0, 24), bigEndian, [0, 0]);
  if (sum[0] !== h.u32be(24) || sum[1] !== h.u32be(28)) return db; // an invalid header: no log
  const salt = [h.u32be(16), h.u32be(20)];
  const pages = new Map<number, Uint8Array>();
  let committed = new Map<number, Uint8Array>();
  let dbPages = 0;
  for (
    let off = WAL_HEADER;
    off + FRAME_HEADER + pageSize <= wal.length;
    off += FRAME_HEADER + pageSize
  ) {
    const f = h.sub(off, FRAME_HEADER, FRAME_STRUCTURE);
    if (f.u32be(8) !== salt[0] || f.u32be(12) !== salt[1]) break;
    sum = walChecksum(wal.subarray(off, off + 8), bigEndian, sum);
    sum = walChecksum(
      wal.subarray(off + FRAME_HEADER, off + FRAME_HEADER + pageSize),
      bigEndian,
      sum,
    );
    if (sum[0] !== f.u32be(16) || sum[1] !== f.u32be(20)) break;
    pages.set(f.u32be(0), wal.subarray(off + FRAME_HEADER, off + FRAME_HEADER + pageSize));
    if (f.u32be(4) !== 0) {
      dbPages = f.u32be(4);
      committed = new Map(pages);
    }
  }
  if (committed.size === 0) return db;
  const out = new Uint8Array(dbPages * pageSize);
  out.set(db.subarray(0, Math.min(db.length, out.length)));
  for (const [pgno, page] of committed)
    if (pgno >= 1 && pgno <= dbPages) out.set(page, (pgno - 1) * pageSize);
  return out;
}
