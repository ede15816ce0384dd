//! The default event loop (virEventRegisterDefaultImpl / virEventRunDefaultImpl): poll(2) over
//! the watched file descriptors, timers in milliseconds (-1 disabled, 0 due at every iteration),
//! and an eventfd that wakes a polling thread as soon as another thread changes anything.
//!
//! Thread-safe: any thread may add, update or remove; one thread at a time runs an iteration
//! (others wait their turn), and no lock is held while a callback runs, so callbacks may call
//! anything, including removing themselves. Removal only marks an entry; the loop drops it and
//! calls its free function after the iteration, from the loop thread, as libvirt does.
//! Watch and timer ids count from 1, separately, and are never reused.
//!
//! Ready watches and due timers run in the order the reference's GLib loop gives them: the order
//! their sources were made in, where changing a watch's events or re-arming a timer makes a new
//! source (so it goes last), and re-setting a watch's events to what they were changes nothing.

use crate::api::EventHandleType;
use crate::error::{Error, Result, VIR_FROM_EVENT};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::raw::c_int;
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard, OnceLock};
use std::thread::ThreadId;
use std::time::Instant;

pub(crate) use super::hooks::{HandleFn, TimerFn};
/// Called once when a watch or timer is gone.
pub(crate) type FreeFn = Box<dyn FnOnce() + Send>;

/// Each VIR_EVENT_HANDLE_* event, the poll(2) event that asks for it and the poll(2) results
/// that report it (an invalid descriptor is an error).
const POLL_EVENTS: [(EventHandleType, libc::c_short, libc::c_short); 4] = [
    (EventHandleType::READABLE, libc::POLLIN, libc::POLLIN),
    (EventHandleType::WRITABLE, libc::POLLOUT, libc::POLLOUT),
    (
        EventHandleType::ERROR,
        libc::POLLERR,
        libc::POLLERR | libc::POLLNVAL,
    ),
    (EventHandleType::HANGUP, libc::POLLHUP, libc::POLLHUP),
];

/// VIR_EVENT_HANDLE_* to poll(2) events.
pub(crate) fn to_poll(events: i32) -> libc::c_short {
    let events = EventHandleType::from_bits_retain(events as u32);
    POLL_EVENTS
        .iter()
        .filter(|(ours, _, _)| events.contains(*ours))
        .fold(0, |out, (_, asks, _)| out | asks)
}

/// poll(2) results to VIR_EVENT_HANDLE_*.
pub(crate) fn from_poll(revents: libc::c_short) -> i32 {
    let out = POLL_EVENTS
        .iter()
        .filter(|(_, _, reports)| revents & reports != 0)
        .fold(EventHandleType::empty(), |out, (ours, _, _)| out | *ours);
    out.bits() as i32
}

struct Handle {
    /// Dispatch order (see the module documentation).
    seq: u64,
    watch: i32,
    fd: c_int,
    events: i32,
    cb: HandleFn,
    free: Option<FreeFn>,
    deleted: bool,
}

struct Timer {
    seq: u64,
    id: i32,
    /// Milliseconds; -1 disabled.
    frequency: i32,
    /// When it is next due (ms on the loop's clock).
    expires: u64,
    cb: TimerFn,
    free: Option<FreeFn>,
    deleted: bool,
}

#[derive(Default)]
struct Inner {
    handles: Vec<Handle>,
    timers: Vec<Timer>,
    last_watch: i32,
    last_timer: i32,
    last_seq: u64,
    /// A thread is in poll(2) (or about to be): changes must wake it.
    polling: bool,
}

impl Inner {
    fn next_seq(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }
}

/// Something ready to run in this iteration: a watch (with its poll results) or a timer.
enum Ready {
    Watch(i32, libc::c_short),
    Timer(i32),
}

struct Loop {
    inner: Mutex<Inner>,
    wakeup: OnceLock<OwnedFd>,
    /// The thread running an iteration, if any.
    owner: Mutex<Option<ThreadId>>,
    turn: Condvar,
    epoch: Instant,
}

static LOOP: LazyLock<Loop> = LazyLock::new(|| Loop {
    inner: Mutex::new(Inner::default()),
    wakeup: OnceLock::new(),
    owner: Mutex::new(None),
    turn: Condvar::new(),
    epoch: Instant::now(),
});

