// A dm-thin pool as LVM2 builds it: a metadata sub-LV (_tmeta) holding the thin superblock
// and btrees, a data sub-LV (_tdata) cut into blocks of chunk_size sectors. A thin volume
// is a device id; its virtual block v maps, through the two-level data mapping tree
// (device id → the device's tree; virtual block → (data block << 24 | time)), to a data
// block of the pool, or to nothing (reads as zeros, or from the external origin). Space
// maps are not needed for reading.
// Reference: Linux drivers/md/dm-thin-metadata.c (struct thin_disk_superblock,
// THIN_SUPERBLOCK_MAGIC 27022010, SUPERBLOCK_CSUM_XOR 160774, __check_superblock,
// dm_thin_find_block), Documentation/admin-guide/device-mapper/thin-provisioning.rst.

import { corrupt, errno, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { BtreeReader, METADATA_BLOCK_BYTES, dmChecksum } from './thin-btree.js';

export const THIN_SB_STRUCTURE = 'thin-pool superblock';
const THIN_SUPERBLOCK_MAGIC = 27022010n;
const SUPERBLOCK_CSUM_XOR = 160774;
const METADATA_BLOCK_SECTORS = 8;

export interface ThinSuperblock {
  version: number;
  transactionId: bigint;
  dataMappingRoot: number;
  deviceDetailsRoot: number;
  /** Data block size in 512-byte sectors. */
  dataBlockSize: number;
  metadataBlocks: number;
}

export function readThinSuperblock(meta: BlockSource): ThinSuperblock {
  if (meta.size < METADATA_BLOCK_BYTES)
    throw corrupt(THIN_SB_STRUCTURE, 0, 'metadata device smaller than one block');
  const b = new Bytes(meta.readAt(0, METADATA_BLOCK_BYTES), THIN_SB_STRUCTURE, 0);
  if (b.u64leBig(32) !== THIN_SUPERBLOCK_MAGIC) {
    throw corrupt(THIN_SB_STRUCTURE, 32, 'bad magic', THIN_SUPERBLOCK_MAGIC, b.u64leBig(32));
  }
  const csum = dmChecksum(b.raw(4, METADATA_BLOCK_BYTES - 4), SUPERBLOCK_CSUM_XOR);
  if (b.u32le(0) !== csum)
    throw corrupt(THIN_SB_STRUCTURE, 0, 'checksum mismatch', csum, b.u32le(0));
  if (b.u64leBig(8) !== 0n) throw corrupt(THIN_SB_STRUCTURE, 8, 'blocknr', 0, b.u64leBig(8));
  const version = b.u32le(40);
  if (version < 1 || version > 2) throw unsupported(`thin-pool metadata version ${version}`);
  const incompat = b.u32le(360);
  if (incompat !== 0) throw unsupported(`thin-pool incompat_flags 0x${incompat.toString(16)}`);
  const blockSectors = b.u32le(340);
  if (blockSectors !== METADATA_BLOCK_SECTORS) {
    throw corrupt(
      THIN_SB_STRUCTURE,
      340,
      'metadata_block_size',
      METADATA_BLOCK_SECTORS,
      blockSectors,
    );
  }
  return {
    version,
    transactionId: b.u64leBig(48),
    dataMappingRoot: b.u64le(320, 'data_mapping_root'),
    deviceDetailsRoot: b.u64le(328, 'device_details_root'),
    dataBlockSize: b.u32le(336),
    metadataBlocks: b.u64le(344, 'metadata_nr_blocks'),
  };
}

export class ThinPool {
  private sb: ThinSuperblock | undefined;
  private tree: BtreeReader | undefined;

  constructor(
    private readonly meta: BlockSource,
    private readonly data: BlockSource,
    /** chunk_size from the LVM metadata, sectors. */
    private readonly chunkSectors: number,
    readonly name: string,
  ) {}

  private open(): { sb: ThinSuperblock; tree: BtreeReader } {
    if (!this.sb || !this.tree) {
      const sb = readThinSuperblock(this.meta);
      // dm-thin refuses a table whose block size differs from the superblock's.
      if (sb.dataBlockSize !== this.chunkSectors || sb.dataBlockSize === 0) {
        throw corrupt(
          THIN_SB_STRUCTURE,
          336,
          `data_block_size differs from ${this.name}'s chunk_size`,
          this.chunkSectors,
          sb.dataBlockSize,
        );
      }
      this.tree = new BtreeReader(this.meta, sb.metadataBlocks);
      this.sb = sb;
    }
    return { sb: this.sb, tree: this.tree };
  }

  get blockBytes(): number {
    return this.chunkSectors * 512;
  }

  /** The root of thin device `id`'s mapping tree. */
  deviceRoot(id: number): number {
    const { sb, tree } = this.open();
    const v = tree.lookup(sb.dataMappingRoot, BigInt(id));
    if (!v)
      throw errno('ENOENT', `${this.name} device ${id}`, 'thin device id not in the pool metadata');
    return v.u64le(0, 'device tree root');
  }

  /** Data block for virtual block `vblock` of the device tree at `root`, or undefined. */
  map(root: number, vblock: number): number | undefined {
    const v = this.open().tree.lookup(root, BigInt(vblock));
    if (!v) return undefined;
    const block = Number(v.u64leBig(0) >> 24n);
    if ((block + 1) * this.blockBytes > this.data.size) {
      throw corrupt(
        'thin-pool mapping',
        v.base,
        `data block ${block} past the end of the pool data`,
        this.data.size,
        (block + 1) * this.blockBytes,
      );
    }
    return block;
  }

  volume(id: number, externalOrigin?: BlockSource): ThinVolume {
    return new ThinVolume(this, this.data, id, externalOrigin);
  }
}

export class ThinVolume {
  private root: number | undefined;

  constructor(
    private readonly pool: ThinPool,
    private readonly data: BlockSource,
    private readonly id: number,
    private readonly externalOrigin?: BlockSource,
  ) {}

  read(offset: number, length: number): Uint8Array {
    this.root ??= this.pool.deviceRoot(this.id);
    const bb = this.pool.blockBytes;
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const pos = offset + done;
      const vblock = Math.floor(pos / bb);
      const inBlock = pos % bb;
      const n = Math.min(length - done, bb - inBlock);
      const block = this.pool.map(this.root, vblock);
      if (block !== undefined) out.set(this.data.readAt(block * bb + inBlock, n), done);
      else if (this.externalOrigin && pos < this.externalOrigin.size) {
        const m = Math.min(n, this.externalOrigin.size - pos);
        out.set(this.externalOrigin.readAt(pos, m), done);
      }
      done += n;
    }
    return out;
  }
}
