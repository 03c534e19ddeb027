//! Inline data: small files and directories kept in i_block (60 bytes) continued in the
//! in-inode attribute `system.data`.
//! Reference: kernel Documentation/filesystems/ext4/inlinedata.rst.

use crate::fs::Fs;
use crate::inode::Inode;
use crate::xattr;
use fsabi::error::Result;
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
/// Bytes past the inline content read as zeros, as the kernel's inline readpage does
/// (mke2fs -d stores an all-hole file as an empty inline file of the full size).
pub fn read<D: Device>(fs: &mut Fs<D>, inode: &Inode, offset: u64, buf: &mut [u8]) -> Result<()> {
    let data = content(fs, inode)?;
    for (i, b) in buf.iter_mut().enumerate() {
        let at = offset + i as u64;
        *b = if at < data.len() as u64 {
            data[at as usize]
        } else {
            0
        };
    }
    Ok(())
}
