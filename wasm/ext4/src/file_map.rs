//! `fs_map` for ext4: the device runs behind a byte range of a regular file, from the same
//! block mapping every read uses (extent trees or block maps). Holes and unwritten extents
//! are ZERO runs; inline and encrypted data are UNMAPPED (read through `fs_read`, which
//! also refuses encrypted data with the reason).
//! Reference: kernel Documentation/filesystems/ext4/ifork.rst (extent trees, block maps,
//! inline data); wasm/fsabi/src/map.rs for the record.

use crate::fs::{Fs, Run};
use crate::inode::{flags, mode};
use fsabi::error::{Error, Result};
use fsabi::map::{kind, MapWriter};
use fsabi::Device;

/// Runs for bytes `[offset, offset + len)` of regular file `ino`, clipped to its size;
/// returns how many were written (0 at or past the end of the file). The list may stop
/// before `len` when the buffer is full: the caller asks again from where it ended.
pub fn map<D: Device>(
    fs: &mut Fs<D>,
    ino: u32,
    offset: u64,
    len: u64,
    out: &mut [u8],
) -> Result<i64> {
    let i = fs.inode(ino)?;
    match i.file_type() {
        mode::S_IFREG => {}
        mode::S_IFDIR => return Err(Error::IsDir),
        _ => return Err(Error::Invalid("not a regular file")),
    }
    let mut w = MapWriter::new(out)?;
    if offset >= i.size {
        return Ok(w.finish());
    }
    let end = offset.saturating_add(len).min(i.size);
    if i.has_flag(flags::INLINE_DATA) || i.has_flag(flags::ENCRYPT) {
        w.push(kind::UNMAPPED, 0, end - offset);
        return Ok(w.finish());
    }
    let bs = fs.sb.block_size as u64;
    let mut pos = offset;
    while pos < end {
        let within = pos % bs;
        let run = fs.map(&i, pos / bs)?;
        let blocks = match run {
            Run::Data { len, .. } | Run::Zero { len } => len,
        };
        let take = (blocks.saturating_mul(bs) - within).min(end - pos);
        let added = match run {
            Run::Data { pblk, .. } => w.push(kind::DATA, pblk * bs + within, take),
            Run::Zero { .. } => w.push(kind::ZERO, 0, take),
        };
        if !added {
            break;
        }
        pos += take;
    }
    Ok(w.finish())
}
