//! `fs_map` and `ntfs_map_stream`: the device runs behind a byte range of a file's unnamed
//! or named $DATA stream, from the runlist every read uses. Sparse runs and bytes past the
//! initialized size are ZERO runs (both read as zeros); resident, compressed and encrypted
//! data are UNMAPPED (read through `fs_read`, which decompresses, or says why it cannot).
//! Reference: Linux-NTFS project documentation, "Concepts: Data Runs" and "Concepts:
//! Sparse Files"; wasm/fsabi/src/map.rs for the record.

use crate::attribute::kind as attr;
use crate::boot_sector::BootSector;
use crate::fs::Fs;
use crate::ops::{caller_inode, file_data, name_units};
use crate::stream::{Stream, StreamData};
use fsabi::error::{Error, Result};
use fsabi::map::{kind, MapWriter};
use fsabi::Device;

/// Runs for bytes `[offset, offset + len)` of the unnamed data of regular file `ino`,
/// clipped to its size; returns how many were written (0 at or past the end, or when the
/// file has no data). Refuses what `fs_read` refuses (directories, reparse points whose
/// data is elsewhere).
pub fn map<D: Device>(
    fs: &mut Fs<D>,
    ino: u32,
    offset: u64,
    len: u64,
    out: &mut [u8],
) -> Result<i64> {
    let mut w = MapWriter::new(out)?;
    if let Some(s) = file_data(fs, ino)? {
        map_range(&fs.boot, &s, offset, len, &mut w)?;
    }
    Ok(w.finish())
}

/// The same for the named $DATA stream `name` (UTF-8; empty = the unnamed stream).
pub fn map_named<D: Device>(
    fs: &mut Fs<D>,
    ino: u32,
    name: &[u8],
    offset: u64,
    len: u64,
    out: &mut [u8],
) -> Result<i64> {
    if name.is_empty() {
        return map(fs, ino, offset, len, out);
    }
    let mut w = MapWriter::new(out)?;
    let units = name_units(name)?;
    let i = caller_inode(fs, ino)?;
    match i.stream(attr::DATA, &units, fs.boot.total_clusters)? {
        Some(s) => map_range(&fs.boot, &s, offset, len, &mut w)?,
        None => return Err(Error::NotFound),
    }
    Ok(w.finish())
}

fn map_range(
    boot: &BootSector,
    s: &Stream,
    offset: u64,
    len: u64,
    w: &mut MapWriter,
) -> Result<()> {
    if offset >= s.size() {
        return Ok(());
    }
    let end = offset.saturating_add(len).min(s.size());
    let n = match &s.data {
        StreamData::NonResident(n) if !s.is_compressed() && !s.is_encrypted() => n,
        _ => {
            w.push(kind::UNMAPPED, 0, end - offset);
            return Ok(());
        }
    };
    // Past the initialized size the clusters hold stale bytes: zeros by contract.
    let init = n.initialized_size.min(n.data_size).min(end);
    let cs = boot.cluster_size as u64;
    let mut pos = offset;
    while pos < init {
        let vcn = pos / cs;
        let run = n.runs.find(vcn).ok_or_else(|| s.unmapped(vcn))?;
        // Sparse runs are not bounded by the volume: saturate rather than wrap.
        let in_run = (run.vcn + run.len - vcn).saturating_mul(cs) - pos % cs;
        let take = in_run.min(init - pos);
        let added = match run.lcn {
            Some(lcn) => w.push(
                kind::DATA,
                boot.cluster_offset(lcn + (vcn - run.vcn)) + pos % cs,
                take,
            ),
            None => w.push(kind::ZERO, 0, take),
        };
        if !added {
            return Ok(());
        }
        pos += take;
    }
    w.push(kind::ZERO, 0, end - pos);
    Ok(())
}
