//! An open ext2/3/4 filesystem: superblock, metadata cache, inodes, and the mapping of a
//! file's logical blocks to device blocks (extents or block maps) used by every reader.

use crate::cache::{BlockCache, Verified};
use crate::group_desc::{self, GroupDesc};
use crate::inode::{self, flags, Inode};
use crate::superblock::{incompat, Superblock, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE};
use crate::{extent, indirect, inline};
use fsabi::error::{corrupt, Error, Result};
use fsabi::Device;
use std::rc::Rc;

pub const ROOT_INO: u32 = 2;
/// Inode-table bytes read at once when inodes are read in table order (a listing's batched
/// stat asks for them sorted): one device read per 64 KiB instead of per block.
pub const INODE_READAHEAD_BYTES: u64 = 64 << 10;

/// A run of file blocks: stored at `pblk..pblk+len`, or reading as zeros (hole/unwritten).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Data { pblk: u64, len: u64 },
    Zero { len: u64 },
}

pub struct Fs<D: Device> {
    pub dev: D,
    pub sb: Superblock,
    cache: BlockCache,
    /// The last inode-table block read from the device: a miss on the next one reads ahead.
    last_table_block: u64,
}

impl<D: Device> Fs<D> {
    pub fn open(dev: D) -> Result<Fs<D>> {
        let mut raw = vec![0u8; SUPERBLOCK_SIZE];
        if dev.size() < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE as u64 {
            return Err(corrupt(
                "ext4 superblock",
                SUPERBLOCK_OFFSET,
                "device too small for a superblock",
            )
            .values(SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE as u64, dev.size())
            .into());
        }
        dev.read_at(SUPERBLOCK_OFFSET, &mut raw)?;
        let sb = Superblock::parse(&raw, dev.size())?.with_groups();
        let mut fs = Fs {
            dev,
            sb,
            cache: BlockCache::new(),
            last_table_block: 0,
        };
        // The root must be a readable directory, as the kernel checks at mount.
        let root = fs.inode(ROOT_INO)?;
        if !root.is_dir() {
            return Err(
                corrupt("ext4 inode", root.offset, "root is not a directory")
                    .index(ROOT_INO as u64)
                    .values(inode::mode::S_IFDIR as u64, root.file_type() as u64)
                    .into(),
            );
        }
        Ok(fs)
    }

    pub fn block_offset(&self, block: u64) -> u64 {
        block * self.sb.block_size as u64
    }

    /// True when blocks `block..block+count` lie inside the filesystem (block 0 holds the
    /// boot sector and superblock, never file data or metadata trees).
    pub fn block_valid(&self, block: u64, count: u64) -> bool {
        block > 0
            && block
                .checked_add(count)
                .map_or(false, |end| end <= self.sb.blocks_count)
    }

    /// A metadata block through the cache. The caller has checked `block_valid`.
    pub fn read_block(&mut self, block: u64) -> Result<Rc<Vec<u8>>> {
        if let Some(b) = self.cache.get(block) {
            return Ok(b);
        }
        let mut buf = vec![0u8; self.sb.block_size as usize];
        self.dev.read_at(self.block_offset(block), &mut buf)?;
        let rc = Rc::new(buf);
        self.cache.put(block, rc.clone());
        Ok(rc)
    }

    /// Runs `check` on cached metadata block `block` unless it passed the same check since
    /// it was read (the caller has just read it through `read_block`).
    pub fn verify_once(
        &mut self,
        block: u64,
        v: Verified,
        check: impl FnOnce(&Self) -> Result<()>,
    ) -> Result<()> {
        if self.cache.is_verified(block, v) {
            return Ok(());
        }
        check(self)?;
        self.cache.set_verified(block, v);
        Ok(())
    }

    pub fn group_desc(&mut self, group: u32) -> Result<GroupDesc> {
        let offset = group_desc::locate(&self.sb, group);
        let bs = self.sb.block_size as u64;
        if !self.block_valid(offset / bs, 1) {
            return Err(corrupt(
                "ext4 group descriptor",
                offset,
                "descriptor block outside the filesystem",
            )
            .index(group as u64)
            .values(self.sb.blocks_count, offset / bs)
            .into());
        }
        let block = self.read_block(offset / bs)?;
        let at = (offset % bs) as usize;
        let raw = &block[at..at + self.sb.desc_size as usize];
        group_desc::parse(&self.sb, group, raw, offset)
    }

