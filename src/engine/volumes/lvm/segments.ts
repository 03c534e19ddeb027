// One LVM segment as device-mapper would map it: striped (linear is one stripe) over PV
// extents; mirror and raid1 over their leg sub-LVs (read any healthy leg, write them all);
// raid0 and raid10 with md's layouts over the rimages; raid4/5/6 with md's parity layouts
// (read-only, a leg on a missing PV rebuilt from parity); thin through the pool's btree;
// zero and error. dm-raid rimages start data_offset into the sub-LV (the rmeta superblock
// says where).
// Reference: Linux Documentation/admin-guide/device-mapper/{striped,dm-raid,
// thin-provisioning,zero,dm-error}.rst; drivers/md/dm-raid.c (raid_types: lvm2's raid4 is
// md raid5 with parity on the first image, raid6 is the DDF "zero restart" layout,
// raid10 is md near copies); LVM2 lib/activate/dev_manager.c.

import { EngineError, corrupt, unsupported } from '../../errors.js';
import { type BlockSource, slice } from '../../io/block-source.js';
import { mirrorMapping } from '../md/array.js';
import { type Mapping, allWritable, mappedIo } from '../md/mapped.js';
import { ParityReader } from '../md/parity.js';
import { Raid10Mapping, raid10Geometry } from '../md/raid10.js';
import { Raid0Mapping } from '../md/striping.js';
import { readDmRaidDataOffset } from './dm-raid-superblock.js';
import type { SegmentIo } from './lv-source.js';
import type { ThinPool } from './thin-pool.js';
import { type LvMeta, METADATA_STRUCTURE, type SegMeta } from './vg-metadata.js';

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

/** What a segment needs from its VG. */
export interface SegmentContext {
  vgName: string;
  extentBytes: number;
  /** Extents of a PV (by metadata key) as bytes; reads ENOENT if the PV is missing. */
  pvArea(key: string, start: number, count: number): BlockSource;
  lvSource(name: string): BlockSource;
  touchesMissing(name: string): boolean;
  pvMissing(key: string): boolean;
  thinPool(name: string): ThinPool;
}

export function segmentIo(ctx: SegmentContext, lv: LvMeta, seg: SegMeta): SegmentIo {
  const t = seg.type;
  const name = `/dev/${ctx.vgName}/${lv.name}`;
  if (t === 'striped') return stripedIo(ctx, seg, name);
  if (t === 'mirror' || t === 'raid1') {
    const bytes = seg.extentCount * ctx.extentBytes;
    const legs = legSources(ctx, seg, bytes);
    return mappedIo(mirrorMapping(legs, bytes), name, allWritable(legs));
  }
  if (t === 'raid0' || t === 'raid0_meta') return raid0Io(ctx, seg, name);
  if (t === 'raid10' || t === 'raid10_near') return raid10Io(ctx, seg, name);
  if (RAID_PARITY[t]) return parityIo(ctx, seg, name);
  if (t === 'thin') return thinIo(ctx, seg);
  if (t === 'zero') return { read: (_o, l) => new Uint8Array(l) };
  if (t === 'error') {
    return {
      read: () => {
        throw new EngineError('io', `${name}: error segment`);
      },
    };
  }
  throw unsupported(`LVM segment type ${t}`, name);
}

/** dm-stripe: chunk c of the segment is chunk floor(c / n) of stripe c mod n. */
function stripedIo(ctx: SegmentContext, seg: SegMeta, name: string): SegmentIo {
  const n = seg.areas.length;
  const per = seg.extentCount / n;
  const stripes = seg.areas.map((a) =>
    'pv' in a ? ctx.pvArea(a.pv, a.start, per) : lvArea(ctx, a.lv, a.start, per * ctx.extentBytes),
  );
  const chunk = n === 1 ? seg.extentCount * ctx.extentBytes : seg.stripeSize * 512;
  const mapping: Mapping = {
    size: seg.extentCount * ctx.extentBytes,
    run: (pos, max) => {
      const c = Math.floor(pos / chunk);
      const at = Math.floor(c / n) * chunk + (pos % chunk);
      return {
        copies: [{ src: stripes[c % n], at }],
        length: Math.min(max, chunk - (pos % chunk)),
      };
    },
  };
  return mappedIo(mapping, name, allWritable(stripes));
}

