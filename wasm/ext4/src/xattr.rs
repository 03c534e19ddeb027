//! Extended attributes: in the inode after i_extra_isize, and in one xattr block
//! (i_file_acl); large values may live in their own inode (ea_inode).
//! Reference: kernel Documentation/filesystems/ext4/attributes.rst.

use crate::crc::crc32c_raw;
use crate::fs::Fs;
use crate::inode::{flags, Inode};
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{fits, le16, le32};
use fsabi::Device;

const MAGIC: u32 = 0xEA02_0000;
const BLOCK_HEADER: usize = 32;
const ENTRY_HEADER: usize = 16;
/// The VFS refuses values above 64 KiB (XATTR_SIZE_MAX); an ea_inode claiming more is
/// damage, and the cap bounds what we allocate for it.
pub const XATTR_SIZE_MAX: u32 = 65536;

pub const INDEX_SYSTEM: u8 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xattr {
    pub index: u8,
    pub name: Vec<u8>,
    pub value: Vec<u8>,
}

/// Name prefixes the kernel lists (attributes.rst "Attribute Name Indices"); others are
/// internal (system.data holds inline data) and are not listed.
fn prefix(index: u8) -> Option<&'static str> {
    match index {
        1 => Some("user."),
        2 => Some("system.posix_acl_access"),
        3 => Some("system.posix_acl_default"),
        4 => Some("trusted."),
        6 => Some("security."),
        _ => None,
    }
}

impl Xattr {
    /// The full name as listxattr spells it, or None for internal attributes.
    pub fn full_name(&self) -> Option<Vec<u8>> {
        let p = prefix(self.index)?;
        let mut n = p.as_bytes().to_vec();
        n.extend_from_slice(&self.name);
        Some(n)
    }
}

/// Every attribute of `inode`, in-inode ones first, with values loaded.
pub fn list<D: Device>(fs: &mut Fs<D>, inode: &Inode) -> Result<Vec<Xattr>> {
    let mut out = in_inode(fs, inode)?;
    if inode.file_acl != 0 {
        out.extend(in_block(fs, inode)?);
    }
    Ok(out)
}

/// The attributes stored after the inode's fixed fields.
pub fn in_inode<D: Device>(fs: &mut Fs<D>, inode: &Inode) -> Result<Vec<Xattr>> {
    let start = inode.extra_end();
    let raw = &inode.raw;
    if raw.len() <= crate::inode::GOOD_OLD_INODE_SIZE
        || !fits(raw, start, 4)
        || le32(raw, start) != MAGIC
    {
        return Ok(Vec::new());
    }
    let region = raw[start + 4..].to_vec();
    let abs = inode.offset + start as u64 + 4;
    parse(fs, inode, &region, 0, abs, "ext4 in-inode xattr")
}

fn in_block<D: Device>(fs: &mut Fs<D>, inode: &Inode) -> Result<Vec<Xattr>> {
    let blk = inode.file_acl;
    if !fs.block_valid(blk, 1) {
        return Err(corrupt(
            "ext4 inode",
            inode.offset + 0x68,
            "xattr block outside the filesystem",
        )
        .index(inode.ino as u64)
        .values(fs.sb.blocks_count, blk)
        .into());
    }
    let block = fs.read_block(blk)?;
    let abs = fs.block_offset(blk);
    let magic = le32(&block, 0);
    if magic != MAGIC || le32(&block, 8) != 1 {
        return Err(corrupt("ext4 xattr block", abs, "bad header")
            .index(blk)
            .values(MAGIC as u64, magic as u64)
            .into());
    }
    if fs.sb.has_metadata_csum() {
        let mut c = crc32c_raw(fs.sb.csum_seed, &blk.to_le_bytes());
        c = crc32c_raw(c, &block[..0x10]);
        c = crc32c_raw(c, &[0; 4]);
        c = crc32c_raw(c, &block[0x14..]);
        let stored = le32(&block, 0x10);
        if c != stored {
            return Err(corrupt("ext4 xattr block", abs + 0x10, "checksum mismatch")
                .index(blk)
                .part("checksum")
                .values(c as u64, stored as u64)
                .into());
        }
    }
    // Values in a block are addressed from the block start; entries follow the header.
    let whole = block.to_vec();
    parse(fs, inode, &whole, BLOCK_HEADER, abs, "ext4 xattr block")
}

