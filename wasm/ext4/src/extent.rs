//! Extent trees: the root in i_block, interior index nodes and leaves in blocks.
//! Reference: kernel Documentation/filesystems/ext4/ifork.rst "Extent Tree".

use crate::cache::{verified, Verified};
use crate::crc::crc32c_raw;
use crate::fs::{Fs, Run};
use crate::inode::{Inode, I_BLOCK_AT};
use fsabi::error::{corrupt, Corrupt, Result};
use fsabi::le::{le16, le32};
use fsabi::Device;
use std::rc::Rc;

const MAGIC: u16 = 0xF30A;
const ENTRY: usize = 12;
const HEADER: usize = 12;
/// The kernel refuses deeper trees (EXT4_MAX_EXTENT_DEPTH); 5 levels address 2^32 blocks
/// even with 1 KiB blocks, so a larger depth is damage, and the cap bounds the walk.
pub const MAX_DEPTH: u16 = 5;
/// ee_len above this marks an unwritten (preallocated) extent, read as zeros.
const INIT_MAX_LEN: u16 = 32768;

#[derive(Debug, Clone, Copy)]
struct Header {
    entries: u16,
    depth: u16,
}

fn bad(inode: &Inode, offset: u64, detail: &'static str) -> Corrupt {
    corrupt("ext4 extent header", offset, detail).index(inode.ino as u64)
}

/// Validates a node's header; `offset` is the node's byte offset on the device and
/// `capacity` the entries its space holds.
fn header(inode: &Inode, node: &[u8], offset: u64, want_depth: Option<u16>) -> Result<Header> {
    let magic = le16(node, 0);
    if magic != MAGIC {
        return Err(bad(inode, offset, "bad magic")
            .values(MAGIC as u64, magic as u64)
            .into());
    }
    let (entries, max, depth) = (le16(node, 2), le16(node, 4), le16(node, 6));
    let capacity = ((node.len() - HEADER) / ENTRY) as u16;
    if max > capacity || entries > max {
        return Err(bad(inode, offset + 2, "entry count exceeds the node")
            .values(capacity as u64, entries.max(max) as u64)
            .into());
    }
    if depth > MAX_DEPTH {
        return Err(bad(inode, offset + 6, "tree deeper than the limit")
            .values(MAX_DEPTH as u64, depth as u64)
            .into());
    }
    if let Some(d) = want_depth {
        if d != depth {
            return Err(bad(inode, offset + 6, "depth does not match the parent")
                .values(d as u64, depth as u64)
                .into());
        }
    }
    Ok(Header { entries, depth })
}