thread_local! {
    /// How deeply this thread is inside run_once (a callback may run the loop itself).
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl Loop {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Make a thread blocked in poll(2) return (called with `inner` locked).
    fn wake(&self, inner: &Inner) {
        if !inner.polling {
            return;
        }
        if let Some(fd) = self.wakeup.get() {
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a live u64 to our own eventfd; a full counter (never
            // in practice) only fails with EAGAIN, and the loop is then awake anyway.
            unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        }
    }
}

/// Create the wake-up descriptor, once per process, when the loop is first used (as GLib makes
/// its main context's on the first source attached, so descriptor numbers come out alike).
pub(crate) fn init() -> Result<()> {
    if LOOP.wakeup.get().is_some() {
        return Ok(());
    }
    // SAFETY: eventfd has no memory preconditions; the result is checked.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    if fd < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(Error::system(
            VIR_FROM_EVENT,
            errno,
            "Unable to create wakeup eventfd",
        ));
    }
    // SAFETY: `fd` was just created and is owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // A racing initialiser won: ours is closed when dropped.
    let _ = LOOP.wakeup.set(owned);
    Ok(())
}

pub(crate) fn add_handle(fd: c_int, events: i32, cb: HandleFn, free: Option<FreeFn>) -> i32 {
    // Without a wake-up descriptor run_once fails and reports why; adding still works.
    let _ = init();
    let mut inner = LOOP.lock();
    inner.last_watch += 1;
    let watch = inner.last_watch;
    let seq = inner.next_seq();
    inner.handles.push(Handle {
        seq,
        watch,
        fd,
        events,
        cb,
        free,
        deleted: false,
    });
    LOOP.wake(&inner);
    watch
}

pub(crate) fn update_handle(watch: i32, events: i32) {
    let mut inner = LOOP.lock();
    let seq = inner.last_seq + 1;
    if let Some(h) = inner
        .handles
        .iter_mut()
        .find(|h| h.watch == watch && !h.deleted && h.events != events)
    {
        h.events = events;
        h.seq = seq;
        inner.last_seq = seq;
        LOOP.wake(&inner);
    }
}

pub(crate) fn remove_handle(watch: i32) -> i32 {
    let mut inner = LOOP.lock();
    match inner
        .handles
        .iter_mut()
        .find(|h| h.watch == watch && !h.deleted)
    {
        Some(h) => {
            h.deleted = true;
            LOOP.wake(&inner);
            0
        }
        None => -1,
    }
}

pub(crate) fn add_timeout(frequency: i32, cb: TimerFn, free: Option<FreeFn>) -> i32 {
    let _ = init();
    let now = LOOP.now();
    let mut inner = LOOP.lock();
    inner.last_timer += 1;
    let id = inner.last_timer;
    let seq = inner.next_seq();
    inner.timers.push(Timer {
        seq,
        id,
        frequency,
        expires: now + frequency.max(0) as u64,
        cb,
        free,
        deleted: false,
    });
    LOOP.wake(&inner);
    id
}

pub(crate) fn update_timeout(timer: i32, frequency: i32) {
    let now = LOOP.now();
    let mut inner = LOOP.lock();
    let seq = inner.last_seq + 1;
    if let Some(t) = inner
        .timers
        .iter_mut()
        .find(|t| t.id == timer && !t.deleted)
    {
        t.frequency = frequency;
        if frequency >= 0 {
            t.expires = now + frequency as u64;
            t.seq = seq;
            inner.last_seq = seq;
        }
        LOOP.wake(&inner);
    }
}

pub(crate) fn remove_timeout(timer: i32) -> i32 {
    let mut inner = LOOP.lock();
    match inner
        .timers
        .iter_mut()
        .find(|t| t.id == timer && !t.deleted)
    {
        Some(t) => {
            t.deleted = true;
            LOOP.wake(&inner);
            0
        }
        None => -1,
    }
}

/// Take out everything removed; their free functions are to be called with no lock held.
fn purge(inner: &mut Inner) -> Vec<FreeFn> {
    let mut frees = Vec::new();
    inner.handles.retain_mut(|h| {
        if h.deleted {
            frees.extend(h.free.take());
        }
        !h.deleted
    });
    inner.timers.retain_mut(|t| {
        if t.deleted {
            frees.extend(t.free.take());
        }
        !t.deleted
    });
    frees
}

/// Holds the turn to iterate; a panic unwinding through a callback still gives it back.
struct Turn {
    top: bool,
}

