//! $I30 directory indexes: a B-tree of $FILE_NAME keys whose root node lives in the
//! resident $INDEX_ROOT and whose other nodes are INDX records in $INDEX_ALLOCATION (in use
//! when their bit in the $I30 $BITMAP is set). Listing walks the tree in order, which is
//! the collation order; lookup descends it comparing names through $UpCase.
//! Reference: Linux-NTFS project documentation, "Attribute - $INDEX_ROOT (0x90)",
//! "$INDEX_ALLOCATION (0xA0)", "Concepts: Index Record", "Concepts: Directory Tree".

use crate::attribute::{kind, misplaced};
use crate::file_name::{self, FileName};
use crate::fixup;
use crate::fs::Fs;
use crate::inode::Inode;
use crate::stream::{self, Stream};
use crate::upcase::UpCase;
use core::cmp::Ordering;
use fsabi::error::{corrupt, Corrupt, Error, Result};
use fsabi::le::{le16, le32, le64};
use fsabi::Device;
use std::rc::Rc;

pub const I30: [u16; 4] = [0x24, 0x49, 0x33, 0x30];
/// A B-tree of 4 KiB nodes holding ~30 names each is 6 levels deep at a billion names;
/// anything deeper is a loop in a damaged index.
pub const MAX_INDEX_DEPTH: usize = 32;
/// One bit per index block: 1 MiB of bitmap covers 8 Mi blocks (32 GiB of directory).
pub const MAX_INDEX_BITMAP: u64 = 1 << 20;
const COLLATION_FILE_NAME: u32 = 1;
const ENTRY_SUBNODE: u16 = 0x1;
const ENTRY_END: u16 = 0x2;
const ENTRY_HEADER: usize = 16;
const ROOT_HEADER: usize = 16;
/// INDX: magic, fixup fields, LSN, VCN (24 bytes), then the 16-byte node header.
const INDX_NODE_HEADER: usize = 24;
const INDX_HEADER_LEN: usize = 0x28;

#[derive(Debug, Clone)]
pub struct Entry {
    /// File reference (record number and sequence) of the named file.
    pub mref: u64,
    /// None for the end entry of a node.
    pub name: Option<FileName>,
    pub child: Option<u64>,
}

#[derive(Debug)]
pub struct Node {
    pub entries: Vec<Entry>,
}

/// An open directory index.
pub struct Dir {
    pub ino: u64,
    pub root: Rc<Node>,
    alloc: Option<Stream>,
    bitmap: Vec<u8>,
    block_size: u32,
    vcn_shift: u32,
}

fn derr(ino: u64, at: u64, part: &'static str, detail: &'static str) -> Corrupt {
    corrupt("NTFS directory", at, detail).index(ino).part(part)
}

/// Decodes the entries of one node: `buf[start..end]`, `at` = device offset of `buf[0]`.
fn parse_entries(buf: &[u8], start: usize, end: usize, ino: u64, at: u64) -> Result<Node> {
    let mut entries = Vec::new();
    let mut pos = start;
    loop {
        if pos + ENTRY_HEADER > end {
            return Err(derr(
                ino,
                at + pos as u64,
                "index entry",
                "entries end without a last entry",
            )
            .into());
        }
        let len = le16(buf, pos + 8) as usize;
        let key_len = le16(buf, pos + 10) as usize;
        let flags = le16(buf, pos + 12);
        let sub = flags & ENTRY_SUBNODE != 0;
        let min = if sub { ENTRY_HEADER + 8 } else { ENTRY_HEADER };
        if len < min || len % 8 != 0 || pos + len > end {
            return Err(derr(
                ino,
                at + pos as u64 + 8,
                "index entry",
                "entry length out of range",
            )
            .values(min as u64, len as u64)
            .into());
        }
        let child = if sub {
            Some(le64(buf, pos + len - 8))
        } else {
            None
        };
        if flags & ENTRY_END != 0 {
            entries.push(Entry {
                mref: 0,
                name: None,
                child,
            });
            return Ok(Node { entries });
        }
        let room = len - min;
        if key_len < file_name::HEADER_LEN || key_len > room {
            return Err(derr(
                ino,
                at + pos as u64 + 10,
                "index entry",
                "key length out of range",
            )
            .values(room as u64, key_len as u64)
            .into());
        }
        let key = &buf[pos + ENTRY_HEADER..pos + ENTRY_HEADER + key_len];
        let name = file_name::parse(key).map_err(|(off, detail)| {
            derr(
                ino,
                at + (pos + ENTRY_HEADER + off) as u64,
                "index entry",
                detail,
            )
        })?;
        entries.push(Entry {
            mref: le64(buf, pos),
            name: Some(name),
            child,
        });
        pos += len;
    }
}

