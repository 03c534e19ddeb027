// ISO 9660 volume descriptors (from sector 16), with the Joliet supplementary descriptor
// and the El Torito boot record. The label is the Joliet volume id merged with the PVD's
// where the Joliet one is a (shortened) prefix; the UUID is the modification date (or
// the creation date) as "YYYY-MM-DD-HH-MM-SS-cc".
// Reference: ECMA-119 8.4 (Primary Volume Descriptor), 8.5 (Supplementary), 8.2 (Boot
// Record), 8.4.26.1 (dates); Joliet specification; util-linux libblkid iso9660.c.

import { Bytes, latin1 } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { idLabel, rawLabel, utf8IdLabel, utf8Label } from './text.js';
import type { FsProber } from './types.js';

const SECTOR = 2048;
const VD_START = 16 * SECTOR;
const MAGIC_CD001 = magic('CD001', VD_START + 1);
/** High Sierra, the pre-standard format: "CDROM" at byte 9 of the descriptor. */
const MAGIC_CDROM = magic('CDROM', VD_START + 9);
/** libblkid looks at no more than 16 descriptors. */
const VD_MAX = 16;
const VD_BOOT = 0;
const VD_PRIMARY = 1;
const VD_SUPPLEMENTARY = 2;
const VD_END = 0xff;
/** Bytes of a descriptor up to the end of the modification date. */
const VD_LEN = 847;
const JOLIET_ESCAPES = ['%/@', '%/C', '%/E'];

interface Descriptors {
  pvd?: Bytes;
  joliet?: Bytes;
  boot?: Bytes;
}

function readDescriptors(r: ProbeReader): Descriptors {
  const d: Descriptors = {};
  for (let i = 0; i < VD_MAX && !(d.boot && d.pvd && d.joliet); i++) {
    const at = VD_START + i * SECTOR;
    const buf = r.bytes(at, VD_LEN);
    if (!buf || buf[0] === VD_END) break;
    const vd = new Bytes(buf, 'ISO 9660 volume descriptor', at);
    if (!d.boot && buf[0] === VD_BOOT) d.boot = vd;
    else if (!d.pvd && buf[0] === VD_PRIMARY) d.pvd = vd;
    else if (!d.joliet && buf[0] === VD_SUPPLEMENTARY) {
      if (JOLIET_ESCAPES.some((e) => vd.equals(88, e))) d.joliet = vd;
    }
  }
  return d;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 9 && c <= 13);
const upper = (c: number): number => (c >= 0x61 && c <= 0x7a ? c - 32 : c);

/**
 * merge_utf16be_ascii: when the Joliet (UTF-16BE) text is a prefix of the PVD's ASCII
 * text, ignoring case and the '_' that stands for unrepresentable characters, rebuild
 * the full text from both. Undefined when it is not a prefix.
 */
function merge(utf16: Uint8Array, ascii: Uint8Array): Uint8Array | undefined {
  const len = ascii.length;
  const out: number[] = [];
  let a = 0;
  let u = 0;
  for (; u + 1 < len && a < len; a++, u += 2) {
    const hi = utf16[u]!;
    if (hi >= 0xd8 && hi <= 0xdb && u + 3 < len && utf16[u + 2]! >= 0xdc && utf16[u + 2]! <= 0xdf) {
      out.push(utf16[u]!, utf16[u + 1]!);
      u += 2;
    }
    const ch = ascii[a]!;
    if (ch === 0x5f) out.push(utf16[u]!, utf16[u + 1]!);
    else if (utf16[u] === 0 && utf16[u + 1] === 0x5f) out.push(0, ch);
    else if (utf16[u] === 0 && upper(ch) === upper(utf16[u + 1]!)) {
      out.push(0, ch >= 0x41 && ch <= 0x5a ? utf16[u + 1]! : ch);
    } else return undefined;
  }
  for (; a < len; a++) out.push(0, ascii[a]!);
  return Uint8Array.from(out);
}

