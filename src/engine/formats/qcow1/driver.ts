// The QCOW version 1 driver and virtual disk: a two-level table (L1 → L2 → cluster), with
// deflate-compressed clusters and an optional backing file; no snapshots, no extensions.
// Reference: QEMU block/qcow.c (get_cluster_offset, decompress_cluster, qcow_open).

import { EngineError, corrupt, isEngineError } from '../../errors.js';
import { type BlockSource, checkRange, readHead } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { inflateDeflate } from '../qcow2/compressed.js';
import { L2Cache } from '../qcow2/l2-cache.js';
import { RunAssembler } from '../run-assembler.js';
import type { DiskImage, FormatDriver, FormatInfo, OpenContext } from '../types.js';
import {
  QCOW1_HEADER_LENGTH,
  QCOW1_STRUCTURE,
  QCOW_MAGIC,
  decodeQcowHeader,
  validateQcowHeader,
  type QcowHeader,
} from './header.js';

const L1_STRUCTURE = 'qcow L1 table';
const L2_STRUCTURE = 'qcow L2 table';
const COMPRESSED_STRUCTURE = 'qcow compressed cluster';
const TWO_32 = 2 ** 32;

export class QcowImage implements DiskImage {
  readonly format = 'qcow';
  readonly size: number;
  readonly name: string;
  readonly info: FormatInfo;
  private readonly l2cache: L2Cache;
  private readonly clusterSize: number;
  private lastCompressed: { offset: number; data: Uint8Array } | undefined;

  constructor(
    private readonly file: BlockSource,
    private readonly header: QcowHeader,
    private readonly l1: Bytes,
    readonly backingFile: string | undefined,
    readonly backing: DiskImage | undefined,
  ) {
    this.size = header.virtualSize;
    this.name = file.name ?? 'qcow';
    this.clusterSize = header.clusterSize;
    this.l2cache = new L2Cache(file, 2 ** header.l2Bits * 8, {
      l1: L1_STRUCTURE,
      l2: L2_STRUCTURE,
    });
    this.info = {
      version: 1,
      virtualSize: this.size,
      clusterSize: this.clusterSize,
      backingFile,
      encrypted: false,
    };
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const out = new RunAssembler(length, this.file, this.backing);
    for (let pos = offset; pos < offset + length;) {
      const cluster = Math.floor(pos / this.clusterSize);
      const from = pos - cluster * this.clusterSize;
      const len = Math.min(this.clusterSize - from, offset + length - pos);
      this.readCluster(out, cluster, from, len, pos - offset);
      pos += len;
    }
    return out.finish();
  }

  private readCluster(
    out: RunAssembler,
    cluster: number,
    from: number,
    len: number,
    at: number,
  ): void {
    const l1Index = Math.floor(cluster / 2 ** this.header.l2Bits);
    const l2Offset =
      l1Index < this.header.l1Size ? this.l1.u64be(l1Index * 8, 'L2 table offset') : 0;
    if (l2Offset === 0) return this.backingRun(out, at, cluster * this.clusterSize + from, len);
    const table = this.l2cache.get(l2Offset, this.l1.base + l1Index * 8);
    const entry = (cluster % 2 ** this.header.l2Bits) * 8;
    const hi = table.u32be(entry);
    const lo = table.u32be(entry + 4);
    if (hi & 0x80000000) {
      const data = this.decompress(hi, lo, table.base + entry);
      return out.bytes(at, data.subarray(from, from + len));
    }
    const host = (hi & 0x7fffffff) * TWO_32 + lo;
    if (host === 0) return this.backingRun(out, at, cluster * this.clusterSize + from, len);
    if (host >= this.file.size) {
      throw corrupt(
        L2_STRUCTURE,
        table.base + entry,
        'cluster offset past the end of the file',
        `< ${this.file.size}`,
        host,
      );
    }
    out.data(at, host + from, len);
  }

  private backingRun(out: RunAssembler, at: number, guest: number, len: number): void {
    if (this.backingFile !== undefined && !this.backing) {
      throw new EngineError(
        'ENOENT',
        `${this.name}: backing file ${this.backingFile} was not opened`,
        { path: this.backingFile },
      );
    }
    out.backing(at, guest, len);
  }

  /** Compressed entry: bits 0..62-cluster_bits the offset, the next cluster_bits the byte count. */
  private decompress(hi: number, lo: number, entryPos: number): Uint8Array {
    const v = (BigInt(hi & 0x7fffffff) << 32n) | BigInt(lo >>> 0);
    const shift = BigInt(63 - this.header.clusterBits);
    const offset = Number(v & ((1n << shift) - 1n));
    const size = Number((v >> shift) & BigInt(this.clusterSize - 1));
    if (this.lastCompressed?.offset === offset) return this.lastCompressed.data;
    if (offset + size > this.file.size) {
      throw corrupt(
        L2_STRUCTURE,
        entryPos,
        'compressed cluster past the end of the file',
        `<= ${this.file.size}`,
        offset + size,
      );
    }
    let data: Uint8Array;
    try {
      data = inflateDeflate(this.file.readAt(offset, size), this.clusterSize);
    } catch (e) {
      if (isEngineError(e)) throw e;
      throw corrupt(COMPRESSED_STRUCTURE, offset, `cannot decompress: ${(e as Error).message}`);
    }
    if (data.length !== this.clusterSize) {
      throw corrupt(
        COMPRESSED_STRUCTURE,
        offset,
        'decompressed size is not one cluster',
        this.clusterSize,
        data.length,
      );
    }
    this.lastCompressed = { offset, data };
    return data;
  }
}

export const qcowDriver = {
  name: 'qcow',

  probe(head: Uint8Array): boolean {
    if (head.length < 8) return false;
    const b = new Bytes(head, QCOW1_STRUCTURE);
    return b.u32be(0) === QCOW_MAGIC && b.u32be(4) === 1;
  },

  open(file: BlockSource, ctx: OpenContext): DiskImage {
    const head = new Bytes(readHead(file, 0, QCOW1_HEADER_LENGTH), QCOW1_STRUCTURE);
    const header = validateQcowHeader(decodeQcowHeader(head), file.size);
    const f = header.fields;
    const l1 = new Bytes(
      header.l1Size > 0 ? file.readAt(f.l1_table_offset, header.l1Size * 8) : new Uint8Array(0),
      L1_STRUCTURE,
      f.l1_table_offset,
    );
    let backingFile: string | undefined;
    let backing: DiskImage | undefined;
    if (f.backing_file_offset !== 0) {
      backingFile = new TextDecoder().decode(
        file.readAt(f.backing_file_offset, f.backing_file_size),
      );
    }
    if (backingFile !== undefined && !ctx.skipBacking) {
      const resolved = ctx.resolver.resolve(backingFile, ctx.key);
      if (!resolved)
        throw new EngineError(
          'ENOENT',
          `${file.name ?? ctx.key} needs backing file ${backingFile}`,
          { path: backingFile },
        );
      backing = ctx.openImage(resolved.source, resolved.key, [...ctx.chain, ctx.key]);
    }
    return new QcowImage(file, header, l1, backingFile, backing);
  },
} satisfies FormatDriver;
