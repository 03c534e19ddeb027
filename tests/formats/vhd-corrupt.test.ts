// Damaged VHD and VHDX images: one field of a good image (made by qemu-img) is patched —
// with the structure's checksum recomputed when the test is about a value, not the
// checksum — and the engine must answer with a typed EngineError naming the structure.
// Field offsets are those of the VHD specification and [MS-VHDX].

import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { VhdxImage } from '../../src/engine/formats/vhdx/image.js';
import { formatGuid } from '../../src/engine/io/bytes.js';
import { crc32c } from '../../src/engine/util/crc32.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { MiB, be32, engineError, hashImage, openBytes, prng, setBe32, setBe64 } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('vhd');
});

const load = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, name)));
const expectedSha = (name: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(dir, 'expected', `${name}.json`), 'utf8')) as {
      sha256: string;
    }
  ).sha256;

function expectError(e: EngineError, kind: string, structure: string): void {
  expect({ kind: e.kind, structure: e.structure }).toEqual({ kind, structure });
}

// --- VHD ------------------------------------------------------------------------------------

/** Recompute the ones'-complement checksum of a footer (at) or dynamic header. */
function fixVhdChecksum(b: Uint8Array, at: number, size: number, field: number): void {
  setBe32(b, at + field, 0);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += b[at + i]!;
  setBe32(b, at + field, ~sum >>> 0);
}
const fixFooter = (b: Uint8Array, at = b.length - 512) => fixVhdChecksum(b, at, 512, 64);
/** The dynamic header sits at the footer's data offset (512 for qemu-img's images). */
const DYN = 512;
const fixDynamic = (b: Uint8Array) => fixVhdChecksum(b, DYN, 1024, 36);
const batOffset = (b: Uint8Array) => Number(new DataView(b.buffer).getBigUint64(DYN + 16, false));

const openVhd = (b: Uint8Array, hint?: string) => openBytes(b, [], hint, 'test.vhd');

describe('VHD footer', () => {
  test('checksum (fixed disk: no copy to fall back to)', () => {
    const b = load('fixed.vhd');
    b[b.length - 512 + 64]! ^= 1;
    expectError(
      engineError(() => openVhd(b, 'vpc')),
      'corrupt',
      'VHD footer',
    );
  });

  test('cookie: a fixed disk without it is raw; forced as vpc it is corrupt', () => {
    const b = load('fixed.vhd');
    b[b.length - 512] = 0x58;
    expect(openVhd(b).format).toBe('raw');
    expectError(
      engineError(() => openVhd(b, 'vpc')),
      'corrupt',
      'VHD footer',
    );
  });

  test('a dynamic disk whose last footer is damaged opens through the copy at offset 0', () => {
    const b = load('dyn.vhd');
    b[b.length - 512] = 0x58;
    expect(hashImage(openVhd(b))).toBe(expectedSha('dyn.vhd'));
    b[0] = 0x58; // both copies gone
    expectError(
      engineError(() => openVhd(b, 'vpc')),
      'corrupt',
      'VHD footer',
    );
  });

  test.each([
    ['disk type 7', (b: Uint8Array, at: number) => setBe32(b, at + 60, 7)],
    ['file format version 2.0', (b: Uint8Array, at: number) => setBe32(b, at + 12, 0x20000)],
    ['data offset past EOF', (b: Uint8Array, at: number) => setBe64(b, at + 16, BigInt(b.length))],
  ])('%s (checksum recomputed, both copies)', (_, patch) => {
    const b = load('dyn.vhd');
    for (const at of [0, b.length - 512]) {
      patch(b, at);
      fixFooter(b, at);
    }
    expectError(
      engineError(() => openVhd(b)),
      'corrupt',
      'VHD footer',
    );
  });

  test('fixed disk larger than its data', () => {
    const b = load('fixed-force.vhd');
    const at = b.length - 512;
    setBe64(b, at + 48, BigInt(b.length));
    fixFooter(b);
    expectError(
      engineError(() => openVhd(b)),
      'corrupt',
      'VHD footer',
    );
  });
});

