// Small helpers over a Hive for the inspection passes: a value as string or DWORD, or
// undefined when it is missing or not of that type (libguestfs treats both as "not
// found" for the optional fields it reads).

import type { Hive, KeyNode } from '../../regf/hive.js';
import {
  REG_DWORD,
  REG_DWORD_BIG_ENDIAN,
  REG_EXPAND_SZ,
  REG_LINK,
  REG_SZ,
  valueDword,
  valueString,
} from '../../regf/value-types.js';

export function stringValue(hive: Hive, nk: KeyNode, name: string): string | undefined {
  const v = hive.getValue(nk, name);
  if (!v || (v.type !== REG_SZ && v.type !== REG_EXPAND_SZ && v.type !== REG_LINK))
    return undefined;
  return valueString(v.type, hive.data(v));
}

export function dwordValue(hive: Hive, nk: KeyNode, name: string): number | undefined {
  const v = hive.getValue(nk, name);
  if (!v || (v.type !== REG_DWORD && v.type !== REG_DWORD_BIG_ENDIAN) || v.dataSize < 4)
    return undefined;
  return valueDword(v.type, hive.data(v));
}
