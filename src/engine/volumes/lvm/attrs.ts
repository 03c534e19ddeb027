// The derived LV/VG/PV descriptions lvm2's reports print: lv_attr's ten characters,
// lv_role, modules, vg_attr, pv_attr, and the allocation counts behind pv_free/vg_free.
// Kernel state (active, open, in sync) is not on disk: callers say which LVs they treat
// as active (libguestfs activates every VG at launch), and what only a running kernel knows
// is reported as lvm2 reports it for an inactive LV.
// Reference: LVM2 lib/metadata/lv.c (lv_attr_dup_with_info_and_seg_status, lv_role
// strings), lib/report/report.c (_modules_disp → list_lv_modules, _vgstatus_disp,
// _pvstatus_disp), lib/metadata/metadata.c (vg_visible_lvs, snapshot_count).

import type { LvmLv, LvmPv, LvmVg } from './scan.js';
import type { LvMeta, SegMeta } from './vg-metadata.js';

const RAID = /^raid/;

function segTypes(lv: LvMeta): Set<string> {
  return new Set(lv.segments.map((s) => s.type));
}
function segsOf(vg: LvmVg): { lv: LvMeta; seg: SegMeta }[] {
  return vg.meta.lvs.flatMap((lv) => lv.segments.map((seg) => ({ lv, seg })));
}

/** What an LV is, by how the VG's segments refer to it. */
export interface LvKind {
  raid: boolean;
  mirror: boolean;
  thinPool: boolean;
  thinVolume: boolean;
  cow: boolean;
  /** Thick origin: some snapshot segment names it. */
  origin: boolean;
  thinOrigin: boolean;
  thinSnapshot: boolean;
  raidImage: boolean;
  raidMeta: boolean;
  mirrorImage: boolean;
  mirrorLog: boolean;
  poolData: boolean;
  poolMeta: boolean;
  poolSpare: boolean;
}

export function lvKind(vg: LvmVg, lv: LvMeta): LvKind {
  const t = segTypes(lv);
  const refs = segsOf(vg);
  const by = (f: (s: SegMeta) => boolean): boolean => refs.some((r) => f(r.seg));
  const inAreas = (f: (s: SegMeta) => boolean): boolean =>
    by((s) => f(s) && s.areas.some((a) => 'lv' in a && a.lv === lv.name));
  return {
    raid: [...t].some((x) => RAID.test(x)),
    mirror: t.has('mirror'),
    thinPool: t.has('thin-pool'),
    thinVolume: t.has('thin'),
    cow: by((s) => s.type === 'snapshot' && s.cowStore === lv.name),
    origin: by((s) => s.type === 'snapshot' && s.origin === lv.name),
    thinOrigin: by((s) => s.type === 'thin' && s.origin === lv.name),
    thinSnapshot: t.has('thin') && lv.segments.some((s) => s.origin !== undefined),
    raidImage: inAreas((s) => RAID.test(s.type)),
    raidMeta: by((s) => s.metaLvs.includes(lv.name)),
    mirrorImage: inAreas((s) => s.type === 'mirror'),
    mirrorLog: by((s) => s.mirrorLog === lv.name),
    poolData: by((s) => s.type === 'thin-pool' && s.poolDataLv === lv.name),
    poolMeta: by((s) => s.type === 'thin-pool' && s.poolMetadataLv === lv.name),
    // The pool metadata spare is a hidden linear LV lvm2 names lvolN_pmspare.
    poolSpare: /_pmspare$/.test(lv.name) && !lv.status.includes('VISIBLE'),
  };
}

/** lv_role as lvm2 prints it ("public", "private,raid,image", "public,origin,thickorigin"…). */
export function lvRole(vg: LvmVg, lv: LvmLv): string {
  const k = lvKind(vg, lv.meta);
  const roles: string[] = [];
  const priv = !lv.visible || k.thinPool;
  roles.push(priv ? 'private' : 'public');
  if (k.poolData) roles.push('thin', 'pool', 'data');
  if (k.poolMeta) roles.push('thin', 'pool', 'metadata');
  if (k.poolSpare) roles.push('pool', 'spare');
  if (k.raidImage) roles.push('raid', 'image');
  if (k.raidMeta) roles.push('raid', 'metadata');
  if (k.mirrorImage) roles.push('mirror', 'image');
  if (k.mirrorLog) roles.push('mirror', 'log');
  if (k.origin) roles.push('origin', 'thickorigin');
  if (k.thinOrigin) roles.push('origin', 'thinorigin');
  if (k.cow) roles.push('snapshot', 'thicksnapshot');
  if (k.thinSnapshot) roles.push('snapshot', 'thinsnapshot');
  return roles.join(',');
}

/** The kernel modules the LV needs (report field "modules"), sorted as lvm2 prints them. */
export function lvModules(vg: LvmVg, lv: LvMeta): string {
  const k = lvKind(vg, lv);
  const m = new Set<string>();
  if (k.raid) m.add('raid');
  if (k.mirror) m.add('mirror');
  if (k.thinPool) m.add('thin-pool');
  if (k.thinVolume) m.add('thin').add('thin-pool');
  if (k.cow || k.origin) m.add('snapshot');
  return [...m].sort().join(',');
}

