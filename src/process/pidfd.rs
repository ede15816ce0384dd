//! Process file descriptors (`pidfd_open(2)`): a handle on one process that can never be
//! confused with a later process that happens to get the same PID.
//!
//! Signals go through `pidfd_send_signal(2)`, exit is noticed by `poll(2)` on the pidfd
//! (the kernel makes it readable once the process has exited, zombie or not) and our own
//! children are reaped with `waitid(P_PIDFD, ...)`.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use super::proc_stat;

/// `idtype_t` value selecting a pidfd in `waitid(2)` (Linux >= 5.4).
const P_PIDFD: libc::idtype_t = 3;

/// How a reaped child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// Normal exit with this exit code (`_exit(code)`).
    Exited(i32),
    /// Killed by `signal`; `core_dumped` if it left a core.
    Signaled { signal: i32, core_dumped: bool },
}

impl ExitStatus {
    /// True for `Exited(0)`.
    pub fn success(&self) -> bool {
        matches!(self, ExitStatus::Exited(0))
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Exited(code) => write!(f, "exit status {code}"),
            ExitStatus::Signaled {
                signal,
                core_dumped,
            } => {
                write!(f, "killed by signal {signal}")?;
                if *core_dumped {
                    f.write_str(" (core dumped)")?;
                }
                Ok(())
            }
        }
    }
}

/// The `SIGCHLD` flavour of `siginfo_t` as the kernel fills it for `waitid(2)` on x86-64 /
/// any 64-bit Linux ABI (128 bytes). Declared here so that no union field of the libc crate
/// has to be read.
#[repr(C, align(8))]
struct ChldInfo {
    si_signo: libc::c_int,
    si_errno: libc::c_int,
    si_code: libc::c_int,
    _pad0: libc::c_int,
    si_pid: libc::pid_t,
    si_uid: libc::uid_t,
    si_status: libc::c_int,
    _rest: [u8; 100],
}

const _: () = assert!(std::mem::size_of::<ChldInfo>() == 128);
const _: () = assert!(std::mem::size_of::<libc::siginfo_t>() == 128);

/// An open pidfd together with the PID it was opened for.
#[derive(Debug)]
pub struct Pidfd {
    fd: OwnedFd,
    pid: libc::pid_t,
}

/// Error payload used (wrapped in an [`io::Error`] of kind `Other`) when a PID now belongs
/// to a different process than the one expected. Test for it with [`is_pid_reused`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PidReused {
    pub pid: libc::pid_t,
    pub expected_start_time: u64,
    pub actual_start_time: u64,
}

impl fmt::Display for PidReused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PID {} now belongs to another process (start time {}, expected {})",
            self.pid, self.actual_start_time, self.expected_start_time
        )
    }
}

impl std::error::Error for PidReused {}

/// True when `err` came from [`Pidfd::open_verified`] finding that the PID was reused.
pub fn is_pid_reused(err: &io::Error) -> bool {
    err.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<PidReused>().is_some())
}

/// The [`PidReused`] details inside `err`, if any.
pub fn pid_reused_details(err: &io::Error) -> Option<PidReused> {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<PidReused>())
        .copied()
}

fn check_pid(pid: libc::pid_t) -> io::Result<()> {
    if pid <= 0 {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    Ok(())
}

/// Milliseconds for `poll(2)`, rounded up so that a short positive wait never becomes 0.
fn poll_millis(d: Duration) -> libc::c_int {
    let ms = d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 != 0);
    libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
}

