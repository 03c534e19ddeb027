//! The ext2/3/4 superblock: 1024 bytes at byte 1024 of the device.
//! Reference: kernel Documentation/filesystems/ext4/super.rst (struct ext4_super_block).

use crate::crc::crc32c_raw;
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{le16, le32};

pub const SUPERBLOCK_OFFSET: u64 = 1024;
pub const SUPERBLOCK_SIZE: usize = 1024;
const MAGIC: u16 = 0xEF53;

pub mod compat {
    pub const HAS_JOURNAL: u32 = 0x4;
    pub const EXT_ATTR: u32 = 0x8;
    pub const DIR_INDEX: u32 = 0x20;
}

pub mod incompat {
    pub const COMPRESSION: u32 = 0x1;
    pub const FILETYPE: u32 = 0x2;
    pub const RECOVER: u32 = 0x4;
    pub const JOURNAL_DEV: u32 = 0x8;
    pub const META_BG: u32 = 0x10;
    pub const EXTENTS: u32 = 0x40;
    pub const BIT64: u32 = 0x80;
    pub const MMP: u32 = 0x100;
    pub const FLEX_BG: u32 = 0x200;
    pub const EA_INODE: u32 = 0x400;
    pub const DIRDATA: u32 = 0x1000;
    pub const CSUM_SEED: u32 = 0x2000;
    pub const LARGEDIR: u32 = 0x4000;
    pub const INLINE_DATA: u32 = 0x8000;
    pub const ENCRYPT: u32 = 0x10000;
    pub const CASEFOLD: u32 = 0x20000;
    /// Every bit the kernel knows; anything else is a feature from the future.
    pub const KNOWN: u32 = 0x3_F7DF;
}

pub mod ro_compat {
    pub const HUGE_FILE: u32 = 0x8;
    pub const GDT_CSUM: u32 = 0x10;
    pub const BIGALLOC: u32 = 0x200;
    pub const METADATA_CSUM: u32 = 0x400;
}

/// s_flags bits that pick the signedness of the directory-hash's char conversion.
pub const FLAG_UNSIGNED_HASH: u32 = 0x2;

/// Block sizes above 64 KiB do not exist (kernel EXT4_MAX_BLOCK_LOG_SIZE = 16).
const MAX_LOG_BLOCK_SIZE: u32 = 6;
/// Group descriptors are 32 bytes, or 64..=1024 (a power of two) with the 64bit feature.
const MAX_DESC_SIZE: u32 = 1024;

#[derive(Debug, Clone)]
pub struct Superblock {
    pub raw: Vec<u8>,
    pub inodes_count: u32,
    pub blocks_count: u64,
    pub r_blocks_count: u64,
    pub free_blocks_count: u64,
    pub free_inodes_count: u32,
    pub first_data_block: u32,
    pub block_size: u32,
    pub cluster_size: u32,
    pub blocks_per_group: u32,
    pub inodes_per_group: u32,
    pub state: u16,
    pub rev_level: u32,
    pub creator_os: u32,
    pub first_ino: u32,
    pub inode_size: u32,
    pub feature_compat: u32,
    pub feature_incompat: u32,
    pub feature_ro_compat: u32,
    pub uuid: [u8; 16],
    pub volume_name: [u8; 16],
    pub last_mounted: [u8; 64],
    pub journal_inum: u32,
    pub hash_seed: [u32; 4],
    pub def_hash_version: u8,
    pub desc_size: u32,
    pub first_meta_bg: u32,
    pub flags: u32,
    pub encoding: u16,
    pub groups_count: u32,
    /// crc32c seed for every metadata checksum (from the UUID or s_checksum_seed).
    pub csum_seed: u32,
    pub mtime: i64,
    pub wtime: i64,
    pub mkfs_time: i64,
}

fn bad(detail: &'static str, field: u64) -> Error {
    corrupt("ext4 superblock", SUPERBLOCK_OFFSET + field, detail).into()
}

fn bad_value(detail: &'static str, field: u64, expected: u64, actual: u64) -> Error {
    corrupt("ext4 superblock", SUPERBLOCK_OFFSET + field, detail)
        .values(expected, actual)
        .into()
}

