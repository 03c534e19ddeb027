// The Guestfs environment of the browser worker: the files the user dropped or picked,
// each read through FileReaderSync (BlobSource) behind a page cache, found by name.
// Reference: DESIGN.md "Layers" (BlockSource, page cache) and ../shared/BROWSER.md (a read
// costs ~0.5 ms whatever its size up to ~256 KiB, so pages are 256 KiB).

import { EngineError } from '../engine/errors.js';
import { MapResolver } from '../engine/formats/map-resolver.js';
import type { FileResolver } from '../engine/formats/types.js';
import type { GuestfsEnvironment, OpenedFile } from '../engine/guestfs/environment.js';
import type { BlockSource } from '../engine/io/block-source.js';
import { BlobSource } from '../engine/io/file-source.js';
import { PageCache } from '../engine/io/page-cache.js';
import { type IoStats, addStats, newStats } from '../engine/io/stats.js';

/** One page per FileReaderSync call: the size at which a read stops costing the same. */
export const PAGE_SIZE = 256 * 1024;
/** Memory for cached pages across all files of a session; the worker must not grow with
 * the size of the image (a 100 GiB image is explored with a few MiB read). */
export const SESSION_CACHE_BYTES = 96 * 1024 * 1024;
/** Each file keeps at least this much cache, however many files were supplied. */
export const MIN_FILE_CACHE_BYTES = 4 * 1024 * 1024;
/** More files than any backing chain or multi-disk guest needs; a bound on cache memory
 * (MAX_FILES × MIN_FILE_CACHE_BYTES). */
export const MAX_FILES = 64;

/** A reference an image made that none of the supplied files answers. */
export interface MissingReference {
  reference: string;
  referrer: string;
}

/**
 * Resolves like the inner resolver and remembers what happened: which supplied files were
 * named by another image (so they are not the top of a chain) and which references found
 * no file (so the user can be told which file to add).
 */
export class RecordingResolver implements FileResolver {
  readonly referenced = new Set<string>();
  missing: MissingReference[] = [];

  constructor(private readonly inner: FileResolver) {}

  resolve(reference: string, referrer: string): ReturnType<FileResolver['resolve']> {
    const found = this.inner.resolve(reference, referrer);
    if (found) {
      this.referenced.add(found.key);
      this.referenced.add(found.name);
    } else this.missing.push({ reference, referrer });
    return found;
  }
}

/** A file supplied by the user: the bytes it reads, and the storage reads it cost. */
export interface SuppliedFile {
  name: string;
  source: BlockSource;
  stats: IoStats;
}

/** Cache budget per file for a session of `count` files. */
export function fileCacheBytes(count: number): number {
  return Math.max(MIN_FILE_CACHE_BYTES, Math.floor(SESSION_CACHE_BYTES / Math.max(1, count)));
}

/**
 * A GuestfsEnvironment over a set of named files. Drives are opened by file name, and the
 * names images refer to (backing files, data files, extents) resolve by basename among
 * the same files — in the browser there is no directory to look in.
 */
export class SuppliedFilesEnvironment implements GuestfsEnvironment {
  readonly resolver: RecordingResolver;
  private readonly files = new Map<string, SuppliedFile>();

  constructor(files: SuppliedFile[]) {
    if (files.length === 0) throw new EngineError('EINVAL', 'no files supplied');
    if (files.length > MAX_FILES) {
      throw new EngineError('EINVAL', `${files.length} files supplied; at most ${MAX_FILES}`);
    }
    for (const f of files) {
      if (this.files.has(f.name)) {
        // References resolve by name, so two files with one name would be ambiguous.
        throw new EngineError('EINVAL', `two files are named ${f.name}; supply only one`, {
          path: f.name,
        });
      }
      this.files.set(f.name, f);
    }
    const sources = new Map([...this.files].map(([n, f]) => [n, f.source]));
    this.resolver = new RecordingResolver(new MapResolver(sources));
  }

  /** The supplied file names, in the order given. */
  names(): string[] {
    return [...this.files.keys()];
  }

  source(name: string): BlockSource | undefined {
    return this.files.get(name)?.source;
  }

  openDrive(filename: string): OpenedFile {
    const f = this.files.get(filename);
    if (!f) {
      throw new EngineError('ENOENT', `${filename}: not among the supplied files`, {
        path: filename,
      });
    }
    return { key: f.name, name: f.name, source: f.source };
  }

  stats(): IoStats {
    const total = newStats();
    for (const f of this.files.values()) addStats(total, f.stats);
    return total;
  }

  log(line: string): void {
    console.debug(line);
  }
}

/** The browser's environment: every File read synchronously, behind its own page cache. */
export function browserEnvironment(files: File[]): SuppliedFilesEnvironment {
  const budget = fileCacheBytes(files.length);
  return new SuppliedFilesEnvironment(
    files.map((file) => {
      const blob = new BlobSource(file, file.name);
      const source = new PageCache(blob, { pageSize: PAGE_SIZE, maxBytes: budget });
      return { name: file.name, source, stats: blob.stats };
    }),
  );
}
