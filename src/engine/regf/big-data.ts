// Value data: inline in the vk, in one cell, or — for data larger than 16344 bytes in
// hives of version 1.4 and later — split into segments listed by a big data (db) record.
// Each segment holds 16344 bytes of data except the last.
// Reference: M. Suhanov, "Windows registry file format specification", "Key value"
// ("Data size"), "Big data".

import { corrupt } from '../errors.js';
import type { CellMap } from './hive-bins.js';
import { cellOffset } from './key-node.js';
import type { KeyValue } from './key-value.js';
import { HIVE_BINS_START } from './base-block.js';

const DATA_STRUCTURE = 'regf value data';
const DB_STRUCTURE = 'regf big data (db)';
const SEGMENT_LIST_STRUCTURE = 'regf big data segment list';
const SEGMENT_STRUCTURE = 'regf big data segment';
/** Bytes of value data per db segment (Windows' CM_KEY_VALUE_BIG). */
export const DB_SEGMENT_DATA = 16344;
/**
 * Largest value data we assemble. Windows advises under 1 MiB per value and real hives'
 * largest values (certificate stores, policy blobs) stay well below this; a larger size
 * field is damage, not data.
 */
export const MAX_VALUE_DATA = 64 * 1024 * 1024;

/** The value's data bytes. */
export function readValueData(cells: CellMap, file: Uint8Array, vk: KeyValue): Uint8Array {
  if (vk.inline) {
    if (vk.dataSize > 4) {
      throw corrupt(
        'regf key value (vk)',
        vk.dataFieldOffset - 4,
        'inline data longer than 4 bytes',
        '<= 4',
        vk.dataSize,
      );
    }
    return file.slice(vk.dataFieldOffset, vk.dataFieldOffset + vk.dataSize);
  }
  if (vk.dataSize === 0) return new Uint8Array(0);
  if (vk.dataSize > MAX_VALUE_DATA) {
    throw corrupt(
      'regf key value (vk)',
      vk.dataFieldOffset - 4,
      'data size exceeds MAX_VALUE_DATA',
      `<= ${MAX_VALUE_DATA}`,
      vk.dataSize,
    );
  }
  const at = cellOffset(vk.dataField);
  if (at === undefined) {
    throw corrupt(
      'regf key value (vk)',
      vk.dataFieldOffset,
      'value has data but no data cell',
      'a cell offset',
      'none',
    );
  }
  const cell = cells.cellData(at, DATA_STRUCTURE);
  // Hives before version 1.4 (and hivex) keep large data in one cell: use it whenever it fits.
  if (vk.dataSize <= cell.length) return cell.raw(0, vk.dataSize).slice();
  if (vk.dataSize > DB_SEGMENT_DATA && cell.length >= 8 && cell.equals(0, 'db')) {
    return readBigData(cells, at, vk.dataSize);
  }
  throw corrupt(
    DATA_STRUCTURE,
    cell.base,
    'data size exceeds its cell and the cell is no db record',
    `<= ${cell.length}`,
    vk.dataSize,
  );
}

function readBigData(cells: CellMap, dbOffset: number, size: number): Uint8Array {
  const db = cells.cellData(dbOffset, DB_STRUCTURE);
  const count = db.u16le(2);
  const needed = Math.ceil(size / DB_SEGMENT_DATA);
  if (count < needed) {
    throw corrupt(
      DB_STRUCTURE,
      db.base + 2,
      'too few segments for the data size',
      `>= ${needed}`,
      count,
    );
  }
  const list = cells.cellData(HIVE_BINS_START + db.u32le(4), SEGMENT_LIST_STRUCTURE);
  if (needed * 4 > list.length) {
    throw corrupt(
      SEGMENT_LIST_STRUCTURE,
      list.base,
      'segment count exceeds the list cell',
      `<= ${list.length / 4}`,
      needed,
    );
  }
  const out = new Uint8Array(size);
  for (let i = 0, done = 0; i < needed; i++) {
    const take = Math.min(DB_SEGMENT_DATA, size - done);
    const seg = cells.cellData(HIVE_BINS_START + list.u32le(i * 4), SEGMENT_STRUCTURE);
    if (take > seg.length) {
      throw corrupt(
        SEGMENT_STRUCTURE,
        seg.base,
        'segment cell smaller than its share of the data',
        `>= ${take}`,
        seg.length,
      );
    }
    out.set(seg.raw(0, take), done);
    done += take;
  }
  return out;
}
