// The table under each disk bar: one row per device on the disk (the disk itself when it
// has no partition table), with start, size, type, filesystem, label, UUID and name.

import type { DeviceSummary, DiskSummary, Inventory } from '../engine/guestfs/inventory.js';
import { Bytes } from './Bytes.js';
import { diskDevice, partitionsOf } from './layout.js';
import { partitionTypeLabel } from './partition-types.js';
import { FsCell } from './Unlock.js';

function rowsOf(inv: Inventory, disk: DiskSummary): DeviceSummary[] {
  if (!disk.partitionTable) {
    const whole = diskDevice(inv, disk.device);
    return whole ? [whole] : [];
  }
  return [...partitionsOf(inv, disk.device)].sort((a, b) => (a.partnum ?? 0) - (b.partnum ?? 0));
}

function DeviceRow({ d, inventory }: { d: DeviceSummary; inventory: Inventory }) {
  const type = partitionTypeLabel(d);
  const fsTitle = d.fs
    ? Object.entries(d.fs.extra)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')
    : undefined;
  return (
    <tr data-testid="device-row" data-device={d.name}>
      <th scope="row" data-col="device">
        {d.name}
        {d.bootable ? (
          <span className="flag" title="bootable">
            {' '}
            boot
          </span>
        ) : null}
      </th>
      <td data-col="start" className="num">
        <Bytes value={d.start} />
      </td>
      <td data-col="size" className="num">
        <Bytes value={d.size} />
      </td>
      <td data-col="type" data-type-id={type.id} title={type.id}>
        {d.mbrId !== undefined && !d.gptType ? <span className="mono">{type.id} </span> : null}
        {type.name}
        {d.partKind === 'extended' || d.partKind === 'logical' ? (
          <span className="muted"> ({d.partKind})</span>
        ) : null}
      </td>
      <td data-col="fs" title={fsTitle}>
        <FsCell d={d} inventory={inventory} />
      </td>
      <td data-col="label">{d.fs?.label ?? ''}</td>
      <td data-col="uuid" className="mono">
        {d.fs?.uuid ?? ''}
      </td>
      <td data-col="name">{d.partName ?? ''}</td>
    </tr>
  );
}

export function PartitionTable({ inventory, disk }: { inventory: Inventory; disk: DiskSummary }) {
  const rows = rowsOf(inventory, disk);
  return (
    <div className="table-scroll">
      <table className="devices" aria-label={`Devices on ${disk.device}`}>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Start</th>
            <th scope="col">Size</th>
            <th scope="col">Type</th>
            <th scope="col">Filesystem</th>
            <th scope="col">Label</th>
            <th scope="col">UUID</th>
            <th scope="col">Name</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <DeviceRow key={d.name} d={d} inventory={inventory} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
