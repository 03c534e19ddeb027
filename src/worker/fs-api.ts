// The filesystem pane's half of the worker API. Every call names the image session it
// belongs to, so an answer never describes a different image than the one the page shows
// (a call for a closed session is refused). Long jobs (downloads) carry an id the page
// chose; `cancelJob(id)` stops one at its next yield, and progress goes to a callback the
// page passes (a Comlink proxy).
// Reference: DESIGN.md "Worker API".

import { transfer } from 'comlink';
import { type JobProgress, Jobs } from './blob-assembly.js';
import { type SinkFactory, blobPartsSinks } from './download-sinks.js';
import type { DirPage } from './dir-listing.js';
import type { DownloadResult, FsBrowser, FsInfo, FsStat, ListOptions } from './fs-browser.js';

export type { DirPage, FsEntry, SortKey, SortOrder } from './dir-listing.js';
export type { DownloadResult, FsInfo, FsStat, ListOptions } from './fs-browser.js';
export type { JobProgress } from './blob-assembly.js';

export interface FsApi {
  /** Filesystems of the image (loads the WASM drivers they need on first call). */
  filesystems(session: number): Promise<FsInfo[]>;
  listDir(session: number, device: string, path: string, opts?: ListOptions): Promise<DirPage>;
  subdirs(session: number, device: string, path: string): Promise<string[]>;
  stat(session: number, device: string, path: string): Promise<FsStat>;
  readRange(
    session: number,
    device: string,
    path: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array>;
  download(
    session: number,
    device: string,
    path: string,
    job: string,
    onProgress?: (p: JobProgress) => void,
  ): Promise<DownloadResult>;
  downloadTar(
    session: number,
    device: string,
    path: string,
    job: string,
    onProgress?: (p: JobProgress) => void,
  ): Promise<DownloadResult>;
  /** Stops a running download; false if no job has that id. */
  cancelJob(job: string): boolean;
  /** Frees the storage of a finished download the page no longer offers. */
  releaseDownload(job: string): Promise<void>;
}

export interface FsApiOptions {
  jobs?: Jobs;
  /** Where downloads are built (default: Blob parts, for hosts without OPFS). */
  sinks?: SinkFactory;
  release?(job: string): Promise<void>;
}

/** Bytes handed over without a copy: the buffer moves to the page. */
function handOver(b: Uint8Array): Uint8Array {
  const own = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
  return transfer(own, [own.buffer]);
}

/** The API over `browser(session)`, which throws when that session is not the open one. */
export function fsApi(browser: (session: number) => FsBrowser, opts: FsApiOptions = {}): FsApi {
  const jobs = opts.jobs ?? new Jobs();
  const sinks = opts.sinks ?? blobPartsSinks;
  const run = async <T>(job: string, fn: (token: ReturnType<Jobs['start']>) => Promise<T>) => {
    const token = jobs.start(job);
    try {
      return await fn(token);
    } finally {
      jobs.finish(token);
    }
  };
  // async throughout: a refused session is a rejected promise, never a synchronous throw.
  return {
    filesystems: async (s) => browser(s).filesystems(),
    listDir: async (s, device, path, opts) => browser(s).listDir(device, path, opts),
    subdirs: async (s, device, path) => browser(s).subdirs(device, path),
    stat: async (s, device, path) => browser(s).stat(device, path),
    readRange: async (s, device, path, offset, length) =>
      handOver(await browser(s).readRange(device, path, offset, length)),
    download: async (s, device, path, job, onProgress) =>
      run(job, (token) => browser(s).download(device, path, { token, onProgress, sinks })),
    downloadTar: async (s, device, path, job, onProgress) =>
      run(job, (token) => browser(s).downloadTar(device, path, { token, onProgress, sinks })),
    cancelJob: (job) => jobs.cancel(job),
    releaseDownload: async (job) => opts.release?.(job),
  };
}
