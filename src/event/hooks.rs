//! The registered event loop: the six functions given to virEventRegisterImpl (our default
//! loop's, or the application's, as Python's libvirtaio does). Every handle and timer the library
//! needs goes through them; with none registered, adding fails with -1 and no error, as the
//! reference's virEventAddHandle/virEventAddTimeout.

use crate::ffi::generated::types::{
    virEventAddHandleFunc, virEventAddTimeoutFunc, virEventHandleCallback,
    virEventRemoveHandleFunc, virEventRemoveTimeoutFunc, virEventTimeoutCallback,
    virEventUpdateHandleFunc, virEventUpdateTimeoutFunc, virFreeCallback,
};
use std::os::raw::{c_int, c_void};
use std::sync::RwLock;

/// The six functions of an event loop implementation.
#[derive(Clone, Copy)]
pub(crate) struct Impl {
    pub add_handle: virEventAddHandleFunc,
    pub update_handle: virEventUpdateHandleFunc,
    pub remove_handle: virEventRemoveHandleFunc,
    pub add_timeout: virEventAddTimeoutFunc,
    pub update_timeout: virEventUpdateTimeoutFunc,
    pub remove_timeout: virEventRemoveTimeoutFunc,
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
/// warns). Returns whether it was installed.
pub(crate) fn register(new: Impl) -> bool {
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
pub(crate) fn add_handle(
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

pub(crate) fn update_handle(watch: c_int, events: c_int) {
    if let Some(f) = current().update_handle {
        // SAFETY: a registered implementation, called as its C contract says.
        unsafe { f(watch, events) }
    }
}

pub(crate) fn remove_handle(watch: c_int) -> c_int {
    match current().remove_handle {
        // SAFETY: a registered implementation, called as its C contract says.
        Some(f) => unsafe { f(watch) },
        None => -1,
    }
}

pub(crate) fn add_timeout(
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

pub(crate) fn update_timeout(timer: c_int, timeout: c_int) {
    if let Some(f) = current().update_timeout {
        // SAFETY: a registered implementation, called as its C contract says.
        unsafe { f(timer, timeout) }
    }
}

pub(crate) fn remove_timeout(timer: c_int) -> c_int {
    match current().remove_timeout {
        // SAFETY: a registered implementation, called as its C contract says.
        Some(f) => unsafe { f(timer) },
        None => -1,
    }
}

/// A bus's delivery timer, disabled: its opaque value is the bus's key, never a pointer.
pub(crate) fn add_bus_timer(bus_key: usize) -> c_int {
    add_timeout(
        -1,
        Some(bus_timer_fired),
        bus_key as *mut c_void,
        Some(bus_timer_freed),
    )
}

unsafe extern "C" fn bus_timer_fired(_timer: c_int, opaque: *mut c_void) {
    let key = opaque as usize;
    let _ = std::panic::catch_unwind(|| {
        if let Some(bus) = super::bus_by_key(key) {
            bus.flush();
        }
    });
}

/// The timer holds nothing: the bus is found by key, and may be gone.
unsafe extern "C" fn bus_timer_freed(_opaque: *mut c_void) {}

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
