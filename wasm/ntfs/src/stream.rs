//! An attribute's value as a byte stream: resident bytes, or the clusters its runlist maps
//! (all extents joined), read plain, sparse or LZNT1-compressed. Bytes between the
//! initialized size and the data size read as zeros, as Windows returns them.
//! Reference: Linux-NTFS project documentation, "Concepts: Data Runs", "Concepts:
//! Compression" and "Concepts: Sparse Files".

use crate::attribute::{flags, Attribute, Body};
use crate::boot_sector::BootSector;
use crate::lznt1;
use crate::runlist::{self, Origin, Runlist};
use fsabi::error::{corrupt, Error, Result};
use fsabi::Device;

/// The only compression unit Windows uses: 2^4 = 16 clusters, with clusters of at most
/// 4 KiB, so a unit is at most 64 KiB (the size of the two buffers a read needs).
pub const COMPRESSION_UNIT_LOG: u8 = 4;
pub const MAX_COMPRESSED_CLUSTER: u32 = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonResidentStream {
    pub runs: Runlist,
    pub data_size: u64,
    pub allocated_size: u64,
    pub initialized_size: u64,
    pub compressed_size: Option<u64>,
    pub compression_unit: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamData {
    Resident(Vec<u8>),
    NonResident(NonResidentStream),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    pub type_code: u32,
    pub name: Vec<u16>,
    pub flags: u16,
    /// The base record and the first extent's header offset, for error reports.
    pub record: u64,
    pub offset: u64,
    pub data: StreamData,
}

impl Stream {
    pub fn size(&self) -> u64 {
        match &self.data {
            StreamData::Resident(v) => v.len() as u64,
            StreamData::NonResident(n) => n.data_size,
        }
    }

    /// Space on disk as ntfs-3g reports it: the value rounded to 8 bytes when resident,
    /// the compressed size for compressed or sparse attributes, else the allocated size.
    pub fn disk_size(&self) -> u64 {
        match &self.data {
            StreamData::Resident(v) => (v.len() as u64 + 7) & !7,
            StreamData::NonResident(n) => match n.compressed_size {
                Some(c) if self.flags & (flags::COMPRESSION_MASK | flags::SPARSE) != 0 => c,
                _ => n.allocated_size,
            },
        }
    }

    pub fn is_compressed(&self) -> bool {
        self.flags & flags::COMPRESSION_MASK != 0
    }

    pub fn is_encrypted(&self) -> bool {
        self.flags & flags::ENCRYPTED != 0
    }

    /// Joins the extents of one attribute (sorted by lowest VCN by the caller).
    pub fn from_extents(extents: &[&Attribute], total_clusters: u64) -> Result<Stream> {
        let first = extents[0];
        let data = match &first.body {
            Body::Resident(v) => {
                if extents.len() > 1 {
                    return Err(bad(first, "resident attribute with several extents"));
                }
                StreamData::Resident(v.clone())
            }
            Body::NonResident(head) => {
                if head.lowest_vcn != 0 {
                    return Err(bad(first, "first extent does not start at VCN 0"));
                }
                let mut runs = Vec::new();
                for a in extents {
                    let nr = match &a.body {
                        Body::NonResident(nr) => nr,
                        Body::Resident(_) => {
                            return Err(bad(a, "resident extent of a non-resident attribute"))
                        }
                    };
                    let have = runs.last().map_or(0, |r: &runlist::Run| r.vcn + r.len);
                    if nr.lowest_vcn != have {
                        return Err(corrupt(
                            "NTFS MFT record",
                            a.offset + 16,
                            "extents leave a gap or overlap",
                        )
                        .index(a.record)
                        .part("runlist")
                        .values(have, nr.lowest_vcn)
                        .into());
                    }
                    let origin = Origin {
                        record: a.record,
                        offset: nr.mapping_pairs_at,
                    };
                    runlist::decode(
                        &nr.mapping_pairs,
                        nr.lowest_vcn,
                        nr.highest_vcn,
                        total_clusters,
                        origin,
                        &mut runs,
                    )?;
                }
                StreamData::NonResident(NonResidentStream {
                    runs: Runlist { runs },
                    data_size: head.data_size,
                    allocated_size: head.allocated_size,
                    initialized_size: head.initialized_size,
                    compressed_size: head.compressed_size,
                    compression_unit: head.compression_unit,
                })
            }
        };
        Ok(Stream {
            type_code: first.type_code,
            name: first.name.clone(),
            flags: first.flags,
            record: first.record,
            offset: first.offset,
            data,
        })
    }

    /// Device offset of byte `pos` (for reports), when it lies in an allocated cluster.
    pub fn device_offset(&self, boot: &BootSector, pos: u64) -> Option<u64> {
        let cs = boot.cluster_size as u64;
        match &self.data {
            StreamData::NonResident(n) => n.runs.find(pos / cs).and_then(|r| {
                r.lcn
                    .map(|l| boot.cluster_offset(l + pos / cs - r.vcn) + pos % cs)
            }),
            StreamData::Resident(_) => None,
        }
    }

    pub(crate) fn unmapped(&self, vcn: u64) -> Error {
        corrupt(
            "NTFS MFT record",
            self.offset,
            "VCN not mapped by the runlist",
        )
        .index(self.record)
        .part("runlist")
        .values(0, vcn)
        .into()
    }
}

fn bad(a: &Attribute, detail: &'static str) -> Error {
    corrupt("NTFS MFT record", a.offset, detail)
        .index(a.record)
        .part("attribute")
        .into()
}

/// Reads `buf.len()` bytes at `offset`; the caller keeps the range inside `size()`.
pub fn read<D: Device>(
    dev: &D,
    boot: &BootSector,
    s: &Stream,
    offset: u64,
    buf: &mut [u8],
) -> Result<()> {
    if s.is_encrypted() {
        return Err(Error::Locked {
            feature: "NTFS EFS encryption ($EFS)",
        });
    }
    match &s.data {
        StreamData::Resident(v) => {
            let start = offset as usize;
            buf.copy_from_slice(&v[start..start + buf.len()]);
            Ok(())
        }
        StreamData::NonResident(n) => {
            // Past the initialized size the clusters hold stale bytes: zeros by contract.
            let init = n.initialized_size.min(n.data_size);
            let live = if offset >= init {
                0
            } else {
                ((init - offset) as usize).min(buf.len())
            };
            buf[live..].iter_mut().for_each(|b| *b = 0);
            if live == 0 {
                return Ok(());
            }
            if s.is_compressed() {
                read_compressed(dev, boot, s, n, offset, &mut buf[..live])
            } else {
                read_plain(dev, boot, s, n, offset, &mut buf[..live])
            }
        }
    }
}

fn read_plain<D: Device>(
    dev: &D,
    boot: &BootSector,
    s: &Stream,
    n: &NonResidentStream,
    offset: u64,
    buf: &mut [u8],
) -> Result<()> {
    let cs = boot.cluster_size as u64;
    let mut done = 0usize;
    while done < buf.len() {
        let pos = offset + done as u64;
        let vcn = pos / cs;
        let run = n.runs.find(vcn).ok_or_else(|| s.unmapped(vcn))?;
        // Sparse runs are not bounded by the volume: saturate rather than wrap.
        let in_run = (run.vcn + run.len - vcn).saturating_mul(cs) - pos % cs;
        let take = in_run.min((buf.len() - done) as u64) as usize;
        let dst = &mut buf[done..done + take];
        match run.lcn {
            Some(lcn) => dev.read_at(boot.cluster_offset(lcn + (vcn - run.vcn)) + pos % cs, dst)?,
            None => dst.iter_mut().for_each(|b| *b = 0),
        }
        done += take;
    }
    Ok(())
}

fn read_compressed<D: Device>(
    dev: &D,
    boot: &BootSector,
    s: &Stream,
    n: &NonResidentStream,
    offset: u64,
    buf: &mut [u8],
) -> Result<()> {
    if n.compression_unit != COMPRESSION_UNIT_LOG || boot.cluster_size > MAX_COMPRESSED_CLUSTER {
        return Err(Error::Unsupported {
            feature: "NTFS compression unit other than 16 clusters of <= 4 KiB",
            value: Some(n.compression_unit as u64),
        });
    }
    let cs = boot.cluster_size as u64;
    let unit_clusters = 1u64 << n.compression_unit;
    let unit_bytes = cs * unit_clusters;
    let mut unit = vec![0u8; unit_bytes as usize];
    let mut done = 0usize;
    while done < buf.len() {
        let pos = offset + done as u64;
        let first_vcn = pos / unit_bytes * unit_clusters;
        let within = (pos % unit_bytes) as usize;
        let take = (unit_bytes as usize - within).min(buf.len() - done);
        load_unit(dev, boot, s, n, first_vcn, unit_clusters, &mut unit)?;
        buf[done..done + take].copy_from_slice(&unit[within..within + take]);
        done += take;
    }
    Ok(())
}

/// One compression unit: all clusters allocated = stored raw; none = zeros; some = the
/// allocated clusters hold LZNT1 data and the sparse tail marks the space it saved.
fn load_unit<D: Device>(
    dev: &D,
    boot: &BootSector,
    s: &Stream,
    n: &NonResidentStream,
    first_vcn: u64,
    count: u64,
    unit: &mut [u8],
) -> Result<()> {
    let cs = boot.cluster_size as usize;
    let mut allocated = 0usize;
    let mut first_at = 0u64;
    let mut raw = vec![0u8; unit.len()];
    let mut vcn = first_vcn;
    while vcn < first_vcn + count {
        let run = match n.runs.find(vcn) {
            Some(r) => r,
            // The runlist may end inside the last unit, not before a unit starts.
            None if vcn > first_vcn => break,
            None => return Err(s.unmapped(vcn)),
        };
        let here = (run.vcn + run.len).min(first_vcn + count) - vcn;
        if let Some(lcn) = run.lcn {
            let at = boot.cluster_offset(lcn + (vcn - run.vcn));
            if allocated == 0 {
                first_at = at;
            }
            dev.read_at(
                at,
                &mut raw[allocated * cs..(allocated + here as usize) * cs],
            )?;
            allocated += here as usize;
        } else if allocated == 0 {
            break; // a unit that starts sparse is all zeros
        }
        vcn += here;
    }
    unit.iter_mut().for_each(|b| *b = 0);
    if allocated as u64 == count {
        unit.copy_from_slice(&raw);
    } else if allocated > 0 {
        if let Err(f) = lznt1::decompress(&raw[..allocated * cs], unit) {
            // The offset is exact when the unit's clusters are contiguous (the usual case).
            let e = corrupt("NTFS MFT record", first_at + f.at as u64, f.detail)
                .index(s.record)
                .part("compressed data");
            return Err(e.into());
        }
    }
    Ok(())
}
