//! The file operations behind the exports, writing the fixed-layout records the adapter
//! decodes (wasm/README.md "Records"; stat and readdir share ext4's layouts). Stat values
//! follow ntfs-3g with default options: every file, directory and symlink has mode 0777
//! (FILE_ATTRIBUTE_READONLY/HIDDEN/SYSTEM do not change it), uid and gid 0, directories
//! one link and their $I30 allocation as size.

use crate::attribute::kind;
use crate::classify::{classify, Class, Kind};
use crate::file_name::namespace;
use crate::fs::{Fs, FIRST_USER};
use crate::index::{self, Cursor, I30};
use crate::inode::Inode;
use crate::interix::Interix;
use crate::links;
use crate::mft_record::{mref_record, mref_sequence};
use crate::standard_information::file_attr;
use crate::stream::{self, Stream, StreamData};
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{put16, put32, put64};
use fsabi::Device;
use std::rc::Rc;

pub const STAT_SIZE: usize = 128;
pub const READDIR_HEADER: usize = 16;
const DIRENT_HEADER: usize = 12;
/// 255 UTF-16 units are at most 765 bytes of UTF-8.
const MAX_NAME_BYTES: usize = 765;
const MAX_NAME_UNITS: usize = 255;
const READDIR_END: u64 = u64::MAX;

pub fn out_record(out: &mut [u8], size: usize) -> Result<&mut [u8]> {
    if out.len() < size {
        return Err(Error::Invalid("output buffer smaller than the record"));
    }
    let r = &mut out[..size];
    r.iter_mut().for_each(|b| *b = 0);
    Ok(r)
}

/// A file number the caller gave: outside the MFT, free or an extension record is ENOENT.
pub(crate) fn caller_inode<D: Device>(fs: &mut Fs<D>, ino: u32) -> Result<Rc<Inode>> {
    if ino as u64 >= fs.record_count {
        return Err(Error::NotFound);
    }
    fs.inode(ino as u64)
}

/// Size and 512-byte blocks as ntfs-3g's getattr reports them.
fn size_and_blocks<D: Device>(fs: &mut Fs<D>, i: &Inode, c: &Class) -> Result<(u64, u64)> {
    let disk = c.data.as_ref().map_or(0, |s| s.disk_size());
    Ok(match c.kind {
        Kind::Directory => match i.stream(kind::INDEX_ALLOCATION, &I30, fs.boot.total_clusters)? {
            Some(Stream {
                data: StreamData::NonResident(n),
                ..
            }) => (n.data_size, n.allocated_size >> 9),
            _ => (0, 0),
        },
        Kind::Symlink => (links::target(fs, i, c)?.len() as u64, (disk + 511) >> 9),
        _ => (c.data.as_ref().map_or(0, |s| s.size()), (disk + 511) >> 9),
    })
}

pub fn stat<D: Device>(fs: &mut Fs<D>, ino: u32, out: &mut [u8]) -> Result<i64> {
    let i = caller_inode(fs, ino)?;
    let c = classify(fs, &i)?;
    let (size, blocks) = size_and_blocks(fs, &i, &c)?;
    let nlink = if c.kind == Kind::Directory {
        1
    } else {
        i.link_count as u32
    };
    let (major, minor) = match c.interix {
        Some(Interix::Char(a, b)) | Some(Interix::Block(a, b)) => {
            (a.min(u32::MAX as u64) as u32, b.min(u32::MAX as u64) as u32)
        }
        _ => (0, 0),
    };
    let cluster = fs.boot.cluster_size;
    let r = out_record(out, STAT_SIZE)?;
    put64(r, 0, ino as u64);
    put32(r, 8, c.kind.mode() | 0o777);
    put32(r, 12, nlink);
    put64(r, 24, size);
    put64(r, 32, blocks);
    put32(r, 40, major);
    put32(r, 44, minor);
    let si = &c.si;
    let times = [si.access, si.modification, si.mft_modification, si.creation];
    for (k, t) in times.iter().enumerate() {
        let (sec, nsec) = t.unix();
        put64(r, 48 + k * 8, sec as u64);
        put32(r, 80 + k * 4, nsec);
    }
    put32(r, 96, 1); // creation time is always recorded
    put32(r, 100, si.file_attributes);
    put32(r, 104, i.sequence as u32);
    put32(r, 108, cluster);
    put32(r, 112, c.reparse.as_ref().map_or(0, |r| r.tag));
    put32(r, 116, i.data_stream_names().len() as u32);
    put32(r, 120, data_runs(&c));
    Ok(STAT_SIZE as i64)
}

/// Runs (fragments, sparse runs included) of the unnamed data: 0 when resident.
fn data_runs(c: &Class) -> u32 {
    match c.data.as_ref().map(|s| &s.data) {
        Some(StreamData::NonResident(n)) => n.runs.runs.len().min(u32::MAX as usize) as u32,
        _ => 0,
    }
}

