//! The on-disk inode. Reference: kernel Documentation/filesystems/ext4/inodes.rst
//! (struct ext4_inode; "Inode Timestamps"; checksum in checksums.rst).

use crate::crc::crc32c_raw;
use crate::superblock::{ro_compat, Superblock};
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{le16, le32};

pub const GOOD_OLD_INODE_SIZE: usize = 128;
/// i_block: 15 words holding extents, block pointers, a fast symlink or inline data.
pub const I_BLOCK_AT: usize = 0x28;
pub const I_BLOCK_LEN: usize = 60;

pub mod flags {
    pub const ENCRYPT: u32 = 0x800;
    pub const INDEX: u32 = 0x1000;
    pub const HUGE_FILE: u32 = 0x40000;
    pub const EXTENTS: u32 = 0x80000;
    pub const EA_INODE: u32 = 0x200000;
    pub const INLINE_DATA: u32 = 0x1000_0000;
    pub const CASEFOLD: u32 = 0x4000_0000;
}

pub mod mode {
    pub const S_IFMT: u16 = 0xF000;
    pub const S_IFSOCK: u16 = 0xC000;
    pub const S_IFLNK: u16 = 0xA000;
    pub const S_IFREG: u16 = 0x8000;
    pub const S_IFBLK: u16 = 0x6000;
    pub const S_IFDIR: u16 = 0x4000;
    pub const S_IFCHR: u16 = 0x2000;
    pub const S_IFIFO: u16 = 0x1000;
}

/// A timestamp: seconds since the epoch and nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Time {
    pub sec: i64,
    pub nsec: u32,
}

#[derive(Debug, Clone)]
pub struct Inode {
    pub ino: u32,
    /// The raw inode (s_inode_size bytes): in-inode xattrs live past the fixed fields.
    pub raw: Vec<u8>,
    /// Byte offset of the inode on the device (for error reports).
    pub offset: u64,
    pub mode: u16,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub links: u16,
    /// Allocated space in 512-byte units.
    pub blocks_512: u64,
    pub flags: u32,
    pub file_acl: u64,
    pub generation: u32,
    pub extra_isize: u16,
    pub atime: Time,
    pub ctime: Time,
    pub mtime: Time,
    pub crtime: Option<Time>,
    /// crc32c seed for this inode's extent, directory and htree block checksums.
    pub csum_seed: u32,
}

impl Inode {
    pub fn file_type(&self) -> u16 {
        self.mode & mode::S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.file_type() == mode::S_IFDIR
    }
    pub fn has_flag(&self, f: u32) -> bool {
        self.flags & f != 0
    }
    pub fn i_block(&self) -> &[u8] {
        &self.raw[I_BLOCK_AT..I_BLOCK_AT + I_BLOCK_LEN]
    }
    /// End of the fixed part: in-inode xattrs start here.
    pub fn extra_end(&self) -> usize {
        GOOD_OLD_INODE_SIZE + self.extra_isize as usize
    }
    /// Whether field `[off, off+len)` of the extended part is present in this inode.
    fn fits_extra(&self, off: usize, len: usize) -> bool {
        self.raw.len() > GOOD_OLD_INODE_SIZE && off + len <= self.extra_end()
    }
}

/// ext4 stores the seconds' 32-bit value sign-extended, plus two epoch bits and 30
/// nanosecond bits in the *_extra word.
fn decode_time(lo: u32, extra: Option<u32>) -> Time {
    let mut sec = lo as i32 as i64;
    let mut nsec = 0;
    if let Some(x) = extra {
        sec += ((x & 3) as i64) << 32;
        nsec = x >> 2;
    }
    Time { sec, nsec }
}

