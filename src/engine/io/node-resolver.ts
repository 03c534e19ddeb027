// The Node FileResolver: references resolve the way QEMU resolves a backing file name —
// an absolute path stays as it is, a relative one is relative to the directory of the
// image that names it (as that image was opened, not its real path, so a symlinked image
// finds its backing file beside the link as QEMU does). Files are read through a page
// cache; the key is the real path, so two spellings of one file are one chain link.
// Imported only by Node entry points (CLI, tests, bench), never by the browser bundle.
// Reference: QEMU block.c bdrv_get_full_backing_filename_from_filename.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createOpenContext, openImage } from '../formats/registry.js';
import type { DiskImage, FileResolver } from '../formats/types.js';
import { NodeFileSource } from './node-source.js';
import { PageCache, type PageCacheOptions } from './page-cache.js';
import type { IoStats } from './stats.js';

/** A Node file behind a page cache; `file.stats` counts the reads that reached the disk. */
export class CachedNodeFile extends PageCache {
  constructor(
    readonly file: NodeFileSource,
    options: PageCacheOptions = {},
  ) {
    super(file, options);
  }

  close(): void {
    this.file.close();
  }
}

export interface NodeOpenedFile {
  /** The real path: identity for backing-chain loop detection. */
  key: string;
  /** The path as given. */
  name: string;
  source: CachedNodeFile;
}

/**
 * Real path → the path it was opened by. Shared by openNodeFile and every NodeResolver so a
 * reference made by an image opened either way resolves against the directory it was
 * opened from (a per-process fact about path names, not state of any one image).
 */
const openedAs = new Map<string, string>();

/** Open a host file for reading. Throws EngineError ENOENT if it does not exist. */
export function openNodeFile(file: string, options: PageCacheOptions = {}): NodeOpenedFile {
  const full = path.resolve(file);
  const source = new CachedNodeFile(new NodeFileSource(full), options);
  let key: string;
  try {
    key = fs.realpathSync(full);
  } catch {
    key = full;
  }
  openedAs.set(key, full);
  return { key, name: file, source };
}

export class NodeResolver implements FileResolver {
  private readonly opened: CachedNodeFile[] = [];

  constructor(private readonly cacheOptions: PageCacheOptions = {}) {}

  /** Open a file named by the user (the top image); closed by close(). */
  open(file: string): NodeOpenedFile {
    const f = openNodeFile(file, this.cacheOptions);
    this.opened.push(f.source);
    return f;
  }

  /** `referrer` is the key (real path) of the image that names `reference`. */
  resolve(reference: string, referrer: string): NodeOpenedFile | undefined {
    const base = openedAs.get(referrer) ?? referrer;
    const full = path.isAbsolute(reference)
      ? reference
      : path.resolve(path.dirname(base), reference);
    if (!fs.existsSync(full)) return undefined;
    const f = openNodeFile(full, this.cacheOptions);
    this.opened.push(f.source);
    return { ...f, name: reference };
  }

  /** I/O statistics of every file this resolver opened. */
  stats(): IoStats[] {
    return this.opened.map((f) => f.file.stats);
  }

  close(): void {
    for (const f of this.opened) f.close();
    this.opened.length = 0;
  }
}

/** Open an image file with its backing chain and data files; `resolver.close()` releases them. */
export function openNodeImage(
  file: string,
  formatHint?: string,
  resolver = new NodeResolver(),
): { image: DiskImage; resolver: NodeResolver } {
  const top = resolver.open(file);
  const image = openImage(top.source, createOpenContext(resolver, top.key), formatHint);
  return { image, resolver };
}
