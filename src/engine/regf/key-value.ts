// Key value (vk) and the key values list that an nk points to. The data size's top bit
// says the data (≤ 4 bytes) sits in the data offset field itself; otherwise the offset
// names a cell — or, for large data, a big data (db) record (see big-data.ts).
// Reference: M. Suhanov, "Windows registry file format specification", "Key values list",
// "Key value".

import { corrupt } from '../errors.js';
import type { CellMap } from './hive-bins.js';
import { decodeName, type KeyNode } from './key-node.js';
import { HIVE_BINS_START } from './base-block.js';

export const VK_STRUCTURE = 'regf key value (vk)';
const VALUE_LIST_STRUCTURE = 'regf key values list';
const VK_FIXED_SIZE = 20;
/** vk flag: the name is Latin-1 ("compressed"), not UTF-16LE. */
const VALUE_COMP_NAME = 0x0001;
const DATA_INLINE = 0x80000000;

export interface KeyValue {
  /** Absolute file offset of the vk cell (hivex's value handle). */
  offset: number;
  /** "" for the key's default value. */
  name: string;
  type: number;
  /** Data length in bytes (the inline bit removed). */
  dataSize: number;
  /** The data lives in the data offset field. */
  inline: boolean;
  /** The raw data offset field (relative), or inline data bytes as a number. */
  dataField: number;
  /** Absolute offset of the vk's data offset field (inline data is read from here). */
  dataFieldOffset: number;
}

export function parseKeyValue(cells: CellMap, offset: number): KeyValue {
  const b = cells.cellData(offset, VK_STRUCTURE);
  if (!b.equals(0, 'vk')) throw corrupt(VK_STRUCTURE, b.base, 'bad signature', 'vk', b.ascii(0, 2));
  const nameLength = b.u16le(2);
  if (VK_FIXED_SIZE + nameLength > b.length) {
    throw corrupt(
      VK_STRUCTURE,
      b.base + 2,
      'value name runs past the end of its cell',
      `<= ${b.length - VK_FIXED_SIZE}`,
      nameLength,
    );
  }
  const rawSize = b.u32le(4);
  const flags = b.u16le(16);
  return {
    offset,
    name: decodeName(b, VK_FIXED_SIZE, nameLength, (flags & VALUE_COMP_NAME) !== 0),
    type: b.u32le(12),
    dataSize: (rawSize & ~DATA_INLINE) >>> 0,
    inline: (rawSize & DATA_INLINE) !== 0,
    dataField: b.u32le(8),
    dataFieldOffset: b.base + 8,
  };
}

/** The absolute offsets of the vk cells of a key, from its key values list. */
export function valueOffsets(cells: CellMap, nk: KeyNode): number[] {
  if (nk.valueCount === 0) return [];
  if (nk.valueList === undefined) {
    throw corrupt(
      'regf key node (nk)',
      nk.offset + 4 + 40,
      'key has values but no values list',
      'a list offset',
      'none',
    );
  }
  const b = cells.cellData(nk.valueList, VALUE_LIST_STRUCTURE);
  // The count comes from the nk; the list cell bounds it, so nothing is allocated on its
  // word beyond the hive's own size.
  if (nk.valueCount * 4 > b.length) {
    throw corrupt(
      VALUE_LIST_STRUCTURE,
      b.base,
      'value count exceeds the list cell',
      `<= ${b.length / 4}`,
      nk.valueCount,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < nk.valueCount; i++) out.push(HIVE_BINS_START + b.u32le(i * 4));
  return out;
}
