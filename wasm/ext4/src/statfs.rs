//! statvfs as the kernel's ext4_statfs computes it for a default mount: f_blocks leaves out
//! the metadata overhead (superblocks, descriptors, reserved GDT blocks, bitmaps, inode
//! tables, the internal journal), f_bfree is the free-cluster count of the group
//! descriptors and f_bavail also keeps back the reserved blocks and the allocator's own
//! reserve (s_resv_clusters: 2% of the clusters, at most 4096, on extent filesystems).
//! Reference: kernel fs/ext4/super.c ext4_statfs, ext4_calculate_overhead, count_overhead,
//! ext4_calculate_resv_clusters; fs/ext4/balloc.c ext4_bg_num_gdb.

use crate::fs::Fs;
use crate::group_desc::has_super;
use crate::ops::out_record;
use crate::superblock::{incompat, ro_compat, Superblock};
use fsabi::error::{Error, Result};
use fsabi::le::{le16, le32, put32, put64};
use fsabi::Device;

pub const STATVFS_SIZE: usize = 96;
/// s_reserved_gdt_blocks and s_overhead_clusters in the superblock.
const RESERVED_GDT_BLOCKS: usize = 0xCE;
const OVERHEAD_CLUSTERS: usize = 0x248;
/// The kernel's reserve: 1/50 of the clusters, capped at this many.
const RESV_CLUSTERS_MAX: u64 = 4096;
/// With bigalloc and no precomputed s_overhead_clusters the overhead is counted from every
/// group descriptor (a few ranges each, sorted); beyond this many groups (at least 256 TiB
/// with 64 KiB clusters) the ranges alone would need tens of MiB, so statvfs refuses.
pub const MAX_OVERHEAD_GROUPS: u32 = 1 << 20;

pub fn statvfs<D: Device>(fs: &mut Fs<D>, out: &mut [u8]) -> Result<i64> {
    let (mut free_clusters, mut free_inodes) = (0u64, 0u64);
    for g in 0..fs.sb.groups_count {
        let gd = fs.group_desc(g)?;
        free_clusters += gd.free_blocks as u64;
        free_inodes += gd.free_inodes as u64;
    }
    let ratio = (fs.sb.cluster_size / fs.sb.block_size) as u64;
    let overhead = overhead_clusters(fs)?.saturating_mul(ratio);
    let free_blocks = free_clusters * ratio;
    let reserved = fs.sb.r_blocks_count + resv_clusters(&fs.sb) * ratio;
    let sb = &fs.sb;
    let r = out_record(out, STATVFS_SIZE)?;
    put32(r, 0, sb.block_size);
    put32(r, 4, sb.block_size);
    put64(r, 8, sb.blocks_count.saturating_sub(overhead));
    put64(r, 16, free_blocks);
    put64(r, 24, free_blocks.saturating_sub(reserved));
    put64(r, 32, sb.inodes_count as u64);
    put64(r, 40, free_inodes);
    put64(r, 48, free_inodes);
    let fsid = le32(&sb.uuid, 0) as u64 ^ le32(&sb.uuid, 4) as u64
        | (le32(&sb.uuid, 8) as u64 ^ le32(&sb.uuid, 12) as u64) << 32;
    put64(r, 56, fsid);
    put32(r, 64, 1); // ST_RDONLY: this driver never writes
    put32(r, 68, 255);
    Ok(STATVFS_SIZE as i64)
}

/// ext4_calculate_resv_clusters: nothing without extents (ext2/ext3 estimates are exact).
fn resv_clusters(sb: &Superblock) -> u64 {
    if !sb.has_incompat(incompat::EXTENTS) {
        return 0;
    }
    let clusters = sb.blocks_count / (sb.cluster_size / sb.block_size) as u64;
    (clusters / 50).min(RESV_CLUSTERS_MAX)
}

/// Metadata clusters: s_overhead_clusters when bigalloc stored a sane one, else counted.
fn overhead_clusters<D: Device>(fs: &mut Fs<D>) -> Result<u64> {
    let ratio = (fs.sb.cluster_size / fs.sb.block_size) as u64;
    let bigalloc = fs.sb.has_ro_compat(ro_compat::BIGALLOC);
    let stored = le32(&fs.sb.raw, OVERHEAD_CLUSTERS) as u64;
    if bigalloc && stored != 0 && stored <= fs.sb.blocks_count {
        return Ok(stored);
    }
    let groups = if bigalloc {
        bigalloc_group_overhead(fs)?
    } else {
        (0..fs.sb.groups_count)
            .map(|g| group_overhead(&fs.sb, g))
            .sum()
    };
    let first = fs.sb.first_data_block as u64 / ratio;
    Ok(first + groups + (journal_blocks(fs)? + ratio - 1) / ratio)
}

fn itb_per_group(sb: &Superblock) -> u64 {
    sb.inodes_per_group as u64 / (sb.block_size / sb.inode_size) as u64
}

