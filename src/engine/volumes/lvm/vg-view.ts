// The bytes of a VG's logical volumes: each LV is its segments laid end to end, each
// segment a device-mapper target over PV extents or over other (hidden) LVs — striped
// (linear is one stripe), mirror and raid1 (any healthy leg), raid0/10/4/5/6 (md's layouts
// over the rimage sub-LVs, parity rebuilding a leg on a missing PV), thin (a thin-pool's
// btree), zero and error; a snapshot's visible LV shows the origin through its COW store.
// Sources are built on first read, so a damaged or unsupported part of one LV never stops
// the scan or the other LVs; reading extents on a missing PV fails with ENOENT naming it.
// Reference: LVM2 lib/activate/dev_manager.c (which dm targets an LV becomes),
// lib/metadata/lv.c (lv_is_visible, lv_role), Linux Documentation/admin-guide/
// device-mapper/{striped,dm-raid,thin-provisioning,snapshot}.rst.

import { EngineError, corrupt, errno, unsupported } from '../../errors.js';
import { type BlockSource, checkRange, slice } from '../../io/block-source.js';
import type { VolumeDevice } from '../types.js';
import { mirrorReader } from '../md/array.js';
import { ParityReader } from '../md/parity.js';
import { Raid10Reader, raid10Geometry } from '../md/raid10.js';
import { Raid0Reader } from '../md/striping.js';
import { readDmRaidDataOffset } from './dm-raid-superblock.js';
import type { LvmLv, LvmPv, LvmVg } from './scan.js';
import { SnapshotView } from './snapshot.js';
import { ThinPool } from './thin-pool.js';
import type { LvMeta, SegMeta } from './vg-metadata.js';

export const PV_STRUCTURE = 'LVM2 physical volume';
/** Sub-LVs nest a few levels (raid → rimage → linear, thin → tdata → raid …). */
const MAX_LV_NESTING = 16;

/** dm-raid's md level and algorithm for each LVM raid segment type. */
const RAID_PARITY: Record<string, { level: 5 | 6; algorithm: number }> = {
  raid4: { level: 5, algorithm: 4 },
  raid5: { level: 5, algorithm: 2 },
  raid5_ls: { level: 5, algorithm: 2 },
  raid5_la: { level: 5, algorithm: 0 },
  raid5_rs: { level: 5, algorithm: 3 },
  raid5_ra: { level: 5, algorithm: 1 },
  raid5_n: { level: 5, algorithm: 5 },
  raid6: { level: 6, algorithm: 8 },
  raid6_zr: { level: 6, algorithm: 8 },
  raid6_nr: { level: 6, algorithm: 9 },
  raid6_nc: { level: 6, algorithm: 10 },
  raid6_n_6: { level: 6, algorithm: 5 },
  raid6_la_6: { level: 6, algorithm: 16 },
  raid6_ra_6: { level: 6, algorithm: 17 },
  raid6_ls_6: { level: 6, algorithm: 18 },
  raid6_rs_6: { level: 6, algorithm: 19 },
  raid6_0_6: { level: 6, algorithm: 20 },
};

type Read = (offset: number, length: number) => Uint8Array;

export class VgView {
  readonly extentBytes: number;
  private readonly sources = new Map<string, BlockSource>();
  private readonly pools = new Map<string, ThinPool>();
  private building = new Set<string>();

  constructor(readonly vg: LvmVg) {
    this.extentBytes = vg.meta.extentSize * 512;
  }

  lv(name: string): LvMeta {
    const lv = this.vg.meta.lvs.find((l) => l.name === name);
    if (!lv) throw errno('ENOENT', `/dev/${this.vg.name}/${name}`, 'no such logical volume');
    return lv;
  }

  /** The snapshot segment whose COW store is `name`, if any. */
  snapshotOf(name: string): SegMeta | undefined {
    for (const l of this.vg.meta.lvs) {
      for (const s of l.segments) if (s.type === 'snapshot' && s.cowStore === name) return s;
    }
    return undefined;
  }

