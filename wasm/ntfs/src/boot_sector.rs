//! The NTFS boot sector: the first 512 bytes of the volume. It gives the geometry (sector,
//! cluster, MFT record and index record sizes), the volume size, where $MFT starts and the
//! volume serial number.
//! Reference: Linux-NTFS project documentation, "Files: $Boot" (NTFS_BOOT_SECTOR / BIOS
//! parameter block), and kernel fs/ntfs/layout.h.

use fsabi::error::{corrupt, Error, Result};
use fsabi::le::{le16, le64};

pub const BOOT_SECTOR_SIZE: usize = 512;
const OEM_ID: &[u8; 8] = b"NTFS    ";

/// Windows formats sectors of 512..=4096 bytes; anything else is not a disk it made.
const MIN_SECTOR_SIZE: u32 = 256;
const MAX_SECTOR_SIZE: u32 = 4096;
/// Windows 10 (1709+) formats clusters up to 2 MiB, encoded as a negative power of two.
pub const MAX_CLUSTER_SIZE: u32 = 2 << 20;
/// MFT and index records are 1 KiB / 4 KiB in practice; 64 KiB bounds every per-record
/// buffer (the fixup array then has at most 129 entries).
pub const MAX_RECORD_SIZE: u32 = 64 << 10;
/// Offsets above 2^53 bytes cannot cross into JavaScript exactly (and no disk is 8 PiB).
pub const MAX_VOLUME_BYTES: u64 = 1 << 53;
/// Update sequences protect each 512-byte stride, so records are at least one stride.
pub const MIN_RECORD_SIZE: u32 = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootSector {
    pub bytes_per_sector: u32,
    pub sectors_per_cluster: u32,
    pub cluster_size: u32,
    pub total_sectors: u64,
    /// Clusters in the volume (the backup boot sector after them is not counted).
    pub total_clusters: u64,
    pub mft_lcn: u64,
    pub mftmirr_lcn: u64,
    pub mft_record_size: u32,
    pub index_record_size: u32,
    pub serial: u64,
}

fn bad(offset: u64, detail: &'static str) -> Error {
    corrupt("NTFS boot sector", offset, detail).into()
}

fn bad_value(offset: u64, detail: &'static str, expected: u64, actual: u64) -> Error {
    corrupt("NTFS boot sector", offset, detail)
        .values(expected, actual)
        .into()
}

/// Sectors per cluster: 1..=128 directly, or 2^-n for the big clusters of newer Windows
/// (0xF4 = -12: 4096 sectors).
fn decode_sectors_per_cluster(raw: u8) -> Result<u32> {
    let spc = if raw <= 0x80 {
        raw as u32
    } else {
        let shift = 256 - raw as u32;
        if shift > 31 {
            return Err(bad(0x0D, "sectors per cluster exponent too large"));
        }
        1u32 << shift
    };
    if spc == 0 || !spc.is_power_of_two() {
        return Err(bad_value(
            0x0D,
            "sectors per cluster is not a power of two",
            1,
            spc as u64,
        ));
    }
    Ok(spc)
}

/// Bytes per sector and sectors per cluster, with the cluster at most 2 MiB.
fn decode_cluster(b: &[u8]) -> Result<(u32, u32)> {
    let bps = le16(b, 0x0B) as u32;
    if !bps.is_power_of_two() || !(MIN_SECTOR_SIZE..=MAX_SECTOR_SIZE).contains(&bps) {
        return Err(bad_value(
            0x0B,
            "bytes per sector out of range",
            512,
            bps as u64,
        ));
    }
    let spc = decode_sectors_per_cluster(b[0x0D])?;
    let cluster = bps as u64 * spc as u64;
    if cluster > MAX_CLUSTER_SIZE as u64 {
        let max = MAX_CLUSTER_SIZE as u64;
        return Err(bad_value(0x0D, "cluster larger than 2 MiB", max, cluster));
    }
    Ok((bps, spc))
}

/// Record sizes are stored in clusters when positive and as 2^-n bytes when negative
/// (0xF6 = -10: 1024 bytes, the common case with 4 KiB clusters).
fn decode_record_size(raw: u8, cluster_size: u32, at: u64) -> Result<u32> {
    let v = raw as i8;
    let size = if v > 0 {
        (v as u64) * cluster_size as u64
    } else {
        let shift = -(v as i32);
        if shift == 0 || shift > 31 {
            return Err(bad_value(
                at,
                "record size encoding out of range",
                10,
                shift as u64,
            ));
        }
        1u64 << shift
    };
    if !size.is_power_of_two() || size < MIN_RECORD_SIZE as u64 || size > MAX_RECORD_SIZE as u64 {
        return Err(bad_value(
            at,
            "record size out of range",
            MAX_RECORD_SIZE as u64,
            size,
        ));
    }
    Ok(size as u32)
}

