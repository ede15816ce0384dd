//! The event loop the library's own timers and watches run on (a bus's delivery timer, the remote
//! client's): whichever loop the application registered (virEventRegisterImpl, or our default
//! loop through virEventRegisterDefaultImpl), which the C boundary adapts to [`EventLoop`] and
//! installs here. With none installed or registered, adding fails with -1 and no error, as the
//! reference's virEventAddHandle/virEventAddTimeout.

use std::sync::{Arc, OnceLock};

/// A watch's callback: (watch, fd, VIR_EVENT_HANDLE_* events). The remote client watches its
/// connection through the registered loop, as the reference's watches its socket.
pub type HandleFn = Arc<dyn Fn(i32, i32, i32) + Send + Sync>;
/// A timer's callback: (timer).
pub type TimerFn = Arc<dyn Fn(i32) + Send + Sync>;

/// An event loop implementation, as the library's own code uses one: timers (in milliseconds, -1
/// disabled, 0 due at every iteration) and watches of file descriptors (VIR_EVENT_HANDLE_*
/// events). A callback is dropped once its timer or watch is gone, and not before: what it holds
/// (a descriptor the loop still polls) lives until then.
pub trait EventLoop: Send + Sync {
    /// A new timer firing every `timeout` ms; its id, or -1.
    fn add_timeout(&self, timeout: i32, callback: TimerFn) -> i32;
    fn update_timeout(&self, timer: i32, timeout: i32);
    /// 0, or -1 when there is no such timer.
    fn remove_timeout(&self, timer: i32) -> i32;
    /// A new watch of `fd` for `events`; its id, or -1.
    fn add_handle(&self, fd: i32, events: i32, callback: HandleFn) -> i32;
    fn update_handle(&self, watch: i32, events: i32);
    /// 0, or -1 when there is no such watch.
    fn remove_handle(&self, watch: i32) -> i32;
}

/// The loop in use: set once by the C boundary (its adapter follows the registered loop).
static LOOP: OnceLock<&'static dyn EventLoop> = OnceLock::new();

/// Install the event loop the library uses; false when one is already installed (it stays).
pub fn install(event_loop: &'static dyn EventLoop) -> bool {
    LOOP.set(event_loop).is_ok()
}

pub(crate) fn add_timeout(timeout: i32, callback: TimerFn) -> i32 {
    LOOP.get().map_or(-1, |l| l.add_timeout(timeout, callback))
}

pub(crate) fn update_timeout(timer: i32, timeout: i32) {
    if let Some(l) = LOOP.get() {
        l.update_timeout(timer, timeout)
    }
}

pub(crate) fn remove_timeout(timer: i32) -> i32 {
    LOOP.get().map_or(-1, |l| l.remove_timeout(timer))
}

pub(crate) fn add_handle(fd: i32, events: i32, callback: HandleFn) -> i32 {
    LOOP.get()
        .map_or(-1, |l| l.add_handle(fd, events, callback))
}

pub(crate) fn update_handle(watch: i32, events: i32) {
    if let Some(l) = LOOP.get() {
        l.update_handle(watch, events)
    }
}

pub(crate) fn remove_handle(watch: i32) -> i32 {
    LOOP.get().map_or(-1, |l| l.remove_handle(watch))
}

/// A bus's delivery timer, disabled: it finds the bus by key, which may be gone.
pub(crate) fn add_bus_timer(bus_key: usize) -> i32 {
    add_timeout(
        -1,
        Arc::new(move |_timer| {
            if let Some(bus) = super::bus_by_key(bus_key) {
                bus.flush();
            }
        }),
    )
}