/// Blocks of descriptor table a group holds (ext4_bg_num_gdb): the whole table in the
/// backup groups before s_first_meta_bg, one block in the first, second and last group of
/// each meta group after it.
fn num_gdb(sb: &Superblock, group: u32) -> u64 {
    let per_block = sb.block_size / sb.desc_size;
    let metagroup = group / per_block;
    if !sb.has_incompat(incompat::META_BG) || metagroup < sb.first_meta_bg {
        if !has_super(sb, group) {
            return 0;
        }
        if sb.has_incompat(incompat::META_BG) {
            return sb.first_meta_bg as u64;
        }
        return ((sb.groups_count + per_block - 1) / per_block) as u64;
    }
    let first = metagroup * per_block;
    (group == first || group == first + 1 || group == first + per_block - 1) as u64
}

/// count_overhead without bigalloc: superblock, descriptor blocks, reserved GDT blocks,
/// the inode table and two bitmaps, wherever flex_bg placed them.
fn group_overhead(sb: &Superblock, group: u32) -> u64 {
    let sup = has_super(sb, group) as u64;
    let reserved = if sup == 1 {
        le16(&sb.raw, RESERVED_GDT_BLOCKS) as u64
    } else {
        0
    };
    sup + num_gdb(sb, group) + reserved + itb_per_group(sb) + 2
}

/// count_overhead with bigalloc: per group, the clusters holding any group's bitmaps or
/// (whole) inode table that lie in it, its superblock and its descriptor blocks. Marks are
/// kept as cluster ranges per group, then sorted and merged, which counts each cluster once
/// as the kernel's per-group bitmap does.
fn bigalloc_group_overhead<D: Device>(fs: &mut Fs<D>) -> Result<u64> {
    if fs.sb.groups_count > MAX_OVERHEAD_GROUPS {
        return Err(Error::Unsupported {
            feature: "ext4 bigalloc statvfs over more than 2^20 groups",
            value: Some(fs.sb.groups_count as u64),
        });
    }
    let sb = &fs.sb;
    let (first, bpg) = (sb.first_data_block as u64, sb.blocks_per_group as u64);
    let ratio = (sb.cluster_size / sb.block_size) as u64;
    let (groups, itb) = (sb.groups_count as u64, itb_per_group(sb));
    let locate = |b: u64| {
        let g = b.checked_sub(first)? / bpg;
        (g < groups).then(|| (g, b - first - g * bpg))
    };
    let mut marks: Vec<(u64, u64, u64)> = Vec::new();
    for g in 0..fs.sb.groups_count {
        let gd = fs.group_desc(g)?;
        for b in [gd.block_bitmap, gd.inode_bitmap] {
            if let Some((grp, off)) = locate(b) {
                marks.push((grp, off / ratio, off / ratio + 1));
            }
        }
        // As the kernel tests it: the whole table inside the group, short of its last block.
        if let Some((grp, off)) = locate(gd.inode_table) {
            if off + itb < bpg && itb > 0 {
                marks.push((grp, off / ratio, (off + itb - 1) / ratio + 1));
            }
        }
        let sup = has_super(&fs.sb, g) as u64;
        let gdb = num_gdb(&fs.sb, g).min(bpg - sup);
        if sup + gdb > 0 {
            marks.push((g as u64, 0, (sup + gdb - 1) / ratio + 1));
        }
    }
    Ok(union_length(&mut marks))
}

/// Total length of the union of the ranges, per group.
fn union_length(marks: &mut [(u64, u64, u64)]) -> u64 {
    marks.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(u64, u64, u64)> = None;
    for &(g, s, e) in marks.iter() {
        match cur {
            Some((cg, cs, ce)) if cg == g && s <= ce => cur = Some((cg, cs, ce.max(e))),
            _ => {
                if let Some((_, cs, ce)) = cur {
                    total += ce - cs;
                }
                cur = Some((g, s, e));
            }
        }
    }
    if let Some((_, cs, ce)) = cur {
        total += ce - cs;
    }
    total
}

/// Blocks of an internal journal (the kernel adds them whether or not it loaded it).
fn journal_blocks<D: Device>(fs: &mut Fs<D>) -> Result<u64> {
    let sb = &fs.sb;
    if !sb.has_journal() || sb.journal_inum == 0 || sb.has_incompat(incompat::JOURNAL_DEV) {
        return Ok(0);
    }
    let bs = sb.block_size as u64;
    let j = fs.inode(fs.sb.journal_inum)?;
    Ok(j.size / bs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_counts_each_cluster_once_per_group() {
        let mut m = vec![(0, 0, 2), (0, 1, 3), (1, 1, 3), (0, 5, 6), (1, 0, 1)];
        // group 0: [0,3) + [5,6) = 4; group 1: [0,3) = 3
        assert_eq!(union_length(&mut m), 7);
        assert_eq!(union_length(&mut []), 0);
    }
}
