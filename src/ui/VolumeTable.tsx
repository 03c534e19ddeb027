// The volume devices of the image, under the disks: md arrays, LVM logical volumes and
// open LUKS mappings, each with what it reads from and what it holds. An encrypted LV
// shows its lock here; once unlocked, the /dev/mapper device and the LVs found inside
// appear as new rows.

import type { DeviceSummary, Inventory } from '../engine/guestfs/inventory.js';
import { Bytes } from './Bytes.js';
import { FsCell } from './Unlock.js';

const KIND: Record<string, string> = { md: 'RAID (md)', lv: 'LVM logical volume', luks: 'LUKS' };

function VolumeRow({ d, inventory }: { d: DeviceSummary; inventory: Inventory }) {
  return (
    <tr data-testid="volume-row" data-device={d.name} data-kind={d.kind}>
      <th scope="row" data-col="device">
        {d.name}
      </th>
      <td data-col="kind">{KIND[d.kind] ?? d.kind}</td>
      <td data-col="size" className="num">
        <Bytes value={d.size} />
      </td>
      <td data-col="members" className="mono">
        {(d.members ?? []).join(', ')}
      </td>
      <td data-col="fs">
        <FsCell d={d} inventory={inventory} />
      </td>
      <td data-col="label">{d.fs?.label ?? ''}</td>
      <td data-col="uuid" className="mono">
        {d.fs?.uuid ?? ''}
      </td>
    </tr>
  );
}

export function VolumeTable({ inventory }: { inventory: Inventory }) {
  const rows = inventory.devices.filter((d) => d.kind !== 'disk' && d.kind !== 'partition');
  if (rows.length === 0) return null;
  return (
    <section className="panel volumes" aria-label="Volumes" data-testid="volumes">
      <h3>Volumes</h3>
      <div className="table-scroll">
        <table className="devices" aria-label="Volume devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">Reads from</th>
              <th scope="col">Filesystem</th>
              <th scope="col">Label</th>
              <th scope="col">UUID</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <VolumeRow key={d.name} d={d} inventory={inventory} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
