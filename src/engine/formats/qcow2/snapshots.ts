// The internal snapshot table: one variable-length entry per snapshot, each naming the L1
// table that was active when it was taken.
// Reference: QEMU docs/interop/qcow2.txt, "Snapshots" (snapshot table entry and extra data).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import type { Snapshot } from '../types.js';
import { MAX_L1_BYTES, type Qcow2Header } from './header.js';

export const SNAPSHOT_STRUCTURE = 'qcow2 snapshot table';
/** QEMU's QCOW_MAX_SNAPSHOT_EXTRA_DATA: bounds the per-entry read. */
export const MAX_SNAPSHOT_EXTRA_DATA = 1024;
/** QEMU's QCOW_MAX_SNAPSHOTS_SIZE: bounds the whole table we walk. */
export const MAX_SNAPSHOT_TABLE_BYTES = 64 * 1024 * 1024;
const ENTRY_FIXED = 40;

/** A listed snapshot plus what is needed to read it. */
export interface Qcow2Snapshot extends Snapshot {
  readonly l1TableOffset: number;
  readonly l1Size: number;
  readonly dateSec: number;
  readonly dateNsec: number;
  readonly vmClockNsec: number;
  /** Byte offset of the entry in the file, for errors. */
  readonly entryOffset: number;
}

/** Walk nb_snapshots entries at snapshots_offset. */
export function readSnapshotTable(file: BlockSource, header: Qcow2Header): Qcow2Snapshot[] {
  const { nb_snapshots: count, snapshots_offset: start } = header.fields;
  const out: Qcow2Snapshot[] = [];
  let pos = start;
  for (let i = 0; i < count; i++) {
    const { snapshot, next } = readEntry(file, header, pos);
    if (next - start > MAX_SNAPSHOT_TABLE_BYTES) {
      throw corrupt(
        SNAPSHOT_STRUCTURE,
        start,
        'table exceeds MAX_SNAPSHOT_TABLE_BYTES',
        `<= ${MAX_SNAPSHOT_TABLE_BYTES}`,
        next - start,
      );
    }
    out.push(snapshot);
    pos = next;
  }
  return out;
}

function readRange(file: BlockSource, pos: number, length: number): Bytes {
  if (pos + length > file.size) {
    throw corrupt(
      SNAPSHOT_STRUCTURE,
      pos,
      'entry runs past the end of the file',
      `<= ${file.size}`,
      pos + length,
    );
  }
  return new Bytes(file.readAt(pos, length), SNAPSHOT_STRUCTURE, pos);
}

function readEntry(
  file: BlockSource,
  header: Qcow2Header,
  pos: number,
): { snapshot: Qcow2Snapshot; next: number } {
  const fixed = readRange(file, pos, ENTRY_FIXED);
  const l1TableOffset = fixed.u64be(0, 'l1_table_offset');
  const l1Size = fixed.u32be(8);
  const idSize = fixed.u16be(12);
  const nameSize = fixed.u16be(14);
  const extraSize = fixed.u32be(36);
  if (extraSize > MAX_SNAPSHOT_EXTRA_DATA) {
    throw corrupt(
      SNAPSHOT_STRUCTURE,
      pos + 36,
      'extra_data_size exceeds MAX_SNAPSHOT_EXTRA_DATA',
      `<= ${MAX_SNAPSHOT_EXTRA_DATA}`,
      extraSize,
    );
  }
  if (l1TableOffset % header.clusterSize !== 0) {
    throw corrupt(
      SNAPSHOT_STRUCTURE,
      pos,
      'l1_table_offset not cluster-aligned',
      'aligned',
      l1TableOffset,
    );
  }
  if (l1Size > MAX_L1_BYTES / 8) {
    throw corrupt(
      SNAPSHOT_STRUCTURE,
      pos + 8,
      'l1_size exceeds MAX_L1_BYTES',
      `<= ${MAX_L1_BYTES / 8}`,
      l1Size,
    );
  }
  const rest = readRange(file, pos + ENTRY_FIXED, extraSize + idSize + nameSize);
  // Extra data: vm_state_size_large (0..7), disk_size (8..15); absent fields default.
  const vmStateSize = extraSize >= 8 ? rest.u64be(0, 'vm_state_size_large') : fixed.u32be(32);
  const virtualSize = extraSize >= 16 ? rest.u64be(8, 'disk_size') : header.virtualSize;
  const dateSec = fixed.u32be(16);
  const dateNsec = fixed.u32be(20);
  const snapshot: Qcow2Snapshot = {
    id: rest.utf8(extraSize, idSize),
    name: rest.utf8(extraSize + idSize, nameSize),
    vmStateSize,
    date: new Date(dateSec * 1000 + Math.floor(dateNsec / 1e6)).toISOString(),
    virtualSize,
    l1TableOffset,
    l1Size,
    dateSec,
    dateNsec,
    vmClockNsec: fixed.u64be(24, 'vm_clock_nsec'),
    entryOffset: pos,
  };
  const length = ENTRY_FIXED + extraSize + idSize + nameSize;
  return { snapshot, next: pos + Math.ceil(length / 8) * 8 };
}

/** Find a snapshot by id first, then by name, as `qemu-img snapshot -a` and `-l snapshot.id` do. */
export function findSnapshot(
  list: readonly Qcow2Snapshot[],
  idOrName: string,
): Qcow2Snapshot | undefined {
  return list.find((s) => s.id === idOrName) ?? list.find((s) => s.name === idOrName);
}
