//! The operations behind the exports, writing the fixed-layout records of wasm/README.md.

use crate::dir::{self, Entry, END};
use crate::fs::Fs;
use crate::htree;
use crate::inode::{flags, mode, Inode};
use crate::xattr::{self, Xattr};
use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{le32, put16, put32, put64};
use fsabi::Device;

pub const STAT_SIZE: usize = 128;
pub const INFO_SIZE: usize = 208;
pub const READDIR_HEADER: usize = 16;
const DIRENT_HEADER: usize = 12;
/// Longest symlink target read: the kernel caps targets at one block (at most 64 KiB).
pub const SYMLINK_MAX: u64 = 65536;

pub fn stat<D: Device>(fs: &mut Fs<D>, ino: u32, out: &mut [u8]) -> Result<i64> {
    let i = fs.inode(ino)?;
    let r = out_record(out, STAT_SIZE)?;
    put64(r, 0, ino as u64);
    put32(r, 8, i.mode as u32);
    put32(r, 12, i.links as u32);
    put32(r, 16, i.uid);
    put32(r, 20, i.gid);
    put64(r, 24, i.size);
    put64(r, 32, i.blocks_512);
    let (major, minor) = device_number(&i);
    put32(r, 40, major);
    put32(r, 44, minor);
    let times = [i.atime, i.mtime, i.ctime, i.crtime.unwrap_or_default()];
    for (k, t) in times.iter().enumerate() {
        put64(r, 48 + k * 8, t.sec as u64);
        put32(r, 80 + k * 4, t.nsec);
    }
    put32(r, 96, i.crtime.is_some() as u32);
    put32(r, 100, i.flags);
    put32(r, 104, i.generation);
    put32(r, 108, fs.sb.block_size);
    Ok(STAT_SIZE as i64)
}

pub fn out_record(out: &mut [u8], size: usize) -> Result<&mut [u8]> {
    if out.len() < size {
        return Err(Error::Invalid("output buffer smaller than the record"));
    }
    let r = &mut out[..size];
    r.iter_mut().for_each(|b| *b = 0);
    Ok(r)
}

/// Device nodes keep the number in i_block: the old 16-bit form in word 0, or the new
/// 32-bit form (major 12 bits, minor 20 bits split around it) in word 1.
fn device_number(i: &Inode) -> (u32, u32) {
    let t = i.file_type();
    if t != mode::S_IFCHR && t != mode::S_IFBLK {
        return (0, 0);
    }
    let old = le32(i.i_block(), 0);
    if old != 0 {
        return ((old >> 8) & 0xFF, old & 0xFF);
    }
    let new = le32(i.i_block(), 4);
    ((new & 0xFFF00) >> 8, (new & 0xFF) | ((new >> 12) & 0xFFF00))
}

fn dir_inode<D: Device>(fs: &mut Fs<D>, ino: u32) -> Result<Inode> {
    let d = fs.inode(ino)?;
    dir::check_readable(&d)?;
    Ok(d)
}

pub fn lookup<D: Device>(fs: &mut Fs<D>, dir_ino: u32, name: &[u8]) -> Result<i64> {
    let d = dir_inode(fs, dir_ino)?;
    if name.is_empty() || name.len() > 255 || name.contains(&b'/') {
        return Err(Error::Invalid("bad name"));
    }
    let found = if htree::is_indexed(fs, &d) {
        htree::lookup(fs, &d, name)?
    } else {
        dir::lookup_linear(fs, &d, name)?
    };
    match found {
        Some(ino) => Ok(ino as i64),
        None => Err(Error::NotFound),
    }
}

