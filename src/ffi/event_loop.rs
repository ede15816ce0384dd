//! libvirt-event: the registered event loop (the six functions given to virEventRegisterImpl: our
//! default loop's, or the application's, as Python's libvirtaio does), the calls that go through
//! it, and its adapter to the core's [`EventLoop`], on which the library's own timers run.
//!
//! Behaviour measured on the reference (Debian's libvirt 9.0):
//! - the first registered loop stays: later virEventRegisterImpl/virEventRegisterDefaultImpl
//!   calls are ignored with a warning (an all-NULL registration does not count);
//! - virEventAdd*/Update*/Remove* go to the registered loop, the application's callback, data
//!   and free function handed on unchanged; with none, adding or removing returns -1 and raises
//!   no error, and none of them touches the last error.

use crate::event::hooks::{self, EventLoop, HandleFn, TimerFn};
use crate::event::poll;
use crate::ffi::connect::fail;
use crate::ffi::generated::types::{
    virEventAddHandleFunc, virEventAddTimeoutFunc, virEventHandleCallback,
    virEventRemoveHandleFunc, virEventRemoveTimeoutFunc, virEventTimeoutCallback,
    virEventUpdateHandleFunc, virEventUpdateTimeoutFunc, virFreeCallback,
};
use crate::ffi::opaque::Opaque;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

// ---- the registered loop --------------------------------------------------------------------

/// The six functions of an event loop implementation.
#[derive(Clone, Copy)]
struct Impl {
    add_handle: virEventAddHandleFunc,
    update_handle: virEventUpdateHandleFunc,
    remove_handle: virEventRemoveHandleFunc,
    add_timeout: virEventAddTimeoutFunc,
    update_timeout: virEventUpdateTimeoutFunc,
    remove_timeout: virEventRemoveTimeoutFunc,
}

impl Impl {
    const NONE: Impl = Impl {
        add_handle: None,
        update_handle: None,
        remove_handle: None,
        add_timeout: None,
        update_timeout: None,
        remove_timeout: None,
    };

    fn any(&self) -> bool {
        self.add_handle.is_some()
            || self.update_handle.is_some()
            || self.remove_handle.is_some()
            || self.add_timeout.is_some()
            || self.update_timeout.is_some()
            || self.remove_timeout.is_some()
    }
}

static IMPL: RwLock<Impl> = RwLock::new(Impl::NONE);

fn current() -> Impl {
    *IMPL.read().unwrap_or_else(|p| p.into_inner())
}

/// Install `new` unless a loop is already registered (the reference keeps the first one and
/// warns). Returns whether it was installed. From now on the library's own timers use it.
fn register(new: Impl) -> bool {
    hooks::install(&RegisteredLoop);
    let mut cur = IMPL.write().unwrap_or_else(|p| p.into_inner());
    if cur.any() {
        drop(cur);
        warn(
            "virEventRegisterImpl:264",
            "Ignoring attempt to replace registered event loop",
        );
        return false;
    }
    *cur = new;
    true
}

/// libvirt's log line for a warning, on stderr (the reference's default log output).
fn warn(function: &str, text: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let line = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}+0000: {tid}: warning : {function} : {text}\n",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    );
    use std::io::Write;
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// virEventAddHandle through the registered loop.
fn add_handle(
    fd: c_int,
    events: c_int,
    cb: virEventHandleCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    match current().add_handle {
        // SAFETY: a registered implementation, called as its C contract says; the callback,
        // opaque and free function are handed on unchanged.
        Some(f) => unsafe { f(fd, events, cb, opaque, ff) },
        None => -1,
    }
}

fn update_handle(watch: c_int, events: c_int) {
    if let Some(f) = current().update_handle {
        // SAFETY: a registered implementation, called as its C contract says.
        unsafe { f(watch, events) }
    }
}

fn remove_handle(watch: c_int) -> c_int {
    match current().remove_handle {
        // SAFETY: a registered implementation, called as its C contract says.
        Some(f) => unsafe { f(watch) },
        None => -1,
    }
}

fn add_timeout(
    timeout: c_int,
    cb: virEventTimeoutCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    match current().add_timeout {
        // SAFETY: a registered implementation, called as its C contract says; the callback,
        // opaque and free function are handed on unchanged.
        Some(f) => unsafe { f(timeout, cb, opaque, ff) },
        None => -1,
    }
}

