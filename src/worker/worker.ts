// The dedicated module worker: the only place the engine runs in the browser. It reads
// the user's files synchronously (FileReaderSync) and answers the page over Comlink.
// Errors are thrown back to the page with their fields (error-transfer.ts); none of them
// ends the worker, so the next drop works after a bad one.

/// <reference lib="webworker" />
import { expose } from 'comlink';
import { browserEnvironment } from './browser-env.js';
import './error-transfer.js';
import { OpfsDownloads, opfsAvailable } from './download-sinks.js';
import { fsApi } from './fs-api.js';
import { type OpenOptions, type SessionApi, SessionHost } from './session.js';
// sql.js reads rpm databases in sqlite form; its .wasm is served as one of the app's assets.
import sqlWasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';

const host = new SessionHost<File>(browserEnvironment, { sqlWasmUrl });

const api: SessionApi = {
  open: (files: File[], opts?: OpenOptions) => host.open(files, opts),
  formats: () => host.formats(),
  inventory: () => host.inventory(),
  inspect: () => host.inspect(),
  applications: (root: string) => host.applications(root),
  ioStats: () => host.ioStats(),
  unlock: (session, device, passphrase, onProgress) =>
    host.unlock(session, device, passphrase, onProgress),
  close: () => host.close(),
  ...fsApi((session) => host.fsBrowser(session), downloadStorage()),
};

/** Downloads go to OPFS files (disk-backed) where the browser offers them. */
function downloadStorage() {
  if (!opfsAvailable()) return {};
  const store = new OpfsDownloads();
  return { sinks: store.sinks, release: (job: string) => store.release(job) };
}

// A bug that escapes a call (not an EngineError) is logged, never fatal to the worker.
self.addEventListener('unhandledrejection', (e) => console.error('worker:', e.reason));

expose(api);