describe('VHD dynamic header and BAT', () => {
  test.each([
    ['cookie', (b: Uint8Array) => void (b[DYN] = 0x58), false],
    ['checksum', (b: Uint8Array) => void (b[DYN + 36]! ^= 1), false],
    ['version 2.0', (b: Uint8Array) => setBe32(b, DYN + 24, 0x20000), true],
    [
      'block size not a power of two (3 MiB)',
      (b: Uint8Array) => setBe32(b, DYN + 32, 3 * MiB),
      true,
    ],
    ['block size 256', (b: Uint8Array) => setBe32(b, DYN + 32, 256), true],
    ['max table entries too small', (b: Uint8Array) => setBe32(b, DYN + 28, 1), true],
  ])('%s', (_, patch, fix) => {
    const b = load('dyn.vhd');
    patch(b);
    if (fix) fixDynamic(b);
    expectError(
      engineError(() => openVhd(b)),
      'corrupt',
      'VHD dynamic header',
    );
  });

  test('table offset past EOF', () => {
    const b = load('dyn.vhd');
    setBe64(b, DYN + 16, BigInt(b.length - 512));
    fixDynamic(b);
    expectError(
      engineError(() => openVhd(b)),
      'corrupt',
      'VHD block allocation table',
    );
  });

  test('BAT entry past EOF', () => {
    const b = load('dyn.vhd');
    const bat = batOffset(b);
    let i = 0;
    while (be32(b, bat + i * 4) === 0xffffffff) i++;
    setBe32(b, bat + i * 4, Math.floor(b.length / 512));
    const e = engineError(() => openVhd(b));
    expectError(e, 'corrupt', 'VHD block allocation table');
    expect(e.offset).toBe(bat + i * 4);
  });
});

// --- VHDX -----------------------------------------------------------------------------------

const le32 = (b: Uint8Array, off: number) => new DataView(b.buffer).getUint32(off, true);
const setLe32 = (b: Uint8Array, off: number, v: number) =>
  new DataView(b.buffer).setUint32(off, v >>> 0, true);
const setLe64 = (b: Uint8Array, off: number, v: bigint) =>
  new DataView(b.buffer).setBigUint64(off, v, true);

/** Recompute a CRC-32C field at `at + 4` over `size` bytes. */
function fixCrc(b: Uint8Array, at: number, size: number): void {
  setLe32(b, at + 4, 0);
  setLe32(b, at + 4, crc32c(b.subarray(at, at + size)));
}
const H1 = 64 * 1024;
const H2 = 128 * 1024;
const R1 = 192 * 1024;
const R2 = 256 * 1024;
const BAT_GUID = '2dc27766-f623-4200-9d64-115e9bfd4a08';
const META_GUID = '8b7ca206-4790-4b9a-b8fe-575f050f886e';

/** Region offsets from region table 1 (as [MS-VHDX] §2.2.3 lays it out). */
function region(b: Uint8Array, guid: string): { offset: number; length: number } {
  for (let i = 0; i < le32(b, R1 + 8); i++) {
    const at = R1 + 16 + i * 32;
    if (formatGuid(b.subarray(at, at + 16)) === guid) {
      return {
        offset: Number(new DataView(b.buffer).getBigUint64(at + 16, true)),
        length: le32(b, at + 24),
      };
    }
  }
  throw new Error(`region ${guid} not in the fixture`);
}

/** The metadata table entry of an item, by GUID. */
function metadataEntry(b: Uint8Array, guid: string): number {
  const m = region(b, META_GUID).offset;
  for (let i = 0; i < new DataView(b.buffer).getUint16(m + 10, true); i++) {
    const at = m + 32 + i * 32;
    if (formatGuid(b.subarray(at, at + 16)) === guid) return at;
  }
  throw new Error(`metadata item ${guid} not in the fixture`);
}
const FILE_PARAMETERS = 'caa16737-fa36-4d43-b3b6-33f0aa44e76b';
const LOGICAL_SECTOR = '8141bf1d-a96f-4709-ba47-f233a8faab5f';
const itemOffset = (b: Uint8Array, guid: string) =>
  region(b, META_GUID).offset + le32(b, metadataEntry(b, guid) + 16);

const openVhdx = (b: Uint8Array, hint?: string) => openBytes(b, [], hint, 'test.vhdx');

describe('VHDX headers', () => {
  test('one bad header CRC: the other header is used', () => {
    const b = load('b1m.vhdx');
    b[H1 + 4]! ^= 1;
    expect(hashImage(openVhdx(b))).toBe(expectedSha('b1m.vhdx'));
    const c = load('b1m.vhdx');
    c[H2 + 4]! ^= 1;
    expect(hashImage(openVhdx(c))).toBe(expectedSha('b1m.vhdx'));
  });

  test('both headers bad', () => {
    const b = load('b1m.vhdx');
    b[H1 + 4]! ^= 1;
    b[H2 + 100]! ^= 1;
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX header',
    );
  });

  test('version 2 (CRC recomputed in both)', () => {
    const b = load('b1m.vhdx');
    for (const h of [H1, H2]) {
      new DataView(b.buffer).setUint16(h + 66, 2, true);
      fixCrc(b, h, 4096);
    }
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX header',
    );
  });

  test('file identifier signature (forced as vhdx)', () => {
    const b = load('b1m.vhdx');
    b[0] = 0x58;
    expect(openVhdx(b).format).toBe('raw');
    expectError(
      engineError(() => openVhdx(b, 'vhdx')),
      'corrupt',
      'VHDX file identifier',
    );
  });
});

