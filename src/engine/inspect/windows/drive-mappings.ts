// HKLM\SYSTEM\MountedDevices → drive letters. Each "\DosDevices\X:" value of type
// REG_BINARY is either 12 bytes (MBR: 4-byte disk signature, 8-byte little-endian byte
// offset of the partition) or "DMIO:ID:" followed by the GPT partition GUID (mixed-endian,
// as GPT stores it). Other blobs (CD-ROMs, removable media) name no partition and are
// skipped. The caller maps signature+offset or GUID to a device name, since only it knows
// the disks.
// Reference: libguestfs daemon/inspect_fs_windows.ml (get_drive_mappings,
// map_registry_disk_blob_mbr, map_registry_disk_blob_gpt); goodells.net "partsigs".

import { Bytes, formatGuid } from '../../io/bytes.js';
import type { Hive } from '../../regf/hive.js';
import { REG_BINARY } from '../../regf/value-types.js';

export interface WindowsDiskResolver {
  /** The partition device (/dev/sda1) of the MBR disk with `signature` (the 32-bit value
   * at 0x1B8, little-endian) whose partition starts at byte `offset`. */
  mbrPartition?(signature: number, offset: number): string | undefined;
  /** The partition device whose GPT unique partition GUID is `guid` (lowercase). */
  gptPartition?(guid: string): string | undefined;
}

const DOS_DEVICES = '\\dosdevices\\';

/** The drive letter of a MountedDevices value name, or undefined if it names none. */
export function driveLetter(name: string): string | undefined {
  if (name.length < 14 || name.slice(0, 12).toLowerCase() !== DOS_DEVICES) return undefined;
  return /[A-Za-z]/.test(name[12]!) && name[13] === ':' ? name[12] : undefined;
}

export function deviceOfBlob(blob: Uint8Array, disks: WindowsDiskResolver): string | undefined {
  const b = new Bytes(blob, 'MountedDevices value');
  if (blob.length >= 24 && b.equals(0, 'DMIO:ID:')) {
    return disks.gptPartition?.(formatGuid(b.raw(8, 16)));
  }
  if (blob.length === 12) {
    const offset = b.u64leBig(4);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return disks.mbrPartition?.(b.u32le(0), Number(offset));
  }
  return undefined;
}

/** [letter, device] for each drive letter whose partition the resolver knows, in hive order. */
export function mapDriveLetters(hive: Hive, disks: WindowsDiskResolver): [string, string][] {
  const md = hive.lookup(['MountedDevices']);
  if (!md) return [];
  const out: [string, string][] = [];
  for (const v of hive.values(md)) {
    const letter = driveLetter(v.name);
    if (letter === undefined || v.type !== REG_BINARY) continue;
    const device = deviceOfBlob(hive.data(v), disks);
    if (device !== undefined) out.push([letter, device]);
  }
  return out;
}
