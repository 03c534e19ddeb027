// The volume layers of a launched handle, kept the way the libguestfs appliance keeps them:
// at boot udev assembles every md array it finds (over whole unpartitioned disks and
// partitions) and LVM activates every volume group on the remaining devices and the
// arrays; a LUKS volume appears only after cryptsetup_open, and the volume groups inside
// it only after an activation (lvm_scan true, vg_activate_all). LVM's view of PVs, VGs and
// LVs is rescanned whenever the set of devices changes (lvm2 2.03 has no metadata daemon:
// every `lvm` command reads the devices afresh), while activation is kept per volume
// group, so `lvs` lists an LV of a freshly opened LUKS volume before /dev/VG/LV exists.
// The devices the layers make (/dev/md127, /dev/mapper/NAME, /dev/VG/LV) are entered into
// the handle's device map, so every action that takes a device works on them unchanged.
// Reference: libguestfs appliance/init (mdadm -As, lvm vgchange -ay), daemon/lvm.ml
// (lvm_scan: pvscan --cache [--activate ay]), daemon/cryptsetup.ml, daemon/listfs.ml;
// LVM2 lib/filters (partitioned devices, md components and small devices are not PVs).

import { EngineError, errno, unsupported } from '../errors.js';
import type { ProbeResult } from '../fs/probe/types.js';
import { loadDriverFor, mountableTypes } from '../fs/registry.js';
import { type LvmModel, scanLvm } from '../volumes/lvm/scan.js';
import { LvmActivation, isLv, lvs } from '../volumes/lvm/api.js';
import { type MdScan, scanMd } from '../volumes/md/array.js';
import { mdMemberDevices } from '../volumes/md/api.js';
import {
  LuksMappings,
  type OpenRequest,
  type UnlockOptions,
  prepareLuks,
} from '../volumes/luks/index.js';
import type { MemberDevice, VolumeDevice } from '../volumes/types.js';
import type { Device, LayerDevice } from './devices.js';
import type { DeviceSummary, VgSummary } from './inventory.js';

export interface VolumeHost {
  /** The handle's device map: the layer adds and removes its own entries. */
  readonly devices: Map<string, Device>;
  probe(d: Device): ProbeResult | undefined;
  /** True while a filesystem of the device is mounted. */
  mounted(device: string): boolean;
  log(line: string): void;
}

/** A problem a scan met (damaged metadata, a stale md member…): logged, never fatal. */
export interface VolumeProblem {
  layer: 'md' | 'lvm';
  device: string;
  kind: string;
  message: string;
}

/** cryptsetup_open's optional arguments (libguestfs' optargs). */
export interface CryptsetupOpenOptions {
  readonly?: boolean;
  crypttype?: string;
}

const member = (d: Device): MemberDevice => ({ name: d.name, source: d.source });

export class VolumeLayer {
  md: MdScan = { arrays: [], problems: [] };
  lvm: LvmModel = scanLvm([]);
  activation = new LvmActivation(this.lvm);
  readonly luks = new LuksMappings();
  /** VG names LVM has seen and those not active; a VG seen for the first time after boot
   * stays inactive until an activation (as a VG inside a just-opened LUKS volume). */
  private known = new Set<string>();
  private inactive = new Set<string>();

  constructor(private readonly host: VolumeHost) {}

  /** What the appliance does at boot: assemble md arrays, then activate every VG. */
  boot(): void {
    this.md = scanMd(this.driveDevices().map(member));
    this.rescan(true);
    for (const p of this.problems()) this.host.log(`${p.layer}: ${p.device}: ${p.message}`);
  }

  /** Disks without a partition table and partitions that can hold data (not extended). */
  private driveDevices(): Device[] {
    return [...this.host.devices.values()].filter(
      (d) =>
        (d.kind === 'disk' && !d.drive.table) ||
        (d.kind === 'partition' && d.partition?.kind !== 'extended'),
    );
  }

  /** Devices lvm2 reads labels from: not md members, and the arrays and mappings. LVs are
   * not scanned (lvm.conf scan_lvs = 0, lvm2's default). */
  private lvmCandidates(): MemberDevice[] {
    const members = new Set(mdMemberDevices(this.md.arrays));
    const base = this.driveDevices().filter((d) => !members.has(d.name));
    const arrays = this.md.arrays.flatMap((a) => (a.device ? [a.device] : []));
    return [...base.map(member), ...arrays, ...this.luks.devices()];
  }