export interface AttrOptions {
  /** Is the LV active (libguestfs: every LV of an activated VG that is not activation-skip)? */
  active: (lv: LvmLv) => boolean;
  /** Is it opened by another active LV (a sub-LV, or a pool with an active thin volume)? */
  open: (lv: LvmLv) => boolean;
}

const ALLOC: Record<string, string> = {
  anywhere: 'a',
  contiguous: 'c',
  inherit: 'i',
  cling: 'l',
  normal: 'n',
};

/** lv_attr, ten characters. */
export function lvAttr(vg: LvmVg, lv: LvmLv, opt: AttrOptions): string {
  const m = lv.meta;
  const k = lvKind(vg, m);
  const c = new Array<string>(10).fill('-');
  c[0] = volumeType(k, m);
  c[1] = m.status.includes('WRITE') ? 'w' : 'r';
  const a = ALLOC[m.allocationPolicy] ?? 'i';
  c[2] = m.status.includes('LOCKED') ? a.toUpperCase() : a;
  if (m.status.includes('FIXED_MINOR')) c[3] = 'm';
  if (opt.active(lv)) c[4] = 'a';
  if (opt.active(lv) && opt.open(lv)) c[5] = 'o';
  c[6] = targetType(k);
  if ((k.thinPool || k.thinVolume) && zeroes(vg, m)) c[7] = 'z';
  if (vg.view.pvsOf(m.name).some((p) => p.missing)) c[8] = 'p';
  if (m.flags.includes('ACTIVATION_SKIP')) c[9] = 'k';
  return c.join('');
}

function volumeType(k: LvKind, m: LvMeta): string {
  if (m.status.includes('PVMOVE')) return 'p';
  if (m.status.includes('CONVERTING')) return 'c';
  if (k.origin) return 'o';
  if (k.poolMeta || k.poolSpare || k.raidMeta) return 'e';
  if (k.raid) return m.status.includes('NOTSYNCED') ? 'R' : 'r';
  if (k.mirror) return m.status.includes('NOTSYNCED') ? 'M' : 'm';
  if (k.thinVolume) return 'V';
  if (m.segments.every((s) => s.type === 'zero' || s.type === 'error')) return 'v';
  if (k.thinPool) return 't';
  if (k.poolData) return 'T';
  // Without a kernel to ask, lvm2 cannot tell an image is in sync and prints 'I'.
  if (k.mirrorImage || k.raidImage) return 'I';
  if (k.mirrorLog) return 'l';
  if (k.cow) return 's';
  return '-';
}

function targetType(k: LvKind): string {
  if (k.thinPool || k.thinVolume) return 't';
  if (k.raid || k.raidImage || k.raidMeta) return 'r';
  if (k.mirror || k.mirrorImage || k.mirrorLog) return 'm';
  if (k.cow || k.origin) return 's';
  return '-';
}

function zeroes(vg: LvmVg, m: LvMeta): boolean {
  const seg = m.segments[0]!;
  if (seg.type === 'thin-pool') return seg.zeroNewBlocks;
  const pool = vg.meta.lvs.find((l) => l.name === seg.thinPool);
  return pool?.segments[0]?.zeroNewBlocks ?? false;
}

/** Extents of each PV (by key) that some segment uses. */
export function allocatedExtents(vg: LvmVg): Map<string, number> {
  const used = new Map<string, number>();
  for (const { seg } of segsOf(vg)) {
    if (seg.type !== 'striped' && seg.type !== 'mirror') continue;
    // A pvmove mirror's legs are PV extents, each as long as the segment.
    const per = seg.type === 'mirror' ? seg.extentCount : seg.extentCount / seg.areas.length;
    for (const a of seg.areas) if ('pv' in a) used.set(a.pv, (used.get(a.pv) ?? 0) + per);
  }
  return used;
}

/** vg_attr: permissions, resizeable, exported, partial, allocation policy, clustered. */
export function vgAttr(vg: LvmVg): string {
  const s = vg.meta.status;
  const f = vg.meta.flags;
  const alloc = ALLOC[vg.meta.allocationPolicy] ?? 'n';
  return [
    s.includes('WRITE') ? 'w' : 'r',
    s.includes('RESIZEABLE') ? 'z' : '-',
    s.includes('EXPORTED') ? 'x' : '-',
    vg.partial ? 'p' : '-',
    alloc === 'i' ? 'n' : alloc,
    s.includes('CLUSTERED') || f.includes('CLUSTERED') ? 'c' : s.includes('SHARED') ? 's' : '-',
  ].join('');
}

/** pv_attr: allocatable, exported, missing. */
export function pvAttr(pv: LvmPv): string {
  const s = pv.meta?.status ?? [];
  const vgExported = pv.vg?.meta.status.includes('EXPORTED') ?? false;
  return [
    s.includes('ALLOCATABLE') ? 'a' : '-',
    vgExported ? 'x' : '-',
    pv.missing ? 'm' : '-',
  ].join('');
}

/** Snapshots lvm2 counts in snap_count: thick (COW) snapshots. */
export function snapshotCount(vg: LvmVg): number {
  return vg.meta.lvs.filter((l) => lvKind(vg, l).cow).length;
}
