//! A small cache of metadata blocks (inode tables, extent nodes, indirect blocks, directory
//! and xattr blocks), so walking a tree for each run of a sequential read costs no I/O.
//! File data never goes through it: data runs are read straight into the caller's buffer.

use std::rc::Rc;

/// Blocks kept per open filesystem: deep enough for an extent path of the maximum depth,
/// a triple-indirect chain and the directory blocks of a lookup, with room for reuse;
/// at 64 KiB blocks this caps the cache at 4 MiB.
pub const CACHE_BLOCKS: usize = 64;

pub struct BlockCache {
    entries: Vec<(u64, Rc<Vec<u8>>, u64)>,
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
        for e in self.entries.iter_mut() {
            if e.0 == block {
                e.2 = now;
                return Some(e.1.clone());
            }
        }
        None
    }

    pub fn put(&mut self, block: u64, data: Rc<Vec<u8>>) {
        self.clock += 1;
        if self.entries.len() < CACHE_BLOCKS {
            self.entries.push((block, data, self.clock));
            return;
        }
        // Evict the least recently used entry.
        let mut oldest = 0;
        for (i, e) in self.entries.iter().enumerate() {
            if e.2 < self.entries[oldest].2 {
                oldest = i;
            }
        }
        self.entries[oldest] = (block, data, self.clock);
    }
}

impl Default for BlockCache {
    fn default() -> Self {
        Self::new()
    }
}
