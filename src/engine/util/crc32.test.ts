// CRC-32 against Node's zlib.crc32 (an independent implementation) and the catalogue check
// values; CRC-32C against RFC 3720's test vectors and against the checksum mke2fs wrote
// into a real ext4 superblock.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '../../../tests/helpers/fixtures.js';
import { crc32, crc32c, crc32cUpdate, crc32Update } from './crc32.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32', () => {
  it('matches the CRC-32/ISO-HDLC check value', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('matches zlib.crc32 for every length 0..100 and for large random buffers', () => {
    const buf = new Uint8Array(randomBytes(70_000));
    for (let n = 0; n <= 100; n++) {
      expect(crc32(buf.subarray(0, n))).toBe(zlib.crc32(buf.subarray(0, n)));
    }
    expect(crc32(buf)).toBe(zlib.crc32(buf));
    // Unaligned start: the sliced loop must not assume 8-byte alignment.
    expect(crc32(buf.subarray(3, 65_539))).toBe(zlib.crc32(buf.subarray(3, 65_539)));
  });

  it('chains like zlib: crc32(b, crc32(a)) = crc32(a ++ b)', () => {
    const a = new Uint8Array(randomBytes(1001));
    const b = new Uint8Array(randomBytes(77));
    const ab = new Uint8Array([...a, ...b]);
    expect(crc32(b, crc32(a))).toBe(zlib.crc32(ab));
    expect(crc32(b, crc32(a))).toBe(zlib.crc32(b, zlib.crc32(a)));
  });

  it('exposes the raw register update (no inversions)', () => {
    const d = ascii('123456789');
    expect(~crc32Update(0xffffffff, d) >>> 0).toBe(0xcbf43926);
  });
});

describe('crc32c', () => {
  it('matches the CRC-32/ISCSI check value', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  // RFC 3720 §B.4 "CRC Examples" (the byte order there is the on-the-wire order of the
  // final CRC; as a little-endian integer these are the values below).
  it('matches the RFC 3720 test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('sliced and byte-wise paths agree at every split point', () => {
    const buf = new Uint8Array(randomBytes(200));
    const whole = crc32c(buf);
    for (let split = 0; split <= buf.length; split++) {
      expect(crc32c(buf.subarray(split), crc32c(buf.subarray(0, split)))).toBe(whole);
    }
  });

  it('reproduces the metadata_csum that mke2fs wrote into an ext4 superblock', () => {
    // ext4: s_checksum (offset 0x3FC) = crc32c_le(~0, superblock[0..0x3FC]), stored raw.
    const dir = ensureFixture('partitions');
    const sfdisk = JSON.parse(
      fs.readFileSync(path.join(dir, 'expected/mbr.img.sfdisk.json'), 'utf8'),
    );
    const start = sfdisk.partitiontable.partitions[0].start * 512;
    const sb = new Uint8Array(1024);
    const fd = fs.openSync(path.join(dir, 'mbr.img'), 'r');
    fs.readSync(fd, sb, 0, 1024, start + 1024);
    fs.closeSync(fd);
    const features = new DataView(sb.buffer, sb.byteOffset).getUint32(0x64, true);
    expect(features & 0x400).toBe(0x400); // RO_COMPAT_METADATA_CSUM: the field is meaningful
    const stored = new DataView(sb.buffer, sb.byteOffset).getUint32(0x3fc, true);
    expect(crc32cUpdate(0xffffffff, sb.subarray(0, 0x3fc))).toBe(stored);
  });
});
