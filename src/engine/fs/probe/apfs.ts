// APFS container superblock (NX superblock) in block 0. libblkid 2.38 checks the object
// type and block size (not the Fletcher-64 checksum) and reports the container UUID.
// Reference: Apple File System Reference, "nx_superblock_t" and "obj_phys_t"; util-linux
// libblkid superblocks/apfs.c.

import { Bytes } from '../../io/bytes.js';
import { Found, findMagic, guarded, magic } from './prober.js';
import { dceUuid } from './text.js';
import type { FsProber } from './types.js';

const NX_MAGIC = magic('NXSB', 32);
const OBJECT_TYPE_NX_SUPERBLOCK = 1;
const STANDARD_BLOCK_SIZE = 4096;
/** obj_phys_t (32 bytes), magic, block size, counts, features, uuid: 88 bytes. */
const SB_LEN = 88;

export const apfsProber = {
  type: 'apfs',
  probe: (src) =>
    guarded(src, (r) => {
      if (!findMagic(r, [NX_MAGIC])) return undefined;
      const buf = r.bytes(0, SB_LEN);
      if (!buf) return undefined;
      const sb = new Bytes(buf, 'APFS container superblock', 0);
      if (sb.u16le(24) !== OBJECT_TYPE_NX_SUPERBLOCK || sb.u16le(28) !== 0 || sb.u16le(30) !== 0) {
        return undefined;
      }
      if (sb.u32le(36) !== STANDARD_BLOCK_SIZE) return undefined;
      return new Found()
        .set('UUID', dceUuid(sb.raw(72, 16)))
        .set('BLOCK_SIZE', String(STANDARD_BLOCK_SIZE))
        .result('apfs', 'filesystem');
    }),
} satisfies FsProber;
