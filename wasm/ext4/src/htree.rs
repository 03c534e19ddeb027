//! Hash-tree (dx) directory lookup: a root in block 0 and up to two (three with largedir)
//! levels of index nodes leading to the leaf block whose hash range holds the name.
//! Reference: kernel Documentation/filesystems/ext4/directory.rst "Hash Tree Directories".

use crate::cache::{verified, Verified};
use crate::crc::crc32c_raw;
use crate::dir::{self, Entry};
use crate::fs::Fs;
use crate::hash;
use crate::inode::{flags, Inode};
use crate::superblock::{incompat, FLAG_UNSIGNED_HASH};
use fsabi::error::{corrupt, Corrupt, Result};
use fsabi::le::{le16, le32};
use fsabi::Device;
use std::rc::Rc;

const ROOT_INFO_AT: usize = 0x18;
const NODE_COUNT_AT: usize = 8;
const ENTRY: usize = 8;
const TAIL: usize = 8;

fn bad(dir: &Inode, abs: u64, detail: &'static str) -> Corrupt {
    corrupt("ext4 htree node", abs, detail).index(dir.ino as u64)
}

/// Where the count/limit header sits: after dx_root_info in the root, after the fake entry
/// in interior nodes.
fn count_at(dir: &Inode, lblk: u64, block: &[u8], abs: u64) -> Result<usize> {
    if lblk != 0 {
        return Ok(NODE_COUNT_AT);
    }
    let info_len = block[ROOT_INFO_AT + 5] as usize;
    if info_len != 8 || le32(block, ROOT_INFO_AT) != 0 {
        return Err(bad(dir, abs + ROOT_INFO_AT as u64, "bad dx_root_info")
            .values(8, info_len as u64)
            .into());
    }
    Ok(ROOT_INFO_AT + info_len)
}

/// (count, limit) of a node, validated against the space the block has.
fn counts<D: Device>(
    fs: &Fs<D>,
    dir: &Inode,
    block: &[u8],
    at: usize,
    abs: u64,
) -> Result<(usize, usize)> {
    let (limit, count) = (le16(block, at) as usize, le16(block, at + 2) as usize);
    let tail = if fs.sb.has_metadata_csum() { TAIL } else { 0 };
    let room = (block.len() - at - tail) / ENTRY;
    if limit > room || count > limit || count == 0 {
        return Err(bad(dir, abs + at as u64, "bad entry count or limit")
            .values(room as u64, limit.max(count) as u64)
            .into());
    }
    Ok((count, limit))
}

/// Verifies the dx tail checksum of root (lblk 0) or interior node `block`.
pub fn verify_block<D: Device>(
    fs: &Fs<D>,
    dir: &Inode,
    lblk: u64,
    block: &[u8],
    abs: u64,
) -> Result<()> {
    let at = count_at(dir, lblk, block, abs)?;
    let (count, limit) = counts(fs, dir, block, at, abs)?;
    let t = at + limit * ENTRY;
    let mut c = crc32c_raw(dir.csum_seed, &block[..at + count * ENTRY]);
    c = crc32c_raw(c, &block[t..t + 4]);
    c = crc32c_raw(c, &[0; 4]);
    let stored = le32(block, t + 4);
    if c != stored {
        return Err(
            corrupt("ext4 htree node", abs + t as u64 + 4, "checksum mismatch")
                .index(dir.ino as u64)
                .part("checksum")
                .values(c as u64, stored as u64)
                .into(),
        );
    }
    Ok(())
}

struct Level {
    block: Rc<Vec<u8>>,
    at: usize,
    count: usize,
    index: usize,
}

impl Level {
    fn hash(&self, i: usize) -> u32 {
        if i == 0 {
            0
        } else {
            le32(&self.block, self.at + i * ENTRY)
        }
    }
    fn child(&self, i: usize) -> u32 {
        le32(&self.block, self.at + i * ENTRY + 4)
    }
}

/// Reads directory block `lblk` as an index node (root when lblk is 0).
fn load<D: Device>(fs: &mut Fs<D>, dir: &Inode, lblk: u64) -> Result<(Level, u64)> {
    let blocks = (dir.size + fs.sb.block_size as u64 - 1) / fs.sb.block_size as u64;
    let (b, _) = dir::read_block(fs, dir, lblk)?;
    let (block, abs) = match b {
        Some(x) if lblk < blocks => x,
        _ => {
            return Err(
                bad(dir, dir.offset, "index points at a hole or past the end")
                    .values(blocks, lblk)
                    .into(),
            )
        }
    };
    if fs.sb.has_metadata_csum() {
        let v = Verified {
            kind: verified::DX_NODE,
            ino: dir.ino,
            lblk,
        };
        let pblk = abs / fs.sb.block_size as u64;
        fs.verify_once(pblk, v, |fs| verify_block(fs, dir, lblk, &block, abs))?;
    }
    let at = count_at(dir, lblk, &block, abs)?;
    let (count, _) = counts(fs, dir, &block, at, abs)?;
    Ok((
        Level {
            block,
            at,
            count,
            index: 0,
        },
        abs,
    ))
}

