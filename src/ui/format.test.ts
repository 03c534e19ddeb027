// humanSize must print sizes exactly as qemu-img does: for each size, qemu-img info prints
// "virtual size: <human> (<bytes> bytes)" and we compare our <human> for <bytes>.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { factLabel, factValue, humanSize, percent } from './format.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'guestkit-format-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** qemu-img's own rendering of a qcow2 of `bytes` virtual size. */
function qemuImgSize(bytes: number): [string, number] {
  const f = path.join(tmp, `${bytes}.qcow2`);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', f, String(bytes)]);
  const out = execFileSync('qemu-img', ['info', f], { encoding: 'utf8' });
  const m = /virtual size: (.+) \((\d+) bytes\)/.exec(out);
  if (!m) throw new Error(`unexpected qemu-img output: ${out}`);
  return [m[1]!, Number(m[2])];
}

describe('humanSize', () => {
  // Sizes around every unit switch (qemu switches at 1000 of a unit, not 1024), three
  // significant digits with rounding, and large disks. qemu-img rounds to 512 bytes.
  const sizes = [
    512,
    1024,
    1536,
    10240,
    512000,
    999936,
    1024000,
    1047552,
    1048576,
    1153024,
    12988416,
    123456512,
    1023410176,
    1073741824,
    1610612736,
    107374182400,
    5000000000000,
    2 ** 50,
  ];
  it.each(sizes)('prints %d bytes as qemu-img does', (n) => {
    const [human, bytes] = qemuImgSize(n);
    expect(humanSize(bytes)).toBe(human);
  });

  it('handles zero and bytes below 1000', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(46)).toBe('46 B');
  });
});

describe('format facts', () => {
  it('labels camel-case keys as words', () => {
    expect(factLabel('clusterSize')).toBe('Cluster size');
    expect(factLabel('extendedL2')).toBe('Extended L2');
    expect(factLabel('lazyRefcounts')).toBe('Lazy refcounts');
  });
  it('renders values', () => {
    expect(factValue('dirty', false)).toBe('no');
    expect(factValue('clusterSize', 65536)).toBe('64 KiB');
    expect(factValue('refcountBits', 16)).toBe('16');
    expect(factValue('features', [])).toBe('none');
  });
  it('gives percentages', () => {
    expect(percent(1, 4)).toBe('25%');
    expect(percent(1, 1e6)).toBe('<0.01%');
    expect(percent(5, 0)).toBe('0%');
  });
});
