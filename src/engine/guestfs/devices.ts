// The block devices the handle exposes after launch: one per drive (/dev/sdX), one per
// partition (/dev/sdXN), and the devices the volume layers make of them (volumes.ts):
// /dev/mdN, /dev/VG/LV, /dev/mapper/NAME.

import type { EngineError } from '../errors.js';
import type { DiskImage } from '../formats/types.js';
import type { BlockSource } from '../io/block-source.js';
import type { Partition, PartitionTable } from '../partitions/types.js';
import type { ProbeResult } from '../fs/probe/types.js';
import type { VolumeDevice } from '../volumes/types.js';

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

interface DeviceBase {
  name: string;
  source: BlockSource;
  /** Byte offset on the parent disk (0 for disks and volume devices). */
  start: number;
  /** Probe result, computed on first need (undefined = nothing recognised). */
  probed?: { result: ProbeResult | undefined };
}

/** A drive or one of its partitions. */
export interface DriveDevice extends DeviceBase {
  kind: 'disk' | 'partition';
  drive: OpenDrive;
  partition?: Partition;
  volume?: undefined;
}

/** An md array, an LVM logical volume or an open LUKS mapping. */
export interface LayerDevice extends DeviceBase {
  kind: VolumeDevice['kind'];
  volume: VolumeDevice;
  drive?: undefined;
  partition?: undefined;
}

export type Device = DriveDevice | LayerDevice;
