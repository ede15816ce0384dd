//! The qemu driver: `qemu:///embed?root=DIR` and `qemu:///session`. Domains are real qemu
//! processes, spawned with a pidfd, watched by the kernel's exit notification, controlled over QMP
//! and killed by the kill engine (`crate::process::kill`). All state lives under the root; a
//! process opening the same root finds the guests another one started (reconnect).
//!
//! Here: the driver, its roots and its domain table. Its parts: `vm` (a guest's state and job),
//! `start`, `stop` (destroy and the stop after any exit), `reconnect`, `events` (qemu's own),
//! `families` (the API entries it serves), `harness` (qemuProcessKill), and `command`, `config`,
//! `layout`, `qmp`, `status` (command line, qemu.conf, paths, monitor client, status files).

mod all_stats;
mod blockjobs;
mod capabilities;
pub mod command;
pub mod config;
mod control;
mod cpu_x86;
mod disks;
mod domain_caps;
mod events;
mod families;
mod fd_groups;
mod graphics_fd;
mod guest_events;
mod harness;
mod host;
mod host_cpu;
mod host_model;
mod hotplug;
pub mod layout;
mod metadata;
mod passthrough;
pub mod qmp;
mod reconnect;
mod save;
mod secrets;
mod start;
mod stats;
pub mod status;
mod stdio_probe;
mod stop;
mod vcpus;
mod vm;

use crate::api::{
    ConnectListAllDomainsFlags, DomainCreateFlags, DomainDefineFlags, DomainDestroyFlags,
    DomainPausedReason, DomainRebootFlags, DomainRunningReason, DomainShutdownFlags,
    DomainShutoffReason, DomainState, DomainUndefineFlags, DomainXMLFlags, NoFlags,
};
use crate::domain::StateReason;
use crate::domain::{self, DomainDef, DomainInfo, DomainRef};
use crate::driver::{
    Caller, ConnectDriver, DomainDriver, DomainEventDriver, Driver, HarnessGuest, InterfaceDriver,
    NetworkDriver, NetworkEventDriver, NodeDeviceDriver, NodeDriver, NwFilterDriver,
    ProcessKillHarness, SecretDriver, StorageDriver, StreamDriver,
};
use crate::error::{
    Error, Result, VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_FAILED, VIR_ERR_OPERATION_INVALID,
    VIR_FROM_NONE, VIR_FROM_QEMU,
};
use crate::event::{Bus, Lifecycle};
use crate::process::{self, KillFlags, Pidfd, WatchHandle, Watcher};
use crate::uri::Uri;
use config::Config;
use layout::Layout;
use qmp::{Monitor, QmpError, QmpEvent};
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, Weak};
use std::time::Duration;
use stop::stop_elsewhere;
use vm::{CpuTime, Job, VmInner};

pub use vm::{Running, Vm};

// The flags the reference's qemu driver accepts, per call.
const DESTROY_FLAGS: DomainDestroyFlags =
    DomainDestroyFlags::GRACEFUL.union(DomainDestroyFlags::REMOVE_LOGS);
/// virDomainCreateXML: no BYPASS_CACHE or FORCE_BOOT (there is no saved image to start from).
const CREATE_XML_FLAGS: DomainCreateFlags = DomainCreateFlags::START_PAUSED
    .union(DomainCreateFlags::START_AUTODESTROY)
    .union(DomainCreateFlags::START_VALIDATE)
    .union(DomainCreateFlags::START_RESET_NVRAM);
/// virDomainCreateWithFlags: no VALIDATE (there is no new XML to validate).
const CREATE_FLAGS: DomainCreateFlags = DomainCreateFlags::START_PAUSED
    .union(DomainCreateFlags::START_AUTODESTROY)
    .union(DomainCreateFlags::START_BYPASS_CACHE)
    .union(DomainCreateFlags::START_FORCE_BOOT)
    .union(DomainCreateFlags::START_RESET_NVRAM);
const UNDEFINE_FLAGS: DomainUndefineFlags = DomainUndefineFlags::all();
// The reference's qemu driver shuts down and reboots through ACPI or the guest agent only.
const SHUTDOWN_FLAGS: DomainShutdownFlags =
    DomainShutdownFlags::ACPI_POWER_BTN.union(DomainShutdownFlags::GUEST_AGENT);
