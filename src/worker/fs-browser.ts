// The filesystems of one opened image as the filesystem pane browses them. Each
// filesystem is mounted read-only on / of its own private Guestfs handle (launched on the
// same supplied files, sharing their page caches): paths in the pane are paths inside
// that filesystem, absolute symlinks resolve inside it as they do in the guest, and the
// session's main handle keeps its mount table for inspection.
// Reference: DESIGN.md "Worker API"; guestfs(3) guestfs_mount_ro, guestfs_pread,
// guestfs_realpath, guestfs_tar_out.

import { EngineError, isEngineError } from '../engine/errors.js';
import type { Guestfs } from '../engine/guestfs/handle.js';
import type { DeviceSummary } from '../engine/guestfs/inventory.js';
import { canMount } from '../engine/fs/registry.js';
import {
  BLOB_PART_BYTES,
  type JobToken,
  type ProgressSink,
  assembleBlob,
} from './blob-assembly.js';
import type { SinkFactory } from './download-sinks.js';
import {
  type DirPage,
  type FsEntry,
  ListingCache,
  type SortOrder,
  typeOfMode,
} from './dir-listing.js';

/** A filesystem of the image, as the pane's selector shows it. */
export interface FsInfo {
  device: string;
  type: string;
  label?: string;
  uuid?: string;
  size: number;
  /** A driver reads it. */
  browsable: boolean;
  /** Why it cannot be browsed, when it cannot. */
  reason?: string;
}

/** What the pane needs to show a path: the entry itself and, through links, its target. */
export interface FsStat {
  /** The path as asked. */
  path: string;
  /** lstat of the path (a symlink stays a symlink). */
  entry: FsEntry;
  /** Canonical path with every symlink followed, and what is there (absent if dangling). */
  resolved?: { path: string; entry: FsEntry };
  /** Why the link could not be followed. */
  resolveError?: string;
}

export interface ListOptions {
  offset?: number;
  limit?: number;
  sort?: SortOrder;
}

export interface DownloadOptions {
  token: JobToken;
  /** Makes the place the bytes go, once the request has been checked. */
  sinks: SinkFactory;
  onProgress?: ProgressSink;
}

export interface DownloadResult {
  blob: Blob;
  /** A file name for the browser's save dialog. */
  name: string;
  size: number;
}

/** Largest readRange: one viewer page (the hex view reads 64 KiB, text 256 KiB). */
export const READ_RANGE_MAX = 16 * 1024 * 1024;

interface Mounted {
  handle: Guestfs;
  listings: ListingCache;
}

export class FsBrowser {
  private prepared: Promise<string[]> | undefined;
  /** Mounts by canonical device; a promise, so concurrent first calls share one mount. */
  private readonly mounted = new Map<string, Promise<Mounted>>();
  /** Downloads running on this image: closing it cancels them. */
  private readonly running = new Set<JobToken>();
  private closed = false;

  /**
   * `main` is the session's launched handle (devices, probing, driver loading); `launch`
   * returns a new launched handle on the same drives, for one private mount.
   */
  constructor(
    private readonly main: Guestfs,
    private readonly launch: () => Guestfs | Promise<Guestfs>,
  ) {}

  /** A volume was unlocked: new devices may need drivers, and get their own mounts. */
  volumesChanged(): void {
    this.prepared = undefined;
  }

  /** Loads the drivers the image's filesystems need (WASM, fetched once per worker). */
  private ready(): Promise<string[]> {
    if (!this.prepared) {
      this.prepared = this.main.prepareFilesystems();
      // A driver that failed to load (network, missing build) may load on the next try.
      this.prepared.catch(() => (this.prepared = undefined));
    }
    return this.prepared;
  }

  async filesystems(): Promise<FsInfo[]> {
    const loaded = await this.ready();
    return this.main
      .inventory()
      .devices.filter((d) => d.fs?.usage === 'filesystem')
      .map((d) => fsInfo(d, loaded));
  }

  private async fs(device: string): Promise<Mounted> {
    await this.ready();
    if (this.closed) throw new EngineError('EINVAL', 'this image has been closed');
    const name = this.main.canonical_device_name(device);
    let m = this.mounted.get(name);
    if (!m) {
      m = this.mountPrivately(name).then((handle) => ({ handle, listings: new ListingCache() }));
      this.mounted.set(name, m);
      // A mount that failed (driver, damage) is tried again on the next call.
      m.catch(() => this.mounted.delete(name));
    }
    return m;
  }

  private async mountPrivately(device: string): Promise<Guestfs> {
    this.main.device(device, 'mount_ro'); // ENOENT for a device the image does not have
    const h = await this.launch();
    try {
      h.mount_ro(device, '/');
      return h;
    } catch (e) {
      h.close();
      throw e;
    }
  }

