//! libvirt-host: opening, closing and describing connections.

use crate::conn;
use crate::error::{self, Error, VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, VIR_FROM_NONE};
use crate::ffi::args;
use crate::ffi::generated::types::{virConnectAuthPtr, virConnectPtr};
use crate::ffi::handles::{self, ConnEntry};
use std::os::raw::{c_char, c_int, c_uint, c_ulong};
use std::ptr;
use std::sync::Arc;

/// The connection behind a handle, or libvirt's "invalid connection pointer in <fn>".
pub(crate) fn connection(
    c: virConnectPtr,
    from: i32,
    function: &str,
) -> Result<Arc<ConnEntry>, Error> {
    handles::connection(c).ok_or_else(|| Error::with(VIR_ERR_INVALID_CONN, from, function))
}

/// Report and give the failure value, for the bodies below.
pub(crate) fn fail<T>(e: Error, value: T) -> T {
    error::report(e);
    value
}

unsafe fn open(name: *const c_char, flags: c_uint) -> virConnectPtr {
    // SAFETY: `name` is NULL or a C string, by the C contract.
    let name = unsafe { args::optional_str(name) };
    match conn::open(name.as_deref(), flags) {
        Ok(c) => handles::new_connection(c),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virConnectOpen(name: *const c_char) -> virConnectPtr {
    // SAFETY: handed on unchanged.
    unsafe { open(name, 0) }
}

pub(crate) unsafe fn virConnectOpenReadOnly(name: *const c_char) -> virConnectPtr {
    // SAFETY: handed on unchanged.
    unsafe { open(name, 1) }
}

pub(crate) unsafe fn virConnectOpenAuth(
    name: *const c_char,
    _auth: virConnectAuthPtr,
    flags: c_uint,
) -> virConnectPtr {
    // SAFETY: handed on unchanged. Our drivers need no credentials, so `auth` is not consulted.
    unsafe { open(name, flags) }
}

pub(crate) unsafe fn virConnectClose(c: virConnectPtr) -> c_int {
    if handles::connection(c).is_none() {
        return fail(
            Error::with(VIR_ERR_INVALID_CONN, VIR_FROM_NONE, "virConnectClose"),
            -1,
        );
    }
    // libvirt returns 1 while any reference remains (domain handles hold one), else 0.
    if handles::unref_connection(c as usize) > 0 {
        1
    } else {
        0
    }
}

pub(crate) unsafe fn virConnectRef(c: virConnectPtr) -> c_int {
    match connection(c, VIR_FROM_DOMAIN, "virConnectRef") {
        Ok(e) => {
            handles::ref_connection(&e);
            0
        }
        Err(e) => fail(e, -1),
    }
}

pub(crate) unsafe fn virConnectGetType(c: virConnectPtr) -> *const c_char {
    match connection(c, VIR_FROM_DOMAIN, "virConnectGetType") {
        Ok(e) => match e.conn.driver.kind() {
            "TEST" => c"TEST".as_ptr(),
            "QEMU" => c"QEMU".as_ptr(),
            _ => c"".as_ptr(),
        },
        Err(e) => fail(e, ptr::null()),
    }
}

pub(crate) unsafe fn virConnectGetURI(c: virConnectPtr) -> *mut c_char {
    match connection(c, VIR_FROM_DOMAIN, "virConnectGetURI") {
        Ok(e) => args::malloc_str(&e.conn.uri),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virConnectGetHostname(c: virConnectPtr) -> *mut c_char {
    match connection(c, VIR_FROM_DOMAIN, "virConnectGetHostname")
        .and_then(|e| e.conn.driver.hostname())
    {
        Ok(h) => args::malloc_str(&h),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virConnectGetCapabilities(c: virConnectPtr) -> *mut c_char {
    match connection(c, VIR_FROM_DOMAIN, "virConnectGetCapabilities")
        .and_then(|e| e.conn.driver.capabilities())
    {
        Ok(h) => args::malloc_str(&h),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virConnectGetVersion(c: virConnectPtr, hv_ver: *mut c_ulong) -> c_int {
    let r = connection(c, VIR_FROM_DOMAIN, "virConnectGetVersion").and_then(|e| {
        if hv_ver.is_null() {
            return Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virConnectGetVersion",
                "hvVer",
            ));
        }
        e.conn.driver.hypervisor_version()
    });
    match r {
        Ok(v) => {
            // SAFETY: checked non-NULL above; writable by the C contract.
            unsafe { args::write_out(hv_ver, v as c_ulong) };
            0
        }
        Err(e) => fail(e, -1),
    }
}

pub(crate) unsafe fn virConnectGetLibVersion(c: virConnectPtr, lib_ver: *mut c_ulong) -> c_int {
    let r = connection(c, VIR_FROM_DOMAIN, "virConnectGetLibVersion").and_then(|_| {
        if lib_ver.is_null() {
            return Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virConnectGetLibVersion",
                "libVer",
            ));
        }
        Ok(())
    });
    match r {
        Ok(()) => {
            // SAFETY: checked non-NULL above; writable by the C contract.
            unsafe { args::write_out(lib_ver, crate::ffi::host::LIB_VERSION) };
            0
        }
        Err(e) => fail(e, -1),
    }
}

fn flag_query(c: virConnectPtr, function: &str, f: impl FnOnce(&ConnEntry) -> bool) -> c_int {
    match connection(c, VIR_FROM_DOMAIN, function) {
        Ok(e) => f(&e) as c_int,
        Err(e) => fail(e, -1),
    }
}

pub(crate) unsafe fn virConnectIsAlive(c: virConnectPtr) -> c_int {
    // A connection to a daemon is alive while its socket is; local drivers always are.
    flag_query(c, "virConnectIsAlive", |e| {
        crate::driver::remote::is_alive(&e.conn.driver).unwrap_or(true)
    })
}

pub(crate) unsafe fn virConnectIsSecure(c: virConnectPtr) -> c_int {
    flag_query(c, "virConnectIsSecure", |_| true)
}

pub(crate) unsafe fn virConnectIsEncrypted(c: virConnectPtr) -> c_int {
    flag_query(c, "virConnectIsEncrypted", |_| false)
}

/// libvirt's default authentication callbacks (a terminal prompter). Our drivers ask for no
/// credentials, so the default offers none; programs may still pass it to virConnectOpenAuth.
static mut DEFAULT_AUTH: crate::ffi::generated::types::virConnectAuth =
    crate::ffi::generated::types::virConnectAuth {
        credtype: ptr::null_mut(),
        ncredtype: 0,
        cb: None,
        cbdata: ptr::null_mut(),
    };

#[no_mangle]
#[allow(non_upper_case_globals)]
pub static mut virConnectAuthPtrDefault: virConnectAuthPtr = &raw mut DEFAULT_AUTH;
