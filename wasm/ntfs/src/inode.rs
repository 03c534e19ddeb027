//! A file as the driver sees it: its base MFT record plus, through $ATTRIBUTE_LIST, the
//! attribute extents kept in extension records, gathered into one attribute list.
//! Reference: Linux-NTFS project documentation, "Attribute - $ATTRIBUTE_LIST (0x20)" and
//! "Concepts: File Record" (base and extension records).

use crate::attr_list::{self, MAX_ATTRIBUTE_LIST_SIZE};
use crate::attribute::{kind, misplaced, Attribute};
use crate::boot_sector::BootSector;
use crate::file_name::{self, FileName};
use crate::fs::Fs;
use crate::mft_record::MftRecord;
use crate::standard_information::{self, StandardInformation};
use crate::stream::{self, Stream};
use fsabi::error::{corrupt, Error, Result};
use fsabi::Device;
use std::rc::Rc;

#[derive(Debug, Clone)]
pub struct Inode {
    pub number: u64,
    pub sequence: u16,
    pub link_count: u16,
    pub is_dir: bool,
    /// Device offset of the base record.
    pub offset: u64,
    pub attributes: Vec<Attribute>,
}

impl Inode {
    /// The extents of one attribute, sorted by lowest VCN.
    pub fn extents(&self, type_code: u32, name: &[u16]) -> Vec<&Attribute> {
        let mut v: Vec<&Attribute> = self
            .attributes
            .iter()
            .filter(|a| a.type_code == type_code && a.is_named(name))
            .collect();
        v.sort_by_key(|a| a.lowest_vcn());
        v
    }

    pub fn stream(
        &self,
        type_code: u32,
        name: &[u16],
        total_clusters: u64,
    ) -> Result<Option<Stream>> {
        let ext = self.extents(type_code, name);
        if ext.is_empty() {
            return Ok(None);
        }
        Stream::from_extents(&ext, total_clusters).map(Some)
    }

    pub fn std_info(&self) -> Result<StandardInformation> {
        let a = match self
            .attributes
            .iter()
            .find(|a| a.type_code == kind::STANDARD_INFORMATION)
        {
            Some(a) => a,
            None => {
                return Err(
                    corrupt("NTFS MFT record", self.offset, "no $STANDARD_INFORMATION")
                        .index(self.number)
                        .part("attribute")
                        .into(),
                )
            }
        };
        match a.resident_value().and_then(standard_information::parse) {
            Some(si) => Ok(si),
            None => Err(misplaced(
                a,
                "$STANDARD_INFORMATION is non-resident or too short",
            )),
        }
    }

    pub fn file_names(&self) -> Result<Vec<FileName>> {
        let mut out = Vec::new();
        for a in self
            .attributes
            .iter()
            .filter(|a| a.type_code == kind::FILE_NAME)
        {
            let v = match a.resident_value() {
                Some(v) => v,
                None => return Err(misplaced(a, "$FILE_NAME is non-resident")),
            };
            match file_name::parse(v) {
                Ok(f) => out.push(f),
                Err((_, detail)) => return Err(misplaced(a, detail)),
            }
        }
        Ok(out)
    }

    /// Names of the named $DATA attributes (alternate data streams), each once.
    pub fn data_stream_names(&self) -> Vec<Vec<u16>> {
        let mut out: Vec<Vec<u16>> = Vec::new();
        for a in self
            .attributes
            .iter()
            .filter(|a| a.type_code == kind::DATA && !a.name.is_empty())
        {
            if !out.contains(&a.name) {
                out.push(a.name.clone());
            }
        }
        out
    }
}

fn list_err(rec: &MftRecord, detail: &'static str) -> Error {
    corrupt("NTFS MFT record", rec.offset, detail)
        .index(rec.number)
        .part("attribute list")
        .into()
}

/// The attribute list's bytes (resident, or read through its own runlist).
pub fn attribute_list_value<D: Device>(
    dev: &D,
    boot: &BootSector,
    rec: &MftRecord,
    attr: &Attribute,
) -> Result<Vec<u8>> {
    if let Some(v) = attr.resident_value() {
        return Ok(v.to_vec());
    }
    let s = Stream::from_extents(&[attr], boot.total_clusters)?;
    if s.size() > MAX_ATTRIBUTE_LIST_SIZE {
        return Err(list_err(rec, "attribute list larger than 256 KiB"));
    }
    let mut v = vec![0u8; s.size() as usize];
    stream::read(dev, boot, &s, 0, &mut v)?;
    Ok(v)
}

/// Loads file record `number`: NotFound when the record is free or is an extension record
/// (callers that followed an on-disk reference turn that into `corrupt`).
pub fn load<D: Device>(fs: &mut Fs<D>, number: u64) -> Result<Inode> {
    let base = fs.record(number)?;
    if !base.in_use() || base.base != 0 {
        return Err(Error::NotFound);
    }
    let attributes = match base.find(kind::ATTRIBUTE_LIST, &[]) {
        None => base.attributes.clone(),
        Some(al) => {
            let value = attribute_list_value(&fs.dev, &fs.boot, &base, al)?;
            gather(fs, &base, &value)?
        }
    };
    Ok(Inode {
        number,
        sequence: base.sequence,
        link_count: base.link_count,
        is_dir: base.is_directory(),
        offset: base.offset,
        attributes,
    })
}

/// Follows every list entry to the record and attribute instance it names.
fn gather<D: Device>(fs: &mut Fs<D>, base: &Rc<MftRecord>, value: &[u8]) -> Result<Vec<Attribute>> {
    let entries = attr_list::parse(value, base.number, base.offset)?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries.iter() {
        let rec = if e.record == base.number {
            base.clone()
        } else {
            fs.record(e.record)?
        };
        if rec.number != base.number && (!rec.in_use() || rec.base != base.number) {
            return Err(list_err(
                base,
                "extension record belongs to another file or is free",
            ));
        }
        let found = rec
            .attributes
            .iter()
            .find(|a| a.type_code == e.type_code && a.instance == e.instance && a.name == e.name);
        match found {
            Some(a) => out.push(a.clone()),
            None => return Err(list_err(base, "entry names an attribute its record lacks")),
        }
    }
    // The list itself is not listed; keep it for callers that look for it.
    if let Some(al) = base.find(kind::ATTRIBUTE_LIST, &[]) {
        out.push(al.clone());
    }
    Ok(out)
}
