//! One error type for the driver crates. Each variant maps to one status code and from
//! there to one `EngineError` kind on the TypeScript side (wasm/README.md "Statuses").

pub type Result<T> = core::result::Result<T, Error>;

/// Status codes returned (as negative numbers) by every export.
pub mod status {
    pub const CORRUPT: i64 = -1;
    pub const UNSUPPORTED: i64 = -2;
    pub const LOCKED: i64 = -3;
    pub const IO: i64 = -4;
    pub const ENOENT: i64 = -5;
    pub const ENOTDIR: i64 = -6;
    pub const EISDIR: i64 = -7;
    pub const EINVAL: i64 = -8;
    pub const ELOOP: i64 = -9;
    pub const ENOMEM: i64 = -10;
    pub const EBADF: i64 = -11;
}

/// A damaged on-disk structure: its name (plus an optional number, e.g. the inode, and a
/// part, e.g. "checksum"), the absolute byte offset on the device, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    pub structure: &'static str,
    pub index: Option<u64>,
    pub part: &'static str,
    pub offset: u64,
    pub detail: &'static str,
    pub expected: Option<u64>,
    pub actual: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Corrupt(Corrupt),
    /// A valid feature this driver does not implement; `value` is e.g. an unknown flag.
    Unsupported {
        feature: &'static str,
        value: Option<u64>,
    },
    /// Content that needs a key the driver does not have.
    Locked {
        feature: &'static str,
    },
    /// The device read failed (the adapter keeps the original exception).
    Io {
        code: i32,
        offset: u64,
    },
    NotFound,
    NotDir,
    IsDir,
    Invalid(&'static str),
    Loop,
    NoMem(&'static str),
    BadHandle,
}

impl Error {
    pub fn status(&self) -> i64 {
        match self {
            Error::Corrupt(_) => status::CORRUPT,
            Error::Unsupported { .. } => status::UNSUPPORTED,
            Error::Locked { .. } => status::LOCKED,
            Error::Io { .. } => status::IO,
            Error::NotFound => status::ENOENT,
            Error::NotDir => status::ENOTDIR,
            Error::IsDir => status::EISDIR,
            Error::Invalid(_) => status::EINVAL,
            Error::Loop => status::ELOOP,
            Error::NoMem(_) => status::ENOMEM,
            Error::BadHandle => status::EBADF,
        }
    }
}

/// Builder for the common case: `corrupt("ext4 superblock", off, "bad magic")`.
pub fn corrupt(structure: &'static str, offset: u64, detail: &'static str) -> Corrupt {
    Corrupt {
        structure,
        index: None,
        part: "",
        offset,
        detail,
        expected: None,
        actual: None,
    }
}

impl Corrupt {
    pub fn index(mut self, index: u64) -> Self {
        self.index = Some(index);
        self
    }
    pub fn part(mut self, part: &'static str) -> Self {
        self.part = part;
        self
    }
    pub fn values(mut self, expected: u64, actual: u64) -> Self {
        self.expected = Some(expected);
        self.actual = Some(actual);
        self
    }
    /// The structure's full name as the adapter reports it: "ext4 inode 12 checksum".
    pub fn name(&self) -> String {
        let mut s = String::from(self.structure);
        if let Some(i) = self.index {
            s.push(' ');
            push_decimal(&mut s, i);
        }
        if !self.part.is_empty() {
            s.push(' ');
            s.push_str(self.part);
        }
        s
    }
}

impl From<Corrupt> for Error {
    fn from(c: Corrupt) -> Error {
        Error::Corrupt(c)
    }
}

/// Decimal text without core::fmt (keeps the wasm small).
pub fn push_decimal(s: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    while n > 0 {
        n -= 1;
        s.push(digits[n] as char);
    }
}

/// "0x" and lowercase hex digits.
pub fn push_hex(s: &mut String, v: u64) {
    s.push_str("0x");
    let mut started = false;
    for shift in (0..16).rev() {
        let d = ((v >> (shift * 4)) & 0xF) as u8;
        if d != 0 || started || shift == 0 {
            started = true;
            s.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_structure_with_index_and_part() {
        let c = corrupt("ext4 inode", 4096, "checksum mismatch")
            .index(12)
            .part("checksum");
        assert_eq!(c.name(), "ext4 inode 12 checksum");
        assert_eq!(
            corrupt("ext4 superblock", 1024, "x").name(),
            "ext4 superblock"
        );
    }

    #[test]
    fn formats_numbers() {
        let mut s = String::new();
        push_decimal(&mut s, 0);
        s.push(' ');
        push_decimal(&mut s, 18446744073709551615);
        s.push(' ');
        push_hex(&mut s, 0xEF53);
        assert_eq!(s, "0 18446744073709551615 0xef53");
    }
}