  /** lvm2's lv_is_visible: a COW store is as visible as its snapshot; snapshotN never. */
  isVisible(lv: LvMeta): boolean {
    if (lv.segments.some((s) => s.type === 'snapshot')) return false;
    if (this.snapshotOf(lv.name)) {
      return this.vg.meta.lvs.some(
        (l) => l.status.includes('VISIBLE') && l.segments.some((s) => s.cowStore === lv.name),
      );
    }
    return lv.status.includes('VISIBLE');
  }

  isPool(lv: LvMeta): boolean {
    return lv.segments.some(
      (s) => s.type === 'thin-pool' || s.type === 'cache-pool' || s.type === 'vdo-pool',
    );
  }

  lvEntry(meta: LvMeta): LvmLv {
    const visible = this.isVisible(meta);
    const listed = visible && !this.isPool(meta) && !meta.flags.includes('ACTIVATION_SKIP');
    const entry: LvmLv = { vg: this.vg, name: meta.name, meta, listed, visible };
    if (listed) entry.device = this.device(meta);
    return entry;
  }

  /** Size of what /dev/VG/LV shows: a snapshot shows its origin's size. */
  deviceSize(meta: LvMeta): number {
    const snap = this.snapshotOf(meta.name);
    return snap
      ? this.lv(snap.origin!).extents * this.extentBytes
      : meta.extents * this.extentBytes;
  }

  private device(meta: LvMeta): VolumeDevice {
    const name = `/dev/${this.vg.name}/${meta.name}`;
    const snap = this.snapshotOf(meta.name);
    const open = snap ? () => this.snapshotSource(snap) : () => this.lvSource(meta.name);
    return {
      name,
      kind: 'lv',
      source: lazySource(this.deviceSize(meta), name, open),
      members: this.pvsOf(meta.name).map((p) => p.name),
      info: {
        vg: this.vg.name,
        lv: meta.name,
        uuid: meta.id,
        segtypes: [...new Set(meta.segments.map((s) => s.type))],
        ...(snap ? { origin: snap.origin! } : {}),
      },
    };
  }

  /** The raw bytes of LV `name` (for a COW store: the store itself). */
  lvSource(name: string): BlockSource {
    const cached = this.sources.get(name);
    if (cached) return cached;
    const meta = this.lv(name);
    if (this.building.has(name) || this.building.size > MAX_LV_NESTING) {
      throw corrupt('LVM2 metadata', 0, `LV ${name} refers to itself through its sub-LVs`);
    }
    this.building.add(name);
    try {
      const eb = this.extentBytes;
      const pieces = meta.segments.map((seg) => ({
        start: seg.startExtent * eb,
        size: seg.extentCount * eb,
        read: lazyRead(() => this.segmentReader(meta, seg)),
      }));
      const src = concatSource(`/dev/${this.vg.name}/${name}`, meta.extents * eb, pieces);
      this.sources.set(name, src);
      return src;
    } finally {
      this.building.delete(name);
    }
  }

  private snapshotSource(seg: SegMeta): BlockSource {
    const origin = this.lvSource(seg.origin!);
    return new SnapshotView(
      origin,
      this.lvSource(seg.cowStore!),
      seg.chunkSize,
      `/dev/${this.vg.name}/${seg.cowStore}`,
    );
  }

  /** The PVs an LV's data lies on, through its sub-LVs and thin pool. */
  pvsOf(name: string, depth = 0): LvmPv[] {
    if (depth > MAX_LV_NESTING) return [];
    const meta = this.lv(name);
    const out = new Set<LvmPv>();
    for (const s of meta.segments) {
      for (const a of s.areas) {
        if ('pv' in a) out.add(this.pvByKey(a.pv));
        else this.pvsOf(a.lv, depth + 1).forEach((p) => out.add(p));
      }
      for (const sub of [s.poolMetadataLv, s.poolDataLv, s.thinPool, s.externalOrigin]) {
        if (sub) this.pvsOf(sub, depth + 1).forEach((p) => out.add(p));
      }
      if (this.snapshotOf(name) && s === meta.segments[0]) {
        this.pvsOf(this.snapshotOf(name)!.origin!, depth + 1).forEach((p) => out.add(p));
      }
    }
    return [...out];
  }

