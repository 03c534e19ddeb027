// What inspection needs from a launched handle: the filesystems to classify (each mounted
// read-only on its own when a detector asks), the directory that resolves fstab specs and
// Windows MountedDevices entries to the handle's device names, and the evidence of OS
// roots guestkit cannot read (BSD partitions: UFS has no driver here).
// Reference: libguestfs daemon/listfs.ml (list_filesystems), daemon/findfs.ml (findfs_uuid,
// findfs_label); util-linux blkid PARTUUID ("SSSSSSSS-NN" on MBR, the GPT entry's unique
// GUID); FreeBSD gpart(8) and the MBR type registry (0xa5 FreeBSD, 0xa6 OpenBSD, 0xa9
// NetBSD); the UEFI spec's GPT partition type GUIDs for the BSDs.

import { canMount, mountDevice } from '../fs/registry.js';
import type { FsCandidate, InspectionNote } from '../inspect/pipeline.js';
import type { DeviceDirectory } from '../inspect/unix/fstab.js';
import type { WindowsDiskResolver } from '../inspect/windows/detector.js';
import { parseMapperName } from '../partitions/naming.js';
import type { Guestfs } from './handle.js';
import type { DeviceSummary, Inventory } from './inventory.js';

/** The handle as inspection uses it (public actions only). */
export type InspectHandle = Pick<
  Guestfs,
  'inventory' | 'list_filesystems' | 'list_devices' | 'device'
>;

/** Devices that may hold a filesystem: not a disk carrying a partition table. */
function probedDevices(inv: Inventory): DeviceSummary[] {
  const tabled = new Set(inv.disks.filter((d) => d.partitionTable).map((d) => d.device));
  return inv.devices.filter((d) => !(d.kind === 'disk' && tabled.has(d.name)) && d.fs);
}

export function deviceDirectory(inv: Inventory, disks: readonly string[]): DeviceDirectory {
  const fsDevices = probedDevices(inv);
  const byName = new Map(inv.devices.map((d) => [d.name, d]));
  const diskId = new Map(inv.disks.map((d) => [d.device, d.partitionTable]));
  const partuuid = (d: DeviceSummary): string | undefined => {
    if (d.kind !== 'partition' || !d.parent) return undefined;
    if (d.gptGuid) return d.gptGuid.toLowerCase();
    const t = diskId.get(d.parent);
    if (t?.type !== 'msdos' || !t.id) return undefined;
    return `${t.id}-${d.partnum!.toString(16).padStart(2, '0')}`;
  };
  return {
    byUuid: (uuid) => fsDevices.find((d) => d.fs!.uuid === uuid)?.name,
    byLabel: (label) => fsDevices.find((d) => d.fs!.label === label)?.name,
    byPartUuid: (u) => inv.devices.find((d) => partuuid(d) === u.toLowerCase())?.name,
    byPartLabel: (name) =>
      inv.devices.find((d) => d.kind === 'partition' && d.gptGuid && d.partName === name)?.name,
    disks: () => disks,
    isPartition: (dev) => byName.get(dev)?.kind === 'partition',
    lvCanonical: (spec) => {
      const parsed = spec.startsWith('/dev/mapper/')
        ? parseMapperName(spec.slice('/dev/mapper/'.length))
        : undefined;
      const lv = parsed && `/dev/${parsed.vg}/${parsed.lv}`;
      return lv && byName.has(lv) ? lv : undefined;
    },
  };
}

/** MountedDevices entries → partitions: MBR signature + byte offset, or GPT GUID. */
export function windowsDisks(inv: Inventory): WindowsDiskResolver {
  const table = new Map(inv.disks.map((d) => [d.device, d.partitionTable]));
  return {
    mbrPartition(signature, offset) {
      const sig = signature.toString(16).padStart(8, '0');
      return inv.devices.find((d) => {
        const t = d.parent ? table.get(d.parent) : undefined;
        return d.kind === 'partition' && t?.type === 'msdos' && t.id === sig && d.start === offset;
      })?.name;
    },
    gptPartition(guid) {
      return inv.devices.find((d) => d.gptGuid?.toLowerCase() === guid.toLowerCase())?.name;
    },
  };
}

/** Every filesystem list_filesystems reports, ready to be mounted on its own. */
export function fsCandidates(g: InspectHandle, inv: Inventory): FsCandidate[] {
  const summary = new Map(inv.devices.map((d) => [d.name, d]));
  const out: FsCandidate[] = [];
  for (const [device, type] of Object.entries(g.list_filesystems())) {
    if (type === 'unknown') continue;
    const fs = summary.get(device)?.fs;
    out.push({
      device,
      type,
      label: fs?.label,
      uuid: fs?.uuid,
      open: () => mountDevice(g.device(device, 'inspect_os').source, type),
    });
  }
  return out;
}

const BSD_MBR: Record<number, string> = { 0xa5: 'FreeBSD', 0xa6: 'OpenBSD', 0xa9: 'NetBSD' };
const BSD_GPT: Record<string, string> = {
  '516E7CB6-6ECF-11D6-8FF8-00022D09712B': 'FreeBSD UFS',
  '516E7CBA-6ECF-11D6-8FF8-00022D09712B': 'FreeBSD ZFS',
  '49F48D5A-B10E-11DC-B99B-0019D1879648': 'NetBSD FFS',
  '824CC7A0-36A8-11E3-890A-952519AD3F61': 'OpenBSD data',
};

/**
 * BSD partitions: libguestfs mounts UFS and may find a BSD root there; guestkit has no UFS
 * driver, so it says which partitions would hold one instead of staying silent.
 */
export function bsdEvidence(inv: Inventory): InspectionNote[] {
  const out: InspectionNote[] = [];
  for (const d of inv.devices) {
    // A partition typed BSD but holding a filesystem guestkit reads is inspected as usual.
    if (d.kind !== 'partition' || (d.fs && canMount(d.fs.type))) continue;
    const what =
      (d.gptType ? BSD_GPT[d.gptType.toUpperCase()] : undefined) ??
      (d.mbrId !== undefined && !d.gptType ? BSD_MBR[d.mbrId] : undefined);
    if (!what) continue;
    const how = d.gptType ? `GPT type ${d.gptType}` : `MBR type 0x${d.mbrId!.toString(16)}`;
    out.push({
      device: d.name,
      type: d.fs?.type ?? 'unknown',
      kind: 'unreadable',
      message: `${d.name} is a ${what} partition (${how}): guestkit cannot read BSD filesystems (UFS), so an OS root there is not inspected`,
    });
  }
  return out;
}
