// UDF: the volume recognition sequence (NSR02/NSR03 from 32 KiB), the Anchor Volume
// Descriptor Pointer at sector 256 (or 512), and in the main volume descriptor sequence
// the Primary, Logical and Implementation Use volume descriptors, plus the Logical
// Volume Integrity Descriptor for the revision. The block size is found by trying the
// sizes libblkid tries (512, 1024, 2048, 4096) until the anchor is where it should be.
// Reference: ECMA-167 2/9.1, 3/10.1-10.6, 3/10.10, 3/10.4; OSTA UDF 2.60 2.1.5, 2.2;
// util-linux libblkid superblocks/udf.c.

import { Bytes, latin1 } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import type { ProbeReader } from './reader.js';
import { idLabel, toUtf8, utf8IdLabel, utf8Label, type Encoding } from './text.js';
import type { FsProber } from './types.js';

const VSD_OFFSET = 0x8000;
const VSD_IDS = ['BEA01', 'BOOT2', 'CD001', 'CDW02', 'NSR02', 'NSR03', 'TEA01'];
const UDF_MAGICS = VSD_IDS.map((id) => magic(id, VSD_OFFSET + 1));
/** The block sizes libblkid tries (a regular file reports 512-byte sectors). */
const BLOCK_SIZES = [512, 1024, 2048, 4096];
/** libblkid scans at most 64 volume structure descriptors. */
const MAX_VSD = 64;
/** sizeof(struct volume_descriptor) in libblkid: the tag plus the LVD, its largest member. */
const VD_LEN = 440;
const TAG_PVD = 1;
const TAG_AVDP = 2;
const TAG_IUVD = 4;
const TAG_LVD = 6;
const TAG_TD = 8;
const TAG_LVID = 9;
/**
 * Sanity limit on the descriptor-sequence walk: the anchor's extent length is an
 * on-disk 32-bit value; a real main sequence has a handful of descriptors.
 */
const MAX_SEQUENCE = 256;

/** A dstring: compression id, characters, and the used length in its last byte. */
function dstring(
  vd: Bytes,
  off: number,
  size: number,
): { enc: Encoding; chars: Uint8Array } | undefined {
  const cid = vd.u8(off);
  const enc: Encoding | undefined = cid === 8 ? 'latin1' : cid === 16 ? 'utf16be' : undefined;
  if (!enc) return undefined;
  let clen = vd.u8(off + size - 1);
  if (clen > 0) clen--;
  clen = Math.min(clen, size - 2);
  return { enc, chars: vd.raw(off + 1, clen) };
}

const isCharsetUdf = (vd: Bytes, off: number): boolean =>
  vd.u8(off) === 0 &&
  latin1(vd.raw(off + 1, 63)).replace(/\0.*$/s, '') === 'OSTA Compressed Unicode';

/** Does the recognition sequence (VSDs of `len` bytes) contain an NSR descriptor? */
function hasNsr(r: ProbeReader, len: number): boolean {
  for (let b = 0; b < MAX_VSD; b++) {
    const v = r.bytes(VSD_OFFSET + b * len, 7);
    if (!v || v[1] === 0) return false;
    const id = latin1(v.subarray(1, 6));
    if (id === 'NSR02' || id === 'NSR03') return true;
    if (!VSD_IDS.includes(id)) return false;
  }
  return false;
}

/**
 * The anchor at sector 256 or 512 of block size `bs`, when its tag says so; null when
 * the sector cannot be read, which ends libblkid's search for every block size.
 */
function anchorAt(r: ProbeReader, bs: number): Bytes | undefined | null {
  for (const sector of [256, 512]) {
    const buf = r.bytes(sector * bs, VD_LEN);
    if (!buf) return null;
    const vd = new Bytes(buf, 'UDF anchor volume descriptor pointer', sector * bs);
    if (vd.u32le(12) === sector && vd.u16le(0) === TAG_AVDP) return vd;
  }
  return undefined;
}

function findAnchor(r: ProbeReader): { bs: number; avdp: Bytes } | undefined {
  let vsd2048: boolean | undefined;
  for (const bs of BLOCK_SIZES) {
    const len = Math.max(bs, 2048);
    // A 2048-byte recognition sequence is the same for every block size up to 2048.
    const nsr = len === 2048 ? (vsd2048 ??= hasNsr(r, len)) : hasNsr(r, len);
    if (!nsr) continue;
    const avdp = anchorAt(r, bs);
    if (avdp === null) return undefined;
    if (avdp) return { bs, avdp };
  }
  return undefined;
}

/** APPLICATION_ID: the PVD's application id, else its implementation id, minus a '*'. */
function applicationId(vd: Bytes): string | undefined {
  for (const off of [345, 389]) {
    let id = vd.raw(off, 23);
    const end = id.indexOf(0);
    if (end >= 0) id = id.subarray(0, end);
    if (id[0] === 0x2a) id = id.subarray(1);
    if (id.length) return idLabel(id);
  }
  return undefined;
}

