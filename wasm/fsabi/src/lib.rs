//! The boundary shared by guestkit's filesystem crates (ext4, NTFS) and the
//! hand-written TypeScript adapter in `src/engine/fs/wasm/`. See `wasm/README.md` for the
//! ABI: one imported function (`env.read_at`), negative statuses, a last-error record.

pub mod batch;
pub mod device;
pub mod error;
pub mod handles;
pub mod lasterror;
pub mod le;
pub mod map;
pub mod mem;

pub use device::Device;
pub use error::{Corrupt, Error, Result};

/// Bumped whenever an export's signature or a record layout changes.
pub const ABI_VERSION: u32 = 1;

/// Exports every crate needs: memory for the adapter's buffers and the last-error record.
/// A macro (not plain functions here) because `#[no_mangle]` items of a dependency are not
/// reliably kept by the linker of a `cdylib`.
#[macro_export]
macro_rules! export_common {
    () => {
        #[no_mangle]
        pub extern "C" fn fs_alloc(len: u32) -> *mut u8 {
            $crate::mem::alloc(len)
        }

        /// # Safety
        /// `ptr`/`len` must come from one earlier `fs_alloc` call.
        #[no_mangle]
        pub unsafe extern "C" fn fs_free(ptr: *mut u8, len: u32) {
            $crate::mem::free(ptr, len)
        }

        #[no_mangle]
        pub extern "C" fn fs_last_error() -> *const u8 {
            $crate::lasterror::record_ptr()
        }

        #[no_mangle]
        pub extern "C" fn fs_abi_version() -> u32 {
            $crate::ABI_VERSION
        }
    };
}
