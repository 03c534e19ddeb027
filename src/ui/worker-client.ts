// The page's side of the worker: one dedicated module worker, wrapped by Comlink. If the
// worker itself fails (its script did not load, or it ran out of memory), pending and
// later calls reject with that failure instead of waiting forever, and the next call
// starts a fresh worker.

import { type Remote, wrap } from 'comlink';
import '../worker/error-transfer.js';
import type { SessionApi } from '../worker/session.js';

interface Connection {
  worker: Worker;
  remote: Remote<SessionApi>;
  /** Rejects when the worker fails; every call races against it. */
  failed: Promise<never>;
}

let connection: Connection | undefined;

function connect(): Connection {
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'guestkit-engine',
  });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      if (connection?.worker === worker) connection = undefined;
      reject(new Error(`the disk engine stopped: ${e.message || 'worker error'}`));
    });
  });
  failed.catch(() => {}); // observed by the calls that race against it
  return { worker, remote: wrap<SessionApi>(worker), failed };
}

/** Run one call on the worker (starting it on first use). */
export async function callEngine<T>(fn: (api: Remote<SessionApi>) => Promise<T>): Promise<T> {
  connection ??= connect();
  const c = connection;
  return Promise.race([fn(c.remote), c.failed]);
}
