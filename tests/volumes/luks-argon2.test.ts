// Argon2 (WASM core + TypeScript indexing) against two independent implementations:
// hash-wasm (C compiled to WASM) and @noble/hashes (pure JS).

import { argon2i as nobleI, argon2id as nobleId } from '@noble/hashes/argon2.js';
import { argon2i as hwI, argon2id as hwId } from 'hash-wasm';
import { describe, expect, test } from 'vitest';
import { argon2, type Argon2Type } from '../../src/engine/crypto/argon2.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = (s: string) => new TextEncoder().encode(s);

describe('argon2 against hash-wasm and @noble/hashes', () => {
  const cases: [Argon2Type, number, number, number, number][] = [
    // type, time, memory KiB, lanes, output bytes
    ['argon2id', 1, 8, 1, 32],
    ['argon2id', 3, 64, 4, 32],
    ['argon2id', 4, 1024, 2, 64],
    ['argon2id', 2, 777, 3, 100], // memory not a multiple of 4 * lanes; tag longer than 64
    ['argon2i', 1, 16, 1, 16],
    ['argon2i', 3, 512, 4, 32],
    ['argon2i', 2, 300, 1, 80],
  ];
  test.each(cases)('%s t=%i m=%i p=%i T=%i', async (type, time, memoryKiB, parallelism, outLen) => {
    const password = enc('Qx3qn46vq0v');
    const salt = enc('a salt of thirty-two bytes......');
    const ours = argon2({ type, time, memoryKiB, parallelism, outLen }, password, salt);
    const hw = await (type === 'argon2i' ? hwI : hwId)({
      password,
      salt,
      iterations: time,
      memorySize: memoryKiB,
      parallelism,
      hashLength: outLen,
      outputType: 'binary',
    });
    expect(toHex(ours)).toBe(toHex(hw));
    const noble = (type === 'argon2i' ? nobleI : nobleId)(password, salt, {
      t: time,
      m: memoryKiB,
      p: parallelism,
      dkLen: outLen,
    });
    expect(toHex(ours)).toBe(toHex(noble));
  });

  test('progress reaches 1 and a throwing callback aborts', () => {
    const params = {
      type: 'argon2id' as const,
      time: 2,
      memoryKiB: 256,
      parallelism: 2,
      outLen: 32,
    };
    const seen: number[] = [];
    argon2(params, enc('x'), enc('saltsalt'), (f) => seen.push(f));
    expect(seen).toHaveLength(2 * 4 * 2);
    expect(seen.at(-1)).toBe(1);
    expect(() =>
      argon2(params, enc('x'), enc('saltsalt'), () => {
        throw new Error('cancelled');
      }),
    ).toThrow('cancelled');
  });
});
