// What a VMDK says about itself, for the UI, `disk_*` actions and tests. Names follow
// `qemu-img info` where it has them (cid and parentCid as numbers, createType), and the
// descriptor's ddb keys otherwise.
// Reference: VMware "Virtual Disk Format 1.1", "The Descriptor File" and "The Disk
// Database"; QEMU block/vmdk.c vmdk_get_specific_info.

import type { FormatInfo } from '../types.js';
import type { Descriptor } from './descriptor.js';
import type { Extent } from './extent.js';
import { SECTOR } from './sparse-header.js';

export interface VmdkFacts {
  readonly descriptor: Descriptor | undefined;
  readonly extents: readonly Extent[];
  readonly virtualSize: number;
  /** What the file itself says when its descriptor does not (or there is none). */
  readonly defaultCreateType: string;
  readonly warnings: readonly string[];
}

export function describeVmdk(f: VmdkFacts): FormatInfo {
  const d = f.descriptor;
  const sparse = f.extents.find((e) => e.grainSize !== undefined);
  return {
    virtualSize: f.virtualSize,
    createType: d?.createType ?? f.defaultCreateType,
    adapterType: d?.ddb.get('ddb.adapterType'),
    hwVersion: d?.ddb.get('ddb.virtualHWVersion'),
    cid: d?.cid,
    parentCid: d?.parentCid,
    backingFile: d?.parentFileNameHint,
    extents: extentList(f),
    compressed: f.extents.some((e) => e.compressed),
    grainSize: sparse?.grainSize,
    grainTableEntries: sparse?.gtEntries,
    grainDirectoryEntries: sparse?.gdEntries,
    sparseFormat: sparse?.sparseFormat,
    warnings: f.warnings.length > 0 ? [...f.warnings] : undefined,
    readOnly: true,
  };
}

/** The extent lines as written, or (a file without descriptor lines) as they would be. */
function extentList(f: VmdkFacts): string[] {
  const lines = f.descriptor?.extents ?? [];
  if (lines.length === f.extents.length) return lines.map((l) => l.text);
  return f.extents.map((e) => {
    const name = e.fileName === undefined ? '' : ` "${e.fileName}"`;
    return `${e.access} ${e.size / SECTOR} ${e.type}${name}`;
  });
}

export function formatCid(cid: number | undefined): string {
  return cid === undefined ? 'none' : cid.toString(16).padStart(8, '0');
}

/** The warning QEMU's CID check stands for (QEMU refuses the read; we read and say so). */
export function cidWarning(parentCid: number | undefined, parentsCid: unknown): string | undefined {
  if (parentCid === undefined || parentCid === parentsCid) return undefined;
  const theirs = typeof parentsCid === 'number' ? formatCid(parentsCid) : 'unknown';
  return (
    `parentCID ${formatCid(parentCid)} does not match the parent's CID ${theirs}: ` +
    'the parent was modified after this delta was made, so the disk may be inconsistent'
  );
}
