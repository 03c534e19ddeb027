//! `fs_stat_many`: stat records for a list of inode numbers in one call. A listing of a
//! large directory stats every entry (what `ls -l` does); one call per entry costs a trip
//! across the boundary each, and entries in name-hash order touch the inode table at
//! random. The adapter sorts the numbers and asks for them in batches, so the table is read
//! in order and each of its blocks once.

use crate::error::{Error, Result};
use crate::le::le32;

/// Fills `out` with one `record`-byte record per inode number of `inos` (u32 little-endian
/// each), as far as `out` holds them; returns the number of records written. A record
/// that cannot be produced (a damaged inode, a free record) is left zeroed, so its inode
/// number reads 0: the adapter stats that one alone to report its error. A failed device
/// read ends the batch with its error, which the adapter rethrows.
pub fn stat_many(
    inos: &[u8],
    out: &mut [u8],
    record: usize,
    mut stat: impl FnMut(u32, &mut [u8]) -> Result<i64>,
) -> Result<i64> {
    let n = (inos.len() / 4).min(out.len() / record);
    for i in 0..n {
        let rec = &mut out[i * record..(i + 1) * record];
        match stat(le32(inos, i * 4), rec) {
            Ok(_) => {}
            Err(e @ Error::Io { .. }) => return Err(e),
            Err(_) => rec.iter_mut().for_each(|b| *b = 0),
        }
    }
    Ok(n as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroes_failed_records_and_stops_on_io() {
        let inos: Vec<u8> = [1u32, 2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut out = [0xFFu8; 3 * 4];
        let n = stat_many(&inos, &mut out, 4, |ino, r| {
            if ino == 2 {
                return Err(Error::NotFound);
            }
            r.copy_from_slice(&ino.to_le_bytes());
            Ok(4)
        })
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(out, [1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]);
        let mut small = [0u8; 8];
        assert_eq!(stat_many(&inos, &mut small, 4, |_, _| Ok(4)).unwrap(), 2);
        let io = stat_many(&inos, &mut out, 4, |_, _| {
            Err(Error::Io { code: 1, offset: 0 })
        });
        assert!(matches!(io, Err(Error::Io { .. })));
    }
}
