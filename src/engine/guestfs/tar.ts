// A POSIX tar writer: ustar headers, with a pax extended header ('x') in front of any
// member whose name, link target, size, ids or time do not fit ustar's fields or whose
// name is not ASCII, and for extended attributes (GNU tar's SCHILY.xattr.*, SCHILY.acl.*
// and RHT.security.selinux records). Headers are built one member at a time; file data
// is streamed by the caller, so the archive is never held in memory.
// Reference: POSIX.1-2017 XCU pax "ustar Interchange Format" and "pax Extended Header";
// GNU tar manual "Extended attributes" (record names).

import { EngineError } from '../errors.js';

export const BLOCK = 512;
/** GNU tar's default record: 20 blocks. The archive is padded to a whole record. */
export const RECORD = 20 * BLOCK;

const USTAR_MAX_OCTAL_8 = 0o7777777; // mode, uid, gid, devmajor, devminor
const USTAR_MAX_OCTAL_12 = 0o77777777777; // size, mtime

export type TarType =
  'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'directory' | 'fifo';

const TYPEFLAG: Record<TarType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  chardev: '3',
  blockdev: '4',
  directory: '5',
  fifo: '6',
};

export interface TarMember {
  /** Member name as tar stores it ("./etc/passwd", "./etc/" for directories). */
  name: string;
  type: TarType;
  /** Permission bits and setuid/setgid/sticky (mode & 07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Data bytes that follow (files only). */
  size: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extra pax records: key → raw value bytes (xattrs, ACLs, SELinux). */
  pax?: [string, Uint8Array][];
}

const enc = new TextEncoder();

function octal(v: number, width: number): string {
  return v.toString(8).padStart(width - 1, '0');
}

function putString(h: Uint8Array, off: number, len: number, s: string | Uint8Array): void {
  const b = typeof s === 'string' ? enc.encode(s) : s;
  h.set(b.subarray(0, len), off);
}

/** One pax record: "LEN key=value\n", LEN counting the whole record including itself. */
export function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const body = enc.encode(` ${key}=`);
  const rest = body.length + value.length + 1;
  let len = rest + 1;
  while (String(len).length + rest !== len) len = String(len).length + rest;
  const out = new Uint8Array(len);
  const head = enc.encode(String(len));
  out.set(head, 0);
  out.set(body, head.length);
  out.set(value, head.length + body.length);
  out[len - 1] = 0x0a;
  return out;
}

/** Splits a name into ustar's prefix (≤155 bytes) and name (≤100 bytes), if possible. */
function splitName(name: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  if (name.length <= 100) return [new Uint8Array(0), name];
  for (let i = Math.min(name.length - 1, 155); i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    if (name.length - i - 1 > 100 || name.length - i - 1 === 0) return undefined;
    return [name.subarray(0, i), name.subarray(i + 1)];
  }
  return undefined;
}

const isAscii = (b: Uint8Array) => b.every((x) => x < 0x80);

function header(
  m: TarMember,
  typeflag: string,
  name: Uint8Array,
  prefix: Uint8Array,
  size: number,
) {
  const h = new Uint8Array(BLOCK);
  putString(h, 0, 100, name);
  putString(h, 100, 8, octal(m.mode & 0o7777, 8));
  putString(h, 108, 8, octal(m.uid <= USTAR_MAX_OCTAL_8 ? m.uid : 0, 8));
  putString(h, 116, 8, octal(m.gid <= USTAR_MAX_OCTAL_8 ? m.gid : 0, 8));
  putString(h, 124, 12, octal(size <= USTAR_MAX_OCTAL_12 ? size : 0, 12));
  const mtime = m.mtime >= 0 && m.mtime <= USTAR_MAX_OCTAL_12 ? m.mtime : 0;
  putString(h, 136, 12, octal(mtime, 12));
  h[156] = typeflag.charCodeAt(0);
  const link = m.linkname === undefined ? new Uint8Array(0) : enc.encode(m.linkname);
  if (link.length <= 100) putString(h, 157, 100, link);
  putString(h, 257, 6, 'ustar\0');
  putString(h, 263, 2, '00');
  if (m.type === 'chardev' || m.type === 'blockdev') {
    putString(h, 329, 8, octal(Math.min(m.devmajor ?? 0, USTAR_MAX_OCTAL_8), 8));
    putString(h, 337, 8, octal(Math.min(m.devminor ?? 0, USTAR_MAX_OCTAL_8), 8));
  }
  putString(h, 345, 155, prefix);
  // The checksum is computed with its own field as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, `${octal(sum, 7)}\0`);
  return h;
}

/** The pax records a member needs (empty when ustar alone can carry it). */
function paxRecords(m: TarMember, nameBytes: Uint8Array): Uint8Array[] {
  const recs: Uint8Array[] = [];
  if (!isAscii(nameBytes) || !splitName(nameBytes)) recs.push(paxRecord('path', nameBytes));
  if (m.linkname !== undefined) {
    const l = enc.encode(m.linkname);
    if (!isAscii(l) || l.length > 100) recs.push(paxRecord('linkpath', l));
  }
  if (m.size > USTAR_MAX_OCTAL_12) recs.push(paxRecord('size', enc.encode(String(m.size))));
  if (m.uid > USTAR_MAX_OCTAL_8) recs.push(paxRecord('uid', enc.encode(String(m.uid))));
  if (m.gid > USTAR_MAX_OCTAL_8) recs.push(paxRecord('gid', enc.encode(String(m.gid))));
  if (m.mtime < 0 || m.mtime > USTAR_MAX_OCTAL_12)
    recs.push(paxRecord('mtime', enc.encode(String(m.mtime))));
  for (const [k, v] of m.pax ?? []) recs.push(paxRecord(k, v));
  return recs;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/**
 * The header block(s) of one member: an optional pax 'x' header with its data, then the
 * ustar header. The caller writes `m.size` data bytes and `padding(m.size)` zeros after.
 */
export function memberHeader(m: TarMember): Uint8Array {
  if (m.type !== 'file' && m.size !== 0)
    throw new EngineError('EINVAL', `tar: ${m.name}: only regular files carry data`);
  const nameBytes = enc.encode(m.name);
  const recs = paxRecords(m, nameBytes);
  const split = splitName(nameBytes) ?? [new Uint8Array(0), nameBytes.subarray(0, 100)];
  const main = header(m, TYPEFLAG[m.type], split[1], split[0], m.size);
  if (recs.length === 0) return main;
  const data = concat(recs);
  const base = m.name.replace(/\/$/, '').split('/').pop() ?? 'x';
  const xName = enc.encode(`./PaxHeaders/${base}`).subarray(0, 100);
  const xm: TarMember = { ...m, type: 'file', mode: 0o644, linkname: undefined };
  const xh = header(xm, 'x', xName, new Uint8Array(0), data.length);
  return concat([xh, data, new Uint8Array(padding(data.length)), main]);
}

/** The end of archive: two zero blocks, then zeros up to a whole record. */
export function trailer(written: number): Uint8Array {
  const end = written + 2 * BLOCK;
  return new Uint8Array(2 * BLOCK + ((RECORD - (end % RECORD)) % RECORD));
}
