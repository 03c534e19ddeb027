// The libguestfs-compatible handle. Method names, argument order, return shapes and
// error conditions follow guestfs(3); the action table (api-table.ts) declares them.
// Reading is synchronous: launch opens formats and partition tables in milliseconds.
// The mount and file actions live in their own modules (mount-actions.ts, file-actions.ts,
// tree-actions.ts, export-actions.ts) and are bound onto this class under their
// libguestfs names at the end of this file.

import { EngineError, unsupported } from '../errors.js';
import { createOpenContext, openImage } from '../formats/registry.js';
import type { DiskImage } from '../formats/types.js';
import { partitionDevices } from '../partitions/layout.js';
import { openPartitionTable } from '../partitions/registry.js';
import { probe } from '../fs/probe/registry.js';
import type { ProbeResult } from '../fs/probe/types.js';
import { canMount, loadDriverFor } from '../fs/registry.js';
import { ACTIONS, findAction } from './api-table.js';
import { EXPORT_ACTIONS, type TarOutOptions, tarStream } from './export-actions.js';
import { FILE_ACTIONS } from './file-actions.js';
import {
  HIVEX_ACTIONS,
  INSPECT_ACTIONS,
  INSPECT_EXTENSIONS,
  type InspectContext,
} from './inspect-actions.js';
import { loadApplicationListers } from '../inspect/apps/registry.js';
import { type Bound, FsLayer, bindActions } from './layer.js';
import { MOUNT_ACTIONS } from './mount-actions.js';
import { type DeviceHost, PART_ACTIONS } from './part-actions.js';
import { TREE_ACTIONS } from './tree-actions.js';
import { VOLUME_ACTIONS, VOLUME_EXTENSIONS, type VolumeContext } from './volume-actions.js';
import { VolumeLayer, volumeSummary } from './volumes.js';
import { canonicalDeviceName, deviceIndex, diskName, partitionName } from '../partitions/naming.js';
import type { Device, Drive, OpenDrive } from './devices.js';
import type { GuestfsEnvironment } from './environment.js';
import type { DeviceSummary, Inventory } from './inventory.js';

export type { PartListEntry } from './part-actions.js';

export interface AddDriveOpts {
  format?: string;
  readonly?: boolean;
}