/// Decodes the `inode_size` bytes of inode `ino` read at `offset`, verifying the checksum.
pub fn parse(sb: &Superblock, ino: u32, raw: Vec<u8>, offset: u64) -> Result<Inode> {
    let b = &raw;
    let extra_isize = if b.len() > GOOD_OLD_INODE_SIZE {
        le16(b, 0x80)
    } else {
        0
    };
    if GOOD_OLD_INODE_SIZE + extra_isize as usize > b.len() || extra_isize & 3 != 0 {
        return Err(corrupt("ext4 inode", offset + 0x80, "bad i_extra_isize")
            .index(ino as u64)
            .values((b.len() - GOOD_OLD_INODE_SIZE) as u64, extra_isize as u64)
            .into());
    }
    let generation = le32(b, 0x64);
    let mut seed = crc32c_raw(sb.csum_seed, &ino.to_le_bytes());
    seed = crc32c_raw(seed, &generation.to_le_bytes());
    let flags = le32(b, 0x20);
    let huge = sb.has_ro_compat(ro_compat::HUGE_FILE);
    let blocks_hi = if huge {
        (le16(b, 0x74) as u64) << 32
    } else {
        0
    };
    let mut blocks_512 = le32(b, 0x1C) as u64 | blocks_hi;
    if huge && flags & flags::HUGE_FILE != 0 {
        // huge_file inodes count i_blocks in filesystem blocks.
        blocks_512 = blocks_512.saturating_mul(sb.block_size as u64 / 512);
    }
    let mut inode = Inode {
        ino,
        offset,
        mode: le16(b, 0x0),
        uid: le16(b, 0x2) as u32 | (le16(b, 0x78) as u32) << 16,
        gid: le16(b, 0x18) as u32 | (le16(b, 0x7A) as u32) << 16,
        size: le32(b, 0x4) as u64 | (le32(b, 0x6C) as u64) << 32,
        links: le16(b, 0x1A),
        blocks_512,
        flags,
        file_acl: le32(b, 0x68) as u64 | (le16(b, 0x76) as u64) << 32,
        generation,
        extra_isize,
        atime: Time::default(),
        ctime: Time::default(),
        mtime: Time::default(),
        crtime: None,
        csum_seed: seed,
        raw: Vec::new(),
    };
    inode.raw = raw;
    decode_times(&mut inode);
    if sb.has_metadata_csum() {
        verify_checksum(&inode)?;
    }
    Ok(inode)
}

fn decode_times(inode: &mut Inode) {
    let extra = |i: &Inode, off: usize| {
        if i.fits_extra(off, 4) {
            Some(le32(&i.raw, off))
        } else {
            None
        }
    };
    let b = &inode.raw;
    let (a, c, m) = (le32(b, 0x8), le32(b, 0xC), le32(b, 0x10));
    inode.atime = decode_time(a, extra(inode, 0x8C));
    inode.ctime = decode_time(c, extra(inode, 0x84));
    inode.mtime = decode_time(m, extra(inode, 0x88));
    if inode.fits_extra(0x90, 4) {
        let cr = le32(&inode.raw, 0x90);
        inode.crtime = Some(decode_time(cr, extra(inode, 0x94)));
    }
}

/// Reference: checksums.rst — crc32c over the whole inode with both checksum halves zero;
/// only the low 16 bits are stored when the inode has no room for i_checksum_hi.
fn verify_checksum(inode: &Inode) -> Result<()> {
    let b = &inode.raw;
    let has_hi = inode.fits_extra(0x82, 2);
    let mut c = crc32c_raw(inode.csum_seed, &b[..0x7C]);
    c = crc32c_raw(c, &[0, 0]);
    c = crc32c_raw(c, &b[0x7E..GOOD_OLD_INODE_SIZE]);
    if b.len() > GOOD_OLD_INODE_SIZE {
        c = crc32c_raw(c, &b[GOOD_OLD_INODE_SIZE..0x82]);
        let rest = if has_hi {
            c = crc32c_raw(c, &[0, 0]);
            0x84
        } else {
            0x82
        };
        c = crc32c_raw(c, &b[rest..]);
    }
    let mut stored = le16(b, 0x7C) as u32;
    if has_hi {
        stored |= (le16(b, 0x82) as u32) << 16;
    } else {
        c &= 0xFFFF;
    }
    if stored != c {
        return Err(Error::from(
            corrupt("ext4 inode", inode.offset + 0x7C, "checksum mismatch")
                .index(inode.ino as u64)
                .part("checksum")
                .values(c as u64, stored as u64),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_use_epoch_bits() {
        // 0x80000000 sign-extends to 1901 unless the epoch bits move it past 2038.
        assert_eq!(decode_time(0x8000_0000, Some(0)).sec, -2_147_483_648);
        assert_eq!(decode_time(0x8000_0000, Some(1)).sec, 2_147_483_648);
        assert_eq!(decode_time(5, Some(123 << 2)), Time { sec: 5, nsec: 123 });
    }
}
