// The VMDK format driver. A .vmdk is either a sparse extent file that is the whole disk
// (monolithicSparse, streamOptimized; with its descriptor embedded) or a text descriptor
// naming extent files (monolithicFlat, twoGbMaxExtent*, vmfs*, seSparse snapshots), which
// are found through the OpenContext's resolver: beside the descriptor in Node, among the
// files the user supplied in the browser. A delta disk names its parent in
// parentFileNameHint; the parent opens through ctx.openImage like a qcow2 backing file.
// Reference: VMware "Virtual Disk Format 1.1"; QEMU block/vmdk.c vmdk_open (the order:
// magic, else descriptor; then the parent), vmdk_probe.

import { EngineError, corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { checkedAlloc } from '../../io/bytes.js';
import type { DiskImage, FormatDriver, OpenContext } from '../types.js';
import { COWD_MAGIC } from './cowd.js';
import {
  DESCRIPTOR_STRUCTURE,
  MAX_DESCRIPTOR_BYTES,
  looksLikeDescriptor,
  parseDescriptor,
  type Descriptor,
} from './descriptor.js';
import {
  type Extent,
  SparseExtent,
  type SparseFile,
  openExtent,
  readSparseFile,
} from './extent.js';
import { VmdkImage } from './image.js';
import { cidWarning, describeVmdk } from './info.js';
import { SESPARSE_MAGIC } from './sesparse.js';
import { SPARSE_HEADER_STRUCTURE, SPARSE_MAGIC } from './sparse-header.js';

export const vmdkDriver = {
  name: 'vmdk',

  probe(head: Uint8Array, size: number): boolean {
    if (head.length < 8) return false;
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const magic = v.getUint32(0, true);
    if (magic === SPARSE_MAGIC || magic === COWD_MAGIC) return true;
    if (v.getBigUint64(0, true) === SESPARSE_MAGIC) return true;
    return looksLikeDescriptor(head, size);
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const name = file.name ?? ctx.key;
    const sparse = readSparseFile(file);
    if (!sparse) return openDescribed(readDescriptorFile(file), ctx, name);
    const header = sparse.header;
    // A hosted header of capacity 0 that carries a descriptor is only a wrapper around
    // that descriptor (QEMU: vmdk_open_vmdk4), whose extents are other files.
    if (header && header.capacity === 0 && header.descriptorOffset > 0) {
      return openDescribed(readEmbeddedDescriptor(file, sparse), ctx, name);
    }
    return openMonolithic(file, sparse, ctx, name);
  },
} satisfies FormatDriver;

/** A sparse file that is the whole disk; an embedded descriptor adds CIDs, parent, ddb. */
function openMonolithic(
  file: BlockSource,
  sparse: SparseFile,
  ctx: OpenContext,
  name: string,
): DiskImage {
  const descriptor = sparse.header?.descriptorOffset
    ? readEmbeddedDescriptor(file, sparse)
    : undefined;
  const type =
    sparse.format === 'hosted' ? 'SPARSE' : sparse.format === 'COWD' ? 'VMFSSPARSE' : 'SESPARSE';
  const base = { access: 'RW' as const, type, fileName: name, size: sparse.capacity } as const;
  const extents = [new SparseExtent(base, file, sparse)];
  const warnings: string[] = [];
  if (sparse.format !== 'hosted') {
    // COWD and seSparse extents are snapshot deltas whose parent the descriptor names.
    warnings.push(
      `${sparse.format} extent opened without its descriptor: a parent disk is not known`,
    );
  }
  const defaultCreateType =
    sparse.format === 'seSparse' ? 'seSparse' : sparse.format === 'COWD' ? 'vmfsSparse'
    : sparse.header?.compressed ? 'streamOptimized' : 'monolithicSparse'; // prettier-ignore
  return build(name, descriptor, extents, ctx, defaultCreateType, warnings);
}

/** A descriptor (a file, or embedded in a wrapper) whose extent lines name other files. */
function openDescribed(d: Descriptor, ctx: OpenContext, name: string): DiskImage {
  if (d.extents.length === 0) throw corrupt(DESCRIPTOR_STRUCTURE, 0, 'no extent lines');
  const extents: Extent[] = d.extents.map((line) => {
    if (line.type === 'ZERO') return openExtent(line, undefined);
    const resolved = ctx.resolver.resolve(line.fileName!, ctx.key);
    if (!resolved) {
      throw new EngineError('ENOENT', `${name} needs extent ${line.fileName}`, {
        path: line.fileName,
      });
    }
    return openExtent(line, resolved.source);
  });
  return build(name, d, extents, ctx, 'custom', []);
}

function build(
  name: string,
  descriptor: Descriptor | undefined,
  extents: Extent[],
  ctx: OpenContext,
  defaultCreateType: string,
  warnings: string[],
): DiskImage {
  const backingFile = descriptor?.parentFileNameHint;
  const backing =
    backingFile === undefined || ctx.skipBacking ? undefined : openParent(backingFile, ctx, name);
  const warning = backing ? cidWarning(descriptor?.parentCid, backing.info.cid) : undefined;
  if (warning) warnings.push(warning);
  const virtualSize = extents.reduce((n, e) => n + e.size, 0);
  const info = describeVmdk({ descriptor, extents, virtualSize, defaultCreateType, warnings });
  return new VmdkImage({ name, extents, info, backingFile, backing });
}

/** The parent of a delta disk: always a VMDK (QEMU sets the backing format to vmdk). */
function openParent(hint: string, ctx: OpenContext, name: string): DiskImage {
  const resolved = ctx.resolver.resolve(hint, ctx.key);
  if (!resolved) throw new EngineError('ENOENT', `${name} needs parent ${hint}`, { path: hint });
  return ctx.openImage(resolved.source, resolved.key, [...ctx.chain, ctx.key], 'vmdk');
}

function readDescriptorFile(file: BlockSource): Descriptor {
  if (file.size > MAX_DESCRIPTOR_BYTES) {
    throw corrupt(
      DESCRIPTOR_STRUCTURE,
      0,
      'neither a sparse extent nor a descriptor (too large for one)',
      `<= ${MAX_DESCRIPTOR_BYTES}`,
      file.size,
    );
  }
  return parseDescriptor(file.readAt(0, file.size), 0);
}

function readEmbeddedDescriptor(file: BlockSource, sparse: SparseFile): Descriptor {
  const h = sparse.header!;
  const size = checkedAlloc(
    SPARSE_HEADER_STRUCTURE,
    h.at + 36,
    h.descriptorSize,
    MAX_DESCRIPTOR_BYTES,
    'MAX_DESCRIPTOR_BYTES',
  );
  return parseDescriptor(file.readAt(h.descriptorOffset, size), h.descriptorOffset);
}
