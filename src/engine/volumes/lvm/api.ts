// Return values of libguestfs' LVM actions, computed from a scanned model, so the handle
// only forwards them: pvs, vgs, lvs (sorted names), pvs_full, vgs_full, lvs_full (the
// lvm_pv / lvm_vg / lvm_lv structs, in lvm2's report order), pvuuid, vguuid, lvuuid,
// vgpvuuids, vglvuuids, lvm_canonical_lv_name, is_lv, and the activation actions.
// libguestfs runs `lvm lvs -S "lv_role=public && lv_skip_activation!=yes"` for lvs, plain
// `lvm {pvs,vgs,lvs} --units b --nosuffix -o COLS` for the *_full structs (UUIDs without
// dashes, empty percentages as -1), and `lvm {pvs,vgs,lvs} -o *_uuid` for the uuid
// actions (UUIDs as lvm2 prints them, with dashes).
// Kernel-only values: lv_kernel_major/minor are -1 and snap_percent/copy_percent are -1
// (what lvm2 prints for an inactive LV); lv_attr's state/open characters follow the
// activation state kept in LvmActivation (every VG active, as after libguestfs' launch).
// Reference: libguestfs generator/structs.ml (lvm_pv, lvm_vg, lvm_lv), daemon/lvm.ml,
// daemon/lvm.c; lvm2 lvs(8), pvs(8), vgs(8) (default sort orders).

import { errno } from '../../errors.js';
import type { VolumeDevice } from '../types.js';
import {
  allocatedExtents,
  lvAttr,
  lvKind,
  lvModules,
  pvAttr,
  snapshotCount,
  vgAttr,
} from './attrs.js';
import { mdaFreeBytes } from './mda.js';
import type { LvmLv, LvmModel, LvmPv, LvmVg } from './scan.js';

export interface GuestfsLvmPv {
  pv_name: string;
  pv_uuid: string;
  pv_fmt: string;
  pv_size: number;
  dev_size: number;
  pv_free: number;
  pv_used: number;
  pv_attr: string;
  pv_pe_count: number;
  pv_pe_alloc_count: number;
  pv_tags: string;
  pe_start: number;
  pv_mda_count: number;
  pv_mda_free: number;
}

export interface GuestfsLvmVg {
  vg_name: string;
  vg_uuid: string;
  vg_fmt: string;
  vg_attr: string;
  vg_size: number;
  vg_free: number;
  vg_sysid: string;
  vg_extent_size: number;
  vg_extent_count: number;
  vg_free_count: number;
  max_lv: number;
  max_pv: number;
  pv_count: number;
  lv_count: number;
  snap_count: number;
  vg_seqno: number;
  vg_tags: string;
  vg_mda_count: number;
  vg_mda_free: number;
}

export interface GuestfsLvmLv {
  lv_name: string;
  lv_uuid: string;
  lv_attr: string;
  lv_major: number;
  lv_minor: number;
  lv_kernel_major: number;
  lv_kernel_minor: number;
  lv_size: number;
  seg_count: number;
  origin: string;
  snap_percent: number;
  copy_percent: number;
  move_pv: string;
  lv_tags: string;
  mirror_log: string;
  modules: string;
}

/** Which VGs are active: libguestfs activates all of them at launch. */
export class LvmActivation {
  private readonly inactive = new Set<string>();

  constructor(readonly model: LvmModel) {}

  /** vg_activate_all / vgchange_activate_all. */
  activateAll(activate: boolean): void {
    this.activate(
      activate,
      this.model.vgs.map((v) => v.name),
    );
  }

  /** vg_activate / vgchange_activate: an empty list means every VG, as in vgchange. */
  activate(activate: boolean, vgs: string[]): void {
    const names = vgs.length ? vgs : this.model.vgs.map((v) => v.name);
    for (const n of names) {
      if (!this.model.vgs.some((v) => v.name === n))
        throw errno('ENOENT', n, 'volume group not found');
      if (activate) this.inactive.delete(n);
      else this.inactive.add(n);
    }
  }

  isActive(lv: LvmLv): boolean {
    if (this.inactive.has(lv.vg.name) || lv.meta.flags.includes('ACTIVATION_SKIP')) return false;
    const k = lvKind(lv.vg, lv.meta);
    // Hidden sub-LVs are active while the LV above them is; a pool spare never is.
    if (k.poolSpare) return false;
    // A non-redundant LV on a missing PV does not activate (lvm2's default "degraded" mode).
    const partial = lv.vg.view.pvsOf(lv.name).some((p) => p.missing);
    return !partial || k.raid || k.mirror;
  }

  /** /dev/VG/LV devices of active LVs, sorted: what a mount can use. */
  devices(): VolumeDevice[] {
    const active = new Set(
      this.model.lvs.filter((l) => l.device && this.isActive(l)).map((l) => l.device!),
    );
    return this.model.devices.filter((d) => active.has(d));
  }
}