impl BootSector {
    pub fn parse(b: &[u8]) -> Result<BootSector> {
        if b.len() < BOOT_SECTOR_SIZE {
            let (want, got) = (BOOT_SECTOR_SIZE as u64, b.len() as u64);
            return Err(bad_value(0, "short boot sector", want, got));
        }
        if &b[3..11] != OEM_ID {
            return Err(bad(3, "OEM id is not \"NTFS    \""));
        }
        let (bytes_per_sector, sectors_per_cluster) = decode_cluster(b)?;
        let cluster_size = bytes_per_sector * sectors_per_cluster;
        let total_sectors = le64(b, 0x28);
        let total_clusters = total_sectors / sectors_per_cluster as u64;
        // Byte offsets must stay exact numbers on the TypeScript side (2^53).
        let bytes = total_sectors.checked_mul(bytes_per_sector as u64);
        if bytes.map_or(true, |n| n > MAX_VOLUME_BYTES) {
            let e = "volume larger than 2^53 bytes";
            return Err(bad_value(0x28, e, MAX_VOLUME_BYTES, total_sectors));
        }
        if total_clusters == 0 {
            return Err(bad(0x28, "volume has no clusters"));
        }
        let (mft_lcn, mftmirr_lcn) = (le64(b, 0x30), le64(b, 0x38));
        if mft_lcn == 0 || mft_lcn >= total_clusters {
            let e = "$MFT cluster outside the volume";
            return Err(bad_value(0x30, e, total_clusters, mft_lcn));
        }
        if mftmirr_lcn >= total_clusters {
            let e = "$MFTMirr cluster outside the volume";
            return Err(bad_value(0x38, e, total_clusters, mftmirr_lcn));
        }
        Ok(BootSector {
            bytes_per_sector,
            sectors_per_cluster,
            cluster_size,
            total_sectors,
            total_clusters,
            mft_lcn,
            mftmirr_lcn,
            mft_record_size: decode_record_size(b[0x40], cluster_size, 0x40)?,
            index_record_size: decode_record_size(b[0x44], cluster_size, 0x44)?,
            serial: le64(b, 0x48),
        })
    }

    /// Byte offset of cluster `lcn` (callers have checked it against `total_clusters`).
    pub fn cluster_offset(&self, lcn: u64) -> u64 {
        lcn * self.cluster_size as u64
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// What mkntfs writes for a 64 MiB volume: 512-byte sectors, 4 KiB clusters, 1 KiB
    /// MFT records, 4 KiB index records.
    pub fn golden() -> Vec<u8> {
        let mut b = vec![0u8; 512];
        b[0..3].copy_from_slice(&[0xEB, 0x52, 0x90]);
        b[3..11].copy_from_slice(OEM_ID);
        b[0x0B..0x0D].copy_from_slice(&512u16.to_le_bytes());
        b[0x0D] = 8;
        b[0x15] = 0xF8;
        b[0x28..0x30].copy_from_slice(&131071u64.to_le_bytes());
        b[0x30..0x38].copy_from_slice(&4u64.to_le_bytes());
        b[0x38..0x40].copy_from_slice(&8191u64.to_le_bytes());
        b[0x40] = 0xF6;
        b[0x44] = 1;
        b[0x48..0x50].copy_from_slice(&0x1234_5678_9ABC_DEF0u64.to_le_bytes());
        b[510] = 0x55;
        b[511] = 0xAA;
        b
    }

    fn corrupt_offset(e: Error) -> u64 {
        match e {
            Error::Corrupt(c) => {
                assert_eq!(c.structure, "NTFS boot sector");
                c.offset
            }
            other => panic!("expected corrupt, got {:?}", other),
        }
    }

    #[test]
    fn parses_golden() {
        let bs = BootSector::parse(&golden()).unwrap();
        assert_eq!(bs.bytes_per_sector, 512);
        assert_eq!(bs.cluster_size, 4096);
        assert_eq!(bs.total_clusters, 131071 / 8);
        assert_eq!(bs.mft_lcn, 4);
        assert_eq!(bs.mft_record_size, 1024);
        assert_eq!(bs.index_record_size, 4096);
        assert_eq!(bs.serial, 0x1234_5678_9ABC_DEF0);
        assert_eq!(bs.cluster_offset(4), 16384);
    }

    #[test]
    fn decodes_big_cluster_exponent() {
        let mut b = golden();
        b[0x0D] = 0xF4; // 2^12 sectors of 512 bytes = 2 MiB
        b[0x28..0x30].copy_from_slice(&(4096u64 * 100).to_le_bytes());
        b[0x38..0x40].copy_from_slice(&50u64.to_le_bytes());
        b[0x44] = 0xF4; // index records of 2^12 bytes
        let bs = BootSector::parse(&b).unwrap();
        assert_eq!(bs.cluster_size, 2 << 20);
        assert_eq!(bs.total_clusters, 100);
        assert_eq!(bs.index_record_size, 4096);
        b[0x0D] = 0xF3; // 4 MiB: beyond what Windows formats
        assert_eq!(corrupt_offset(BootSector::parse(&b).unwrap_err()), 0x0D);
    }

    #[test]
    fn record_size_in_clusters() {
        let mut b = golden();
        b[0x40] = 1; // one 4 KiB cluster per MFT record
        assert_eq!(BootSector::parse(&b).unwrap().mft_record_size, 4096);
        b[0x40] = 0x7F; // 127 clusters: not a power of two
        assert_eq!(corrupt_offset(BootSector::parse(&b).unwrap_err()), 0x40);
        b[0x40] = 0xF7; // 2^9 = 512 is the smallest
        assert_eq!(BootSector::parse(&b).unwrap().mft_record_size, 512);
        b[0x40] = 0xF8; // 2^8 = 256 is below one update-sequence stride
        assert_eq!(corrupt_offset(BootSector::parse(&b).unwrap_err()), 0x40);
    }

    #[test]
    fn rejects_each_bad_field() {
        let cases: [(usize, &[u8], u64); 6] = [
            (3, b"NTFX", 3),
            (0x0B, &[0x00, 0x03], 0x0B), // 768 bytes per sector
            (0x0D, &[3], 0x0D),          // 3 sectors per cluster
            (0x30, &[0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0], 0x30),
            (0x44, &[0], 0x44),
            (0x28, &[0xFF; 8], 0x28), // 2^64 sectors
        ];
        for (at, bytes, offset) in cases.iter() {
            let mut b = golden();
            b[*at..*at + bytes.len()].copy_from_slice(bytes);
            assert_eq!(
                corrupt_offset(BootSector::parse(&b).unwrap_err()),
                *offset,
                "field at {:#x}",
                at
            );
        }
    }
}
