// The logical volumes of one VG: which ones libguestfs lists (lvm2's lv_role "public"
// without activation skip), what each /dev/VG/LV shows (its segments end to end, or for a
// thick snapshot the origin seen through the COW store), which PVs it lies on, and the
// raw sources of hidden sub-LVs the segments build on. Sources are built on first use;
// extents on a missing PV read as ENOENT naming it, extents past a PV's end as corrupt.
// Reference: LVM2 lib/metadata/lv.c (lv_is_visible, lv_role), lib/activate/dev_manager.c;
// Linux Documentation/admin-guide/device-mapper/snapshot.rst.

import { corrupt, errno } from '../../errors.js';
import { type BlockSource, slice } from '../../io/block-source.js';
import type { VolumeDevice } from '../types.js';
import { concatSource, lazySource } from './lv-source.js';
import type { LvmLv, LvmPv, LvmVg } from './scan.js';
import { type SegmentContext, segmentIo } from './segments.js';
import { SnapshotView } from './snapshot.js';
import { ThinPool } from './thin-pool.js';
import { type LvMeta, type SegMeta, segmentLvRefs } from './vg-metadata.js';

export const PV_STRUCTURE = 'LVM2 physical volume';

export class VgView implements SegmentContext {
  readonly extentBytes: number;
  private readonly sources = new Map<string, BlockSource>();
  private readonly pools = new Map<string, ThinPool>();

  constructor(readonly vg: LvmVg) {
    this.extentBytes = vg.meta.extentSize * 512;
  }

  get vgName(): string {
    return this.vg.name;
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
      source: lazySource(this.deviceSize(meta), name, open, this.writable(meta.name)),
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
    const eb = this.extentBytes;
    const pieces = meta.segments.map((seg) => ({
      start: seg.startExtent * eb,
      size: seg.extentCount * eb,
      type: seg.type,
      open: () => segmentIo(this, meta, seg),
    }));
    const src = concatSource(
      `/dev/${this.vg.name}/${name}`,
      meta.extents * eb,
      pieces,
      this.writable(name),
    );
    this.sources.set(name, src);
    return src;
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

  /**
   * The PVs an LV's data lies on, through its sub-LVs, thin pool and (for a snapshot's COW
   * store) its origin. readVgMetadata has checked the references are acyclic and shallow.
   */
  pvsOf(name: string): LvmPv[] {
    const meta = this.lv(name);
    const out = new Set<LvmPv>();
    for (const s of meta.segments) {
      for (const a of s.areas) if ('pv' in a) out.add(this.pvByKey(a.pv));
      for (const sub of segmentLvRefs(s)) this.pvsOf(sub).forEach((p) => out.add(p));
    }
    const snap = this.snapshotOf(name);
    if (snap) this.pvsOf(snap.origin!).forEach((p) => out.add(p));
    return [...out];
  }

  pvMissing(key: string): boolean {
    return this.pvByKey(key).missing;
  }

  touchesMissing(name: string): boolean {
    return this.pvsOf(name).some((p) => p.missing);
  }

  private pvByKey(key: string): LvmPv {
    const pv = this.vg.pvs.find((p) => p.meta?.key === key);
    if (!pv) throw corrupt('LVM2 metadata', 0, `segment on unknown PV ${key}`);
    return pv;
  }

  /** Extents [start, start+count) of a PV as bytes; ENOENT if the PV is missing. */
  pvArea(key: string, start: number, count: number): BlockSource {
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

  /** A thin pool's reader, shared by its thin volumes. */
  thinPool(name: string): ThinPool {
    let pool = this.pools.get(name);
    if (!pool) {
      const ps = this.lv(name).segments[0]!;
      if (ps.type !== 'thin-pool')
        throw corrupt('LVM2 metadata', 0, `thin_pool ${name} is not a thin-pool`);
      pool = new ThinPool(
        this.lvSource(ps.poolMetadataLv!),
        this.lvSource(ps.poolDataLv!),
        ps.chunkSize,
        `${this.vg.name}/${name}`,
      );
      this.pools.set(name, pool);
    }
    return pool;
  }

  /**
   * Writes go through when every PV under the LV can take them — but not to a thick
   * snapshot or its origin: dm would first copy the old chunk to the COW store.
   */
  writable(name: string): boolean {
    const hasSnapshots = this.vg.meta.lvs.some((l) =>
      l.segments.some((s) => s.type === 'snapshot' && s.origin === name),
    );
    if (hasSnapshots || this.snapshotOf(name)) return false;
    const pvs = this.pvsOf(name);
    return (
      pvs.length > 0 &&
      pvs.every((p) => !p.missing && typeof p.device?.source.writeAt === 'function')
    );
  }
}
