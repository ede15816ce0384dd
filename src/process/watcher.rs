//! One background thread noticing process exits at once.
//!
//! Every registered pidfd (a duplicate of the caller's) sits in one epoll set, together
//! with an eventfd used to wake the thread for shutdown. (Registrations themselves need no
//! wake-up: `epoll_ctl` from another thread takes effect on a blocked `epoll_wait`.) When a
//! pidfd becomes readable the thread removes the registration, reaps the process if it is
//! our child, records the [`ExitInfo`] in the registration's [`WatchHandle`] and calls the
//! callback exactly once, on the watcher thread.
//!
//! Callbacks must be quick (they delay every other notification: the qemu driver's only hands
//! the exit to a thread of its own, where the guest's stop runs) and must not wait for
//! [`Watcher::unregister`] of their own token to return on another thread (that thread waits
//! for the callback). A panicking callback is caught; the watcher keeps running.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::{JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use super::pidfd::{ExitStatus, Pidfd};

/// What the watcher learnt about an exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    pub pid: i32,
    /// The status if the watcher reaped the process; `None` if it is not our child or
    /// somebody else reaped it first.
    pub status: Option<ExitStatus>,
}

/// Callback run once on the watcher thread when the process exits.
pub type ExitCallback = Box<dyn FnOnce(ExitInfo) + Send + 'static>;

/// Identifies one registration; never reused within a [`Watcher`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WatchToken(u64);

impl WatchToken {
    /// The numeric value (unique within its watcher).
    pub fn get(self) -> u64 {
        self.0
    }
}

/// epoll token of the eventfd; registration tokens start at 1.
const WAKE: u64 = 0;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
struct Slot {
    info: Mutex<Option<ExitInfo>>,
    cv: Condvar,
}

/// Returned by [`Watcher::register`]: the token, and the place where the watcher records the
/// exit status it reaped, so that a waiter that finds the child already reaped (`ECHILD`,
/// i.e. [`Pidfd::try_reap`] returning `None`) can still learn how it ended.
#[derive(Clone)]
pub struct WatchHandle {
    token: WatchToken,
    slot: Arc<Slot>,
}

impl std::fmt::Debug for WatchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchHandle")
            .field("token", &self.token)
            .field("exit_info", &self.exit_info())
            .finish()
    }
}

impl WatchHandle {
    /// The token to pass to [`Watcher::unregister`].
    pub fn token(&self) -> WatchToken {
        self.token
    }

    /// The exit information, once the watcher has handled the exit (it is recorded before
    /// the callback is called).
    pub fn exit_info(&self) -> Option<ExitInfo> {
        *lock(&self.slot.info)
    }

