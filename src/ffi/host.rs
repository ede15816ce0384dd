//! Library-wide calls: initialisation and versions.

use crate::error::{self, Error};
use crate::ffi::args;
use std::os::raw::{c_char, c_int, c_ulong};

/// libvirt 9.0.0 as major * 1,000,000 + minor * 1,000 + release.
pub(crate) const LIB_VERSION: c_ulong = 9_000_000;

pub(crate) unsafe fn virInitialize() -> c_int {
    0
}

pub(crate) unsafe fn virGetVersion(
    lib_ver: *mut c_ulong,
    type_: *const c_char,
    type_ver: *mut c_ulong,
) -> c_int {
    if lib_ver.is_null() {
        // The reference raises nothing here, so its dispatcher reports the generic failure.
        error::report(Error::unknown_cause());
        return -1;
    }
    // SAFETY: `lib_ver` is non-NULL and, by the C contract, writable.
    unsafe { args::write_out(lib_ver, LIB_VERSION) };
    // SAFETY: `type_ver` is NULL or writable, as documented.
    unsafe { args::write_out(type_ver, LIB_VERSION) };
    let _ = type_;
    0
}
