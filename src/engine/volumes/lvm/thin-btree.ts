// The persistent-data btree of a dm-thin pool's metadata device: 4 KiB nodes, each a 32-byte
// header (csum, flags internal/leaf, blocknr, nr_entries, max_entries, value_size), then
// max_entries 64-bit keys, then max_entries values. Internal node values are child block
// numbers; a lookup follows the last key not above the one sought. Nodes are checked
// (checksum, own block number, sorted keys, sizes) before use, depth is bounded, and the
// last few hundred nodes are cached.
// Reference: Linux drivers/md/persistent-data/dm-btree-internal.h (struct node_header,
// btree_node), dm-btree.c (lower_bound, btree_lookup_raw), dm-btree-spine.c
// (node_check, BTREE_CSUM_XOR 121107), dm-block-manager.c (dm_bm_checksum).

import { corrupt } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';
import { crc32cUpdate } from '../../util/crc32.js';

export const BTREE_STRUCTURE = 'thin-pool btree node';
export const METADATA_BLOCK_BYTES = 4096;
const HEADER = 32;
const INTERNAL_NODE = 1;
const LEAF_NODE = 2;
const BTREE_CSUM_XOR = 121107;
/** A btree over 2^64 keys with ≥ 3 entries per node is far shallower than this. */
const MAX_DEPTH = 64;
/** Nodes kept in memory: 1 MiB. */
const NODE_CACHE = 256;

/** dm_bm_checksum: CRC-32C register from ~0, no final inversion, xored with a constant. */
export function dmChecksum(data: Uint8Array, xor: number): number {
  return (crc32cUpdate(0xffffffff, data) ^ xor) >>> 0;
}

export interface BtreeNode {
  internal: boolean;
  keys: bigint[];
  valueSize: number;
  values: Bytes;
}

export class BtreeReader {
  private readonly cache = new Map<number, BtreeNode>();

  constructor(
    private readonly meta: BlockSource,
    /** Blocks the superblock says the metadata device has. */
    private readonly nrBlocks: number,
  ) {}

  node(block: number): BtreeNode {
    const hit = this.cache.get(block);
    if (hit) {
      this.cache.delete(block);
      this.cache.set(block, hit);
      return hit;
    }
    const n = this.load(block);
    this.cache.set(block, n);
    if (this.cache.size > NODE_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return n;
  }

  private load(block: number): BtreeNode {
    const at = block * METADATA_BLOCK_BYTES;
    if (block >= this.nrBlocks || at + METADATA_BLOCK_BYTES > this.meta.size) {
      throw corrupt(
        BTREE_STRUCTURE,
        at,
        'node block outside the metadata device',
        this.nrBlocks,
        block,
      );
    }
    const b = new Bytes(this.meta.readAt(at, METADATA_BLOCK_BYTES), BTREE_STRUCTURE, at);
    const csum = dmChecksum(b.raw(4, METADATA_BLOCK_BYTES - 4), BTREE_CSUM_XOR);
    if (b.u32le(0) !== csum)
      throw corrupt(BTREE_STRUCTURE, at, 'checksum mismatch', csum, b.u32le(0));
    const flags = b.u32le(4);
    if (flags !== INTERNAL_NODE && flags !== LEAF_NODE)
      throw corrupt(BTREE_STRUCTURE, at + 4, 'flags', '1 or 2', flags);
    if (b.u64leBig(8) !== BigInt(block))
      throw corrupt(BTREE_STRUCTURE, at + 8, 'blocknr', block, b.u64leBig(8));
    const nr = b.u32le(16);
    const max = b.u32le(20);
    const valueSize = b.u32le(24);
    if (valueSize === 0 || HEADER + max * (8 + valueSize) > METADATA_BLOCK_BYTES || nr > max) {
      throw corrupt(
        BTREE_STRUCTURE,
        at + 16,
        'entry counts do not fit the node',
        `nr <= max, fits ${METADATA_BLOCK_BYTES}`,
        `nr ${nr} max ${max} value_size ${valueSize}`,
      );
    }
    const keys: bigint[] = [];
    for (let i = 0; i < nr; i++) {
      const k = b.u64leBig(HEADER + 8 * i);
      if (i > 0 && k <= keys[i - 1]!)
        throw corrupt(BTREE_STRUCTURE, at + HEADER + 8 * i, 'keys out of order');
      keys.push(k);
    }
    const values = b.sub(HEADER + 8 * max, nr * valueSize);
    return { internal: flags === INTERNAL_NODE, keys, valueSize, values };
  }

  /** The value stored under `key` in the tree at `root`, or undefined. */
  lookup(root: number, key: bigint): Bytes | undefined {
    let block = root;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const n = this.node(block);
      const i = lowerBound(n.keys, key);
      if (n.internal) {
        if (i < 0) return undefined;
        if (n.valueSize !== 8)
          throw corrupt(
            BTREE_STRUCTURE,
            block * METADATA_BLOCK_BYTES + 24,
            'internal value_size',
            8,
            n.valueSize,
          );
        block = n.values.u64le(8 * i, 'child block');
        continue;
      }
      if (i < 0 || n.keys[i] !== key) return undefined;
      return n.values.sub(i * n.valueSize, n.valueSize);
    }
    throw corrupt(
      BTREE_STRUCTURE,
      root * METADATA_BLOCK_BYTES,
      `btree deeper than ${MAX_DEPTH} levels (a cycle?)`,
    );
  }
}

/** Index of the last key <= k, or -1. */
function lowerBound(keys: bigint[], k: bigint): number {
  let lo = -1;
  let hi = keys.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! > k) hi = mid;
    else lo = mid;
  }
  return lo;
}
