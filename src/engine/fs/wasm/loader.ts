// Fetches and compiles a filesystem module once, on first mount: fetch() in the browser
// (from public/wasm/, served at BASE_URL/wasm/), fs.readFile in Node (public/wasm/ or the
// cargo output, found by walking up from this file; GUESTKIT_WASM_DIR overrides). After
// that, instances are created synchronously (`new WebAssembly.Instance`), which workers and
// Node allow for modules of any size.

import { EngineError } from '../../errors.js';

const compiled = new Map<string, Promise<WebAssembly.Module>>();
let baseUrl: string | undefined;

/** Where the browser fetches NAME.wasm from (default: `${BASE_URL}wasm/`). */
export function setWasmBaseUrl(url: string): void {
  baseUrl = url.endsWith('/') ? url : `${url}/`;
}

/** The compiled module `name` (e.g. "ext4"), loaded and compiled once per process. */
export function loadWasmModule(name: string): Promise<WebAssembly.Module> {
  let p = compiled.get(name);
  if (!p) {
    p = fetchBytes(name).then((bytes) => WebAssembly.compile(bytes as BufferSource));
    // A failed load may succeed later (the build ran meanwhile): do not cache failures.
    p.catch(() => compiled.delete(name));
    compiled.set(name, p);
  }
  return p;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function fetchBytes(name: string): Promise<Uint8Array> {
  return isNode() ? readInNode(name) : fetchInBrowser(name);
}

async function fetchInBrowser(name: string): Promise<Uint8Array> {
  const env = (import.meta as { env?: { BASE_URL?: string } }).env;
  const base = baseUrl ?? `${env?.BASE_URL ?? '/'}wasm/`;
  const url = new URL(`${base}${name}.wasm`, globalThis.location?.href).href;
  const res = await fetch(url);
  if (!res.ok) throw new EngineError('io', `cannot load ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function readInNode(name: string): Promise<Uint8Array> {
  // Hidden from bundlers: these modules exist only in Node.
  const fsName = 'node:fs/promises';
  const pathName = 'node:path';
  const urlName = 'node:url';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  const url = (await import(/* @vite-ignore */ urlName)) as typeof import('node:url');
  const tried: string[] = [];
  for (const file of nodeCandidates(name, path, url.fileURLToPath(import.meta.url))) {
    tried.push(file);
    try {
      return new Uint8Array(await fs.readFile(file));
    } catch {
      // try the next place
    }
  }
  throw new EngineError(
    'io',
    `${name}.wasm not found (run scripts/build-wasm.sh); looked in: ${tried.join(', ')}`,
  );
}

function nodeCandidates(name: string, path: typeof import('node:path'), here: string): string[] {
  const out: string[] = [];
  const env = process.env.GUESTKIT_WASM_DIR;
  if (env) out.push(path.join(env, `${name}.wasm`));
  let dir = path.dirname(here);
  for (let i = 0; i < 8; i++) {
    out.push(path.join(dir, 'public', 'wasm', `${name}.wasm`));
    out.push(path.join(dir, 'wasm', 'target', 'wasm32-unknown-unknown', 'release', `${name}.wasm`));
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}