/// Opens the $I30 index of directory `inode`.
pub fn open<D: Device>(fs: &Fs<D>, inode: &Inode) -> Result<Dir> {
    let ino = inode.number;
    let attr = match inode.extents(kind::INDEX_ROOT, &I30).first() {
        Some(a) => *a,
        None => {
            let e = derr(
                ino,
                inode.offset,
                "index root",
                "directory without $I30 root",
            );
            return Err(e.into());
        }
    };
    let v = match attr.resident_value() {
        Some(v) if v.len() >= ROOT_HEADER + 16 => v,
        _ => return Err(misplaced(attr, "$INDEX_ROOT is non-resident or too short")),
    };
    let (block_size, root) = parse_root(v, ino, attr.value_at, fs.boot.index_record_size)?;
    let cs = fs.boot.cluster_size;
    // Index VCNs count clusters, or 512-byte units when blocks are smaller than a cluster.
    let vcn_shift = if block_size >= cs {
        cs.trailing_zeros()
    } else {
        9
    };
    let mut dir = Dir {
        ino,
        root: Rc::new(root),
        alloc: None,
        bitmap: Vec::new(),
        block_size,
        vcn_shift,
    };
    if v[ROOT_HEADER + 12] & 1 != 0 {
        dir.alloc = inode.stream(kind::INDEX_ALLOCATION, &I30, fs.boot.total_clusters)?;
        dir.bitmap = read_bitmap(fs, inode)?;
    }
    Ok(dir)
}

/// The $INDEX_ROOT value: indexed type, collation, block size, then the root node.
fn parse_root(v: &[u8], ino: u64, at: u64, expected_block: u32) -> Result<(u32, Node)> {
    let err = |off: usize, detail| derr(ino, at + off as u64, "index root", detail);
    if le32(v, 0) != kind::FILE_NAME {
        let e = err(0, "$I30 does not index file names");
        return Err(e.values(kind::FILE_NAME as u64, le32(v, 0) as u64).into());
    }
    if le32(v, 4) != COLLATION_FILE_NAME {
        let value = Some(le32(v, 4) as u64);
        return Err(Error::Unsupported {
            feature: "NTFS directory collation rule",
            value,
        });
    }
    let block_size = le32(v, 8);
    if !block_size.is_power_of_two() || !(512..=65536).contains(&block_size) {
        let e = err(8, "index block size out of range");
        return Err(e.values(expected_block as u64, block_size as u64).into());
    }
    let start = ROOT_HEADER + le32(v, ROOT_HEADER) as usize;
    let end = ROOT_HEADER + le32(v, ROOT_HEADER + 4) as usize;
    if start < ROOT_HEADER + 16 || start > end || end > v.len() {
        let e = err(ROOT_HEADER, "entries outside the index root");
        return Err(e.values(v.len() as u64, end as u64).into());
    }
    Ok((block_size, parse_entries(v, start, end, ino, at)?))
}

/// The $I30 $BITMAP (one bit per index block), bounded before allocating.
fn read_bitmap<D: Device>(fs: &Fs<D>, inode: &Inode) -> Result<Vec<u8>> {
    let b = match inode.stream(kind::BITMAP, &I30, fs.boot.total_clusters)? {
        Some(b) => b,
        None => return Ok(Vec::new()),
    };
    if b.size() > MAX_INDEX_BITMAP {
        let e = derr(
            inode.number,
            b.offset,
            "index bitmap",
            "bitmap larger than the limit",
        );
        return Err(e.values(MAX_INDEX_BITMAP, b.size()).into());
    }
    let mut bitmap = vec![0u8; b.size() as usize];
    stream::read(&fs.dev, &fs.boot, &b, 0, &mut bitmap)?;
    Ok(bitmap)
}

