// A download produced in the worker: the chunks of a file or a tar are gathered into
// parts of BLOB_PART_BYTES and handed to a sink (download-sinks.ts: an OPFS file in the
// browser), so the worker holds one part whatever the size of the download. All-zero
// parts — the holes of sparse files — are never written. Between slices of work the job
// yields to the worker's event loop, so progress reaches the page and a cancel gets
// through; a cancelled or failed job frees what its sink holds.
// Reference: DESIGN.md "Long jobs".

import type { DownloadSink } from './download-sinks.js';

/** Bytes per part: large enough that a multi-GiB file is a few hundred writes. */
export const BLOB_PART_BYTES = 8 * 1024 * 1024;
/** Work between two yields to the event loop (ms): keeps cancel and progress prompt. */
export const SLICE_MS = 40;
/** Progress reports at most this often (ms). */
export const PROGRESS_MS = 100;

export interface JobProgress {
  /** Bytes produced so far. */
  done: number;
  /** Final size when known in advance (files); undefined for a tar being built. */
  total?: number;
}

export type ProgressSink = (p: JobProgress) => void;

/** Thrown when a job is cancelled: the page's fetch-style name for it. */
export function abortError(job: string): Error {
  const e = new Error(`${job}: cancelled`);
  e.name = 'AbortError';
  return e;
}

/** The cancel switch of one running job. */
export interface JobToken {
  readonly id: string;
  cancelled: boolean;
}

/** Running jobs by the id the page gave them; cancel flips the token the job polls. */
export class Jobs {
  private readonly running = new Map<string, JobToken>();

  start(id: string): JobToken {
    if (this.running.has(id)) throw new Error(`job ${id} is already running`);
    const token = { id, cancelled: false };
    this.running.set(id, token);
    return token;
  }

  finish(token: JobToken): void {
    if (this.running.get(token.id) === token) this.running.delete(token.id);
  }

  /** True if a job with that id was running (it stops at its next yield). */
  cancel(id: string): boolean {
    const t = this.running.get(id);
    if (t) t.cancelled = true;
    return t !== undefined;
  }

  cancelAll(): void {
    for (const t of this.running.values()) t.cancelled = true;
  }
}

/** A macrotask boundary: lets queued messages (cancel, other calls) run. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

export function isAllZero(b: Uint8Array): boolean {
  const words = b.byteOffset % 4 === 0 ? b.length >>> 2 : 0;
  if (words > 0) {
    const w = new Uint32Array(b.buffer, b.byteOffset, words);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  }
  for (let i = words << 2; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export interface AssembleOptions {
  token: JobToken;
  /** Where the bytes go (download-sinks.ts). */
  sink: DownloadSink;
  type?: string;
  total?: number;
  onProgress?: ProgressSink;
}

/** Gathers chunks into parts of BLOB_PART_BYTES (small chunks such as tar headers are
 * batched) and hands the sink those that are not all zeros, at their offsets. */
class PartWriter {
  private readonly batch = new Uint8Array(BLOB_PART_BYTES);
  private used = 0;
  /** Bytes pushed so far (the offset of the next byte). */
  done = 0;

  constructor(private readonly sink: DownloadSink) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.used === 0 && chunk.length - at >= BLOB_PART_BYTES) {
        this.emit(chunk.subarray(at, at + BLOB_PART_BYTES), this.done + at);
        at += BLOB_PART_BYTES;
        continue;
      }
      const n = Math.min(BLOB_PART_BYTES - this.used, chunk.length - at);
      this.batch.set(chunk.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      if (this.used === BLOB_PART_BYTES) this.flush(this.done + at);
    }
    this.done += chunk.length;
  }

  /** Writes the batch, which ends at byte `end`. */
  flush(end = this.done): void {
    if (this.used === 0) return;
    this.emit(this.batch.subarray(0, this.used), end - this.used);
    this.used = 0;
  }

  private emit(bytes: Uint8Array, offset: number): void {
    if (!isAllZero(bytes)) this.sink.write(bytes, offset);
  }
}

/**
 * Runs the chunk generator to the end, in slices of SLICE_MS between yields, and returns
 * the Blob of everything it produced. Throws abortError when the token is cancelled.
 */
export async function assembleBlob(
  chunks: Iterator<Uint8Array>,
  opts: AssembleOptions,
): Promise<Blob> {
  const w = new PartWriter(opts.sink);
  try {
    await pump(chunks, w, opts);
    w.flush();
  } catch (e) {
    chunks.return?.(undefined);
    await opts.sink.abort();
    throw e;
  }
  opts.onProgress?.({ done: w.done, total: opts.total });
  return opts.sink.finish(w.done, opts.type ?? 'application/octet-stream');
}

/** Runs the generator in slices of SLICE_MS, yielding and checking for cancel between. */
async function pump(chunks: Iterator<Uint8Array>, w: PartWriter, opts: AssembleOptions) {
  let lastReport = 0;
  for (;;) {
    const sliceStart = Date.now();
    while (Date.now() - sliceStart < SLICE_MS) {
      const r = chunks.next();
      if (r.done) return;
      w.push(r.value);
    }
    if (opts.onProgress && Date.now() - lastReport >= PROGRESS_MS) {
      lastReport = Date.now();
      opts.onProgress({ done: w.done, total: opts.total });
    }
    await yieldToEventLoop();
    if (opts.token.cancelled) throw abortError(opts.token.id);
  }
}
