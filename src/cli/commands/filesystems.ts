// `guestkit filesystems` — virt-filesystems' listing. Row order, the values of each row
// and the --csv output follow virt-filesystems (guestfs-tools cat/filesystems.c):
// filesystems, LVs, VGs, PVs, partitions, then block devices. A filesystem's size is its
// statvfs size when it can be mounted (blocks × bsize), else the device's; its parents are
// the members of an md array. An LV's parent is /dev/VG and its UUID lvm2's (with dashes);
// a VG's parents are its PVs and a VG's or PV's UUID has no dashes. `--json` prints the same
// rows as objects (parents comma-separated, as the Parent column) and adds start,
// gpt_type, gpt_guid and part_name to partitions.

import type { Guestfs } from '../../engine/guestfs/handle.js';
import type { DeviceSummary } from '../../engine/guestfs/inventory.js';
import type { CommonArgs } from '../args.js';

export interface FsRow {
  name: string;
  type: 'filesystem' | 'lv' | 'vg' | 'pv' | 'partition' | 'device';
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

/** virt-filesystems' selection flags and their aliases. */
const SELECT = {
  filesystems: ['--filesystems'],
  extra: ['--extra'],
  lvs: ['--lvs', '--logvols', '--logical-volumes'],
  vgs: ['--vgs', '--volgroups', '--volume-groups'],
  pvs: ['--pvs', '--physvols', '--physical-volumes'],
  partitions: ['--partitions', '--parts'],
  devices: ['--block-devices', '--blkdevs'],
} satisfies Record<string, string[]>;
type Selection = Record<keyof typeof SELECT, boolean>;

export function selection(args: CommonArgs): Selection {
  const all = args.flags.has('--all');
  const want = Object.fromEntries(
    Object.entries(SELECT).map(([k, flags]) => [k, all || flags.some((f) => args.flags.has(f))]),
  ) as Selection;
  // --extra implies --filesystems; nothing selected means --filesystems.
  if (want.extra || !Object.values(want).some(Boolean)) want.filesystems = true;
  return want;
}

export function filesystemRows(g: Guestfs, args: CommonArgs): FsRow[] {
  const want = selection(args);
  const inv = g.inventory();
  const rows: FsRow[] = [];
  if (want.filesystems) rows.push(...fsRows(g, inv.devices, want.extra));
  if (want.lvs) rows.push(...lvRows(g));
  if (want.vgs) rows.push(...vgRows(g));
  if (want.pvs) rows.push(...pvRows(g));
  if (want.partitions)
    for (const d of inv.devices) if (d.kind === 'partition') rows.push(partitionRow(d));
  if (want.devices) {
    for (const d of inv.devices) if (d.kind === 'disk') rows.push(blank(d.name, 'device', d.size));
  }
  return rows;
}

function blank(name: string, type: FsRow['type'], size: number): FsRow {
  return { name, type, vfs: null, label: null, mbr: null, size, parent: null, uuid: null };
}

function fsRows(g: Guestfs, devices: DeviceSummary[], extra: boolean): FsRow[] {
  const byName = new Map(devices.map((d) => [d.name, d]));
  const rows: FsRow[] = [];
  for (const [name, vfs] of Object.entries(g.list_filesystems())) {
    if (EXTRA_VFS.has(vfs) && !extra) continue;
    const d = byName.get(name);
    rows.push({
      ...blank(g.canonical_device_name(name), 'filesystem', fsSize(g, name, d)),
      vfs,
      label: d?.fs?.label ?? null,
      uuid: d?.fs?.uuid ?? null,
      parent: /^\/dev\/md\d+$/.test(name)
        ? g
            .md_stat(name)
            .map((m) => g.canonical_device_name(m.mdstat_device))
            .join(',')
        : null,
    });
  }
  return rows;
}

/** As virt-filesystems: mounted, blocks × bsize from statvfs; otherwise the device size. */
function fsSize(g: Guestfs, name: string, d: DeviceSummary | undefined): number {
  try {
    g.mount_ro(name, '/');
    const st = g.statvfs('/');
    return st.blocks * st.bsize;
  } catch {
    return d?.size ?? 0;
  } finally {
    g.umount_all();
  }
}

function lvRows(g: Guestfs): FsRow[] {
  const sizes = new Map(g.lvs_full().map((l) => [l.lv_uuid, l.lv_size]));
  return g.lvs().map((lv) => {
    const uuid = g.lvuuid(lv);
    let size: number;
    try {
      size = g.blockdev_getsize64(lv);
    } catch {
      // An LV of a VG that is not active has no device: lvm2's size.
      size = sizes.get(uuid.replace(/-/g, '')) ?? 0;
    }
    return { ...blank(lv, 'lv', size), parent: lv.slice(0, lv.lastIndexOf('/')), uuid };
  });
}

function vgRows(g: Guestfs): FsRow[] {
  const pvs = g.pvs_full();
  return g.vgs_full().map((vg) => {
    // Each PV UUID of the VG back to its PV's device (a missing PV keeps its UUID).
    const parents = g.vgpvuuids(vg.vg_name).map((id) => {
      const pv = pvs.find((p) => p.pv_uuid === id.replace(/-/g, ''));
      return pv ? g.canonical_device_name(pv.pv_name) : id.replace(/-/g, '');
    });
    return {
      ...blank(`/dev/${vg.vg_name}`, 'vg', vg.vg_size),
      parent: parents.join(','),
      uuid: vg.vg_uuid,
    };
  });
}

function pvRows(g: Guestfs): FsRow[] {
  return g.pvs_full().map((pv) => ({
    ...blank(g.canonical_device_name(pv.pv_name), 'pv', pv.pv_size),
    uuid: pv.pv_uuid,
  }));
}

function partitionRow(d: DeviceSummary): FsRow {
  const row: FsRow = {
    ...blank(d.name, 'partition', d.size),
    mbr: d.mbrId === undefined || d.gptType ? null : d.mbrId.toString(16).padStart(2, '0'),
    parent: d.parent ?? null,
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
  if (args.flags.has('--csv')) return csvRows(rows, args);
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

/**
 * virt-filesystems --csv: Name; with --long also Type, VFS and Label (when filesystems are
 * listed), MBR (when partitions are), Size, Parent, and UUID with --uuid; a title row in
 * long mode unless --no-title. Fields with a space, quote, comma or newline are quoted.
 */
function csvRows(rows: FsRow[], args: CommonArgs): string {
  const long = args.flags.has('--long') || args.flags.has('-l');
  const want = selection(args);
  const cols: [string, (r: FsRow) => string | null][] = [['Name', (r) => r.name]];
  if (long) {
    cols.push(['Type', (r) => r.type]);
    if (want.filesystems) cols.push(['VFS', (r) => r.vfs], ['Label', (r) => r.label]);
    if (want.partitions) cols.push(['MBR', (r) => r.mbr]);
    cols.push(['Size', (r) => String(r.size)], ['Parent', (r) => r.parent ?? '']);
    if (args.flags.has('--uuid') || args.flags.has('--uuids')) cols.push(['UUID', (r) => r.uuid]);
  }
  const lines = rows.map((r) => cols.map(([, f]) => csvField(f(r))).join(','));
  if (long && !args.flags.has('--no-title')) lines.unshift(cols.map(([h]) => h).join(','));
  return lines.map((l) => `${l}\n`).join('');
}

function csvField(v: string | null): string {
  if (v === null || !/[ ",\n]/.test(v)) return v ?? '';
  return `"${v.replace(/"/g, '""')}"`;
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