const asciiEmpty = (b: Uint8Array): boolean => b[0] === 0 || b.every(isSpace) || b[0] === 0x5f;
const utf16Empty = (b: Uint8Array): boolean => {
  for (let i = 0; i + 1 < b.length; i += 2) if (b[i] !== 0 || !isSpace(b[i + 1]!)) return false;
  return true;
};

/** SYSTEM_ID and VOLUME_SET_ID: Joliet (merged) when present, else the PVD text. */
function plainField(
  pvd: Bytes,
  joliet: Bytes | undefined,
  off: number,
  len: number,
): string | undefined {
  const a = pvd.raw(off, len);
  if (!joliet) return idLabel(a);
  const u = joliet.raw(off, len);
  return utf8IdLabel(merge(u, a) ?? u, 'utf16be');
}

/** PUBLISHER_ID, DATA_PREPARER_ID, APPLICATION_ID: an empty or '_' text counts as absent. */
function idField(pvd: Bytes, joliet: Bytes | undefined, off: number): string | undefined {
  const a = pvd.raw(off, 128);
  const aEmpty = asciiEmpty(a);
  const u = joliet?.raw(off, 128);
  const uEmpty = !u || utf16Empty(u) || (u[0] === 0 && u[1] === 0x5f);
  if (!uEmpty && !aEmpty) return utf8IdLabel(merge(u, a) ?? u, 'utf16be');
  if (!uEmpty) return utf8IdLabel(u, 'utf16be');
  return aEmpty ? undefined : idLabel(a);
}

/** The date as blkid's UUID, or undefined when all digits are '0' and the offset is 0. */
function dateUuid(vd: Bytes, off: number): string | undefined {
  const d = vd.raw(off, 17);
  if (d.subarray(0, 16).every((c) => c === 0x30) && d[16] === 0) return undefined;
  const s = latin1(d.subarray(0, 16));
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}-${s.slice(8, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}-${s.slice(14, 16)}`;
}

function describe(d: Descriptors & { pvd: Bytes }): Found {
  const { pvd, joliet, boot } = d;
  const f = new Found().set('BLOCK_SIZE', String(SECTOR));
  f.set('SYSTEM_ID', plainField(pvd, joliet, 8, 32));
  f.set('VOLUME_SET_ID', plainField(pvd, joliet, 190, 128));
  f.set('PUBLISHER_ID', idField(pvd, joliet, 318));
  f.set('DATA_PREPARER_ID', idField(pvd, joliet, 446));
  f.set('APPLICATION_ID', idField(pvd, joliet, 574));
  f.set('UUID', dateUuid(pvd, 830) ?? dateUuid(pvd, 813));
  if (boot) f.set('BOOT_SYSTEM_ID', idLabel(boot.raw(7, 32)));
  if (joliet) f.set('VERSION', 'Joliet Extension');
  const vol = pvd.raw(40, 32);
  if (joliet) {
    const u = joliet.raw(40, 32);
    f.set('LABEL', utf8Label(merge(u, vol) ?? u, 'utf16be'));
  } else f.set('LABEL', rawLabel(vol));
  return f;
}

export const iso9660Prober = {
  type: 'iso9660',
  tolerant: true,
  probe: (src) =>
    guarded(src, (r) => {
      const m = findMagic(r, [MAGIC_CD001, MAGIC_CDROM]);
      if (!m) return undefined;
      if (m === MAGIC_CDROM) {
        const hs = r.bytes(VD_START, 80);
        if (!hs) return undefined;
        return new Found()
          .set('BLOCK_SIZE', String(SECTOR))
          .set('VERSION', 'High Sierra')
          .set('LABEL', rawLabel(hs.subarray(48, 80)))
          .result('iso9660', 'filesystem');
      }
      const d = readDescriptors(r);
      return d.pvd ? describe({ ...d, pvd: d.pvd }).result('iso9660', 'filesystem') : undefined;
    }),
} satisfies FsProber;
