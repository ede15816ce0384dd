//! The qemu driver: `qemu:///embed?root=DIR` and `qemu:///session`. Domains are real qemu
//! processes, spawned with a pidfd, watched by the kernel's exit notification, controlled over QMP
//! and killed by the kill engine (`crate::process::kill`). All state lives under the root; a
//! process opening the same root finds the guests another one started (reconnect).

pub mod command;
pub mod config;
pub mod layout;
pub mod qmp;
pub mod status;

use crate::api::{
    ConnectListAllDomainsFlags, DomainCreateFlags, DomainDefineFlags, DomainDestroyFlags,
    DomainPausedReason, DomainRebootFlags, DomainRunningReason, DomainShutdownFlags,
    DomainShutoffReason, DomainState, DomainUndefineFlags, DomainXMLFlags, NoFlags,
};
use crate::domain::{self, DomainDef, DomainInfo, DomainRef};
use crate::driver::{
    Caller, ConnectDriver, DomainDriver, DomainEventDriver, Driver, HarnessGuest, InterfaceDriver,
    NetworkDriver, NetworkEventDriver, NodeDeviceDriver, NodeDriver, NwFilterDriver,
    ProcessKillHarness, SecretDriver, StorageDriver, StreamDriver,
};
use crate::error::{
    Error, Result, VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_FAILED, VIR_ERR_OPERATION_INVALID,
    VIR_FROM_DOMAIN, VIR_FROM_NONE, VIR_FROM_QEMU,
};
use crate::event::{kind, Bus};
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

/// A running qemu: the process (through its pidfd), its monitor, and who is stopping it.
pub struct Running {
    pub pidfd: Pidfd,
    pub pid: i32,
    pub start_time: u64,
    pub id: i32,
    monitor: Mutex<Option<Arc<Monitor>>>,
    monitor_path: PathBuf,
    watch: Mutex<Option<WatchHandle>>,
    /// Destroys in progress: while any runs, an exit is theirs to report, not the watcher's.
    destroying: AtomicUsize,
    /// qemu said the guest asked to power off.
    guest_shutdown: AtomicBool,
    /// The stop (state, files, event) has been done, by whoever came first.
    stopped: AtomicBool,
}