/** gen_uuid_from_volset_id: 16 hex-ish characters of the volume set identifier. */
function volsetUuid(vd: Bytes): string | undefined {
  const ds = dstring(vd, 72, 128);
  if (!ds) return undefined;
  const all = toUtf8(ds.chars, ds.enc);
  if (all.length < 8) return undefined;
  const buf = new Uint8Array(16);
  buf.set(all.subarray(0, 16));
  const isHex = (c: number): boolean => /[0-9a-fA-F]/.test(String.fromCharCode(c));
  let nonHex = buf.findIndex((c) => !isHex(c));
  if (nonHex < 0) nonHex = 16;
  const lower = (b: Uint8Array): string => latin1(b).toLowerCase();
  const hexOf = (b: Uint8Array): string =>
    Array.from(b, (c) => c.toString(16).padStart(2, '0')).join('');
  if (nonHex < 8) return hexOf(buf.subarray(0, 8));
  if (nonHex < 16) return lower(buf.subarray(0, 8)) + hexOf(buf.subarray(8, 12));
  return lower(buf);
}

interface SequenceState {
  f: Found;
  lvidLen: number;
  lvidLoc: number;
  udfRev: number;
}

function readPvd(vd: Bytes, st: SequenceState): void {
  if (isCharsetUdf(vd, 200)) {
    const vid = dstring(vd, 24, 32);
    if (vid) st.f.set('VOLUME_ID', utf8IdLabel(vid.chars, vid.enc));
    st.f.set('UUID', volsetUuid(vd));
    const vs = dstring(vd, 72, 128);
    if (vs) st.f.set('VOLUME_SET_ID', utf8IdLabel(vs.chars, vs.enc));
  }
  st.f.set('APPLICATION_ID', applicationId(vd));
}

function readLvd(vd: Bytes, st: SequenceState): void {
  if ((!st.lvidLen || !st.lvidLoc) && vd.u32le(268) !== 0) {
    st.lvidLen = vd.u32le(432);
    st.lvidLoc = vd.u32le(436);
  }
  if (!st.udfRev && latin1(vd.raw(217, 23)).replace(/\0.*$/s, '') === '*OSTA UDF Compliant') {
    st.udfRev = vd.u16le(240);
  }
  if (isCharsetUdf(vd, 20)) {
    const lv = dstring(vd, 84, 128);
    if (lv) {
      st.f.set('LABEL', utf8Label(lv.chars, lv.enc));
      st.f.set('LOGICAL_VOLUME_ID', utf8IdLabel(lv.chars, lv.enc));
    }
  }
}

function readIuvd(vd: Bytes, st: SequenceState): void {
  const lvi = latin1(vd.raw(21, 23)).replace(/\0.*$/s, '');
  if (lvi !== '*UDF LV Info' || !isCharsetUdf(vd, 52)) return;
  const info = dstring(vd, 244, 36);
  if (info) st.f.set('PUBLISHER_ID', utf8IdLabel(info.chars, info.enc));
}

/** The revision of the first LVID's implementation-use area, when it is newer. */
function lvidRevision(r: ProbeReader, bs: number, st: SequenceState): number {
  if (!st.lvidLoc || st.lvidLen < VD_LEN) return st.udfRev;
  const at = st.lvidLoc * bs;
  const buf = r.bytes(at, 80);
  if (!buf) return st.udfRev;
  const vd = new Bytes(buf, 'UDF logical volume integrity descriptor', at);
  if (vd.u16le(0) !== TAG_LVID || vd.u32le(12) !== st.lvidLoc || vd.u32le(76) < 46)
    return st.udfRev;
  const iuAt = at + 80 + 8 * vd.u32le(72);
  const iu = r.bytes(iuAt, 46);
  if (!iu) return st.udfRev;
  const lviu = new Bytes(iu, 'UDF LVID implementation use', iuAt);
  let rev = st.udfRev;
  for (const v of [lviu.u16le(40), lviu.u16le(42)]) if (v && rev < v) rev = v;
  return rev;
}

function readSequence(r: ProbeReader, bs: number, avdp: Bytes): Found {
  const st: SequenceState = { f: new Found(), lvidLen: 0, lvidLoc: 0, udfRev: 0 };
  const count = Math.min(Math.floor(avdp.u32le(16) / bs), MAX_SEQUENCE);
  const loc = avdp.u32le(20);
  const seen = new Set<number>();
  for (let b = 0; b < count; b++) {
    const at = (loc + b) * bs;
    const buf = r.bytes(at, VD_LEN);
    if (!buf) break;
    const vd = new Bytes(buf, 'UDF volume descriptor', at);
    const tag = vd.u16le(0);
    if (tag === 0 || vd.u32le(12) !== loc + b || tag === TAG_TD) break;
    // Each kind is read once: libblkid keeps the first value of every key.
    if (seen.has(tag)) continue;
    if (tag === TAG_PVD) readPvd(vd, st);
    else if (tag === TAG_LVD) readLvd(vd, st);
    else if (tag === TAG_IUVD) readIuvd(vd, st);
    if (tag === TAG_PVD || tag === TAG_LVD || tag === TAG_IUVD) seen.add(tag);
  }
  const rev = lvidRevision(r, bs, st);
  if (rev)
    st.f.set('VERSION', `${(rev >> 8).toString(16)}.${(rev & 0xff).toString(16).padStart(2, '0')}`);
  return st.f.set('BLOCK_SIZE', String(bs));
}

export const udfProber = {
  type: 'udf',
  tolerant: true,
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, UDF_MAGICS)) return undefined;
      const anchor = findAnchor(r);
      return anchor
        ? readSequence(r, anchor.bs, anchor.avdp).result('udf', 'filesystem')
        : undefined;
    }),
} satisfies FsProber;
