//! Linear directories: blocks of ext4_dir_entry_2 records (and the inline-data variant),
//! the metadata_csum tail of leaf blocks, readdir by cookie and linear lookup.
//! Reference: kernel Documentation/filesystems/ext4/directory.rst "Linear (Classic)
//! Directories" and "Checksums".

use crate::cache::{verified, Verified};
use crate::crc::crc32c_raw;
use crate::fs::{Fs, Run};
use crate::htree;
use crate::inline;
use crate::inode::{flags, Inode, I_BLOCK_AT};
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{le16, le32};
use fsabi::Device;

/// Size of the fake entry that carries a leaf block's checksum.
pub const TAIL_SIZE: usize = 12;
/// The cookie readdir returns once a directory is exhausted.
pub const END: u64 = u64::MAX;

pub struct Entry {
    pub inode: u32,
    pub name: Vec<u8>,
    pub file_type: u8,
    /// The cookie of this entry: readdir resumes here.
    pub pos: u64,
}

/// rec_len as stored; 64 KiB blocks need the two extra bits (ext4_rec_len_from_disk).
fn rec_len(raw: u16, block_size: usize) -> usize {
    if block_size < 65536 {
        raw as usize
    } else if raw == 65535 || raw == 0 {
        65536
    } else {
        (raw as usize & 65532) | ((raw as usize & 3) << 16)
    }
}

/// Parses the entries of `area` from byte `from`, calling `each(entry)` for live ones
/// (`inode != 0`) until it returns false. `abs` is area[0]'s device offset and `base` its
/// cookie. Returns whether the walk reached the end of the area.
pub fn walk_area(
    fs: &Fs<impl Device>,
    dir: &Inode,
    area: &[u8],
    from: usize,
    abs: u64,
    base: u64,
    each: &mut dyn FnMut(Entry) -> bool,
) -> Result<bool> {
    let filetype = fs.has_filetype();
    let mut pos = from;
    while pos < area.len() {
        let bad = |detail: &'static str, want: u64, got: u64| -> Error {
            corrupt("ext4 directory entry", abs + pos as u64, detail)
                .index(dir.ino as u64)
                .values(want, got)
                .into()
        };
        if pos + 8 > area.len() {
            return Err(bad(
                "entry header runs off the block",
                area.len() as u64,
                pos as u64 + 8,
            ));
        }
        let inode = le32(area, pos);
        let len = rec_len(le16(area, pos + 4), fs.sb.block_size as usize);
        let (name_len, file_type) = if filetype {
            (area[pos + 6] as usize, area[pos + 7])
        } else {
            (le16(area, pos + 6) as usize, 0)
        };
        if len < 12 || len % 4 != 0 {
            return Err(bad("bad rec_len", 12, len as u64));
        }
        if len < (8 + name_len + 3) & !3 || pos + len > area.len() {
            return Err(bad(
                "rec_len does not fit the name or the block",
                (area.len() - pos) as u64,
                len as u64,
            ));
        }
        if inode > fs.sb.inodes_count {
            return Err(bad(
                "inode number out of range",
                fs.sb.inodes_count as u64,
                inode as u64,
            ));
        }
        if inode != 0 {
            let name = area[pos + 8..pos + 8 + name_len].to_vec();
            if !each(Entry {
                inode,
                name,
                file_type,
                pos: base + pos as u64,
            }) {
                return Ok(false);
            }
        }
        pos += len;
    }
    Ok(true)
}

fn has_tail(block: &[u8]) -> bool {
    let t = block.len() - TAIL_SIZE;
    le32(block, t) == 0
        && le16(block, t + 4) == TAIL_SIZE as u16
        && block[t + 6] == 0
        && block[t + 7] == 0xDE
}

/// An htree interior node looks like one empty entry spanning the whole block.
pub fn is_dx_node(block: &[u8]) -> bool {
    le32(block, 0) == 0 && rec_len(le16(block, 4), block.len()) == block.len()
}

/// Verifies a directory block's checksum (metadata_csum) and returns the length of the
/// part that holds entries. `block` was just read through the block cache from `abs`.
pub fn check_block(
    fs: &mut Fs<impl Device>,
    dir: &Inode,
    lblk: u64,
    block: &[u8],
    abs: u64,
) -> Result<usize> {
    if !fs.sb.has_metadata_csum() {
        return Ok(block.len());
    }
    let pblk = abs / fs.sb.block_size as u64;
    let v = |kind| Verified {
        kind,
        ino: dir.ino,
        lblk,
    };
    // Index blocks first, as the kernel decides: a root converted from a leaf keeps the
    // old leaf tail's bytes in dx_tail's reserved word, so it can look like a leaf.
    if dir.has_flag(flags::INDEX) && (lblk == 0 || is_dx_node(block)) {
        fs.verify_once(pblk, v(verified::DX_NODE), |fs| {
            htree::verify_block(fs, dir, lblk, block, abs)
        })?;
        return Ok(block.len());
    }
    if has_tail(block) {
        let t = block.len() - TAIL_SIZE;
        fs.verify_once(pblk, v(verified::DIR_LEAF), |_| {
            let stored = le32(block, t + 8);
            let computed = crc32c_raw(dir.csum_seed, &block[..t]);
            if stored == computed {
                return Ok(());
            }
            Err(corrupt(
                "ext4 directory block",
                abs + t as u64 + 8,
                "checksum mismatch",
            )
            .index(dir.ino as u64)
            .part("checksum")
            .values(computed as u64, stored as u64)
            .into())
        })?;
        return Ok(t);
    }
    Err(corrupt(
        "ext4 directory block",
        abs + (block.len() - TAIL_SIZE) as u64,
        "no checksum tail",
    )
    .index(dir.ino as u64)
    .part("checksum")
    .into())
}