impl Running {
    fn monitor(&self) -> Option<Arc<Monitor>> {
        self.monitor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

struct VmInner {
    /// The live definition while running, else the persistent one.
    def: DomainDef,
    /// The persistent definition that takes over when the running guest stops (the reference's
    /// newDef): a define while running, or the one a create with new XML set aside.
    next_def: Option<DomainDef>,
    persistent: bool,
    state: i32,
    reason: i32,
    id: i32,
    run: Option<Arc<Running>>,
    /// The connection that started it with VIR_DOMAIN_START_AUTODESTROY.
    autodestroy: Option<u64>,
    removed: bool,
}

/// The domain's job: one call at a time starts the guest or talks to its monitor. A caller waits
/// for it at most the job timeout, then fails as the reference's `virDomainObjBeginJob` does.
#[derive(Default)]
struct Job {
    busy: Mutex<bool>,
    cv: Condvar,
}

/// Holding the job; dropping it hands the job to the next waiter.
struct JobGuard<'a>(&'a Job);

impl Job {
    fn begin(&self, timeout: Duration) -> Result<JobGuard<'_>> {
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
    inner: Mutex<VmInner>,
    job: Job,
    /// The object lock `qemuDomainObjFromDomain` takes and `virDomainObjEndAPI` releases.
    api_locked: Mutex<bool>,
    api_cv: Condvar,
}

impl Vm {
    fn lock(&self) -> MutexGuard<'_, VmInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn domain_ref(&self) -> DomainRef {
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

/// CPU time of a process in nanoseconds; 0 once it is gone (virDomainGetInfo still answers).
fn cpu_time_ns(pid: i32) -> u64 {
    process::proc_stat::cpu_time_ns(pid).unwrap_or(0)
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
                state: DomainState::Shutoff as i32,
                reason: DomainShutoffReason::Unknown as i32,
                id: -1,
                run: None,
                autodestroy: None,
                removed: false,
            }),
            job: Job::default(),
            api_locked: Mutex::new(false),
            api_cv: Condvar::new(),
        })
    }

    /// Persistent definitions from `etc/qemu/*.xml`.
    fn load_definitions(&self) {
        let Ok(dir) = std::fs::read_dir(self.layout.config_dir()) else {
            return;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "xml") {
                if let Some(def) = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| domain::xml::parse(&t).ok())
                {
                    self.insert(Self::new_vm(def, true));
                }
            }
        }
    }

    /// Guests started earlier on this root, by this process or another: check each recorded
    /// process is the same one (pid and start time), re-open its monitor and watch it again.
    /// A guest whose process is gone is marked shut off and its runtime files removed.
    fn reconnect_all(&self) {
        let Ok(dir) = std::fs::read_dir(self.layout.run_dir()) else {
            return;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            let Some(st) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| status::parse(&t))
            else {
                continue;
            };
            self.next_id.fetch_max(st.id, Ordering::Relaxed);
            let vm = match self.vm(&st.def.uuid) {
                Some(vm) => vm,
                None => {
                    let vm = Self::new_vm(st.def.clone(), st.persistent);
                    self.insert(vm.clone());
                    vm
                }
            };
            if self.reconnect(&vm, &st).is_err() {
                self.cleanup_files(&st.def.name, st.id, false);
                if st.persistent {
                    // As the reference: a guest that cannot be reconnected is shut off, crashed.
                    let mut i = vm.lock();
                    i.run = None;
                    i.id = -1;
                    i.state = DomainState::Shutoff as i32;
                    i.reason = DomainShutoffReason::Crashed as i32;
                } else {
                    self.remove(&vm);
                }
            }
        }
    }

    fn reconnect(&self, vm: &Arc<Vm>, st: &status::Status) -> Result<()> {
        let pidfd = Pidfd::open_verified(st.pid, st.start_time).map_err(|e| {
            sys_err(
                &e,
                format!("guest process {} is gone or is another process", st.pid),
            )
        })?;
        let run = Arc::new(Running {
            pidfd,
            pid: st.pid,
            start_time: st.start_time,
            id: st.id,
            monitor: Mutex::new(None),
            monitor_path: PathBuf::from(&st.monitor),
            watch: Mutex::new(None),
            destroying: AtomicUsize::new(0),
            guest_shutdown: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        });
        let stream = std::os::unix::net::UnixStream::connect(&st.monitor).map_err(|e| {
            // Our verified guest, but nobody can ever control it again (its monitor socket is
            // gone): kill it, as the reference does, rather than leave it running untracked.
            let _ = run.pidfd.send_signal(libc::SIGKILL);
            let _ = run.pidfd.wait_exit(Some(self.cfg.kill.after_sigkill));
            let _ = run.pidfd.try_reap();
            sys_err(
                &e,
                format!("cannot reconnect to the monitor of '{}'", st.def.name),
            )
        })?;
        // A guest whose monitor does not answer (frozen) stays ours: tracked and watched, and
        // destroyable through its pidfd; only calls that need the monitor fail.
        match Monitor::handshake(
            stream,
            RECONNECT_MONITOR_TIMEOUT.min(self.cfg.monitor_timeout),
            self.event_handler(vm.uuid),
        ) {
            Ok(mon) => *run.monitor.lock().unwrap_or_else(|p| p.into_inner()) = Some(mon),
            Err(e) => self.note(
                &st.def.name,
                &format!("reconnected without a monitor: {e:?}"),
            ),
        }
        {
            let mut i = vm.lock();
            // The definition on disk (loaded first) is the one the guest gets after it stops.
            let persistent_def = std::mem::replace(&mut i.def, st.def.clone());
            if i.persistent && persistent_def != st.def {
                i.next_def = Some(persistent_def);
            }
            i.persistent = st.persistent || i.persistent;
            i.state = st.state;
            i.reason = st.reason;
            i.id = st.id;
            i.run = Some(run.clone());
        }
        self.doms_mut().by_id.insert(st.id, vm.uuid);
        self.watch(vm, &run)?;
        Ok(())
    }

    /// Hand qemu's events to the domain: state changes and the lifecycle events they mean.
    fn event_handler(&self, uuid: [u8; 16]) -> qmp::EventHandler {
        let me = self.me.clone();
        Box::new(move |ev: &QmpEvent| {
            if let Some(d) = me.upgrade() {
                d.on_qmp_event(uuid, ev);
            }
        })
    }

    fn on_qmp_event(&self, uuid: [u8; 16], ev: &QmpEvent) {
        let Some(vm) = self.vm(&uuid) else { return };
        let emit = {
            let mut i = vm.lock();
            if i.run.is_none() {
                return;
            }
            match ev.name.as_str() {
                "SHUTDOWN" => {
                    let guest = ev
                        .data
                        .get("guest")
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false);
                    if let Some(r) = &i.run {
                        r.guest_shutdown.store(true, Ordering::Relaxed);
                    }
                    Some((kind::SHUTDOWN, if guest { 1 } else { kind::SHUTDOWN_HOST }))
                }
                "STOP" => {
                    i.state = DomainState::Paused as i32;
                    i.reason = DomainPausedReason::User as i32;
                    Some((kind::SUSPENDED, kind::SUSPENDED_PAUSED))
                }
                "RESUME" => {
                    i.state = DomainState::Running as i32;
                    i.reason = DomainRunningReason::Unpaused as i32;
                    Some((kind::RESUMED, kind::RESUMED_UNPAUSED))
                }
                _ => None,
            }
        };
        if let Some((e, detail)) = emit {
            self.bus.emit(&vm.domain_ref(), e, detail);
        }
    }

    /// Watch the process: an exit nobody is waiting for is reported at once.
    fn watch(&self, vm: &Arc<Vm>, run: &Arc<Running>) -> Result<()> {
        let me = self.me.clone();
        let uuid = vm.uuid;
        let pid = run.pid;
        let watcher =
            Watcher::global().map_err(|e| sys_err(&e, "cannot start the exit watcher".into()))?;
        let handle = watcher
            .register(
                &run.pidfd,
                Box::new(move |_info| stop_elsewhere(me, uuid, pid)),
            )
            .map_err(|e| sys_err(&e, "cannot watch the guest process".into()))?;
        *run.watch.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok(())
    }

    /// qemu exited without a destroy: the guest shut down (it asked qemu to), or it died.
    /// Never runs on the exit watcher's thread: the watcher hands it a thread of its own (see
    /// [`stop_elsewhere`]); a destroy or kill that finds the exit runs it on the caller's.
    fn on_exit(&self, uuid: [u8; 16], pid: i32) {
        let Some(vm) = self.vm(&uuid) else { return };
        let Some(run) = vm.running().filter(|r| r.pid == pid) else {
            return;
        };
        if run.destroying.load(Ordering::SeqCst) > 0 {
            return; // the destroy in progress reports it
        }
        // Whether the guest asked to power off is in qemu's last words: read them all first.
        self.drain_monitor(&vm, &run);
        if run.guest_shutdown.load(Ordering::Relaxed) {
            self.stop(
                &vm,
                &run,
                DomainShutoffReason::Shutdown,
                kind::STOPPED_SHUTDOWN,
                false,
            );
        } else {
            // As the reference: the monitor closed without a SHUTDOWN, so the state reason is
            // "crashed" while the event's detail is STOPPED_FAILED.
            self.stop(
                &vm,
                &run,
                DomainShutoffReason::Crashed,
                kind::STOPPED_FAILED,
                false,
            );
        }
    }

    fn cleanup_files(&self, name: &str, id: i32, remove_logs: bool) {
        let l = &self.layout;
        let _ = std::fs::remove_file(l.pid_file(name));
        let _ = std::fs::remove_file(l.status_file(name));
        let _ = std::fs::remove_file(l.monitor_socket(id, name));
        let _ = std::fs::remove_dir_all(l.domain_dir(id, name));
        if remove_logs {
            let _ = std::fs::remove_file(l.log_file(name));
        }
    }

    /// qemu is gone: hand everything it said to the event handler, then end the reader (a no-op
    /// the second time).
    fn drain_monitor(&self, vm: &Vm, run: &Running) {
        if let Some(mon) = run.monitor() {
            if !mon.close_after_exit(MONITOR_DRAIN_TIMEOUT) {
                self.note(
                    &vm.name(),
                    "the monitor's reader was still busy at the deadline; left to finish alone",
                );
            }
        }
    }

    /// The guest's process is gone (or going): record the new state, close the monitor after
    /// everything qemu said has been delivered, reap, remove the runtime files, raise one STOPPED
    /// event; a transient domain is removed. Only the first caller for a run does anything.
    fn stop(
        &self,
        vm: &Arc<Vm>,
        run: &Arc<Running>,
        why: DomainShutoffReason,
        detail: i32,
        remove_logs: bool,
    ) -> bool {
        if run.stopped.swap(true, Ordering::SeqCst) {
            return false;
        }
        // Every event qemu sent (its SHUTDOWN notice) is delivered before our STOPPED. Drained
        // while the run is still recorded: the event handler drops events of a stopped domain.
        self.drain_monitor(vm, run);
        if let Some(h) = run.watch.lock().unwrap_or_else(|p| p.into_inner()).take() {
            if let Ok(w) = Watcher::global() {
                w.unregister(h.token());
            }
        }
        let _ = run.pidfd.try_reap();
        // The files go while the run is still recorded, so that a start after this stop can
        // never have its own removed.
        let (name, id) = {
            let i = vm.lock();
            (i.def.name.clone(), i.id)
        };
        self.cleanup_files(&name, id, remove_logs);
        self.note(&name, &format!("stopped (reason {})", i32::from(why)));
        // STOPPED is queued in the same step as the state changes, as the reference does under
        // its object lock: whoever sees the guest shut off and acts on it (undefine, start)
        // raises its events after this one.
        let persistent = {
            let mut i = vm.lock();
            if i.run.as_ref().is_some_and(|r| Arc::ptr_eq(r, run)) {
                i.run = None;
            }
            i.state = DomainState::Shutoff as i32;
            i.reason = why.into();
            i.id = -1;
            i.autodestroy = None;
            // A definition made while it ran takes over now.
            if let Some(next) = i.next_def.take() {
                if i.persistent {
                    i.def = next;
                }
            }
            let r = DomainRef {
                name: name.clone(),
                uuid: vm.uuid,
                id: -1,
            };
            self.bus.emit(&r, kind::STOPPED, detail);
            i.persistent
        };
        self.doms_mut().by_id.remove(&id);
        if !persistent {
            let _ = std::fs::remove_dir_all(self.layout.snapshot_dir(&name));
            self.remove(vm);
        }
        true
    }

    /// A line of our own in the domain's log (lifecycle notes beside qemu's stderr).
    fn note(&self, name: &str, what: &str) {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .append(true)
            .open(self.layout.log_file(name))
        {
            let _ = writeln!(f, "oxvirt: {what}");
        }
    }

    fn write_status(&self, vm: &Vm) -> Result<()> {
        let st = {
            let i = vm.lock();
            let Some(run) = &i.run else { return Ok(()) };
            status::Status {
                pid: run.pid,
                start_time: run.start_time,
                id: i.id,
                state: i.state,
                reason: i.reason,
                persistent: i.persistent,
                autodestroy: i.autodestroy.is_some(),
                monitor: run.monitor_path.display().to_string(),
                def: i.def.clone(),
            }
        };
        let path = self.layout.status_file(&st.def.name);
        layout::write_atomic(&path, status::format(&st).as_bytes()).map_err(|e| {
            sys_err(
                &e,
                format!("failed to write status file '{}'", path.display()),
            )
        })
    }

    /// Start a domain: qemu paused, the monitor handshake, then `cont` unless PAUSED. A start that
    /// fails at any step force-kills the half-started qemu, removes its files and says why.
    fn start(&self, vm: &Arc<Vm>, flags: DomainCreateFlags, caller: Caller) -> Result<()> {
        let def = vm.lock().def.clone();
        command::check_supported(&def)?;
        let argv = command::args(&def)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let name = def.name.clone();
        let l = &self.layout;
        mkdir(&l.domain_dir(id, &name))?;
        mkdir(&l.log_dir())?;
        let sock_path = l.monitor_socket(id, &name);
        let _ = std::fs::remove_file(&sock_path);
        let listener = std::os::unix::net::UnixListener::bind(&sock_path).map_err(|e| {
            sys_err(
                &e,
                format!("Failed to bind socket to '{}'", sock_path.display()),
            )
        })?;
        let log_path = l.log_file(&name);
        let emulator = command::emulator(&def);
        {
            use std::io::Write;
            let mut log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .map_err(|e| {
                    sys_err(
                        &e,
                        format!("failed to create logfile {}", log_path.display()),
                    )
                })?;
            let _ = writeln!(log, "oxvirt: starting {} {}", emulator, argv.join(" "));
        }
        let mut cmd = process::Command::new(&emulator);
        cmd.args(&argv)
            .log_file(&log_path)
            .pass_fd(listener.into(), command::MONITOR_FD)
            .new_session(true);
        let child = cmd.spawn().map_err(|e| {
            self.cleanup_files(&name, id, false);
            if e.raw_os_error() == Some(libc::ENOENT) {
                sys_err(&e, format!("Cannot find QEMU binary {emulator}"))
            } else {
                sys_err(&e, format!("failed to start {emulator}"))
            }
        })?;
        // Only qemu may hold the monitor's listening socket: should it exit during startup, our
        // connection then fails at once instead of waiting in the backlog for the monitor timeout.
        drop(cmd);
        let run = Arc::new(Running {
            pid: child.pid,
            start_time: child.start_time,
            pidfd: child.pidfd,
            id,
            monitor: Mutex::new(None),
            monitor_path: sock_path.clone(),
            watch: Mutex::new(None),
            destroying: AtomicUsize::new(0),
            guest_shutdown: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        });
        let abort = |e: Error| -> Error {
            // Nothing half-started stays behind.
            let _ = process::kill(
                &run.pidfd,
                KillFlags {
                    force: true,
                    nowait: false,
                },
                &process::KillTimeouts {
                    grace_before_sigkill: Duration::ZERO,
                    ..self.cfg.kill
                },
                0,
            );
            if let Some(m) = run.monitor() {
                m.disconnect(MONITOR_DRAIN_TIMEOUT);
            }
            let _ = run.pidfd.try_reap();
            let tail = log_tail(&log_path);
            self.cleanup_files(&name, id, false);
            let mut i = vm.lock();
            i.run = None;
            i.id = -1;
            i.state = DomainState::Shutoff as i32;
            i.reason = DomainShutoffReason::Failed as i32;
            drop(i);
            if tail.is_empty() {
                e
            } else {
                Error {
                    message: format!("{}: {}", e.message, tail),
                    ..e
                }
            }
        };
        if let Err(e) = std::fs::write(l.pid_file(&name), format!("{}", run.pid)) {
            let path = l.pid_file(&name);
            return Err(abort(sys_err(
                &e,
                format!("failed to write pid file '{}'", path.display()),
            )));
        }
        {
            let mut i = vm.lock();
            i.run = Some(run.clone());
            i.id = id;
            i.state = DomainState::Paused as i32;
            i.reason = DomainPausedReason::StartingUp as i32;
            if flags.contains(DomainCreateFlags::START_AUTODESTROY) {
                i.autodestroy = Some(caller.conn_id);
            }
        }
        self.doms_mut().by_id.insert(id, vm.uuid);
        // qemu gone while we connect: say so (the reference's words); abort adds qemu's output.
        let exited_early = || {
            run.pidfd
                .wait_exit(Some(Duration::from_millis(500)))
                .unwrap_or(false)
                .then(|| {
                    Error::internal(VIR_FROM_QEMU, "process exited while connecting to monitor")
                })
        };
        let stream = match std::os::unix::net::UnixStream::connect(&sock_path) {
            Ok(s) => s,
            Err(e) => {
                return Err(abort(exited_early().unwrap_or_else(|| {
                    sys_err(&e, "failed to connect to the monitor".into())
                })))
            }
        };
        let mon = match Monitor::handshake(
            stream,
            self.cfg.monitor_timeout,
            self.event_handler(vm.uuid),
        ) {
            Ok(m) => m,
            Err(e) => {
                let err = exited_early().unwrap_or_else(|| match e {
                    QmpError::Closed => {
                        Error::internal(VIR_FROM_QEMU, "qemu unexpectedly closed the monitor")
                    }
                    e => monitor_error(e, "qmp_capabilities", self.cfg.monitor_timeout),
                });
                return Err(abort(err));
            }
        };
        *run.monitor.lock().unwrap_or_else(|p| p.into_inner()) = Some(mon.clone());
        if let Err(e) = self.watch(vm, &run) {
            return Err(abort(e));
        }
        // Recorded before the guest runs: a guest nobody could find again after a restart is
        // not started at all.
        if let Err(e) = self.write_status(vm) {
            return Err(abort(e));
        }
        if !flags.contains(DomainCreateFlags::START_PAUSED) {
            if let Err(e) = mon.execute("cont", None, self.cfg.monitor_timeout) {
                return Err(abort(monitor_error(e, "cont", self.cfg.monitor_timeout)));
            }
            {
                let mut i = vm.lock();
                i.state = DomainState::Running as i32;
                i.reason = DomainRunningReason::Booted as i32;
            }
            if let Err(e) = self.write_status(vm) {
                return Err(abort(e));
            }
            self.note(&name, &format!("running, pid {}", run.pid));
            self.bus
                .emit(&vm.domain_ref(), kind::STARTED, kind::STARTED_BOOTED);
        } else {
            {
                let mut i = vm.lock();
                i.state = DomainState::Paused as i32;
                i.reason = DomainPausedReason::User as i32;
            }
            if let Err(e) = self.write_status(vm) {
                return Err(abort(e));
            }
            self.note(&name, &format!("started paused, pid {}", run.pid));
            let r = vm.domain_ref();
            self.bus.emit(&r, kind::STARTED, kind::STARTED_BOOTED);
            self.bus.emit(&r, kind::SUSPENDED, kind::SUSPENDED_PAUSED);
        }
        Ok(())
    }

    /// The kill engine on a domain (`qemuProcessKill`): NOCHECK kills even a domain we think is
    /// not active, as long as we still know its process.
    pub fn kill_vm(&self, vm: &Vm, force: bool, nowait: bool, nocheck: bool) -> Result<()> {
        let Some(run) = vm.running() else {
            let _ = nocheck; // nothing recorded to signal: success, as the reference
            return Ok(());
        };
        run.destroying.fetch_add(1, Ordering::SeqCst);
        let r = process::kill(&run.pidfd, KillFlags { force, nowait }, &self.cfg.kill, 0);
        run.destroying.fetch_sub(1, Ordering::SeqCst);
        if run.pidfd.has_exited().unwrap_or(false) && run.destroying.load(Ordering::SeqCst) == 0 {
            self.on_exit(vm.uuid, run.pid);
        }
        r.map_err(|e| kill_error(&e))
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
            if i.def.name != def.name {
                return Err(Error::with(
                    VIR_ERR_OPERATION_FAILED,
                    VIR_FROM_DOMAIN,
                    format!(
                        "domain '{}' is already defined with uuid {}",
                        i.def.name,
                        domain::uuid::format(&def.uuid)
                    ),
                ));
            }
            if !allow_active && i.run.is_some() {
                return Err(Error::operation_invalid(&format!(
                    "domain '{}' is already active",
                    def.name
                )));
            }
            return Ok(Some(existing.clone()));
        }
        if let Some(other) = doms.by_name.get(&def.name) {
            return Err(Error::with(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_DOMAIN,
                format!(
                    "domain '{}' already exists with uuid {}",
                    def.name,
                    domain::uuid::format(other)
                ),
            ));
        }
        Ok(None)
    }

    /// Destroy, spec section 2 steps 4 to 11.
    fn destroy_flags(&self, d: &DomainRef, flags: u32) -> Result<()> {
        let flags = check_flags(flags, DESTROY_FLAGS, "qemuDomainDestroyFlags")?;
        let (vm, run) = self.lifecycle_check(d)?;
        // The kill comes before any job: a destroy pre-empts whatever holds the domain.
        run.destroying.fetch_add(1, Ordering::SeqCst);
        let graceful = flags.contains(DomainDestroyFlags::GRACEFUL);
        let killed = process::kill(
            &run.pidfd,
            KillFlags {
                force: !graceful,
                nowait: false,
            },
            &self.cfg.kill,
            0,
        );
        if let Err(e) = killed {
            run.destroying.fetch_sub(1, Ordering::SeqCst);
            // The guest is left as it was; had it exited meanwhile, report that exit.
            if run.pidfd.has_exited().unwrap_or(false) && run.destroying.load(Ordering::SeqCst) == 0
            {
                self.on_exit(vm.uuid, run.pid);
            }
            return Err(kill_error(&e));
        }
        let did = self.stop(
            &vm,
            &run,
            DomainShutoffReason::Destroyed,
            kind::STOPPED_DESTROYED,
            flags.contains(DomainDestroyFlags::REMOVE_LOGS),
        );
        run.destroying.fetch_sub(1, Ordering::SeqCst);
        if did {
            Ok(())
        } else if vm.lock().removed {
            Err(stale(d))
        } else {
            Err(not_running())
        }
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

impl ConnectDriver for QemuDriver {
    fn kind(&self) -> &'static str {
        "QEMU"
    }

    fn type_name(&self) -> &'static std::ffi::CStr {
        c"QEMU"
    }

    fn error_domain(&self) -> i32 {
        VIR_FROM_QEMU
    }

    fn hostname(&self) -> Result<String> {
        crate::host::local_hostname()
    }

    fn process_kill_harness(&self) -> Option<&dyn ProcessKillHarness> {
        Some(self)
    }

    fn hypervisor_version(&self) -> Result<u64> {
        // qemu's version as major * 1,000,000 + minor * 1,000 + micro, from the default emulator.
        let out = std::process::Command::new("qemu-system-x86_64")
            .arg("--version")
            .output();
        let text = out
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let v = text
            .split_whitespace()
            .skip_while(|w| *w != "version")
            .nth(1)
            .unwrap_or("0.0.0")
            .to_string();
        let mut parts = v
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|p| p.parse::<u64>().ok());
        let (a, b, c) = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        Ok(a * 1_000_000 + b * 1000 + c)
    }

    fn capabilities(&self) -> Result<String> {
        Ok(format!(
            "<capabilities>\n  <host>\n    <cpu>\n      <arch>x86_64</arch>\n    </cpu>\n  </host>\n  <guest>\n    <os_type>hvm</os_type>\n    <arch name='x86_64'>\n      <wordsize>64</wordsize>\n      <emulator>qemu-system-x86_64</emulator>\n      <domain type='qemu'/>\n{}    </arch>\n  </guest>\n</capabilities>\n",
            if command::kvm_usable() { "      <domain type='kvm'/>\n" } else { "" }
        ))
    }

    fn connection_closed(&self, caller: Caller) {
        // VIR_DOMAIN_START_AUTODESTROY: the guests this connection started go with it.
        for vm in self.domain_list() {
            let mine = vm.lock().autodestroy == Some(caller.conn_id);
            if mine {
                let r = vm.domain_ref();
                let _ = self.destroy_flags(&r, DomainDestroyFlags::DEFAULT.bits());
            }
        }
    }
}

