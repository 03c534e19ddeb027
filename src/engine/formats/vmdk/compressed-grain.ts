// Compressed grains of stream-optimized extents: with markers (flag bit 17) a grain starts
// with a grain marker (u64 lba, u32 size of the compressed data) followed by a zlib stream
// (RFC 1950) that inflates to one grain; without markers the zlib stream starts at the
// grain's offset and its length is not stored.
// Reference: VMware "Virtual Disk Format 1.1", "Stream-Optimized Compressed Sparse Extents"
// (grain marker layout); QEMU block/vmdk.c vmdk_read_extent (a compressed grain is at most
// two grains long, and must inflate to no more than one grain).

import { unzlibSync } from 'fflate';
import { corrupt, isEngineError } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';

export const GRAIN_MARKER_STRUCTURE = 'VMDK grain marker';
export const COMPRESSED_GRAIN_STRUCTURE = 'VMDK compressed grain';
/** lba (u64) + size (u32) before the compressed bytes. */
const MARKER_BYTES = 12;
/** Inflated grains kept: sequential small reads hit the same grain many times. */
const MAX_CACHED_GRAINS = 4;

export class CompressedGrainReader {
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    private readonly file: BlockSource,
    private readonly grainSize: number,
    private readonly markers: boolean,
  ) {}

  /**
   * The grain whose data starts at `host`, inflated. `need` is how much of it the extent
   * uses (less than a grain only for the extent's last grain). Callers must not modify it.
   */
  read(host: number, need: number): Uint8Array {
    const hit = this.cache.get(host);
    if (hit) {
      this.cache.delete(host);
      this.cache.set(host, hit);
      return hit;
    }
    const grain = this.inflate(this.compressedBytes(host), host);
    if (grain.length < need) {
      throw corrupt(
        COMPRESSED_GRAIN_STRUCTURE,
        host,
        'inflates to less than the grain',
        need,
        grain.length,
      );
    }
    this.cache.set(host, grain);
    if (this.cache.size > MAX_CACHED_GRAINS) {
      this.cache.delete(this.cache.keys().next().value as number);
    }
    return grain;
  }

  /** The zlib stream of the grain at `host`; its length is bounded by two grains. */
  private compressedBytes(host: number): Uint8Array {
    const limit = 2 * this.grainSize;
    if (!this.markers) return this.file.readAt(host, Math.min(limit, this.file.size - host));
    if (host + MARKER_BYTES > this.file.size) {
      throw corrupt(
        GRAIN_MARKER_STRUCTURE,
        host,
        'past the end of the file',
        `<= ${this.file.size - MARKER_BYTES}`,
        host,
      );
    }
    const marker = new Bytes(this.file.readAt(host, MARKER_BYTES), GRAIN_MARKER_STRUCTURE, host);
    const size = marker.u32le(8);
    // Size 0 marks a metadata marker (grain table, directory, footer), never a grain.
    if (size === 0 || size > limit) {
      throw corrupt(
        GRAIN_MARKER_STRUCTURE,
        host + 8,
        'compressed size out of range',
        `1..${limit}`,
        size,
      );
    }
    if (host + MARKER_BYTES + size > this.file.size) {
      throw corrupt(
        GRAIN_MARKER_STRUCTURE,
        host + 8,
        'compressed data past the end of the file',
        `<= ${this.file.size}`,
        host + MARKER_BYTES + size,
      );
    }
    return this.file.readAt(host + MARKER_BYTES, size);
  }

  private inflate(data: Uint8Array, host: number): Uint8Array {
    let out: Uint8Array;
    try {
      // One byte of room past the grain tells a stream that expands too far from one
      // that fits exactly (fflate cuts output at the buffer's end without an error).
      out = unzlibSync(data, { out: new Uint8Array(this.grainSize + 1) });
    } catch (e) {
      if (isEngineError(e)) throw e;
      throw corrupt(COMPRESSED_GRAIN_STRUCTURE, host, `cannot inflate: ${(e as Error).message}`);
    }
    if (out.length > this.grainSize) {
      throw corrupt(
        COMPRESSED_GRAIN_STRUCTURE,
        host,
        'inflates to more than one grain',
        this.grainSize,
        `> ${this.grainSize}`,
      );
    }
    return out;
  }
}
