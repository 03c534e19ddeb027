// Bounded mutation fuzzing of LUKS headers: random byte changes to a good LUKS1 phdr, and
// random edits of LUKS2 JSON text resealed with valid checksums (so the JSON validation,
// not the checksum, is what meets them). Opening must either work or throw an
// EngineError - never another exception, never a hang. Seeded, so every run is the same.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import { MemorySource } from '../../src/engine/io/block-source.js';
import { LuksContainer } from '../../src/engine/volumes/luks/luks.js';
import { ensureFixture } from '../helpers/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = ensureFixture('luks');
}, 120_000);

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Opens the bytes; returns 'ok' or the EngineError kind, and fails on anything else. */
function outcome(bytes: Uint8Array): string {
  try {
    const c = LuksContainer.open(new MemorySource(bytes));
    c.info();
    return 'ok';
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return e.kind;
  }
}

test('LUKS1: 400 headers with 1-4 random bytes changed', () => {
  const good = new Uint8Array(fs.readFileSync(path.join(dir, 'luks1-aes-xts-plain64.img')));
  const rnd = prng(1);
  const seen = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const b = good.slice();
    for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--)
      b[Math.floor(rnd() * 592)] = Math.floor(rnd() * 256);
    const o = outcome(b);
    seen.set(o, (seen.get(o) ?? 0) + 1);
  }
  expect(seen.get('corrupt')).toBeGreaterThan(50);
});

test('LUKS2: 300 JSON areas with random edits, resealed', () => {
  const good = new Uint8Array(fs.readFileSync(path.join(dir, 'luks2-xts512.img')));
  const hdrSize = 16384;
  const text = new TextDecoder().decode(good.subarray(4096, good.indexOf(0, 4096)));
  const rnd = prng(2);
  const alphabet = '{}[]":,0123456789-aAzZ \\';
  const seen = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const chars = [...text];
    for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
      const at = Math.floor(rnd() * chars.length);
      const r = rnd();
      if (r < 0.4) chars[at] = alphabet[Math.floor(rnd() * alphabet.length)]!;
      else if (r < 0.7) chars.splice(at, 1);
      else chars.splice(at, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
    }
    const b = good.slice();
    for (const at of [0, hdrSize]) {
      const area = b.subarray(at, at + hdrSize);
      area.fill(0, 4096);
      area.set(new TextEncoder().encode(chars.join('')).subarray(0, hdrSize - 4097), 4096);
      area.fill(0, 448, 512);
      area.set(crypto.createHash('sha256').update(area).digest(), 448);
    }
    const o = outcome(b);
    seen.set(o, (seen.get(o) ?? 0) + 1);
  }
  expect(seen.get('corrupt')).toBeGreaterThan(100);
});