  private touchesMissing(name: string): boolean {
    return this.pvsOf(name).some((p) => p.missing);
  }

  private pvByKey(key: string): LvmPv {
    const pv = this.vg.pvs.find((p) => p.meta?.key === key);
    if (!pv) throw corrupt('LVM2 metadata', 0, `segment on unknown PV ${key}`);
    return pv;
  }

  private segmentReader(lv: LvMeta, seg: SegMeta): Read {
    const t = seg.type;
    if (t === 'striped') return this.stripedReader(seg);
    if (t === 'mirror' || t === 'raid1') return this.legsReader(seg);
    if (t === 'raid0' || t === 'raid0_meta') return this.raid0Reader(seg, lv);
    if (t === 'raid10' || t === 'raid10_near') return this.raid10Reader(seg, lv);
    if (RAID_PARITY[t]) return this.parityReader(seg, lv);
    if (t === 'thin') return this.thinReader(seg);
    if (t === 'zero') return (_o, l) => new Uint8Array(l);
    if (t === 'error') {
      return () => {
        throw new EngineError('io', `/dev/${this.vg.name}/${lv.name}: error segment`);
      };
    }
    throw unsupported(`LVM segment type ${t}`, `/dev/${this.vg.name}/${lv.name}`);
  }

  /** Extents [start, start+count) of a PV as bytes; ENOENT if the PV is missing. */
  private pvArea(key: string, start: number, count: number): BlockSource {
    const pv = this.pvByKey(key);
    const eb = this.extentBytes;
    if (pv.missing || !pv.device) {
      const what = `PV ${pv.meta?.id ?? pv.id} (${pv.meta?.deviceHint || key}) is missing`;
      return {
        size: count * eb,
        readAt: () => {
          throw errno('ENOENT', pv.meta?.id ?? pv.id, what);
        },
      };
    }
    const at = pv.meta!.peStart * 512 + start * eb;
    const src = pv.device.source;
    if (at + count * eb > src.size) {
      throw corrupt(
        PV_STRUCTURE,
        at,
        `extents ${start}..${start + count - 1} of ${pv.name} lie past the end of the device`,
        src.size,
        at + count * eb,
      );
    }
    return slice(src, at, count * eb, `${pv.name}[extents ${start}+${count}]`);
  }

