// Finding LVM2 volume groups on a set of devices, as lvm2's label scan + vg_read do: every
// device with a PV label is a PV; every metadata area of every PV holds a copy of its VG's
// text; copies are grouped by VG UUID and the one with the highest seqno whose checksums
// hold wins (an older copy is used when the newest is damaged). PVs are matched to the
// winning metadata by PV UUID, wherever they are; a PV the metadata names but no device
// carries is missing and its VG partial.
// Reference: LVM2 lib/label/label.c (label_scan), lib/cache/lvmcache.c (duplicate PVs,
// md component preference), lib/metadata/metadata.c (vg_read: highest seqno wins),
// lib/format_text/format-text.c (reading each mda).

import { EngineError } from '../../errors.js';
import type { MemberDevice, VolumeDevice } from '../types.js';
import { parseConfigText } from './config-text.js';
import { type PvLabel, readPvLabel } from './label.js';
import {
  type MdaHeader,
  type RawLocn,
  TEXT_STRUCTURE,
  readMdaHeader,
  readMetadataText,
} from './mda.js';
import { type LvMeta, type PvMeta, type VgMeta, readVgMetadata } from './vg-metadata.js';
import { VgView } from './vg-view.js';

/** A metadata area as found on a PV. */
export interface LvmMda {
  header: MdaHeader;
  /** raw_locn[0] when it points at metadata. */
  committed?: RawLocn;
}

export interface LvmPv {
  /** Device name, or "[unknown]" (lvm2's spelling) for a PV the metadata names but no device holds. */
  name: string;
  device?: MemberDevice;
  label?: PvLabel;
  /** PV UUID, 32 characters without dashes. */
  id: string;
  mdas: LvmMda[];
  /** The VG that claims it (undefined: an orphan PV). */
  vg?: LvmVg;
  meta?: PvMeta;
  missing: boolean;
}

export interface LvmLv {
  vg: LvmVg;
  name: string;
  meta: LvMeta;
  /** libguestfs lists it (lv_role "public", no activation skip). */
  listed: boolean;
  /** lvs shows it without -a (not a hidden sub-LV). */
  visible: boolean;
  /** The device /dev/VG/LV when listed. */
  device?: VolumeDevice;
}

export interface LvmVg {
  name: string;
  /** VG UUID with dashes, as lvm2 prints it. */
  id: string;
  meta: VgMeta;
  pvs: LvmPv[];
  lvs: LvmLv[];
  /** A PV is missing: LVs touching it fail with ENOENT where they touch it. */
  partial: boolean;
  /** The device whose metadata copy was used, and the copy's offset there. */
  metadataFrom: { device: string; offset: number };
  view: VgView;
}

export interface LvmProblem {
  device: string;
  error: EngineError;
}

export interface LvmModel {
  pvs: LvmPv[];
  vgs: LvmVg[];
  lvs: LvmLv[];
  /** /dev/VG/LV for every listed LV, in libguestfs' (sorted) order. */
  devices: VolumeDevice[];
  problems: LvmProblem[];
}

interface Copy {
  vg: VgMeta;
  pv: LvmPv;
  offset: number;
}

/** Scan devices for PVs and assemble their VGs. */
export function scanLvm(members: MemberDevice[]): LvmModel {
  const problems: LvmProblem[] = [];
  const found: LvmPv[] = [];
  const copies: Copy[] = [];
  for (const device of members) {
    const pv = readPv(device, problems);
    if (!pv) continue;
    const dup = found.find((p) => p.id === pv.id);
    if (dup) {
      // The same PV seen twice (a multipath disk, an md member and its array): lvm2 prefers
      // the md array over its components, otherwise the first.
      problems.push({
        device: device.name,
        error: new EngineError('EEXIST', `duplicate PV ${pv.id} on ${dup.name} and ${pv.name}`),
      });
      if (!(pv.name.startsWith('/dev/md') && !dup.name.startsWith('/dev/md'))) continue;
      found.splice(found.indexOf(dup), 1);
      for (let i = copies.length - 1; i >= 0; i--) if (copies[i]!.pv === dup) copies.splice(i, 1);
    }
    found.push(pv);
    copies.push(...readCopies(pv, problems));
  }
  const vgs = chooseVgs(copies).map((c) => buildVg(c, found));
  const pvs = [...found.filter((p) => !p.vg), ...vgs.flatMap((v) => v.pvs)];
  const lvs = vgs.flatMap((v) => v.lvs);
  const devices = lvs
    .filter((l) => l.device)
    .map((l) => l.device!)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { pvs, vgs, lvs, devices, problems };
}

function readPv(device: MemberDevice, problems: LvmProblem[]): LvmPv | undefined {
  let label: PvLabel | undefined;
  try {
    label = readPvLabel(device.source);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    problems.push({ device: device.name, error: e });
  }
  if (!label) return undefined;
  const pv: LvmPv = { name: device.name, device, label, id: label.pvId, mdas: [], missing: false };
  for (const area of label.metadataAreas) {
    try {
      const header = readMdaHeader(device.source, area);
      const rl = header.rawLocns[0];
      pv.mdas.push({ header, committed: rl && !rl.ignored && rl.size > 0 ? rl : undefined });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      problems.push({ device: device.name, error: e });
    }
  }
  return pv;
}

function readCopies(pv: LvmPv, problems: LvmProblem[]): Copy[] {
  const out: Copy[] = [];
  for (const mda of pv.mdas) {
    if (!mda.committed) continue;
    try {
      const text = readMetadataText(pv.device!.source, mda.header, mda.committed);
      const origin = { structure: TEXT_STRUCTURE, offsetOf: text.offsetOf };
      out.push({
        vg: readVgMetadata(parseConfigText(text.bytes, origin), origin),
        pv,
        offset: text.offset,
      });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      problems.push({ device: pv.name, error: e });
    }
  }
  return out;
}

/** One copy per VG UUID: the highest seqno (the first found among equals). */
function chooseVgs(copies: Copy[]): Copy[] {
  const best = new Map<string, Copy>();
  for (const c of copies) {
    const cur = best.get(c.vg.id);
    if (!cur || c.vg.seqno > cur.vg.seqno) best.set(c.vg.id, c);
  }
  return [...best.values()];
}

const undash = (id: string): string => id.replace(/-/g, '');

function buildVg(copy: Copy, found: LvmPv[]): LvmVg {
  const meta = copy.vg;
  const vg: LvmVg = {
    name: meta.name,
    id: meta.id,
    meta,
    pvs: [],
    lvs: [],
    partial: false,
    metadataFrom: { device: copy.pv.name, offset: copy.offset },
    view: undefined as unknown as VgView,
  };
  for (const pm of meta.pvs) {
    const dev = found.find((p) => p.id === undash(pm.id) && !p.vg);
    const pv: LvmPv = dev ?? { name: '[unknown]', id: undash(pm.id), mdas: [], missing: true };
    pv.vg = vg;
    pv.meta = pm;
    pv.missing = !dev || pm.status.includes('MISSING') || pm.flags.includes('MISSING');
    if (pv.missing) vg.partial = true;
    vg.pvs.push(pv);
  }
  vg.view = new VgView(vg);
  for (const lm of meta.lvs) vg.lvs.push(vg.view.lvEntry(lm));
  return vg;
}
