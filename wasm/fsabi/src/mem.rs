//! Buffers the adapter allocates in linear memory to pass names in and records out.

/// Largest single buffer the adapter may ask for. Its buffers are a few MiB at most; the
/// cap turns a runaway request into a null pointer instead of a memory-growth abort.
pub const MAX_ALLOC: u32 = 256 << 20;

/// Returns a pointer to `len` zeroed bytes, or null when `len` is 0, too large or memory is
/// exhausted.
pub fn alloc(len: u32) -> *mut u8 {
    if len == 0 || len > MAX_ALLOC {
        return core::ptr::null_mut();
    }
    let mut v: Vec<u8> = Vec::new();
    if v.try_reserve_exact(len as usize).is_err() {
        return core::ptr::null_mut();
    }
    v.resize(len as usize, 0);
    let mut v = core::mem::ManuallyDrop::new(v);
    v.as_mut_ptr()
}

/// # Safety
/// `ptr` and `len` must be exactly what one earlier `alloc` call returned and was given.
pub unsafe fn free(ptr: *mut u8, len: u32) {
    if !ptr.is_null() && len != 0 {
        drop(Vec::from_raw_parts(ptr, len as usize, len as usize));
    }
}

/// A writable view of an adapter buffer.
///
/// # Safety
/// The adapter passes pointers it got from `alloc` with their lengths.
pub unsafe fn out_slice<'a>(ptr: *mut u8, len: u32) -> &'a mut [u8] {
    if ptr.is_null() || len == 0 {
        return &mut [];
    }
    core::slice::from_raw_parts_mut(ptr, len as usize)
}

/// # Safety
/// As for `out_slice`.
pub unsafe fn in_slice<'a>(ptr: *const u8, len: u32) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    core::slice::from_raw_parts(ptr, len as usize)
}
