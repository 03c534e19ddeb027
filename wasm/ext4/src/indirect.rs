//! Legacy block maps (ext2/ext3 and ext4 files without the extents flag): 12 direct
//! pointers, then single-, double- and triple-indirect blocks.
//! Reference: kernel Documentation/filesystems/ext4/ifork.rst "Direct/Indirect Block
//! Addressing".

use crate::fs::{Fs, Run};
use crate::inode::{Inode, I_BLOCK_AT};
use fsabi::error::{corrupt, Result};
use fsabi::le::le32;
use fsabi::Device;

const DIRECT: u64 = 12;

/// The run of file blocks starting at `lblk`.
pub fn map<D: Device>(fs: &mut Fs<D>, inode: &Inode, lblk: u64) -> Result<Run> {
    let ptrs: Vec<u32> = (0..15).map(|i| le32(inode.i_block(), i * 4)).collect();
    if lblk < DIRECT {
        let off = inode.offset + I_BLOCK_AT as u64;
        return scan(fs, inode, &ptrs[..DIRECT as usize], lblk as usize, off);
    }
    let per = (fs.sb.block_size / 4) as u64;
    let mut rel = lblk - DIRECT;
    let mut span = per;
    for level in 1..=3u32 {
        if rel < span {
            let root = ptrs[DIRECT as usize + level as usize - 1];
            return walk(fs, inode, root, level, rel, per);
        }
        rel -= span;
        span *= per;
    }
    // Past what a block map can address: nothing is stored there.
    Ok(Run::Zero { len: u64::MAX / 2 })
}

/// Descends from pointer block `ptr` at `level` (1 = its entries point at data) to the
/// entry for relative block `rel`.
fn walk<D: Device>(
    fs: &mut Fs<D>,
    inode: &Inode,
    mut ptr: u32,
    mut level: u32,
    mut rel: u64,
    per: u64,
) -> Result<Run> {
    loop {
        let child_span = per.pow(level - 1);
        if ptr == 0 {
            // A missing pointer block: everything it would cover is a hole.
            return Ok(Run::Zero {
                len: per * child_span - rel,
            });
        }
        if !fs.block_valid(ptr as u64, 1) {
            return Err(corrupt(
                "ext4 indirect block",
                inode.offset + I_BLOCK_AT as u64,
                "pointer outside the filesystem",
            )
            .index(inode.ino as u64)
            .values(fs.sb.blocks_count, ptr as u64)
            .into());
        }
        let block = fs.read_block(ptr as u64)?;
        let block_off = fs.block_offset(ptr as u64);
        let entries: Vec<u32> = (0..per as usize).map(|i| le32(&block, i * 4)).collect();
        let idx = (rel / child_span) as usize;
        if level == 1 {
            return scan(fs, inode, &entries, idx, block_off);
        }
        ptr = entries[idx];
        rel %= child_span;
        level -= 1;
    }
}

/// From `ptrs[idx]`, the run of consecutive data blocks (or of zero pointers, a hole).
fn scan<D: Device>(
    fs: &Fs<D>,
    inode: &Inode,
    ptrs: &[u32],
    idx: usize,
    ptrs_offset: u64,
) -> Result<Run> {
    let first = ptrs[idx];
    let mut n = 1usize;
    if first == 0 {
        while idx + n < ptrs.len() && ptrs[idx + n] == 0 {
            n += 1;
        }
        return Ok(Run::Zero { len: n as u64 });
    }
    while idx + n < ptrs.len() && ptrs[idx + n] as u64 == first as u64 + n as u64 {
        n += 1;
    }
    if !fs.block_valid(first as u64, n as u64) {
        return Err(corrupt(
            "ext4 block map",
            ptrs_offset + idx as u64 * 4,
            "data block outside the filesystem",
        )
        .index(inode.ino as u64)
        .values(fs.sb.blocks_count, first as u64)
        .into());
    }
    Ok(Run::Data {
        pblk: first as u64,
        len: n as u64,
    })
}