const undash = (id: string): string => id.replace(/-/g, '');
const byName =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
const tags = (t: string[]): string => [...t].sort().join(',');

/** pvs: PV device names, sorted (PVs on missing devices are left out). */
export function pvs(model: LvmModel): string[] {
  return model.pvs
    .filter((p) => !p.missing)
    .map((p) => p.name)
    .sort();
}

export function vgs(model: LvmModel): string[] {
  return model.vgs.map((v) => v.name).sort();
}

/** lvs: /dev/VG/LV of every public LV without activation skip, sorted. */
export function lvs(model: LvmModel): string[] {
  return model.lvs
    .filter((l) => l.listed)
    .map((l) => `/dev/${l.vg.name}/${l.name}`)
    .sort();
}

/**
 * pvs_full, in the order `lvm pvs --unbuffered` prints: VGs by name, each VG's PVs in
 * metadata order, then PVs in no VG.
 */
export function pvsFull(model: LvmModel): GuestfsLvmPv[] {
  const inVgs = sortedVgs(model).flatMap((v) => v.pvs);
  const orphans = model.pvs.filter((p) => !p.vg);
  return [...inVgs, ...orphans].filter((p) => !p.missing).map(pvStruct);
}

function sortedVgs(model: LvmModel): LvmVg[] {
  return [...model.vgs].sort(byName((v) => v.name));
}

function pvStruct(pv: LvmPv): GuestfsLvmPv {
  const vg = pv.vg;
  const eb = vg ? vg.meta.extentSize * 512 : 0;
  const peStart = pv.meta ? pv.meta.peStart * 512 : (pv.label?.dataAreas[0]?.offset ?? 0);
  const devSize = pv.device?.source.size ?? 0;
  const count = pv.meta?.peCount ?? 0;
  const alloc = vg && pv.meta ? (allocatedExtents(vg).get(pv.meta.key) ?? 0) : 0;
  const frees = pv.mdas.map((m) => mdaFreeBytes(m.header, m.committed));
  return {
    pv_name: pv.name,
    pv_uuid: pv.id,
    pv_fmt: 'lvm2',
    // A PV in no VG has no extents yet: lvm2 reports the whole device as its size and free.
    pv_size: vg ? count * eb : devSize,
    dev_size: devSize,
    pv_free: vg ? (count - alloc) * eb : devSize,
    pv_used: alloc * eb,
    pv_attr: pvAttr(pv),
    pv_pe_count: count,
    pv_pe_alloc_count: alloc,
    pv_tags: tags(pv.meta?.tags ?? []),
    pe_start: peStart,
    pv_mda_count: pv.mdas.length,
    pv_mda_free: frees.length ? Math.min(...frees) : 0,
  };
}

export function vgsFull(model: LvmModel): GuestfsLvmVg[] {
  return sortedVgs(model).map(vgStruct);
}

function vgStruct(vg: LvmVg): GuestfsLvmVg {
  const eb = vg.meta.extentSize * 512;
  const total = vg.meta.pvs.reduce((n, p) => n + p.peCount, 0);
  const used = [...allocatedExtents(vg).values()].reduce((n, x) => n + x, 0);
  const mdas = vg.pvs.flatMap((p) => p.mdas);
  const inUse = mdas.filter((m) => m.committed);
  return {
    vg_name: vg.name,
    vg_uuid: undash(vg.id),
    vg_fmt: vg.meta.format,
    vg_attr: vgAttr(vg),
    vg_size: total * eb,
    vg_free: (total - used) * eb,
    vg_sysid: vg.meta.systemId,
    vg_extent_size: eb,
    vg_extent_count: total,
    vg_free_count: total - used,
    max_lv: vg.meta.maxLv,
    max_pv: vg.meta.maxPv,
    pv_count: vg.meta.pvs.length,
    lv_count: vg.lvs.filter((l) => l.visible).length,
    snap_count: snapshotCount(vg),
    vg_seqno: vg.meta.seqno,
    vg_tags: tags(vg.meta.tags),
    vg_mda_count: mdas.length,
    vg_mda_free: inUse.length
      ? Math.min(...inUse.map((m) => mdaFreeBytes(m.header, m.committed)))
      : 0,
  };
}

/**
 * The LVs `lvm lvs --unbuffered` prints for a VG (no -a: hidden sub-LVs left out): thin
 * pools first, then the rest in metadata order — lvm2's own list order, which libguestfs
 * keeps because --unbuffered turns sorting off.
 */
function reportedLvs(vg: LvmVg): LvmLv[] {
  const shown = vg.lvs.filter((l) => l.visible);
  const pool = (l: LvmLv): boolean => l.meta.segments.some((s) => s.type === 'thin-pool');
  return [...shown.filter(pool), ...shown.filter((l) => !pool(l))];
}

