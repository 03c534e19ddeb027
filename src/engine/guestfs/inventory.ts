// A structured overview of everything the handle found after launch: the drives, their
// partition tables, every block device and what it holds. The UI's disk map and the CLI's
// `filesystems` command both read this one structure.

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
  kind: 'disk' | 'partition';
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
  fs?: FsSummary;
}

export interface Inventory {
  disks: DiskSummary[];
  devices: DeviceSummary[];
  io: IoStats;
}