// The class merges with the interface at the end of this file (the bound file actions).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Guestfs {
  private drives: Drive[] = [];
  private opened: OpenDrive[] = [];
  private devices = new Map<string, Device>();
  private launched = false;
  private layer: FsLayer | undefined;
  private volumes: VolumeLayer | undefined;
  private trace = false;
  private verbose = false;

  constructor(private readonly env: GuestfsEnvironment) {}

  // ---- configuration and lifecycle ----

  add_drive_opts(filename: string, opts: AddDriveOpts = {}): void {
    if (this.launched)
      throw new EngineError('EINVAL', 'add_drive_opts: the handle is already launched');
    if (opts.readonly === false) {
      throw unsupported(
        'writable drives',
        'guestkit opens images read-only; edits go to an overlay (not available yet)',
      );
    }
    this.drives.push({ index: this.drives.length, filename, format: opts.format, readonly: true });
  }
  add_drive(filename: string, opts: AddDriveOpts = {}): void {
    this.add_drive_opts(filename, opts);
  }
  add_drive_ro(filename: string): void {
    this.add_drive_opts(filename, { readonly: true });
  }

  launch(): void {
    if (this.launched) throw new EngineError('EINVAL', 'launch: the handle is already launched');
    if (this.drives.length === 0)
      throw new EngineError('EINVAL', 'launch: no drives added (call add_drive_opts first)');
    for (const d of this.drives) this.opened.push(this.openDrive(d));
    this.layer = new FsLayer({
      env: this.env,
      device: (name, action) => this.device(name, action),
      probe: (d) => this.probeDevice(d),
    });
    // As the appliance boots: md arrays assembled, every VG activated (volumes.ts).
    const layer = this.layer;
    this.volumes = new VolumeLayer({
      devices: this.devices,
      probe: (d) => this.probeDevice(d),
      mounted: (name) => layer.mounts.list().some((m) => m.device === name),
      log: (line) => this.log(line),
    });
    this.volumes.boot();
    this.launched = true;
  }

  /**
   * guestkit extension: loads what unlocking LUKS volumes may need asynchronously (the
   * WASM hashes, the Argon2 module), when a crypto_LUKS device exists; afterwards
   * cryptsetup_open works synchronously. prepareFilesystems calls it.
   */
  async prepareVolumes(): Promise<void> {
    await this.volumeLayer('prepareVolumes').volumes.prepare();
  }

  /** The volume layer and device lookup behind the volume actions (after launch). */
  private volumeLayer(action: string): VolumeContext {
    this.needLaunch(action);
    return {
      volumes: this.volumes!,
      device: (name, a) => this.device(name, a),
      call: (name, args, optargs) => this.call(name, args, optargs),
    };
  }

  /**
   * guestkit extension: loads the filesystem drivers (WebAssembly, fetched and compiled
   * once per process) that the probed filesystems need, so that the synchronous mount
   * calls can use them. Call it once after launch; types without a driver are skipped
   * (mounting them reports `unsupported`). Returns the types that are now mountable.
   */
  async prepareFilesystems(): Promise<string[]> {
    await this.prepareVolumes();
    const types = new Set<string>();
    for (const d of this.devices.values()) {
      const t = this.probeDevice(d)?.type;
      if (t && canMount(t)) types.add(t);
    }
    for (const t of types) await loadDriverFor(t);
    return [...types];
  }

  /**
   * guestkit extension: everything inspection needs loaded — the filesystem drivers (as
   * prepareFilesystems) and the application listers' modules (sql.js for rpmdb.sqlite;
   * in the browser pass the URL its .wasm is served at).
   */
  async prepareInspection(opts: { sqlWasmUrl?: string } = {}): Promise<string[]> {
    const types = await this.prepareFilesystems();
    await loadApplicationListers(opts);
    return types;
  }

  /**
   * guestkit extension: tar_out as a generator of chunks, for callers that pace the work
   * (the worker yields to its event loop between chunks and can stop early).
   */
  tarStream(directory: string, opts: TarOutOptions = {}): Generator<Uint8Array> {
    return tarStream(this.fsLayer('tar_out'), directory, opts);
  }

  /** The mount table and resolver behind the file actions (after launch). */
  private fsLayer(action: string): FsLayer {
    this.needLaunch(action);
    return this.layer!;
  }

  private openDrive(d: Drive): OpenDrive {
    const file = this.env.openDrive(d.filename);
    const ctx = createOpenContext(this.env.resolver, file.key);
    const image = openImage(file.source, ctx, d.format);
    const backingChain: string[] = [];
    for (let b = image.backing; b; b = b.backing) backingChain.push(b.name ?? '?');
    const drive: OpenDrive = { ...d, image, backingChain };
    const name = diskName(d.index);
    this.devices.set(name, { name, kind: 'disk', source: image, start: 0, drive });
    try {
      drive.table = openPartitionTable(image);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      // A damaged table must not hide the rest of the drive: record it and go on.
      drive.tableError = e;
      this.log(`${name}: partition table unreadable: ${e.message}`);
    }
    // Like the kernel: a partition starting past the end of the disk gets no device and
    // one running past it is clipped (the table keeps the sizes as written).
    const parts = drive.table ? partitionDevices(image, drive.table) : [];
    for (const { partition: p, source } of parts) {
      const pname = partitionName(name, p.partnum);
      this.devices.set(pname, {
        name: pname,
        kind: 'partition',
        source,
        start: p.start,
        drive,
        partition: p,
      });
    }
    this.log(
      `${name}: ${image.format} ${image.size} bytes, ${drive.table?.type ?? 'no'} partition table`,
    );
    return drive;
  }

  shutdown(): void {
    this.layer?.close();
    this.layer = undefined;
    this.volumes = undefined;
    this.devices.clear();
    this.opened = [];
    this.launched = false;
  }
  close(): void {
    this.shutdown();
    this.drives = [];
  }

  set_trace(trace: boolean): void {
    this.trace = trace;
  }
  get_trace(): boolean {
    return this.trace;
  }
  set_verbose(verbose: boolean): void {
    this.verbose = verbose;
  }
  get_verbose(): boolean {
    return this.verbose;
  }

  private log(line: string): void {
    if (this.verbose) this.env.log?.(`libguestfs: ${line}`);
  }

  // ---- host-side image queries ----

  private openHostImage(filename: string, format?: string): DiskImage {
    const file = this.env.openDrive(filename);
    return openImage(file.source, createOpenContext(this.env.resolver, file.key), format);
  }
  disk_format(filename: string): string {
    const file = this.env.openDrive(filename);
    // Format detection alone must not need the backing files to be present.
    return openImage(
      file.source,
      createOpenContext(this.env.resolver, file.key, { skipBacking: true }),
    ).format;
  }
  disk_virtual_size(filename: string): number {
    const file = this.env.openDrive(filename);
    return openImage(
      file.source,
      createOpenContext(this.env.resolver, file.key, { skipBacking: true }),
    ).size;
  }
  disk_has_backing_file(filename: string): boolean {
    const file = this.env.openDrive(filename);
    return (
      openImage(file.source, createOpenContext(this.env.resolver, file.key, { skipBacking: true }))
        .backingFile !== undefined
    );
  }
  /** The opened virtual disk of a host file, backing chain included (convert, bench). */
  openImageFile(filename: string, format?: string): DiskImage {
    return this.openHostImage(filename, format);
  }

  // ---- devices ----

  private needLaunch(action: string): void {
    if (!this.launched)
      throw new EngineError('EINVAL', `${action}: call launch before using this function`);
  }

  /** Look up a device by any accepted spelling (canonicalised like libguestfs). */
  device(name: string, action = 'device'): Device {
    this.needLaunch(action);
    const d = this.devices.get(this.volumes!.resolveAlias(this.canonical_device_name(name)));
    if (!d)
      throw new EngineError('ENOENT', `${action}: ${name}: No such file or directory`, {
        path: name,
      });
    return d;
  }

  list_devices(): string[] {
    this.needLaunch('list_devices');
    return [...this.devices.values()].filter((d) => d.kind === 'disk').map((d) => d.name);
  }

  list_partitions(): string[] {
    this.needLaunch('list_partitions');
    return [...this.devices.values()].filter((d) => d.kind === 'partition').map((d) => d.name);
  }

  /** libguestfs' listfs (volumes.ts gives the devices in its order): RAID/LVM members and
   * encrypted containers are not filesystems; anything unrecognised is "unknown". */
  list_filesystems(): Record<string, string> {
    this.needLaunch('list_filesystems');
    const out: Record<string, string> = {};
    for (const name of this.volumes!.filesystemCandidates()) {
      const d = this.devices.get(name);
      const t = d && this.probeDevice(d)?.type;
      if (t && (t.endsWith('_member') || t === 'crypto_LUKS' || t === 'BitLocker')) continue;
      out[name] = t || 'unknown';
    }
    return out;
  }

  canonical_device_name(device: string): string {
    return canonicalDeviceName(device, (vg, lv) => this.volumes?.isLv(vg, lv) ?? false);
  }
  device_index(device: string): number {
    this.needLaunch('device_index');
    return deviceIndex(device, this.opened.length);
  }
  is_whole_device(device: string): boolean {
    return this.device(device, 'is_whole_device').kind === 'disk';
  }

  // ---- filesystem identity ----

  private probeDevice(d: Device): ProbeResult | undefined {
    if (!d.probed) d.probed = { result: probe(d.source) };
    return d.probed.result;
  }
  vfs_type(mountable: string): string {
    return this.probeDevice(this.device(mountable, 'vfs_type'))?.type ?? '';
  }
  vfs_label(mountable: string): string {
    return this.probeDevice(this.device(mountable, 'vfs_label'))?.label ?? '';
  }
  vfs_uuid(mountable: string): string {
    return this.probeDevice(this.device(mountable, 'vfs_uuid'))?.uuid ?? '';
  }
  blkid(device: string): Record<string, string> {
    const r = this.probeDevice(this.device(device, 'blkid'));
    if (!r) return {};
    const out: Record<string, string> = {};
    if (r.label !== undefined) out.LABEL = r.label;
    if (r.uuid !== undefined) out.UUID = r.uuid;
    Object.assign(out, r.extra);
    out.TYPE = r.type;
    out.USAGE = r.usage;
    return out;
  }

  // ---- guestkit extensions ----

  /** Everything launch found, for the UI's disk map and the CLI's filesystems command. */
  inventory(): Inventory {
    this.needLaunch('inventory');
    const disks = this.opened.map((d) => ({
      device: diskName(d.index),
      file: d.filename,
      format: d.image.format,
      virtualSize: d.image.size,
      backingChain: d.backingChain,
      info: d.image.info,
      snapshots: d.image.snapshots ?? [],
      partitionTable: d.table && {
        type: d.table.type,
        sectorSize: d.table.sectorSize,
        id: d.table.id,
        warnings: d.table.warnings,
      },
      error: d.tableError && { kind: d.tableError.kind, message: d.tableError.message },
    }));
    const devices = [...this.devices.values()].map((d) => this.summarize(d));
    const volumeGroups = this.volumes!.volumeGroups();
    return { disks, devices, volumeGroups, io: this.env.stats() };
  }

  private summarize(d: Device): DeviceSummary {
    const p = d.partition;
    const out: DeviceSummary = { name: d.name, kind: d.kind, start: d.start, size: d.source.size };
    if (d.volume) Object.assign(out, volumeSummary(d.volume));
    if (p && d.drive) {
      Object.assign(out, {
        parent: diskName(d.drive.index),
        partnum: p.partnum,
        partKind: p.kind,
        bootable: p.bootable,
        mbrId: p.mbrId,
        gptType: p.gptType,
        gptGuid: p.gptGuid,
        partName: p.name,
      });
    }
    const skip = (d.kind === 'disk' && d.drive.table) || p?.kind === 'extended';
    const r = skip ? undefined : this.probeDevice(d);
    if (r) out.fs = { type: r.type, usage: r.usage, label: r.label, uuid: r.uuid, extra: r.extra };
    return out;
  }

  /** Call an action of the table by name with already-typed arguments (CLI `call`). */
  call(name: string, args: unknown[], optargs: Record<string, unknown> = {}): unknown {
    const action = findAction(name);
    if (!action)
      throw new EngineError('EINVAL', `${name}: no such action (guestkit call --list shows them)`);
    // Refused and planned actions are methods too: they throw their own error.
    const fn = (this as unknown as Record<string, (...x: unknown[]) => unknown>)[action.name];
    if (typeof fn !== 'function')
      throw new Error(`action table and handle disagree on ${action.name}`);
    // Keys are printed as libguestfs prints its Key arguments.
    const shown = args.map((x, i) =>
      action.args[i]?.type === 'Key' ? '"***"' : JSON.stringify(x),
    );
    if (this.trace) this.env.log?.(`libguestfs: trace: ${action.name} ${shown.join(' ')}`);
    const result = action.optargs ? fn.call(this, ...args, optargs) : fn.call(this, ...args);
    if (this.trace) this.env.log?.(`libguestfs: trace: ${action.name} = ${JSON.stringify(result)}`);
    return result;
  }

  static actions = ACTIONS;
}