impl Pidfd {
    /// Opens a pidfd (close-on-exec) for `pid` with `pidfd_open(2)`.
    ///
    /// Fails with `ESRCH` when no such process exists. A zombie can be opened (and is
    /// reported as exited by [`Pidfd::wait_exit`]). Note that a bare PID may already have
    /// been recycled: use [`Pidfd::open_verified`] when the process's start time is known.
    pub fn open(pid: libc::pid_t) -> io::Result<Pidfd> {
        check_pid(pid)?;
        // SAFETY: pidfd_open takes a pid and flags by value and touches no memory of ours.
        let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0 as libc::c_uint) };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        let raw = RawFd::try_from(ret).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        // SAFETY: the kernel just returned this descriptor to us and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(Pidfd { fd, pid })
    }

    /// Opens a pidfd for `pid` and checks that the process is the one that started at
    /// `expected_start_time` (field 22 of `/proc/<pid>/stat`, see [`proc_stat::start_time`]).
    ///
    /// The pidfd is opened first, so it pins whichever process owned the PID at that moment;
    /// the start time is read afterwards. Errors:
    /// * the start time differs: an `io::Error` carrying [`PidReused`] (test with
    ///   [`is_pid_reused`]); the process is never signalled;
    /// * the process no longer exists, or has already exited (zombie): `ESRCH`.
    pub fn open_verified(pid: libc::pid_t, expected_start_time: u64) -> io::Result<Pidfd> {
        let pidfd = Pidfd::open(pid)?;
        let actual = match proc_stat::start_time(pid) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(io::Error::from_raw_os_error(libc::ESRCH))
            }
            Err(e) => return Err(e),
        };
        if actual != expected_start_time {
            return Err(io::Error::other(PidReused {
                pid,
                expected_start_time,
                actual_start_time: actual,
            }));
        }
        if pidfd.has_exited()? {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        Ok(pidfd)
    }

    /// Wraps an already-open pidfd for `pid` (e.g. one returned by `clone3(CLONE_PIDFD)`).
    pub(crate) fn from_owned(fd: OwnedFd, pid: libc::pid_t) -> Pidfd {
        Pidfd { fd, pid }
    }

    /// The PID this pidfd was opened for.
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// Duplicates the descriptor (close-on-exec); both refer to the same process.
    pub fn try_clone(&self) -> io::Result<Pidfd> {
        Ok(Pidfd {
            fd: self.fd.try_clone()?,
            pid: self.pid,
        })
    }

    /// Sends `sig` (0 only checks that the process can be signalled) with
    /// `pidfd_send_signal(2)`. `ESRCH` means the process is gone (reaped); a zombie accepts
    /// (and ignores) signals.
    pub fn send_signal(&self, sig: libc::c_int) -> io::Result<()> {
        // SAFETY: the fd is a valid pidfd owned by self; a null siginfo pointer asks the kernel
        // to fill in the default SI_USER info, so no memory of ours is read or written.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                sig,
                std::ptr::null::<libc::siginfo_t>(),
                0 as libc::c_uint,
            )
        };
        if ret < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// True if the process has already exited (including as an unreaped zombie).
    pub fn has_exited(&self) -> io::Result<bool> {
        // One poll that does not wait, with no deadline to compute: virDomainGetInfo asks on
        // every call.
        loop {
            if let Some(exited) = self.poll_exit(0)? {
                return Ok(exited);
            }
        }
    }

    /// Blocks in `poll(2)` until the process exits or `timeout` elapses (`None`: no limit).
    /// Returns true once it has exited (a zombie counts as exited), false on timeout.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            let millis = match (timeout, deadline) {
                (None, _) => -1,
                // A timeout too large to represent: wait in maximal slices.
                (Some(_), None) => libc::c_int::MAX,
                (Some(_), Some(d)) => poll_millis(d.saturating_duration_since(Instant::now())),
            };
            if self.poll_exit(millis)? == Some(true) {
                return Ok(true);
            }
            // Timed out (or interrupted): stop once the deadline has passed.
            if timeout == Some(Duration::ZERO) || deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
        }
    }

    /// One `poll(2)` of up to `millis` ms: `Some(true)` once the process has exited,
    /// `Some(false)` if it had not by then, `None` if a signal interrupted the wait.
    fn poll_exit(&self, millis: libc::c_int) -> io::Result<Option<bool>> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: pfd is a valid, exclusively borrowed pollfd array of length 1.
        let ret = unsafe { libc::poll(&mut pfd, 1, millis) };
        if ret < 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EINTR) {
                return Ok(None);
            }
            return Err(err);
        }
        if ret > 0 && pfd.revents & libc::POLLNVAL != 0 {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        // POLLIN (exited) or POLLHUP/POLLERR (reaped on newer kernels): gone.
        Ok(Some(ret > 0))
    }

    /// Reaps the process if it is our child and has exited: `waitid(P_PIDFD, WEXITED|WNOHANG)`.
    ///
    /// Returns `Ok(Some(status))` when it was reaped now, `Ok(None)` when it has not exited
    /// yet, is not our child, or was already reaped (by someone else, e.g. the watcher:
    /// `ECHILD` is deliberately not an error).
    pub fn try_reap(&self) -> io::Result<Option<ExitStatus>> {
        self.waitid(libc::WEXITED | libc::WNOHANG)
    }

    /// Blocks until our child exits, then reaps it. `Ok(None)` if it is not our child or has
    /// already been reaped elsewhere.
    pub fn reap(&self) -> io::Result<Option<ExitStatus>> {
        self.waitid(libc::WEXITED)
    }

    fn waitid(&self, options: libc::c_int) -> io::Result<Option<ExitStatus>> {
        loop {
            let mut info = ChldInfo {
                si_signo: 0,
                si_errno: 0,
                si_code: 0,
                _pad0: 0,
                si_pid: 0,
                si_uid: 0,
                si_status: 0,
                _rest: [0; 100],
            };
            let id = libc::id_t::try_from(self.fd.as_raw_fd())
                .map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
            // SAFETY: info is a zeroed, writable 128-byte buffer with siginfo_t's size and
            // alignment, which is all waitid writes; the fd is a valid pidfd owned by self.
            let ret = unsafe {
                libc::waitid(
                    P_PIDFD,
                    id,
                    (&mut info as *mut ChldInfo).cast::<libc::siginfo_t>(),
                    options,
                )
            };
            if ret < 0 {
                let err = io::Error::last_os_error();
                match err.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::ECHILD) => return Ok(None),
                    _ => return Err(err),
                }
            }
            if info.si_pid == 0 {
                return Ok(None);
            }
            let status = match info.si_code {
                libc::CLD_EXITED => ExitStatus::Exited(info.si_status),
                libc::CLD_DUMPED => ExitStatus::Signaled {
                    signal: info.si_status,
                    core_dumped: true,
                },
                _ => ExitStatus::Signaled {
                    signal: info.si_status,
                    core_dumped: false,
                },
            };
            return Ok(Some(status));
        }
    }
}

impl AsFd for Pidfd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Pidfd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl From<Pidfd> for OwnedFd {
    fn from(p: Pidfd) -> OwnedFd {
        p.fd
    }
}
