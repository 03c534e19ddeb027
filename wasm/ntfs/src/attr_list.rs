//! $ATTRIBUTE_LIST: when a file's attributes do not fit in its base record they spill into
//! extension records, and this list (in the base record, resident or not) names the record
//! holding each attribute extent.
//! Reference: Linux-NTFS project documentation, "Attribute - $ATTRIBUTE_LIST (0x20)";
//! ATTR_LIST_ENTRY in kernel fs/ntfs/layout.h.

use crate::mft_record::{mref_record, mref_sequence};
use fsabi::error::{corrupt, Result};
use fsabi::le::{fits, le16, le32, le64};

/// Windows refuses attribute lists above 256 KiB (ntfs-3g does too); a bigger one is a
/// damaged size field, not a file.
pub const MAX_ATTRIBUTE_LIST_SIZE: u64 = 256 << 10;
const ENTRY_HEADER: usize = 26;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub type_code: u32,
    pub name: Vec<u16>,
    pub lowest_vcn: u64,
    pub record: u64,
    pub sequence: u16,
    pub instance: u16,
}

/// Decodes the list value. `record`/`offset` locate the base record for error reports.
pub fn parse(value: &[u8], record: u64, offset: u64) -> Result<Vec<Entry>> {
    let err = |pos: usize, detail: &'static str| {
        corrupt("NTFS MFT record", offset + pos as u64, detail)
            .index(record)
            .part("attribute list")
    };
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < value.len() {
        if !fits(value, pos, ENTRY_HEADER) {
            return Err(err(pos, "entry header past the end of the list").into());
        }
        let len = le16(value, pos + 4) as usize;
        if len < ENTRY_HEADER || !fits(value, pos, len) {
            return Err(err(pos + 4, "entry length out of range")
                .values(ENTRY_HEADER as u64, len as u64)
                .into());
        }
        let e = &value[pos..pos + len];
        let name_len = e[6] as usize;
        let name_off = e[7] as usize;
        if name_len > 0 && !fits(e, name_off, name_len * 2) {
            return Err(err(pos + 6, "entry name past the entry").into());
        }
        let mref = le64(e, 16);
        out.push(Entry {
            type_code: le32(e, 0),
            name: (0..name_len).map(|i| le16(e, name_off + 2 * i)).collect(),
            lowest_vcn: le64(e, 8),
            record: mref_record(mref),
            sequence: mref_sequence(mref),
            instance: le16(e, 24),
        });
        pos += len;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fsabi::Error;

    fn entry(type_code: u32, vcn: u64, record: u64, name: &str) -> Vec<u8> {
        let units: Vec<u16> = name.encode_utf16().collect();
        let len = (ENTRY_HEADER + units.len() * 2 + 7) & !7;
        let mut e = vec![0u8; len];
        e[0..4].copy_from_slice(&type_code.to_le_bytes());
        e[4..6].copy_from_slice(&(len as u16).to_le_bytes());
        e[6] = units.len() as u8;
        e[7] = ENTRY_HEADER as u8;
        e[8..16].copy_from_slice(&vcn.to_le_bytes());
        e[16..24].copy_from_slice(&(record | 1 << 48).to_le_bytes());
        for (i, u) in units.iter().enumerate() {
            e[ENTRY_HEADER + 2 * i..ENTRY_HEADER + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        e
    }

    #[test]
    fn parses_entries() {
        let mut v = entry(0x80, 0, 76, "");
        v.extend(entry(0x80, 161, 82, ""));
        v.extend(entry(0x80, 0, 90, "ads"));
        let l = parse(&v, 76, 0).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[1].lowest_vcn, 161);
        assert_eq!(l[1].record, 82);
        assert_eq!(l[1].sequence, 1);
        assert_eq!(String::from_utf16(&l[2].name).unwrap(), "ads");
    }

    #[test]
    fn rejects_zero_length_entry() {
        let mut v = entry(0x80, 0, 76, "");
        v[4] = 0;
        assert!(
            matches!(parse(&v, 76, 4096), Err(Error::Corrupt(c)) if c.name() == "NTFS MFT record 76 attribute list")
        );
    }
}
