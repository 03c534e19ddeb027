//! What POSIX type a file has, decided the way ntfs-3g decides it with default options:
//! reparse points (symlink, junction, WSL symlink) are symlinks; directories; SYSTEM files
//! holding Interix data are FIFOs, sockets, devices or symlinks; everything else is a
//! regular file. Other reparse tags keep the file (or directory) type; reading their data
//! is decided when it is read.
//! Reference: ntfs-3g src/ntfs-3g.c getattr rules, as documented in ntfs-3g(8)
//! "Junction points, symbolic links and special files".

use crate::attribute::kind;
use crate::fs::Fs;
use crate::inode::Inode;
use crate::interix::{self, Interix};
use crate::reparse::{Reparse, MAX_REPARSE_SIZE};
use crate::standard_information::{file_attr, StandardInformation};
use crate::stream::{self, Stream};
use fsabi::error::{corrupt, Result};
use fsabi::Device;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    Char,
    Block,
}

impl Kind {
    /// S_IFMT bits.
    pub fn mode(self) -> u32 {
        match self {
            Kind::Regular => 0o100000,
            Kind::Directory => 0o040000,
            Kind::Symlink => 0o120000,
            Kind::Fifo => 0o010000,
            Kind::Socket => 0o140000,
            Kind::Char => 0o020000,
            Kind::Block => 0o060000,
        }
    }
    /// The d_type-style code of the readdir record (ext4's numbering).
    pub fn dirent_type(self) -> u8 {
        match self {
            Kind::Regular => 1,
            Kind::Directory => 2,
            Kind::Char => 3,
            Kind::Block => 4,
            Kind::Fifo => 5,
            Kind::Socket => 6,
            Kind::Symlink => 7,
        }
    }
}

pub struct Class {
    pub kind: Kind,
    pub si: StandardInformation,
    pub reparse: Option<Reparse>,
    pub interix: Option<Interix>,
    /// The unnamed $DATA stream, if any.
    pub data: Option<Stream>,
}

pub fn reparse_point<D: Device>(fs: &Fs<D>, inode: &Inode) -> Result<Option<Reparse>> {
    let s = match inode.stream(kind::REPARSE_POINT, &[], fs.boot.total_clusters)? {
        Some(s) => s,
        None => return Ok(None),
    };
    if s.size() > MAX_REPARSE_SIZE {
        return Err(corrupt(
            "NTFS MFT record",
            s.offset,
            "reparse data larger than 16 KiB",
        )
        .index(inode.number)
        .part("reparse point")
        .values(MAX_REPARSE_SIZE, s.size())
        .into());
    }
    let mut raw = vec![0u8; s.size() as usize];
    stream::read(&fs.dev, &fs.boot, &s, 0, &mut raw)?;
    Ok(Some(Reparse::parse(raw)))
}

pub fn classify<D: Device>(fs: &Fs<D>, inode: &Inode) -> Result<Class> {
    let si = inode.std_info()?;
    let data = inode.stream(kind::DATA, &[], fs.boot.total_clusters)?;
    let mut c = Class {
        kind: Kind::Regular,
        si,
        reparse: None,
        interix: None,
        data,
    };
    if si.file_attributes & file_attr::REPARSE_POINT != 0 {
        c.reparse = reparse_point(fs, inode)?;
    }
    if c.reparse.as_ref().map_or(false, |r| r.is_link()) {
        c.kind = Kind::Symlink;
    } else if inode.is_dir {
        c.kind = Kind::Directory;
    } else if si.file_attributes & file_attr::SYSTEM != 0 && c.reparse.is_none() {
        c.interix = interix_kind(fs, &c)?;
        c.kind = match c.interix {
            Some(Interix::Fifo) => Kind::Fifo,
            Some(Interix::Socket) => Kind::Socket,
            Some(Interix::Char(..)) => Kind::Char,
            Some(Interix::Block(..)) => Kind::Block,
            Some(Interix::Symlink(_)) => Kind::Symlink,
            None => Kind::Regular,
        };
    }
    Ok(c)
}

fn interix_kind<D: Device>(fs: &Fs<D>, c: &Class) -> Result<Option<Interix>> {
    let s = match &c.data {
        Some(s) => s,
        None => return Ok(None),
    };
    let hidden = c.si.file_attributes & file_attr::HIDDEN != 0;
    if let Some(k) = interix::by_size(s.size(), hidden) {
        return Ok(Some(k));
    }
    if !interix::needs_data(s.size()) || s.is_encrypted() {
        return Ok(None);
    }
    let mut d = vec![0u8; s.size() as usize];
    stream::read(&fs.dev, &fs.boot, s, 0, &mut d)?;
    Ok(interix::by_data(&d))
}
