//! The idle reader's view of a connection's socket: an epoll set holding it, armed only while no
//! call is in flight (the callers read for themselves then), as the reference stops watching its
//! socket in the event loop while a thread holds it. Arming and disarming cost one epoll_ctl and
//! wake nobody. The set itself is pollable: the application's event loop watches it (and so the
//! socket, only while armed) where one is registered, else the idle watcher thread waits on it.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

pub(super) struct Watch {
    epoll: OwnedFd,
    socket: RawFd,
}

impl Watch {
    /// Watch `socket` (armed). The socket must outlive the watch.
    pub(super) fn new(socket: RawFd) -> std::io::Result<Watch> {
        // SAFETY: epoll_create1 takes no pointers; a negative result is an error.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` is a new descriptor that nothing else owns.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        let watch = Watch { epoll, socket };
        watch.control(libc::EPOLL_CTL_ADD, libc::EPOLLIN as u32)?;
        Ok(watch)
    }

    /// The epoll descriptor: readable while the socket has data and the watch is armed (or the
    /// socket hung up).
    pub(super) fn fd(&self) -> RawFd {
        self.epoll.as_raw_fd()
    }

    /// Report the socket's data again (no call is in flight).
    pub(super) fn arm(&self) {
        let _ = self.control(libc::EPOLL_CTL_MOD, libc::EPOLLIN as u32);
    }

    /// Stop reporting the socket's data (a caller reads it).
    pub(super) fn disarm(&self) {
        let _ = self.control(libc::EPOLL_CTL_MOD, 0);
    }

    fn control(&self, op: libc::c_int, events: u32) -> std::io::Result<()> {
        let mut ev = libc::epoll_event { events, u64: 0 };
        // SAFETY: both descriptors are open (the socket outlives the watch); `ev` is a live
        // epoll_event for the duration of the call.
        let r = unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, self.socket, &mut ev) };
        if r < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Whether the socket has data (or ended) within `timeout`.
    pub(super) fn wait(&self, timeout: Duration) -> bool {
        let mut ev = libc::epoll_event { events: 0, u64: 0 };
        let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: room for one event in `ev`, which lives for the duration of the call.
        let r = unsafe { libc::epoll_wait(self.epoll.as_raw_fd(), &mut ev, 1, ms) };
        r > 0
    }
}

/// Whether `fd` has data (or ended) right now.
pub(super) fn readable_now(fd: RawFd) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one live pollfd for an open descriptor; a zero timeout.
    let r = unsafe { libc::poll(&mut pfd, 1, 0) };
    r > 0
}
