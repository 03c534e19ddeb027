// The VG described by one LVM2 metadata text, as typed records: the VG section's fields, its
// physical_volumes (pvN { id, device, dev_size, pe_start, pe_count }) and logical_volumes
// (each with segment1..N { start_extent, extent_count, type, ... }). Values are checked
// here, once, so the mapping code downstream can trust them: segments tile the LV from
// extent 0, every PV area lies inside its PV's pe_count, counts match array lengths.
// Reference: LVM2 lib/format_text/import_vsn1.c (_read_vg, _read_pv, _read_lv,
// _read_segment, the segtype text_import functions in lib/{striped,mirror,raid,thin,
// snapshot}/*.c), lib/format_text/flags.c (status/flags words).

import { corrupt } from '../../errors.js';
import {
  type ConfigNode,
  ConfigSection,
  type ConfigScalar,
  type TextOrigin,
} from './config-text.js';

export const METADATA_STRUCTURE = 'LVM2 metadata';
/** dm-raid takes at most 253 devices (MAX_RAID_DEVICES in dm-raid.c). */
const MAX_RAID_DEVICES = 253;

export interface PvMeta {
  /** The key in physical_volumes ("pv0"), which segments refer to. */
  key: string;
  /** UUID with dashes, as in the text. */
  id: string;
  /** The device name lvm2 last saw it on (a hint only). */
  deviceHint: string;
  status: string[];
  flags: string[];
  tags: string[];
  /** Sizes in 512-byte sectors, as the text stores them. */
  devSize: number;
  peStart: number;
  peCount: number;
}

/** One area of a segment: extents of a PV, or (mirror/raid legs) a sub-LV. */
export type SegArea = { pv: string; start: number } | { lv: string; start: number };

export interface SegMeta {
  startExtent: number;
  extentCount: number;
  type: string;
  /** Sectors; striped and raid4/5/6/10/0. */
  stripeSize: number;
  /** striped: the stripes; mirror: the mimage legs; raid: the rimage sub-LVs. */
  areas: SegArea[];
  /** raid: the rmeta sub-LVs in the same order as `areas` (undefined for raid0). */
  metaLvs: (string | undefined)[];
  regionSize: number;
  mirrorLog?: string;
  dataCopies: number;
  /** thin-pool */
  poolMetadataLv?: string;
  poolDataLv?: string;
  chunkSize: number;
  transactionId: number;
  zeroNewBlocks: boolean;
  /** thin */
  thinPool?: string;
  deviceId: number;
  origin?: string;
  externalOrigin?: string;
  /** snapshot (the hidden snapshotN LV): origin and cow_store LVs */
  cowStore?: string;
  /** Text position of the segment, for errors. */
  at: number;
}

export interface LvMeta {
  name: string;
  id: string;
  status: string[];
  flags: string[];
  tags: string[];
  allocationPolicy: string;
  creationTime?: number;
  creationHost?: string;
  /** Persistent device numbers (status FIXED_MINOR); -1 when not set. */
  major: number;
  minor: number;
  segments: SegMeta[];
  /** Total extents (sum of segment extent counts). */
  extents: number;
  at: number;
}

export interface VgMeta {
  name: string;
  id: string;
  seqno: number;
  format: string;
  status: string[];
  flags: string[];
  tags: string[];
  /** Extent size in sectors. */
  extentSize: number;
  maxLv: number;
  maxPv: number;
  systemId: string;
  allocationPolicy: string;
  pvs: PvMeta[];
  lvs: LvMeta[];
}

