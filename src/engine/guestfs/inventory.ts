// A structured overview of everything the handle found after launch: the drives, their
// partition tables, every block device (volume devices too: md arrays, open LUKS
// mappings, active LVs, with the devices they read from) and what it holds, and the LVM
// volume groups. The UI's disk map and the CLI's `filesystems` command read this one
// structure.

import type { FormatInfo, Snapshot } from '../formats/types.js';
import type { IoStats } from '../io/stats.js';
import type { PartitionKind } from '../partitions/types.js';
import type { ProbeUsage } from '../fs/probe/types.js';

export interface DiskSummary {
  /** /dev/sda … */
  device: string;
  /** The file given to add_drive (top of its backing chain). */
  file: string;
  format: string;
  virtualSize: number;
  /** File names below the top image, nearest first. */
  backingChain: string[];
  info: FormatInfo;
  snapshots: Snapshot[];
  partitionTable?: {
    type: 'msdos' | 'gpt';
    sectorSize: number;
    id?: string;
    warnings: string[];
  };
  /** The partition table could not be read (damaged): what went wrong. */
  error?: { kind: string; message: string };
}

export interface FsSummary {
  type: string;
  usage: ProbeUsage;
  label?: string;
  uuid?: string;
  extra: Record<string, string>;
}

export interface DeviceSummary {
  name: string;
  /** The whole-disk device this one lives on (partitions). */
  parent?: string;
  kind: 'disk' | 'partition' | 'md' | 'lv' | 'luks';
  /** Byte offset on the parent (0 for disks). */
  start: number;
  size: number;
  partnum?: number;
  partKind?: PartitionKind;
  bootable?: boolean;
  mbrId?: number;
  gptType?: string;
  gptGuid?: string;
  partName?: string;
  /** Volume devices: what they read from (md members, the LUKS container, an LV's PVs). */
  members?: string[];
  /** Volume devices: what the layer knows (RAID level, cipher, VG and segment types …). */
  volume?: Record<string, string | number | boolean | string[]>;
  fs?: FsSummary;
}

/** An LVM volume group: its PVs (device names) and LVs (/dev/VG/LV, public ones). */
export interface VgSummary {
  name: string;
  /** As lvm2 prints it, with dashes. */
  uuid: string;
  size: number;
  extentSize: number;
  pvs: string[];
  lvs: string[];
  /** Activated: its LVs are devices. A VG found inside a just-opened LUKS volume is not,
   * until lvm_scan true or vg_activate. */
  active: boolean;
  /** A PV is missing. */
  partial: boolean;
}

export interface Inventory {
  disks: DiskSummary[];
  devices: DeviceSummary[];
  volumeGroups?: VgSummary[];
  io: IoStats;
}
