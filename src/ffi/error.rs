//! virterror.h: the C view of the thread's last error, each connection's own last error, and
//! the error-function API.
//!
//! Ownership, as libvirt's: every `virError` we hand out owns its strings, allocated by the C
//! allocator, and a caller may free them with virResetError at any time, our own structs
//! included. So no struct of ours keeps a Rust copy of a string it hands to C: it frees a string
//! only if the pointer is still there (virResetError sets it to NULL), and resetting the thread's
//! struct clears the thread's error, as it does in libvirt where that struct is the error.

use crate::error::{self, Error, ErrorFunction, Handler, GLOBAL_HANDLER, VIR_ERR_OK};
use crate::ffi::args;
use crate::ffi::generated::types::{virConnectPtr, virError, virErrorFunc, virErrorPtr};
use crate::ffi::handles::{self, ConnEntry};
use crate::ffi::opaque::Opaque;
use std::cell::RefCell;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;
use std::sync::{Arc, Mutex, MutexGuard, Once};

/// A `virError` at a stable address whose strings (C-allocated) it owns and frees when dropped,
/// unless the caller freed them first (virResetError leaves NULLs).
pub(crate) struct OwnedError(Box<virError>);

// SAFETY: the struct's pointers are C-allocated strings only this value frees (and the caller's
// virResetError, which the contract leaves to the caller's own synchronisation); conn/dom/net
// are always NULL. Nothing in it is tied to a thread.
unsafe impl Send for OwnedError {}

impl OwnedError {
    pub(crate) fn new() -> OwnedError {
        OwnedError(Box::new(zeroed_error()))
    }

    fn as_ptr(&mut self) -> virErrorPtr {
        &mut *self.0 as *mut virError
    }

    /// Replace the content with a deep copy of `e` (or nothing).
    fn set(&mut self, e: Option<&Error>) {
        clear(&mut self.0);
        if let Some(e) = e {
            fill(&mut self.0, e);
        }
    }
}

impl Drop for OwnedError {
    fn drop(&mut self) {
        clear(&mut self.0);
    }
}

/// A connection's own last error (virConnGetLastError): what was dispatched on it last.
pub(crate) type ConnError = Mutex<OwnedError>;

fn conn_error(c: &ConnEntry) -> MutexGuard<'_, OwnedError> {
    c.last_error.lock().unwrap_or_else(|p| p.into_inner())
}

thread_local! {
    /// The thread's `virError` as C sees it: one struct per thread at a stable address (as
    /// libvirt's thread-local error), kept equal to the Rust error, freed at thread exit.
    static VIEW: RefCell<OwnedError> = RefCell::new(OwnedError::new());
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

/// Have the core tell us of every change to a thread's error, once per process, before the first
/// public call does anything (every export runs through `entry::call`, which calls this).
pub(crate) fn observe_thread_errors() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        error::observe_changes(thread_error_changed);
    });
}

/// The Rust error changed: the C struct follows at once, since callers keep its address and read
/// it after later calls (libvirt's is the error itself).
fn thread_error_changed() {
    let e = error::last();
    let _ = VIEW.try_with(|v| {
        if let Ok(mut v) = v.try_borrow_mut() {
            v.set(e.as_ref());
        }
    });
}

/// The thread's struct, whatever it holds.
fn thread_struct() -> virErrorPtr {
    VIEW.try_with(|v| v.borrow_mut().as_ptr())
        .unwrap_or(ptr::null_mut())
}

/// The thread's error as a `virError*` (NULL when there is none).
fn thread_view() -> virErrorPtr {
    let p = thread_struct();
    // SAFETY: `p` is NULL or this thread's live struct.
    match unsafe { p.as_ref() } {
        Some(e) if e.code != VIR_ERR_OK => p,
        _ => ptr::null_mut(),
    }
}

/// An application's error function and its user data (virSetErrorFunc, virConnSetErrorFunc).
struct CErrorFunction {
    func: unsafe extern "C" fn(*mut c_void, virErrorPtr),
    user_data: Opaque,
}

impl ErrorFunction for CErrorFunction {
    /// The function gets the thread's own struct, which holds `_e` (it follows every change), as
    /// libvirt's get its thread-local error.
    fn call(&self, _e: &Error) {
        let e = thread_view();
        if e.is_null() {
            return;
        }
        // SAFETY: the application's callback, called with its own user data and our live error.
        unsafe { (self.func)(self.user_data.as_ptr(), e) };
    }
}

/// The handler an application registers: none for a NULL function.
fn handler(user_data: *mut c_void, func: virErrorFunc) -> Option<Handler> {
    func.map(|func| {
        Arc::new(CErrorFunction {
            func,
            user_data: Opaque::new(user_data),
        }) as Handler
    })
}

/// An error was raised by a call on `c` (or on one of its domains): it becomes the connection's
/// own last error too, as libvirt's virDispatchError copies it.
pub(crate) fn record_on_connection(c: &ConnEntry) {
    let e = error::last();
    conn_error(c).set(e.as_ref());
}

