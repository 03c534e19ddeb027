// Download assembly: the bytes come out exactly as the chunks went in (batched small
// chunks, split large ones, zero parts never written but read back as zeros), progress
// ends at the total, and a cancelled job stops with an AbortError at its next yield and
// frees its sink.

import { describe, expect, it } from 'vitest';
import { BLOB_PART_BYTES, Jobs, assembleBlob, isAllZero } from './blob-assembly.js';
import { BlobPartsSink, type DownloadSink } from './download-sinks.js';

/** A sink that records what it is asked to write (and whether it was aborted). */
class RecordingSink implements DownloadSink {
  writes: [number, number][] = [];
  aborted = false;
  private readonly inner = new BlobPartsSink();
  write(bytes: Uint8Array, offset: number): void {
    this.writes.push([offset, bytes.length]);
    this.inner.write(bytes, offset);
  }
  finish(size: number, type: string) {
    return this.inner.finish(size, type);
  }
  async abort() {
    this.aborted = true;
  }
}

function* fromArray(chunks: Uint8Array[]): Generator<Uint8Array> {
  yield* chunks;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff || 1;
  return b;
}

describe('isAllZero', () => {
  it('finds a single non-zero byte anywhere, aligned or not', () => {
    const b = new Uint8Array(1027);
    expect(isAllZero(b)).toBe(true);
    expect(isAllZero(b.subarray(1))).toBe(true);
    for (const at of [0, 3, 512, 1026]) {
      b[at] = 1;
      expect(isAllZero(b)).toBe(false);
      expect(isAllZero(b.subarray(1))).toBe(at === 0);
      b[at] = 0;
    }
    expect(isAllZero(new Uint8Array(0))).toBe(true);
  });
});

describe('assembleBlob', () => {
  it('keeps the bytes of small, large and zero chunks in order', async () => {
    const chunks = [
      pattern(100, 1),
      new Uint8Array(BLOB_PART_BYTES * 2 + 5), // zeros across part boundaries
      pattern(BLOB_PART_BYTES + 17, 2),
      pattern(3, 3),
      new Uint8Array(10),
    ];
    const progress: (number | undefined)[][] = [];
    const token = new Jobs().start('a');
    const sink = new RecordingSink();
    const blob = await assembleBlob(fromArray(chunks), {
      token,
      sink,
      total: 123,
      onProgress: (p) => progress.push([p.done, p.total]),
    });
    const want = concat(chunks);
    expect(blob.size).toBe(want.length);
    expect(Buffer.from(await blob.arrayBuffer()).equals(Buffer.from(want))).toBe(true);
    expect(progress.at(-1)).toEqual([want.length, 123]);
    // Parts of P bytes: [100 pattern + zeros] [zeros] [zeros + pattern] [pattern + 3 + 10
    // zeros, 135 bytes]; the all-zero part was not written.
    const P = BLOB_PART_BYTES;
    expect(sink.writes).toEqual([
      [0, P],
      [2 * P, P],
      [3 * P, want.length - 3 * P],
    ]);
  });

  it('produces an empty Blob for no chunks', async () => {
    const blob = await assembleBlob(fromArray([]), {
      token: new Jobs().start('e'),
      sink: new BlobPartsSink(),
    });
    expect(blob.size).toBe(0);
  });

  it('stops with an AbortError once cancelled, closes the generator and aborts the sink', async () => {
    const jobs = new Jobs();
    const token = jobs.start('big');
    let closed = false;
    function* endless(): Generator<Uint8Array> {
      try {
        for (;;) yield new Uint8Array(BLOB_PART_BYTES);
      } finally {
        closed = true;
      }
    }
    const sink = new RecordingSink();
    const p = assembleBlob(endless(), { token, sink, onProgress: () => jobs.cancel('big') });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(closed).toBe(true);
    expect(sink.aborted).toBe(true);
    expect(sink.writes).toEqual([]); // zeros only: nothing was ever written
  });

  it('refuses a second job with a running id; cancel of an unknown id is false', () => {
    const jobs = new Jobs();
    const t = jobs.start('x');
    expect(() => jobs.start('x')).toThrow();
    jobs.finish(t);
    expect(jobs.cancel('x')).toBe(false);
    jobs.start('x');
    expect(jobs.cancel('x')).toBe(true);
  });
});
