//! Attribute records inside an MFT record: the common header, then either a resident value
//! or the non-resident header (VCN range, sizes, mapping pairs). Attributes are decoded into
//! owned values because a file's attributes may come from several records (attribute list).
//! Reference: Linux-NTFS project documentation, "Concepts: Attribute Header"; ATTR_RECORD
//! in kernel fs/ntfs/layout.h.

use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{fits, le16, le32, le64};

pub mod kind {
    pub const STANDARD_INFORMATION: u32 = 0x10;
    pub const ATTRIBUTE_LIST: u32 = 0x20;
    pub const FILE_NAME: u32 = 0x30;
    pub const VOLUME_NAME: u32 = 0x60;
    pub const VOLUME_INFORMATION: u32 = 0x70;
    pub const DATA: u32 = 0x80;
    pub const INDEX_ROOT: u32 = 0x90;
    pub const INDEX_ALLOCATION: u32 = 0xA0;
    pub const BITMAP: u32 = 0xB0;
    pub const REPARSE_POINT: u32 = 0xC0;
    pub const END: u32 = 0xFFFF_FFFF;
}

pub mod flags {
    /// Any bit of the low byte: compressed (LZNT1 is the only method, value 1).
    pub const COMPRESSION_MASK: u16 = 0x00FF;
    pub const ENCRYPTED: u16 = 0x4000;
    pub const SPARSE: u16 = 0x8000;
}

/// Resident header: 24 bytes; non-resident: 64, or 72 with the compressed size.
const RESIDENT_HEADER: usize = 24;
const NON_RESIDENT_HEADER: usize = 64;
const COMPRESSED_HEADER: usize = 72;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonResident {
    pub lowest_vcn: u64,
    pub highest_vcn: u64,
    pub mapping_pairs: Vec<u8>,
    /// Device offset of the mapping pairs (for errors).
    pub mapping_pairs_at: u64,
    /// log2 of the compression unit in clusters (0: not compressed).
    pub compression_unit: u8,
    pub allocated_size: u64,
    pub data_size: u64,
    pub initialized_size: u64,
    pub compressed_size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Resident(Vec<u8>),
    NonResident(NonResident),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub type_code: u32,
    pub name: Vec<u16>,
    pub flags: u16,
    pub instance: u16,
    /// The MFT record holding this attribute and the device offset of its header.
    pub record: u64,
    pub offset: u64,
    /// Device offset of the resident value (the header's offset when non-resident).
    pub value_at: u64,
    pub body: Body,
}

impl Attribute {
    pub fn is_named(&self, name: &[u16]) -> bool {
        self.name == name
    }
    pub fn resident_value(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Resident(v) => Some(v),
            Body::NonResident(_) => None,
        }
    }
    pub fn lowest_vcn(&self) -> u64 {
        match &self.body {
            Body::Resident(_) => 0,
            Body::NonResident(n) => n.lowest_vcn,
        }
    }
}

/// Where the attribute sits, for error reports: record number and the record's offset.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub record: u64,
    pub record_offset: u64,
}

impl Place {
    pub fn err(&self, pos: usize, detail: &'static str) -> fsabi::Corrupt {
        corrupt("NTFS MFT record", self.record_offset + pos as u64, detail)
            .index(self.record)
            .part("attribute")
    }
}

/// Decodes the attribute whose header starts at `pos`; `end` is the record's bytes in use.
/// Returns the attribute and its length.
pub fn decode(rec: &[u8], pos: usize, end: usize, place: Place) -> Result<(Attribute, usize)> {
    if !fits(rec, pos, 16) || pos + 16 > end {
        return Err(place
            .err(pos, "attribute header past the end of the record")
            .into());
    }
    let type_code = le32(rec, pos);
    let len = le32(rec, pos + 4) as usize;
    let non_resident = rec[pos + 8] != 0;
    let min = if non_resident {
        NON_RESIDENT_HEADER
    } else {
        RESIDENT_HEADER
    };
    if len < min || len % 8 != 0 || pos + len > end {
        let e = place.err(pos + 4, "attribute length past the record or malformed");
        return Err(e.values((end - pos) as u64, len as u64).into());
    }
    let a = &rec[pos..pos + len];
    let name = decode_name(a, place, pos)?;
    let flags = le16(a, 12);
    let mut value_at = place.record_offset + pos as u64;
    let body = if non_resident {
        Body::NonResident(decode_non_resident(a, flags, place, pos)?)
    } else {
        let vlen = le32(a, 16) as usize;
        let voff = le16(a, 20) as usize;
        if !fits(a, voff, vlen) {
            return Err(place
                .err(pos + 16, "resident value past the attribute")
                .values(len as u64, (voff + vlen) as u64)
                .into());
        }
        value_at += voff as u64;
        Body::Resident(a[voff..voff + vlen].to_vec())
    };
    let attr = Attribute {
        type_code,
        name,
        flags,
        instance: le16(a, 14),
        record: place.record,
        offset: place.record_offset + pos as u64,
        value_at,
        body,
    };
    Ok((attr, len))
}