describe('VHDX region table', () => {
  test('CRC of one copy: the other is used; of both: corrupt', () => {
    const b = load('b1m.vhdx');
    b[R1 + 4]! ^= 1;
    expect(hashImage(openVhdx(b))).toBe(expectedSha('b1m.vhdx'));
    b[R2 + 200]! ^= 1;
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX region table',
    );
  });

  test('an unknown required region is unsupported', () => {
    const b = load('b1m.vhdx');
    for (const r of [R1, R2]) {
      const at = r + 16; // first entry: make its GUID unknown, keep it required
      b[at]! ^= 0xff;
      setLe32(b, at + 28, 1);
      fixCrc(b, r, 64 * 1024);
    }
    expect(engineError(() => openVhdx(b)).kind).toBe('unsupported');
  });

  test('region past EOF (CRC recomputed)', () => {
    const b = load('b1m.vhdx');
    for (const r of [R1, R2]) {
      setLe64(b, r + 16 + 16, BigInt(Math.ceil(b.length / MiB) * MiB));
      fixCrc(b, r, 64 * 1024);
    }
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX region table',
    );
  });
});

describe('VHDX metadata', () => {
  test('metadata signature', () => {
    const b = load('b1m.vhdx');
    b[region(b, META_GUID).offset] = 0x58;
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX metadata table',
    );
  });

  test('item past the end of the region', () => {
    const b = load('b1m.vhdx');
    setLe32(b, metadataEntry(b, FILE_PARAMETERS) + 16, region(b, META_GUID).length - 4);
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX metadata item',
    );
  });

  test.each([
    ['block size not a power of two (3 MiB)', FILE_PARAMETERS, 3 * MiB],
    ['block size 512 KiB (below 1 MiB)', FILE_PARAMETERS, 512 * 1024],
    ['logical sector size 1000', LOGICAL_SECTOR, 1000],
  ])('%s', (_, guid, value) => {
    const b = load('b1m.vhdx');
    setLe32(b, itemOffset(b, guid), value);
    expectError(
      engineError(() => openVhdx(b)),
      'corrupt',
      'VHDX metadata item',
    );
  });
});

describe('VHDX BAT', () => {
  const batEntry = (b: Uint8Array, block: number) =>
    region(b, BAT_GUID).offset + 8 * (block + Math.floor(block / 4096));

  test('payload block past EOF: reading it fails, other blocks read', () => {
    const b = load('b1m.vhdx');
    setLe64(b, batEntry(b, 1), (BigInt(Math.ceil(b.length / MiB) + 4) << 20n) | 6n);
    const image = openVhdx(b) as VhdxImage;
    expect(image.readAt(0, 512)[510]).toBe(0x55); // block 0: the MBR signature
    const e = engineError(() => image.readAt(MiB, 512));
    expectError(e, 'corrupt', 'VHDX BAT');
    expect(e.offset).toBe(batEntry(b, 1));
  });

  test.each([
    ['unknown state 5', 5n],
    ['PARTIALLY_PRESENT without a parent', 7n],
  ])('%s', (_, state) => {
    const b = load('b1m.vhdx');
    const at = batEntry(b, 0);
    const v = new DataView(b.buffer).getBigUint64(at, true);
    setLe64(b, at, (v & ~7n) | state);
    expectError(
      engineError(() => openVhdx(b).readAt(0, 512)),
      'corrupt',
      'VHDX BAT',
    );
  });

  test('every payload block of a fixed VHDX is FULLY_PRESENT', () => {
    const image = openVhdx(load('fixed.vhdx')) as VhdxImage;
    const blocks = Math.ceil(image.size / Number(image.info.blockSize));
    for (let i = 0; i < blocks; i++) expect(image.payloadState(i)).toBe('FULLY_PRESENT');
  });
});

test('errors are EngineErrors, never plain exceptions', () => {
  expect(engineError(() => openVhdx(load('b1m.vhdx').subarray(0, 4096), 'vhdx'))).toBeInstanceOf(
    EngineError,
  );
});

describe('bounded mutation: only EngineErrors, never a crash or a hang', () => {
  // Metadata areas: VHD footer copy, dynamic header and BAT; VHDX headers, region tables,
  // metadata and BAT (the first MiBs). Each case flips one byte and reads the first 4 MiB.
  test.each([
    ['dyn.vhd', 0, 4096],
    ['b1m.vhdx', 0, 5 * MiB],
  ])('%s: 400 single-byte mutations', (name, from, to) => {
    const good = load(name);
    const rnd = prng(0xbad + name.length);
    for (let i = 0; i < 400; i++) {
      const b = good.slice();
      const at = from + Math.floor(rnd() * Math.min(to - from, b.length - from));
      b[at]! ^= 1 + Math.floor(rnd() * 255);
      try {
        const image = openBytes(b, [], undefined, name);
        image.readAt(0, Math.min(4 * MiB, image.size));
      } catch (e) {
        if (!(e instanceof EngineError))
          throw new Error(`${name} byte ${at}: ${String(e)}`, { cause: e });
      }
    }
  });
});
