// RPM header blobs as the rpm database stores them (no lead, no 8-byte header magic): a
// big-endian index count and data length, that many 16-byte index entries (tag, type,
// offset, count) and the data store. Only the tags libguestfs' lister reads are decoded,
// on demand; every offset and count is checked against the data store first.
// Reference: RPM package format (rpm.org "Package header", "Index entry"), rpm
// lib/header.c (headerImport, hdrchkTags, hdrchkData), lib/rpmtag.h.

import { corrupt } from '../../../errors.js';
import { Bytes } from '../../../io/bytes.js';

/** rpm's hdrchkTags: more index entries than this is not a header. */
export const MAX_HEADER_TAGS = 0xffff;
/** rpm's hdrchkData: a data store larger than 256 MiB is not a header. */
export const MAX_HEADER_DATA = 0x0fffffff;

export const RPMTAG_NAME = 1000;
export const RPMTAG_VERSION = 1001;
export const RPMTAG_RELEASE = 1002;
export const RPMTAG_EPOCH = 1003;
export const RPMTAG_SUMMARY = 1004;
export const RPMTAG_DESCRIPTION = 1005;
export const RPMTAG_VENDOR = 1011;
export const RPMTAG_URL = 1020;
export const RPMTAG_ARCH = 1022;
export const RPMTAG_SOURCERPM = 1044;

const RPM_INT32_TYPE = 4;
const RPM_STRING_TYPE = 6;
const RPM_STRING_ARRAY_TYPE = 8;
const RPM_I18NSTRING_TYPE = 9;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  private readonly entries = new Map<number, Entry>();
  private readonly data: Bytes;

  /** `blob` is one header as stored in Packages; `base` its offset in the database file. */
  constructor(blob: Uint8Array, structure = 'rpm header', base = 0) {
    const b = new Bytes(blob, structure, base);
    const il = b.u32be(0);
    const dl = b.u32be(4);
    if (il > MAX_HEADER_TAGS)
      throw corrupt(
        structure,
        base,
        'index entry count exceeds MAX_HEADER_TAGS',
        `<= ${MAX_HEADER_TAGS}`,
        il,
      );
    if (dl > MAX_HEADER_DATA)
      throw corrupt(
        structure,
        base + 4,
        'data length exceeds MAX_HEADER_DATA',
        `<= ${MAX_HEADER_DATA}`,
        dl,
      );
    const dataStart = 8 + il * 16;
    if (dataStart + dl > blob.length) {
      throw corrupt(
        structure,
        base,
        'index and data store run past the blob',
        `<= ${blob.length}`,
        dataStart + dl,
      );
    }
    this.data = b.sub(dataStart, dl, structure);
    for (let i = 0; i < il; i++) {
      const e = 8 + i * 16;
      const tag = b.u32be(e);
      // The first entry of each tag wins, as in rpm's sorted index lookups.
      if (!this.entries.has(tag))
        this.entries.set(tag, {
          type: b.u32be(e + 4),
          offset: b.u32be(e + 8) | 0,
          count: b.u32be(e + 12),
        });
    }
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** The first string of a STRING, STRING_ARRAY or I18NSTRING tag (the C locale's entry). */
  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (
      e.type !== RPM_STRING_TYPE &&
      e.type !== RPM_STRING_ARRAY_TYPE &&
      e.type !== RPM_I18NSTRING_TYPE
    )
      return undefined;
    return this.cString(e.offset);
  }

  /** The first value of an INT32 tag. */
  int32(tag: number): number | undefined {
    const e = this.entries.get(tag);
    if (!e || e.type !== RPM_INT32_TYPE || e.count < 1) return undefined;
    this.inData(e.offset, 4);
    return this.data.u32be(e.offset);
  }

  private inData(offset: number, len: number): void {
    if (offset < 0 || offset + len > this.data.length) {
      throw corrupt(
        this.data.structure,
        this.data.base,
        'tag data offset outside the data store',
        `< ${this.data.length}`,
        offset,
      );
    }
  }

  private cString(offset: number): string {
    this.inData(offset, 1);
    const raw = this.data.buf.subarray(offset);
    const end = raw.indexOf(0);
    if (end < 0)
      throw corrupt(
        this.data.structure,
        this.data.base + offset,
        'string runs past the data store',
      );
    return new TextDecoder('utf-8').decode(raw.subarray(0, end));
  }
}
