// Registry value types and the conversions hivex offers on value data (hivex_value_string,
// hivex_value_multiple_strings, hivex_value_dword, hivex_value_qword), with the same
// rules: strings are UTF-16LE cut at the first NUL code unit (Windows often leaves junk
// after it), DWORD_BIG_ENDIAN is the only big-endian type.
// Reference: M. Suhanov, "Windows registry file format specification", "Data types";
// hivex(3) "VALUES".

import { EngineError } from '../errors.js';

export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_RESOURCE_LIST = 8;
export const REG_FULL_RESOURCE_DESCRIPTOR = 9;
export const REG_RESOURCE_REQUIREMENTS_LIST = 10;
export const REG_QWORD = 11;

export const REG_TYPE_NAMES: Record<number, string> = {
  [REG_NONE]: 'REG_NONE',
  [REG_SZ]: 'REG_SZ',
  [REG_EXPAND_SZ]: 'REG_EXPAND_SZ',
  [REG_BINARY]: 'REG_BINARY',
  [REG_DWORD]: 'REG_DWORD',
  [REG_DWORD_BIG_ENDIAN]: 'REG_DWORD_BIG_ENDIAN',
  [REG_LINK]: 'REG_LINK',
  [REG_MULTI_SZ]: 'REG_MULTI_SZ',
  [REG_RESOURCE_LIST]: 'REG_RESOURCE_LIST',
  [REG_FULL_RESOURCE_DESCRIPTOR]: 'REG_FULL_RESOURCE_DESCRIPTOR',
  [REG_RESOURCE_REQUIREMENTS_LIST]: 'REG_RESOURCE_REQUIREMENTS_LIST',
  [REG_QWORD]: 'REG_QWORD',
};

export function typeName(type: number): string {
  return REG_TYPE_NAMES[type] ?? `REG_UNKNOWN_${type}`;
}

function wrongType(want: string, type: number): EngineError {
  return new EngineError('EINVAL', `value type is ${typeName(type)}, not ${want}`);
}

/** UTF-16LE text of `data` up to (not including) the first NUL code unit. */
export function utf16z(data: Uint8Array, from = 0): { text: string; end: number } {
  let s = '';
  let i = from;
  for (; i + 1 < data.length; i += 2) {
    const c = data[i]! | (data[i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return { text: s, end: i };
}

/** hivex_value_string: REG_SZ, REG_EXPAND_SZ or REG_LINK as text. */
export function valueString(type: number, data: Uint8Array): string {
  if (type !== REG_SZ && type !== REG_EXPAND_SZ && type !== REG_LINK) {
    throw wrongType('string/expand_string/link', type);
  }
  return utf16z(data).text;
}

/** hivex_value_multiple_strings: the strings of a REG_MULTI_SZ, up to the empty one. */
export function valueMultipleStrings(type: number, data: Uint8Array): string[] {
  if (type !== REG_MULTI_SZ) throw wrongType('multiple_strings', type);
  const out: string[] = [];
  for (let off = 0; off + 1 < data.length;) {
    const { text, end } = utf16z(data, off);
    if (text === '') break;
    out.push(text);
    off = end + 2;
  }
  return out;
}

/** hivex_value_dword: REG_DWORD (little-endian) or REG_DWORD_BIG_ENDIAN, signed like hivex. */
export function valueDword(type: number, data: Uint8Array): number {
  if ((type !== REG_DWORD && type !== REG_DWORD_BIG_ENDIAN) || data.length < 4) {
    throw wrongType('dword/dword_be', type);
  }
  return new DataView(data.buffer, data.byteOffset, 4).getInt32(0, type === REG_DWORD);
}

/** hivex_value_qword: REG_QWORD, little-endian, signed. */
export function valueQword(type: number, data: Uint8Array): bigint {
  if (type !== REG_QWORD || data.length < 8) throw wrongType('qword', type);
  return new DataView(data.buffer, data.byteOffset, 8).getBigInt64(0, true);
}
