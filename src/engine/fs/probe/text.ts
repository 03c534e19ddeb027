// How libblkid turns on-disk bytes into the strings `blkid -p -o export` prints. The
// setters differ in small ways that show in the output (which whitespace is trimmed,
// where a string stops, when a UUID counts as absent), so each is reproduced here once
// and every prober uses these instead of ad-hoc decoding.
// Reference: util-linux libblkid superblocks.c (blkid_probe_set_label, _set_id_label,
// _set_utf8label, _set_uuid, _sprintf_uuid, _strncpy_uuid) and lib/encode.c.

import { formatUuid, latin1 } from '../../io/bytes.js';

export type Encoding = 'utf16le' | 'utf16be' | 'latin1';

const utf8 = new TextDecoder('utf-8');

/** C isspace() in the C locale. */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function cutAtNul(b: Uint8Array): Uint8Array {
  const end = b.indexOf(0);
  return end < 0 ? b : b.subarray(0, end);
}

function rtrim(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 0 && isSpace(b[end - 1]!)) end--;
  return b.subarray(0, end);
}

function ltrim(b: Uint8Array): Uint8Array {
  let start = 0;
  while (start < b.length && isSpace(b[start]!)) start++;
  return b.subarray(start);
}

const text = (b: Uint8Array): string | undefined => (b.length ? utf8.decode(b) : undefined);

/** blkid_probe_set_label: bytes up to the first NUL, trailing whitespace removed. */
export function rawLabel(b: Uint8Array): string | undefined {
  return text(rtrim(cutAtNul(b)));
}

/** blkid_probe_set_id_label (LABEL_FATBOOT, SUBSYSTEM, SYSTEM_ID …): trimmed both ends. */
export function idLabel(b: Uint8Array): string | undefined {
  return text(ltrim(rtrim(cutAtNul(b))));
}

/** ul_encode_to_utf8: code units up to the first NUL unit, as UTF-8 bytes. */
export function toUtf8(b: Uint8Array, enc: Encoding): Uint8Array {
  let s = '';
  if (enc === 'latin1') {
    s = latin1(cutAtNul(b));
  } else {
    for (let i = 0; i + 1 < b.length; i += 2) {
      const c = enc === 'utf16be' ? (b[i]! << 8) | b[i + 1]! : b[i]! | (b[i + 1]! << 8);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
  }
  return new TextEncoder().encode(s);
}

/** blkid_probe_set_utf8label: decoded, trailing whitespace removed. */
export function utf8Label(b: Uint8Array, enc: Encoding): string | undefined {
  return text(rtrim(toUtf8(b, enc)));
}

/** blkid_probe_set_utf8_id_label: decoded, trimmed both ends. */
export function utf8IdLabel(b: Uint8Array, enc: Encoding): string | undefined {
  return text(ltrim(rtrim(toUtf8(b, enc))));
}

/** blkid_uuid_is_empty: every byte zero means "no UUID". */
export function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** blkid_probe_set_uuid: a 16-byte DCE UUID in lowercase 8-4-4-4-12, absent when zero. */
export function dceUuid(b: Uint8Array): string | undefined {
  return b.length === 16 && !isZero(b) ? formatUuid(b) : undefined;
}

/** blkid_probe_strncpy_uuid: a UUID stored as text (LUKS, UDF), up to NUL, right-trimmed. */
export function textUuid(b: Uint8Array): string | undefined {
  if (!b.length || b[0] === 0) return undefined;
  return text(rtrim(cutAtNul(b)));
}

/** Two upper-case hex digits, as printf("%02X"). */
export const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** A little-endian 4-byte FAT/exFAT volume serial as blkid prints it: "1234-ABCD". */
export function serialUuid(b: Uint8Array): string | undefined {
  if (b.length !== 4 || isZero(b)) return undefined;
  return `${hex2(b[3]!)}${hex2(b[2]!)}-${hex2(b[1]!)}${hex2(b[0]!)}`;
}
