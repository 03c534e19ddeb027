// VHDX log replay. QEMU leaves no log behind, so the tests write log entries themselves,
// byte by byte from [MS-VHDX] §2.3.1 (entry header, zero and data descriptors, data
// sectors, CRC-32C over the entry), into a qemu-img-made image, set the header's LogGuid,
// and check that reads see the replayed writes — the expected bytes are disk.raw (the
// source qemu-img converted) with the same writes applied at the guest offsets — while the
// file on disk is not changed by a byte.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { formatGuid } from '../../src/engine/io/bytes.js';
import { crc32c } from '../../src/engine/util/crc32.js';
import { ensureFixture, sha256 } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, openBytes } from './helpers.js';

let dir: string;
let tmp: string;
beforeAll(() => {
  dir = ensureFixture('vhd');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'guestkit-vhdx-log-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SECTOR = 4096;
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const LOG_GUID = Uint8Array.from([...Array(16).keys()].map((i) => 0xa0 + i));

type Descriptor =
  | { kind: 'data'; fileOffset: number; bytes: Uint8Array }
  | { kind: 'zero'; fileOffset: number; length: number };

interface EntrySpec {
  sequence: bigint;
  tail: number;
  descriptors: Descriptor[];
  guid?: Uint8Array;
  flushedFileOffset: number;
  lastFileOffset: number;
}

/** One log entry as [MS-VHDX] §2.3.1 lays it out, with its CRC-32C. */
function logEntry(s: EntrySpec): Uint8Array {
  const n = s.descriptors.length;
  const headerBytes = Math.ceil((64 + 32 * n) / SECTOR) * SECTOR;
  const data = s.descriptors.filter((d) => d.kind === 'data');
  const out = new Uint8Array(headerBytes + SECTOR * data.length);
  const v = dv(out);
  out.set(Buffer.from('loge'), 0);
  v.setUint32(8, out.length, true);
  v.setUint32(12, s.tail, true);
  v.setBigUint64(16, s.sequence, true);
  v.setUint32(24, n, true);
  out.set(s.guid ?? LOG_GUID, 32);
  v.setBigUint64(48, BigInt(s.flushedFileOffset), true);
  v.setBigUint64(56, BigInt(s.lastFileOffset), true);
  let sector = headerBytes;
  s.descriptors.forEach((d, i) => {
    const at = 64 + i * 32;
    if (d.kind === 'zero') {
      out.set(Buffer.from('zero'), at);
      v.setBigUint64(at + 8, BigInt(d.length), true);
    } else {
      out.set(Buffer.from('desc'), at);
      out.set(d.bytes.subarray(4092, 4096), at + 4); // trailing bytes
      out.set(d.bytes.subarray(0, 8), at + 8); // leading bytes
      out.set(Buffer.from('data'), sector);
      v.setUint32(sector + 4, Number(s.sequence >> 32n), true);
      out.set(d.bytes.subarray(8, 4092), sector + 8);
      v.setUint32(sector + 4092, Number(s.sequence & 0xffffffffn), true);
      sector += SECTOR;
    }
    v.setBigUint64(at + 16, BigInt(d.fileOffset), true);
    v.setBigUint64(at + 24, s.sequence, true);
  });
  v.setUint32(4, crc32c(out), true);
  return out;
}

/** b1m.vhdx (1 MiB blocks, 2 MiB log) with facts the tests need, read per the spec. */
function baseImage() {
  const img = new Uint8Array(fs.readFileSync(path.join(dir, 'b1m.vhdx')));
  const v = dv(img);
  const logOffset = Number(v.getBigUint64(64 * 1024 + 72, true));
  const logLength = v.getUint32(64 * 1024 + 68, true);
  let bat = 0;
  for (let i = 0; i < v.getUint32(192 * 1024 + 8, true); i++) {
    const at = 192 * 1024 + 16 + i * 32;
    if (formatGuid(img.subarray(at, at + 16)) === '2dc27766-f623-4200-9d64-115e9bfd4a08') {
      bat = Number(v.getBigUint64(at + 16, true));
    }
  }
  // chunk ratio 4096 for 1 MiB blocks of 512-byte sectors: entry i of the first chunk is i.
  const batEntry = (block: number) => bat + 8 * block;
  const blockOffset = (block: number) => Number(v.getBigUint64(batEntry(block), true) >> 20n) * MiB;
  return { img, logOffset, logLength, batEntry, blockOffset };
}

/** Point both headers at the log (LogGuid) and fix their CRC-32C. */
function setLogGuid(img: Uint8Array, guid = LOG_GUID): void {
  for (const h of [64 * 1024, 128 * 1024]) {
    img.set(guid, h + 48);
    dv(img).setUint32(h + 4, 0, true);
    dv(img).setUint32(h + 4, crc32c(img.subarray(h, h + SECTOR)), true);
  }
}

const pattern = (seed: number) =>
  Uint8Array.from({ length: SECTOR }, (_, i) => (i * 7 + seed) & 0xff);
const rawDisk = () => new Uint8Array(fs.readFileSync(path.join(dir, 'disk.raw')));

describe('dirty log: replayed in memory', () => {
  test('two entries of the active sequence are replayed; an older sequence and a stale entry are not', () => {
    const { img, logOffset, logLength, batEntry, blockOffset } = baseImage();
    const size = img.length;
    const b1 = blockOffset(1);
    expect(b1).toBeGreaterThan(0);
    // The BAT sector holding block 3's entry, with block 3 set to PAYLOAD_BLOCK_ZERO (2).
    const batSectorAt = Math.floor(batEntry(3) / SECTOR) * SECTOR;
    const batSector = img.slice(batSectorAt, batSectorAt + SECTOR);
    const e3 = batEntry(3) - batSectorAt;
    dv(batSector).setBigUint64(e3, (dv(batSector).getBigUint64(e3, true) & ~7n) | 2n, true);
    const common = { tail: 0, flushedFileOffset: size, lastFileOffset: size };
    const a = logEntry({
      ...common,
      sequence: 100n,
      descriptors: [
        { kind: 'data', fileOffset: b1 + 8192, bytes: pattern(1) },
        { kind: 'zero', fileOffset: b1 + 65536, length: 8192 },
        { kind: 'data', fileOffset: b1 + 3 * SECTOR, bytes: pattern(9) },
      ],
    });
    const b = logEntry({
      ...common,
      sequence: 101n,
      descriptors: [
        { kind: 'data', fileOffset: batSectorAt, bytes: batSector },
        { kind: 'data', fileOffset: b1 + 3 * SECTOR, bytes: pattern(2) }, // overrides a's
      ],
    });
    const older = logEntry({
      ...common,
      tail: MiB,
      sequence: 50n,
      descriptors: [{ kind: 'zero', fileOffset: b1, length: MiB }],
    });
    const stale = logEntry({
      ...common,
      tail: MiB + older.length,
      sequence: 102n,
      guid: new Uint8Array(16).fill(7),
      descriptors: [{ kind: 'zero', fileOffset: b1, length: MiB }],
    });
    img.set(a, logOffset);
    img.set(b, logOffset + a.length);
    img.set(older, logOffset + MiB);
    img.set(stale, logOffset + MiB + older.length);
    expect(logLength).toBeGreaterThanOrEqual(2 * MiB);
    setLogGuid(img);

    const file = path.join(tmp, 'dirty.vhdx');
    fs.writeFileSync(file, img);
    const before = sha256(fs.readFileSync(file));
    const { image, resolver } = openNodeImage(file);
    expect(image.info.logReplayed).toBe(true);
    expect(image.info.logEntriesReplayed).toBe(2);

    const want = rawDisk();
    want.set(pattern(1), MiB + 8192);
    want.fill(0, MiB + 65536, MiB + 65536 + 8192);
    want.set(pattern(2), MiB + 3 * SECTOR);
    want.fill(0, 3 * MiB, 4 * MiB);
    expect(hashImage(image)).toBe(sha256(want));
    resolver.close();
    expect(sha256(fs.readFileSync(file))).toBe(before);
  });

  test('an entry that wraps around the end of the log is read across the wrap', () => {
    const { img, logOffset, logLength, blockOffset } = baseImage();
    const b1 = blockOffset(1);
    const pos = logLength - SECTOR; // header sector at the end, data sector at 0
    const e = logEntry({
      sequence: 7n,
      tail: pos,
      flushedFileOffset: img.length,
      lastFileOffset: img.length,
      descriptors: [{ kind: 'data', fileOffset: b1, bytes: pattern(5) }],
    });
    img.set(e.subarray(0, SECTOR), logOffset + pos);
    img.set(e.subarray(SECTOR), logOffset);
    setLogGuid(img);
    const want = rawDisk();
    want.set(pattern(5), MiB);
    expect(hashImage(openBytes(img, [], undefined, 'wrap.vhdx'))).toBe(sha256(want));
  });

  test('a LogGuid with no entry of that log: nothing to replay (the writer stopped before its first entry)', () => {
    const { img } = baseImage();
    setLogGuid(img);
    const image = openBytes(img, [], undefined, 'empty-log.vhdx');
    expect(image.info.logReplayed).toBe(false);
    expect(hashImage(image)).toBe(sha256(rawDisk()));
  });
});

describe('damaged log entries', () => {
  function single(patch: (entry: Uint8Array) => void, fixCrc = false) {
    const { img, logOffset, blockOffset } = baseImage();
    const e = logEntry({
      sequence: 9n,
      tail: 0,
      flushedFileOffset: img.length,
      lastFileOffset: img.length,
      descriptors: [{ kind: 'data', fileOffset: blockOffset(1), bytes: pattern(3) }],
    });
    patch(e);
    if (fixCrc) {
      dv(e).setUint32(4, 0, true);
      dv(e).setUint32(4, crc32c(e), true);
    }
    img.set(e, logOffset);
    setLogGuid(img);
    return img;
  }
  const expectLogError = (img: Uint8Array) => {
    const e = engineError(() => openBytes(img, [], undefined, 'bad-log.vhdx'));
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'VHDX log entry',
    });
  };

  test('entry CRC', () => expectLogError(single((e) => void (e[SECTOR + 100]! ^= 1))));
  test('data sector sequence number (CRC recomputed)', () =>
    expectLogError(single((e) => dv(e).setUint32(SECTOR + 4092, 8, true), true)));
  test('descriptor signature (CRC recomputed)', () =>
    expectLogError(single((e) => e.set(Buffer.from('nope'), 64), true)));
  test('unaligned file offset (CRC recomputed)', () =>
    expectLogError(single((e) => dv(e).setBigUint64(64 + 16, 1000n, true), true)));
  test('flushed file offset past the end of the file (truncated file)', () => {
    const img = single((e) => dv(e).setBigUint64(48, 1n << 40n, true), true);
    expectLogError(img);
  });
});