/// Deep copy of `e` into a C struct the caller owns (strings from the C allocator).
fn fill(to: &mut virError, e: &Error) {
    let dup = |s: &Option<String>| match s {
        Some(s) => args::malloc_str(s),
        None => ptr::null_mut(),
    };
    *to = zeroed_error();
    to.code = e.code;
    to.domain = e.domain;
    to.level = e.level as _;
    to.message = args::malloc_str(&e.message);
    to.str1 = dup(&e.str1);
    to.str2 = dup(&e.str2);
    to.str3 = dup(&e.str3);
    to.int1 = e.int1;
    to.int2 = e.int2;
}

/// Deep copy of one C error into another, whose old content is overwritten, not freed (libvirt's
/// copies do not trust the target to be initialized). conn, dom and net are never copied.
fn copy_struct(from: &virError, to: &mut virError) {
    let dup = |s: *mut c_char| -> *mut c_char {
        if s.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: `s` is a NUL-terminated string owned by a live error struct.
        unsafe { libc::strdup(s) }
    };
    *to = zeroed_error();
    to.code = from.code;
    to.domain = from.domain;
    to.level = from.level;
    to.message = dup(from.message);
    to.str1 = dup(from.str1);
    to.str2 = dup(from.str2);
    to.str3 = dup(from.str3);
    to.int1 = from.int1;
    to.int2 = from.int2;
}

/// Free the strings of a C-owned error and zero it (virResetError).
fn clear(to: &mut virError) {
    for p in [to.message, to.str1, to.str2, to.str3] {
        // SAFETY: these strings were allocated by the C allocator (fill/copy_struct) or are NULL.
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
    // SAFETY: `e` is this thread's live error struct.
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

/// Only the connection's own error: the thread's stays (as the reference's).
pub(crate) unsafe fn virConnResetLastError(conn: virConnectPtr) {
    if let Some(c) = handles::connection(conn) {
        conn_error(&c).set(None);
    }
}

/// The connection's own struct, even when it holds no error (code 0), as the reference's.
pub(crate) unsafe fn virConnGetLastError(conn: virConnectPtr) -> virErrorPtr {
    match handles::connection(conn) {
        Some(c) => conn_error(&c).as_ptr(),
        None => ptr::null_mut(),
    }
}

/// Overwrite the caller's struct (not trusted to be initialized) with a copy of the thread's
/// error, or zeros; returns its code.
unsafe fn copy_last(to: virErrorPtr) -> c_int {
    // SAFETY: the caller passes NULL or a writable virError it owns.
    let Some(to) = (unsafe { to.as_mut() }) else {
        return -1;
    };
    *to = zeroed_error();
    if let Some(e) = error::last() {
        fill(to, &e);
    }
    to.code
}

pub(crate) unsafe fn virCopyLastError(to: virErrorPtr) -> c_int {
    // SAFETY: `to` is handed on with the caller's promise.
    unsafe { copy_last(to) }
}

pub(crate) unsafe fn virConnCopyLastError(conn: virConnectPtr, to: virErrorPtr) -> c_int {
    // SAFETY: the caller passes NULL or a writable virError it owns.
    let Some(to) = (unsafe { to.as_mut() }) else {
        return -1;
    };
    // The reference zeroes the target before it looks at the connection.
    *to = zeroed_error();
    let Some(c) = handles::connection(conn) else {
        return -1;
    };
    let mut own = conn_error(&c);
    // SAFETY: the connection's struct lives in the locked OwnedError.
    copy_struct(unsafe { &*own.as_ptr() }, to);
    to.code
}

pub(crate) unsafe fn virSaveLastError() -> virErrorPtr {
    // SAFETY: calloc returns zeroed memory for one virError or NULL.
    let p = unsafe { libc::calloc(1, std::mem::size_of::<virError>()) } as virErrorPtr;
    // SAFETY: `p` is NULL or a fresh zeroed virError we own.
    if let Some(to) = unsafe { p.as_mut() } {
        if let Some(e) = error::last() {
            fill(to, &e);
        }
    }
    p
}

pub(crate) unsafe fn virResetError(err: virErrorPtr) {
    // SAFETY: the caller passes NULL or an error whose strings came from us (the thread's or a
    // connection's struct, virCopyLastError, virSaveLastError) or are NULL.
    let Some(e) = (unsafe { err.as_mut() }) else {
        return;
    };
    clear(e);
    // The thread's own struct is its error: once reset, the thread has none.
    if err == thread_struct() {
        error::reset_last();
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
    let h = self::handler(user_data, handler);
    *GLOBAL_HANDLER.lock().unwrap_or_else(|p| p.into_inner()) = h;
}

pub(crate) unsafe fn virConnSetErrorFunc(
    conn: virConnectPtr,
    user_data: *mut c_void,
    handler: virErrorFunc,
) {
    if let Some(c) = handles::connection(conn) {
        c.conn.set_error_handler(self::handler(user_data, handler));
    }
}

pub(crate) unsafe fn virDefaultErrorFunc(err: virErrorPtr) {
    // SAFETY: the caller passes NULL or a valid virError.
    let Some(e) = (unsafe { err.as_ref() }) else {
        return;
    };
    if e.code == VIR_ERR_OK {
        return;
    }
    // SAFETY: message is NULL or a C string owned by the error.
    let msg = unsafe { args::optional_str(e.message) }.unwrap_or_default();
    let mut owned = Error::new(e.code, e.domain, None);
    owned.message = msg.into_owned();
    error::default_print(&owned);
}
