//! $STANDARD_INFORMATION (0x10): the four timestamps and the DOS-style file attribute flags
//! (read-only, hidden, system, reparse point …) that Windows and ntfs-3g report.
//! Reference: Linux-NTFS project documentation, "Attribute - $STANDARD_INFORMATION (0x10)".

use fsabi::le::{le32, le64};

/// NTFS 1.2 values are 48 bytes; NTFS 3.x adds owner, security id, quota and USN (72).
const MIN_LEN: usize = 48;

pub mod file_attr {
    pub const READONLY: u32 = 0x1;
    pub const HIDDEN: u32 = 0x2;
    pub const SYSTEM: u32 = 0x4;
    pub const ARCHIVE: u32 = 0x20;
    pub const SPARSE_FILE: u32 = 0x200;
    pub const REPARSE_POINT: u32 = 0x400;
    pub const COMPRESSED: u32 = 0x800;
    pub const ENCRYPTED: u32 = 0x4000;
    /// Only in $FILE_NAME / index keys: the file is a directory (has an $I30 index).
    pub const DUP_FILE_NAME_INDEX_PRESENT: u32 = 0x1000_0000;
}

/// Windows FILETIME: 100 ns ticks since 1601-01-01 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileTime(pub u64);

/// 1601-01-01 to 1970-01-01 in 100 ns ticks.
const EPOCH_DIFF: i128 = 116_444_736_000_000_000;

impl FileTime {
    /// Seconds and nanoseconds since the Unix epoch (floor division, so times before 1970
    /// keep a non-negative nanosecond part).
    pub fn unix(self) -> (i64, u32) {
        let t = self.0 as i64 as i128 - EPOCH_DIFF;
        let sec = t.div_euclid(10_000_000);
        let nsec = (t.rem_euclid(10_000_000) * 100) as u32;
        (sec as i64, nsec)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StandardInformation {
    pub creation: FileTime,
    pub modification: FileTime,
    pub mft_modification: FileTime,
    pub access: FileTime,
    pub file_attributes: u32,
}

/// None when the value is too short to hold the timestamps and flags.
pub fn parse(v: &[u8]) -> Option<StandardInformation> {
    if v.len() < MIN_LEN {
        return None;
    }
    Some(StandardInformation {
        creation: FileTime(le64(v, 0)),
        modification: FileTime(le64(v, 8)),
        mft_modification: FileTime(le64(v, 16)),
        access: FileTime(le64(v, 24)),
        file_attributes: le32(v, 32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_filetime() {
        // 2004-02-29 00:00:00 UTC (a leap day) = 1078012800.
        let ft = FileTime((1_078_012_800i128 * 10_000_000 + EPOCH_DIFF + 1234567) as u64);
        assert_eq!(ft.unix(), (1_078_012_800, 123_456_700));
        assert_eq!(FileTime(0).unix(), (-11_644_473_600, 0));
        let before = FileTime((EPOCH_DIFF - 1) as u64);
        assert_eq!(before.unix(), (-1, 999_999_900));
    }

    #[test]
    fn parses_flags() {
        let mut v = vec![0u8; 72];
        v[32] = 0x06;
        let si = parse(&v).unwrap();
        assert_eq!(si.file_attributes, file_attr::HIDDEN | file_attr::SYSTEM);
        assert!(parse(&v[..40]).is_none());
    }
}
