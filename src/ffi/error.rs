//! virterror.h: the C view of the thread's last error and the error-function API.

use crate::error::{self, Error, Handler, GLOBAL_HANDLER, VIR_ERR_OK};
use crate::ffi::args;
use crate::ffi::generated::types::{virConnectPtr, virError, virErrorFunc, virErrorPtr};
use crate::ffi::handles;
use std::cell::RefCell;
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

/// The thread's `virError` as C sees it: one struct per thread at a stable address (as libvirt's
/// thread-local error), rebuilt from the Rust error when it changed, with the strings it points to.
struct ThreadView {
    raw: Box<virError>,
    strings: Vec<CString>,
    fresh: bool,
}

thread_local! {
    static VIEW: RefCell<ThreadView> = RefCell::new(ThreadView {
        raw: Box::new(zeroed_error()),
        strings: Vec::new(),
        fresh: false,
    });
}

fn zeroed_error() -> virError {
    virError {
        code: 0,
        domain: 0,
        message: ptr::null_mut(),
        level: 0,
        conn: ptr::null_mut(),
        dom: ptr::null_mut(),
        str1: ptr::null_mut(),
        str2: ptr::null_mut(),
        str3: ptr::null_mut(),
        int1: 0,
        int2: 0,
        net: ptr::null_mut(),
    }
}

/// The Rust error changed: the C view is rebuilt on its next use.
pub(crate) fn forget_thread_view() {
    let _ = VIEW.try_with(|v| {
        if let Ok(mut v) = v.try_borrow_mut() {
            v.fresh = false;
        }
    });
}

fn cstring(s: &str) -> CString {
    args::c_string(s)
}

/// The thread's error as a `virError*` (NULL when there is none), valid until the error changes.
fn thread_view() -> virErrorPtr {
    VIEW.with(|v| {
        let mut v = v.borrow_mut();
        if !v.fresh {
            let e = error::last();
            let mut strings = Vec::new();
            let mut put = |s: &Option<String>| -> *mut c_char {
                match s {
                    Some(s) => {
                        let c = cstring(s);
                        let p = c.as_ptr() as *mut c_char;
                        strings.push(c);
                        p
                    }
                    None => ptr::null_mut(),
                }
            };
            let mut raw = zeroed_error();
            if let Some(e) = &e {
                raw.code = e.code;
                raw.domain = e.domain;
                raw.level = e.level as _;
                raw.message = put(&Some(e.message.clone()));
                raw.str1 = put(&e.str1);
                raw.str2 = put(&e.str2);
                raw.str3 = put(&e.str3);
                raw.int1 = e.int1;
                raw.int2 = e.int2;
            }
            *v.raw = raw;
            v.strings = strings;
            v.fresh = true;
        }
        if v.raw.code == VIR_ERR_OK {
            ptr::null_mut()
        } else {
            &mut *v.raw as *mut virError
        }
    })
}

/// Call an application error function with the thread's error.
pub(crate) fn call_handler(h: Handler) {
    let e = thread_view();
    if e.is_null() || h.func == 0 {
        return;
    }
    // SAFETY: `h.func` was stored from a non-NULL `virErrorFunc` the application registered
    // (virSetErrorFunc); function pointers round-trip through usize on this platform.
    let f: unsafe extern "C" fn(*mut c_void, virErrorPtr) = unsafe { std::mem::transmute(h.func) };
    // SAFETY: calling the application's callback with its own user data and our live error.
    unsafe { f(h.user_data as *mut c_void, e) };
}

/// Deep copy of `e` into a C struct the caller owns (strings from the C allocator).
fn fill(to: &mut virError, e: &Error) {
    let dup = |s: &Option<String>| match s {
        Some(s) => args::malloc_str(s),
        None => ptr::null_mut(),
    };
    to.code = e.code;
    to.domain = e.domain;
    to.level = e.level as _;
    to.message = args::malloc_str(&e.message);
    to.str1 = dup(&e.str1);
    to.str2 = dup(&e.str2);
    to.str3 = dup(&e.str3);
    to.int1 = e.int1;
    to.int2 = e.int2;
    to.conn = ptr::null_mut();
    to.dom = ptr::null_mut();
    to.net = ptr::null_mut();
}

/// Free the strings of a C-owned error and zero it (virResetError).
fn clear(to: &mut virError) {
    for p in [to.message, to.str1, to.str2, to.str3] {
        // SAFETY: these strings were allocated by the C allocator (fill/malloc_str) or are NULL.
        unsafe { libc::free(p as *mut c_void) };
    }
    *to = zeroed_error();
}

