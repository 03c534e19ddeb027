//! The device the filesystem lives on. In WebAssembly every byte arrives through the one
//! imported function `env.read_at`; host tests use an in-memory device.

use crate::error::{Error, Result};

pub trait Device {
    fn size(&self) -> u64;
    /// Fills `buf` from `offset`; reading past `size()` is an error.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<()>;
}

/// The code `read_at` failures carry when the request lies past the device's end.
pub const IO_PAST_END: i32 = -1000;

fn check_range(size: u64, offset: u64, len: usize) -> Result<()> {
    match offset.checked_add(len as u64) {
        Some(end) if end <= size => Ok(()),
        _ => Err(Error::Io {
            code: IO_PAST_END,
            offset,
        }),
    }
}

/// A device in memory (tests, and small images the adapter already holds).
pub struct MemDevice {
    pub bytes: Vec<u8>,
}

impl Device for MemDevice {
    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        check_range(self.size(), offset, buf.len())?;
        let start = offset as usize;
        buf.copy_from_slice(&self.bytes[start..start + buf.len()]);
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
mod import {
    #[link(wasm_import_module = "env")]
    extern "C" {
        /// Provided by the adapter: copies `len` device bytes at `offset` into linear memory
        /// at `ptr`; 0 on success, any other value is an I/O error code (the adapter keeps
        /// the exception it caught and rethrows it when the export returns).
        pub fn read_at(offset: u64, ptr: *mut u8, len: u32) -> i32;
    }
}

/// The adapter's device, reached through `env.read_at`.
#[cfg(target_arch = "wasm32")]
pub struct ImportDevice {
    pub size: u64,
}

#[cfg(target_arch = "wasm32")]
impl Device for ImportDevice {
    fn size(&self) -> u64 {
        self.size
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        check_range(self.size, offset, buf.len())?;
        // Requests are split so the length always fits the import's u32.
        let mut done = 0usize;
        while done < buf.len() {
            let n = (buf.len() - done).min(1 << 30);
            let at = offset + done as u64;
            // SAFETY: the pointer and length describe a live, writable slice of ours.
            let code = unsafe { import::read_at(at, buf[done..].as_mut_ptr(), n as u32) };
            if code != 0 {
                return Err(Error::Io { code, offset: at });
            }
            done += n;
        }
        Ok(())
    }
}
