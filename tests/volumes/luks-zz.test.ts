import { test } from 'vitest';
import { ecb } from '@noble/ciphers/aes.js';
import { createBlockCipher } from '../../src/engine/crypto/block-cipher.js';
import { xtsDecrypt } from '../../src/engine/crypto/sector-modes.js';
test('prof', () => {
  const MiB = 1 << 20;
  const data = new Uint8Array(16 * MiB);
  const key = new Uint8Array(32).fill(3);
  const c = createBlockCipher('aes', key);
  let t = performance.now();
  c.decrypt(data, data);
  console.log('ecb decrypt in place 16MiB', (16 / ((performance.now() - t) / 1000)).toFixed(1));
  t = performance.now();
  ecb(key, { disablePadding: true }).decrypt(data, new Uint8Array(data.length));
  console.log('ecb decrypt to new', (16 / ((performance.now() - t) / 1000)).toFixed(1));
  for (const chunk of [64 * 1024, MiB]) {
    t = performance.now();
    for (let o = 0; o < data.length; o += chunk)
      c.decrypt(data.subarray(o, o + chunk), data.subarray(o, o + chunk));
    console.log('ecb chunks', chunk, (16 / ((performance.now() - t) / 1000)).toFixed(1));
  }
  const k = { data: createBlockCipher('aes', key), tweak: createBlockCipher('aes', key) };
  const ivs = new Uint8Array(16 * 2048);
  const buf = new Uint8Array(MiB);
  t = performance.now();
  for (let i = 0; i < 16; i++) xtsDecrypt(k, buf, ivs, 512);
  console.log('xts 1MiB runs', (16 / ((performance.now() - t) / 1000)).toFixed(1));
});
