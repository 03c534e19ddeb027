// VDI images built by fixtures/build-vdi.sh, read through the engine and compared with
// qemu-img (sha256 of `qemu-img convert -O raw`, `qemu-img info`), then damaged one header
// field or block map entry at a time. Field offsets are those of VirtualBox's VDIHEADER1.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { vdiDriver } from '../../src/engine/formats/vdi/driver.js';
import { NodeFileSource } from '../../src/engine/io/node-source.js';
import { openNodeImage } from '../../src/engine/io/node-resolver.js';
import { ensureFixture } from '../helpers/fixtures.js';
import { MiB, engineError, hashImage, openBytes, prng, readExpected } from './helpers.js';

const dir = ensureFixture('vdi');
const load = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, `${name}.vdi`)));
const openVdi = (b: Uint8Array, hint?: string) => openBytes(b, [], hint, 'test.vdi');
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const le32 = (b: Uint8Array, off: number) => dv(b).getUint32(off, true);
const setLe32 = (b: Uint8Array, off: number, v: number) => dv(b).setUint32(off, v >>> 0, true);
const setLe64 = (b: Uint8Array, off: number, v: bigint) => dv(b).setBigUint64(off, v, true);

const HEADER = 'VDI header';

function expectError(e: EngineError, kind: string, structure: string): void {
  expect({ kind: e.kind, structure: e.structure }).toEqual({ kind, structure });
}

describe.each(['dynamic', 'static', 'discarded'])('%s.vdi', (name) => {
  test('virtual disk sha256 equals qemu-img convert -O raw; size and block size as qemu-img info', () => {
    const exp = readExpected(dir, name);
    const { image } = openNodeImage(path.join(dir, `${name}.vdi`));
    expect(image.format).toBe(exp.info.format);
    expect(image.size).toBe(exp.info['virtual-size']);
    expect(image.info.clusterSize).toBe(exp.info['cluster-size']);
    expect(hashImage(image)).toBe(exp.sha256);
  });
});