impl Turn {
    fn take() -> Turn {
        let depth = DEPTH.with(|d| d.get());
        if depth == 0 {
            let me = std::thread::current().id();
            let mut owner = LOOP.owner.lock().unwrap_or_else(|p| p.into_inner());
            while owner.is_some() {
                owner = LOOP.turn.wait(owner).unwrap_or_else(|p| p.into_inner());
            }
            *owner = Some(me);
        }
        DEPTH.with(|d| d.set(depth + 1));
        Turn { top: depth == 0 }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
        if self.top {
            *LOOP.owner.lock().unwrap_or_else(|p| p.into_inner()) = None;
            LOOP.turn.notify_one();
        }
    }
}

/// One iteration: wait until a watched descriptor is ready or a timer is due, then run the due
/// timers and the ready watches' callbacks.
pub(crate) fn run_once() -> Result<()> {
    init()?;
    let turn = Turn::take();
    // Only the outermost iteration drops removed entries (a callback may run a nested one).
    let top = turn.top;
    let wakeup = LOOP.wakeup.get().map(AsRawFd::as_raw_fd).unwrap_or(-1);

    let mut inner = LOOP.lock();
    let frees = if top { purge(&mut inner) } else { Vec::new() };
    let now = LOOP.now();
    let timeout = inner
        .timers
        .iter()
        .filter(|t| !t.deleted && t.frequency >= 0)
        .map(|t| t.expires.saturating_sub(now))
        .min()
        .map_or(-1, |ms| ms.min(i32::MAX as u64) as c_int);
    let mut fds = vec![libc::pollfd {
        fd: wakeup,
        events: libc::POLLIN,
        revents: 0,
    }];
    let mut watches = Vec::new();
    for h in inner.handles.iter().filter(|h| !h.deleted && h.events != 0) {
        fds.push(libc::pollfd {
            fd: h.fd,
            events: to_poll(h.events),
            revents: 0,
        });
        watches.push(h.watch);
    }
    inner.polling = true;
    drop(inner);
    for f in frees {
        f();
    }

    // SAFETY: `fds` is a live array of fds.len() pollfd structures.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
    let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);

    let mut inner = LOOP.lock();
    inner.polling = false;
    if r < 0 {
        drop(inner);
        if errno == libc::EINTR || errno == libc::EAGAIN {
            return Ok(());
        }
        return Err(Error::system(
            VIR_FROM_EVENT,
            errno,
            "Unable to poll on file handles",
        ));
    }
    if fds[0].revents != 0 {
        let mut buf = 0u64;
        // SAFETY: reads at most 8 bytes into a live u64 from our own non-blocking eventfd.
        unsafe { libc::read(wakeup, (&mut buf as *mut u64).cast(), 8) };
    }

    // What is ready, in source order; each runs unless removed or remade meanwhile.
    let now = LOOP.now();
    let mut ready: Vec<(u64, Ready)> = inner
        .timers
        .iter()
        .filter(|t| !t.deleted && t.frequency >= 0 && t.expires <= now)
        .map(|t| (t.seq, Ready::Timer(t.id)))
        .collect();
    for (k, watch) in watches.iter().enumerate() {
        let revents = fds[k + 1].revents;
        if revents == 0 {
            continue;
        }
        if let Some(h) = inner.handles.iter().find(|h| h.watch == *watch) {
            ready.push((h.seq, Ready::Watch(*watch, revents)));
        }
    }
    ready.sort_by_key(|r| r.0);
    for (seq, what) in ready {
        match what {
            Ready::Timer(id) => {
                let Some(t) = inner
                    .timers
                    .iter_mut()
                    .find(|t| t.id == id && t.seq == seq && !t.deleted && t.frequency >= 0)
                else {
                    continue;
                };
                t.expires = LOOP.now() + t.frequency as u64;
                let cb = t.cb.clone();
                drop(inner);
                cb(id);
            }
            Ready::Watch(watch, revents) => {
                let Some(h) = inner
                    .handles
                    .iter()
                    .find(|h| h.watch == watch && h.seq == seq && !h.deleted && h.events != 0)
                else {
                    continue;
                };
                let (fd, cb) = (h.fd, h.cb.clone());
                drop(inner);
                cb(watch, fd, from_poll(revents));
            }
        }
        inner = LOOP.lock();
    }

    let frees = if top { purge(&mut inner) } else { Vec::new() };
    drop(inner);
    for f in frees {
        f();
    }
    drop(turn);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_translation_round_trips() {
        for ev in 0..16 {
            assert_eq!(from_poll(to_poll(ev)), ev);
        }
        assert_eq!(
            from_poll(libc::POLLNVAL),
            EventHandleType::ERROR.bits() as i32
        );
        assert_eq!(to_poll(EventHandleType::ERROR.bits() as i32), libc::POLLERR);
    }
}
