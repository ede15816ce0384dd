//! Turning C arguments into Rust values, with the reference's errors for NULL and bad text.

use crate::ctext;
use crate::error::Error;
use std::borrow::Cow;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

/// A required C string argument. NULL gives libvirt's `<arg> in <function> must not be NULL`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn required_str<'a>(
    p: *const c_char,
    from: i32,
    function: &str,
    arg: &str,
) -> Result<Cow<'a, str>, Error> {
    // SAFETY: the caller promises `p` is NULL or a valid C string for the call's duration.
    match unsafe { optional_str(p) } {
        Some(s) => Ok(s),
        None => Err(Error::null_arg(from, function, arg)),
    }
}

/// An optional C string argument (NULL is None). Bytes that are not UTF-8 are kept, each as its
/// own character (crate::ctext): two different byte strings never become the same text.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn optional_str<'a>(p: *const c_char) -> Option<Cow<'a, str>> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-NULL and, by the caller's promise, NUL-terminated and alive for 'a.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    if bytes.is_ascii() {
        // ASCII (nearly every name and document) is its own text: nothing to decode.
        // SAFETY: ASCII bytes are valid UTF-8.
        return Some(Cow::Borrowed(unsafe {
            std::str::from_utf8_unchecked(bytes)
        }));
    }
    Some(ctext::decode(bytes))
}

/// Text for C: the bytes it stands for (crate::ctext), without interior NULs.
pub(crate) fn c_string(s: &str) -> CString {
    let mut bytes = ctext::encode(s).into_owned();
    bytes.retain(|b| *b != 0);
    CString::new(bytes).unwrap_or_default()
}

/// A string the caller must free with free(3): allocated by the C allocator.
pub(crate) fn malloc_str(s: &str) -> *mut c_char {
    let c = c_string(s);
    // SAFETY: strdup copies a valid NUL-terminated string into malloc'd memory (or returns NULL).
    unsafe { libc::strdup(c.as_ptr()) }
}

/// Write `src` into the caller's buffer of `N` bytes.
///
/// # Safety
/// `dst` is NULL or points to at least `N` writable bytes.
pub(crate) unsafe fn write_bytes<const N: usize>(dst: *mut u8, src: &[u8; N]) -> bool {
    if dst.is_null() {
        return false;
    }
    // SAFETY: the caller promises N writable bytes at `dst`; `src` is N bytes; no overlap since
    // `src` is ours.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst, N) };
    true
}

/// Store one value through an out-pointer.
///
/// # Safety
/// `dst` is NULL or points to a writable, aligned `T`.
pub(crate) unsafe fn write_out<T>(dst: *mut T, v: T) -> bool {
    if dst.is_null() {
        return false;
    }
    // SAFETY: non-NULL, and by the caller's promise writable and aligned.
    unsafe { dst.write(v) };
    true
}