describe('reads', () => {
  test('dynamic and static: 300 unaligned ranges equal disk.raw', () => {
    const raw = new NodeFileSource(path.join(dir, 'disk.raw'));
    for (const name of ['dynamic', 'static']) {
      const image = openNodeImage(path.join(dir, `${name}.vdi`)).image;
      const rnd = prng(0x0d1 + name.length);
      for (let i = 0; i < 300; i++) {
        const length = 1 + Math.floor(rnd() * (i % 3 === 0 ? 3 * MiB : 70000));
        const offset = Math.floor(rnd() * (image.size - length));
        if (
          !Buffer.from(image.readAt(offset, length)).equals(Buffer.from(raw.readAt(offset, length)))
        ) {
          throw new Error(`${name}: bytes differ in ${offset}+${length}`);
        }
      }
    }
    raw.close();
  });

  test('variant and UUID facts', () => {
    const dynamic = openVdi(load('dynamic'));
    const fixed = openVdi(load('static'));
    expect([dynamic.info.variant, fixed.info.variant]).toEqual(['dynamic', 'fixed']);
    expect(dynamic.info.parentUuid).toBeUndefined();
    expect(dynamic.info.uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    // 48 MiB in 1 MiB blocks (build-vdi.sh); the map agrees with the count qemu-img wrote
    // in the header, and a static image has every block.
    expect([dynamic.info.blocks, fixed.info.blocksInFile]).toEqual([48, 48]);
    expect(dynamic.info.blocksInFile).toBe(dynamic.info.blocksAllocated);
    expect(dynamic.info.blocksInFile).toBeLessThan(48);
  });
});

describe('probe', () => {
  test('never throws, on any short or random head', () => {
    const rnd = prng(0x9b0c);
    for (let n = 0; n < 2000; n++) {
      const head = new Uint8Array(Math.floor(rnd() * 600)).map(() => Math.floor(rnd() * 256));
      if (n % 2 === 1 && head.length >= 0x44) setLe32(head, 0x40, 0xbeda107f);
      expect(typeof vdiDriver.probe(head)).toBe('boolean');
    }
  });
});

describe('header fields', () => {
  test('signature: not detected as vdi; forced, it is corrupt', () => {
    const b = load('dynamic');
    setLe32(b, 0x40, 0x12345678);
    expect(openVdi(b).format).toBe('raw');
    expectError(
      engineError(() => openVdi(b, 'vdi')),
      'corrupt',
      HEADER,
    );
  });

  const cases: [string, (b: Uint8Array) => void, string][] = [
    ['version 1.0', (b) => setLe32(b, 0x44, 0x00010000), 'unsupported'],
    ['header size 0x100', (b) => setLe32(b, 0x48, 0x100), 'corrupt'],
    ['type 4 (differencing)', (b) => setLe32(b, 0x4c, 4), 'unsupported'],
    ['type 3 (undo)', (b) => setLe32(b, 0x4c, 3), 'unsupported'],
    ['type 9', (b) => setLe32(b, 0x4c, 9), 'corrupt'],
    ['block map offset past EOF', (b) => setLe32(b, 0x154, b.length), 'corrupt'],
    ['block map offset inside the header', (b) => setLe32(b, 0x154, 0x100), 'corrupt'],
    ['data offset inside the block map', (b) => setLe32(b, 0x158, le32(b, 0x154) + 4), 'corrupt'],
    ['disk size past 2^53', (b) => setLe64(b, 0x170, 1n << 60n), 'corrupt'],
    ['disk size larger than the blocks', (b) => setLe64(b, 0x170, 49n * BigInt(MiB)), 'corrupt'],
    ['block size 0', (b) => setLe32(b, 0x178, 0), 'corrupt'],
    ['block size 3 MiB (not a power of two)', (b) => setLe32(b, 0x178, 3 * MiB), 'corrupt'],
    ['block size 1 GiB', (b) => setLe32(b, 0x178, 1 << 30), 'corrupt'],
    ['block count past MAX_BLOCKS', (b) => setLe32(b, 0x180, 0x7fffffff), 'corrupt'],
    ['blocks allocated > blocks', (b) => setLe32(b, 0x184, 1000), 'corrupt'],
  ];
  test.each(cases)('%s', (_, patch, kind) => {
    const b = load('dynamic');
    patch(b);
    expectError(
      engineError(() => openVdi(b)),
      kind,
      HEADER,
    );
  });

  test('a differencing image names its parent UUID in the unsupported feature', () => {
    const b = load('dynamic');
    setLe32(b, 0x4c, 4);
    expect(engineError(() => openVdi(b)).feature).toBe('VDI differencing image');
  });
});

describe('block map', () => {
  const mapEntry = (b: Uint8Array, i: number) => le32(b, 0x154) + 4 * i;
  const firstAllocated = (b: Uint8Array) => {
    for (let i = 0; ; i++) if (le32(b, mapEntry(b, i)) < 0xfffffffe) return i;
  };

  test('an entry past EOF fails when read', () => {
    const b = load('dynamic');
    const i = firstAllocated(b);
    setLe32(b, mapEntry(b, i), 1000);
    expectError(
      engineError(() => openVdi(b).readAt(i * MiB, 512)),
      'corrupt',
      'VDI block map',
    );
  });

  test('a block map past the end of the file', () => {
    const b = load('dynamic').slice(0, 0x200 + 8);
    expectError(
      engineError(() => openVdi(b)),
      'corrupt',
      HEADER,
    );
  });

  test('200 single-byte mutations of the header and block map', () => {
    const good = load('dynamic');
    const rnd = prng(0xbeda);
    let errors = 0;
    for (let n = 0; n < 200; n++) {
      const b = good.slice();
      const at =
        n % 2 === 0
          ? 0x40 + Math.floor(rnd() * 0x190)
          : mapEntry(b, Math.floor(rnd() * 48)) + Math.floor(rnd() * 4);
      b[at] = Math.floor(rnd() * 256);
      try {
        const image = openVdi(b, 'vdi');
        for (const off of [0, 18 * MiB, image.size - 65536]) {
          if (off >= 0 && off + 65536 <= image.size) image.readAt(off, 65536);
        }
      } catch (e) {
        if (!(e instanceof EngineError))
          throw new Error(`byte ${at} = ${b[at]}: ${String(e)}`, { cause: e });
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
