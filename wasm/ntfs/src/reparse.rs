//! $REPARSE_POINT (0xC0): a tag saying which filter owns the file, and that filter's data.
//! Symbolic links and junctions carry a substitute name; other tags (cloud files, dedup,
//! WOF compression, WSL specials) are described so callers can name what they refuse.
//! Reference: [MS-FSCC] 2.1.2 "Reparse Tags" and 2.1.2.4/2.1.2.5 (symbolic link and mount
//! point reparse data); Linux-NTFS documentation "Attribute - $REPARSE_POINT (0xC0)".

use fsabi::le::{le16, le32};

pub mod tag {
    pub const MOUNT_POINT: u32 = 0xA000_0003;
    pub const SYMLINK: u32 = 0xA000_000C;
    pub const DEDUP: u32 = 0x8000_0013;
    pub const WOF: u32 = 0x8000_0017;
    pub const LX_SYMLINK: u32 = 0xA000_001D;
    /// Cloud files: 0x9000_001A with a sub-type in bits 12..15.
    pub const CLOUD_MASK: u32 = 0xFFFF_0FFF;
    pub const CLOUD: u32 = 0x9000_001A;
    /// Tags Microsoft owns have bit 31 set; others carry a 16-byte GUID after the header.
    pub const IS_MICROSOFT: u32 = 0x8000_0000;
}

/// Windows caps reparse data at 16 KiB (MAXIMUM_REPARSE_DATA_BUFFER_SIZE).
pub const MAX_REPARSE_SIZE: u64 = 16 << 10;
const HEADER: usize = 8;
const GUID: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reparse {
    pub tag: u32,
    /// The whole attribute value (header included).
    pub raw: Vec<u8>,
}

/// The substitute name of a symlink or junction and whether it is relative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkData {
    pub subst: Vec<u16>,
    pub relative: bool,
}

impl Reparse {
    pub fn parse(raw: Vec<u8>) -> Reparse {
        let tag = if raw.len() >= 4 { le32(&raw, 0) } else { 0 };
        Reparse { tag, raw }
    }

    pub fn is_link(&self) -> bool {
        self.tag == tag::MOUNT_POINT || self.tag == tag::SYMLINK || self.tag == tag::LX_SYMLINK
    }

    pub fn is_cloud(&self) -> bool {
        self.tag & tag::CLOUD_MASK == tag::CLOUD
    }

    /// ntfs-3g's consistency rule: the declared data length matches the value size.
    fn consistent(&self) -> bool {
        let n = self.raw.len();
        if n < HEADER || self.tag == 0 {
            return false;
        }
        let guid = if self.tag & tag::IS_MICROSOFT != 0 {
            0
        } else {
            GUID
        };
        le16(&self.raw, 4) as usize + HEADER + guid == n
    }

    /// Symlink or junction data; None when it is malformed (ntfs-3g then shows the link as
    /// "unsupported reparse tag"). Junctions must be directories.
    pub fn link_data(&self, is_dir: bool) -> Option<LinkData> {
        if !self.consistent() {
            return None;
        }
        let (buffer, relative) = match self.tag {
            tag::MOUNT_POINT if is_dir => (HEADER + 8, false),
            tag::SYMLINK if self.raw.len() >= HEADER + 12 => {
                (HEADER + 12, le32(&self.raw, HEADER + 8) & 1 != 0)
            }
            _ => return None,
        };
        if self.raw.len() < HEADER + 8 {
            return None;
        }
        let offs = le16(&self.raw, HEADER) as usize;
        let len = le16(&self.raw, HEADER + 2) as usize;
        if buffer + offs + len > self.raw.len() || len < 2 {
            return None;
        }
        let subst = (0..len / 2)
            .map(|i| le16(&self.raw, buffer + offs + 2 * i))
            .collect();
        Some(LinkData { subst, relative })
    }

    /// A WSL symlink: version 2, then the UTF-8 target.
    pub fn lx_target(&self) -> Option<Vec<u8>> {
        if self.tag != tag::LX_SYMLINK
            || !self.consistent()
            || self.raw.len() < HEADER + 4
            || le32(&self.raw, HEADER) != 2
        {
            return None;
        }
        Some(self.raw[HEADER + 4..].to_vec())
    }

    /// What a caller is told when the data behind this tag cannot be read.
    pub fn feature(&self) -> &'static str {
        match self.tag {
            tag::DEDUP => "NTFS reparse point (Data Deduplication) tag",
            tag::WOF => "NTFS reparse point (WOF compressed file) tag",
            t if t & tag::CLOUD_MASK == tag::CLOUD => {
                "NTFS reparse point (cloud file not present locally) tag"
            }
            _ => "NTFS reparse point tag",
        }
    }
}

/// ntfs-3g's text for a link it cannot translate.
pub fn unsupported_text(tag: u32) -> Vec<u8> {
    let mut s = String::from("unsupported reparse tag 0x");
    for shift in (0..8).rev() {
        let d = ((tag >> (shift * 4)) & 0xF) as u8;
        s.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    }
    s.into_bytes()
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn symlink(target: &str, relative: bool) -> Vec<u8> {
        let t: Vec<u8> = target
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let mut d = Vec::new();
        for v in [0u16, t.len() as u16, t.len() as u16, t.len() as u16] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        d.extend_from_slice(&(relative as u32).to_le_bytes());
        d.extend_from_slice(&t);
        d.extend_from_slice(&t);
        let mut v = tag::SYMLINK.to_le_bytes().to_vec();
        v.extend_from_slice(&(d.len() as u16).to_le_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend(d);
        v
    }

    #[test]
    fn decodes_symlink() {
        let r = Reparse::parse(symlink("..\\a", true));
        assert!(r.is_link());
        let l = r.link_data(false).unwrap();
        assert!(l.relative);
        assert_eq!(String::from_utf16(&l.subst).unwrap(), "..\\a");
    }

    #[test]
    fn rejects_inconsistent_length_and_file_junction() {
        let mut raw = symlink("x", false);
        raw[4] += 2;
        assert!(Reparse::parse(raw).link_data(false).is_none());
        let mut j = symlink("\\??\\C:\\x", false);
        j[0..4].copy_from_slice(&tag::MOUNT_POINT.to_le_bytes());
        assert!(Reparse::parse(j).link_data(false).is_none());
    }

    #[test]
    fn text_and_kinds() {
        assert_eq!(
            unsupported_text(0xA000000C),
            b"unsupported reparse tag 0xa000000c".to_vec()
        );
        assert!(Reparse::parse(0x9000_601Au32.to_le_bytes().to_vec()).is_cloud());
        assert!(!Reparse::parse(tag::WOF.to_le_bytes().to_vec()).is_cloud());
    }
}