    /// Waits up to `timeout` (`None`: forever) for the watcher to handle the exit. Returns
    /// `None` on timeout, or if the registration was cancelled or the watcher shut down
    /// before the exit (in which case it waits the full timeout).
    pub fn wait(&self, timeout: Option<Duration>) -> Option<ExitInfo> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut info = lock(&self.slot.info);
        loop {
            if let Some(i) = *info {
                return Some(i);
            }
            info = match (timeout, deadline) {
                (Some(_), Some(d)) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.slot
                        .cv
                        .wait_timeout(info, left)
                        .map(|(g, _)| g)
                        .unwrap_or_else(|e| e.into_inner().0)
                }
                _ => self.slot.cv.wait(info).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

struct Entry {
    pidfd: Pidfd,
    callback: ExitCallback,
    slot: Arc<Slot>,
}

#[derive(Default)]
struct State {
    entries: HashMap<u64, Entry>,
    /// Token whose callback is running right now on the watcher thread.
    delivering: Option<u64>,
    shutdown: bool,
}

struct Inner {
    epoll: OwnedFd,
    wake: OwnedFd,
    state: Mutex<State>,
    /// Signalled whenever a delivery completes.
    delivered: Condvar,
    next_token: AtomicU64,
    thread: OnceLock<ThreadId>,
}

/// The exit watcher: one thread, one epoll set. Dropping it stops the thread; pending
/// callbacks are then dropped without being called.
pub struct Watcher {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("registered", &lock(&self.inner.state).entries.len())
            .finish()
    }
}

fn epoll_ctl(epoll: &OwnedFd, op: libc::c_int, fd: libc::c_int, token: u64) -> io::Result<()> {
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: token,
    };
    // SAFETY: ev is a valid epoll_event (ignored for EPOLL_CTL_DEL); both fds are open.
    let ret = unsafe { libc::epoll_ctl(epoll.as_raw_fd(), op, fd, &mut ev) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl Inner {
    fn on_watcher_thread(&self) -> bool {
        self.thread.get() == Some(&std::thread::current().id())
    }

    fn wake(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our eventfd.
        unsafe {
            libc::write(
                self.wake.as_raw_fd(),
                (&one as *const u64).cast(),
                std::mem::size_of::<u64>(),
            );
        }
    }

    fn drain_wake(&self) {
        let mut buf: u64 = 0;
        // SAFETY: reads at most 8 bytes into a valid u64 from our non-blocking eventfd.
        unsafe {
            libc::read(
                self.wake.as_raw_fd(),
                (&mut buf as *mut u64).cast(),
                std::mem::size_of::<u64>(),
            );
        }
    }

    /// Runs the watcher loop until shutdown.
    fn run(&self) {
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 32];
        loop {
            // SAFETY: events is a writable array of the length passed.
            let n = unsafe {
                libc::epoll_wait(
                    self.epoll.as_raw_fd(),
                    events.as_mut_ptr(),
                    events.len() as libc::c_int,
                    -1,
                )
            };
            if n < 0 {
                if io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                // Cannot happen with a valid epoll fd; avoid spinning if it ever does.
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            let n = usize::try_from(n).unwrap_or(0);
            for ev in events.iter().take(n) {
                let token = ev.u64;
                if token == WAKE {
                    self.drain_wake();
                    if lock(&self.state).shutdown {
                        return;
                    }
                } else {
                    self.deliver(token);
                }
            }
        }
    }

    fn deliver(&self, token: u64) {
        let entry = {
            let mut st = lock(&self.state);
            if st.shutdown {
                return;
            }
            // Missing: unregistered (or delivered) after epoll_wait returned.
            let Some(entry) = st.entries.remove(&token) else {
                return;
            };
            let _ = epoll_ctl(
                &self.epoll,
                libc::EPOLL_CTL_DEL,
                entry.pidfd.as_raw_fd(),
                token,
            );
            st.delivering = Some(token);
            entry
        };
        let Entry {
            pidfd,
            callback,
            slot,
        } = entry;
        let status = pidfd.try_reap().ok().flatten();
        let info = ExitInfo {
            pid: pidfd.pid(),
            status,
        };
        drop(pidfd);
        crate::vir_debug!(
            "util.process",
            "virProcessWatcherExit",
            line!(),
            "pid={} exited status={:?} seen at {:?}",
            info.pid,
            info.status,
            std::time::SystemTime::now()
        );
        *lock(&slot.info) = Some(info);
        slot.cv.notify_all();
        let _ = catch_unwind(AssertUnwindSafe(move || callback(info)));
        lock(&self.state).delivering = None;
        self.delivered.notify_all();
    }
}

impl Watcher {
    /// Starts a watcher thread.
    pub fn new() -> io::Result<Watcher> {
        // SAFETY: epoll_create1 takes flags by value.
        let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if ep < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor just returned by the kernel, owned by nobody else.
        let epoll = unsafe { OwnedFd::from_raw_fd(ep) };
        // SAFETY: eventfd takes its arguments by value.
        let ev = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if ev < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor just returned by the kernel, owned by nobody else.
        let wake = unsafe { OwnedFd::from_raw_fd(ev) };
        epoll_ctl(&epoll, libc::EPOLL_CTL_ADD, wake.as_raw_fd(), WAKE)?;
        let inner = Arc::new(Inner {
            epoll,
            wake,
            state: Mutex::new(State::default()),
            delivered: Condvar::new(),
            next_token: AtomicU64::new(WAKE + 1),
            thread: OnceLock::new(),
        });
        let for_thread = Arc::clone(&inner);
        let thread = std::thread::Builder::new()
            .name("oxvirt-pidwatch".into())
            .spawn(move || for_thread.run())?;
        let _ = inner.thread.set(thread.thread().id());
        Ok(Watcher {
            inner,
            thread: Some(thread),
        })
    }

    /// The process-wide watcher, started on first use and never stopped.
    pub fn global() -> io::Result<&'static Watcher> {
        static GLOBAL: OnceLock<Watcher> = OnceLock::new();
        if let Some(w) = GLOBAL.get() {
            return Ok(w);
        }
        let w = Watcher::new()?;
        // If another thread won the race, our extra watcher is dropped (its thread joined).
        let _ = GLOBAL.set(w);
        GLOBAL
            .get()
            .ok_or_else(|| io::Error::other("watcher not initialised"))
    }

    /// Watches the process behind `pidfd` (the watcher keeps its own duplicate). When it
    /// exits, the watcher reaps it if it is our child, records the [`ExitInfo`] in the
    /// returned handle and then calls `callback` once, on the watcher thread. A process that
    /// has already exited is reported right away.
    pub fn register(&self, pidfd: &Pidfd, callback: ExitCallback) -> io::Result<WatchHandle> {
        let dup = pidfd.try_clone()?;
        let token = self.inner.next_token.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot::default());
        let mut st = lock(&self.inner.state);
        if st.shutdown {
            return Err(io::Error::other("process watcher is shut down"));
        }
        epoll_ctl(
            &self.inner.epoll,
            libc::EPOLL_CTL_ADD,
            dup.as_raw_fd(),
            token,
        )?;
        st.entries.insert(
            token,
            Entry {
                pidfd: dup,
                callback,
                slot: Arc::clone(&slot),
            },
        );
        Ok(WatchHandle {
            token: WatchToken(token),
            slot,
        })
    }