/// The INDX node at `vcn` (checked against the bitmap, fixed up, cached).
pub fn block<D: Device>(fs: &mut Fs<D>, dir: &Dir, vcn: u64) -> Result<Rc<Node>> {
    if let Some(n) = fs.index_cache.get((dir.ino, vcn)) {
        return Ok(n);
    }
    let alloc = match &dir.alloc {
        Some(a) => a,
        None => {
            return Err(derr(
                dir.ino,
                dir_offset(dir),
                "index entry",
                "child pointer in an index without $INDEX_ALLOCATION",
            )
            .into())
        }
    };
    let bs = dir.block_size as u64;
    let byte = vcn
        .checked_mul(1 << dir.vcn_shift)
        .filter(|b| b.checked_add(bs).map_or(false, |e| e <= alloc.size()));
    let byte = match byte {
        Some(b) => b,
        None => {
            return Err(derr(
                dir.ino,
                alloc.offset,
                "index entry",
                "child VCN past the index allocation",
            )
            .values(alloc.size(), vcn)
            .into())
        }
    };
    let nr = byte / bs;
    let in_use = dir
        .bitmap
        .get((nr / 8) as usize)
        .map_or(false, |b| b & (1 << (nr % 8)) != 0);
    if !in_use {
        return Err(derr(
            dir.ino,
            alloc.offset,
            "index bitmap",
            "child block is marked free in $BITMAP",
        )
        .values(1, nr)
        .into());
    }
    let at = alloc.device_offset(&fs.boot, byte).unwrap_or(alloc.offset);
    let mut buf = vec![0u8; bs as usize];
    stream::read(&fs.dev, &fs.boot, alloc, byte, &mut buf)?;
    let node = Rc::new(parse_block(&mut buf, dir.ino, vcn, at)?);
    fs.index_cache.put((dir.ino, vcn), node.clone());
    Ok(node)
}

fn dir_offset(dir: &Dir) -> u64 {
    dir.alloc.as_ref().map_or(0, |a| a.offset)
}

fn parse_block(buf: &mut [u8], ino: u64, vcn: u64, at: u64) -> Result<Node> {
    if &buf[0..4] != b"INDX" {
        return Err(derr(ino, at, "INDX header", "bad magic (not INDX)")
            .values(0x5844_4E49, le32(buf, 0) as u64)
            .into());
    }
    if let Err(f) = fixup::apply(buf, INDX_HEADER_LEN) {
        return Err(
            derr(ino, at + f.at as u64, "INDX update sequence", f.detail)
                .values(f.expected, f.actual)
                .into(),
        );
    }
    if le64(buf, 16) != vcn {
        return Err(derr(
            ino,
            at + 16,
            "INDX header",
            "block VCN field differs from its position",
        )
        .values(vcn, le64(buf, 16))
        .into());
    }
    let start = INDX_NODE_HEADER + le32(buf, INDX_NODE_HEADER) as usize;
    let end = INDX_NODE_HEADER + le32(buf, INDX_NODE_HEADER + 4) as usize;
    if start < INDX_HEADER_LEN || start > end || end > buf.len() {
        return Err(derr(
            ino,
            at + INDX_NODE_HEADER as u64,
            "INDX header",
            "entries outside the block",
        )
        .values(buf.len() as u64, end as u64)
        .into());
    }
    parse_entries(buf, start, end, ino, at)
}

struct Frame {
    node: Rc<Node>,
    next: usize,
    child_done: bool,
}

/// An in-order walk of one directory's B-tree, resumable between readdir batches.
pub struct Cursor {
    pub dir: u64,
    /// Entries (end entries excluded) returned so far.
    pub ordinal: u64,
    stack: Vec<Frame>,
    /// One bit per index block walked (sized like the $I30 bitmap, which bounds it).
    visited: Vec<u8>,
    pending: Option<Entry>,
}

enum Step {
    Descend(u64),
    Pop,
    Emit(Entry),
    Skip,
}

impl Cursor {
    pub fn new(dir: &Dir) -> Cursor {
        Cursor {
            dir: dir.ino,
            ordinal: 0,
            stack: vec![Frame {
                node: dir.root.clone(),
                next: 0,
                child_done: false,
            }],
            visited: Vec::new(),
            pending: None,
        }
    }

    /// Gives back the entry `next` just returned (it did not fit the caller's buffer).
    pub fn unread(&mut self, e: Entry) {
        self.pending = Some(e);
        self.ordinal -= 1;
    }

