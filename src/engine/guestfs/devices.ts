// The block devices the handle exposes after launch: one per drive (/dev/sdX), one per
// partition (/dev/sdXN). Later layers (LVM, MD, LUKS) add their devices here too.

import type { EngineError } from '../errors.js';
import type { DiskImage } from '../formats/types.js';
import type { BlockSource } from '../io/block-source.js';
import type { Partition, PartitionTable } from '../partitions/types.js';
import type { ProbeResult } from '../fs/probe/types.js';

export interface Drive {
  index: number;
  filename: string;
  format?: string;
  readonly: boolean;
}

export interface OpenDrive extends Drive {
  image: DiskImage;
  /** Names of the backing files, nearest first. */
  backingChain: string[];
  table?: PartitionTable;
  tableError?: EngineError;
}

export interface Device {
  name: string;
  kind: 'disk' | 'partition';
  source: BlockSource;
  /** Byte offset on the parent disk. */
  start: number;
  drive: OpenDrive;
  partition?: Partition;
  /** Probe result, computed on first need (undefined = nothing recognised). */
  probed?: { result: ProbeResult | undefined };
}
