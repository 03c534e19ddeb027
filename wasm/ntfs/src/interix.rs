//! Interix special files, as ntfs-3g (and Services for Unix) store them: a file with the
//! SYSTEM attribute whose $DATA is empty (FIFO), one byte (socket), or starts with a magic
//! ("IntxLNK\1" symlink with a UTF-16 target, "IntxCHR\0"/"IntxBLK\0" device numbers).
//! Reference: ntfs-3g documentation "Junction points, symbolic links and special files"
//! (INTX_FILE layout: 8-byte magic, then two 64-bit numbers or the target).

use fsabi::le::{le16, le64};

const MAGIC_LEN: usize = 8;
/// ntfs-3g reads at most a magic plus PATH_MAX UTF-16 units.
pub const MAX_INTERIX_SIZE: u64 = (MAGIC_LEN + 2 * 4096) as u64;
const DEVICE_SIZE: u64 = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interix {
    Fifo,
    Socket,
    Char(u64, u64),
    Block(u64, u64),
    Symlink(Vec<u16>),
}

/// Whether the size alone decides (FIFO/socket), or the data must be read.
pub fn by_size(size: u64, hidden: bool) -> Option<Interix> {
    match size {
        0 if !hidden => Some(Interix::Fifo),
        1 if !hidden => Some(Interix::Socket),
        _ => None,
    }
}

pub fn needs_data(size: u64) -> bool {
    size > MAGIC_LEN as u64 && size <= MAX_INTERIX_SIZE
}

pub fn by_data(d: &[u8]) -> Option<Interix> {
    if d.len() <= MAGIC_LEN {
        return None;
    }
    let size = d.len() as u64;
    match &d[..MAGIC_LEN] {
        b"IntxBLK\0" if size == DEVICE_SIZE => Some(Interix::Block(le64(d, 8), le64(d, 16))),
        b"IntxCHR\0" if size == DEVICE_SIZE => Some(Interix::Char(le64(d, 8), le64(d, 16))),
        b"IntxLNK\x01" => Some(Interix::Symlink(
            (0..(d.len() - MAGIC_LEN) / 2)
                .map(|i| le16(d, MAGIC_LEN + 2 * i))
                .collect(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        assert_eq!(by_size(0, false), Some(Interix::Fifo));
        assert_eq!(by_size(0, true), None);
        assert_eq!(by_size(1, false), Some(Interix::Socket));
        let mut dev = b"IntxCHR\0".to_vec();
        dev.extend_from_slice(&1u64.to_le_bytes());
        dev.extend_from_slice(&3u64.to_le_bytes());
        assert_eq!(by_data(&dev), Some(Interix::Char(1, 3)));
        let mut l = b"IntxLNK\x01".to_vec();
        l.extend("d/f".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(
            by_data(&l),
            Some(Interix::Symlink("d/f".encode_utf16().collect()))
        );
        assert_eq!(by_data(b"IntxLNK\x02abcd"), None);
        assert!(needs_data(9) && !needs_data(8) && !needs_data(MAX_INTERIX_SIZE + 1));
    }
}