pub(crate) fn name_units(name: &[u8]) -> Result<Vec<u16>> {
    let s = core::str::from_utf8(name).map_err(|_| Error::Invalid("name is not UTF-8"))?;
    let units: Vec<u16> = s.encode_utf16().collect();
    if units.is_empty() || units.len() > MAX_NAME_UNITS || s.contains('/') {
        return Err(Error::Invalid("bad name"));
    }
    Ok(units)
}

fn dir_inode<D: Device>(fs: &mut Fs<D>, ino: u32) -> Result<Rc<Inode>> {
    let d = caller_inode(fs, ino)?;
    // Junctions are directories on disk but symlinks to callers.
    if !d.is_dir || classify(fs, &d)?.kind != Kind::Directory {
        return Err(Error::NotDir);
    }
    Ok(d)
}

pub fn lookup<D: Device>(fs: &mut Fs<D>, dir_ino: u32, name: &[u8]) -> Result<i64> {
    let d = dir_inode(fs, dir_ino)?;
    if name == b"." {
        return Ok(dir_ino as i64);
    }
    if name == b".." {
        let parent = d.file_names()?.first().map_or(dir_ino as u64, |f| f.parent);
        return Ok(parent as i64);
    }
    let units = name_units(name)?;
    let idx = index::open(fs, &d)?;
    let up = fs.upcase()?;
    let e = match index::lookup(fs, &idx, &up, &units)? {
        Some(e) => e,
        None => return Err(Error::NotFound),
    };
    let rec = mref_record(e.mref);
    let from = corrupt(
        "NTFS directory",
        d.offset,
        "entry points at a free, extension or reused record",
    )
    .index(d.number)
    .part("index entry");
    fs.referenced_inode(rec, mref_sequence(e.mref), from)?;
    if rec > u32::MAX as u64 {
        return Err(Error::Unsupported {
            feature: "NTFS MFT record numbers above 2^32",
            value: Some(rec),
        });
    }
    Ok(rec as i64)
}

/// The d_type of an index entry: from the key's flags, reading the file only when it is
/// a reparse point or a SYSTEM file (which may be an Interix special file).
fn entry_type<D: Device>(fs: &mut Fs<D>, e: &index::Entry, attrs: u32) -> Result<u8> {
    if attrs & (file_attr::REPARSE_POINT | file_attr::SYSTEM) != 0 {
        if let Ok(i) = fs.inode(mref_record(e.mref)) {
            return Ok(classify(fs, &i)?.kind.dirent_type());
        }
    }
    Ok(if attrs & file_attr::DUP_FILE_NAME_INDEX_PRESENT != 0 {
        Kind::Directory.dirent_type()
    } else {
        Kind::Regular.dirent_type()
    })
}

/// A batch of entries from `cookie` (the count of index entries already passed): header
/// {u64 next cookie (all ones at the end), u32 count, u32 0}, then {u64 ino, u8 type, u8 0,
/// u16 name length, UTF-8 name}. DOS 8.3 aliases and system files are left out.
pub fn readdir<D: Device>(
    fs: &mut Fs<D>,
    dir_ino: u32,
    cookie: u64,
    out: &mut [u8],
) -> Result<i64> {
    if out.len() < READDIR_HEADER + DIRENT_HEADER + MAX_NAME_BYTES {
        return Err(Error::Invalid("readdir buffer smaller than one entry"));
    }
    let d = dir_inode(fs, dir_ino)?;
    let idx = index::open(fs, &d)?;
    let mut cur = resume(fs, &idx, cookie)?;
    let mut pos = READDIR_HEADER;
    let mut count = 0u32;
    let mut ended = false;
    loop {
        let e = match cur.next(fs, &idx)? {
            Some(e) => e,
            None => {
                ended = true;
                break;
            }
        };
        let f = match &e.name {
            Some(f) => f,
            None => continue,
        };
        let rec = mref_record(e.mref);
        if f.namespace == namespace::DOS || rec < FIRST_USER {
            continue;
        }
        let name = String::from_utf16_lossy(&f.name).into_bytes();
        if pos + DIRENT_HEADER + name.len() > out.len() {
            cur.unread(e);
            break;
        }
        let ty = entry_type(fs, &e, f.file_attributes)?;
        put64(out, pos, rec);
        out[pos + 8] = ty;
        out[pos + 9] = 0;
        put16(out, pos + 10, name.len() as u16);
        out[pos + DIRENT_HEADER..pos + DIRENT_HEADER + name.len()].copy_from_slice(&name);
        pos += DIRENT_HEADER + name.len();
        count += 1;
    }
    put64(out, 0, if ended { READDIR_END } else { cur.ordinal });
    put32(out, 8, count);
    put32(out, 12, 0);
    if !ended {
        fs.cursor = Some(cur);
    }
    Ok(pos as i64)
}

