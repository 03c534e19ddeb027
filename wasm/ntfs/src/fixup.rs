//! Update sequence ("multi-sector transfer") fixups. FILE and INDX records end every
//! 512-byte stride with a copy of the update sequence number; the bytes they replaced are
//! kept in the update sequence array. A stride whose last two bytes differ from the number
//! was torn by an interrupted write (or damaged), so the whole record is corrupt.
//! Reference: Linux-NTFS project documentation, "Concepts: Fixup" (update sequence array),
//! and NTFS_RECORD in kernel fs/ntfs/layout.h.

use fsabi::le::le16;

/// The stride protected by one update sequence entry, whatever the sector size.
pub const STRIDE: usize = 512;

/// Why a record failed: the byte position inside the record and the values compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub at: usize,
    pub detail: &'static str,
    pub expected: u64,
    pub actual: u64,
}

fn fault(at: usize, detail: &'static str, expected: u64, actual: u64) -> Fault {
    Fault {
        at,
        detail,
        expected,
        actual,
    }
}

/// Checks and undoes the fixups of one record in place. `header_len` is the size of the
/// fixed header the array must follow (0x28 for FILE and INDX records).
pub fn apply(buf: &mut [u8], header_len: usize) -> Result<(), Fault> {
    let size = buf.len();
    let usa_ofs = le16(buf, 4) as usize;
    let usa_count = le16(buf, 6) as usize;
    let strides = size / STRIDE;
    if size % STRIDE != 0 || usa_count != strides + 1 {
        return Err(fault(
            6,
            "update sequence count does not match the record size",
            strides as u64 + 1,
            usa_count as u64,
        ));
    }
    // The array lives in the first stride, after the header, and is 2-byte aligned.
    if usa_ofs & 1 != 0 || usa_ofs < header_len || usa_ofs + usa_count * 2 > STRIDE - 2 {
        return Err(fault(
            4,
            "update sequence array outside the first stride",
            header_len as u64,
            usa_ofs as u64,
        ));
    }
    let usn = le16(buf, usa_ofs);
    for i in 0..strides {
        let end = (i + 1) * STRIDE - 2;
        let found = le16(buf, end);
        if found != usn {
            return Err(fault(
                end,
                "update sequence number mismatch (torn write)",
                usn as u64,
                found as u64,
            ));
        }
    }
    for i in 0..strides {
        let end = (i + 1) * STRIDE - 2;
        let saved = usa_ofs + 2 + i * 2;
        buf[end] = buf[saved];
        buf[end + 1] = buf[saved + 1];
    }
    Ok(())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Protects `buf` the way NTFS writes it: array at 0x30, number `usn`.
    pub fn protect(buf: &mut [u8], usn: u16) {
        let strides = buf.len() / STRIDE;
        buf[4..6].copy_from_slice(&0x30u16.to_le_bytes());
        buf[6..8].copy_from_slice(&(strides as u16 + 1).to_le_bytes());
        buf[0x30..0x32].copy_from_slice(&usn.to_le_bytes());
        for i in 0..strides {
            let end = (i + 1) * STRIDE - 2;
            let saved = 0x32 + i * 2;
            buf[saved] = buf[end];
            buf[saved + 1] = buf[end + 1];
            buf[end..end + 2].copy_from_slice(&usn.to_le_bytes());
        }
    }

    fn sample() -> Vec<u8> {
        let mut b: Vec<u8> = (0..1024u32).map(|i| (i * 7 % 251) as u8).collect();
        b[0..4].copy_from_slice(b"FILE");
        b
    }

    #[test]
    fn restores_protected_bytes() {
        let original = sample();
        let mut b = original.clone();
        protect(&mut b, 0x1773);
        assert_eq!(&b[510..512], &0x1773u16.to_le_bytes());
        apply(&mut b, 0x28).unwrap();
        assert_eq!(&b[0x40..], &original[0x40..]);
        assert_eq!(&b[510..512], &original[510..512]);
        assert_eq!(&b[1022..1024], &original[1022..1024]);
    }

    #[test]
    fn detects_torn_second_stride() {
        let mut b = sample();
        protect(&mut b, 7);
        b[1023] ^= 0xFF;
        let f = apply(&mut b, 0x28).unwrap_err();
        assert_eq!(f.at, 1022);
        assert_eq!(f.expected, 7);
    }

    #[test]
    fn rejects_bad_array_geometry() {
        let mut b = sample();
        protect(&mut b, 7);
        b[6] = 4; // three strides declared for a two-stride record
        assert_eq!(apply(&mut b.clone(), 0x28).unwrap_err().at, 6);
        b[6] = 3;
        b[4] = 0x10; // inside the header
        assert_eq!(apply(&mut b.clone(), 0x28).unwrap_err().at, 4);
        b[4] = 0x31; // odd
        assert_eq!(apply(&mut b, 0x28).unwrap_err().at, 4);
    }
}