/// Fills `out` with a batch: header {u64 next cookie, u32 count, u32 0} then per entry
/// {u64 ino, u8 type, u8 0, u16 name_len, name}. "." and ".." are left out.
pub fn readdir<D: Device>(
    fs: &mut Fs<D>,
    dir_ino: u32,
    cookie: u64,
    out: &mut [u8],
) -> Result<i64> {
    let d = dir_inode(fs, dir_ino)?;
    if out.len() < READDIR_HEADER + DIRENT_HEADER + 255 {
        return Err(Error::Invalid("readdir buffer smaller than one entry"));
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut used = READDIR_HEADER;
    let cap = out.len();
    let next = dir::readdir(fs, &d, cookie, &mut |e: Entry| {
        if e.name == b"." || e.name == b".." {
            return true;
        }
        let need = DIRENT_HEADER + e.name.len();
        if used + need > cap {
            return false;
        }
        used += need;
        entries.push(e);
        true
    })?;
    let mut pos = READDIR_HEADER;
    for e in &entries {
        let ty = entry_type(fs, e)?;
        put64(out, pos, e.inode as u64);
        out[pos + 8] = ty;
        out[pos + 9] = 0;
        put16(out, pos + 10, e.name.len() as u16);
        out[pos + DIRENT_HEADER..pos + DIRENT_HEADER + e.name.len()].copy_from_slice(&e.name);
        pos += DIRENT_HEADER + e.name.len();
    }
    put64(out, 0, if next == END { u64::MAX } else { next });
    put32(out, 8, entries.len() as u32);
    put32(out, 12, 0);
    Ok(pos as i64)
}

/// The entry's ext4 file-type code (1 file … 7 symlink); without the filetype feature the
/// inode is read, as old ext2 readers must.
fn entry_type<D: Device>(fs: &mut Fs<D>, e: &Entry) -> Result<u8> {
    if fs.has_filetype() && e.file_type != 0 {
        return Ok(e.file_type);
    }
    let i = fs.inode(e.inode)?;
    Ok(match i.file_type() {
        mode::S_IFREG => 1,
        mode::S_IFDIR => 2,
        mode::S_IFCHR => 3,
        mode::S_IFBLK => 4,
        mode::S_IFIFO => 5,
        mode::S_IFSOCK => 6,
        mode::S_IFLNK => 7,
        _ => 0,
    })
}

/// Reads up to out.len() bytes at `offset`; returns how many (short only at end of file).
pub fn read<D: Device>(fs: &mut Fs<D>, ino: u32, offset: u64, out: &mut [u8]) -> Result<i64> {
    let i = fs.inode(ino)?;
    match i.file_type() {
        mode::S_IFREG => {}
        mode::S_IFDIR => return Err(Error::IsDir),
        _ => return Err(Error::Invalid("not a regular file")),
    }
    if offset >= i.size {
        return Ok(0);
    }
    let n = (i.size - offset).min(out.len() as u64) as usize;
    fs.read_data(&i, offset, &mut out[..n])?;
    Ok(n as i64)
}

/// Writes the target into `out` when it fits; returns its length either way.
pub fn readlink<D: Device>(fs: &mut Fs<D>, ino: u32, out: &mut [u8]) -> Result<i64> {
    let i = fs.inode(ino)?;
    if i.file_type() != mode::S_IFLNK {
        return Err(Error::Invalid("not a symbolic link"));
    }
    if i.has_flag(flags::ENCRYPT) {
        return Err(Error::Unsupported {
            feature: "ext4 encryption (fscrypt)",
            value: None,
        });
    }
    let target = symlink_target(fs, &i)?;
    if target.len() <= out.len() {
        out[..target.len()].copy_from_slice(&target);
    }
    Ok(target.len() as i64)
}

/// Fast symlinks keep the target in i_block; the kernel's test is "no blocks allocated
/// beyond an xattr block". Others store it like file data (extents, block map, inline).
fn symlink_target<D: Device>(fs: &mut Fs<D>, i: &Inode) -> Result<Vec<u8>> {
    if i.size > SYMLINK_MAX {
        return Err(
            corrupt("ext4 inode", i.offset + 4, "symlink longer than a block")
                .index(i.ino as u64)
                .values(SYMLINK_MAX, i.size)
                .into(),
        );
    }
    let ea_blocks = if i.file_acl != 0 {
        fs.sb.cluster_size as u64 / 512
    } else {
        0
    };
    let fast = !i.has_flag(flags::INLINE_DATA) && i.blocks_512.saturating_sub(ea_blocks) == 0;
    if fast {
        if i.size >= 60 {
            return Err(corrupt(
                "ext4 inode",
                i.offset + 4,
                "fast symlink longer than i_block",
            )
            .index(i.ino as u64)
            .values(59, i.size)
            .into());
        }
        return Ok(i.i_block()[..i.size as usize].to_vec());
    }
    let mut v = vec![0u8; i.size as usize];
    fs.read_data(i, 0, &mut v)?;
    Ok(v)
}

fn listed<D: Device>(fs: &mut Fs<D>, ino: u32) -> Result<Vec<(Vec<u8>, Xattr)>> {
    let i = fs.inode(ino)?;
    let all = xattr::list(fs, &i)?;
    let mut out = Vec::new();
    for x in all {
        if let Some(name) = x.full_name() {
            out.push((name, x));
        }
    }
    Ok(out)
}

/// Names, each followed by a NUL (listxattr's format); returns the total length and writes
/// only when it fits.
pub fn listxattr<D: Device>(fs: &mut Fs<D>, ino: u32, out: &mut [u8]) -> Result<i64> {
    let mut buf = Vec::new();
    for (name, _) in listed(fs, ino)? {
        buf.extend_from_slice(&name);
        buf.push(0);
    }
    if buf.len() <= out.len() {
        out[..buf.len()].copy_from_slice(&buf);
    }
    Ok(buf.len() as i64)
}

pub fn getxattr<D: Device>(fs: &mut Fs<D>, ino: u32, name: &[u8], out: &mut [u8]) -> Result<i64> {
    let found = listed(fs, ino)?.into_iter().find(|(n, _)| n == name);
    let x = match found {
        Some((_, x)) => x,
        None => return Err(Error::NotFound),
    };
    let value = if x.index == 2 || x.index == 3 {
        xattr::acl_to_xattr(&x.value, ino, 0)?
    } else {
        x.value
    };
    if value.len() <= out.len() {
        out[..value.len()].copy_from_slice(&value);
    }
    Ok(value.len() as i64)
}

pub fn info<D: Device>(fs: &mut Fs<D>, out: &mut [u8]) -> Result<i64> {
    let sb = &fs.sb;
    let r = out_record(out, INFO_SIZE)?;
    put32(r, 0, sb.block_size);
    put32(r, 4, sb.inode_size);
    put64(r, 8, sb.blocks_count);
    put64(r, 16, sb.free_blocks_count);
    put32(r, 24, sb.inodes_count);
    put32(r, 28, sb.free_inodes_count);
    put32(r, 32, sb.feature_compat);
    put32(r, 36, sb.feature_incompat);
    put32(r, 40, sb.feature_ro_compat);
    put32(r, 44, sb.rev_level);
    r[48..64].copy_from_slice(&sb.uuid);
    r[64..80].copy_from_slice(&sb.volume_name);
    r[80..144].copy_from_slice(&sb.last_mounted);
    put32(r, 144, sb.state as u32);
    put32(r, 148, sb.flags);
    put32(r, 152, sb.def_hash_version as u32);
    put32(r, 156, sb.creator_os);
    put64(r, 160, sb.mkfs_time as u64);
    put64(r, 168, sb.mtime as u64);
    put64(r, 176, sb.wtime as u64);
    put32(r, 184, sb.groups_count);
    put32(r, 188, sb.encoding as u32);
    put32(r, 192, sb.journal_inum);
    put32(r, 196, sb.first_ino);
    put32(r, 200, sb.cluster_size);
    Ok(INFO_SIZE as i64)
}
