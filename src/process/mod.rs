//! The process layer of the qemu driver (Linux >= 5.10): spawning with an atomically
//! obtained pidfd, signalling and waiting through pidfds, PID-reuse-safe re-attachment,
//! one exit-watcher thread, and libvirt's kill engine.
//!
//! Unsafe code is confined to small, commented system-call wrappers.

pub mod cpu_clock;
pub mod fdpass;
pub mod kill;
pub mod pidfd;
pub mod proc_stat;
pub mod spawn;
pub mod watcher;

pub use kill::{kill, strerror, KillError, KillFlags, KillTimeouts, Signal};
pub use pidfd::{is_pid_reused, pid_reused_details, ExitStatus, PidReused, Pidfd};
pub use proc_stat::{read_stat, start_time, ProcStat};
pub use spawn::{Child, Command};
pub use watcher::{ExitCallback, ExitInfo, WatchHandle, WatchToken, Watcher};

#[cfg(test)]
mod tests;
