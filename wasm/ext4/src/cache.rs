//! A small cache of metadata blocks (inode tables, extent nodes, indirect blocks, directory
//! and xattr blocks), so walking a tree for each run of a sequential read costs no I/O.
//! File data never goes through it: data runs are read straight into the caller's buffer.
//! Each entry also remembers the last checksum it passed (`Verified`), so a block that
//! every read walks through (an extent leaf, a directory's root) is checksummed once per
//! stay in the cache, not once per call.

use std::rc::Rc;

/// Blocks kept per open filesystem: deep enough for an extent path of the maximum depth,
/// a triple-indirect chain and the directory blocks of a lookup, with room for reuse;
/// at 64 KiB blocks this caps the cache at 4 MiB.
pub const CACHE_BLOCKS: usize = 64;

/// Which check a block passed: the kind of structure, and the inode and logical block it
/// was checked for (checksums are seeded per inode; htree roots differ from interior nodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub kind: u8,
    pub ino: u32,
    pub lblk: u64,
}

pub mod verified {
    pub const EXTENT: u8 = 1;
    pub const DIR_LEAF: u8 = 2;
    pub const DX_NODE: u8 = 3;
}

struct Entry {
    block: u64,
    data: Rc<Vec<u8>>,
    used: u64,
    verified: Option<Verified>,
}

pub struct BlockCache {
    entries: Vec<Entry>,
    clock: u64,
}

impl BlockCache {
    pub fn new() -> Self {
        BlockCache {
            entries: Vec::new(),
            clock: 0,
        }
    }

    pub fn get(&mut self, block: u64) -> Option<Rc<Vec<u8>>> {
        self.clock += 1;
        let now = self.clock;
        let e = self.entries.iter_mut().find(|e| e.block == block)?;
        e.used = now;
        Some(e.data.clone())
    }

    pub fn put(&mut self, block: u64, data: Rc<Vec<u8>>) {
        self.clock += 1;
        let e = Entry {
            block,
            data,
            used: self.clock,
            verified: None,
        };
        if self.entries.len() < CACHE_BLOCKS {
            self.entries.push(e);
            return;
        }
        // Evict the least recently used entry.
        let mut oldest = 0;
        for (i, x) in self.entries.iter().enumerate() {
            if x.used < self.entries[oldest].used {
                oldest = i;
            }
        }
        self.entries[oldest] = e;
    }

    /// True when cached `block` passed check `v` since it was read.
    pub fn is_verified(&self, block: u64, v: Verified) -> bool {
        self.entries
            .iter()
            .any(|e| e.block == block && e.verified == Some(v))
    }

    /// Records that cached `block` passed check `v` (nothing if it is no longer cached).
    pub fn set_verified(&mut self, block: u64, v: Verified) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.block == block) {
            e.verified = Some(v);
        }
    }
}

impl Default for BlockCache {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_lasts_while_cached_and_is_per_check() {
        let mut c = BlockCache::new();
        let v = Verified {
            kind: verified::EXTENT,
            ino: 12,
            lblk: 0,
        };
        c.put(7, Rc::new(vec![0; 8]));
        assert!(!c.is_verified(7, v));
        c.set_verified(7, v);
        assert!(c.is_verified(7, v));
        assert!(!c.is_verified(7, Verified { ino: 13, ..v }));
        // Evicted and read again: checked again.
        for b in 100..100 + CACHE_BLOCKS as u64 {
            c.put(b, Rc::new(vec![]));
        }
        c.put(7, Rc::new(vec![0; 8]));
        assert!(!c.is_verified(7, v));
    }
}
