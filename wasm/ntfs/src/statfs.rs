//! Volume-wide records: statvfs (free space from $Bitmap, file counts from $MFT's bitmap,
//! computed as ntfs-3g's statfs does) and the info record (geometry, label, serial).
//! Reference: Linux-NTFS project documentation, "Files: $Bitmap", "Files: $MFT" ($BITMAP
//! attribute) and "Files: $Volume".

use crate::attribute::kind;
use crate::fs::{Fs, BITMAP};
use crate::ops::out_record;
use crate::stream::{self, Stream, StreamData};
use crate::volume;
use fsabi::error::{corrupt, Result};
use fsabi::le::{put16, put32, put64};
use fsabi::Device;

pub const STATVFS_SIZE: usize = 96;
pub const INFO_SIZE: usize = 320;
const LABEL_AT: usize = 64;
const LABEL_MAX: usize = 256;
/// Bitmaps are counted in slices of this size, so a huge volume needs no huge buffer.
const BITMAP_SLICE: u64 = 64 << 10;
const NAME_MAX: u32 = 255;
const ST_RDONLY: u32 = 1;

/// Zero bits among the first `bits` bits of stream `s`.
fn free_bits<D: Device>(fs: &Fs<D>, s: &Stream, bits: u64) -> Result<u64> {
    let bytes = ((bits + 7) / 8).min(s.size());
    let mut free = 0u64;
    let mut buf = vec![0u8; BITMAP_SLICE.min(bytes) as usize];
    let mut at = 0u64;
    while at < bytes {
        let n = (bytes - at).min(BITMAP_SLICE) as usize;
        stream::read(&fs.dev, &fs.boot, s, at, &mut buf[..n])?;
        for (k, b) in buf[..n].iter().enumerate() {
            let bit0 = (at + k as u64) * 8;
            let valid = (bits - bit0).min(8) as u32;
            let mask = if valid == 8 {
                0xFF
            } else {
                (1u16 << valid) as u8 - 1
            };
            free += (!b & mask).count_ones() as u64;
        }
        at += n as u64;
    }
    Ok(free)
}

fn allocated(s: &Stream) -> u64 {
    match &s.data {
        StreamData::Resident(v) => (v.len() as u64 + 7) & !7,
        StreamData::NonResident(n) => n.allocated_size,
    }
}

pub fn statvfs<D: Device>(fs: &mut Fs<D>, out: &mut [u8]) -> Result<i64> {
    let total = fs.boot.total_clusters;
    let lcn_bitmap = fs.inode(BITMAP)?.stream(kind::DATA, &[], total)?;
    let lcn_bitmap = match lcn_bitmap {
        Some(s) => s,
        None => {
            return Err(
                corrupt("NTFS MFT record", fs.mft.offset, "$Bitmap has no data")
                    .index(BITMAP)
                    .part("attribute")
                    .into(),
            )
        }
    };
    let free_clusters = free_bits(fs, &lcn_bitmap, total)?;
    let mft_bitmap = fs.inode(0)?.stream(kind::BITMAP, &[], total)?;
    // ntfs-3g: files = bitmap capacity + records the free space could hold; free records =
    // clear bits + unused bitmap bytes + the same free-space estimate.
    let (capacity, free_records) = match &mft_bitmap {
        Some(b) => (
            allocated(b) * 8,
            free_bits(fs, b, b.size() * 8)? + (allocated(b).saturating_sub(b.size())) * 8,
        ),
        None => (0, 0),
    };
    let cs_bits = fs.boot.cluster_size.trailing_zeros() as i32;
    let rs_bits = fs.boot.mft_record_size.trailing_zeros() as i32;
    let in_free_space = if cs_bits >= rs_bits {
        free_clusters << (cs_bits - rs_bits)
    } else {
        free_clusters >> (rs_bits - cs_bits)
    };
    let r = out_record(out, STATVFS_SIZE)?;
    put32(r, 0, fs.boot.cluster_size);
    put32(r, 4, fs.boot.cluster_size);
    put64(r, 8, total);
    put64(r, 16, free_clusters);
    put64(r, 24, free_clusters);
    put64(r, 32, capacity + in_free_space);
    put64(r, 40, in_free_space + free_records);
    put64(r, 48, in_free_space + free_records);
    put64(r, 56, fs.boot.serial);
    put32(r, 64, ST_RDONLY);
    put32(r, 68, NAME_MAX);
    Ok(STATVFS_SIZE as i64)
}

/// {u32 cluster, u32 sector, u32 MFT record, u32 index record, u64 clusters, u64 MFT LCN,
/// u64 MFTMirr LCN, u64 serial, u64 MFT records, u8 major, u8 minor, u16 volume flags,
/// u16 label length, u16 0, label UTF-8 at 64 (at most 256 bytes)}.
pub fn info<D: Device>(fs: &mut Fs<D>, out: &mut [u8]) -> Result<i64> {
    let v = volume::read(fs)?;
    let b = fs.boot.clone();
    let records = fs.record_count;
    let r = out_record(out, INFO_SIZE)?;
    put32(r, 0, b.cluster_size);
    put32(r, 4, b.bytes_per_sector);
    put32(r, 8, b.mft_record_size);
    put32(r, 12, b.index_record_size);
    put64(r, 16, b.total_clusters);
    put64(r, 24, b.mft_lcn);
    put64(r, 32, b.mftmirr_lcn);
    put64(r, 40, b.serial);
    put64(r, 48, records);
    r[56] = v.major;
    r[57] = v.minor;
    put16(r, 58, v.flags);
    let mut n = v.label.len().min(LABEL_MAX);
    while !v.label.is_char_boundary(n) {
        n -= 1;
    }
    put16(r, 60, n as u16);
    r[LABEL_AT..LABEL_AT + n].copy_from_slice(&v.label.as_bytes()[..n]);
    Ok(INFO_SIZE as i64)
}
