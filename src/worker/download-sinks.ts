// Where a download's bytes go while the worker produces them. In the browser they are
// written to a file in the origin-private file system (OPFS) through a synchronous access
// handle, and the finished download is that file (a disk-backed Blob): measured here, a
// 2 GiB download this way grew the browser by ~12 MiB, where a Blob of 8 MiB Blob parts
// grew the browser process by ~2 GiB (Chromium keeps blob data in memory up to a fifth of
// RAM before paging it out). Only non-zero parts are written; the file's length is set at
// the end, so holes stay holes. Where OPFS is not available (Node, some private modes),
// Blob parts are the fallback, all-zero parts being slices of one shared zero Blob.
// Reference: WHATWG File System "FileSystemSyncAccessHandle"; W3C Web Locks API;
// ../shared/BROWSER.md "OPFS" (write() may return a short count when the quota is hit).

import { EngineError } from '../engine/errors.js';

export interface DownloadSink {
  /** Bytes at byte `offset` of the download; regions never written read as zeros. */
  write(bytes: Uint8Array, offset: number): void;
  /** The finished download, `size` bytes long. */
  finish(size: number, type: string): Promise<Blob>;
  /** Frees what was written (the job failed or was cancelled). */
  abort(): Promise<void>;
}

/** Makes the sink of job `job`; `sizeHint` is the final size when known in advance. */
export type SinkFactory = (job: string, sizeHint?: number) => Promise<DownloadSink>;

/** Largest zero run held as one shared Blob slice in the fallback sink. */
const ZERO_BLOB_BYTES = 8 * 1024 * 1024;
let zeroBlob: Blob | undefined;

function zeros(n: number): Blob[] {
  zeroBlob ??= new Blob([new Uint8Array(ZERO_BLOB_BYTES)]);
  const out: Blob[] = [];
  for (let left = n; left > 0; left -= ZERO_BLOB_BYTES)
    out.push(zeroBlob.slice(0, Math.min(left, ZERO_BLOB_BYTES)));
  return out;
}

/** The fallback: the download as a Blob of Blob parts (kept by the browser's blob storage). */
export class BlobPartsSink implements DownloadSink {
  private readonly parts: Blob[] = [];
  private end = 0;

  write(bytes: Uint8Array, offset: number): void {
    if (offset < this.end) throw new EngineError('EINVAL', 'download parts out of order');
    this.parts.push(...zeros(offset - this.end));
    // The Blob constructor copies: the caller may reuse its buffer at once.
    this.parts.push(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    this.end = offset + bytes.length;
  }

  async finish(size: number, type: string): Promise<Blob> {
    this.parts.push(...zeros(size - this.end));
    return new Blob(this.parts, { type });
  }

  async abort(): Promise<void> {
    this.parts.length = 0;
  }
}

export const blobPartsSinks: SinkFactory = async () => new BlobPartsSink();

/** The subset of FileSystemSyncAccessHandle used here (typed locally: lib.dom lags). */
interface SyncHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

class OpfsSink implements DownloadSink {
  constructor(
    private readonly file: FileSystemFileHandle,
    private readonly handle: SyncHandle,
    private readonly remove: () => Promise<void>,
  ) {}

  write(bytes: Uint8Array, offset: number): void {
    const n = this.handle.write(bytes, { at: offset });
    // Past the quota, write() returns a short count instead of throwing.
    if (n !== bytes.length)
      throw new EngineError(
        'ENOSPC',
        `the browser's storage for this site is full (wrote ${n} of ${bytes.length} bytes at ${offset})`,
      );
  }

  async finish(size: number, type: string): Promise<Blob> {
    this.handle.truncate(size);
    this.handle.flush();
    this.handle.close();
    const f = await this.file.getFile();
    return type === f.type ? f : f.slice(0, f.size, type);
  }

  async abort(): Promise<void> {
    try {
      this.handle.close();
    } finally {
      await this.remove();
    }
  }
}

/** Whether `bytes` more fit in this origin's storage quota (unknown counts as yes). */
async function fits(bytes: number): Promise<boolean> {
  const { quota, usage } = await navigator.storage.estimate();
  return quota === undefined || usage === undefined || quota - usage >= bytes;
}

/** OPFS directory of this worker's downloads: "guestkit-downloads/<worker id>/". */
const ROOT = 'guestkit-downloads';
const LOCK_PREFIX = 'guestkit-downloads:';

export function opfsAvailable(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function' &&
    typeof navigator.locks?.request === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    'createSyncAccessHandle' in FileSystemFileHandle.prototype
  );
}

/**
 * The OPFS files of this worker's downloads. Each worker holds a Web Lock on its own
 * directory for as long as it lives; directories whose lock nobody holds belong to
 * closed tabs and are deleted when the next worker starts.
 */
export class OpfsDownloads {
  private dir: Promise<FileSystemDirectoryHandle> | undefined;
  private readonly id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

  private open(): Promise<FileSystemDirectoryHandle> {
    this.dir ??= (async () => {
      const root = await (
        await navigator.storage.getDirectory()
      ).getDirectoryHandle(ROOT, {
        create: true,
      });
      await new Promise<void>((held) => {
        // The lock is held until the worker ends: the callback's promise never settles.
        void navigator.locks.request(LOCK_PREFIX + this.id, () => {
          held();
          return new Promise<never>(() => {});
        });
      });
      await this.purgeAbandoned(root);
      return root.getDirectoryHandle(this.id, { create: true });
    })();
    return this.dir;
  }

  private async purgeAbandoned(root: FileSystemDirectoryHandle): Promise<void> {
    const held = new Set((await navigator.locks.query()).held?.map((l) => l.name) ?? []);
    const names: string[] = [];
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
      names.push(name);
    for (const name of names)
      if (!held.has(LOCK_PREFIX + name))
        await root.removeEntry(name, { recursive: true }).catch(() => {});
  }

  readonly sinks: SinkFactory = async (job, sizeHint) => {
    // A private window keeps OPFS in memory under a small quota: what cannot fit there
    // goes to Blob parts instead of failing halfway.
    if (sizeHint !== undefined && !(await fits(sizeHint))) return new BlobPartsSink();
    const dir = await this.open();
    const name = `${job.replace(/[^\w.-]/g, '_')}.part`;
    const file = await dir.getFileHandle(name, { create: true });
    const handle = (await (
      file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }
    ).createSyncAccessHandle()) as SyncHandle;
    handle.truncate(0);
    return new OpfsSink(file, handle, () => dir.removeEntry(name).catch(() => {}));
  };

  /** Deletes a finished download's file (the page no longer offers it). */
  async release(job: string): Promise<void> {
    const dir = await this.open();
    await dir.removeEntry(`${job.replace(/[^\w.-]/g, '_')}.part`).catch(() => {});
  }
}
