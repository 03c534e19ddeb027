// The zstd frame walker against frames written by the zstd command-line tool: the length it
// finds is the length of the file zstd wrote, whatever padding follows.

import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { zstdFrameInfo } from '../../src/engine/util/zstd-frame.js';
import { engineError } from './helpers.js';

/** zstd reading stdin; --stream-size makes it record the content size, as for a file. */
function zstd(input: Uint8Array, ...args: string[]): Uint8Array {
  const size = args.includes('--no-content-size') ? [] : [`--stream-size=${input.length}`];
  return new Uint8Array(execFileSync('zstd', ['-q', '-c', ...size, ...args], { input }));
}

const text = new TextEncoder().encode('guestkit zstd frame '.repeat(20000)); // 400 kB: several blocks
const noise = new Uint8Array(200000).map((_, i) => (i * 2654435761) >>> 24); // raw blocks

describe('zstdFrameInfo', () => {
  test.each([
    ['compressible text, with checksum', text, ['--check']],
    ['compressible text, no checksum, no content size', text, ['--no-check', '--no-content-size']],
    ['incompressible bytes (raw blocks)', noise, ['-1']],
    ['a run of one byte (RLE blocks)', new Uint8Array(300000).fill(7), ['-19']],
  ])('%s: length is the file zstd wrote, followed by padding', (_, input, args) => {
    const frame = zstd(input, ...args);
    const padded = new Uint8Array(frame.length + 700);
    padded.set(frame);
    padded.set([0x28, 0xb5, 0x2f, 0xfd], frame.length); // a next frame's magic must not count
    const info = zstdFrameInfo(padded, 'test frame');
    expect(info.length).toBe(frame.length);
    expect(info.contentSize).toBe(args.includes('--no-content-size') ? undefined : input.length);
  });

  test('a truncated frame and a bad magic are corrupt, naming the structure', () => {
    const frame = zstd(text);
    const e = engineError(() =>
      zstdFrameInfo(frame.subarray(0, frame.length - 10), 'test frame', 4096),
    );
    expect({ kind: e.kind, structure: e.structure }).toEqual({
      kind: 'corrupt',
      structure: 'test frame',
    });
    const bad = frame.slice();
    bad[0] = 0;
    expect(engineError(() => zstdFrameInfo(bad, 'test frame')).offset).toBe(0);
  });
});
