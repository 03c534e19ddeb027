// A "thick" LVM snapshot: dm-snapshot's persistent exception store on the COW sub-LV.
// Chunk 0 is the header ("SnAp", valid, version 1, chunk size); then metadata areas of
// chunk_size × 512 / 16 exceptions {old_chunk, new_chunk}, each area followed by the data
// chunks it describes; the list ends at the first exception with new_chunk 0. The snapshot
// shows the origin as it was: an origin chunk with an exception reads from the COW store,
// any other from the origin. An invalidated snapshot (it overflowed) reads as an error, as
// dm makes it.
// Reference: Linux drivers/md/dm-snap-persistent.c (struct disk_header, struct
// disk_exception, SNAP_MAGIC 0x70416e53, area_location, read_exceptions),
// Documentation/admin-guide/device-mapper/snapshot.rst.

import { EngineError, corrupt } from '../../errors.js';
import { type BlockSource, checkRange } from '../../io/block-source.js';
import { Bytes, checkedAlloc } from '../../io/bytes.js';

export const COW_STRUCTURE = 'snapshot COW header';
export const EXCEPTION_STRUCTURE = 'snapshot exception area';
const SNAP_MAGIC = 0x70416e53;
const DISK_VERSION = 1;
const EXCEPTION_SIZE = 16;
/** Exceptions held in memory: 16 Mi entries (64 GiB of changed data at 4 KiB chunks). */
const MAX_EXCEPTIONS = 16 << 20;

export class SnapshotView implements BlockSource {
  readonly size: number;
  private exceptions: Map<number, number> | undefined;
  private readonly chunkBytes: number;

  constructor(
    private readonly origin: BlockSource,
    private readonly cow: BlockSource,
    /** chunk_size from the LVM metadata, sectors. */
    chunkSectors: number,
    readonly name: string,
  ) {
    this.size = origin.size;
    this.chunkBytes = chunkSectors * 512;
  }

  readAt(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const ex = (this.exceptions ??= this.readExceptions());
    const cb = this.chunkBytes;
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const pos = offset + done;
      const chunk = Math.floor(pos / cb);
      const n = Math.min(length - done, cb - (pos % cb));
      const to = ex.get(chunk);
      out.set(
        to === undefined ? this.origin.readAt(pos, n) : this.cow.readAt(to * cb + (pos % cb), n),
        done,
      );
      done += n;
    }
    return out;
  }

  private readExceptions(): Map<number, number> {
    const cb = this.chunkBytes;
    if (cb < 512 || this.cow.size < cb)
      throw corrupt(COW_STRUCTURE, 0, 'COW store smaller than one chunk', cb, this.cow.size);
    const h = new Bytes(this.cow.readAt(0, 16), COW_STRUCTURE, 0);
    const map = new Map<number, number>();
    // A header never written (magic 0) is a new snapshot with no exceptions yet.
    if (h.u32le(0) === 0) return map;
    if (h.u32le(0) !== SNAP_MAGIC)
      throw corrupt(COW_STRUCTURE, 0, 'bad magic', SNAP_MAGIC, h.u32le(0));
    if (h.u32le(4) === 0)
      throw new EngineError(
        'io',
        `${this.name}: snapshot is invalid (it overflowed or was dropped)`,
      );
    if (h.u32le(8) !== DISK_VERSION)
      throw corrupt(COW_STRUCTURE, 8, 'version', DISK_VERSION, h.u32le(8));
    if (h.u32le(12) * 512 !== cb)
      throw corrupt(
        COW_STRUCTURE,
        12,
        'chunk_size differs from the LVM metadata',
        cb / 512,
        h.u32le(12),
      );
    const perArea = cb / EXCEPTION_SIZE;
    const totalChunks = Math.floor(this.cow.size / cb);
    const originChunks = Math.ceil(this.origin.size / cb);
    for (let area = 0; ; area++) {
      const chunk = 1 + area * (perArea + 1);
      if (chunk >= totalChunks) return map;
      const b = new Bytes(this.cow.readAt(chunk * cb, cb), EXCEPTION_STRUCTURE, chunk * cb);
      for (let i = 0; i < perArea; i++) {
        const oldChunk = b.u64le(i * EXCEPTION_SIZE, 'old_chunk');
        const newChunk = b.u64le(i * EXCEPTION_SIZE + 8, 'new_chunk');
        if (newChunk === 0) return map;
        if (newChunk >= totalChunks || oldChunk >= originChunks) {
          throw corrupt(
            EXCEPTION_STRUCTURE,
            b.base + i * EXCEPTION_SIZE,
            'exception outside the origin or COW store',
            `< ${totalChunks}`,
            newChunk,
          );
        }
        map.set(oldChunk, newChunk);
        checkedAlloc(EXCEPTION_STRUCTURE, b.base, map.size, MAX_EXCEPTIONS, 'MAX_EXCEPTIONS');
      }
    }
  }
}