// The mount and file actions, bound under their libguestfs names (see layer.ts).
const TABLES = [MOUNT_ACTIONS, FILE_ACTIONS, TREE_ACTIONS, EXPORT_ACTIONS];
for (const table of TABLES) {
  bindActions(Guestfs.prototype, table, (self, action) =>
    (self as unknown as { fsLayer(a: string): FsLayer }).fsLayer(action),
  );
}

// Inspection and hivex: the handle's public actions plus its filesystem layer.
for (const table of [INSPECT_ACTIONS, INSPECT_EXTENSIONS, HIVEX_ACTIONS]) {
  bindActions<InspectContext>(Guestfs.prototype, table, (self, action) => ({
    g: self as Guestfs,
    layer: (self as unknown as { fsLayer(a: string): FsLayer }).fsLayer(action),
  }));
}

// The handle is its own DeviceHost: `device` requires launch.
bindActions<DeviceHost>(Guestfs.prototype, PART_ACTIONS, (self) => self as Guestfs);

// LVM, MD and LUKS: the volume layer made at launch.
for (const table of [VOLUME_ACTIONS, VOLUME_EXTENSIONS]) {
  bindActions<VolumeContext>(Guestfs.prototype, table, (self, action) =>
    (self as unknown as { volumeLayer(a: string): VolumeContext }).volumeLayer(action),
  );
}

