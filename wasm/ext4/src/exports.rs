//! The exported functions. Each returns a non-negative value or a negative status whose
//! details are in the last-error record (fsabi::lasterror). Handles start at 1.

use crate::fs::Fs;
use crate::{file_map, ops, statfs};
use fsabi::device::ImportDevice;
use fsabi::handles::Handles;
use fsabi::lasterror::finish;
use fsabi::mem::{in_slice, out_slice};
use fsabi::Result;

fsabi::export_common!();

static mut OPEN: Handles<Fs<ImportDevice>> = Handles::new();

fn with_fs(handle: u32, f: impl FnOnce(&mut Fs<ImportDevice>) -> Result<i64>) -> i64 {
    // SAFETY: WebAssembly here is single-threaded and exports do not re-enter.
    let open = unsafe { &mut OPEN };
    finish(open.get(handle).and_then(f))
}

#[no_mangle]
pub extern "C" fn fs_open(device_size: u64) -> i64 {
    let r = Fs::open(ImportDevice { size: device_size }).and_then(|fs| {
        // SAFETY: as in with_fs.
        let open = unsafe { &mut OPEN };
        open.insert(fs).map(|h| h as i64)
    });
    finish(r)
}

#[no_mangle]
pub extern "C" fn fs_close(handle: u32) -> i64 {
    // SAFETY: as in with_fs.
    let open = unsafe { &mut OPEN };
    finish(open.remove(handle).map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn fs_info(handle: u32, out: *mut u8, len: u32) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::info(fs, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_stat(handle: u32, ino: u32, out: *mut u8, len: u32) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::stat(fs, ino, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_lookup(handle: u32, dir: u32, name: *const u8, name_len: u32) -> i64 {
    let name = in_slice(name, name_len);
    with_fs(handle, |fs| ops::lookup(fs, dir, name))
}

#[no_mangle]
pub unsafe extern "C" fn fs_readdir(
    handle: u32,
    dir: u32,
    cookie: u64,
    out: *mut u8,
    len: u32,
) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::readdir(fs, dir, cookie, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_read(
    handle: u32,
    ino: u32,
    offset: u64,
    out: *mut u8,
    len: u32,
) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::read(fs, ino, offset, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_readlink(handle: u32, ino: u32, out: *mut u8, len: u32) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::readlink(fs, ino, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_statvfs(handle: u32, out: *mut u8, len: u32) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| statfs::statvfs(fs, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_listxattr(handle: u32, ino: u32, out: *mut u8, len: u32) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::listxattr(fs, ino, out))
}

#[no_mangle]
pub unsafe extern "C" fn fs_getxattr(
    handle: u32,
    ino: u32,
    name: *const u8,
    name_len: u32,
    out: *mut u8,
    len: u32,
) -> i64 {
    let name = in_slice(name, name_len);
    let out = out_slice(out, len);
    with_fs(handle, |fs| ops::getxattr(fs, ino, name, out))
}

/// Stat records of `count` inode numbers (u32 each) in one call (fsabi::batch).
#[no_mangle]
pub unsafe extern "C" fn fs_stat_many(
    handle: u32,
    inos: *const u8,
    count: u32,
    out: *mut u8,
    len: u32,
) -> i64 {
    let inos = in_slice(inos, count.saturating_mul(4));
    let out = out_slice(out, len);
    with_fs(handle, |fs| {
        fsabi::batch::stat_many(inos, out, ops::STAT_SIZE, |ino, r| ops::stat(fs, ino, r))
    })
}

/// Device runs of bytes `[offset, offset + length)` of file `ino` (fsabi::map).
#[no_mangle]
pub unsafe extern "C" fn fs_map(
    handle: u32,
    ino: u32,
    offset: u64,
    length: u64,
    out: *mut u8,
    len: u32,
) -> i64 {
    let out = out_slice(out, len);
    with_fs(handle, |fs| file_map::map(fs, ino, offset, length, out))
}
