//! A guest's state: its running qemu (process, monitor), its definition and state, and the job
//! that serialises the calls talking to its monitor.

use super::*;
use crate::domain::StateReason;
use crate::process::cpu_clock::CpuClock;
use std::sync::atomic::AtomicU64;

/// A running qemu: the process (through its pidfd), its monitor, and who is stopping it.
pub struct Running {
    pub pidfd: Pidfd,
    pub pid: i32,
    pub start_time: u64,
    pub id: i32,
    pub(super) monitor: Mutex<Option<Arc<Monitor>>>,
    pub(super) monitor_path: PathBuf,
    pub(super) watch: Mutex<Option<WatchHandle>>,
    /// Destroys in progress: while any runs, an exit is theirs to report, not the watcher's.
    pub(super) destroying: AtomicUsize,
    /// qemu said the guest asked to power off.
    pub(super) guest_shutdown: AtomicBool,
    /// The stop (state, files, event) has been done, by whoever came first.
    pub(super) stopped: AtomicBool,
    /// Its CPU time, as virDomainGetInfo reads it on every call.
    pub(super) cpu: CpuTime,
}

/// A guest process's CPU time: its CPU clock (one system call a reading, no /proc file), and the
/// latest reading, given again once the process has exited, when its pid may name another.
pub(super) struct CpuTime {
    clock: Option<CpuClock>,
    latest_ns: AtomicU64,
}

impl CpuTime {
    pub(super) fn of_process(pid: i32) -> CpuTime {
        CpuTime {
            clock: CpuClock::of_process(pid),
            latest_ns: AtomicU64::new(0),
        }
    }
}

impl Running {
    /// The CPU time qemu has used, in nanoseconds: never less than an earlier answer; the
    /// latest one once qemu has exited.
    pub(super) fn cpu_time_ns(&self) -> u64 {
        let reading = match self.cpu.clock {
            Some(clock) => clock.read_ns(),
            None => process::proc_stat::cpu_time_ns(self.pid).ok(),
        };
        // The reading was qemu's if qemu had not exited when it was taken: the pid of a process
        // that has not exited is not reused, and the pidfd tells which process it was.
        if self.pidfd.has_exited().unwrap_or(true) {
            return self.cpu.latest_ns.load(Ordering::Relaxed);
        }
        match reading {
            Some(ns) => self.cpu.latest_ns.fetch_max(ns, Ordering::Relaxed).max(ns),
            None => self.cpu.latest_ns.load(Ordering::Relaxed),
        }
    }

    pub(super) fn monitor(&self) -> Option<Arc<Monitor>> {
        self.monitor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

pub(super) struct VmInner {
    /// The live definition while running, else the persistent one.
    pub(super) def: DomainDef,
    /// The persistent definition that takes over when the running guest stops (the reference's
    /// newDef): a define while running, or the one a create with new XML set aside.
    pub(super) next_def: Option<DomainDef>,
    pub(super) persistent: bool,
    pub(super) state: StateReason,
    pub(super) id: i32,
    pub(super) run: Option<Arc<Running>>,
    /// The connection that started it with VIR_DOMAIN_START_AUTODESTROY.
    pub(super) autodestroy: Option<u64>,
    pub(super) removed: bool,
}

/// The domain's job: one call at a time starts the guest or talks to its monitor. A caller waits
/// for it at most the job timeout, then fails as the reference's `virDomainObjBeginJob` does.
#[derive(Default)]
pub(super) struct Job {
    pub(super) busy: Mutex<bool>,
    pub(super) cv: Condvar,
}

/// Holding the job; dropping it hands the job to the next waiter.
pub(super) struct JobGuard<'a>(&'a Job);

impl Job {
    pub(super) fn begin(&self, timeout: Duration) -> Result<JobGuard<'_>> {
        let deadline = std::time::Instant::now() + timeout;
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while *busy {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(job_timeout());
            }
            busy = self
                .cv
                .wait_timeout(busy, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        *busy = true;
        Ok(JobGuard(self))
    }
}

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        *self.0.busy.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.0.cv.notify_one();
    }
}

/// The reference's words when the job wait is over. Its "(held by monitor=API)" part names the
/// holder's API only for calls a daemon dispatched; an embedded driver's callers have none, so
/// the reference (measured) and we say no more.
fn job_timeout() -> Error {
    Error::with(
        crate::error::VIR_ERR_OPERATION_TIMEOUT,
        VIR_FROM_NONE,
        "cannot acquire state change lock",
    )
}

/// One domain. `inner` is held only briefly, never across a wait; `job` serialises the calls that
/// talk to the monitor; destroy does not wait for `job` before it kills (it pre-empts the job,
/// whose monitor call then fails as the monitor closes).
pub struct Vm {
    pub uuid: [u8; 16],
    pub(super) inner: Mutex<VmInner>,
    pub(super) job: Job,
    /// The object lock `qemuDomainObjFromDomain` takes and `virDomainObjEndAPI` releases.
    pub(super) api_locked: Mutex<bool>,
    pub(super) api_cv: Condvar,
    /// virDomainFDAssociate's descriptor groups by name (fd_groups.rs).
    pub(super) fd_groups: Mutex<fd_groups::FdGroups>,
}

impl Vm {
    pub(super) fn lock(&self) -> MutexGuard<'_, VmInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn domain_ref(&self) -> DomainRef {
        let i = self.lock();
        DomainRef {
            name: i.def.name.clone(),
            uuid: self.uuid,
            id: i.id,
        }
    }

    pub fn is_active(&self) -> bool {
        self.lock().run.is_some()
    }

    pub fn running(&self) -> Option<Arc<Running>> {
        self.lock().run.clone()
    }

    pub fn name(&self) -> String {
        self.lock().def.name.clone()
    }

    /// Block until this caller holds the object lock (C harness API).
    pub fn api_lock(&self) {
        let mut locked = self.api_locked.lock().unwrap_or_else(|p| p.into_inner());
        while *locked {
            locked = self.api_cv.wait(locked).unwrap_or_else(|p| p.into_inner());
        }
        *locked = true;
    }

    pub fn api_unlock(&self) {
        *self.api_locked.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.api_cv.notify_one();
    }
}
