// The worker's session: one set of supplied files opened through a Guestfs handle. This is
// the object the page talks to over Comlink (worker.ts exposes it); it is plain TypeScript
// over the engine, so Node tests drive it with files read by NodeFileSource.
// Reference: DESIGN.md "Worker API".

import { EngineError } from '../engine/errors.js';
import { formatDrivers } from '../engine/formats/registry.js';
import { Guestfs } from '../engine/guestfs/handle.js';
import type { Inventory } from '../engine/guestfs/inventory.js';
import type { UnlockProgress } from '../engine/volumes/luks/index.js';
import { readHead } from '../engine/io/block-source.js';
import { type IoStats, newStats } from '../engine/io/stats.js';
import type { SuppliedFilesEnvironment } from './browser-env.js';
import type { FsApi } from './fs-api.js';
import { FsBrowser } from './fs-browser.js';
import {
  type ApplicationsView,
  Inspection,
  type InspectionOptions,
  type InspectionView,
} from './inspection.js';
import { analyseImageSet, chooseDrives, explainOpenFailure } from './top-image.js';

export interface OpenOptions {
  /** Force the image format of the drives (as add_drive_opts' format). */
  format?: string;
  /** The files to open as drives, in order; by default the one top image of the set. */
  drives?: string[];
}

/** The file opened fine but holds nothing we recognise: probably not a disk image. */
export interface NotDiskImageNotice {
  kind: 'not-a-disk-image';
  file: string;
  message: string;
  /** What was found instead, one fact per line. */
  detected: string[];
}

export interface OpenedImage {
  status: 'opened';
  /** Identifies this session; the page keys its queries with it. */
  session: number;
  /** The top image: no other supplied image names it as its backing file. */
  top: string;
  /** The files opened as drives (tops of their backing chains); top is the first. */
  drives: string[];
  files: string[];
  inventory: Inventory;
  notices: NotDiskImageNotice[];
}

/** Several files are tops of their own chains: the user picks which to open. */
export interface ChooseDrives {
  status: 'choose';
  files: string[];
  candidates: string[];
}

export type OpenResult = OpenedImage | ChooseDrives;

/** The API the worker exposes (each method returns a Promise on the page side). */
export interface SessionApi extends FsApi {
  open(files: File[], opts?: OpenOptions): OpenResult;
  /** Names of the image formats the engine reads, for forcing one. */
  formats(): string[];
  inventory(): Inventory;
  /** The OS identity of every root (inspect_os), computed once per session. */
  inspect(): Promise<InspectionView>;
  /** The installed applications of one root returned by inspect(). */
  applications(root: string): Promise<ApplicationsView>;
  ioStats(): IoStats;
  /**
   * Opens the LUKS volume `device` of session `session` (read-only) and activates the LVM
   * volume groups found inside; returns the new inventory. A wrong passphrase is a
   * 'locked' EngineError. The passphrase stays in the worker (the filesystem pane's
   * private handles replay the open with it) and is never logged or put in an error.
   */
  unlock(
    session: number,
    device: string,
    passphrase: string,
    onProgress?: (p: UnlockProgress) => void,
  ): Promise<Inventory>;
  close(): void;
}

/** One LUKS volume the user unlocked: replayed on every handle launched afterwards. */
interface Unlocked {
  device: string;
  key: string;
  mapname: string;
}

/** How much of a file's head is looked at to say "this looks like text". */
const TEXT_SNIFF_BYTES = 4096;

interface Current {
  id: number;
  env: SuppliedFilesEnvironment;
  handle: Guestfs;
  fs: FsBrowser;
  inspection: Inspection;
  unlocked: Unlocked[];
}

export class SessionHost<F> {
  private current: Current | undefined;
  private nextId = 1;

  constructor(
    private readonly makeEnvironment: (files: F[]) => SuppliedFilesEnvironment,
    private readonly inspectionOptions: InspectionOptions = {},
  ) {}

  open(files: F[], opts: OpenOptions = {}): OpenResult {
    this.close();
    const env = this.makeEnvironment(files);
    const names = env.names();
    const analysis = analyseImageSet(env);
    const drives = chooseDrives(analysis, names, opts.drives);
    if (!drives) return { status: 'choose', files: names, candidates: analysis.tops };
    const handle = this.launch(env, drives, opts.format);
    const id = this.nextId++;
    const unlocked: Unlocked[] = [];
    const fs = new FsBrowser(handle, () =>
      replayUnlocks(this.launch(env, drives, opts.format), unlocked),
    );
    const inspection = new Inspection(env, drives, opts.format, this.inspectionOptions);
    this.current = { id, env, handle, fs, inspection, unlocked };
    const inventory = handle.inventory();
    return {
      status: 'opened',
      session: id,
      top: drives[0]!,
      drives,
      files: names,
      inventory,
      notices: notDiskImageNotices(inventory, env),
    };
  }

