//! Data runs ("mapping pairs"): how a non-resident attribute's VCNs map to clusters. Each
//! run is a header byte (low nibble: bytes of length, high nibble: bytes of LCN delta),
//! the length, and a signed delta from the previous run's LCN; no delta means a sparse run.
//! Reference: Linux-NTFS project documentation, "Concepts: Data Runs"; kernel
//! fs/ntfs/runlist.c (ntfs_mapping_pairs_decompress) for the validation rules.

use fsabi::error::{corrupt, Result};

/// A 1 TiB file in 4 KiB clusters fragmented down to 1 MiB pieces has a million runs;
/// beyond that the runlist alone would need more memory (24 bytes a run) than a page
/// should spend on one file.
pub const MAX_RUNS: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub vcn: u64,
    pub len: u64,
    /// None for a sparse run (reads as zeros).
    pub lcn: Option<u64>,
}

/// Where the mapping pairs came from, for error reports.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub record: u64,
    pub offset: u64,
}

impl Origin {
    fn err(&self, pos: usize, detail: &'static str) -> fsabi::Corrupt {
        corrupt("NTFS MFT record", self.offset + pos as u64, detail)
            .index(self.record)
            .part("runlist")
    }
}

fn read_le(b: &[u8], signed: bool) -> i128 {
    let mut v: i128 = 0;
    for (i, byte) in b.iter().enumerate() {
        v |= (*byte as i128) << (8 * i);
    }
    if signed && !b.is_empty() && b[b.len() - 1] & 0x80 != 0 {
        v -= 1i128 << (8 * b.len());
    }
    v
}

/// Decodes one extent's mapping pairs, starting at `lowest_vcn`. Every run must lie inside
/// the volume's `total_clusters`.
pub fn decode(
    pairs: &[u8],
    lowest_vcn: u64,
    highest_vcn: u64,
    total_clusters: u64,
    origin: Origin,
    out: &mut Vec<Run>,
) -> Result<()> {
    let mut pos = 0usize;
    let mut vcn = lowest_vcn as i128;
    let mut lcn: i128 = 0;
    loop {
        if pos >= pairs.len() {
            return Err(origin
                .err(pos, "mapping pairs run past the attribute (no terminator)")
                .into());
        }
        let header = pairs[pos];
        if header == 0 {
            break;
        }
        let len_bytes = (header & 0x0F) as usize;
        let off_bytes = (header >> 4) as usize;
        if len_bytes == 0
            || len_bytes > 8
            || off_bytes > 8
            || pos + 1 + len_bytes + off_bytes > pairs.len()
        {
            return Err(origin
                .err(pos, "bad mapping pair header")
                .values(0, header as u64)
                .into());
        }
        let len = read_le(&pairs[pos + 1..pos + 1 + len_bytes], true);
        if len <= 0 || vcn + len > i64::MAX as i128 {
            return Err(origin.err(pos + 1, "run length is zero or negative").into());
        }
        let run_lcn = if off_bytes == 0 {
            None
        } else {
            lcn += read_le(
                &pairs[pos + 1 + len_bytes..pos + 1 + len_bytes + off_bytes],
                true,
            );
            if lcn < 0 || lcn + len > total_clusters as i128 {
                let e = origin.err(pos + 1 + len_bytes, "run past the end of the volume");
                return Err(e.values(total_clusters, (lcn + len).max(0) as u64).into());
            }
            Some(lcn as u64)
        };
        if out.len() >= MAX_RUNS {
            return Err(origin
                .err(pos, "more runs than the sanity limit")
                .values(MAX_RUNS as u64, out.len() as u64 + 1)
                .into());
        }
        out.push(Run {
            vcn: vcn as u64,
            len: len as u64,
            lcn: run_lcn,
        });
        vcn += len;
        pos += 1 + len_bytes + off_bytes;
    }
    // The kernel and ntfs-3g treat highest_vcn 0 as "not recorded"; otherwise it must
    // end where the runs end (an empty extent has highest = lowest - 1).
    let end = (vcn - 1) as u64;
    if highest_vcn != 0
        && end != highest_vcn
        && !(vcn as u64 == lowest_vcn && highest_vcn == lowest_vcn.wrapping_sub(1))
    {
        return Err(origin
            .err(0, "runs do not end at the highest VCN")
            .values(highest_vcn, end)
            .into());
    }
    Ok(())
}

