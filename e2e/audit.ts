// The network audit: a disk explorer that says "nothing is uploaded" must be seen not to
// talk to anyone but the server it was loaded from, and only to fetch.

import { expect } from 'vitest';
import type { RecordedRequest } from './browser.js';

/** Every request went to the app's own origin (or stayed inside the browser: data:, blob:)
 * and only read (GET/HEAD). */
export function expectOnlyOwnStaticFiles(requests: RecordedRequest[], baseUrl: string): void {
  const origin = new URL(baseUrl).origin;
  const foreign = requests.filter((r) => {
    const url = new URL(r.url);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return url.origin !== origin;
  });
  expect(foreign, 'requests to other origins').toEqual([]);
  const writes = requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  expect(writes, 'requests that send data').toEqual([]);
  // What the app may fetch: its page, its build output, its filesystem drivers (WASM,
  // loaded when an image holds such a filesystem), the demo image and the icon the browser
  // asks for by itself.
  const paths = requests
    .filter((r) => new URL(r.url).origin === origin)
    .map((r) => new URL(r.url).pathname);
  const allowed = (p: string) =>
    p === '/' ||
    p === '/index.html' ||
    p.startsWith('/assets/') ||
    /^\/wasm\/[a-z0-9]+\.wasm$/.test(p) ||
    p === '/demo/demo.qcow2' ||
    p === '/favicon.svg';
  expect(
    paths.filter((p) => !allowed(p)),
    'unexpected paths',
  ).toEqual([]);
}
