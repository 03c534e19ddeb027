// The dm-raid superblock at the start of each LVM raid rmeta sub-LV. We need one field of
// it: data_offset, where the data begins on the paired rimage (non-zero after an
// out-of-place reshape moved it). A superblock still in the middle of a reshape describes
// two layouts at once and is refused.
// Reference: Linux drivers/md/dm-raid.c (struct dm_raid_superblock, DM_RAID_MAGIC,
// FEATURE_FLAG_SUPPORTS_V190, SB_FLAG_RESHAPE_ACTIVE, super_load).

import { corrupt, unsupported } from '../../errors.js';
import type { BlockSource } from '../../io/block-source.js';
import { Bytes } from '../../io/bytes.js';

export const DM_RAID_STRUCTURE = 'dm-raid superblock';
const DM_RAID_MAGIC = 0x64526d44; // "DmRd"
const FEATURE_FLAG_SUPPORTS_V190 = 0x1;
const SB_FLAG_RESHAPE_ACTIVE = 0x1;
const SB_BYTES = 512;

/**
 * data_offset in sectors from an rmeta sub-LV. An rmeta that was never written (all zero:
 * the array has not been activated since lvcreate -an) has no offset yet: 0.
 */
export function readDmRaidDataOffset(rmeta: BlockSource, name: string): number {
  if (rmeta.size < SB_BYTES)
    throw corrupt(DM_RAID_STRUCTURE, 0, `${name} is smaller than a superblock`);
  const b = new Bytes(rmeta.readAt(0, SB_BYTES), DM_RAID_STRUCTURE, 0);
  const magic = b.u32le(0);
  if (magic === 0) return 0;
  if (magic !== DM_RAID_MAGIC)
    throw corrupt(DM_RAID_STRUCTURE, 0, `${name}: bad magic`, DM_RAID_MAGIC, magic);
  if (!(b.u32le(4) & FEATURE_FLAG_SUPPORTS_V190)) return 0;
  if (b.u32le(60) & SB_FLAG_RESHAPE_ACTIVE) throw unsupported('dm-raid reshape in progress', name);
  return b.u64le(96, 'data_offset');
}