/// A 32-bit time with its high byte in s_*_hi (2038-proof superblocks).
fn time(b: &[u8], lo: usize, hi: usize) -> i64 {
    le32(b, lo) as i64 | ((b[hi] as i64) << 32)
}

impl Superblock {
    /// Decodes and validates `raw` (the 1024 bytes at offset 1024) for a device of
    /// `device_size` bytes.
    pub fn parse(raw: &[u8], device_size: u64) -> Result<Superblock> {
        if raw.len() < SUPERBLOCK_SIZE {
            return Err(bad("device too small for a superblock", 0));
        }
        let b = &raw[..SUPERBLOCK_SIZE];
        let magic = le16(b, 0x38);
        if magic != MAGIC {
            return Err(bad_value("bad magic", 0x38, MAGIC as u64, magic as u64));
        }
        let sb = Self::decode(b)?;
        sb.check_features()?;
        sb.check_checksum()?;
        sb.check_geometry(device_size)?;
        Ok(sb)
    }

    fn decode(b: &[u8]) -> Result<Superblock> {
        let log_block = le32(b, 0x18);
        if log_block > MAX_LOG_BLOCK_SIZE {
            return Err(bad_value(
                "block size above 64 KiB",
                0x18,
                MAX_LOG_BLOCK_SIZE as u64,
                log_block as u64,
            ));
        }
        let block_size = 1024u32 << log_block;
        let feature_incompat = le32(b, 0x60);
        let feature_ro_compat = le32(b, 0x64);
        let is64 = feature_incompat & incompat::BIT64 != 0;
        let hi = |off: usize| if is64 { (le32(b, off) as u64) << 32 } else { 0 };
        let rev_level = le32(b, 0x4C);
        let (first_ino, inode_size) = if rev_level == 0 {
            (11, 128)
        } else {
            (le32(b, 0x54), le16(b, 0x58) as u32)
        };
        let mut uuid = [0u8; 16];
        uuid.copy_from_slice(&b[0x68..0x78]);
        let mut volume_name = [0u8; 16];
        volume_name.copy_from_slice(&b[0x78..0x88]);
        let mut last_mounted = [0u8; 64];
        last_mounted.copy_from_slice(&b[0x88..0xC8]);
        let csum_seed = if feature_incompat & incompat::CSUM_SEED != 0 {
            le32(b, 0x270)
        } else {
            crc32c_raw(!0, &uuid)
        };
        let log_cluster = le32(b, 0x1C);
        let cluster_size = if feature_ro_compat & ro_compat::BIGALLOC != 0
            && log_cluster <= 16 + MAX_LOG_BLOCK_SIZE
        {
            1024u32.checked_shl(log_cluster).unwrap_or(0)
        } else {
            block_size
        };
        Ok(Superblock {
            raw: b.to_vec(),
            inodes_count: le32(b, 0x0),
            blocks_count: le32(b, 0x4) as u64 | hi(0x150),
            r_blocks_count: le32(b, 0x8) as u64 | hi(0x154),
            free_blocks_count: le32(b, 0xC) as u64 | hi(0x158),
            free_inodes_count: le32(b, 0x10),
            first_data_block: le32(b, 0x14),
            block_size,
            cluster_size,
            blocks_per_group: le32(b, 0x20),
            inodes_per_group: le32(b, 0x28),
            state: le16(b, 0x3A),
            rev_level,
            creator_os: le32(b, 0x48),
            first_ino,
            inode_size,
            feature_compat: le32(b, 0x5C),
            feature_incompat,
            feature_ro_compat,
            uuid,
            volume_name,
            last_mounted,
            journal_inum: le32(b, 0xE0),
            hash_seed: [le32(b, 0xEC), le32(b, 0xF0), le32(b, 0xF4), le32(b, 0xF8)],
            def_hash_version: b[0xFC],
            desc_size: if is64 { le16(b, 0xFE) as u32 } else { 32 },
            first_meta_bg: le32(b, 0x104),
            flags: le32(b, 0x160),
            encoding: le16(b, 0x27C),
            groups_count: 0,
            csum_seed,
            mtime: time(b, 0x2C, 0x275),
            wtime: time(b, 0x30, 0x274),
            mkfs_time: time(b, 0x108, 0x276),
        })
    }

