//! The run list `fs_map` returns: where a file's bytes lie on the device, so the adapter
//! can read them straight from its block source into the caller's buffer instead of
//! pulling every byte through `env.read_at` into linear memory and copying it out again.
//!
//! Record (24 bytes, little-endian), one per run, in file order from the requested offset:
//!
//! | off | type | field                                                             |
//! |-----|------|-------------------------------------------------------------------|
//! | 0   | u64  | device byte offset (DATA only; 0 otherwise)                       |
//! | 8   | u64  | length in bytes                                                   |
//! | 16  | u32  | kind: 0 DATA, 1 ZERO (hole, unwritten, uninitialized), 2 UNMAPPED |
//! | 20  | u32  | 0                                                                 |
//!
//! UNMAPPED covers bytes that are not a plain copy of device bytes (inline, resident,
//! compressed or encrypted data): the adapter reads those through `fs_read`, which also
//! reports why it cannot when it cannot.

use crate::error::{Error, Result};
use crate::le::{put32, put64};

pub const RUN_SIZE: usize = 24;
/// Runs one call returns at most: a 4 MiB read of a badly fragmented file needs at most
/// 1,024 runs of 4 KiB blocks; the adapter asks again from where the list stopped, so the
/// limit bounds the record buffer (24 KiB), not what can be read.
pub const MAX_RUNS: usize = 1024;

pub mod kind {
    pub const DATA: u32 = 0;
    pub const ZERO: u32 = 1;
    pub const UNMAPPED: u32 = 2;
}

/// Collects runs into the caller's buffer, joining a run to the previous one when it
/// continues it (same kind and, for data, the next device byte).
pub struct MapWriter<'a> {
    out: &'a mut [u8],
    cap: usize,
    count: usize,
    last_kind: u32,
    last_dev: u64,
    last_len: u64,
}

impl<'a> MapWriter<'a> {
    pub fn new(out: &'a mut [u8]) -> Result<MapWriter<'a>> {
        let cap = (out.len() / RUN_SIZE).min(MAX_RUNS);
        if cap == 0 {
            return Err(Error::Invalid("map buffer smaller than one run"));
        }
        Ok(MapWriter {
            out,
            cap,
            count: 0,
            last_kind: 0,
            last_dev: 0,
            last_len: 0,
        })
    }

    /// Adds a run; false when the list is full (the run was not added).
    pub fn push(&mut self, kind: u32, dev: u64, len: u64) -> bool {
        if len == 0 {
            return true;
        }
        let dev = if kind == kind::DATA { dev } else { 0 };
        if self.count > 0
            && kind == self.last_kind
            && (kind != kind::DATA || self.last_dev.checked_add(self.last_len) == Some(dev))
        {
            self.last_len = self.last_len.saturating_add(len);
            self.write(self.count - 1);
            return true;
        }
        if self.count == self.cap {
            return false;
        }
        self.last_kind = kind;
        self.last_dev = dev;
        self.last_len = len;
        self.count += 1;
        self.write(self.count - 1);
        true
    }

    fn write(&mut self, i: usize) {
        let at = i * RUN_SIZE;
        put64(self.out, at, self.last_dev);
        put64(self.out, at + 8, self.last_len);
        put32(self.out, at + 16, self.last_kind);
        put32(self.out, at + 20, 0);
    }

    /// The number of runs written.
    pub fn finish(self) -> i64 {
        self.count as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::le::{le32, le64};

    #[test]
    fn joins_contiguous_runs_and_stops_when_full() {
        let mut buf = [0u8; 2 * RUN_SIZE];
        let mut w = MapWriter::new(&mut buf).unwrap();
        assert!(w.push(kind::DATA, 4096, 4096));
        assert!(w.push(kind::DATA, 8192, 4096)); // continues: joined
        assert!(w.push(kind::ZERO, 99, 100)); // device offset ignored
        assert!(w.push(kind::ZERO, 0, 28));
        assert!(!w.push(kind::DATA, 0, 1)); // a third run does not fit
        assert!(w.push(kind::DATA, 0, 0)); // empty runs are no runs
        assert_eq!(w.finish(), 2);
        assert_eq!(
            (le64(&buf, 0), le64(&buf, 8), le32(&buf, 16)),
            (4096, 8192, 0)
        );
        assert_eq!(
            (le64(&buf, 24), le64(&buf, 32), le32(&buf, 40)),
            (0, 128, 1)
        );
    }

    #[test]
    fn data_runs_that_do_not_continue_stay_apart() {
        let mut buf = [0u8; 4 * RUN_SIZE];
        let mut w = MapWriter::new(&mut buf).unwrap();
        w.push(kind::DATA, 0, 512);
        w.push(kind::DATA, 1024, 512);
        w.push(kind::UNMAPPED, 5, 7);
        assert_eq!(w.finish(), 3);
        assert!(MapWriter::new(&mut [0u8; RUN_SIZE - 1]).is_err());
    }
}