fn pick(level: &mut Level, target: u32) {
    // Last entry whose hash is <= target (entry 0 stands for hash 0).
    let (mut lo, mut hi) = (1usize, level.count);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if level.hash(mid) <= target {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    level.index = lo - 1;
}

/// Hash version for names in this directory: the root's, made unsigned per s_flags.
fn version<D: Device>(fs: &Fs<D>, dir: &Inode, root: &[u8], abs: u64) -> Result<u8> {
    let v = root[ROOT_INFO_AT + 4];
    let v = if v <= hash::TEA && fs.sb.flags & FLAG_UNSIGNED_HASH != 0 {
        v + 3
    } else {
        v
    };
    if v == hash::SIPHASH {
        return Err(fsabi::Error::Unsupported {
            feature: "ext4 htree siphash (encrypted casefolded directory)",
            value: None,
        });
    }
    if v > hash::TEA_UNSIGNED {
        return Err(
            bad(dir, abs + ROOT_INFO_AT as u64 + 4, "unknown hash version")
                .values(5, v as u64)
                .into(),
        );
    }
    Ok(v)
}

/// Looks `name` up through the index. Returns None when it is not there.
pub fn lookup<D: Device>(fs: &mut Fs<D>, dir: &Inode, name: &[u8]) -> Result<Option<u32>> {
    let (root, abs) = load(fs, dir, 0)?;
    let v = version(fs, dir, &root.block, abs)?;
    let target = match hash::dx_hash(v, &fs.sb.hash_seed, name) {
        Some(h) => h,
        None => return Ok(None),
    };
    let levels = root.block[ROOT_INFO_AT + 6] as usize;
    let max = if fs.sb.has_incompat(incompat::LARGEDIR) {
        3
    } else {
        2
    };
    if levels >= max {
        return Err(
            bad(dir, abs + ROOT_INFO_AT as u64 + 6, "too many index levels")
                .values(max as u64 - 1, levels as u64)
                .into(),
        );
    }
    let mut path = vec![root];
    loop {
        let top = path.len() - 1;
        pick(&mut path[top], target);
        if path.len() > levels {
            break;
        }
        let child = path[top].child(path[top].index) as u64;
        path.push(load(fs, dir, child)?.0);
    }
    loop {
        let top = path.len() - 1;
        let leaf = path[top].child(path[top].index) as u64;
        if let Some(ino) = search_leaf(fs, dir, leaf, name)? {
            return Ok(Some(ino));
        }
        // Names whose hashes collide may spill into the next leaf, whose index entry then
        // carries the same hash with bit 0 set.
        if !advance(fs, dir, &mut path)? {
            return Ok(None);
        }
        let top = path.len() - 1;
        let next_hash = path[top].hash(path[top].index);
        if next_hash & !1 != target {
            return Ok(None);
        }
    }
}

/// Moves `path` to the next leaf in hash order; false at the end of the index.
fn advance<D: Device>(fs: &mut Fs<D>, dir: &Inode, path: &mut Vec<Level>) -> Result<bool> {
    let depth = path.len();
    let mut up = depth;
    while up > 0 {
        let l = &mut path[up - 1];
        if l.index + 1 < l.count {
            l.index += 1;
            break;
        }
        up -= 1;
    }
    if up == 0 {
        return Ok(false);
    }
    path.truncate(up);
    while path.len() < depth {
        let top = path.len() - 1;
        let child = path[top].child(path[top].index) as u64;
        let mut next = load(fs, dir, child)?.0;
        next.index = 0;
        path.push(next);
    }
    Ok(true)
}

fn search_leaf<D: Device>(
    fs: &mut Fs<D>,
    dir: &Inode,
    lblk: u64,
    name: &[u8],
) -> Result<Option<u32>> {
    let (b, _) = dir::read_block(fs, dir, lblk)?;
    let (block, abs) = match b {
        Some(x) => x,
        None => {
            return Err(bad(dir, dir.offset, "leaf is a hole")
                .values(0, lblk)
                .into())
        }
    };
    let end = dir::check_block(fs, dir, lblk, &block, abs)?;
    let mut found = None;
    dir::walk_area(fs, dir, &block[..end], 0, abs, 0, &mut |e: Entry| {
        if e.name == name {
            found = Some(e.inode);
            return false;
        }
        true
    })?;
    Ok(found)
}

/// Whether lookups in `dir` go through the index.
pub fn is_indexed<D: Device>(fs: &Fs<D>, dir: &Inode) -> bool {
    const DIR_INDEX: u32 = 0x20;
    fs.sb.feature_compat & DIR_INDEX != 0
        && dir.has_flag(flags::INDEX)
        && !dir.has_flag(flags::INLINE_DATA)
        // Casefolded names hash after Unicode folding, which this driver does not do: a
        // linear scan finds the exact stored name instead.
        && !dir.has_flag(flags::CASEFOLD)
}
