// Compressed clusters: decode the compressed cluster descriptor, read the compressed bytes
// and inflate them (raw deflate, or zstd when compression_type = 1) to exactly one cluster.
// Reference: QEMU docs/interop/qcow2.txt, "Compressed Clusters Descriptor" and
// header field 104 compression_type; QEMU block/qcow2-threads.c decompression contract
// (the output must fill the cluster exactly, input may run past the end of the data).

import { inflateSync } from 'fflate';
import { Decompress } from 'fzstd';
import { corrupt, isEngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { zstdFrameInfo } from '../../util/zstd-frame.js';
import { COMPRESSION_ZSTD } from './header.js';

export const DESCRIPTOR_STRUCTURE = 'qcow2 compressed cluster descriptor';
export const DATA_STRUCTURE = 'qcow2 compressed cluster';
const SECTOR = 512;
/** Decompressed clusters kept: sequential small reads hit the same cluster many times. */
const MAX_CACHED_CLUSTERS = 4;
/**
 * A zstd decoder holds one window. QEMU writes single-segment frames (window = cluster);
 * 8 MiB is the window every decoder must support (RFC 8878 §3.1.1.1.2) and bounds it.
 */
const MAX_ZSTD_WINDOW = 8 * 1024 * 1024;

export interface CompressedRange {
  /** Host byte offset of the compressed data (not aligned). */
  offset: number;
  /** Bytes from offset to the end of the last sector the descriptor names. */
  length: number;
}

/**
 * Split a descriptor (the L2 entry's bits 0..61, as high and low 32-bit halves). With
 * x = 62 - (cluster_bits - 8), bits 0..x-1 are the offset and bits x..61 the number of
 * additional sectors, so `length` is at most 2^(cluster_bits-8) sectors = 2 clusters:
 * the field width itself bounds the read.
 */
export function decodeDescriptor(
  hi: number,
  lo: number,
  clusterBits: number,
  entryPos: number,
): CompressedRange {
  const x = BigInt(62 - (clusterBits - 8));
  const v = (BigInt(hi & 0x3fffffff) << 32n) | BigInt(lo >>> 0);
  const offset = v & ((1n << x) - 1n);
  const sectors = Number(v >> x);
  // "If cluster_bits is small enough that this field includes bits beyond 55, those upper
  // bits must be set to 0." Beyond 2^53 we could not address it exactly anyway.
  if (offset >= 1n << 56n || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw corrupt(DESCRIPTOR_STRUCTURE, entryPos, 'host offset out of range', '< 2^53', offset);
  }
  const off = Number(offset);
  return { offset: off, length: (sectors + 1) * SECTOR - (off % SECTOR) };
}

/** Reads and inflates compressed clusters of one image file, with a small cache. */
export class CompressedClusterReader {
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    private readonly file: BlockSource,
    private readonly clusterBits: number,
    private readonly compressionType: number,
  ) {}

  /** The guest cluster a descriptor names, exactly cluster-size bytes. Callers must not modify it. */
  read(hi: number, lo: number, entryPos: number): Uint8Array {
    const { offset, length } = decodeDescriptor(hi, lo, this.clusterBits, entryPos);
    const hit = this.cache.get(offset);
    if (hit) {
      this.cache.delete(offset);
      this.cache.set(offset, hit);
      return hit;
    }
    if (offset >= this.file.size) {
      throw corrupt(
        DESCRIPTOR_STRUCTURE,
        entryPos,
        'compressed data starts past the end of the file',
        `< ${this.file.size}`,
        offset,
      );
    }
    // The last compressed cluster may end mid-sector at the end of the file; QEMU reads the
    // missing tail as zeros, and the decoder stops before it.
    const data = this.file.readAt(offset, Math.min(length, this.file.size - offset));
    const cluster = this.inflate(data, offset);
    this.cache.set(offset, cluster);
    if (this.cache.size > MAX_CACHED_CLUSTERS)
      this.cache.delete(this.cache.keys().next().value as number);
    return cluster;
  }

  private inflate(data: Uint8Array, offset: number): Uint8Array {
    const clusterSize = 2 ** this.clusterBits;
    let out: Uint8Array;
    try {
      out =
        this.compressionType === COMPRESSION_ZSTD
          ? inflateZstd(data, offset, clusterSize)
          : inflateDeflate(data, clusterSize);
    } catch (e) {
      if (isEngineError(e)) throw e;
      throw corrupt(DATA_STRUCTURE, offset, `cannot decompress: ${(e as Error).message}`);
    }
    if (out.length !== clusterSize) {
      throw corrupt(
        DATA_STRUCTURE,
        offset,
        'decompressed size is not one cluster',
        clusterSize,
        out.length,
      );
    }
    return out;
  }
}

/** Raw deflate (no zlib header), as QEMU writes with windowBits -12. */
export function inflateDeflate(data: Uint8Array, clusterSize: number): Uint8Array {
  // fflate stops at the final block, so trailing sector padding is ignored; a result
  // shorter than the buffer comes back shorter, a longer one is cut at the buffer's end.
  return inflateSync(data, { out: new Uint8Array(clusterSize) });
}

/** One zstd frame, trimmed first (fzstd would read sector padding as another frame). */
function inflateZstd(data: Uint8Array, offset: number, clusterSize: number): Uint8Array {
  const frame = zstdFrameInfo(data, DATA_STRUCTURE, offset);
  if (frame.windowSize > MAX_ZSTD_WINDOW) {
    throw corrupt(
      DATA_STRUCTURE,
      offset,
      'zstd window exceeds MAX_ZSTD_WINDOW',
      `<= ${MAX_ZSTD_WINDOW}`,
      frame.windowSize,
    );
  }
  if (frame.contentSize !== undefined && frame.contentSize !== clusterSize) {
    throw corrupt(
      DATA_STRUCTURE,
      offset,
      'zstd frame content size is not one cluster',
      clusterSize,
      frame.contentSize,
    );
  }
  // Stream, so that a frame that would expand past one cluster stops at the first block
  // beyond it instead of being decoded (or allocated) whole.
  const out = new Uint8Array(clusterSize);
  let filled = 0;
  const decoder = new Decompress((chunk) => {
    if (filled + chunk.length > clusterSize) {
      throw corrupt(
        DATA_STRUCTURE,
        offset,
        'zstd data expands past one cluster',
        clusterSize,
        filled + chunk.length,
      );
    }
    out.set(chunk, filled);
    filled += chunk.length;
  });
  decoder.push(data.subarray(0, frame.length), true);
  return out.subarray(0, filled);
}