const REBOOT_FLAGS: DomainRebootFlags =
    DomainRebootFlags::ACPI_POWER_BTN.union(DomainRebootFlags::GUEST_AGENT);
const XML_DESC_FLAGS: DomainXMLFlags = DomainXMLFlags::all();
const DEFINE_FLAGS: DomainDefineFlags = DomainDefineFlags::VALIDATE;
const LIST_ALL_FLAGS: ConnectListAllDomainsFlags = ConnectListAllDomainsFlags::all();
const GET_STATE_FLAGS: NoFlags = NoFlags::empty();
/// How long a reconnect waits for a guest's monitor before going on without it.
const RECONNECT_MONITOR_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a stop waits for the monitor's reader to hand over qemu's last words. qemu is gone and
/// our side of the socket shut, so this is only reading what is already buffered.
const MONITOR_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Doms {
    by_uuid: HashMap<[u8; 16], Arc<Vm>>,
    by_name: HashMap<String, [u8; 16]>,
    by_id: HashMap<i32, [u8; 16]>,
}

pub struct QemuDriver {
    layout: Layout,
    cfg: Config,
    bus: Arc<Bus>,
    doms: RwLock<Doms>,
    next_id: AtomicI32,
    me: Weak<QemuDriver>,
}

static DRIVERS: Mutex<Vec<(PathBuf, Weak<QemuDriver>)>> = Mutex::new(Vec::new());

/// The root `qemu:///session` uses: the user's own.
/// Set once an embedded root has been opened in this process. From then on the reference's
/// in-process qemu driver claims every `qemu:` URI without a server, and refuses those that are
/// not `qemu:///embed?root=...` (it keeps the driver loaded after the last connection closes).
static EMBEDDED_OPENED: AtomicBool = AtomicBool::new(false);

pub fn embedded_opened() -> bool {
    EMBEDDED_OPENED.load(Ordering::Relaxed)
}

/// The reference's answer, once an embedded root is open, to a `qemu:` URI we do not serve.
pub fn embedded_only(uri: &Uri) -> Error {
    if uri.param("root").is_none() {
        return Error::with(
            crate::error::VIR_ERR_INVALID_ARG,
            crate::error::VIR_FROM_URI,
            "Missing URI parameter 'root'",
        );
    }
    Error::with(
        crate::error::VIR_ERR_INTERNAL_ERROR,
        VIR_FROM_QEMU,
        "URI must be qemu:///embed",
    )
}

fn session_root() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("oxvirt/qemu-session")
}

fn sys_err(errno_of: &std::io::Error, text: String) -> Error {
    Error::system(
        VIR_FROM_QEMU,
        errno_of.raw_os_error().unwrap_or(libc::EIO),
        text,
    )
}

fn mkdir(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p)
        .map_err(|e| sys_err(&e, format!("cannot create directory '{}'", p.display())))
}

/// Open (or share) the driver for the URI's root. Every connection to one root in a process
/// shares one driver, as the reference's embedded driver.
pub fn open(uri: &Uri) -> Result<Arc<dyn Driver>> {
    let root = match uri.path() {
        "/embed" => uri.embed_root()?,
        "/session" => session_root(),
        other => {
            return Err(Error::with(
                crate::error::VIR_ERR_NO_CONNECT,
                VIR_FROM_NONE,
                format!(
                    "qemu:///{} (only qemu:///embed?root=DIR and qemu:///session are served)",
                    other.trim_start_matches('/')
                ),
            ))
        }
    };
    let mut drivers = DRIVERS.lock().unwrap_or_else(|p| p.into_inner());
    drivers.retain(|(_, w)| w.strong_count() > 0);
    if let Some(d) = drivers
        .iter()
        .find(|(r, _)| *r == root)
        .and_then(|(_, w)| w.upgrade())
    {
        return Ok(d);
    }
    let d = QemuDriver::open_root(&root)?;
    drivers.push((root, Arc::downgrade(&d)));
    if uri.path() == "/embed" {
        EMBEDDED_OPENED.store(true, Ordering::Relaxed);
    }
    Ok(d)
}

fn stale(d: &DomainRef) -> Error {
    super::stale_handle(VIR_FROM_QEMU, d)
}

