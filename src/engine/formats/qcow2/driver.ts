// The qcow2 format driver: probe the magic, then open = read the first cluster, validate the
// header and its extensions, refuse encryption, list snapshots, resolve the external data
// file and the backing file through the OpenContext, and build the virtual disk.
// Reference: QEMU docs/interop/qcow2.txt; QEMU block/qcow2.c qcow2_do_open (order of checks).

import { EngineError } from '../../errors.js';
import { type BlockSource, readHead } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import type { DiskImage, FormatDriver, OpenContext } from '../types.js';
import {
  HEADER_STRUCTURE,
  QCOW_MAGIC,
  checkHeaderLayout,
  decodeQcow2Header,
  validateQcow2Header,
  type Qcow2Header,
} from './header.js';
import {
  parseHeaderExtensions,
  readBackingFileName,
  type Qcow2Extensions,
} from './header-extensions.js';
import { Qcow2Image } from './image.js';
import { describeQcow2, encryptionName } from './info.js';
import { readSnapshotTable } from './snapshots.js';

/** Enough for every fixed header field (v3 with compression_type ends at 112). */
const FIXED_HEADER_READ = 4096;

export const qcow2Driver = {
  name: 'qcow2',

  probe(head: Uint8Array): boolean {
    if (head.length < 8) return false;
    const b = new Bytes(head, HEADER_STRUCTURE);
    // Any version but 1 (the qcow driver's): a future version must reach open() and be
    // refused as unsupported, not fall through to raw.
    return b.u32be(0) === QCOW_MAGIC && b.u32be(4) !== 1;
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const fields = decodeQcow2Header(
      new Bytes(readHead(file, 0, FIXED_HEADER_READ), HEADER_STRUCTURE),
    );
    checkHeaderLayout(fields);
    // The first cluster holds the header, its extensions and the backing file name.
    const head = readHead(file, 0, 2 ** fields.cluster_bits);
    const ext = parseHeaderExtensions(head, fields);
    const header = validateQcow2Header(fields, file.size, (bit) =>
      ext.featureNames.get(`0:${bit}`),
    );
    refuseEncryption(header);
    const backingFile = readBackingFileName(head, fields);
    const name = file.name ?? ctx.key;
    return new Qcow2Image({
      name,
      file,
      header,
      info: describeQcow2(fields, ext, backingFile),
      snapshots: readSnapshotTable(file, header),
      ...openDataFile(header, ext, ctx, file, name),
      backingFile,
      backing:
        backingFile === undefined || ctx.skipBacking
          ? undefined
          : openBacking(backingFile, ext, ctx, name),
    });
  },
} satisfies FormatDriver;

function refuseEncryption(h: Qcow2Header): void {
  const method = encryptionName(h.cryptMethod);
  if (!method) return;
  const feature = `qcow2 encryption (${method})`;
  throw new EngineError('unsupported', `${feature}: encrypted images cannot be read yet`, {
    feature,
    structure: HEADER_STRUCTURE,
    offset: 32,
  });
}

/** The external data file holds every standard cluster; without it nothing can be read. */
function openDataFile(
  h: Qcow2Header,
  ext: Qcow2Extensions,
  ctx: OpenContext,
  file: BlockSource,
  name: string,
): { data: BlockSource; hasDataFile: boolean } {
  if (!h.externalDataFile) return { data: file, hasDataFile: false };
  const ref = ext.dataFile;
  if (ref === undefined || ref === '') {
    throw new EngineError('ENOENT', `${name} needs an external data file but does not name one`, {
      path: name,
    });
  }
  const resolved = ctx.resolver.resolve(ref, ctx.key);
  if (!resolved) throw new EngineError('ENOENT', `${name} needs data file ${ref}`, { path: ref });
  return { data: resolved.source, hasDataFile: true };
}

/** Open the backing image with the format the extension names (QEMU probes when it is absent). */
function openBacking(ref: string, ext: Qcow2Extensions, ctx: OpenContext, name: string): DiskImage {
  const resolved = ctx.resolver.resolve(ref, ctx.key);
  if (!resolved)
    throw new EngineError('ENOENT', `${name} needs backing file ${ref}`, { path: ref });
  return ctx.openImage(resolved.source, resolved.key, [...ctx.chain, ctx.key], ext.backingFormat);
}