  /**
   * Re-reads every PV; VGs already known keep their activation, new ones are active only
   * when `activateNew` (boot, lvm_scan true). Then the device map follows.
   */
  rescan(activateNew: boolean, activateAll = false): void {
    const model = scanLvm(this.lvmCandidates());
    const activation = new LvmActivation(model);
    const names = model.vgs.map((v) => v.name);
    const off = names.filter(
      (n) => !activateAll && (this.inactive.has(n) || (!this.known.has(n) && !activateNew)),
    );
    if (off.length) activation.activate(false, off);
    this.lvm = model;
    this.activation = activation;
    this.known = new Set(names);
    this.inactive = new Set(off);
    this.sync();
  }

  /** vg_activate / vg_activate_all: an empty list means every VG. */
  activate(activate: boolean, vgs: string[]): void {
    const names = vgs.length ? vgs : this.lvm.vgs.map((v) => v.name);
    for (const n of names)
      if (!this.known.has(n)) throw errno('ENOENT', n, 'volume group not found');
    if (!activate) for (const n of names) this.checkVgUnused(n);
    if (names.length) this.activation.activate(activate, names);
    for (const n of names) {
      if (activate) this.inactive.delete(n);
      else this.inactive.add(n);
    }
    this.sync();
  }

  /** `vgchange -an` refuses a VG with an LV in use: mounted, or under a LUKS mapping. */
  private checkVgUnused(vg: string): void {
    const prefix = `/dev/${vg}/`;
    for (const d of this.activation.devices()) {
      if (!d.name.startsWith(prefix)) continue;
      if (this.inUse(d.name))
        throw new EngineError('EBUSY', `${vg}: logical volume ${d.name} is in use`, {
          path: d.name,
        });
    }
  }

  private inUse(device: string): boolean {
    return this.host.mounted(device) || this.luks.devices().some((m) => m.members.includes(device));
  }

  // ---- LUKS ----

  /** cryptsetup_open on a device of the handle; LVM sees what is inside (inactive). */
  open(device: Device, key: string, mapname: string, opts: CryptsetupOpenOptions): void {
    this.luks.open(this.request(device, key, mapname, opts));
    this.rescan(false);
  }

  async openAsync(
    device: Device,
    key: string,
    mapname: string,
    opts: CryptsetupOpenOptions & UnlockOptions,
  ): Promise<void> {
    const { readonly, crypttype, ...unlock } = opts;
    await this.luks.openAsync({
      ...this.request(device, key, mapname, { readonly, crypttype }),
      unlock,
    });
    this.rescan(false);
  }

  private request(
    device: Device,
    key: string,
    mapname: string,
    opts: CryptsetupOpenOptions,
  ): OpenRequest {
    const crypttype = opts.crypttype ?? this.crypttypeOf(device);
    return { device: member(device), key, mapname, readonly: !!opts.readonly, crypttype };
  }

  /** libguestfs guesses the type from blkid: crypto_LUKS → luks, BitLocker → bitlk. */
  private crypttypeOf(d: Device): string {
    const t = this.host.probe(d)?.type ?? '';
    if (t === 'crypto_LUKS') return 'luks';
    if (t === 'BitLocker') throw unsupported('BitLocker (cryptsetup_open crypttype bitlk)');
    throw errno('EINVAL', d.name, `${t}: unknown encrypted device type`);
  }

  /** cryptsetup_close: refused while the mapping is mounted or holds an active VG. */
  close(device: string): void {
    const mapping = this.luks.get(device);
    if (mapping && this.holdsVolumes(mapping.name))
      throw new EngineError('EBUSY', `${device}: device is still in use`, { path: device });
    this.luks.close(device);
    this.rescan(false);
  }

  /** In use, or the PV of a VG with active LVs (device-mapper holds it open). */
  private holdsVolumes(name: string): boolean {
    if (this.inUse(name)) return true;
    const vg = this.lvm.pvs.find((p) => p.name === name)?.vg;
    return !!vg && this.activation.devices().some((d) => d.name.startsWith(`/dev/${vg.name}/`));
  }

  /**
   * When a LUKS volume exists: the crypto modules unlocking may need (Whirlpool, SM3,
   * Argon2 WASM), and every filesystem driver, since what the volume holds is unknown until
   * it is open and the synchronous cryptsetup_open → mount must then work.
   */
  async prepare(): Promise<void> {
    const devices = [...this.host.devices.values()];
    if (!devices.some((d) => this.host.probe(d)?.type === 'crypto_LUKS')) return;
    await prepareLuks();
    for (const t of new Set(mountableTypes())) await loadDriverFor(t);
  }