/// Walks the entry table at `region[entries_at..]`; value offsets count from region[0].
fn parse<D: Device>(
    fs: &mut Fs<D>,
    inode: &Inode,
    region: &[u8],
    entries_at: usize,
    abs: u64,
    what: &'static str,
) -> Result<Vec<Xattr>> {
    let mut out = Vec::new();
    let mut pos = entries_at;
    let bad = |pos: usize, detail: &'static str| -> Error {
        corrupt(what, abs + pos as u64, detail)
            .index(inode.ino as u64)
            .into()
    };
    loop {
        if !fits(region, pos, 4) {
            return Err(bad(pos, "entry table runs off the end"));
        }
        if le32(region, pos) == 0 {
            return Ok(out);
        }
        if !fits(region, pos, ENTRY_HEADER) {
            return Err(bad(pos, "entry runs off the end"));
        }
        let name_len = region[pos] as usize;
        let index = region[pos + 1];
        let value_offs = le16(region, pos + 2) as usize;
        let value_inum = le32(region, pos + 4);
        let value_size = le32(region, pos + 8);
        if !fits(region, pos + ENTRY_HEADER, name_len) {
            return Err(bad(pos, "name runs off the end"));
        }
        let name = region[pos + ENTRY_HEADER..pos + ENTRY_HEADER + name_len].to_vec();
        let value = if value_inum != 0 {
            ea_inode_value(fs, inode, value_inum, value_size)?
        } else {
            if !fits(region, value_offs, value_size as usize) {
                return Err(bad(pos + 2, "value outside the attribute area"));
            }
            region[value_offs..value_offs + value_size as usize].to_vec()
        };
        out.push(Xattr { index, name, value });
        pos += (ENTRY_HEADER + name_len + 3) & !3;
    }
}

/// ea_inode: the value is the content of inode `inum` (which carries EA_INODE_FL).
fn ea_inode_value<D: Device>(
    fs: &mut Fs<D>,
    owner: &Inode,
    inum: u32,
    size: u32,
) -> Result<Vec<u8>> {
    if size > XATTR_SIZE_MAX {
        return Err(corrupt(
            "ext4 xattr entry",
            owner.offset,
            "value larger than the VFS allows",
        )
        .index(owner.ino as u64)
        .values(XATTR_SIZE_MAX as u64, size as u64)
        .into());
    }
    let ea = fs.inode(inum)?;
    if !ea.has_flag(flags::EA_INODE) || ea.size != size as u64 {
        return Err(corrupt(
            "ext4 xattr inode",
            ea.offset,
            "not an xattr inode of the stated size",
        )
        .index(inum as u64)
        .values(size as u64, ea.size)
        .into());
    }
    let mut v = vec![0u8; size as usize];
    fs.read_data(&ea, 0, &mut v)?;
    Ok(v)
}

/// The in-inode value of `system.<name>` (inline data lives in `system.data`).
pub fn system_value<D: Device>(
    fs: &mut Fs<D>,
    inode: &Inode,
    name: &[u8],
) -> Result<Option<Vec<u8>>> {
    let attrs = in_inode(fs, inode)?;
    Ok(attrs
        .into_iter()
        .find(|x| x.index == INDEX_SYSTEM && x.name == name)
        .map(|x| x.value))
}

/// POSIX ACLs are stored compactly (ext4_acl_entry, version 1); listxattr/getxattr show
/// them in the VFS xattr format (version 2, every entry with an id).
/// Reference: fs/ext4/acl.h (struct ext4_acl_entry / ext4_acl_entry_short).
pub fn acl_to_xattr(v: &[u8], ino: u32, abs: u64) -> Result<Vec<u8>> {
    let bad = || -> Error {
        corrupt("ext4 ACL xattr", abs, "malformed ACL")
            .index(ino as u64)
            .into()
    };
    if v.len() < 4 || le32(v, 0) != 1 {
        return Err(bad());
    }
    let mut out = 2u32.to_le_bytes().to_vec();
    let mut pos = 4;
    while pos < v.len() {
        if !fits(v, pos, 4) {
            return Err(bad());
        }
        let (tag, perm) = (le16(v, pos), le16(v, pos + 2));
        let id = match tag {
            0x01 | 0x04 | 0x10 | 0x20 => {
                pos += 4;
                u32::MAX
            }
            0x02 | 0x08 => {
                if !fits(v, pos, 8) {
                    return Err(bad());
                }
                pos += 8;
                le32(v, pos - 4)
            }
            _ => return Err(bad()),
        };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&perm.to_le_bytes());
        out.extend_from_slice(&id.to_le_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_acl() {
        // user::rw-, user:1000:r--, group::r--, mask::r--, other::---
        let mut v = 1u32.to_le_bytes().to_vec();
        for (tag, perm, id) in [
            (1u16, 6u16, None),
            (2, 4, Some(1000u32)),
            (4, 4, None),
            (0x10, 4, None),
            (0x20, 0, None),
        ] {
            v.extend_from_slice(&tag.to_le_bytes());
            v.extend_from_slice(&perm.to_le_bytes());
            if let Some(i) = id {
                v.extend_from_slice(&i.to_le_bytes());
            }
        }
        let x = acl_to_xattr(&v, 12, 0).unwrap();
        assert_eq!(x.len(), 4 + 5 * 8);
        assert_eq!(le32(&x, 0), 2);
        assert_eq!(le32(&x, 4 + 8 + 4), 1000);
        assert_eq!(le32(&x, 4 + 4), u32::MAX);
        assert!(acl_to_xattr(&v[..7], 12, 0).is_err());
    }
}
