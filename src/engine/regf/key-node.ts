// Key node (nk): one registry key — its name, parent, subkey list, value list and class
// name. Names are stored as Latin-1 when KEY_COMP_NAME is set, otherwise as UTF-16LE.
// Reference: M. Suhanov, "Windows registry file format specification", "Key node".

import { corrupt } from '../errors.js';
import { latin1, type Bytes } from '../io/bytes.js';
import { HIVE_BINS_START, NO_OFFSET } from './base-block.js';
import type { CellMap } from './hive-bins.js';

export const NK_STRUCTURE = 'regf key node (nk)';
const CLASS_STRUCTURE = 'regf class name';
const NK_FIXED_SIZE = 76;

/** nk flags. */
export const KEY_HIVE_ENTRY = 0x0004;
export const KEY_SYM_LINK = 0x0010;
export const KEY_COMP_NAME = 0x0020;

export interface KeyNode {
  /** Absolute file offset of the nk cell (hivex's node handle). */
  offset: number;
  flags: number;
  /** FILETIME, UTC. */
  lastWritten: bigint;
  /** Absolute offset of the parent nk cell (meaningless for the root). */
  parent: number;
  subkeyCount: number;
  /** Absolute offset of the subkey list cell, or undefined when there is none. */
  subkeyList: number | undefined;
  valueCount: number;
  valueList: number | undefined;
  /** Absolute offset of the class name cell, or undefined. */
  classNameCell: number | undefined;
  classNameLength: number;
  name: string;
}

/** A relative cell offset field → absolute offset, or undefined for "none". */
export function cellOffset(field: number): number | undefined {
  return field === NO_OFFSET ? undefined : HIVE_BINS_START + field;
}

export function parseKeyNode(cells: CellMap, offset: number): KeyNode {
  const b = cells.cellData(offset, NK_STRUCTURE);
  if (!b.equals(0, 'nk')) throw corrupt(NK_STRUCTURE, b.base, 'bad signature', 'nk', b.ascii(0, 2));
  const flags = b.u16le(2);
  const nameLength = b.u16le(72);
  if (NK_FIXED_SIZE + nameLength > b.length) {
    throw corrupt(
      NK_STRUCTURE,
      b.base + 72,
      'key name runs past the end of its cell',
      `<= ${b.length - NK_FIXED_SIZE}`,
      nameLength,
    );
  }
  return {
    offset,
    flags,
    lastWritten: b.u64leBig(4),
    parent: HIVE_BINS_START + b.u32le(16),
    subkeyCount: b.u32le(20),
    subkeyList: cellOffset(b.u32le(28)),
    valueCount: b.u32le(36),
    valueList: cellOffset(b.u32le(40)),
    classNameCell: cellOffset(b.u32le(48)),
    classNameLength: b.u16le(74),
    name: decodeName(b, NK_FIXED_SIZE, nameLength, (flags & KEY_COMP_NAME) !== 0),
  };
}

/** A key or value name: Latin-1 ("compressed") or UTF-16LE. */
export function decodeName(b: Bytes, off: number, len: number, compressed: boolean): string {
  return compressed ? latin1(b.raw(off, len)) : utf16(b.raw(off, len));
}

/** UTF-16LE without stopping at NUL: registry names are counted, not terminated. */
export function utf16(raw: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < raw.length; i += 2)
    s += String.fromCharCode(raw[i]! | (raw[i + 1]! << 8));
  return s;
}

/** The key's class name (UTF-16LE), or "" when it has none. */
export function readClassName(cells: CellMap, nk: KeyNode): string {
  if (nk.classNameCell === undefined || nk.classNameLength === 0) return '';
  const b = cells.cellData(nk.classNameCell, CLASS_STRUCTURE);
  if (nk.classNameLength > b.length) {
    throw corrupt(
      CLASS_STRUCTURE,
      b.base,
      'class name runs past the end of its cell',
      `<= ${b.length}`,
      nk.classNameLength,
    );
  }
  return utf16(b.raw(0, nk.classNameLength));
}
