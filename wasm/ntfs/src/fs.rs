//! An open NTFS volume: boot sector, the $MFT stream, caches of records, files and index
//! blocks, the lazily loaded $UpCase table and the readdir cursor.
//! Reference: Linux-NTFS project documentation, "Files" (the system files 0..15).

use crate::boot_sector::{BootSector, BOOT_SECTOR_SIZE};
use crate::cache::Lru;
use crate::index::{Cursor, Node};
use crate::inode::{self, Inode};
use crate::mft::{self, SYSTEM_RECORDS};
use crate::mft_record::MftRecord;
use crate::stream::{self, Stream};
use crate::upcase::{UpCase, UPCASE_BYTES};
use fsabi::error::{corrupt, Error, Result};
use fsabi::Device;
use std::rc::Rc;

pub const ROOT: u64 = 5;
pub const UPCASE: u64 = 10;
pub const VOLUME: u64 = 3;
pub const BITMAP: u64 = 6;
/// Records below this are system files; listings hide them as ntfs-3g does.
pub const FIRST_USER: u64 = 16;

/// Parsed records kept: a path walk touches a handful, a listing one per entry it must
/// classify; 256 records of at most 4 KiB bound the cache at 1 MiB.
const RECORD_CACHE: usize = 256;
const INODE_CACHE: usize = 64;
/// Index nodes: deep enough for any real tree path plus siblings (4 KiB nodes: 256 KiB).
const INDEX_CACHE: usize = 64;

pub struct Fs<D: Device> {
    pub dev: D,
    pub boot: BootSector,
    pub mft: Stream,
    pub record_count: u64,
    pub records_cache: Lru<u64, MftRecord>,
    pub inode_cache: Lru<u64, Inode>,
    pub index_cache: Lru<(u64, u64), Node>,
    pub upcase: Option<Rc<UpCase>>,
    pub cursor: Option<Cursor>,
}

impl<D: Device> Fs<D> {
    pub fn open(dev: D) -> Result<Fs<D>> {
        if dev.size() < BOOT_SECTOR_SIZE as u64 {
            return Err(
                corrupt("NTFS boot sector", 0, "device smaller than a boot sector")
                    .values(BOOT_SECTOR_SIZE as u64, dev.size())
                    .into(),
            );
        }
        let mut raw = [0u8; BOOT_SECTOR_SIZE];
        dev.read_at(0, &mut raw)?;
        let boot = BootSector::parse(&raw)?;
        let mft = mft::bootstrap(&dev, &boot)?;
        let record_count = mft.size() / boot.mft_record_size as u64;
        if record_count < SYSTEM_RECORDS {
            return Err(corrupt(
                "NTFS MFT record",
                mft.offset,
                "$MFT smaller than the system files",
            )
            .index(0)
            .part("attribute")
            .values(SYSTEM_RECORDS, record_count)
            .into());
        }
        let mut fs = Fs {
            dev,
            boot,
            mft,
            record_count,
            records_cache: Lru::new(RECORD_CACHE),
            inode_cache: Lru::new(INODE_CACHE),
            index_cache: Lru::new(INDEX_CACHE),
            upcase: None,
            cursor: None,
        };
        // The root must be a directory, as every NTFS driver checks at mount.
        let root = fs.inode(ROOT)?;
        if !root.is_dir {
            return Err(
                corrupt("NTFS MFT record", root.offset, "root is not a directory")
                    .index(ROOT)
                    .part("header")
                    .into(),
            );
        }
        Ok(fs)
    }

    /// File `n` (cached). NotFound for free and extension records.
    pub fn inode(&mut self, n: u64) -> Result<Rc<Inode>> {
        if let Some(i) = self.inode_cache.get(n) {
            return Ok(i);
        }
        let i = Rc::new(inode::load(self, n)?);
        self.inode_cache.put(n, i.clone());
        Ok(i)
    }

    /// A file reached through an on-disk reference: a free, extension or reused record
    /// there means the referring structure is damaged.
    pub fn referenced_inode(
        &mut self,
        n: u64,
        sequence: u16,
        from: fsabi::Corrupt,
    ) -> Result<Rc<Inode>> {
        if n >= self.record_count {
            return Err(from.values(self.record_count, n).into());
        }
        match self.inode(n) {
            Ok(i) if sequence != 0 && i.sequence != sequence => {
                Err(from.values(sequence as u64, i.sequence as u64).into())
            }
            Ok(i) => Ok(i),
            Err(Error::NotFound) => Err(from.into()),
            Err(e) => Err(e),
        }
    }

    /// The $UpCase table, read on first use (listing never needs it).
    pub fn upcase(&mut self) -> Result<Rc<UpCase>> {
        if let Some(u) = &self.upcase {
            return Ok(u.clone());
        }
        let ino = self.inode(UPCASE)?;
        let s = ino.stream(crate::attribute::kind::DATA, &[], self.boot.total_clusters)?;
        let s = match s {
            Some(s) if s.size() == UPCASE_BYTES => s,
            _ => {
                return Err(corrupt(
                    "NTFS MFT record",
                    ino.offset,
                    "$UpCase is not a 128 KiB table",
                )
                .index(UPCASE)
                .part("attribute")
                .into())
            }
        };
        let mut b = vec![0u8; UPCASE_BYTES as usize];
        stream::read(&self.dev, &self.boot, &s, 0, &mut b)?;
        let u = Rc::new(UpCase::from_bytes(&b));
        self.upcase = Some(u.clone());
        Ok(u)
    }
}
