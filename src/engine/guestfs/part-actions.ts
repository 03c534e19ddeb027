// The partition and block-device queries: part_list, part_get_*, part_to_*, blockdev_*.
// Like the file actions, a table of functions bound onto the Guestfs prototype under the
// libguestfs names; the handle itself is the DeviceHost (its `device` looks up any accepted
// spelling and requires launch).
// Reference: guestfs(3) guestfs_part_list … guestfs_blockdev_getbsz; libguestfs
// daemon/parted.ml, daemon/devsparts.ml, daemon/blockdev.c.

import { EngineError } from '../errors.js';
import { partToDev } from '../partitions/naming.js';
import type { Device, DriveDevice } from './devices.js';

export interface DeviceHost {
  device(name: string, action: string): Device;
}

export interface PartListEntry {
  part_num: number;
  part_start: number;
  part_end: number;
  part_size: number;
}

function wholeDevice(h: DeviceHost, name: string, action: string): DriveDevice {
  const d = h.device(name, action);
  if (d.kind !== 'disk')
    throw new EngineError('EINVAL', `${action}: ${name}: not a whole device`, { path: name });
  return d;
}

function table(h: DeviceHost, device: string, action: string) {
  const t = wholeDevice(h, device, action).drive.table;
  if (!t)
    throw new EngineError('EINVAL', `${action}: ${device}: unrecognised disk label`, {
      path: device,
    });
  return t;
}

function partition(h: DeviceHost, device: string, partnum: number, action: string) {
  const t = table(h, device, action);
  const p = t.partitions.find((x) => x.partnum === partnum);
  if (!p)
    throw new EngineError('ENOENT', `${action}: ${device}: partition ${partnum} does not exist`, {
      path: device,
    });
  return { table: t, p };
}

function gptPartition(h: DeviceHost, device: string, partnum: number, action: string) {
  const r = partition(h, device, partnum, action);
  if (r.table.type !== 'gpt')
    throw new EngineError('EINVAL', `${action}: ${device}: partition table is not gpt`, {
      path: device,
    });
  return r.p;
}

function partitionDevice(h: DeviceHost, name: string, action: string): Device {
  const d = h.device(name, action);
  if (d.kind !== 'partition' || !d.partition)
    throw new EngineError('EINVAL', `${action}: ${name}: device name is not a partition`, {
      path: name,
    });
  return d;
}

export const PART_ACTIONS = {
  part_list(h: DeviceHost, device: string): PartListEntry[] {
    return table(h, device, 'part_list').partitions.map((p) => ({
      part_num: p.partnum,
      part_start: p.start,
      part_end: p.start + p.size - 1,
      part_size: p.size,
    }));
  },
  part_get_parttype(h: DeviceHost, device: string): string {
    return table(h, device, 'part_get_parttype').type;
  },
  part_get_bootable(h: DeviceHost, device: string, partnum: number): boolean {
    return partition(h, device, partnum, 'part_get_bootable').p.bootable;
  },
  part_get_mbr_id(h: DeviceHost, device: string, partnum: number): number {
    const { table: t, p } = partition(h, device, partnum, 'part_get_mbr_id');
    if (t.type !== 'msdos' || p.mbrId === undefined)
      throw new EngineError('EINVAL', `part_get_mbr_id: ${device}: partition table is not msdos`, {
        path: device,
      });
    return p.mbrId;
  },
  part_get_gpt_type(h: DeviceHost, device: string, partnum: number): string {
    return gptPartition(h, device, partnum, 'part_get_gpt_type').gptType ?? '';
  },
  part_get_gpt_guid(h: DeviceHost, device: string, partnum: number): string {
    return gptPartition(h, device, partnum, 'part_get_gpt_guid').gptGuid ?? '';
  },
  part_get_gpt_attributes(h: DeviceHost, device: string, partnum: number): number {
    return Number(gptPartition(h, device, partnum, 'part_get_gpt_attributes').gptAttributes ?? '0');
  },
  part_get_name(h: DeviceHost, device: string, partnum: number): string {
    return gptPartition(h, device, partnum, 'part_get_name').name ?? '';
  },
  part_get_disk_guid(h: DeviceHost, device: string): string {
    const d = wholeDevice(h, device, 'part_get_disk_guid');
    if (d.drive.table?.type !== 'gpt')
      throw new EngineError('EINVAL', `part_get_disk_guid: ${device}: partition table is not gpt`, {
        path: device,
      });
    return d.drive.table.id ?? '';
  },
  part_to_dev(h: DeviceHost, partition: string): string {
    return partToDev(partitionDevice(h, partition, 'part_to_dev').name);
  },
  part_to_partnum(h: DeviceHost, partition: string): number {
    return partitionDevice(h, partition, 'part_to_partnum').partition!.partnum;
  },

  blockdev_getsize64(h: DeviceHost, device: string): number {
    return h.device(device, 'blockdev_getsize64').source.size;
  },
  blockdev_getsz(h: DeviceHost, device: string): number {
    return Math.floor(h.device(device, 'blockdev_getsz').source.size / 512);
  },
  blockdev_getss(h: DeviceHost, device: string): number {
    return h.device(device, 'blockdev_getss').drive?.table?.sectorSize ?? 512;
  },
  /** The block size the appliance's kernel would use for the device: 4096. */
  blockdev_getbsz(h: DeviceHost, device: string): number {
    h.device(device, 'blockdev_getbsz');
    return 4096;
  },
};
