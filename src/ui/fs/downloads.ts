// Downloads of files and directories (as tar): the worker writes the bytes part by part
// to a file in the origin-private file system and reports progress; the page turns the
// finished file (a disk-backed Blob) into an object URL and clicks a download link, so
// neither the page nor the worker holds the download in memory. Jobs are kept in a
// small store that the Downloads panel subscribes to; each can be cancelled while running.

import { proxy } from 'comlink';
import { useSyncExternalStore } from 'react';
import type { DownloadResult, JobProgress } from '../../worker/fs-api.js';
import { callEngine } from '../worker-client.js';

export type DownloadStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface DownloadJob {
  id: string;
  kind: 'file' | 'tar';
  device: string;
  path: string;
  /** The save name (known once the worker answers; a guess before). */
  name: string;
  status: DownloadStatus;
  done: number;
  total?: number;
  /** Object URL of the finished Blob (revoked when the entry is dismissed). */
  url?: string;
  error?: Error;
}

let jobs: DownloadJob[] = [];
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of listeners) l();
}

function update(id: string, patch: Partial<DownloadJob>): void {
  jobs = jobs.map((j) => (j.id === id ? { ...j, ...patch } : j));
  emit();
}

export function useDownloads(): DownloadJob[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => jobs,
  );
}

/** Hands a finished Blob to the browser's download manager. */
function save(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

let counter = 0;

/** Starts a download of `path` (a file, or a directory as tar) of the open session. */
export function startDownload(
  session: number,
  device: string,
  path: string,
  kind: 'file' | 'tar',
): string {
  const id = `dl-${Date.now().toString(36)}-${++counter}`;
  const guess = (path.split('/').filter(Boolean).pop() ?? device.replace(/\W+/g, '-')) || 'root';
  jobs = [
    ...jobs,
    {
      id,
      kind,
      device,
      path,
      name: kind === 'tar' ? `${guess}.tar` : guess,
      status: 'running',
      done: 0,
    },
  ];
  emit();
  const onProgress = proxy((p: JobProgress) => update(id, { done: p.done, total: p.total }));
  const call = (api: Parameters<Parameters<typeof callEngine>[0]>[0]): Promise<DownloadResult> =>
    kind === 'tar'
      ? api.downloadTar(session, device, path, id, onProgress)
      : api.download(session, device, path, id, onProgress);
  callEngine(call).then(
    (r) => {
      const url = URL.createObjectURL(r.blob);
      update(id, { status: 'done', name: r.name, done: r.size, total: r.size, url });
      save(url, r.name);
    },
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      update(id, { status: err.name === 'AbortError' ? 'cancelled' : 'failed', error: err });
    },
  );
  return id;
}

export function cancelDownload(id: string): void {
  void callEngine((api) => api.cancelJob(id));
}

/** Saves a finished download again (the same Blob). */
export function saveAgain(id: string): void {
  const j = jobs.find((x) => x.id === id);
  if (j?.url) save(j.url, j.name);
}

/** Removes an entry and frees its Blob. */
export function dismissDownload(id: string): void {
  const j = jobs.find((x) => x.id === id);
  if (j?.status === 'running') cancelDownload(id);
  if (j?.url) {
    URL.revokeObjectURL(j.url);
    // The worker keeps the finished file (an OPFS file) until the page lets it go.
    void callEngine((api) => api.releaseDownload(id));
  }
  jobs = jobs.filter((x) => x.id !== id);
  emit();
}