/** Typed, checked field access on one section; errors name the field's device offset. */
class Fields {
  constructor(
    readonly sec: ConfigSection,
    readonly origin: TextOrigin,
    readonly what: string,
  ) {}
  fail(at: number, msg: string): never {
    throw corrupt(METADATA_STRUCTURE, this.origin.offsetOf(at), `${this.what}: ${msg}`);
  }
  private get(key: string): ConfigNode | undefined {
    return this.sec.node(key);
  }
  num(key: string, dflt?: number): number {
    const n = this.get(key);
    if (!n) return dflt ?? this.fail(this.sec.at, `missing ${key}`);
    if (typeof n.value !== 'number' || !Number.isSafeInteger(n.value) || n.value < 0) {
      this.fail(n.at, `${key} is not a non-negative integer`);
    }
    return n.value;
  }
  str(key: string, dflt?: string): string {
    const n = this.get(key);
    if (!n) return dflt ?? this.fail(this.sec.at, `missing ${key}`);
    if (typeof n.value !== 'string') this.fail(n.at, `${key} is not a string`);
    return n.value;
  }
  optStr(key: string): string | undefined {
    return this.get(key) ? this.str(key) : undefined;
  }
  strList(key: string): string[] {
    const a = this.list(key);
    if (a.some((v) => typeof v !== 'string'))
      this.fail(this.get(key)!.at, `${key} holds a non-string`);
    return a as string[];
  }
  list(key: string): ConfigScalar[] {
    const n = this.get(key);
    if (!n) return [];
    if (!Array.isArray(n.value)) this.fail(n.at, `${key} is not an array`);
    return n.value;
  }
  section(key: string, optional = false): ConfigSection | undefined {
    const n = this.get(key);
    if (!n) return optional ? undefined : this.fail(this.sec.at, `missing section ${key}`);
    if (!n.section) this.fail(n.at, `${key} is not a section`);
    return n.section;
  }
}

/** Find the VG section in a parsed metadata text and type it. */
export function readVgMetadata(root: ConfigSection, origin: TextOrigin): VgMeta {
  const vgs = root.sections();
  if (vgs.length !== 1) {
    throw corrupt(
      METADATA_STRUCTURE,
      origin.offsetOf(0),
      `expected one VG section, found ${vgs.length}`,
    );
  }
  const top = new Fields(root, origin, 'metadata');
  const contents = top.optStr('contents');
  if (contents !== undefined && contents !== 'Text Format Volume Group')
    top.fail(0, `contents "${contents}"`);
  const version = top.num('version', 1);
  if (version !== 1) top.fail(0, `text format version ${version}`);
  const node = vgs[0]!;
  const f = new Fields(node.section!, origin, `VG ${node.key}`);
  const extentSize = f.num('extent_size');
  if (extentSize === 0) f.fail(node.at, 'extent_size is 0');
  const vg: VgMeta = {
    name: node.key,
    id: f.str('id'),
    seqno: f.num('seqno'),
    format: f.str('format', 'lvm2'),
    status: f.strList('status'),
    flags: f.strList('flags'),
    tags: f.strList('tags'),
    extentSize,
    maxLv: f.num('max_lv', 0),
    maxPv: f.num('max_pv', 0),
    systemId: f.optStr('system_id') ?? '',
    allocationPolicy: f.str('allocation_policy', 'normal'),
    pvs: [],
    lvs: [],
  };
  for (const n of f.section('physical_volumes')!.sections()) vg.pvs.push(readPv(n, origin));
  const lvSec = f.section('logical_volumes', true);
  for (const n of lvSec?.sections() ?? []) vg.lvs.push(readLv(n, origin, vg));
  checkReferences(vg, origin);
  return vg;
}

function readPv(node: ConfigNode, origin: TextOrigin): PvMeta {
  const f = new Fields(node.section!, origin, `PV ${node.key}`);
  return {
    key: node.key,
    id: f.str('id'),
    deviceHint: f.str('device', ''),
    status: f.strList('status'),
    flags: f.strList('flags'),
    tags: f.strList('tags'),
    devSize: f.num('dev_size', 0),
    peStart: f.num('pe_start'),
    peCount: f.num('pe_count'),
  };
}