impl NodeDriver for QemuDriver {}

impl DomainEventDriver for QemuDriver {
    fn domain_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }
}

impl DomainDriver for QemuDriver {
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let uuid = self.doms().by_name.get(name).copied();
        uuid.and_then(|u| self.vm(&u))
            .map(|vm| vm.domain_ref())
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_NO_DOMAIN,
                    VIR_FROM_QEMU,
                    format!("no domain with matching name '{name}'"),
                )
            })
    }

    fn lookup_by_uuid(&self, uuid: &[u8; 16]) -> Result<DomainRef> {
        self.vm(uuid).map(|vm| vm.domain_ref()).ok_or_else(|| {
            Error::with(
                VIR_ERR_NO_DOMAIN,
                VIR_FROM_QEMU,
                format!(
                    "no domain with matching uuid '{}'",
                    domain::uuid::format(uuid)
                ),
            )
        })
    }

    fn lookup_by_id(&self, id: i32) -> Result<DomainRef> {
        let uuid = self.doms().by_id.get(&id).copied();
        uuid.and_then(|u| self.vm(&u))
            .filter(|vm| vm.lock().id == id)
            .map(|vm| vm.domain_ref())
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_NO_DOMAIN,
                    VIR_FROM_QEMU,
                    format!("no domain with matching id {id}"),
                )
            })
    }

    fn list_all(&self, flags: u32) -> Result<Vec<DomainRef>> {
        let flags = check_flags(flags, LIST_ALL_FLAGS, "qemuConnectListAllDomains")?;
        Ok(self
            .domain_list()
            .iter()
            .filter(|vm| {
                let i = vm.lock();
                super::list_filter(flags, i.run.is_some(), i.persistent, i.state)
            })
            .map(|vm| vm.domain_ref())
            .collect())
    }

    fn active_ids(&self) -> Result<Vec<i32>> {
        Ok(self
            .domain_list()
            .iter()
            .filter_map(|vm| vm.running().map(|r| r.id))
            .collect())
    }

    fn defined_names(&self) -> Result<Vec<String>> {
        Ok(self
            .domain_list()
            .iter()
            .filter(|vm| !vm.is_active())
            .map(|vm| vm.name())
            .collect())
    }

    fn create_xml(&self, caller: Caller, xml: &str, flags: u32) -> Result<DomainRef> {
        let flags = check_flags(flags, CREATE_XML_FLAGS, "qemuDomainCreateXML")?;
        let def = domain::xml::parse(xml)?;
        command::check_supported(&def)?;
        let vm = {
            let mut doms = self.doms_mut();
            match Self::check_clash(&doms, &def, false)? {
                Some(existing) => {
                    // Started with this XML; the persistent definition comes back at stop.
                    let mut i = existing.lock();
                    let persistent_def = std::mem::replace(&mut i.def, def);
                    i.next_def = Some(persistent_def);
                    drop(i);
                    existing
                }
                None => {
                    let vm = Self::new_vm(def, false);
                    Self::insert_locked(&mut doms, vm.clone());
                    vm
                }
            }
        };
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        if let Err(e) = self.start(&vm, flags, caller) {
            let mut i = vm.lock();
            if i.run.is_none() {
                if let Some(persistent_def) = i.next_def.take() {
                    i.def = persistent_def;
                }
            }
            let persistent = i.persistent;
            drop(i);
            if !persistent {
                self.remove(&vm);
            }
            return Err(e);
        }
        Ok(vm.domain_ref())
    }

    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, DEFINE_FLAGS, "qemuDomainDefineXMLFlags")?;
        let def = domain::xml::parse(xml)?;
        command::check_supported(&def)?;
        // Checked, written and recorded under one lock: nothing on disk or in memory changes
        // unless every check passed, and no other define can slip in between.
        let (vm, updated) = {
            let mut doms = self.doms_mut();
            let existing = Self::check_clash(&doms, &def, true)?;
            let text = domain::xml::format(&def, None);
            layout::write_atomic(&self.layout.config_file(&def.name), text.as_bytes())
                .map_err(|e| sys_err(&e, format!("cannot write definition of '{}'", def.name)))?;
            match existing {
                Some(existing) => {
                    let mut i = existing.lock();
                    if i.run.is_some() {
                        i.next_def = Some(def);
                    } else {
                        i.def = def;
                    }
                    i.persistent = true;
                    drop(i);
                    (existing, true)
                }
                None => {
                    let vm = Self::new_vm(def, true);
                    Self::insert_locked(&mut doms, vm.clone());
                    (vm, false)
                }
            }
        };
        // The guest runs on either way; a stale record only costs a reconnect the latest state.
        let _ = self.write_status(&vm);
        let r = vm.domain_ref();
        self.bus.emit(
            &r,
            kind::DEFINED,
            if updated {
                kind::DEFINED_UPDATED
            } else {
                kind::DEFINED_ADDED
            },
        );
        Ok(r)
    }

    fn undefine(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, UNDEFINE_FLAGS, "qemuDomainUndefineFlags")?;
        let vm = self.vm_of(d)?;
        let (name, active, persistent) = {
            let i = vm.lock();
            (i.def.name.clone(), i.run.is_some(), i.persistent)
        };
        if !persistent {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                "cannot undefine transient domain",
            ));
        }
        let _ = std::fs::remove_file(self.layout.config_file(&name));
        let _ = std::fs::remove_dir_all(self.layout.snapshot_dir(&name));
        if active {
            let mut i = vm.lock();
            i.persistent = false;
            i.next_def = None;
            drop(i);
            // The guest runs on either way; a stale record only costs a reconnect the latest state.
            let _ = self.write_status(&vm);
        } else {
            self.remove(&vm);
        }
        self.bus
            .emit(&vm.domain_ref(), kind::UNDEFINED, kind::UNDEFINED_REMOVED);
        Ok(())
    }

    fn create(&self, caller: Caller, d: &DomainRef, flags: u32) -> Result<DomainRef> {
        let flags = check_flags(flags, CREATE_FLAGS, "qemuDomainCreateWithFlags")?;
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        if vm.is_active() {
            return Err(already_running());
        }
        self.start(&vm, flags, caller)?;
        Ok(vm.domain_ref())
    }

    fn destroy(&self, d: &DomainRef, flags: u32) -> Result<()> {
        self.destroy_flags(d, flags)
    }

    fn suspend(&self, d: &DomainRef) -> Result<()> {
        self.with_job(d, |vm, mon| {
            if vm.lock().state == DomainState::Paused as i32 {
                return Ok(());
            }
            mon.run("stop")?;
            let mut i = vm.lock();
            i.state = DomainState::Paused as i32;
            i.reason = DomainPausedReason::User as i32;
            Ok(())
        })
    }

    fn resume(&self, d: &DomainRef) -> Result<()> {
        self.with_job(d, |vm, mon| {
            if vm.lock().state != DomainState::Paused as i32 {
                return Err(already_running());
            }
            mon.run("cont")?;
            let mut i = vm.lock();
            i.state = DomainState::Running as i32;
            i.reason = DomainRunningReason::Unpaused as i32;
            Ok(())
        })
    }

    fn shutdown(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, SHUTDOWN_FLAGS, "qemuDomainShutdownFlags")?;
        self.with_job(d, |_, mon| {
            mon.run("system_powerdown")?;
            Ok(())
        })
    }

    fn reboot(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, REBOOT_FLAGS, "qemuDomainReboot")?;
        self.with_job(d, |_, mon| {
            mon.run("system_reset")?;
            Ok(())
        })
    }

    fn state(&self, d: &DomainRef, flags: u32) -> Result<(i32, i32)> {
        check_flags(flags, GET_STATE_FLAGS, "qemuDomainGetState")?;
        let vm = self.vm_of(d)?;
        let i = vm.lock();
        Ok((i.state, i.reason))
    }

    fn info(&self, d: &DomainRef) -> Result<DomainInfo> {
        let vm = self.vm_of(d)?;
        let i = vm.lock();
        Ok(DomainInfo {
            state: i.state,
            max_mem_kib: i.def.memory_kib,
            memory_kib: i.def.current_memory_kib,
            vcpus: i.def.vcpus,
            cpu_time_ns: i.run.as_ref().map_or(0, |r| cpu_time_ns(r.pid)),
        })
    }

    fn xml_desc(&self, d: &DomainRef, flags: u32) -> Result<String> {
        let flags = check_flags(flags, XML_DESC_FLAGS, "qemuDomainGetXMLDesc")?;
        let vm = self.vm_of(d)?;
        let i = vm.lock();
        let inactive = flags.contains(DomainXMLFlags::INACTIVE);
        let id = (i.run.is_some() && !inactive).then_some(i.id);
        let def = match &i.next_def {
            Some(next) if inactive => next,
            _ => &i.def,
        };
        Ok(domain::xml::format(def, id))
    }

    fn os_type(&self, d: &DomainRef) -> Result<String> {
        Ok(self.vm_of(d)?.lock().def.os_type.clone())
    }

    fn is_active(&self, d: &DomainRef) -> Result<bool> {
        Ok(self.vm_of(d)?.is_active())
    }

    fn is_persistent(&self, d: &DomainRef) -> Result<bool> {
        Ok(self.vm_of(d)?.lock().persistent)
    }

    fn is_updated(&self, _d: &DomainRef) -> Result<bool> {
        Ok(false)
    }
}

