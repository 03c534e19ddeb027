// Expected values for the browser tests, read from what fixtures/build-e2e.sh recorded with
// independent tools: sfdisk --json (table), blkid -p -o export (each partition) and
// qemu-img info. Nothing here comes from guestkit.

import * as fs from 'node:fs';
import * as path from 'node:path';

interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  uuid?: string;
  name?: string;
}

interface SfdiskTable {
  partitiontable: {
    label: 'gpt' | 'dos';
    id: string;
    sectorsize: number;
    partitions: SfdiskPartition[];
  };
}

interface BlkidPartition {
  partnum: number;
  start: number;
  size: number;
  export: Record<string, string>;
}

/** One row of the device table as the UI must show it. */
export interface ExpectedRow {
  device: string;
  start: number;
  size: number;
  /** GPT type GUID (uppercase) or MBR type byte as a number. */
  type: string | number;
  fs: string;
  label: string;
  uuid: string;
  name: string;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function sfdisk(fixtures: string, name: string): SfdiskTable['partitiontable'] {
  return readJson<SfdiskTable>(path.join(fixtures, 'expected', `${name}.sfdisk.json`))
    .partitiontable;
}

export function qemuImgInfo(fixtures: string, name: string): Record<string, unknown> {
  const info = readJson<Record<string, unknown> | Record<string, unknown>[]>(
    path.join(fixtures, 'expected', `${name}.qemu-img.json`),
  );
  return Array.isArray(info) ? info[0]! : info;
}

function partnumOf(node: string): number {
  return Number(/(\d+)$/.exec(node)![1]);
}

/** The rows of /dev/sda for fixture NAME, in partition-number order. */
export function expectedRows(fixtures: string, name: string): ExpectedRow[] {
  const table = sfdisk(fixtures, name);
  const blkid = readJson<BlkidPartition[]>(path.join(fixtures, 'expected', `${name}.blkid.json`));
  const ss = table.sectorsize;
  return table.partitions
    .map((p) => {
      const n = partnumOf(p.node);
      const probe = blkid.find((b) => b.partnum === n)?.export ?? {};
      return {
        device: `/dev/sda${n}`,
        start: p.start * ss,
        size: p.size * ss,
        type: table.label === 'gpt' ? p.type.toUpperCase() : parseInt(p.type, 16),
        fs: probe.TYPE ?? '',
        label: probe.LABEL ?? '',
        uuid: probe.UUID ?? '',
        name: p.name ?? '',
      };
    })
    .sort((a, b) => a.device.localeCompare(b.device, 'en', { numeric: true }));
}

/** Free gaps the disk bar must show: between top-level partitions (MBR logicals live inside
 * their extended partition), and larger than 1 MiB, from sfdisk's numbers. */
export function expectedFreeGaps(fixtures: string, name: string, diskBytes: number) {
  const table = sfdisk(fixtures, name);
  const ss = table.sectorsize;
  const top = table.partitions
    .filter((p) => table.label === 'gpt' || partnumOf(p.node) <= 4)
    .map((p) => ({ start: p.start * ss, end: (p.start + p.size) * ss }))
    .sort((a, b) => a.start - b.start);
  const gaps: { start: number; size: number }[] = [];
  let at = 0;
  for (const p of [...top, { start: diskBytes, end: diskBytes }]) {
    if (p.start - at > 1024 * 1024) gaps.push({ start: at, size: p.start - at });
    at = Math.max(at, p.end);
  }
  return gaps;
}