function readLv(node: ConfigNode, origin: TextOrigin, vg: VgMeta): LvMeta {
  const f = new Fields(node.section!, origin, `LV ${node.key}`);
  const segNodes = node.section!.sections().filter((s) => /^segment\d+$/.test(s.key));
  const count = f.num('segment_count');
  if (count !== segNodes.length)
    f.fail(node.at, `segment_count ${count} but ${segNodes.length} segments`);
  const segments = segNodes.map((s) => readSegment(s, origin, `LV ${node.key} ${s.key}`, vg));
  segments.sort((a, b) => a.startExtent - b.startExtent);
  let next = 0;
  for (const s of segments) {
    if (s.startExtent !== next) f.fail(s.at, `segments do not tile the LV at extent ${next}`);
    next += s.extentCount;
  }
  return {
    name: node.key,
    id: f.str('id'),
    status: f.strList('status'),
    flags: f.strList('flags'),
    tags: f.strList('tags'),
    allocationPolicy: f.str('allocation_policy', 'inherit'),
    creationTime: f.sec.node('creation_time') ? f.num('creation_time') : undefined,
    creationHost: f.optStr('creation_host'),
    major: f.sec.node('major') ? f.num('major') : -1,
    minor: f.sec.node('minor') ? f.num('minor') : -1,
    segments,
    extents: next,
    at: node.at,
  };
}

function readSegment(node: ConfigNode, origin: TextOrigin, what: string, vg: VgMeta): SegMeta {
  const f = new Fields(node.section!, origin, what);
  const seg: SegMeta = {
    startExtent: f.num('start_extent'),
    extentCount: f.num('extent_count'),
    type: f.str('type'),
    stripeSize: f.num('stripe_size', 0),
    areas: [],
    metaLvs: [],
    regionSize: f.num('region_size', 0),
    mirrorLog: f.optStr('mirror_log'),
    dataCopies: f.num('data_copies', 0),
    poolMetadataLv: f.optStr('metadata'),
    poolDataLv: f.optStr('pool'),
    chunkSize: f.num('chunk_size', 0),
    transactionId: f.num('transaction_id', 0),
    zeroNewBlocks: f.num('zero_new_blocks', 0) !== 0,
    thinPool: f.optStr('thin_pool'),
    deviceId: f.num('device_id', 0),
    origin: f.optStr('origin'),
    externalOrigin: f.optStr('external_origin'),
    cowStore: f.optStr('cow_store'),
    at: node.at,
  };
  if (seg.extentCount === 0) f.fail(node.at, 'extent_count is 0');
  if (seg.type === 'striped') readStripes(f, seg, vg);
  else if (seg.type === 'mirror') {
    readPairs(f, seg, 'mirrors', f.num('mirror_count'), new Set(vg.pvs.map((p) => p.key)));
  } else if (seg.type.startsWith('raid')) readRaids(f, seg);
  return seg;
}

function readStripes(f: Fields, seg: SegMeta, vg: VgMeta): void {
  const n = f.num('stripe_count');
  if (n === 0) f.fail(seg.at, 'stripe_count is 0');
  if (n > 1 && seg.stripeSize === 0) f.fail(seg.at, 'stripe_size missing for several stripes');
  if (seg.extentCount % n !== 0)
    f.fail(seg.at, `extent_count ${seg.extentCount} not a multiple of ${n} stripes`);
  readPairs(f, seg, 'stripes', n, new Set(vg.pvs.map((p) => p.key)));
  const len = seg.extentCount / n;
  for (const a of seg.areas) {
    if (!('pv' in a)) continue;
    const pv = vg.pvs.find((p) => p.key === a.pv);
    if (!pv) f.fail(seg.at, `stripe on unknown PV ${a.pv}`);
    if (a.start + len > pv.peCount) {
      f.fail(
        seg.at,
        `extents ${a.start}..${a.start + len - 1} past the end of ${a.pv} (pe_count ${pv.peCount})`,
      );
    }
  }
}

