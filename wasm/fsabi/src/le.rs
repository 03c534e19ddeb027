//! Little-endian field readers for fixed-layout structures. Callers check that the field
//! lies inside the slice before reading a field at a computed offset; constant offsets into
//! buffers of a validated size need no check.

pub fn le16(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

pub fn le32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

pub fn le64(b: &[u8], off: usize) -> u64 {
    (le32(b, off) as u64) | ((le32(b, off + 4) as u64) << 32)
}

/// True when `len` bytes at `off` lie inside `b` (no overflow).
pub fn fits(b: &[u8], off: usize, len: usize) -> bool {
    off.checked_add(len).map_or(false, |end| end <= b.len())
}

/// Writers for the records the exports fill in.
pub fn put16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

pub fn put32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

pub fn put64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}