    /// The next entry in collation order, or None at the end.
    pub fn next<D: Device>(&mut self, fs: &mut Fs<D>, dir: &Dir) -> Result<Option<Entry>> {
        if let Some(e) = self.pending.take() {
            self.ordinal += 1;
            return Ok(Some(e));
        }
        loop {
            match self.step() {
                None => return Ok(None),
                Some(Step::Pop) => {
                    self.stack.pop();
                    if let Some(parent) = self.stack.last_mut() {
                        parent.child_done = true;
                    }
                }
                Some(Step::Descend(vcn)) => {
                    if self.stack.len() >= MAX_INDEX_DEPTH {
                        return Err(derr(
                            dir.ino,
                            dir_offset(dir),
                            "index entry",
                            "index deeper than the sanity limit",
                        )
                        .values(MAX_INDEX_DEPTH as u64, self.stack.len() as u64)
                        .into());
                    }
                    // block() checked the VCN against the allocation and the bitmap.
                    let node = block(fs, dir, vcn)?;
                    // Each block has one parent; meeting one twice means the tree has a loop.
                    if !self.first_visit(dir, vcn) {
                        return Err(derr(
                            dir.ino,
                            dir_offset(dir),
                            "index entry",
                            "index block referenced twice (loop)",
                        )
                        .values(0, vcn)
                        .into());
                    }
                    self.stack.push(Frame {
                        node,
                        next: 0,
                        child_done: false,
                    });
                }
                Some(Step::Emit(e)) => {
                    self.ordinal += 1;
                    return Ok(Some(e));
                }
                Some(Step::Skip) => {}
            }
        }
    }

    fn first_visit(&mut self, dir: &Dir, vcn: u64) -> bool {
        let nr = ((vcn << dir.vcn_shift) / dir.block_size as u64) as usize;
        if self.visited.len() <= nr / 8 {
            self.visited.resize(nr / 8 + 1, 0);
        }
        let (byte, bit) = (nr / 8, 1u8 << (nr % 8));
        let first = self.visited[byte] & bit == 0;
        self.visited[byte] |= bit;
        first
    }

    fn step(&mut self) -> Option<Step> {
        let top = self.stack.last_mut()?;
        if top.next >= top.node.entries.len() {
            return Some(Step::Pop);
        }
        let e = &top.node.entries[top.next];
        if let (Some(vcn), false) = (e.child, top.child_done) {
            return Some(Step::Descend(vcn));
        }
        let out = if e.name.is_some() {
            Step::Emit(e.clone())
        } else {
            Step::Skip
        };
        top.next += 1;
        top.child_done = false;
        Some(out)
    }
}

/// Finds `key`: an exact (case-sensitive) match wins; otherwise the first entry equal to it
/// ignoring case through $UpCase, as Windows resolves names.
pub fn lookup<D: Device>(
    fs: &mut Fs<D>,
    dir: &Dir,
    up: &UpCase,
    key: &[u16],
) -> Result<Option<Entry>> {
    let mut best = None;
    let root = dir.root.clone();
    search(fs, dir, &root, up, key, 1, &mut best)?;
    Ok(best)
}

fn search<D: Device>(
    fs: &mut Fs<D>,
    dir: &Dir,
    node: &Rc<Node>,
    up: &UpCase,
    key: &[u16],
    depth: usize,
    best: &mut Option<Entry>,
) -> Result<bool> {
    for e in node.entries.iter() {
        // The end entry sorts after every name.
        let ord = e
            .name
            .as_ref()
            .map_or(Ordering::Less, |f| up.cmp_ignore_case(key, &f.name));
        if ord == Ordering::Greater {
            continue;
        }
        if let Some(vcn) = e.child {
            if depth >= MAX_INDEX_DEPTH {
                return Err(derr(
                    dir.ino,
                    dir_offset(dir),
                    "index entry",
                    "index deeper than the sanity limit",
                )
                .values(MAX_INDEX_DEPTH as u64, depth as u64)
                .into());
            }
            let child = block(fs, dir, vcn)?;
            if search(fs, dir, &child, up, key, depth + 1, best)? {
                return Ok(true);
            }
        }
        if ord == Ordering::Less {
            return Ok(false);
        }
        // Equal ignoring case: names differing only in case sit next to each other.
        if e.name.as_ref().map_or(false, |f| f.name == key) {
            *best = Some(e.clone());
            return Ok(true);
        }
        if best.is_none() {
            *best = Some(e.clone());
        }
    }
    Ok(false)
}
