//! $FILE_NAME (0x30): a name of the file in one directory (parent reference, namespace,
//! UTF-16 name) plus copies of times, sizes and flags. The same structure is the key of
//! every $I30 index entry.
//! Reference: Linux-NTFS project documentation, "Attribute - $FILE_NAME (0x30)".

use crate::mft_record::{mref_record, mref_sequence};
use fsabi::le::{le16, le32, le64};

pub const HEADER_LEN: usize = 66;

pub mod namespace {
    pub const POSIX: u8 = 0;
    pub const WIN32: u8 = 1;
    pub const DOS: u8 = 2;
    pub const WIN32_AND_DOS: u8 = 3;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub parent: u64,
    pub parent_sequence: u16,
    pub data_size: u64,
    pub file_attributes: u32,
    /// Reparse tag when the file is a reparse point (else the EA size).
    pub reparse_tag: u32,
    pub namespace: u8,
    pub name: Vec<u16>,
}

impl FileName {
    /// A DOS 8.3 alias: hidden from listings because a Win32 name stands for the same file.
    pub fn is_dos_only(&self) -> bool {
        self.namespace == namespace::DOS
    }
}

/// Why a value is not a valid $FILE_NAME: the byte inside it and what was wrong.
pub type Fault = (usize, &'static str);

pub fn parse(v: &[u8]) -> Result<FileName, Fault> {
    if v.len() < HEADER_LEN {
        return Err((0, "file name shorter than its header"));
    }
    let n = v[64] as usize;
    if HEADER_LEN + 2 * n > v.len() {
        return Err((64, "file name length past the value"));
    }
    let parent = le64(v, 0);
    Ok(FileName {
        parent: mref_record(parent),
        parent_sequence: mref_sequence(parent),
        data_size: le64(v, 48),
        file_attributes: le32(v, 56),
        reparse_tag: le32(v, 60),
        namespace: v[65],
        name: (0..n).map(|i| le16(v, HEADER_LEN + 2 * i)).collect(),
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn value(parent: u64, name: &str, ns: u8, attrs: u32) -> Vec<u8> {
        let units: Vec<u16> = name.encode_utf16().collect();
        let mut v = vec![0u8; HEADER_LEN + 2 * units.len()];
        v[0..8].copy_from_slice(&(parent | 1 << 48).to_le_bytes());
        v[56..60].copy_from_slice(&attrs.to_le_bytes());
        v[64] = units.len() as u8;
        v[65] = ns;
        for (i, u) in units.iter().enumerate() {
            v[HEADER_LEN + 2 * i..HEADER_LEN + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn parses_name() {
        let f = parse(&value(5, "Datei ü.txt", namespace::WIN32, 0x20)).unwrap();
        assert_eq!(f.parent, 5);
        assert_eq!(f.parent_sequence, 1);
        assert_eq!(String::from_utf16(&f.name).unwrap(), "Datei ü.txt");
        assert!(!f.is_dos_only());
    }

    #[test]
    fn rejects_name_past_value() {
        let mut v = value(5, "abc", namespace::DOS, 0);
        v[64] = 9;
        assert_eq!(parse(&v).unwrap_err().0, 64);
    }
}