  // ---- the device map ----

  /** Volume devices in the order libguestfs lists them: md, dm (LUKS), then LVs. */
  volumeDevices(): VolumeDevice[] {
    const arrays = this.md.arrays.flatMap((a) => (a.device ? [a.device] : []));
    return [...arrays, ...this.luks.devices(), ...this.activation.devices()];
  }

  /** Makes the handle's device map hold exactly the current volume devices, keeping the
   * entries (and their probe results) of devices that did not change. */
  private sync(): void {
    const map = this.host.devices;
    const old = new Map<string, LayerDevice>();
    for (const [name, d] of map) {
      if (d.volume) {
        old.set(name, d);
        map.delete(name);
      }
    }
    for (const v of this.volumeDevices()) {
      const prev = old.get(v.name);
      const kept = prev && prev.volume === v ? prev : undefined;
      map.set(
        v.name,
        kept ?? { name: v.name, kind: v.kind, source: v.source, start: 0, volume: v },
      );
    }
  }

  /**
   * The devices list_filesystems looks at, in listfs.ml's order: disks without a partition
   * table, device-mapper devices (the LUKS mappings), partitions but extended ones, md
   * arrays, then every listed LV (an inactive one has no device: "unknown" there).
   */
  filesystemCandidates(): string[] {
    const all = this.deviceList();
    const disks = all.filter((d) => d.kind === 'disk' && !d.drive.table).map((d) => d.name);
    const parts = all
      .filter((d) => d.kind === 'partition' && d.partition?.kind !== 'extended')
      .map((d) => d.name);
    const mds = this.md.arrays.flatMap((a) => (a.device ? [a.name] : []));
    const dm = this.luks.devices().map((v) => v.name);
    return [...disks, ...dm, ...parts, ...mds, ...lvs(this.lvm)];
  }

  /** Every device of the handle, in map order (drives, partitions, then volumes). */
  deviceList(): Device[] {
    return [...this.host.devices.values()];
  }

  typeOf(d: Device): string | undefined {
    return this.host.probe(d)?.type;
  }

  /** The device is the encrypted side of an open mapping. */
  isOpenLuks(device: string): boolean {
    return this.luks.devices().some((m) => m.members.includes(device));
  }

  /** /dev/md/NAME (mdadm's link) → /dev/mdN; anything else unchanged. */
  resolveAlias(name: string): string {
    if (!name.startsWith('/dev/md/')) return name;
    const link = name.slice('/dev/md/'.length);
    return this.md.arrays.find((a) => a.device && a.devname === link)?.name ?? name;
  }

  isLv(vg: string, lv: string): boolean {
    return isLv(this.lvm, `/dev/${vg}/${lv}`);
  }

  /** The VGs LVM sees, by name, for the inventory. */
  volumeGroups(): VgSummary[] {
    const listed = new Set(lvs(this.lvm));
    return [...this.lvm.vgs]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((vg) => ({
        name: vg.name,
        uuid: vg.id,
        size: vg.meta.pvs.reduce((n, p) => n + p.peCount, 0) * vg.meta.extentSize * 512,
        extentSize: vg.meta.extentSize * 512,
        pvs: vg.pvs.map((p) => p.name),
        lvs: vg.lvs
          .map((l) => `/dev/${vg.name}/${l.name}`)
          .filter((n) => listed.has(n))
          .sort(),
        active: !this.inactive.has(vg.name),
        partial: vg.partial,
      }));
  }

  problems(): VolumeProblem[] {
    const of = (layer: 'md' | 'lvm', p: { device: string; error: EngineError }) => ({
      layer,
      device: p.device,
      kind: p.error.kind,
      message: p.error.message,
    });
    const arrays = this.md.arrays.flatMap((a) =>
      a.error ? [{ device: a.name, error: a.error }] : [],
    );
    return [
      ...[...this.md.problems, ...arrays].map((p) => of('md', p)),
      ...this.lvm.problems.map((p) => of('lvm', p)),
    ];
  }
}

/** The inventory fields of a volume device. */
export function volumeSummary(v: VolumeDevice): Pick<DeviceSummary, 'members' | 'volume'> {
  return { members: [...v.members], volume: { ...v.info } };
}