  private stripedReader(seg: SegMeta): Read {
    const n = seg.areas.length;
    const per = seg.extentCount / n;
    const stripes = seg.areas.map((a) => this.pvArea((a as { pv: string }).pv, a.start, per));
    if (n === 1) return (o, l) => stripes[0]!.readAt(o, l);
    const chunk = seg.stripeSize * 512;
    // dm-stripe: chunk c of the segment is chunk floor(c / n) of stripe c mod n.
    return (offset, length) => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const pos = offset + done;
        const c = Math.floor(pos / chunk);
        const k = Math.min(length - done, chunk - (pos % chunk));
        out.set(stripes[c % n]!.readAt(Math.floor(c / n) * chunk + (pos % chunk), k), done);
        done += k;
      }
      return out;
    };
  }

  /** Sub-LV legs as sources, starting at each area's extent; undefined if on a missing PV. */
  private legs(seg: SegMeta, bytes: number, dataOffsets?: number[]): (BlockSource | undefined)[] {
    return seg.areas.map((a, i) => {
      const name = (a as { lv: string }).lv;
      if (this.touchesMissing(name)) return undefined;
      const at = a.start * this.extentBytes + (dataOffsets?.[i] ?? 0);
      return slice(this.lvSource(name), at, bytes, `${this.vg.name}/${name}`);
    });
  }

  private legsReader(seg: SegMeta): Read {
    const bytes = seg.extentCount * this.extentBytes;
    const r = mirrorReader(this.legs(seg, bytes), bytes);
    return (o, l) => r.read(o, l);
  }

  /** Per-image data offsets from the rmeta sub-LVs' dm-raid superblocks. */
  private dataOffsets(seg: SegMeta): number[] {
    return seg.metaLvs.map((m) =>
      m && !this.touchesMissing(m) ? readDmRaidDataOffset(this.lvSource(m), m) * 512 : 0,
    );
  }

  private imageBytes(seg: SegMeta, dataImages: number): number {
    return (seg.extentCount / dataImages) * this.extentBytes;
  }

  private raid0Reader(seg: SegMeta, lv: LvMeta): Read {
    const n = seg.areas.length;
    const bytes = this.imageBytes(seg, n);
    const legs = this.legs(seg, bytes, this.dataOffsets(seg));
    if (legs.some((l) => !l))
      throw errno('ENOENT', `/dev/${this.vg.name}/${lv.name}`, 'raid0 image on a missing PV');
    const r = new Raid0Reader(
      legs as BlockSource[],
      legs.map(() => bytes),
      seg.stripeSize * 512,
      0,
      lv.name,
    );
    return (o, l) => r.read(o, l);
  }

  private raid10Reader(seg: SegMeta, lv: LvMeta): Read {
    const n = seg.areas.length;
    const copies = seg.dataCopies || 2;
    const bytes = (seg.extentCount * copies * this.extentBytes) / n;
    const g = raid10Geometry((1 << 8) | copies, n, seg.stripeSize * 512, bytes);
    const r = new Raid10Reader(g, this.legs(seg, bytes, this.dataOffsets(seg)), lv.name);
    return (o, l) => r.read(o, l);
  }

  private parityReader(seg: SegMeta, lv: LvMeta): Read {
    const p = RAID_PARITY[seg.type]!;
    const n = seg.areas.length;
    const bytes = this.imageBytes(seg, n - (p.level === 6 ? 2 : 1));
    const geom = {
      level: p.level,
      algorithm: p.algorithm,
      disks: n,
      chunkBytes: seg.stripeSize * 512,
    };
    const r = new ParityReader(
      geom,
      this.legs(seg, bytes, this.dataOffsets(seg)),
      `/dev/${this.vg.name}/${lv.name}`,
    );
    return (o, l) => r.read(o, l);
  }

  private thinReader(seg: SegMeta): Read {
    const poolName = seg.thinPool!;
    let pool = this.pools.get(poolName);
    if (!pool) {
      const ps = this.lv(poolName).segments[0]!;
      if (ps.type !== 'thin-pool')
        throw corrupt('LVM2 metadata', 0, `thin_pool ${poolName} is not a thin-pool`);
      pool = new ThinPool(
        this.lvSource(ps.poolMetadataLv!),
        this.lvSource(ps.poolDataLv!),
        ps.chunkSize,
        `${this.vg.name}/${poolName}`,
      );
      this.pools.set(poolName, pool);
    }
    const ext = seg.externalOrigin ? this.lvSource(seg.externalOrigin) : undefined;
    const vol = pool.volume(seg.deviceId, ext);
    const base = seg.startExtent * this.extentBytes;
    return (o, l) => vol.read(base + o, l);
  }
}

/** A source that builds its real source on first read (and reports that failure then). */
export function lazySource(size: number, name: string, open: () => BlockSource): BlockSource {
  let inner: BlockSource | undefined;
  const src: BlockSource = {
    size,
    name,
    readAt(offset, length) {
      checkRange(src, offset, length);
      inner ??= open();
      return inner.readAt(offset, length);
    },
  };
  return src;
}

function lazyRead(open: () => Read): Read {
  let r: Read | undefined;
  return (o, l) => (r ??= open())(o, l);
}

/** Pieces laid end to end (an LV's segments). */
function concatSource(
  name: string,
  size: number,
  pieces: { start: number; size: number; read: Read }[],
): BlockSource {
  const src: BlockSource = {
    size,
    name,
    readAt(offset, length) {
      checkRange(src, offset, length);
      const out = new Uint8Array(length);
      for (const p of pieces) {
        const from = Math.max(offset, p.start);
        const to = Math.min(offset + length, p.start + p.size);
        if (from < to) out.set(p.read(from - p.start, to - from), from - offset);
      }
      return out;
    },
  };
  return src;
}