/** `stripes`/`mirrors` = [name, start, name, start, ...]: PV keys or LV names. */
function readPairs(f: Fields, seg: SegMeta, key: string, count: number, pvKeys: Set<string>): void {
  const a = f.list(key);
  if (a.length !== 2 * count)
    f.fail(seg.at, `${key} has ${a.length / 2} entries, expected ${count}`);
  for (let i = 0; i < a.length; i += 2) {
    const name = a[i];
    const start = a[i + 1];
    if (
      typeof name !== 'string' ||
      typeof start !== 'number' ||
      !Number.isSafeInteger(start) ||
      start < 0
    ) {
      f.fail(seg.at, `${key} entry ${i / 2} is not "name", extent`);
    }
    // Areas name a PV key or an LV: mirror legs are LVs, stripes PVs — except while pvmove
    // runs, when the moved LVs stripe over the pvmove0 LV and its mirror legs are PVs.
    seg.areas.push(pvKeys.has(name) ? { pv: name, start } : { lv: name, start });
  }
}

/** raid: `raids` = [rmeta, rimage, ...] (raid0 without metadata: [rimage, ...]). */
function readRaids(f: Fields, seg: SegMeta): void {
  const n = f.num('device_count');
  if (n === 0 || n > MAX_RAID_DEVICES) f.fail(seg.at, `device_count ${n}`);
  // Every striped raid level maps by stripe_size: it must be there.
  if (seg.type !== 'raid1' && seg.stripeSize === 0) f.fail(seg.at, 'stripe_size missing');
  const a = f.strList('raids');
  const withMeta = a.length === 2 * n;
  if (!withMeta && a.length !== n) f.fail(seg.at, `raids has ${a.length} names for ${n} devices`);
  for (let i = 0; i < n; i++) {
    seg.metaLvs.push(withMeta ? a[2 * i] : undefined);
    seg.areas.push({ lv: withMeta ? a[2 * i + 1]! : a[i]!, start: 0 });
  }
}

/** The LVs a segment reads from. */
export function segmentLvRefs(s: SegMeta): string[] {
  const names = [
    ...s.areas.map((a) => ('lv' in a ? a.lv : undefined)),
    ...s.metaLvs,
    s.poolMetadataLv,
    s.poolDataLv,
    s.thinPool,
    s.type === 'snapshot' ? s.origin : undefined,
    s.cowStore,
    s.externalOrigin,
  ];
  return names.filter((n): n is string => n !== undefined);
}

/** LVs stack a few levels deep (raid over rimages over linear, thin over tdata over raid). */
export const MAX_LV_DEPTH = 16;

/**
 * Every LV a segment names must exist, and the references must form no cycle and stay
 * shallow: the sources built from them recurse along these edges.
 */
function checkReferences(vg: VgMeta, origin: TextOrigin): void {
  const byName = new Map(vg.lvs.map((l) => [l.name, l]));
  for (const lv of vg.lvs) {
    for (const s of lv.segments) {
      for (const n of segmentLvRefs(s)) {
        if (!byName.has(n)) {
          throw corrupt(
            METADATA_STRUCTURE,
            origin.offsetOf(s.at),
            `LV ${lv.name}: segment names unknown LV ${n}`,
          );
        }
      }
    }
  }
  const depth = new Map<string, number>();
  const visit = (lv: LvMeta, path: Set<string>): number => {
    const known = depth.get(lv.name);
    if (known !== undefined) return known;
    if (path.has(lv.name) || path.size > MAX_LV_DEPTH) {
      throw corrupt(
        METADATA_STRUCTURE,
        origin.offsetOf(lv.at),
        `LV ${lv.name} refers to itself or nests deeper than ${MAX_LV_DEPTH}`,
      );
    }
    path.add(lv.name);
    let d = 0;
    for (const s of lv.segments)
      for (const n of segmentLvRefs(s)) d = Math.max(d, 1 + visit(byName.get(n)!, path));
    path.delete(lv.name);
    depth.set(lv.name, d);
    return d;
  };
  for (const lv of vg.lvs) visit(lv, new Set());
}