fn decode_name(a: &[u8], place: Place, pos: usize) -> Result<Vec<u16>> {
    let n = a[9] as usize;
    let off = le16(a, 10) as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    if !fits(a, off, n * 2) {
        return Err(place
            .err(pos + 10, "attribute name past the attribute")
            .into());
    }
    Ok((0..n).map(|i| le16(a, off + 2 * i)).collect())
}

fn decode_non_resident(a: &[u8], flags: u16, place: Place, pos: usize) -> Result<NonResident> {
    let lowest_vcn = le64(a, 16);
    let highest_vcn = le64(a, 24);
    let mp_off = le16(a, 32) as usize;
    let compression_unit = a[34];
    let has_compressed =
        flags & (flags::COMPRESSION_MASK | flags::SPARSE) != 0 && a.len() >= COMPRESSED_HEADER;
    let header = if has_compressed {
        COMPRESSED_HEADER
    } else {
        NON_RESIDENT_HEADER
    };
    if mp_off < NON_RESIDENT_HEADER || mp_off >= a.len() {
        return Err(place
            .err(pos + 32, "mapping pairs offset outside the attribute")
            .values(header as u64, mp_off as u64)
            .into());
    }
    // VCNs are signed 64-bit on disk; highest = lowest - 1 marks an empty extent.
    if lowest_vcn > i64::MAX as u64 || highest_vcn.wrapping_add(1) < lowest_vcn {
        return Err(place
            .err(pos + 16, "VCN range is reversed")
            .values(lowest_vcn, highest_vcn)
            .into());
    }
    let nr = NonResident {
        lowest_vcn,
        highest_vcn,
        mapping_pairs: a[mp_off..].to_vec(),
        mapping_pairs_at: place.record_offset + (pos + mp_off) as u64,
        compression_unit,
        allocated_size: le64(a, 40),
        data_size: le64(a, 48),
        initialized_size: le64(a, 56),
        compressed_size: if has_compressed {
            Some(le64(a, 64))
        } else {
            None
        },
    };
    if lowest_vcn == 0 && (nr.data_size > nr.allocated_size || nr.initialized_size > nr.data_size) {
        let e = place.err(
            pos + 48,
            "attribute sizes out of order (initialized <= data <= allocated)",
        );
        return Err(e.values(nr.allocated_size, nr.data_size).into());
    }
    Ok(nr)
}

/// An error for an attribute found where it cannot be used (wrong form or size).
pub fn misplaced(attr: &Attribute, detail: &'static str) -> Error {
    corrupt("NTFS MFT record", attr.offset, detail)
        .index(attr.record)
        .part("attribute")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place() -> Place {
        Place {
            record: 64,
            record_offset: 0x10000,
        }
    }

    fn resident(type_code: u32, value: &[u8]) -> Vec<u8> {
        let len = (24 + value.len() + 7) & !7;
        let mut a = vec![0u8; len];
        a[0..4].copy_from_slice(&type_code.to_le_bytes());
        a[4..8].copy_from_slice(&(len as u32).to_le_bytes());
        a[16..20].copy_from_slice(&(value.len() as u32).to_le_bytes());
        a[20..22].copy_from_slice(&24u16.to_le_bytes());
        a[24..24 + value.len()].copy_from_slice(value);
        a
    }

    #[test]
    fn decodes_resident_value() {
        let a = resident(kind::DATA, b"12345");
        let (attr, len) = decode(&a, 0, a.len(), place()).unwrap();
        assert_eq!(len, 32);
        assert_eq!(attr.resident_value().unwrap(), b"12345");
        assert_eq!(attr.offset, 0x10000);
    }

    #[test]
    fn rejects_length_past_record() {
        let mut a = resident(kind::DATA, b"12345");
        a[4] = 0x40;
        match decode(&a, 0, a.len(), place()).unwrap_err() {
            Error::Corrupt(c) => {
                assert_eq!(c.name(), "NTFS MFT record 64 attribute");
                assert_eq!(c.offset, 0x10004);
            }
            e => panic!("{:?}", e),
        }
    }

    #[test]
    fn rejects_value_past_attribute() {
        let mut a = resident(kind::DATA, b"12345");
        a[16] = 30;
        assert!(matches!(
            decode(&a, 0, a.len(), place()),
            Err(Error::Corrupt(_))
        ));
    }
}
