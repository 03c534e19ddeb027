// Deep links into the filesystem pane: the URL hash names a device and a path inside its
// filesystem, "#/dev/sda2/etc/passwd", so a reload followed by the same drop (files cannot
// persist) — or back and forward within the session — returns to the same place. Each
// navigation sets the hash, which pushes a history entry; the pane reads only the hash.
// Components are percent-encoded, so any byte of a name survives the URL.

import { useSyncExternalStore } from 'react';

export interface FsLocation {
  device: string;
  /** Absolute path inside the filesystem ("/" for its root). */
  path: string;
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((c) => encodeURIComponent(c))
    .join('/');
}

function decodeComponent(c: string): string {
  try {
    return decodeURIComponent(c);
  } catch {
    return c; // a stray "%" typed by hand: take it literally
  }
}

/** "#/dev/sda2/etc/passwd" for device /dev/sda2 and path /etc/passwd. */
export function formatHash(loc: FsLocation): string {
  const path = normalisePath(loc.path);
  return `#${encodePath(loc.device)}${path === '/' ? '/' : encodePath(path)}`;
}

/** "/a//b/./c/" → "/a/b/c"; ".." is kept for the filesystem to resolve (symlinks). */
export function normalisePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

/**
 * The location a hash names, given the devices of the open image: the longest device name
 * the hash starts with, followed by the end or a "/". Undefined for an empty hash; the
 * raw text when no device matches (the link is for another image).
 */
export function parseHash(
  hash: string,
  devices: readonly string[],
): FsLocation | { unmatched: string } | undefined {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (raw === '' || raw === '/') return undefined;
  const text = raw.split('/').map(decodeComponent).join('/');
  let best: string | undefined;
  for (const d of devices) {
    const fits = text === d || text.startsWith(`${d}/`);
    if (fits && (!best || d.length > best.length)) best = d;
  }
  if (!best) return { unmatched: text };
  return { device: best, path: normalisePath(text.slice(best.length)) };
}

/** The parent directory of an absolute path ("/" for "/" itself). */
export function parentPath(path: string): string {
  const p = normalisePath(path);
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function baseName(path: string): string {
  const p = normalisePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Every ancestor of `path` including itself, root first: "/a/b" → ["/", "/a", "/a/b"]. */
export function ancestors(path: string): string[] {
  const parts = normalisePath(path).split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current URL hash, re-rendering on every change (links, back, forward). */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}

/** Go to a location: a new history entry unless it is where we already are. */
export function navigate(loc: FsLocation): void {
  const hash = formatHash(loc);
  if (window.location.hash !== hash) window.location.hash = hash;
}