    fn check_features(&self) -> Result<()> {
        let inc = self.feature_incompat;
        if inc & incompat::JOURNAL_DEV != 0 {
            return Err(Error::Unsupported {
                feature: "ext4 external journal device (holds a journal, not files)",
                value: None,
            });
        }
        if inc & incompat::COMPRESSION != 0 {
            return Err(Error::Unsupported {
                feature: "ext2 compression",
                value: None,
            });
        }
        if inc & incompat::DIRDATA != 0 {
            return Err(Error::Unsupported {
                feature: "ext4 dirdata (Lustre)",
                value: None,
            });
        }
        if inc & !incompat::KNOWN != 0 {
            return Err(Error::Unsupported {
                feature: "ext4 incompat feature",
                value: Some((inc & !incompat::KNOWN) as u64),
            });
        }
        Ok(())
    }

    pub fn has_metadata_csum(&self) -> bool {
        self.feature_ro_compat & ro_compat::METADATA_CSUM != 0
    }

    fn check_checksum(&self) -> Result<()> {
        if !self.has_metadata_csum() {
            return Ok(());
        }
        let kind = self.raw[0x175];
        if kind != 1 {
            return Err(Error::Unsupported {
                feature: "ext4 checksum type",
                value: Some(kind as u64),
            });
        }
        let stored = le32(&self.raw, 0x3FC);
        let computed = crc32c_raw(!0, &self.raw[..0x3FC]);
        if stored != computed {
            return Err(corrupt(
                "ext4 superblock",
                SUPERBLOCK_OFFSET + 0x3FC,
                "checksum mismatch",
            )
            .part("checksum")
            .values(computed as u64, stored as u64)
            .into());
        }
        Ok(())
    }

    fn check_geometry(&self, device_size: u64) -> Result<()> {
        let bs = self.block_size as u64;
        if self.inode_size < 128
            || self.inode_size > self.block_size
            || !self.inode_size.is_power_of_two()
        {
            return Err(bad_value(
                "bad inode size",
                0x58,
                256,
                self.inode_size as u64,
            ));
        }
        if self.blocks_per_group == 0
            || self.blocks_per_group as u64 > 8 * bs * (self.cluster_size as u64 / bs).max(1)
        {
            return Err(bad_value(
                "bad blocks per group",
                0x20,
                8 * bs,
                self.blocks_per_group as u64,
            ));
        }
        if self.inodes_per_group == 0 || self.inodes_per_group as u64 > 8 * bs {
            return Err(bad_value(
                "bad inodes per group",
                0x28,
                8 * bs,
                self.inodes_per_group as u64,
            ));
        }
        if self.first_data_block as u64 >= self.blocks_count {
            return Err(bad_value(
                "first data block past the end",
                0x14,
                0,
                self.first_data_block as u64,
            ));
        }
        if self.feature_incompat & incompat::BIT64 != 0
            && (self.desc_size < 64
                || self.desc_size > MAX_DESC_SIZE
                || !self.desc_size.is_power_of_two())
        {
            return Err(bad_value(
                "bad group descriptor size",
                0xFE,
                64,
                self.desc_size as u64,
            ));
        }
        let device_blocks = device_size / bs;
        if self.blocks_count > device_blocks {
            return Err(bad_value(
                "block count exceeds the device",
                0x4,
                device_blocks,
                self.blocks_count,
            ));
        }
        let groups =
            (self.blocks_count - self.first_data_block as u64 + self.blocks_per_group as u64 - 1)
                / self.blocks_per_group as u64;
        if groups * self.inodes_per_group as u64 != self.inodes_count as u64 {
            return Err(bad_value(
                "inode count does not match the group count",
                0x0,
                groups * self.inodes_per_group as u64,
                self.inodes_count as u64,
            ));
        }
        if self.cluster_size < self.block_size {
            return Err(bad_value(
                "bad cluster size",
                0x1C,
                self.block_size as u64,
                self.cluster_size as u64,
            ));
        }
        Ok(())
    }

    /// Finishes what `parse` computed from validated fields.
    pub fn with_groups(mut self) -> Self {
        let per = self.blocks_per_group as u64;
        self.groups_count =
            ((self.blocks_count - self.first_data_block as u64 + per - 1) / per) as u32;
        self
    }

