// The volume family: layers that turn block devices into other block devices — LVM2
// logical volumes, MD RAID arrays, LUKS mappings. Each takes the devices the handle knows
// (whole disks, partitions, and the outputs of other volume layers, so stacks compose in
// any order) and returns new devices. Reference: DESIGN.md "Layers".

import type { BlockSource } from '../io/block-source.js';

/** A block device offered to a volume layer. */
export interface MemberDevice {
  /** libguestfs name: /dev/sda2, /dev/md0, /dev/mapper/luks-…, /dev/vg/lv. */
  name: string;
  source: BlockSource;
}

/** A device a volume layer produces. */
export interface VolumeDevice {
  /** libguestfs name: /dev/VG/LV, /dev/md127, /dev/mapper/NAME. */
  name: string;
  kind: 'lv' | 'md' | 'luks';
  source: BlockSource;
  /** The member devices it reads from. */
  members: string[];
  /** Facts to show (segment types, RAID level, cipher …). */
  info: Record<string, string | number | boolean | string[]>;
}