fn update_timeout(timer: c_int, timeout: c_int) {
    if let Some(f) = current().update_timeout {
        // SAFETY: a registered implementation, called as its C contract says.
        unsafe { f(timer, timeout) }
    }
}

fn remove_timeout(timer: c_int) -> c_int {
    match current().remove_timeout {
        // SAFETY: a registered implementation, called as its C contract says.
        Some(f) => unsafe { f(timer) },
        None => -1,
    }
}

// ---- the registered loop as the core's EventLoop ----------------------------------------------

/// Whatever loop is registered, for the library's own timers and watches: each Rust callback
/// travels as the C opaque pointer (a leaked box) that the loop's free function gives back.
struct RegisteredLoop;

impl EventLoop for RegisteredLoop {
    fn add_timeout(&self, timeout: i32, callback: TimerFn) -> i32 {
        let opaque = Box::into_raw(Box::new(callback)) as *mut c_void;
        let timer = add_timeout(
            timeout,
            Some(timer_fired),
            opaque,
            Some(free_boxed::<TimerFn>),
        );
        if timer < 0 {
            // SAFETY: the loop refused the timer, so it never took the box.
            unsafe { free_boxed::<TimerFn>(opaque) };
        }
        timer
    }

    fn update_timeout(&self, timer: i32, timeout: i32) {
        update_timeout(timer, timeout)
    }

    fn remove_timeout(&self, timer: i32) -> i32 {
        remove_timeout(timer)
    }

    fn add_handle(&self, fd: i32, events: i32, callback: HandleFn) -> i32 {
        let opaque = Box::into_raw(Box::new(callback)) as *mut c_void;
        let watch = add_handle(
            fd,
            events,
            Some(handle_fired),
            opaque,
            Some(free_boxed::<HandleFn>),
        );
        if watch < 0 {
            // SAFETY: the loop refused the watch, so it never took the box.
            unsafe { free_boxed::<HandleFn>(opaque) };
        }
        watch
    }

    fn update_handle(&self, watch: i32, events: i32) {
        update_handle(watch, events)
    }

    fn remove_handle(&self, watch: i32) -> i32 {
        remove_handle(watch)
    }
}

unsafe extern "C" fn handle_fired(watch: c_int, fd: c_int, events: c_int, opaque: *mut c_void) {
    // SAFETY: `opaque` is the box RegisteredLoop::add_handle made, alive until the loop calls
    // free_boxed, which it does only once the watch is gone.
    let callback = unsafe { &*(opaque as *const HandleFn) };
    let _ = catch_unwind(AssertUnwindSafe(|| callback(watch, fd, events)));
}

unsafe extern "C" fn timer_fired(timer: c_int, opaque: *mut c_void) {
    // SAFETY: `opaque` is the box RegisteredLoop::add_timeout made, alive until the loop calls
    // free_boxed, which it does only once the timer is gone.
    let callback = unsafe { &*(opaque as *const TimerFn) };
    let _ = catch_unwind(AssertUnwindSafe(|| callback(timer)));
}

/// The loop's free function for a boxed callback.
///
/// # Safety
/// `opaque` is a `Box<T>` from `Box::into_raw`, given back once.
unsafe extern "C" fn free_boxed<T>(opaque: *mut c_void) {
    // SAFETY: by the contract above; dropping a callback does not unwind into C (the closures
    // hold only Arcs and plain values).
    drop(unsafe { Box::from_raw(opaque as *mut T) });
}

// ---- the default loop -----------------------------------------------------------------------

/// A C free callback and its data, as the loop's free function.
fn free_fn(ff: virFreeCallback, opaque: Opaque) -> Option<poll::FreeFn> {
    let f = ff?;
    Some(Box::new(move || {
        // SAFETY: the application's free callback with the data it gave along with it, called
        // once, when the loop dropped the watch or timer.
        unsafe { f(opaque.as_ptr()) }
    }))
}

/// Our loop's functions as a registered implementation sees them: no panic crosses back.
fn fenced<R>(fail: R, body: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fail)
}

unsafe extern "C" fn default_add_handle(
    fd: c_int,
    events: c_int,
    cb: virEventHandleCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    let opaque = Opaque::new(opaque);
    fenced(-1, || {
        let handler: poll::HandleFn = Arc::new(move |watch, fd, events| {
            if let Some(cb) = cb {
                // SAFETY: the application's handle callback with its own data, as registered.
                unsafe { cb(watch, fd, events, opaque.as_ptr()) }
            }
        });
        poll::add_handle(fd, events, handler, free_fn(ff, opaque))
    })
}