  private launch(env: SuppliedFilesEnvironment, drives: string[], format?: string): Guestfs {
    const handle = new Guestfs(env);
    env.resolver.missing = [];
    try {
      for (const d of drives) handle.add_drive_opts(d, { format, readonly: true });
      handle.launch();
      return handle;
    } catch (e) {
      handle.close();
      throw explainOpenFailure(e, env.resolver.missing, drives[0]!);
    }
  }

  inventory(): Inventory {
    return this.need().handle.inventory();
  }

  async unlock(
    session: number,
    device: string,
    passphrase: string,
    onProgress?: (p: UnlockProgress) => void,
  ): Promise<Inventory> {
    const c = this.need();
    if (c.id !== session) throw new EngineError('EINVAL', `image session ${session} is closed`);
    const name = c.handle.canonical_device_name(device);
    const u: Unlocked = { device: name, key: passphrase, mapname: mapNameFor(c.handle, name) };
    await c.handle.prepareVolumes();
    await c.handle.cryptsetup_open_async(u.device, u.key, u.mapname, {
      readonly: true,
      onProgress,
    });
    c.handle.lvm_scan(true);
    c.unlocked.push(u);
    c.fs.volumesChanged();
    return c.handle.inventory();
  }

  async inspect(): Promise<InspectionView> {
    return this.need().inspection.inspect();
  }

  async applications(root: string): Promise<ApplicationsView> {
    return this.need().inspection.applications(root);
  }

  formats(): string[] {
    return formatDrivers.map((d) => d.name);
  }

  ioStats(): IoStats {
    return this.current ? this.current.env.stats() : newStats();
  }

  /** The session id, or undefined when nothing is open. */
  session(): number | undefined {
    return this.current?.id;
  }

  /** The filesystem pane's browser of session `id`; refused once another image is open. */
  fsBrowser(id: number): FsBrowser {
    const c = this.need();
    if (c.id !== id) throw new EngineError('EINVAL', `image session ${id} is closed`);
    return c.fs;
  }

  close(): void {
    this.current?.fs.close();
    this.current?.inspection.close();
    this.current?.handle.close();
    this.current = undefined;
  }

  private need(): Current {
    if (!this.current) throw new EngineError('EINVAL', 'no image is open');
    return this.current;
  }
}

/**
 * The map name of an unlocked volume: "luks-UUID" as the virt tools name an encrypted LV,
 * or the device's own name where the header has no UUID.
 */
function mapNameFor(h: Guestfs, device: string): string {
  const uuid = h.inventory().devices.find((d) => d.name === device)?.fs?.uuid;
  return uuid ? `luks-${uuid}` : `luks-${device.replace(/^\/dev\//, '').replace(/\//g, '-')}`;
}

/** A newly launched handle sees what the user unlocked on the session's main handle. */
async function replayUnlocks(h: Guestfs, unlocked: readonly Unlocked[]): Promise<Guestfs> {
  try {
    if (unlocked.length > 0) await h.prepareVolumes();
    for (const u of unlocked) {
      await h.cryptsetup_open_async(u.device, u.key, u.mapname, { readonly: true });
      h.lvm_scan(true);
    }
    return h;
  } catch (e) {
    h.close();
    throw e;
  }
}

/**
 * The raw driver accepts any file, so "not a disk image" shows up as a drive with no
 * partition table, no filesystem and no error. Say so plainly, with what was found.
 */
export function notDiskImageNotices(
  inv: Inventory,
  env: SuppliedFilesEnvironment,
): NotDiskImageNotice[] {
  const out: NotDiskImageNotice[] = [];
  for (const disk of inv.disks) {
    if (disk.partitionTable || disk.error) continue;
    const onDisk = inv.devices.filter((d) => d.name === disk.device || d.parent === disk.device);
    if (onDisk.some((d) => d.fs)) continue;
    const detected = [`format: ${disk.format}`, `size: ${disk.virtualSize} bytes`];
    detected.push('no partition table (neither MBR nor GPT)', 'no filesystem signature');
    const source = env.source(disk.file);
    if (source && looksLikeText(readHead(source, 0, TEXT_SNIFF_BYTES))) {
      detected.push('its first bytes are text');
    }
    out.push({
      kind: 'not-a-disk-image',
      file: disk.file,
      message: `No partition table or filesystem found in ${disk.file} — is this a disk image?`,
      detected,
    });
  }
  return out;
}

/** Valid UTF-8 with no NUL and few control characters: a text file, not a disk. */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  if (control > head.length / 100) return false;
  try {
    // A multi-byte character cut at the end of the sniffed head is still text.
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimPartialUtf8(head)));
    return true;
  } catch {
    return false;
  }
}

/** Length of `b` without a trailing, incomplete UTF-8 sequence. */
function trimPartialUtf8(b: Uint8Array): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 4); i--) {
    const c = b[i]!;
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return b.length - i < need ? i : b.length;
    }
  }
  return b.length;
}
