// `guestkit filesystems` — virt-filesystems' listing. Row order and columns follow
// virt-filesystems: filesystems, then partitions, then block devices; `--json` prints the
// same rows as objects with sizes in bytes and adds start, gpt_type, gpt_guid, part_name.

import type { Guestfs } from '../../engine/guestfs/handle.js';
import type { DeviceSummary } from '../../engine/guestfs/inventory.js';
import type { CommonArgs } from '../args.js';

export interface FsRow {
  name: string;
  type: 'filesystem' | 'partition' | 'device';
  vfs: string | null;
  label: string | null;
  mbr: string | null;
  size: number;
  parent: string | null;
  uuid: string | null;
  start?: number;
  gpt_type?: string;
  gpt_guid?: string;
  part_name?: string;
}

/** Filesystem types virt-filesystems shows only with --extra (or --all). */
const EXTRA_VFS = new Set(['swap', 'unknown']);

export function filesystemRows(g: Guestfs, args: CommonArgs): FsRow[] {
  const all = args.flags.has('--all');
  const want = {
    filesystems: args.flags.has('--filesystems') || all,
    extra: args.flags.has('--extra') || all,
    partitions: args.flags.has('--partitions') || all,
    devices: args.flags.has('--block-devices') || all,
  };
  if (!want.partitions && !want.devices && !args.flags.has('--extra')) want.filesystems = true;
  if (args.flags.has('--extra')) want.filesystems = true;

  const inv = g.inventory();
  const byName = new Map(inv.devices.map((d) => [d.name, d]));
  const rows: FsRow[] = [];
  if (want.filesystems) {
    for (const [name, vfs] of Object.entries(g.list_filesystems())) {
      if (EXTRA_VFS.has(vfs) && !want.extra) continue;
      const d = byName.get(name)!;
      rows.push({
        name,
        type: 'filesystem',
        vfs,
        label: d.fs?.label ?? null,
        mbr: null,
        size: d.size,
        parent: null,
        uuid: d.fs?.uuid ?? null,
      });
    }
  }
  if (want.partitions) {
    for (const d of inv.devices) if (d.kind === 'partition') rows.push(partitionRow(d));
  }
  if (want.devices) {
    for (const d of inv.devices) {
      if (d.kind !== 'disk') continue;
      rows.push({
        name: d.name,
        type: 'device',
        vfs: null,
        label: null,
        mbr: null,
        size: d.size,
        parent: null,
        uuid: null,
      });
    }
  }
  return rows;
}

function partitionRow(d: DeviceSummary): FsRow {
  const row: FsRow = {
    name: d.name,
    type: 'partition',
    vfs: null,
    label: null,
    mbr: d.mbrId === undefined || d.gptType ? null : d.mbrId.toString(16).padStart(2, '0'),
    size: d.size,
    parent: d.parent ?? null,
    uuid: null,
    start: d.start,
  };
  if (d.gptType) {
    row.gpt_type = d.gptType;
    row.gpt_guid = d.gptGuid;
    row.part_name = d.partName ?? '';
  }
  return row;
}

export function formatRows(rows: FsRow[], args: CommonArgs): string {
  if (args.flags.has('--json')) return `${JSON.stringify(rows, null, 2)}\n`;
  if (!args.flags.has('--long') && !args.flags.has('-l'))
    return rows.map((r) => `${r.name}\n`).join('');
  const human = args.flags.has('-h') || args.flags.has('--human-readable');
  const table = [
    ['Name', 'Type', 'VFS', 'Label', 'MBR', 'Size', 'Parent', 'UUID'],
    ...rows.map((r) => [
      r.name,
      r.type,
      r.vfs ?? '-',
      r.label ?? '-',
      r.mbr ?? '-',
      human ? humanSize(r.size) : String(r.size),
      r.parent ?? '-',
      r.uuid ?? '-',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map(
      (row) =>
        row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join(' ') + '\n',
    )
    .join('');
}

export function humanSize(n: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? String(n) : `${v.toFixed(1)}${units[i]}`;
}
