//! Block group descriptors: where each group's bitmaps and inode table live.
//! Reference: kernel Documentation/filesystems/ext4/group_descr.rst and, for meta_bg
//! placement, globals.rst "Meta Block Groups".

use crate::crc::{crc16, crc32c_raw};
use crate::superblock::{incompat, ro_compat, Superblock};
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{le16, le32};

/// bg_checksum's offset inside the descriptor.
const CHECKSUM_AT: usize = 0x1E;

#[derive(Debug, Clone)]
pub struct GroupDesc {
    pub block_bitmap: u64,
    pub inode_bitmap: u64,
    pub inode_table: u64,
    pub free_blocks: u32,
    pub free_inodes: u32,
    pub flags: u16,
}

/// Whether `group` holds a superblock backup (and so a GDT copy): with sparse_super only
/// groups 0, 1 and powers of 3, 5 and 7; with sparse_super2 group 0 and the (at most two)
/// groups s_backup_bgs names.
pub fn has_super(sb: &Superblock, group: u32) -> bool {
    const SPARSE_SUPER: u32 = 0x1;
    const SPARSE_SUPER2: u32 = 0x200;
    const BACKUP_BGS: usize = 0x24C;
    if group == 0 {
        return true;
    }
    if sb.feature_compat & SPARSE_SUPER2 != 0 {
        return group == le32(&sb.raw, BACKUP_BGS) || group == le32(&sb.raw, BACKUP_BGS + 4);
    }
    if group <= 1 || sb.feature_ro_compat & SPARSE_SUPER == 0 {
        return true;
    }
    if group & 1 == 0 {
        return false;
    }
    for base in [3u32, 5, 7] {
        let mut p = base;
        while p < group {
            match p.checked_mul(base) {
                Some(n) => p = n,
                None => break,
            }
        }
        if p == group {
            return true;
        }
    }
    false
}

/// Byte offset on the device of group `group`'s descriptor.
pub fn locate(sb: &Superblock, group: u32) -> u64 {
    let bs = sb.block_size as u64;
    let per_block = (sb.block_size / sb.desc_size) as u64;
    let index = group as u64 / per_block;
    let within = (group as u64 % per_block) * sb.desc_size as u64;
    let first = sb.first_data_block as u64;
    let block = if sb.feature_incompat & incompat::META_BG != 0 && index >= sb.first_meta_bg as u64
    {
        // meta_bg: the descriptor block of each meta group sits in the first group of it.
        let first_group = index * per_block;
        let group_start = first + first_group * sb.blocks_per_group as u64;
        group_start + has_super(sb, first_group as u32) as u64
    } else {
        first + 1 + index
    };
    block * bs + within
}

/// Decodes and verifies the descriptor bytes `raw` (desc_size long) of `group`, read from
/// byte `offset`.
pub fn parse(sb: &Superblock, group: u32, raw: &[u8], offset: u64) -> Result<GroupDesc> {
    verify_checksum(sb, group, raw, offset)?;
    let is64 = sb.desc_size >= 64;
    let hi32 = |off: usize| {
        if is64 {
            (le32(raw, off) as u64) << 32
        } else {
            0
        }
    };
    let hi16 = |off: usize| {
        if is64 {
            (le16(raw, off) as u32) << 16
        } else {
            0
        }
    };
    let gd = GroupDesc {
        block_bitmap: le32(raw, 0x0) as u64 | hi32(0x20),
        inode_bitmap: le32(raw, 0x4) as u64 | hi32(0x24),
        inode_table: le32(raw, 0x8) as u64 | hi32(0x28),
        free_blocks: le16(raw, 0xC) as u32 | hi16(0x2C),
        free_inodes: le16(raw, 0xE) as u32 | hi16(0x2E),
        flags: le16(raw, 0x12),
    };
    let table_blocks = (sb.inodes_per_group as u64 * sb.inode_size as u64 + sb.block_size as u64
        - 1)
        / sb.block_size as u64;
    if gd.inode_table == 0
        || gd
            .inode_table
            .checked_add(table_blocks)
            .map_or(true, |end| end > sb.blocks_count)
    {
        return Err(corrupt(
            "ext4 group descriptor",
            offset + 0x8,
            "inode table outside the filesystem",
        )
        .index(group as u64)
        .values(sb.blocks_count, gd.inode_table)
        .into());
    }
    Ok(gd)
}

fn verify_checksum(sb: &Superblock, group: u32, raw: &[u8], offset: u64) -> Result<()> {
    let stored = le16(raw, CHECKSUM_AT);
    let computed = if sb.has_metadata_csum() {
        let mut c = crc32c_raw(sb.csum_seed, &group.to_le_bytes());
        c = crc32c_raw(c, &raw[..CHECKSUM_AT]);
        c = crc32c_raw(c, &[0, 0]);
        c = crc32c_raw(c, &raw[CHECKSUM_AT + 2..]);
        (c & 0xFFFF) as u16
    } else if sb.feature_ro_compat & ro_compat::GDT_CSUM != 0 {
        let mut c = crc16(!0, &sb.uuid);
        c = crc16(c, &group.to_le_bytes());
        c = crc16(c, &raw[..CHECKSUM_AT]);
        if raw.len() > CHECKSUM_AT + 2 {
            c = crc16(c, &raw[CHECKSUM_AT + 2..]);
        }
        c
    } else {
        return Ok(());
    };
    if stored != computed {
        return Err(Error::from(
            corrupt(
                "ext4 group descriptor",
                offset + CHECKSUM_AT as u64,
                "checksum mismatch",
            )
            .index(group as u64)
            .part("checksum")
            .values(computed as u64, stored as u64),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::superblock::tests::golden;

    #[test]
    fn sparse_super_groups() {
        let mut b = golden();
        b[0x64] = 1; // sparse_super
        let sb = Superblock::parse(&b, 8 << 20).unwrap();
        let with: Vec<u32> = (0..50).filter(|&g| has_super(&sb, g)).collect();
        assert_eq!(with, vec![0, 1, 3, 5, 7, 9, 25, 27, 49]);
    }

    #[test]
    fn gdt_follows_superblock() {
        let sb = Superblock::parse(&golden(), 8 << 20).unwrap();
        // 1 KiB blocks: superblock in block 1, descriptors from block 2.
        assert_eq!(locate(&sb, 0), 2048);
        assert_eq!(locate(&sb, 1), 2048 + 32);
    }
}
