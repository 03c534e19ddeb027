//! The last-error record: after an export returns a negative status, the adapter reads this
//! fixed-layout record (pointer from `fs_last_error`) to build its EngineError. Layout
//! (little-endian), documented in wasm/README.md:
//!
//! | off | type      | field                                                        |
//! |-----|-----------|--------------------------------------------------------------|
//! | 0   | i32       | status (the negative code the export returned)               |
//! | 4   | u32       | flags: 1 = offset valid, 2 = expected valid, 4 = actual valid |
//! | 8   | u64       | offset (absolute byte offset on the device)                  |
//! | 16  | u64       | expected                                                     |
//! | 24  | u64       | actual                                                       |
//! | 32  | i32       | io code (what `env.read_at` returned)                        |
//! | 36  | u16       | subject length                                               |
//! | 38  | u16       | detail length                                                |
//! | 40  | [u8; 120] | subject: the structure (corrupt) or feature (unsupported)   |
//! | 160 | [u8; 120] | detail: what was wrong                                       |

use crate::error::Error;

pub const RECORD_SIZE: usize = 280;
const TEXT_MAX: usize = 120;
const SUBJECT_AT: usize = 40;
const DETAIL_AT: usize = 160;

pub const FLAG_OFFSET: u32 = 1;
pub const FLAG_EXPECTED: u32 = 2;
pub const FLAG_ACTUAL: u32 = 4;

// Single-threaded WebAssembly: one record, overwritten by every failing call.
static mut RECORD: [u8; RECORD_SIZE] = [0; RECORD_SIZE];

pub fn record_ptr() -> *const u8 {
    // SAFETY: taking the address of a static never aliases a live reference.
    unsafe { RECORD.as_ptr() }
}

/// Fills the record for `err` and returns the status code to hand back to the caller.
pub fn set(err: &Error) -> i64 {
    let mut rec = [0u8; RECORD_SIZE];
    let status = err.status();
    put(&mut rec, 0, &(status as i32).to_le_bytes());
    let (subject, detail) = texts(err);
    let mut flags = 0u32;
    match err {
        Error::Corrupt(c) => {
            flags |= FLAG_OFFSET;
            put(&mut rec, 8, &c.offset.to_le_bytes());
            if let Some(e) = c.expected {
                flags |= FLAG_EXPECTED;
                put(&mut rec, 16, &e.to_le_bytes());
            }
            if let Some(a) = c.actual {
                flags |= FLAG_ACTUAL;
                put(&mut rec, 24, &a.to_le_bytes());
            }
        }
        Error::Io { code, offset } => {
            flags |= FLAG_OFFSET;
            put(&mut rec, 8, &offset.to_le_bytes());
            put(&mut rec, 32, &code.to_le_bytes());
        }
        Error::Unsupported { value: Some(v), .. } => {
            flags |= FLAG_ACTUAL;
            put(&mut rec, 24, &v.to_le_bytes());
        }
        _ => {}
    }
    put(&mut rec, 4, &flags.to_le_bytes());
    put_text(&mut rec, 36, SUBJECT_AT, subject.as_bytes());
    put_text(&mut rec, 38, DETAIL_AT, detail.as_bytes());
    // SAFETY: single-threaded; no reference to RECORD outlives this assignment.
    unsafe { RECORD = rec };
    status
}

fn texts(err: &Error) -> (String, String) {
    match err {
        Error::Corrupt(c) => (c.name(), String::from(c.detail)),
        Error::Unsupported { feature, value } => {
            let mut d = String::new();
            if let Some(v) = value {
                crate::error::push_hex(&mut d, *v);
            }
            (String::from(*feature), d)
        }
        Error::Locked { feature } => (String::from(*feature), String::new()),
        Error::Invalid(why) | Error::NoMem(why) => (String::new(), String::from(*why)),
        _ => (String::new(), String::new()),
    }
}

fn put(rec: &mut [u8; RECORD_SIZE], at: usize, bytes: &[u8]) {
    rec[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Copies at most TEXT_MAX bytes, cut back to a UTF-8 character boundary.
fn put_text(rec: &mut [u8; RECORD_SIZE], len_at: usize, at: usize, text: &[u8]) {
    let mut n = text.len().min(TEXT_MAX);
    while n > 0 && n < text.len() && (text[n] & 0xC0) == 0x80 {
        n -= 1;
    }
    put(rec, at, &text[..n]);
    put(rec, len_at, &(n as u16).to_le_bytes());
}

/// Runs an export body: Ok values pass through (they are never negative), errors are
/// recorded and become their status.
pub fn finish(r: crate::Result<i64>) -> i64 {
    match r {
        Ok(v) => v,
        Err(e) => set(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::corrupt;
    use crate::le::{le16, le32, le64};

    #[test]
    fn records_corrupt_fields() {
        let e = Error::from(
            corrupt("ext4 inode", 5000, "checksum mismatch")
                .index(12)
                .part("checksum")
                .values(1, 2),
        );
        assert_eq!(set(&e), -1);
        // SAFETY: test-only read after the write above.
        let rec = unsafe { RECORD };
        assert_eq!(le32(&rec, 0) as i32, -1);
        assert_eq!(le32(&rec, 4), 7);
        assert_eq!(le64(&rec, 8), 5000);
        assert_eq!(le64(&rec, 16), 1);
        assert_eq!(le64(&rec, 24), 2);
        let n = le16(&rec, 36) as usize;
        assert_eq!(&rec[40..40 + n], b"ext4 inode 12 checksum");
    }
}