/// A directory block's bytes and device offset; None for a hole.
pub type DirBlock = Option<(std::rc::Rc<Vec<u8>>, u64)>;

/// Reads directory block `lblk` (None for a hole, which readdir skips as the kernel does),
/// with the number of blocks to step over.
pub fn read_block<D: Device>(fs: &mut Fs<D>, dir: &Inode, lblk: u64) -> Result<(DirBlock, u64)> {
    match fs.map(dir, lblk)? {
        Run::Zero { len } => Ok((None, len)),
        Run::Data { pblk, .. } => {
            let b = fs.read_block(pblk)?;
            Ok((Some((b, fs.block_offset(pblk))), 1))
        }
    }
}

/// Calls `each` for entries from `cookie` on, in on-disk order, until it returns false;
/// returns the cookie to resume from (END when the directory is exhausted).
pub fn readdir<D: Device>(
    fs: &mut Fs<D>,
    dir: &Inode,
    cookie: u64,
    each: &mut dyn FnMut(Entry) -> bool,
) -> Result<u64> {
    check_readable(dir)?;
    if dir.has_flag(flags::INLINE_DATA) {
        return readdir_inline(fs, dir, cookie, each);
    }
    let bs = fs.sb.block_size as u64;
    let blocks = (dir.size + bs - 1) / bs;
    let mut lblk = cookie / bs;
    let mut from = (cookie % bs) as usize;
    while lblk < blocks {
        let (block, step) = read_block(fs, dir, lblk)?;
        if let Some((block, abs)) = block {
            let end = check_block(fs, dir, lblk, &block, abs)?;
            let mut stopped_at = None;
            let done = walk_area(
                fs,
                dir,
                &block[..end],
                from,
                abs,
                lblk * bs,
                &mut |e: Entry| {
                    let pos = e.pos;
                    let more = each(e);
                    if !more {
                        stopped_at = Some(pos);
                    }
                    more
                },
            )?;
            if !done {
                return Ok(stopped_at.unwrap_or(END));
            }
        }
        lblk += step;
        from = 0;
    }
    Ok(END)
}

/// Inline directories: i_block holds the parent's inode number then entries; system.data
/// continues them. Cookies 0..56 address i_block's entries, 56.. the attribute's.
fn readdir_inline<D: Device>(
    fs: &mut Fs<D>,
    dir: &Inode,
    cookie: u64,
    each: &mut dyn FnMut(Entry) -> bool,
) -> Result<u64> {
    let content = inline::content(fs, dir)?;
    let first_len = (crate::inode::I_BLOCK_LEN - 4) as u64;
    let abs = dir.offset + I_BLOCK_AT as u64;
    let parts: [(&[u8], u64, u64); 2] = [
        (&content[4..60], 0, abs + 4),
        (&content[60..], first_len, abs),
    ];
    for (area, base, area_abs) in parts {
        let end = base + area.len() as u64;
        if cookie >= end || area.is_empty() {
            continue;
        }
        let from = cookie.saturating_sub(base) as usize;
        let mut stopped_at = None;
        let done = walk_area(fs, dir, area, from, area_abs, base, &mut |e: Entry| {
            let pos = e.pos;
            let more = each(e);
            if !more {
                stopped_at = Some(pos);
            }
            more
        })?;
        if !done {
            return Ok(stopped_at.unwrap_or(END));
        }
    }
    Ok(END)
}

pub fn check_readable(dir: &Inode) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::NotDir);
    }
    if dir.has_flag(flags::ENCRYPT) {
        return Err(Error::Unsupported {
            feature: "ext4 encryption (fscrypt)",
            value: None,
        });
    }
    Ok(())
}

/// Finds `name` by reading every entry (unindexed, inline and casefolded directories).
pub fn lookup_linear<D: Device>(fs: &mut Fs<D>, dir: &Inode, name: &[u8]) -> Result<Option<u32>> {
    let mut found = None;
    readdir(fs, dir, 0, &mut |e: Entry| {
        if e.name == name {
            found = Some(e.inode);
            return false;
        }
        true
    })?;
    Ok(found)
}