// The action tables above are bound onto the prototype; this merge gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Guestfs
  extends
    Bound<typeof PART_ACTIONS, DeviceHost>,
    Bound<typeof VOLUME_ACTIONS, VolumeContext>,
    Bound<typeof VOLUME_EXTENSIONS, VolumeContext>,
    Bound<typeof MOUNT_ACTIONS>,
    Bound<typeof FILE_ACTIONS>,
    Bound<typeof TREE_ACTIONS>,
    Bound<typeof EXPORT_ACTIONS>,
    Bound<typeof INSPECT_ACTIONS, InspectContext>,
    Bound<typeof INSPECT_EXTENSIONS, InspectContext>,
    Bound<typeof HIVEX_ACTIONS, InspectContext> {}

// Actions the table declares but guestkit cannot perform still exist as methods, so code
// ported from libguestfs learns why at the first call instead of meeting "not a function".
// Write actions fail as they would on a read-only mount (EROFS), naming the overlay.
for (const action of ACTIONS) {
  if (action.state === 'implemented') continue;
  Object.defineProperty(Guestfs.prototype, action.name, {
    value: () => {
      if (action.writes)
        throw new EngineError('EROFS', `${action.name}: Read-only file system (${action.reason})`, {
          feature: 'copy-on-write overlay',
        });
      throw unsupported(action.name, action.reason ?? 'not implemented');
    },
  });
}
