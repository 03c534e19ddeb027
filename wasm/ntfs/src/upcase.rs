//! $UpCase (record 10): the volume's own table mapping every UTF-16 code unit to its upper
//! case. File names compare through it, so a volume formatted by an older Windows keeps its
//! own case rules; no built-in table is used.
//! Reference: Linux-NTFS project documentation, "Files: $UpCase".

use core::cmp::Ordering;

/// 65536 entries of 2 bytes, always.
pub const UPCASE_BYTES: u64 = 0x20000;

pub struct UpCase {
    table: Vec<u16>,
}

impl UpCase {
    pub fn from_bytes(b: &[u8]) -> UpCase {
        UpCase {
            table: b
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        }
    }

    pub fn upper(&self, c: u16) -> u16 {
        self.table.get(c as usize).copied().unwrap_or(c)
    }

    /// Order by upper-cased code units, then length: the $I30 file-name collation.
    pub fn cmp_ignore_case(&self, a: &[u16], b: &[u16]) -> Ordering {
        for (x, y) in a.iter().zip(b.iter()) {
            let (ux, uy) = (self.upper(*x), self.upper(*y));
            if ux != uy {
                return ux.cmp(&uy);
            }
        }
        a.len().cmp(&b.len())
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// ASCII-only table (what a test volume needs).
    pub fn ascii() -> UpCase {
        let mut b = Vec::with_capacity(UPCASE_BYTES as usize);
        for c in 0..=0xFFFFu32 {
            let u = if (0x61..=0x7A).contains(&c) {
                c - 0x20
            } else {
                c
            };
            b.extend_from_slice(&(u as u16).to_le_bytes());
        }
        UpCase::from_bytes(&b)
    }

    fn w(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn compares_ignoring_case() {
        let u = ascii();
        assert_eq!(
            u.cmp_ignore_case(&w("File.TXT"), &w("file.txt")),
            Ordering::Equal
        );
        assert_eq!(u.cmp_ignore_case(&w("a"), &w("B")), Ordering::Less);
        assert_eq!(u.cmp_ignore_case(&w("ab"), &w("A")), Ordering::Greater);
        // '_' (0x5F) sorts after every letter: letters compare upper-cased (<= 0x5A).
        assert_eq!(u.cmp_ignore_case(&w("_"), &w("z")), Ordering::Greater);
    }
}