pub(crate) unsafe fn virGetLastError() -> virErrorPtr {
    thread_view()
}

pub(crate) unsafe fn virGetLastErrorCode() -> c_int {
    error::last().map_or(0, |e| e.code)
}

pub(crate) unsafe fn virGetLastErrorDomain() -> c_int {
    error::last().map_or(0, |e| e.domain)
}

pub(crate) unsafe fn virGetLastErrorMessage() -> *const c_char {
    let e = thread_view();
    if e.is_null() {
        return c"no error".as_ptr();
    }
    // SAFETY: `e` is this thread's live error view.
    let m = unsafe { (*e).message };
    if m.is_null() {
        c"unknown error".as_ptr()
    } else {
        m
    }
}

pub(crate) unsafe fn virResetLastError() {
    error::reset_last();
}

pub(crate) unsafe fn virConnResetLastError(_conn: virConnectPtr) {
    error::reset_last();
}

pub(crate) unsafe fn virConnGetLastError(conn: virConnectPtr) -> virErrorPtr {
    if conn.is_null() {
        return ptr::null_mut();
    }
    thread_view()
}

unsafe fn copy_last(to: virErrorPtr) -> c_int {
    // SAFETY: the caller passes NULL or a writable virError it owns.
    let Some(to) = (unsafe { to.as_mut() }) else {
        return -1;
    };
    match error::last() {
        Some(e) => {
            clear(to);
            fill(to, &e);
            e.code
        }
        None => {
            clear(to);
            0
        }
    }
}

pub(crate) unsafe fn virCopyLastError(to: virErrorPtr) -> c_int {
    // SAFETY: `to` is handed on with the caller's promise.
    unsafe { copy_last(to) }
}

pub(crate) unsafe fn virConnCopyLastError(conn: virConnectPtr, to: virErrorPtr) -> c_int {
    if conn.is_null() {
        return -1;
    }
    // SAFETY: `to` is handed on with the caller's promise.
    unsafe { copy_last(to) }
}

pub(crate) unsafe fn virSaveLastError() -> virErrorPtr {
    // SAFETY: calloc returns zeroed memory for one virError or NULL.
    let p = unsafe { libc::calloc(1, std::mem::size_of::<virError>()) } as virErrorPtr;
    // SAFETY: `p` is NULL or a fresh zeroed virError we own.
    if let Some(to) = unsafe { p.as_mut() } {
        match error::last() {
            Some(e) => fill(to, &e),
            None => to.code = VIR_ERR_OK,
        }
    }
    p
}

pub(crate) unsafe fn virResetError(err: virErrorPtr) {
    // SAFETY: the caller passes NULL or an error whose strings came from us (virCopyLastError,
    // virSaveLastError) or are NULL.
    if let Some(e) = unsafe { err.as_mut() } {
        clear(e);
    }
}

pub(crate) unsafe fn virFreeError(err: virErrorPtr) {
    // SAFETY: as virResetError; then the struct itself came from virSaveLastError's calloc.
    unsafe {
        virResetError(err);
        libc::free(err as *mut c_void);
    }
}

pub(crate) unsafe fn virSetErrorFunc(user_data: *mut c_void, handler: virErrorFunc) {
    let h = handler.map(|f| Handler {
        func: f as usize,
        user_data: user_data as usize,
    });
    *GLOBAL_HANDLER.lock().unwrap_or_else(|p| p.into_inner()) = h;
}

pub(crate) unsafe fn virConnSetErrorFunc(
    conn: virConnectPtr,
    user_data: *mut c_void,
    handler: virErrorFunc,
) {
    if let Some(c) = handles::connection(conn) {
        let h = handler.map(|f| Handler {
            func: f as usize,
            user_data: user_data as usize,
        });
        c.conn.set_error_handler(h);
    }
}

pub(crate) unsafe fn virDefaultErrorFunc(err: virErrorPtr) {
    // SAFETY: the caller passes NULL or a valid virError.
    let Some(e) = (unsafe { err.as_ref() }) else {
        return;
    };
    // SAFETY: message is NULL or a C string owned by the error.
    let msg = unsafe { args::optional_str(e.message) }.unwrap_or_default();
    let mut owned = Error::new(e.code, e.domain, None);
    owned.message = msg.into_owned();
    error::default_print(&owned);
}