    /// Cancels a registration.
    ///
    /// Returns true if it was still pending: the callback is dropped and will never be
    /// called. Returns false if there was nothing to cancel: the callback has already been
    /// called and has completed by the time this returns (this waits for a callback that is
    /// running on the watcher thread right now), or the token is unknown. Called from inside
    /// a callback (on the watcher thread) it does not wait, so that a callback may
    /// unregister itself.
    pub fn unregister(&self, token: WatchToken) -> bool {
        let mut st = lock(&self.inner.state);
        if let Some(entry) = st.entries.remove(&token.0) {
            let _ = epoll_ctl(
                &self.inner.epoll,
                libc::EPOLL_CTL_DEL,
                entry.pidfd.as_raw_fd(),
                token.0,
            );
            drop(st);
            // The callback (and whatever it captured) is dropped outside the lock.
            drop(entry);
            return true;
        }
        if self.inner.on_watcher_thread() {
            return false;
        }
        while st.delivering == Some(token.0) {
            st = self
                .inner
                .delivered
                .wait(st)
                .unwrap_or_else(|e| e.into_inner());
        }
        false
    }

    /// Number of pending registrations.
    pub fn pending(&self) -> usize {
        lock(&self.inner.state).entries.len()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let entries: Vec<Entry> = {
            let mut st = lock(&self.inner.state);
            st.shutdown = true;
            let entries: Vec<Entry> = st.entries.drain().map(|(_, e)| e).collect();
            for e in &entries {
                let _ = epoll_ctl(
                    &self.inner.epoll,
                    libc::EPOLL_CTL_DEL,
                    e.pidfd.as_raw_fd(),
                    0,
                );
            }
            entries
        };
        self.inner.wake();
        if let Some(t) = self.thread.take() {
            if !self.inner.on_watcher_thread() {
                let _ = t.join();
            }
        }
        drop(entries);
    }
}
