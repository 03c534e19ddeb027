//! Inline data: small files and directories kept in i_block (60 bytes) continued in the
//! in-inode attribute `system.data`.
//! Reference: kernel Documentation/filesystems/ext4/inlinedata.rst.

use crate::fs::Fs;
use crate::inode::Inode;
use crate::xattr;
use fsabi::error::{corrupt, Result};
use fsabi::Device;

/// The inode's whole inline content (i_block followed by system.data), at most the inode
/// size plus 60 bytes, so no further limit is needed.
pub fn content<D: Device>(fs: &mut Fs<D>, inode: &Inode) -> Result<Vec<u8>> {
    let mut v = inode.i_block().to_vec();
    if let Some(more) = xattr::system_value(fs, inode, b"data")? {
        v.extend_from_slice(&more);
    }
    Ok(v)
}

/// Reads `[offset, offset + buf.len())` of an inline file; the caller clipped to i_size.
pub fn read<D: Device>(fs: &mut Fs<D>, inode: &Inode, offset: u64, buf: &mut [u8]) -> Result<()> {
    let data = content(fs, inode)?;
    let end = offset + buf.len() as u64;
    if end > data.len() as u64 {
        return Err(corrupt("ext4 inline data", inode.offset + crate::inode::I_BLOCK_AT as u64, "i_size exceeds the inline data")
            .index(inode.ino as u64)
            .values(data.len() as u64, inode.size)
            .into());
    }
    buf.copy_from_slice(&data[offset as usize..end as usize]);
    Ok(())
}
