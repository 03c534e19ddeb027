//! The MFT: found through the boot sector, read through its own $DATA runlist (which may be
//! fragmented, and may itself continue in extension records named by $MFT's attribute
//! list), record by record with update sequence fixups.
//! Reference: Linux-NTFS project documentation, "Files: $MFT" and "Concepts: File Record".

use crate::attr_list;
use crate::attribute::{kind, Attribute};
use crate::fs::Fs;
use crate::inode::attribute_list_value;
use crate::mft_record::{self, MftRecord};
use crate::stream::{self, Stream, StreamData};
use fsabi::error::{corrupt, Error, Result};
use fsabi::Device;
use std::rc::Rc;

/// Records 0..=15 are the system files; an MFT shorter than that is not a volume.
pub const SYSTEM_RECORDS: u64 = 16;

impl<D: Device> Fs<D> {
    /// MFT record `n`, parsed and fixed up (cached).
    pub fn record(&mut self, n: u64) -> Result<Rc<MftRecord>> {
        if let Some(r) = self.records_cache.get(n) {
            return Ok(r);
        }
        if n >= self.record_count {
            let at = self.mft.offset;
            return Err(
                corrupt("NTFS MFT record", at, "record number past the end of $MFT")
                    .index(n)
                    .part("header")
                    .values(self.record_count, n)
                    .into(),
            );
        }
        let rs = self.boot.mft_record_size as u64;
        let at = match self.mft.device_offset(&self.boot, n * rs) {
            Some(at) => at,
            None => {
                return Err(corrupt(
                    "NTFS MFT record",
                    self.mft.offset,
                    "record lies in a sparse part of $MFT",
                )
                .index(n)
                .part("header")
                .into())
            }
        };
        let mut buf = vec![0u8; rs as usize];
        stream::read(&self.dev, &self.boot, &self.mft, n * rs, &mut buf)?;
        let rec = Rc::new(mft_record::parse(buf, n, at)?);
        self.records_cache.put(n, rec.clone());
        Ok(rec)
    }
}

/// Builds the $MFT data stream from record 0, following its attribute list when the
/// runlist continues in extension records (each read through the runs known so far).
pub fn bootstrap<D: Device>(fs_dev: &D, boot: &crate::boot_sector::BootSector) -> Result<Stream> {
    let rs = boot.mft_record_size as usize;
    let at = boot.cluster_offset(boot.mft_lcn);
    let mut buf = vec![0u8; rs];
    fs_dev.read_at(at, &mut buf)?;
    let rec0 = mft_record::parse(buf, 0, at)?;
    let total = boot.total_clusters;
    let al = match rec0.find(kind::ATTRIBUTE_LIST, &[]) {
        None => {
            let data = rec0.find(kind::DATA, &[]).ok_or_else(|| no_data(&rec0))?;
            return check_mft(Stream::from_extents(&[data], total)?, &rec0);
        }
        Some(al) => al.clone(),
    };
    // The list of $MFT is in record 0 (or in clusters of its own): read it directly.
    let value = attribute_list_value(fs_dev, boot, &rec0, &al)?;
    let mut entries: Vec<attr_list::Entry> = attr_list::parse(&value, 0, at)?
        .into_iter()
        .filter(|e| e.type_code == kind::DATA && e.name.is_empty())
        .collect();
    entries.sort_by_key(|e| e.lowest_vcn);
    let mut extents: Vec<Attribute> = Vec::new();
    for e in entries.iter() {
        let attr = if e.record == 0 {
            rec0.attributes
                .iter()
                .find(|a| a.type_code == kind::DATA && a.instance == e.instance)
                .cloned()
        } else {
            let refs: Vec<&Attribute> = extents.iter().collect();
            if refs.is_empty() {
                return Err(no_data(&rec0));
            }
            let partial = Stream::from_extents(&refs, total)?;
            let ext = read_record_via(fs_dev, boot, &partial, e.record)?;
            ext.attributes
                .iter()
                .find(|a| a.type_code == kind::DATA && a.instance == e.instance)
                .cloned()
        };
        match attr {
            Some(a) => extents.push(a),
            None => {
                return Err(corrupt(
                    "NTFS MFT record",
                    at,
                    "attribute list names a $DATA extent that is missing",
                )
                .index(0)
                .part("attribute list")
                .into())
            }
        }
    }
    let refs: Vec<&Attribute> = extents.iter().collect();
    if refs.is_empty() {
        return Err(no_data(&rec0));
    }
    check_mft(Stream::from_extents(&refs, total)?, &rec0)
}

fn read_record_via<D: Device>(
    dev: &D,
    boot: &crate::boot_sector::BootSector,
    mft: &Stream,
    n: u64,
) -> Result<MftRecord> {
    let rs = boot.mft_record_size as u64;
    let mut buf = vec![0u8; rs as usize];
    if n.checked_mul(rs)
        .and_then(|at| at.checked_add(rs))
        .map_or(true, |end| end > mft.size())
    {
        return Err(corrupt(
            "NTFS MFT record",
            mft.offset,
            "extension record of $MFT past its data",
        )
        .index(n)
        .part("header")
        .into());
    }
    stream::read(dev, boot, mft, n * rs, &mut buf)?;
    mft_record::parse(buf, n, mft.offset)
}

fn no_data(rec0: &MftRecord) -> Error {
    corrupt(
        "NTFS MFT record",
        rec0.offset,
        "$MFT has no $DATA attribute",
    )
    .index(0)
    .part("attribute")
    .into()
}

fn check_mft(s: Stream, rec0: &MftRecord) -> Result<Stream> {
    if let StreamData::Resident(_) = s.data {
        return Err(
            corrupt("NTFS MFT record", rec0.offset, "$MFT data is resident")
                .index(0)
                .part("attribute")
                .into(),
        );
    }
    if s.is_compressed() || s.is_encrypted() {
        return Err(corrupt(
            "NTFS MFT record",
            rec0.offset,
            "$MFT data is compressed or encrypted",
        )
        .index(0)
        .part("attribute")
        .into());
    }
    Ok(s)
}