impl NetworkDriver for QemuDriver {}

impl NetworkEventDriver for QemuDriver {}

impl InterfaceDriver for QemuDriver {}

impl StorageDriver for QemuDriver {}

impl NodeDeviceDriver for QemuDriver {}

impl SecretDriver for QemuDriver {}

impl NwFilterDriver for QemuDriver {}

impl StreamDriver for QemuDriver {}

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

/// The exit watcher's callback: it only records the exit and hands the stop (joining the monitor's
/// reader, removing files, writing the log, the STOPPED event) to a thread of its own, so that a
/// slow stop never delays the exits of other guests.
fn stop_elsewhere(me: Weak<QemuDriver>, uuid: [u8; 16], pid: i32) {
    let stop = move |me: &Weak<QemuDriver>| {
        if let Some(d) = me.upgrade() {
            d.on_exit(uuid, pid);
        }
    };
    let mine = me.clone();
    let spawned = std::thread::Builder::new()
        .name("oxvirt-stop".into())
        .spawn(move || stop(&mine));
    if spawned.is_err() {
        // No thread to be had: the stop must not be lost, so it runs here after all.
        stop(&me);
    }
}

/// A guest as the C harness holds it: the driver stays alive while the harness holds the guest.
struct HarnessVm {
    driver: Arc<QemuDriver>,
    vm: Arc<Vm>,
}

impl HarnessGuest for HarnessVm {
    fn is_active(&self) -> bool {
        self.vm.is_active()
    }

    fn kill(&self, force: bool, nowait: bool, nocheck: bool) -> Result<()> {
        self.driver.kill_vm(&self.vm, force, nowait, nocheck)
    }

    fn unlock(&self) {
        self.vm.api_unlock();
    }
}

impl ProcessKillHarness for QemuDriver {
    fn lock_guest(&self, d: &DomainRef) -> Result<Arc<dyn HarnessGuest>> {
        let vm = self.vm(&d.uuid).ok_or_else(|| stale(d))?;
        let driver = self
            .me
            .upgrade()
            .ok_or_else(|| Error::internal(VIR_FROM_QEMU, "the qemu driver is closing"))?;
        vm.api_lock();
        Ok(Arc::new(HarnessVm { driver, vm }))
    }
}