unsafe extern "C" fn default_update_handle(watch: c_int, events: c_int) {
    fenced((), || poll::update_handle(watch, events))
}

unsafe extern "C" fn default_remove_handle(watch: c_int) -> c_int {
    fenced(-1, || poll::remove_handle(watch))
}

unsafe extern "C" fn default_add_timeout(
    timeout: c_int,
    cb: virEventTimeoutCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    let opaque = Opaque::new(opaque);
    fenced(-1, || {
        let handler: poll::TimerFn = Arc::new(move |timer| {
            if let Some(cb) = cb {
                // SAFETY: the application's timer callback with its own data, as registered.
                unsafe { cb(timer, opaque.as_ptr()) }
            }
        });
        poll::add_timeout(timeout, handler, free_fn(ff, opaque))
    })
}

unsafe extern "C" fn default_update_timeout(timer: c_int, timeout: c_int) {
    fenced((), || poll::update_timeout(timer, timeout))
}

unsafe extern "C" fn default_remove_timeout(timer: c_int) -> c_int {
    fenced(-1, || poll::remove_timeout(timer))
}

pub(crate) unsafe fn virEventRegisterDefaultImpl() -> c_int {
    // Like the reference's one-time GLib registration: only the first call tries (and warns
    // if an application loop is already there).
    static TRIED: AtomicBool = AtomicBool::new(false);
    // The reference registers its implementation through virEventRegisterImpl on every call,
    // whose entry line follows.
    crate::vir_debug!(
        "libvirt.event",
        "virEventRegisterImpl",
        257,
        "addHandle={:p} updateHandle={:p} removeHandle={:p} addTimeout={:p} updateTimeout={:p} removeTimeout={:p}",
        default_add_handle as *const (),
        default_update_handle as *const (),
        default_remove_handle as *const (),
        default_add_timeout as *const (),
        default_update_timeout as *const (),
        default_remove_timeout as *const ()
    );
    if TRIED.swap(true, Ordering::AcqRel) {
        return 0;
    }
    register(Impl {
        add_handle: Some(default_add_handle),
        update_handle: Some(default_update_handle),
        remove_handle: Some(default_remove_handle),
        add_timeout: Some(default_add_timeout),
        update_timeout: Some(default_update_timeout),
        remove_timeout: Some(default_remove_timeout),
    });
    0
}

pub(crate) unsafe fn virEventRunDefaultImpl() -> c_int {
    match poll::run_once() {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}

// ---- the calls of libvirt-event -----------------------------------------------------------

pub(crate) unsafe fn virEventRegisterImpl(
    add_handle: virEventAddHandleFunc,
    update_handle: virEventUpdateHandleFunc,
    remove_handle: virEventRemoveHandleFunc,
    add_timeout: virEventAddTimeoutFunc,
    update_timeout: virEventUpdateTimeoutFunc,
    remove_timeout: virEventRemoveTimeoutFunc,
) {
    register(Impl {
        add_handle,
        update_handle,
        remove_handle,
        add_timeout,
        update_timeout,
        remove_timeout,
    });
}

pub(crate) unsafe fn virEventAddHandle(
    fd: c_int,
    events: c_int,
    cb: virEventHandleCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    add_handle(fd, events, cb, opaque, ff)
}

pub(crate) unsafe fn virEventUpdateHandle(watch: c_int, events: c_int) {
    update_handle(watch, events)
}

pub(crate) unsafe fn virEventRemoveHandle(watch: c_int) -> c_int {
    remove_handle(watch)
}

pub(crate) unsafe fn virEventAddTimeout(
    timeout: c_int,
    cb: virEventTimeoutCallback,
    opaque: *mut c_void,
    ff: virFreeCallback,
) -> c_int {
    add_timeout(timeout, cb, opaque, ff)
}

pub(crate) unsafe fn virEventUpdateTimeout(timer: c_int, timeout: c_int) {
    update_timeout(timer, timeout)
}

pub(crate) unsafe fn virEventRemoveTimeout(timer: c_int) -> c_int {
    remove_timeout(timer)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