    pub fn has_journal(&self) -> bool {
        self.feature_compat & compat::HAS_JOURNAL != 0
    }
    pub fn needs_recovery(&self) -> bool {
        self.feature_incompat & incompat::RECOVER != 0
    }
    pub fn has_incompat(&self, bit: u32) -> bool {
        self.feature_incompat & bit != 0
    }
    pub fn has_ro_compat(&self, bit: u32) -> bool {
        self.feature_ro_compat & bit != 0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal valid superblock (ext2 rev 1, 1 KiB blocks, one group of 8192 blocks).
    pub fn golden() -> Vec<u8> {
        let mut b = vec![0u8; SUPERBLOCK_SIZE];
        let put =
            |b: &mut Vec<u8>, off: usize, v: u32| b[off..off + 4].copy_from_slice(&v.to_le_bytes());
        put(&mut b, 0x0, 2048); // s_inodes_count
        put(&mut b, 0x4, 8192); // s_blocks_count_lo
        put(&mut b, 0x14, 1); // s_first_data_block
        put(&mut b, 0x20, 8192); // s_blocks_per_group
        put(&mut b, 0x28, 2048); // s_inodes_per_group
        b[0x38..0x3A].copy_from_slice(&MAGIC.to_le_bytes());
        put(&mut b, 0x4C, 1); // s_rev_level
        put(&mut b, 0x54, 11); // s_first_ino
        b[0x58..0x5A].copy_from_slice(&256u16.to_le_bytes());
        b
    }

    const DEVICE: u64 = 8 << 20;

    #[test]
    fn parses_golden() {
        let sb = Superblock::parse(&golden(), DEVICE).unwrap().with_groups();
        assert_eq!(sb.block_size, 1024);
        assert_eq!(sb.groups_count, 1);
        assert_eq!(sb.inode_size, 256);
        assert_eq!(sb.desc_size, 32);
    }

    fn corrupt_at(err: Error) -> (u64, String) {
        match err {
            Error::Corrupt(c) => (c.offset, c.name()),
            other => panic!("expected corrupt, got {:?}", other),
        }
    }

    #[test]
    fn rejects_bad_magic() {
        let mut b = golden();
        b[0x38] = 0;
        assert_eq!(
            corrupt_at(Superblock::parse(&b, DEVICE).unwrap_err()),
            (1024 + 0x38, "ext4 superblock".into())
        );
    }

    #[test]
    fn rejects_huge_block_size() {
        let mut b = golden();
        b[0x18] = 7;
        assert_eq!(
            corrupt_at(Superblock::parse(&b, DEVICE).unwrap_err()).0,
            1024 + 0x18
        );
    }

    #[test]
    fn rejects_inode_count_mismatch() {
        let mut b = golden();
        b[0x0] = 1;
        assert_eq!(
            corrupt_at(Superblock::parse(&b, DEVICE).unwrap_err()).0,
            1024
        );
    }

    #[test]
    fn rejects_blocks_past_device() {
        assert_eq!(
            corrupt_at(Superblock::parse(&golden(), 4 << 20).unwrap_err()).0,
            1024 + 4
        );
    }

    #[test]
    fn refuses_unknown_incompat_feature() {
        let mut b = golden();
        b[0x62] = 0x40; // bit 22
        match Superblock::parse(&b, DEVICE).unwrap_err() {
            Error::Unsupported { value, .. } => assert_eq!(value, Some(0x40_0000)),
            e => panic!("{:?}", e),
        }
    }

    #[test]
    fn verifies_checksum() {
        let mut b = golden();
        b[0x64] = 0x04; // metadata_csum (0x400)
        b[0x65] = 0x04;
        b[0x64] = 0;
        b[0x175] = 1;
        let sum = crc32c_raw(!0, &b[..0x3FC]);
        b[0x3FC..].copy_from_slice(&sum.to_le_bytes());
        assert!(Superblock::parse(&b, DEVICE).is_ok());
        b[0x3FC] ^= 1;
        assert_eq!(
            corrupt_at(Superblock::parse(&b, DEVICE).unwrap_err()),
            (1024 + 0x3FC, "ext4 superblock checksum".into())
        );
    }
}