  async listDir(device: string, path: string, opts: ListOptions = {}): Promise<DirPage> {
    const m = await this.fs(device);
    const listing = m.listings.get(m.handle, path);
    return listing.page(
      m.handle,
      opts.offset ?? 0,
      opts.limit ?? 500,
      opts.sort ?? { key: 'name' },
    );
  }

  /** Subdirectory names of `path` (the tree's lazy children). */
  async subdirs(device: string, path: string): Promise<string[]> {
    const m = await this.fs(device);
    return m.listings.get(m.handle, path).subdirs();
  }

  async stat(device: string, path: string): Promise<FsStat> {
    const { handle: h } = await this.fs(device);
    const entry = statEntry(h, path);
    if (entry.type === 'symlink') entry.target = h.readlink(path);
    const out: FsStat = { path, entry };
    try {
      const real = h.realpath(path);
      out.resolved = { path: real, entry: statEntry(h, real) };
    } catch (e) {
      if (!isEngineError(e)) throw e;
      out.resolveError = e.message;
    }
    return out;
  }

  async readRange(device: string, path: string, offset: number, length: number) {
    if (!Number.isSafeInteger(length) || length < 0 || length > READ_RANGE_MAX)
      throw new EngineError('EINVAL', `readRange: length ${length} is not 0…${READ_RANGE_MAX}`, {
        path,
      });
    const { handle: h } = await this.fs(device);
    return h.pread(path, length, offset);
  }

  /** A regular file (links followed) as a Blob, built part by part. */
  async download(device: string, path: string, opts: DownloadOptions): Promise<DownloadResult> {
    const { handle: h } = await this.fs(device);
    const real = h.realpath(path);
    const size = h.statns(real).st_size;
    h.pread(real, 0, 0); // EISDIR / unsupported for what is not a regular file, before any work
    const blob = await this.job(fileChunks(h, real, size), opts, 'application/octet-stream', size);
    if (blob.size !== size)
      throw new EngineError('io', `${path}: read ${blob.size} bytes of a ${size}-byte file`, {
        path,
      });
    return { blob, name: baseName(real) || 'file', size };
  }

  /** A directory as an uncompressed tar (tar_out's archive), built part by part. */
  async downloadTar(device: string, path: string, opts: DownloadOptions): Promise<DownloadResult> {
    const { handle: h } = await this.fs(device);
    const real = h.realpath(path);
    const chunks = h.tarStream(real);
    const blob = await this.job(chunks, opts, 'application/x-tar');
    const base = baseName(real) || device.replace(/^\/dev\//, '').replace(/\//g, '-');
    return { blob, name: `${base}.tar`, size: blob.size };
  }

  private async job(
    chunks: Iterator<Uint8Array>,
    opts: DownloadOptions,
    type: string,
    total?: number,
  ): Promise<Blob> {
    this.running.add(opts.token);
    try {
      const sink = await opts.sinks(opts.token.id, total);
      const { token, onProgress } = opts;
      return await assembleBlob(chunks, { token, onProgress, sink, type, total });
    } finally {
      this.running.delete(opts.token);
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.running) t.cancelled = true;
    for (const m of this.mounted.values()) m.then((x) => x.handle.close()).catch(() => {});
    this.mounted.clear();
  }
}

function fsInfo(d: DeviceSummary, loaded: string[]): FsInfo {
  const type = d.fs!.type;
  const info: FsInfo = { device: d.name, type, size: d.size, browsable: loaded.includes(type) };
  if (d.fs!.label) info.label = d.fs!.label;
  if (d.fs!.uuid) info.uuid = d.fs!.uuid;
  if (!info.browsable)
    info.reason = canMount(type)
      ? `the ${type} driver did not load`
      : `guestkit cannot read ${type} filesystems yet`;
  return info;
}

function statEntry(h: Guestfs, path: string): FsEntry {
  const st = h.lstatns(path);
  return {
    name: baseName(path) || '/',
    type: typeOfMode(st.st_mode),
    size: st.st_size,
    mode: st.st_mode,
    uid: st.st_uid,
    gid: st.st_gid,
    nlink: st.st_nlink,
    ino: st.st_ino,
    mtimeSec: st.st_mtime_sec,
    mtimeNsec: st.st_mtime_nsec,
  };
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The file's bytes in BLOB_PART_BYTES reads (pread holds one read in memory). */
function* fileChunks(h: Guestfs, path: string, size: number): Generator<Uint8Array> {
  for (let off = 0; off < size;) {
    const part = h.pread(path, Math.min(BLOB_PART_BYTES, size - off), off);
    if (part.length === 0) break;
    yield part;
    off += part.length;
  }
}