fn not_running() -> Error {
    Error::operation_invalid("domain is not running")
}

/// The reference's qemu driver reports this one itself, so from the QEMU error domain.
/// The reference's refusal to pause or resume a guest in ACPI S3 (it is woken up instead).
fn pm_suspended() -> Error {
    Error::with(
        VIR_ERR_OPERATION_INVALID,
        VIR_FROM_QEMU,
        "domain is pmsuspended",
    )
}

fn already_running() -> Error {
    Error::with(
        VIR_ERR_OPERATION_INVALID,
        VIR_FROM_QEMU,
        "domain is already running",
    )
}

/// libvirt's virCheckFlags in a qemu driver function: the flags, typed, when all are accepted.
fn check_flags<F: bitflags::Flags<Bits = u32>>(
    flags: u32,
    accepted: F,
    function: &str,
) -> Result<F> {
    crate::api::check_flags(function, flags, accepted, VIR_FROM_QEMU)
}

/// A monitor command's failure; `command` and `waited` say what timed out.
fn monitor_error(e: QmpError, command: &str, waited: Duration) -> Error {
    match e {
        QmpError::Command { desc, .. } => Error::internal(
            VIR_FROM_QEMU,
            format!("unable to execute QEMU command: {desc}"),
        ),
        QmpError::Closed => Error::with(
            VIR_ERR_OPERATION_FAILED,
            VIR_FROM_QEMU,
            "domain is no longer running",
        ),
        QmpError::Timeout => Error::with(
            crate::error::VIR_ERR_OPERATION_TIMEOUT,
            VIR_FROM_QEMU,
            format!(
                "qemu did not answer '{command}' on its monitor within {} ms",
                waited.as_millis()
            ),
        ),
        QmpError::Io(m) => Error::internal(VIR_FROM_QEMU, format!("monitor: {m}")),
    }
}

/// The kill engine's failure as libvirt reports it: `Failed to terminate process N with SIGTERM:
/// Device or resource busy` (code 38, no error domain, errno in int1).
fn kill_error(e: &process::KillError) -> Error {
    Error::system(
        VIR_FROM_NONE,
        e.errno(),
        format!(
            "Failed to terminate process {} with {}",
            e.pid(),
            e.signal().name()
        ),
    )
}

/// The last lines of qemu's log, for errors about a start that failed.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("oxvirt:")).collect();
    lines[lines.len().saturating_sub(5)..].join("\n")
}

impl QemuDriver {
    fn open_root(root: &Path) -> Result<Arc<QemuDriver>> {
        // A configuration the reference would refuse refuses the root before anything is created.
        let cfg = config::load(root)?;
        let layout = Layout::new(root);
        for dir in [
            layout.run_dir(),
            layout.log_dir(),
            layout.config_dir(),
            root.join("lib/qemu"),
        ] {
            mkdir(&dir)?;
        }
        let d = Arc::new_cyclic(|me| QemuDriver {
            layout,
            cfg,
            bus: Bus::new(),
            doms: RwLock::new(Doms::default()),
            next_id: AtomicI32::new(0),
            me: me.clone(),
        });
        d.load_definitions();
        d.reconnect_all();
        d.autostart_all();
        Ok(d)
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    fn doms(&self) -> std::sync::RwLockReadGuard<'_, Doms> {
        self.doms.read().unwrap_or_else(|p| p.into_inner())
    }

    fn doms_mut(&self) -> std::sync::RwLockWriteGuard<'_, Doms> {
        self.doms.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn vm(&self, uuid: &[u8; 16]) -> Option<Arc<Vm>> {
        self.doms().by_uuid.get(uuid).cloned()
    }

    fn vm_of(&self, d: &DomainRef) -> Result<Arc<Vm>> {
        self.vm(&d.uuid).ok_or_else(|| stale(d))
    }

    fn insert(&self, vm: Arc<Vm>) {
        Self::insert_locked(&mut self.doms_mut(), vm);
    }

    /// Add a domain to a list whose write lock the caller holds.
    fn insert_locked(doms: &mut Doms, vm: Arc<Vm>) {
        let (name, id) = {
            let i = vm.lock();
            (i.def.name.clone(), i.id)
        };
        doms.by_name.insert(name, vm.uuid);
        if id > 0 {
            doms.by_id.insert(id, vm.uuid);
        }
        doms.by_uuid.insert(vm.uuid, vm);
    }