    pub fn inode(&mut self, ino: u32) -> Result<Inode> {
        if ino == 0 || ino > self.sb.inodes_count {
            return Err(corrupt("ext4 inode number", 0, "out of range")
                .values(self.sb.inodes_count as u64, ino as u64)
                .into());
        }
        let group = (ino - 1) / self.sb.inodes_per_group;
        let index = (ino - 1) % self.sb.inodes_per_group;
        let gd = self.group_desc(group)?;
        let size = self.sb.inode_size as u64;
        let offset = self.block_offset(gd.inode_table) + index as u64 * size;
        let bs = self.sb.block_size as u64;
        let table_end = gd.inode_table + self.table_blocks();
        let block = self.read_table_block(offset / bs, table_end)?;
        let at = (offset % bs) as usize;
        let raw = block[at..at + size as usize].to_vec();
        inode::parse(&self.sb, ino, raw, offset)
    }

    /// Blocks of one group's inode table.
    fn table_blocks(&self) -> u64 {
        let bytes = self.sb.inodes_per_group as u64 * self.sb.inode_size as u64;
        (bytes + self.sb.block_size as u64 - 1) / self.sb.block_size as u64
    }

    /// Inode-table block `block` (the table ends before `end`). A miss right after the
    /// previous one reads up to INODE_READAHEAD_BYTES of the table in one device read and
    /// caches each block; a random miss reads the one block.
    fn read_table_block(&mut self, block: u64, end: u64) -> Result<Rc<Vec<u8>>> {
        if let Some(b) = self.cache.get(block) {
            return Ok(b);
        }
        let bs = self.sb.block_size as u64;
        let n = if block == self.last_table_block + 1 {
            (INODE_READAHEAD_BYTES / bs)
                .max(1)
                .min(end.saturating_sub(block))
                .max(1)
        } else {
            1
        };
        let mut buf = vec![0u8; (n * bs) as usize];
        self.dev.read_at(self.block_offset(block), &mut buf)?;
        self.last_table_block = block + n - 1;
        let mut first = None;
        for (i, chunk) in buf.chunks_exact(bs as usize).enumerate() {
            let rc = Rc::new(chunk.to_vec());
            if i == 0 {
                first = Some(rc.clone());
            }
            self.cache.put(block + i as u64, rc);
        }
        Ok(first.unwrap_or_default())
    }

    /// Where file block `lblk` of `inode` lives. Inline-data inodes have no blocks.
    pub fn map(&mut self, inode: &Inode, lblk: u64) -> Result<Run> {
        if inode.has_flag(flags::EXTENTS) {
            if lblk >= 1 << 32 {
                return Ok(Run::Zero { len: u64::MAX / 2 });
            }
            extent::map(self, inode, lblk as u32)
        } else {
            indirect::map(self, inode, lblk)
        }
    }

    /// Reads file bytes `[offset, offset + buf.len())` of a regular file, directory or slow
    /// symlink; the caller has clipped the range to the file size.
    pub fn read_data(&mut self, inode: &Inode, offset: u64, buf: &mut [u8]) -> Result<()> {
        if inode.has_flag(flags::ENCRYPT) {
            return Err(Error::Unsupported {
                feature: "ext4 encryption (fscrypt)",
                value: None,
            });
        }
        if inode.has_flag(flags::INLINE_DATA) {
            return inline::read(self, inode, offset, buf);
        }
        let bs = self.sb.block_size as u64;
        let mut done = 0usize;
        while done < buf.len() {
            let pos = offset + done as u64;
            let lblk = pos / bs;
            let within = pos % bs;
            let run = self.map(inode, lblk)?;
            let run_blocks = match run {
                Run::Data { len, .. } | Run::Zero { len } => len,
            };
            let avail =
                (run_blocks.saturating_mul(bs) - within).min((buf.len() - done) as u64) as usize;
            let dst = &mut buf[done..done + avail];
            match run {
                Run::Data { pblk, .. } => self.dev.read_at(pblk * bs + within, dst)?,
                Run::Zero { .. } => dst.iter_mut().for_each(|b| *b = 0),
            }
            done += avail;
        }
        Ok(())
    }

    pub fn has_filetype(&self) -> bool {
        self.sb.has_incompat(incompat::FILETYPE)
    }
}