/// The runs of a whole attribute (all extents), sorted by VCN and without gaps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runlist {
    pub runs: Vec<Run>,
}

impl Runlist {
    /// VCN just past the last run.
    pub fn end_vcn(&self) -> u64 {
        self.runs.last().map_or(0, |r| r.vcn + r.len)
    }

    /// The run holding `vcn`, if any.
    pub fn find(&self, vcn: u64) -> Option<Run> {
        let i = match self.runs.binary_search_by(|r| r.vcn.cmp(&vcn)) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        let r = self.runs[i];
        if vcn < r.vcn + r.len {
            Some(r)
        } else {
            None
        }
    }

    /// True when every cluster in `vcn..vcn+count` is allocated (no sparse run, no gap).
    pub fn fully_allocated(&self, vcn: u64, count: u64) -> bool {
        let mut v = vcn;
        while v < vcn + count {
            match self.find(v) {
                Some(Run {
                    lcn: Some(_),
                    vcn: rv,
                    len,
                }) => v = rv + len,
                _ => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fsabi::Error;

    fn origin() -> Origin {
        Origin {
            record: 7,
            offset: 1000,
        }
    }

    fn runs(pairs: &[u8], low: u64, high: u64, total: u64) -> Result<Vec<Run>> {
        let mut v = Vec::new();
        decode(pairs, low, high, total, origin(), &mut v).map(|_| v)
    }

    #[test]
    fn decodes_data_sparse_and_negative_delta() {
        // 0x18 clusters at 0x5634, 0x20 sparse, 0x10 at 0x5634 - 0x100.
        let pairs = [
            0x21, 0x18, 0x34, 0x56, 0x01, 0x20, 0x21, 0x10, 0x00, 0xFF, 0x00,
        ];
        let r = runs(&pairs, 0, 0x47, 0x10000).unwrap();
        assert_eq!(
            r,
            vec![
                Run {
                    vcn: 0,
                    len: 0x18,
                    lcn: Some(0x5634)
                },
                Run {
                    vcn: 0x18,
                    len: 0x20,
                    lcn: None
                },
                Run {
                    vcn: 0x38,
                    len: 0x10,
                    lcn: Some(0x5534)
                },
            ]
        );
        let list = Runlist { runs: r };
        assert_eq!(list.find(0x17).unwrap().lcn, Some(0x5634));
        assert_eq!(list.find(0x18).unwrap().lcn, None);
        assert!(list.find(0x48).is_none());
        assert!(!list.fully_allocated(0x10, 0x10));
        assert!(list.fully_allocated(0x38, 0x10));
        assert_eq!(list.end_vcn(), 0x48);
    }

    #[test]
    fn rejects_run_past_volume() {
        let pairs = [0x11, 0x10, 0x7F, 0x00];
        match runs(&pairs, 0, 0xF, 0x80).unwrap_err() {
            Error::Corrupt(c) => {
                assert_eq!(c.name(), "NTFS MFT record 7 runlist");
                assert_eq!(c.offset, 1002);
                assert_eq!(c.actual, Some(0x8F));
            }
            e => panic!("{:?}", e),
        }
    }

    #[test]
    fn rejects_bad_headers_and_missing_terminator() {
        assert!(runs(&[0x10, 0x05, 0x00], 0, 0, 100).is_err()); // no length bytes
        assert!(runs(&[0x19, 0x00], 0, 0, 100).is_err()); // 9 length bytes
        assert!(runs(&[0x11, 0x01, 0x05], 0, 0, 100).is_err()); // no terminator
        assert!(runs(&[0x11, 0x00, 0x05, 0x00], 0, 0, 100).is_err()); // zero length
        assert!(runs(&[0x11, 0x02, 0x05, 0x00], 0, 5, 100).is_err()); // ends before highest
    }

    #[test]
    fn empty_extent() {
        assert!(runs(&[0x00], 0, u64::MAX, 100).unwrap().is_empty());
    }
}
