//! The kill engine: libvirt's `qemuProcessKill` / `virProcessKillPainfully` semantics, but
//! signalling through a pidfd (never a recycled PID) and waiting for the kernel's exit
//! notification instead of polling with `kill(pid, 0)`.

use std::fmt;
use std::time::Duration;

use super::pidfd::Pidfd;
pub use crate::error::strerror;

/// How to kill (libvirt's `VIR_QEMU_PROCESS_KILL_FORCE` / `_NOWAIT`; `_NOCHECK` is the
/// driver's business).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KillFlags {
    /// Escalate to SIGKILL (with NOWAIT: send SIGKILL right away).
    pub force: bool,
    /// Send one signal and return without waiting.
    pub nowait: bool,
}

/// Waiting times of the kill engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KillTimeouts {
    /// Without force: how long to wait after SIGTERM before giving up (15 s).
    pub graceful: Duration,
    /// With force: how long to wait after SIGTERM before sending SIGKILL (10 s).
    pub grace_before_sigkill: Duration,
    /// With force: how long to wait after SIGKILL before giving up (30 s).
    pub after_sigkill: Duration,
    /// Added to `graceful` / `grace_before_sigkill` for each assigned host device (2 s).
    pub per_hostdev: Duration,
}

impl Default for KillTimeouts {
    fn default() -> Self {
        KillTimeouts {
            graceful: Duration::from_secs(15),
            grace_before_sigkill: Duration::from_secs(10),
            after_sigkill: Duration::from_secs(30),
            per_hostdev: Duration::from_secs(2),
        }
    }
}

/// The signals the kill engine sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    Term,
    Kill,
}

impl Signal {
    /// `"SIGTERM"` or `"SIGKILL"`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Kill => "SIGKILL",
        }
    }

    /// The signal number.
    pub fn number(self) -> libc::c_int {
        match self {
            Signal::Term => libc::SIGTERM,
            Signal::Kill => libc::SIGKILL,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why [`kill`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillError {
    /// The process was still there when the last wait (after `signal`) ran out.
    Timeout { pid: i32, signal: Signal },
    /// Sending `signal` (or waiting after it) failed with `errno`.
    Signal {
        pid: i32,
        signal: Signal,
        errno: i32,
    },
}

impl KillError {
    /// The errno libvirt reports: `EBUSY` for a timeout, else the signalling error.
    pub fn errno(&self) -> i32 {
        match self {
            KillError::Timeout { .. } => libc::EBUSY,
            KillError::Signal { errno, .. } => *errno,
        }
    }

    /// PID of the process that could not be killed.
    pub fn pid(&self) -> i32 {
        match self {
            KillError::Timeout { pid, .. } | KillError::Signal { pid, .. } => *pid,
        }
    }

    /// The last signal sent (or attempted).
    pub fn signal(&self) -> Signal {
        match self {
            KillError::Timeout { signal, .. } | KillError::Signal { signal, .. } => *signal,
        }
    }

    /// libvirt's message: `Failed to terminate process <pid> with <SIG>: <strerror>`.
    pub fn message(&self) -> String {
        format!(
            "Failed to terminate process {} with {}: {}",
            self.pid(),
            self.signal().name(),
            strerror(self.errno())
        )
    }
}

impl fmt::Display for KillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for KillError {}

/// Sends `signal`; `Ok(true)` if the process is already gone (ESRCH).
fn send(p: &Pidfd, signal: Signal) -> Result<bool, KillError> {
    crate::vir_debug!(
        "util.process",
        "virProcessKill",
        line!(),
        "pid={} signal={}",
        p.pid(),
        signal.name()
    );
    match p.send_signal(signal.number()) {
        Ok(()) => Ok(false),
        Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(true),
        Err(e) => Err(KillError::Signal {
            pid: p.pid(),
            signal,
            errno: e.raw_os_error().unwrap_or(libc::EIO),
        }),
    }
}

/// Waits up to `timeout` for the exit; `Ok(true)` once exited.
fn wait(p: &Pidfd, signal: Signal, timeout: Duration) -> Result<bool, KillError> {
    p.wait_exit(Some(timeout)).map_err(|e| KillError::Signal {
        pid: p.pid(),
        signal,
        errno: e.raw_os_error().unwrap_or(libc::EIO),
    })
}

/// Kills the process behind `p` (libvirt's `qemuProcessKill`).
///
/// * `nowait`: send SIGKILL if `force` else SIGTERM, once, and return `Ok` (a process that
///   is already gone is fine).
/// * otherwise SIGTERM right away (already gone: `Ok`), then wait for the exit:
///   - without `force`, up to `graceful + hostdevs * per_hostdev`, then
///     `Err(Timeout { signal: SIGTERM })`;
///   - with `force`, up to `grace_before_sigkill + hostdevs * per_hostdev`, then SIGKILL and
///     up to `after_sigkill` more, then `Err(Timeout { signal: SIGKILL })`.
///
/// A process that has exited but is not yet reaped (zombie) counts as gone. Reaping is the
/// caller's (or the watcher's) job.
pub fn kill(p: &Pidfd, flags: KillFlags, t: &KillTimeouts, hostdevs: u32) -> Result<(), KillError> {
    if flags.nowait {
        let signal = if flags.force {
            Signal::Kill
        } else {
            Signal::Term
        };
        send(p, signal)?;
        return Ok(());
    }

    if send(p, Signal::Term)? {
        return Ok(());
    }
    let extra = t.per_hostdev.saturating_mul(hostdevs);
    if !flags.force {
        if wait(p, Signal::Term, t.graceful.saturating_add(extra))? {
            return Ok(());
        }
        return Err(KillError::Timeout {
            pid: p.pid(),
            signal: Signal::Term,
        });
    }

    if wait(
        p,
        Signal::Term,
        t.grace_before_sigkill.saturating_add(extra),
    )? {
        return Ok(());
    }
    if send(p, Signal::Kill)? {
        return Ok(());
    }
    if wait(p, Signal::Kill, t.after_sigkill)? {
        return Ok(());
    }
    Err(KillError::Timeout {
        pid: p.pid(),
        signal: Signal::Kill,
    })
}