/// The cursor the previous batch left at `cookie`, or a fresh walk skipped forward to it
/// (after a trap re-created the module, or when batches of two listings interleave).
fn resume<D: Device>(fs: &mut Fs<D>, idx: &index::Dir, cookie: u64) -> Result<Cursor> {
    if let Some(c) = fs.cursor.take() {
        if c.dir == idx.ino && c.ordinal == cookie {
            return Ok(c);
        }
    }
    let mut c = Cursor::new(idx);
    while c.ordinal < cookie && c.next(fs, idx)?.is_some() {}
    Ok(c)
}

/// The unnamed data of a regular file, refusing reparse points whose data lives elsewhere.
pub(crate) fn file_data<D: Device>(fs: &mut Fs<D>, ino: u32) -> Result<Option<Stream>> {
    let i = caller_inode(fs, ino)?;
    let c = classify(fs, &i)?;
    match c.kind {
        Kind::Regular => {}
        Kind::Directory => return Err(Error::IsDir),
        _ => return Err(Error::Invalid("not a regular file")),
    }
    if let Some(r) = &c.reparse {
        // A hydrated cloud file keeps its bytes in $DATA; a placeholder's $DATA is sparse.
        let present = r.is_cloud() && c.data.as_ref().map_or(true, fully_present);
        if !present {
            return Err(Error::Unsupported {
                feature: r.feature(),
                value: Some(r.tag as u64),
            });
        }
    }
    Ok(c.data)
}

/// No sparse run and everything initialized (compressed data cannot be told apart from a
/// placeholder by its runs, and is taken as present).
fn fully_present(s: &Stream) -> bool {
    match &s.data {
        StreamData::Resident(_) => true,
        StreamData::NonResident(n) => {
            s.is_compressed()
                || (n.initialized_size >= n.data_size
                    && n.runs.runs.iter().all(|r| r.lcn.is_some()))
        }
    }
}

fn read_stream_at<D: Device>(
    fs: &mut Fs<D>,
    s: &Stream,
    offset: u64,
    out: &mut [u8],
) -> Result<i64> {
    if offset >= s.size() {
        return Ok(0);
    }
    let n = (s.size() - offset).min(out.len() as u64) as usize;
    stream::read(&fs.dev, &fs.boot, s, offset, &mut out[..n])?;
    Ok(n as i64)
}

pub fn read<D: Device>(fs: &mut Fs<D>, ino: u32, offset: u64, out: &mut [u8]) -> Result<i64> {
    match file_data(fs, ino)? {
        Some(s) => read_stream_at(fs, &s, offset, out),
        None => Ok(0),
    }
}

/// Writes the target into `out` when it fits; returns its length either way.
pub fn readlink<D: Device>(fs: &mut Fs<D>, ino: u32, out: &mut [u8]) -> Result<i64> {
    let i = caller_inode(fs, ino)?;
    let c = classify(fs, &i)?;
    if c.kind != Kind::Symlink {
        return Err(Error::Invalid("not a symbolic link"));
    }
    let t = links::target(fs, &i, &c)?;
    if t.len() <= out.len() {
        out[..t.len()].copy_from_slice(&t);
    }
    Ok(t.len() as i64)
}

/// Alternate data streams: {u32 count} then per stream {u64 size, u16 name length, UTF-8
/// name}. Returns the full length; writes only when it fits.
pub fn streams<D: Device>(fs: &mut Fs<D>, ino: u32, out: &mut [u8]) -> Result<i64> {
    let i = caller_inode(fs, ino)?;
    let mut buf = vec![0u8; 4];
    let names = i.data_stream_names();
    for n in names.iter() {
        let s = i.stream(kind::DATA, n, fs.boot.total_clusters)?;
        let name = String::from_utf16_lossy(n).into_bytes();
        buf.extend_from_slice(&s.map_or(0, |s| s.size()).to_le_bytes());
        buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
        buf.extend_from_slice(&name);
    }
    put32(&mut buf, 0, names.len() as u32);
    if buf.len() <= out.len() {
        out[..buf.len()].copy_from_slice(&buf);
    }
    Ok(buf.len() as i64)
}

/// Reads the named $DATA stream `name` (UTF-8; empty = the unnamed stream).
pub fn read_stream<D: Device>(
    fs: &mut Fs<D>,
    ino: u32,
    name: &[u8],
    offset: u64,
    out: &mut [u8],
) -> Result<i64> {
    if name.is_empty() {
        return read(fs, ino, offset, out);
    }
    let units = name_units(name)?;
    let i = caller_inode(fs, ino)?;
    match i.stream(kind::DATA, &units, fs.boot.total_clusters)? {
        Some(s) => read_stream_at(fs, &s, offset, out),
        None => Err(Error::NotFound),
    }
}