    fn remove(&self, vm: &Vm) {
        let name = {
            let mut i = vm.lock();
            i.removed = true;
            i.def.name.clone()
        };
        let mut doms = self.doms_mut();
        if doms
            .by_uuid
            .get(&vm.uuid)
            .is_some_and(|v| std::ptr::eq(Arc::as_ptr(v), vm))
        {
            doms.by_uuid.remove(&vm.uuid);
            doms.by_name.remove(&name);
        }
    }

    fn new_vm(def: DomainDef, persistent: bool) -> Arc<Vm> {
        Arc::new(Vm {
            uuid: def.uuid,
            inner: Mutex::new(VmInner {
                def,
                next_def: None,
                persistent,
                state: StateReason::Shutoff(DomainShutoffReason::Unknown),
                id: -1,
                run: None,
                autodestroy: None,
                removed: false,
            }),
            job: Job::default(),
            api_locked: Mutex::new(false),
            api_cv: Condvar::new(),
            fd_groups: Mutex::default(),
        })
    }

    fn lifecycle_check(&self, d: &DomainRef) -> Result<(Arc<Vm>, Arc<Running>)> {
        let vm = self.vm_of(d)?;
        let run = vm.running().ok_or_else(not_running)?;
        Ok((vm, run))
    }

    /// A monitor command under the domain's job.
    fn with_job<T>(
        &self,
        d: &DomainRef,
        f: impl FnOnce(&Arc<Vm>, &Command<'_>) -> Result<T>,
    ) -> Result<T> {
        let (vm, run) = self.lifecycle_check(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        if vm.running().is_none_or(|r| !Arc::ptr_eq(&r, &run)) {
            return Err(not_running());
        }
        let mon = run.monitor().ok_or_else(|| {
            Error::with(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_QEMU,
                "the guest's monitor did not answer when this process reconnected to it",
            )
        })?;
        let out = f(
            &vm,
            &Command {
                mon: &mon,
                timeout: self.cfg.monitor_reply_timeout,
            },
        )?;
        // The guest runs on either way; a stale record only costs a reconnect the latest state.
        let _ = self.write_status(&vm);
        Ok(out)
    }

    fn domain_list(&self) -> Vec<Arc<Vm>> {
        self.doms().by_uuid.values().cloned().collect()
    }

    /// Check a new definition against the list (whose lock the caller holds): a domain with the
    /// same uuid under another name, or the same name under another uuid, is refused.
    fn check_clash(doms: &Doms, def: &DomainDef, allow_active: bool) -> Result<Option<Arc<Vm>>> {
        if let Some(existing) = doms.by_uuid.get(&def.uuid) {
            let i = existing.lock();
            let same_uuid = Some((i.def.name.as_str(), i.run.is_some()));
            crate::driver::check_clash(def, same_uuid, None, allow_active)?;
            return Ok(Some(existing.clone()));
        }
        crate::driver::check_clash(def, None, doms.by_name.get(&def.name), allow_active)?;
        Ok(None)
    }
}

impl Drop for QemuDriver {
    fn drop(&mut self) {
        // The last connection to this root closed: stop watching and talking to the guests; they
        // keep running, and the next open of the root reconnects to them.
        let vms: Vec<Arc<Vm>> = self
            .doms
            .get_mut()
            .map(|d| d.by_uuid.values().cloned().collect())
            .unwrap_or_default();
        for vm in vms {
            let run = vm.running();
            if let Some(run) = run {
                if let Some(h) = run.watch.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    if let Ok(w) = Watcher::global() {
                        w.unregister(h.token());
                    }
                }
                if let Some(m) = run.monitor() {
                    m.disconnect(MONITOR_DRAIN_TIMEOUT);
                }
            }
        }
    }
}

/// A guest's monitor under the job, with the reply deadline: a qemu that stops answering cannot
/// hold the job for ever.
struct Command<'a> {
    mon: &'a Monitor,
    timeout: Duration,
}

impl Command<'_> {
    fn run(&self, command: &str) -> Result<serde_json::Value> {
        self.mon
            .execute(command, None, self.timeout)
            .map_err(|e| monitor_error(e, command, self.timeout))
    }
}