/** lvs_full: VGs by name, each VG's LVs as reportedLvs orders them. */
export function lvsFull(model: LvmModel, activation = new LvmActivation(model)): GuestfsLvmLv[] {
  return sortedVgs(model)
    .flatMap(reportedLvs)
    .map((l) => lvStruct(l, activation));
}

/** One lvm_lv struct; `activation` decides lv_attr's state and open characters. */
export function lvStruct(lv: LvmLv, activation: LvmActivation): GuestfsLvmLv {
  const vg = lv.vg;
  const m = lv.meta;
  const opt = {
    active: (l: LvmLv) => activation.isActive(l),
    open: (l: LvmLv) => isOpen(l, activation),
  };
  const snap = vg.view.snapshotOf(m.name);
  const thinOrigin = m.segments.find((s) => s.type === 'thin' && s.origin)?.origin;
  return {
    lv_name: m.name,
    lv_uuid: undash(m.id),
    lv_attr: lvAttr(vg, lv, opt),
    lv_major: m.status.includes('FIXED_MINOR') ? m.major : -1,
    lv_minor: m.status.includes('FIXED_MINOR') ? m.minor : -1,
    lv_kernel_major: -1,
    lv_kernel_minor: -1,
    lv_size: m.extents * vg.meta.extentSize * 512,
    seg_count: m.segments.length,
    origin: snap?.origin ?? thinOrigin ?? '',
    snap_percent: -1,
    copy_percent: -1,
    move_pv: '',
    lv_tags: tags(m.tags),
    mirror_log: m.segments.find((s) => s.type === 'mirror')?.mirrorLog ?? '',
    modules: lvModules(vg, m),
  };
}

/** Open: a hidden sub-LV under an active LV, or a thin pool with an active thin volume. */
function isOpen(lv: LvmLv, activation: LvmActivation): boolean {
  return lv.vg.lvs.some((up) => {
    if (up === lv || !activation.isActive(up)) return false;
    return up.meta.segments.some(
      (s) =>
        s.thinPool === lv.name ||
        s.poolDataLv === lv.name ||
        s.poolMetadataLv === lv.name ||
        s.metaLvs.includes(lv.name) ||
        s.areas.some((a) => 'lv' in a && a.lv === lv.name),
    );
  });
}

function findVg(model: LvmModel, name: string): LvmVg {
  const vg = model.vgs.find((v) => v.name === name);
  if (!vg) throw errno('ENOENT', name, 'volume group not found');
  return vg;
}

/** pvuuid: the PV's UUID as lvm2 prints it (with dashes). */
export function pvuuid(model: LvmModel, device: string): string {
  const pv = model.pvs.find((p) => p.name === device && !p.missing);
  if (!pv) throw errno('ENOENT', device, 'not a physical volume');
  return dashed(pv.id);
}

export function vguuid(model: LvmModel, vgname: string): string {
  return findVg(model, vgname).id;
}

export function lvuuid(model: LvmModel, device: string): string {
  const name = lvCanonical(model, device);
  const lv = name && model.lvs.find((l) => `/dev/${l.vg.name}/${l.name}` === name);
  if (!lv) throw errno('ENOENT', device, 'not a logical volume');
  return lv.meta.id;
}

/** vgpvuuids: `vgs -o pv_uuid VG`, one per PV in metadata order. */
export function vgpvuuids(model: LvmModel, vgname: string): string[] {
  return findVg(model, vgname).meta.pvs.map((p) => p.id);
}

/** vglvuuids: `vgs -o lv_uuid VG`: the LVs lvs shows without -a, in the same order. */
export function vglvuuids(model: LvmModel, vgname: string): string[] {
  return reportedLvs(findVg(model, vgname)).map((l) => l.meta.id);
}

/** The LVM UUID format: 6-4-4-4-4-4-6 characters. */
export function dashed(id: string): string {
  const cuts = [6, 10, 14, 18, 22, 26];
  let out = '';
  let from = 0;
  for (const c of cuts) {
    out += `${id.slice(from, c)}-`;
    from = c;
  }
  return out + id.slice(from);
}

/**
 * lvm_canonical_lv_name: /dev/VG/LV for /dev/VG/LV or /dev/mapper/VG-LV (device-mapper
 * doubles dashes inside names), undefined if the device is not a listed LV.
 */
export function lvCanonical(model: LvmModel, device: string): string | undefined {
  const listed = new Map(
    model.lvs.filter((l) => l.listed).map((l) => [`/dev/${l.vg.name}/${l.name}`, l]),
  );
  if (listed.has(device)) return device;
  const m = /^\/dev\/mapper\/(.+)$/.exec(device);
  if (!m) return undefined;
  for (const [name, l] of listed) {
    const dm = `${l.vg.name.replace(/-/g, '--')}-${l.name.replace(/-/g, '--')}`;
    if (dm === m[1]) return name;
  }
  return undefined;
}

export function isLv(model: LvmModel, device: string): boolean {
  return lvCanonical(model, device) !== undefined;
}