/** Bytes of each raid image: the segment's extents spread over `dataImages` images. */
function imageBytes(ctx: SegmentContext, seg: SegMeta, dataImages: number, name: string): number {
  const extents = seg.extentCount / dataImages;
  if (!Number.isInteger(extents) || extents <= 0) {
    throw corrupt(
      METADATA_STRUCTURE,
      0,
      `${name}: ${seg.extentCount} extents do not divide over ${dataImages} images`,
    );
  }
  return extents * ctx.extentBytes;
}

/** Sub-LV legs from each area's extent (plus data_offset); undefined if on a missing PV. */
function legSources(ctx: SegmentContext, seg: SegMeta, bytes: number, dataOffsets?: number[]) {
  return seg.areas.map((a, i) => {
    // A pvmove mirror's legs are PV extents rather than sub-LVs.
    if ('pv' in a)
      return ctx.pvMissing(a.pv) ? undefined : ctx.pvArea(a.pv, a.start, bytes / ctx.extentBytes);
    if (ctx.touchesMissing(a.lv)) return undefined;
    return lvArea(ctx, a.lv, a.start, bytes, dataOffsets?.[i] ?? 0);
  });
}

/** `bytes` of sub-LV `lv` from extent `start` (plus a byte offset). */
function lvArea(
  ctx: SegmentContext,
  lv: string,
  start: number,
  bytes: number,
  extra = 0,
): BlockSource {
  return slice(ctx.lvSource(lv), start * ctx.extentBytes + extra, bytes, `${ctx.vgName}/${lv}`);
}

/** Per-image data offsets from the rmeta sub-LVs' dm-raid superblocks (bytes). */
function dataOffsets(ctx: SegmentContext, seg: SegMeta): number[] {
  return seg.metaLvs.map((m) =>
    m && !ctx.touchesMissing(m) ? readDmRaidDataOffset(ctx.lvSource(m), m) * 512 : 0,
  );
}

function raid0Io(ctx: SegmentContext, seg: SegMeta, name: string): SegmentIo {
  const n = seg.areas.length;
  const bytes = imageBytes(ctx, seg, n, name);
  const legs = legSources(ctx, seg, bytes, dataOffsets(ctx, seg));
  if (legs.some((l) => !l))
    throw new EngineError('ENOENT', `${name}: raid0 image on a missing PV`, { path: name });
  const mapping = new Raid0Mapping(
    legs as BlockSource[],
    legs.map(() => bytes),
    seg.stripeSize * 512,
    0,
    name,
  );
  return mappedIo(mapping, name, allWritable(legs));
}

function raid10Io(ctx: SegmentContext, seg: SegMeta, name: string): SegmentIo {
  const n = seg.areas.length;
  const copies = seg.dataCopies || 2;
  if (copies > n)
    throw corrupt(METADATA_STRUCTURE, 0, `${name}: ${copies} data copies over ${n} images`);
  const bytes = imageBytes(ctx, { ...seg, extentCount: seg.extentCount * copies }, n, name);
  const legs = legSources(ctx, seg, bytes, dataOffsets(ctx, seg));
  // dm-raid's "raid10" is md's near layout with `copies` near copies.
  const g = raid10Geometry((1 << 8) | copies, n, seg.stripeSize * 512, bytes);
  return mappedIo(new Raid10Mapping(g, legs), name, allWritable(legs));
}

function parityIo(ctx: SegmentContext, seg: SegMeta, name: string): SegmentIo {
  const p = RAID_PARITY[seg.type]!;
  const n = seg.areas.length;
  const bytes = imageBytes(ctx, seg, n - (p.level === 6 ? 2 : 1), name);
  const geom = {
    level: p.level,
    algorithm: p.algorithm,
    disks: n,
    chunkBytes: seg.stripeSize * 512,
  };
  const r = new ParityReader(geom, legSources(ctx, seg, bytes, dataOffsets(ctx, seg)), name);
  return { read: (o, l) => r.read(o, l) };
}

function thinIo(ctx: SegmentContext, seg: SegMeta): SegmentIo {
  const ext = seg.externalOrigin ? ctx.lvSource(seg.externalOrigin) : undefined;
  const vol = ctx.thinPool(seg.thinPool!).volume(seg.deviceId, ext);
  const base = seg.startExtent * ctx.extentBytes;
  return { read: (o, l) => vol.read(base + o, l) };
}
