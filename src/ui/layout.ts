// The disk map's geometry: a disk's partitions in order, with the free space between them,
// as segments of a horizontal bar. Logical partitions sit inside their extended partition.
// Pure functions over the engine's Inventory, tested in Node (layout.test.ts).

import type { DeviceSummary, DiskSummary, Inventory } from '../engine/guestfs/inventory.js';

/** Gaps up to this size are alignment padding (the usual first MiB before partition 1,
 * the GPT backup at the end), not free space worth showing. */
export const MIN_FREE_BYTES = 1024 * 1024;

export type Segment =
  | { kind: 'partition'; start: number; size: number; device: DeviceSummary; children?: Segment[] }
  | { kind: 'free'; start: number; size: number }
  /** The disk holds a filesystem (or nothing) directly, without a partition table. */
  | { kind: 'whole'; start: number; size: number; device: DeviceSummary };

export function partitionsOf(inv: Inventory, disk: string): DeviceSummary[] {
  return inv.devices
    .filter((d) => d.kind === 'partition' && d.parent === disk)
    .sort((a, b) => a.start - b.start || (a.partnum ?? 0) - (b.partnum ?? 0));
}

export function diskDevice(inv: Inventory, disk: string): DeviceSummary | undefined {
  return inv.devices.find((d) => d.name === disk);
}

/** Lay out [from, to) with the given partitions (sorted by start), free gaps included. */
function fill(
  parts: DeviceSummary[],
  from: number,
  to: number,
  nested: DeviceSummary[],
): Segment[] {
  const out: Segment[] = [];
  let at = from;
  for (const p of parts) {
    if (p.start - at > MIN_FREE_BYTES) out.push({ kind: 'free', start: at, size: p.start - at });
    const seg: Segment = { kind: 'partition', start: p.start, size: p.size, device: p };
    if (p.partKind === 'extended') {
      const inside = nested.filter((l) => l.start >= p.start && l.start < p.start + p.size);
      seg.children = fill(inside, p.start, p.start + p.size, []);
    }
    out.push(seg);
    at = Math.max(at, p.start + p.size);
  }
  if (to - at > MIN_FREE_BYTES) out.push({ kind: 'free', start: at, size: to - at });
  return out;
}

/** The bar of one disk: top-level partitions (primary, extended, GPT) and free space. */
export function layoutDisk(inv: Inventory, disk: DiskSummary): Segment[] {
  const parts = partitionsOf(inv, disk.device);
  if (!disk.partitionTable) {
    const whole = diskDevice(inv, disk.device);
    return whole ? [{ kind: 'whole', start: 0, size: disk.virtualSize, device: whole }] : [];
  }
  const logical = parts.filter((p) => p.partKind === 'logical');
  const top = parts.filter((p) => p.partKind !== 'logical');
  return fill(top, 0, disk.virtualSize, logical);
}

/** The flex weight of a segment: its share of the range it is drawn in. */
export function share(seg: { size: number }, total: number): number {
  return total > 0 ? seg.size / total : 0;
}

/** Colour families by filesystem type (CSS custom properties in styles.css). */
const FS_COLOUR: Record<string, string> = {
  ext2: 'ext',
  ext3: 'ext',
  ext4: 'ext',
  xfs: 'xfs',
  btrfs: 'btrfs',
  vfat: 'fat',
  exfat: 'fat',
  ntfs: 'ntfs',
  swap: 'swap',
  crypto_LUKS: 'crypto',
  BitLocker: 'crypto',
  LVM2_member: 'volume',
  linux_raid_member: 'volume',
  iso9660: 'optical',
  udf: 'optical',
  squashfs: 'squashfs',
  f2fs: 'xfs',
  hfsplus: 'apple',
  apfs: 'apple',
  zfs_member: 'volume',
};

/** The colour class of a segment: by filesystem type, else by role. */
export function colourOf(seg: Segment): string {
  if (seg.kind === 'free') return 'free';
  if (seg.device.partKind === 'extended') return 'extended';
  const type = seg.device.fs?.type;
  if (!type) return 'unknown';
  return FS_COLOUR[type] ?? 'other';
}