/// Index of the last entry whose first logical block is <= lblk, if any.
fn search(node: &[u8], entries: u16, lblk: u32) -> Option<usize> {
    let (mut lo, mut hi) = (0usize, entries as usize);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if le32(node, HEADER + mid * ENTRY) <= lblk {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo.checked_sub(1)
}

/// The run of file blocks starting at `lblk`: mapped, unwritten or a hole.
pub fn map<D: Device>(fs: &mut Fs<D>, inode: &Inode, lblk: u32) -> Result<Run> {
    let mut node: Rc<Vec<u8>> = Rc::new(inode.i_block().to_vec());
    let mut offset = inode.offset + I_BLOCK_AT as u64;
    let mut want = None;
    loop {
        let h = header(inode, &node, offset, want)?;
        let found = search(&node, h.entries, lblk);
        if h.depth == 0 {
            return leaf_run(fs, inode, &node, h.entries, found, lblk, offset);
        }
        let i = match found {
            Some(i) => i,
            // Before the first index entry: a hole up to it.
            None => return Ok(hole_until(&node, h.entries, lblk)),
        };
        let at = HEADER + i * ENTRY;
        let child = le32(&node, at + 4) as u64 | (le16(&node, at + 8) as u64) << 32;
        let entry_off = offset + at as u64;
        if !fs.block_valid(child, 1) {
            return Err(corrupt(
                "ext4 extent index",
                entry_off + 4,
                "child block outside the filesystem",
            )
            .index(inode.ino as u64)
            .values(fs.sb.blocks_count, child)
            .into());
        }
        let block = fs.read_block(child)?;
        offset = fs.block_offset(child);
        // Header first: a block that is not an extent node at all says more than a
        // checksum mismatch would.
        header(inode, &block, offset, Some(h.depth - 1))?;
        let v = Verified {
            kind: verified::EXTENT,
            ino: inode.ino,
            lblk: 0,
        };
        fs.verify_once(child, v, |fs| verify_block(fs, inode, &block, offset))?;
        node = block;
        want = Some(h.depth - 1);
    }
}

fn hole_until(node: &[u8], entries: u16, lblk: u32) -> Run {
    // First entry starting after lblk bounds the hole; none means "to the end".
    for i in 0..entries as usize {
        let start = le32(node, HEADER + i * ENTRY);
        if start > lblk {
            return Run::Zero {
                len: (start - lblk) as u64,
            };
        }
    }
    Run::Zero {
        len: (1u64 << 32) - lblk as u64,
    }
}

fn leaf_run<D: Device>(
    fs: &Fs<D>,
    inode: &Inode,
    node: &[u8],
    entries: u16,
    found: Option<usize>,
    lblk: u32,
    offset: u64,
) -> Result<Run> {
    let i = match found {
        Some(i) => i,
        None => return Ok(hole_until(node, entries, lblk)),
    };
    let at = HEADER + i * ENTRY;
    let start = le32(node, at);
    let raw_len = le16(node, at + 4);
    let (len, unwritten) = if raw_len > INIT_MAX_LEN {
        (raw_len - INIT_MAX_LEN, true)
    } else {
        (raw_len, false)
    };
    let pblk = le32(node, at + 8) as u64 | (le16(node, at + 6) as u64) << 32;
    let end = start as u64 + len as u64;
    if (lblk as u64) >= end {
        // Past this extent: a hole to the next one.
        return Ok(hole_until(node, entries, lblk));
    }
    let skip = (lblk - start) as u64;
    let left = end - lblk as u64;
    if unwritten {
        return Ok(Run::Zero { len: left });
    }
    if !fs.block_valid(pblk, len as u64) {
        return Err(corrupt(
            "ext4 extent",
            offset + at as u64 + 6,
            "blocks outside the filesystem",
        )
        .index(inode.ino as u64)
        .values(fs.sb.blocks_count, pblk + len as u64)
        .into());
    }
    Ok(Run::Data {
        pblk: pblk + skip,
        len: left,
    })
}

/// metadata_csum: a 4-byte tail after eh_max entries holds crc32c(inode seed, node).
fn verify_block<D: Device>(fs: &Fs<D>, inode: &Inode, block: &[u8], offset: u64) -> Result<()> {
    if !fs.sb.has_metadata_csum() {
        return Ok(());
    }
    let max = le16(block, 4) as usize;
    let tail = HEADER + max * ENTRY;
    if tail + 4 > block.len() {
        return Err(bad(inode, offset + 4, "no room for the checksum tail").into());
    }
    let stored = le32(block, tail);
    let computed = crc32c_raw(inode.csum_seed, &block[..tail]);
    if stored != computed {
        return Err(corrupt(
            "ext4 extent block",
            offset + tail as u64,
            "checksum mismatch",
        )
        .index(inode.ino as u64)
        .part("checksum")
        .values(computed as u64, stored as u64)
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(entries: &[(u32, u16, u64)], depth: u16) -> Vec<u8> {
        let mut b = vec![0u8; 60];
        b[0..2].copy_from_slice(&MAGIC.to_le_bytes());
        b[2..4].copy_from_slice(&(entries.len() as u16).to_le_bytes());
        b[4..6].copy_from_slice(&4u16.to_le_bytes());
        b[6..8].copy_from_slice(&depth.to_le_bytes());
        for (i, &(l, n, p)) in entries.iter().enumerate() {
            let at = 12 + i * 12;
            b[at..at + 4].copy_from_slice(&l.to_le_bytes());
            b[at + 4..at + 6].copy_from_slice(&n.to_le_bytes());
            b[at + 6..at + 8].copy_from_slice(&((p >> 32) as u16).to_le_bytes());
            b[at + 8..at + 12].copy_from_slice(&(p as u32).to_le_bytes());
        }
        b
    }

    fn dummy() -> Inode {
        crate::inode::parse(
            &crate::superblock::Superblock::parse(&crate::superblock::tests::golden(), 8 << 20)
                .unwrap(),
            12,
            vec![0u8; 256],
            0,
        )
        .unwrap()
    }

    #[test]
    fn header_validation() {
        let ino = dummy();
        let good = node(&[(0, 4, 100)], 0);
        assert!(header(&ino, &good, 0, None).is_ok());
        let mut bad_magic = good.clone();
        bad_magic[0] = 0;
        assert!(
            matches!(header(&ino, &bad_magic, 0, None), Err(fsabi::Error::Corrupt(c)) if c.structure == "ext4 extent header" && c.offset == 0)
        );
        let deep = node(&[], 6);
        assert!(
            matches!(header(&ino, &deep, 0, None), Err(fsabi::Error::Corrupt(c)) if c.offset == 6)
        );
        let mut over = good;
        over[4] = 5; // eh_max beyond the 4 entries 60 bytes hold
        assert!(header(&ino, &over, 0, None).is_err());
    }

    #[test]
    fn search_picks_covering_entry() {
        let n = node(&[(0, 4, 100), (10, 2, 200), (20, 1, 300)], 0);
        assert_eq!(search(&n, 3, 0), Some(0));
        assert_eq!(search(&n, 3, 9), Some(0));
        assert_eq!(search(&n, 3, 10), Some(1));
        assert_eq!(search(&n, 3, 1000), Some(2));
        let n2 = node(&[(5, 1, 1)], 0);
        assert_eq!(search(&n2, 1, 4), None);
        match hole_until(&n, 3, 5) {
            Run::Zero { len } => assert_eq!(len, 5),
            _ => panic!(),
        }
    }
}
