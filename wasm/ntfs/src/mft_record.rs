//! One FILE record of the MFT: header, update sequence fixups, then the attribute records
//! up to the end marker.
//! Reference: Linux-NTFS project documentation, "Concepts: File Record"; MFT_RECORD in
//! kernel fs/ntfs/layout.h.

use crate::attribute::{self, kind, Attribute, Place};
use crate::fixup;
use fsabi::error::{corrupt, Result};
use fsabi::le::{le16, le32, le64};

pub mod record_flags {
    pub const IN_USE: u16 = 0x1;
    pub const DIRECTORY: u16 = 0x2;
}

/// The NTFS 3.0 header ends at 0x2A; NTFS 3.1 adds the record number at 0x2C.
const HEADER_V30: usize = 0x2A;
const HEADER_V31: usize = 0x30;

/// The low 48 bits of a file reference are the record number, the high 16 the sequence.
pub fn mref_record(r: u64) -> u64 {
    r & 0x0000_FFFF_FFFF_FFFF
}
pub fn mref_sequence(r: u64) -> u16 {
    (r >> 48) as u16
}

#[derive(Debug, Clone)]
pub struct MftRecord {
    pub number: u64,
    pub offset: u64,
    pub sequence: u16,
    pub link_count: u16,
    pub flags: u16,
    /// The base record this extension record belongs to (0 for a base record).
    pub base: u64,
    pub attributes: Vec<Attribute>,
}

impl MftRecord {
    pub fn in_use(&self) -> bool {
        self.flags & record_flags::IN_USE != 0
    }
    pub fn is_directory(&self) -> bool {
        self.flags & record_flags::DIRECTORY != 0
    }
    pub fn find(&self, type_code: u32, name: &[u16]) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.type_code == type_code && a.is_named(name))
    }
}

fn header_err(number: u64, at: u64, detail: &'static str) -> fsabi::Corrupt {
    corrupt("NTFS MFT record", at, detail)
        .index(number)
        .part("header")
}

/// Parses record `number` read from device offset `offset` (`buf` is one record).
pub fn parse(mut buf: Vec<u8>, number: u64, offset: u64) -> Result<MftRecord> {
    if &buf[0..4] != b"FILE" {
        let detail = if &buf[0..4] == b"BAAD" {
            "record marked bad (BAAD)"
        } else {
            "bad magic (not FILE)"
        };
        return Err(header_err(number, offset, detail)
            .values(0x454C_4946, le32(&buf, 0) as u64)
            .into());
    }
    if let Err(f) = fixup::apply(&mut buf, HEADER_V30) {
        let e = corrupt("NTFS MFT record", offset + f.at as u64, f.detail)
            .index(number)
            .part("update sequence")
            .values(f.expected, f.actual);
        return Err(e.into());
    }
    let size = buf.len();
    let attrs_offset = le16(&buf, 20) as usize;
    let bytes_in_use = le32(&buf, 24) as usize;
    let bytes_allocated = le32(&buf, 28) as usize;
    if bytes_allocated != size {
        return Err(header_err(
            number,
            offset + 28,
            "allocated size differs from the record size",
        )
        .values(size as u64, bytes_allocated as u64)
        .into());
    }
    if bytes_in_use > size || bytes_in_use % 8 != 0 {
        return Err(
            header_err(number, offset + 24, "bytes in use past the record")
                .values(size as u64, bytes_in_use as u64)
                .into(),
        );
    }
    if attrs_offset < HEADER_V30 || attrs_offset % 8 != 0 || attrs_offset + 4 > bytes_in_use {
        return Err(
            header_err(number, offset + 20, "first attribute outside the record")
                .values(HEADER_V31 as u64, attrs_offset as u64)
                .into(),
        );
    }
    // NTFS 3.1 records say which number they are: catches a misread $MFT runlist.
    if attrs_offset >= HEADER_V31 {
        let own = le32(&buf, 0x2C) as u64;
        if own != number & 0xFFFF_FFFF {
            return Err(header_err(
                number,
                offset + 0x2C,
                "record number field differs from its position",
            )
            .values(number, own)
            .into());
        }
    }
    let place = Place {
        record: number,
        record_offset: offset,
    };
    let attributes = decode_attributes(&buf, attrs_offset, bytes_in_use, place)?;
    Ok(MftRecord {
        number,
        offset,
        sequence: le16(&buf, 16),
        link_count: le16(&buf, 18),
        flags: le16(&buf, 22),
        base: mref_record(le64(&buf, 32)),
        attributes,
    })
}

fn decode_attributes(buf: &[u8], start: usize, end: usize, place: Place) -> Result<Vec<Attribute>> {
    let mut out = Vec::new();
    let mut pos = start;
    loop {
        if pos + 4 > end {
            return Err(place
                .err(pos, "attribute list runs past bytes in use (no end marker)")
                .into());
        }
        if le32(buf, pos) == kind::END {
            return Ok(out);
        }
        let (attr, len) = attribute::decode(buf, pos, end, place)?;
        out.push(attr);
        pos += len;
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::fixup::tests::protect;
    use fsabi::Error;

    /// A 1 KiB in-use record `number` holding the given attribute records.
    pub fn record(number: u32, flags: u16, attrs: &[Vec<u8>]) -> Vec<u8> {
        let mut b = vec![0u8; 1024];
        b[0..4].copy_from_slice(b"FILE");
        b[16..18].copy_from_slice(&1u16.to_le_bytes());
        b[18..20].copy_from_slice(&1u16.to_le_bytes());
        b[20..22].copy_from_slice(&0x38u16.to_le_bytes());
        b[22..24].copy_from_slice(&flags.to_le_bytes());
        b[28..32].copy_from_slice(&1024u32.to_le_bytes());
        b[0x2C..0x30].copy_from_slice(&number.to_le_bytes());
        let mut pos = 0x38;
        for a in attrs {
            b[pos..pos + a.len()].copy_from_slice(a);
            pos += a.len();
        }
        b[pos..pos + 4].copy_from_slice(&kind::END.to_le_bytes());
        let used = (pos + 8) as u32;
        b[24..28].copy_from_slice(&used.to_le_bytes());
        protect(&mut b, 3);
        b
    }

    fn name_of(e: Error) -> String {
        match e {
            Error::Corrupt(c) => c.name(),
            e => panic!("{:?}", e),
        }
    }

    #[test]
    fn parses_empty_record() {
        let r = parse(record(40, 1, &[]), 40, 40 * 1024).unwrap();
        assert!(r.in_use());
        assert!(!r.is_directory());
        assert!(r.attributes.is_empty());
    }

    #[test]
    fn names_fixup_mismatch() {
        let mut b = record(40, 1, &[]);
        b[510] ^= 1;
        assert_eq!(
            name_of(parse(b, 40, 0).unwrap_err()),
            "NTFS MFT record 40 update sequence"
        );
    }

    #[test]
    fn rejects_wrong_number_and_magic() {
        assert_eq!(
            name_of(parse(record(41, 1, &[]), 40, 0).unwrap_err()),
            "NTFS MFT record 40 header"
        );
        let mut b = record(40, 1, &[]);
        b[0..4].copy_from_slice(b"BAAD");
        assert_eq!(
            name_of(parse(b, 40, 0).unwrap_err()),
            "NTFS MFT record 40 header"
        );
    }

    #[test]
    fn mref_parts() {
        let r = 0x0005_0000_0000_0040u64;
        assert_eq!(mref_record(r), 0x40);
        assert_eq!(mref_sequence(r), 5);
    }
}
