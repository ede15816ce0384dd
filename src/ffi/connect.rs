//! libvirt-host: opening, closing and describing connections.

use crate::api::ConnectFlags;
use crate::auth::{Answer, Prompter, Request};
use crate::conn;
use crate::error::{self, Error, VIR_FROM_DOMAIN, VIR_FROM_NONE};
use crate::ffi::args;
use crate::ffi::generated::types::{virConnectAuthPtr, virConnectCredential, virConnectPtr};
// `connection` keeps its call sites' name (the typed lookup itself is handles::require_connection).
use crate::ffi::handles::{self, require_connection as connection, ConnEntry};
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_uint, c_ulong};
use std::ptr;

/// Report and give the failure value, for the bodies below.
pub(crate) fn fail<T>(e: Error, value: T) -> T {
    error::report(e);
    value
}

unsafe fn open(
    name: *const c_char,
    flags: c_uint,
    prompter: Option<&dyn Prompter>,
) -> virConnectPtr {
    // SAFETY: `name` is NULL or a C string, by the C contract.
    let name = unsafe { args::optional_str(name) };
    match conn::open(name.as_deref(), flags, prompter) {
        Ok(c) => handles::new_connection(c),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virConnectOpen(name: *const c_char) -> virConnectPtr {
    // SAFETY: handed on unchanged.
    unsafe { open(name, ConnectFlags::empty().bits(), None) }
}

pub(crate) unsafe fn virConnectOpenReadOnly(name: *const c_char) -> virConnectPtr {
    // SAFETY: handed on unchanged.
    unsafe { open(name, ConnectFlags::RO.bits(), None) }
}

pub(crate) unsafe fn virConnectOpenAuth(
    name: *const c_char,
    auth: virConnectAuthPtr,
    flags: c_uint,
) -> virConnectPtr {
    let prompter = (!auth.is_null()).then_some(AuthCallback(auth));
    // SAFETY: `name` is handed on unchanged; `auth` is non-NULL inside the prompter and, by the C
    // contract, points to a virConnectAuth that outlives this call.
    unsafe { open(name, flags, prompter.as_ref().map(|p| p as &dyn Prompter)) }
}

/// The application's `virConnectAuth` (non-NULL), asked one credential at a time.
struct AuthCallback(virConnectAuthPtr);

impl Prompter for AuthCallback {
    fn cred_types(&self) -> Vec<i32> {
        // SAFETY: non-NULL by construction; valid for the open call by the C contract.
        let auth = unsafe { &*self.0 };
        if auth.credtype.is_null() {
            return Vec::new();
        }
        // SAFETY: the application gives `ncredtype` ints at `credtype`.
        unsafe { std::slice::from_raw_parts(auth.credtype, auth.ncredtype as usize) }.to_vec()
    }

    fn ask(&self, request: &Request) -> Answer {
        // SAFETY: non-NULL by construction; valid for the open call by the C contract.
        let auth = unsafe { &*self.0 };
        // A NULL callback cannot answer: taken as a refusal (the reference would call it).
        let Some(cb) = auth.cb else {
            return Answer::Failed;
        };
        let text = |s: &str| CString::new(s.replace('\0', "")).unwrap_or_default();
        let prompt = text(&request.prompt);
        let challenge = text(&request.challenge);
        let default = request.default.as_deref().map(text);
        let mut cred = virConnectCredential {
            r#type: request.cred_type,
            prompt: prompt.as_ptr(),
            challenge: challenge.as_ptr(),
            defresult: default.as_ref().map_or(ptr::null(), |d| d.as_ptr()),
            result: ptr::null_mut(),
            resultlen: 0,
        };
        // SAFETY: the application's callback, with one credential whose strings live until it
        // returns and its own `cbdata`.
        let rc = unsafe { cb(&mut cred, 1, auth.cbdata) };
        let result = cred.result;
        // The result is read up to its NUL, whatever resultlen says, as the reference does.
        let answer = if result.is_null() {
            Answer::Nothing
        } else {
            // SAFETY: the callback set a malloc'd C string, which is now ours.
            Answer::Given(
                unsafe { CStr::from_ptr(result) }
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        if !result.is_null() {
            // SAFETY: malloc'd by the application for us to free, as libvirt documents.
            unsafe { libc::free(result.cast()) };
        }
        if rc < 0 {
            Answer::Failed
        } else {
            answer
        }
    }
}

pub(crate) unsafe fn virConnectClose(c: virConnectPtr) -> c_int {
    if let Err(e) = handles::require_connection(c, VIR_FROM_NONE, "virConnectClose") {
        return fail(e, -1);
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
        Ok(e) => e.conn.driver.connect().type_name().as_ptr(),
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
        .and_then(|e| e.conn.driver.connect().hostname())
    {
        Ok(h) => args::malloc_str(&h),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virConnectGetCapabilities(c: virConnectPtr) -> *mut c_char {
    match connection(c, VIR_FROM_DOMAIN, "virConnectGetCapabilities")
        .and_then(|e| e.conn.driver.connect().capabilities())
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
        e.conn.driver.connect().hypervisor_version()
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
    let r = connection(c, VIR_FROM_DOMAIN, "virConnectGetLibVersion").and_then(|e| {
        if lib_ver.is_null() {
            return Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virConnectGetLibVersion",
                "libVer",
            ));
        }
        e.conn.driver.connect().lib_version()
    });
    match r {
        Ok(v) => {
            // SAFETY: checked non-NULL above; writable by the C contract.
            unsafe { args::write_out(lib_ver, v as c_ulong) };
            0
        }
        Err(e) => fail(e, -1),
    }
}

fn flag_query(
    c: virConnectPtr,
    function: &str,
    f: impl FnOnce(&ConnEntry) -> error::Result<bool>,
) -> c_int {
    match connection(c, VIR_FROM_DOMAIN, function).and_then(|e| f(&e)) {
        Ok(b) => b as c_int,
        Err(e) => fail(e, -1),
    }
}

pub(crate) unsafe fn virConnectIsAlive(c: virConnectPtr) -> c_int {
    flag_query(c, "virConnectIsAlive", |e| {
        Ok(e.conn.driver.connect().is_alive())
    })
}

pub(crate) unsafe fn virConnectIsSecure(c: virConnectPtr) -> c_int {
    flag_query(c, "virConnectIsSecure", |e| {
        e.conn.driver.connect().is_secure()
    })
}

pub(crate) unsafe fn virConnectIsEncrypted(c: virConnectPtr) -> c_int {
    flag_query(c, "virConnectIsEncrypted", |e| {
        e.conn.driver.connect().is_encrypted()
    })
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
