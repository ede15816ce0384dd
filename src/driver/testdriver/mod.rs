//! libvirt's test driver (`test:///default`): domains that exist only in memory, with the
//! reference's default domain, states, reasons, errors and events. Every `test:///default`
//! connection in a process shares one state, rebuilt fresh once all of them have closed.
//! `test:///ABSOLUTE/PATH.xml` loads a node file of its own for each connection (`node_file`),
//! and asks for the credentials its `<auth>` section names.

mod default_node;
mod interface;
mod network;
mod node_device;
mod node_file;
mod storage;

pub use node_file::NodeInfo;

use crate::api::{
    ConnectListAllDomainsFlags, DomainCreateFlags, DomainDefineFlags, DomainDestroyFlags,
    DomainPausedReason, DomainRebootFlags, DomainRunningReason, DomainShutdownFlags,
    DomainShutoffReason, DomainState, DomainUndefineFlags, DomainXMLFlags, NoFlags,
};
use crate::auth::{self, Prompter};
use crate::domain::{self, DomainDef, DomainInfo, DomainRef};
use crate::driver::{
    Caller, ConnectDriver, DomainCheckpointDriver, DomainDriver, DomainEventDriver,
    DomainSnapshotDriver, Driver, NetworkEventDriver, NodeDriver, NwFilterDriver, SecretDriver,
    StreamDriver,
};
use crate::error::{
    Error, Result, VIR_ERR_AUTH_FAILED, VIR_ERR_INVALID_ARG, VIR_ERR_NO_DOMAIN, VIR_FROM_TEST,
};
use crate::event::{kind, Bus};
use crate::uri::Uri;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::{Arc, Mutex, Weak};

const DEFAULT_UUID: [u8; 16] = [
    0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04, 0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f,
];

// The flags the reference's test driver accepts, per call.
const CREATE_XML_FLAGS: DomainCreateFlags = DomainCreateFlags::START_VALIDATE;
const CREATE_FLAGS: DomainCreateFlags = DomainCreateFlags::NONE;
const DESTROY_FLAGS: DomainDestroyFlags = DomainDestroyFlags::GRACEFUL;
const UNDEFINE_FLAGS: DomainUndefineFlags =
    DomainUndefineFlags::MANAGED_SAVE.union(DomainUndefineFlags::SNAPSHOTS_METADATA);
const DEFINE_FLAGS: DomainDefineFlags = DomainDefineFlags::VALIDATE;
const SHUTDOWN_FLAGS: DomainShutdownFlags = DomainShutdownFlags::DEFAULT;
const REBOOT_FLAGS: DomainRebootFlags = DomainRebootFlags::all();
const XML_DESC_FLAGS: DomainXMLFlags = DomainXMLFlags::SECURE
    .union(DomainXMLFlags::INACTIVE)
    .union(DomainXMLFlags::MIGRATABLE);
const LIST_ALL_FLAGS: ConnectListAllDomainsFlags = ConnectListAllDomainsFlags::all();
const GET_STATE_FLAGS: NoFlags = NoFlags::empty();

struct Dom {
    /// The live definition while running, else the persistent one.
    def: DomainDef,
    /// The persistent definition that takes over when the running domain stops (libvirt's
    /// newDef): defined while running, or set aside by a create with new XML.
    next_def: Option<DomainDef>,
    id: i32,
    state: i32,
    reason: i32,
    persistent: bool,
}

impl Dom {
    /// A domain that is not running (yet): no id, shut off for no known reason.
    fn inactive(def: DomainDef, persistent: bool) -> Dom {
        Dom {
            def,
            next_def: None,
            id: -1,
            state: DomainState::Shutoff as i32,
            reason: DomainShutoffReason::Unknown as i32,
            persistent,
        }
    }

    fn active(&self) -> bool {
        self.state != DomainState::Shutoff as i32
    }
    fn domain_ref(&self) -> DomainRef {
        DomainRef {
            name: self.def.name.clone(),
            uuid: self.def.uuid,
            id: self.id,
        }
    }
}

#[derive(Default)]
struct State {
    doms: HashMap<[u8; 16], Dom>,
    by_name: HashMap<String, [u8; 16]>,
    by_id: HashMap<i32, [u8; 16]>,
    next_id: i32,
    /// Running domains that keep a persistent definition beside the live one (libvirt's
    /// newDef): started while persistent, or defined while running. It names their STOPPED event.
    newdef: HashSet<[u8; 16]>,
}

impl State {
    fn insert(&mut self, d: Dom) {
        self.by_name.insert(d.def.name.clone(), d.def.uuid);
        if d.id > 0 {
            self.by_id.insert(d.id, d.def.uuid);
        }
        self.doms.insert(d.def.uuid, d);
    }

    fn remove(&mut self, uuid: &[u8; 16]) {
        if let Some(d) = self.doms.remove(uuid) {
            self.by_name.remove(&d.def.name);
            self.by_id.remove(&d.id);
        }
        self.newdef.remove(uuid);
    }

    /// The domain behind a handle, or the reference's error for a stale one.
    fn get(&mut self, d: &DomainRef) -> Result<&mut Dom> {
        self.doms.get_mut(&d.uuid).ok_or_else(|| stale(d))
    }

    fn start(&mut self, uuid: &[u8; 16]) -> i32 {
        self.next_id += 1;
        let id = self.next_id;
        if let Some(d) = self.doms.get_mut(uuid) {
            d.id = id;
            d.state = DomainState::Running as i32;
            d.reason = DomainRunningReason::Booted as i32;
            if d.persistent {
                self.newdef.insert(*uuid);
            }
        }
        self.by_id.insert(id, *uuid);
        id
    }

    /// The domain as the reference's STOPPED event names it: by its persistent definition (id -1)
    /// when it has one, else with the id it had.
    fn stopped_ref(&self, d: &DomainRef) -> Result<DomainRef> {
        let dom = self.doms.get(&d.uuid).ok_or_else(|| stale(d))?;
        let persistent_def = dom.persistent || self.newdef.contains(&d.uuid);
        Ok(DomainRef {
            id: if persistent_def { -1 } else { dom.id },
            ..dom.domain_ref()
        })
    }

    /// The domain stopped: shut off with `why`; a transient one is gone.
    fn stop(&mut self, uuid: &[u8; 16], why: DomainShutoffReason) {
        let Some(d) = self.doms.get_mut(uuid) else {
            return;
        };
        let id = d.id;
        d.id = -1;
        d.state = DomainState::Shutoff as i32;
        d.reason = why.into();
        let persistent = d.persistent;
        if let Some(next) = d.next_def.take() {
            if persistent {
                d.def = next;
            }
        }
        self.by_id.remove(&id);
        self.newdef.remove(uuid);
        if !persistent {
            self.remove(uuid);
        }
    }
}

fn stale(d: &DomainRef) -> Error {
    super::stale_handle(VIR_FROM_TEST, d)
}

fn not_found() -> Error {
    Error::new(VIR_ERR_NO_DOMAIN, VIR_FROM_TEST, None)
}

/// libvirt's virCheckFlags in a test driver function: the flags, typed, when all are accepted.
fn check_flags<F: bitflags::Flags<Bits = u32>>(
    flags: u32,
    accepted: F,
    function: &str,
) -> Result<F> {
    crate::api::check_flags(function, flags, accepted, VIR_FROM_TEST)
}

fn check_active(d: &Dom) -> Result<()> {
    if d.active() {
        Ok(())
    } else {
        Err(Error::operation_invalid("domain is not running"))
    }
}

pub struct TestDriver {
    state: Mutex<State>,
    bus: Arc<Bus>,
    /// The host a node file describes (the reference's defaults otherwise).
    node_info: node_file::NodeInfo,
    /// The node file's `<auth>` users: none means no authentication.
    users: Vec<node_file::User>,
    networks: network::Networks,
    interfaces: interface::Interfaces,
    storage: storage::Storage,
    devices: node_device::NodeDevices,
}

/// The host name the reference's test driver names in its credential prompts.
const AUTH_HOST: &str = "localhost";
/// The service the test driver looks its credentials up for in auth.conf.
const AUTH_SERVICE: &str = "test";

static SHARED_DEFAULT: Mutex<Weak<TestDriver>> = Mutex::new(Weak::new());

/// `test:///default` (shared) or `test:///PATH` (a node file, loaded afresh for each connection:
/// the reference shares no state between them). A node file with `<auth>` users asks `prompter`
/// for a name and a password, as the reference does, before the connection opens.
pub fn open(uri: &Uri, prompter: Option<&dyn Prompter>) -> Result<Arc<dyn Driver>> {
    let path = uri.path();
    if path.is_empty() || path == "/" {
        return Err(Error::with(
            VIR_ERR_INVALID_ARG,
            VIR_FROM_TEST,
            "testOpen: supply a path or use test:///default",
        ));
    }
    let driver = if path == "/default" {
        shared_default()
    } else {
        Arc::new(TestDriver::from_node_file(path)?)
    };
    driver.authenticate(prompter, uri)?;
    Ok(driver)
}

fn shared_default() -> Arc<TestDriver> {
    let mut shared = SHARED_DEFAULT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(d) = shared.upgrade() {
        return d;
    }
    let d = Arc::new(TestDriver::with_default_domain());
    *shared = Arc::downgrade(&d);
    d
}

impl TestDriver {
    fn empty() -> TestDriver {
        TestDriver {
            state: Mutex::new(State::default()),
            bus: Bus::new(),
            node_info: node_file::default_node_info(),
            users: Vec::new(),
            networks: Default::default(),
            interfaces: Default::default(),
            storage: Default::default(),
            devices: Default::default(),
        }
    }

    /// The host, domains and users a node file describes. Its domains run (ids from 1, in file
    /// order), persistent, as the reference starts them.
    fn from_node_file(path: &str) -> Result<TestDriver> {
        let file = node_file::load(path)?;
        let mut driver = TestDriver::empty();
        driver.node_info = file.node_info;
        driver.users = file.users;
        driver.load_objects(&file.objects)?;
        {
            let mut st = driver.lock();
            for def in file.domains {
                Self::check_clash(&st, &def, true)?;
                let uuid = def.uuid;
                // The same domain twice: the later definition replaces the earlier.
                st.remove(&uuid);
                st.insert(Dom::inactive(def, true));
                st.start(&uuid);
                if let Some(d) = st.doms.get_mut(&uuid) {
                    // The reference sets the state again without a reason.
                    d.reason = 0;
                }
            }
        }
        Ok(driver)
    }

    /// testConnectAuthenticate: without users, nothing is asked. Otherwise the name, then (unless
    /// the user is known and has no password) the password, even for an unknown user; a callback
    /// that answers without a result fails the open with no cause given, as the reference's does.
    fn authenticate(&self, prompter: Option<&dyn Prompter>, uri: &Uri) -> Result<()> {
        if self.users.is_empty() {
            return Ok(());
        }
        let asker = auth::Asker {
            service: AUTH_SERVICE,
            uri: Some(uri),
        };
        let name =
            auth::username(prompter, asker, None, AUTH_HOST)?.ok_or_else(Error::unknown_cause)?;
        let user = self.users.iter().find(|u| u.name == name);
        let password = match user {
            Some(node_file::User { password: None, .. }) => None,
            _ => Some(
                auth::password(prompter, asker, &name, AUTH_HOST)?
                    .ok_or_else(Error::unknown_cause)?,
            ),
        };
        match user {
            Some(u) if password.is_none() || u.password == password => Ok(()),
            _ => Err(Error::with(
                VIR_ERR_AUTH_FAILED,
                VIR_FROM_TEST,
                "authentication failed, see test XML for the correct username/password",
            )),
        }
    }

    /// The networks, interfaces, pools and devices a node defines, in the reference's order.
    fn load_objects(&mut self, objects: &node_file::NodeObjects) -> Result<()> {
        self.networks = network::Networks::load(&objects.networks)?;
        self.interfaces = interface::Interfaces::load(&objects.interfaces)?;
        self.storage = storage::Storage::load(&objects.pools)?;
        self.devices = node_device::NodeDevices::load(&objects.devices)?;
        Ok(())
    }

    fn with_default_domain() -> TestDriver {
        let mut d = TestDriver::empty();
        // The reference's default node defines these beside its domain (default_node.rs).
        let defaults = default_node::objects();
        if let Err(e) = d.load_objects(&defaults) {
            crate::error::report(e);
        }
        let def = DomainDef {
            virt_type: "test".into(),
            name: "test".into(),
            uuid: DEFAULT_UUID,
            memory_kib: 8_388_608,
            current_memory_kib: 2_097_152,
            vcpus: 2,
            os_type: "hvm".into(),
            arch: Some("i686".into()),
            machine: None,
            emulator: None,
            on_poweroff: "destroy".into(),
            on_reboot: "restart".into(),
            on_crash: "destroy".into(),
            disks: Vec::new(),
            serial_log: None,
            unknown_devices: Vec::new(),
            unsupported_elements: Vec::new(),
        };
        {
            let mut st = d.lock();
            st.insert(Dom {
                def,
                next_def: None,
                id: 1,
                state: DomainState::Running as i32,
                reason: DomainRunningReason::Unknown as i32,
                persistent: true,
            });
            st.next_id = 1;
        }
        d
    }

    /// Suspend or resume: an active domain in state `from` goes to `to`, with its event.
    fn pause_or_resume(
        &self,
        d: &DomainRef,
        from: i32,
        not_in_from: &str,
        to: (i32, i32),
    ) -> Result<()> {
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            check_active(dom)?;
            if dom.state != from {
                return Err(Error::internal(
                    VIR_FROM_TEST,
                    format!("domain '{}' {not_in_from}", d.name),
                ));
            }
            (dom.state, dom.reason) = to;
            dom.domain_ref()
        };
        let (event, detail) = if to.0 == DomainState::Paused as i32 {
            (kind::SUSPENDED, kind::SUSPENDED_PAUSED)
        } else {
            (kind::RESUMED, kind::RESUMED_UNPAUSED)
        };
        self.bus.emit(&r, event, detail);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Check a new definition against the existing ones, as libvirt's domain list does.
    fn check_clash(st: &State, def: &DomainDef, allow_active: bool) -> Result<()> {
        let same_uuid = st.doms.get(&def.uuid);
        crate::driver::check_clash(
            def,
            same_uuid.map(|d| (d.def.name.as_str(), d.active())),
            st.by_name.get(&def.name),
            allow_active,
        )
    }
}

impl ConnectDriver for TestDriver {
    fn kind(&self) -> &'static str {
        "TEST"
    }

    fn type_name(&self) -> &'static std::ffi::CStr {
        c"TEST"
    }

    fn error_domain(&self) -> i32 {
        VIR_FROM_TEST
    }

    fn hostname(&self) -> Result<String> {
        crate::host::local_hostname()
    }

    fn hypervisor_version(&self) -> Result<u64> {
        Ok(2)
    }

    fn capabilities(&self) -> Result<String> {
        Ok(CAPABILITIES.to_string())
    }
}

impl NodeDriver for TestDriver {
    fn node_info(&self) -> Result<NodeInfo> {
        Ok(self.node_info.clone())
    }
}

impl DomainEventDriver for TestDriver {
    fn domain_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }
}

impl DomainDriver for TestDriver {
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let st = self.lock();
        st.by_name
            .get(name)
            .and_then(|u| st.doms.get(u))
            .map(Dom::domain_ref)
            .ok_or_else(not_found)
    }

    fn lookup_by_uuid(&self, uuid: &[u8; 16]) -> Result<DomainRef> {
        self.lock()
            .doms
            .get(uuid)
            .map(Dom::domain_ref)
            .ok_or_else(not_found)
    }

    fn lookup_by_id(&self, id: i32) -> Result<DomainRef> {
        let st = self.lock();
        st.by_id
            .get(&id)
            .and_then(|u| st.doms.get(u))
            .map(Dom::domain_ref)
            .ok_or_else(not_found)
    }

    fn list_all(&self, flags: u32) -> Result<Vec<DomainRef>> {
        let flags = check_flags(flags, LIST_ALL_FLAGS, "testConnectListAllDomains")?;
        let st = self.lock();
        Ok(st
            .doms
            .values()
            .filter(|d| super::list_filter(flags, d.active(), d.persistent, d.state))
            .map(Dom::domain_ref)
            .collect())
    }

    fn active_ids(&self) -> Result<Vec<i32>> {
        Ok(self
            .lock()
            .doms
            .values()
            .filter(|d| d.active())
            .map(|d| d.id)
            .collect())
    }

    fn defined_names(&self) -> Result<Vec<String>> {
        Ok(self
            .lock()
            .doms
            .values()
            .filter(|d| !d.active())
            .map(|d| d.def.name.clone())
            .collect())
    }

    fn create_xml(&self, _caller: Caller, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, CREATE_XML_FLAGS, "testDomainCreateXML")?;
        let def = domain::xml::parse(xml)?;
        let uuid = def.uuid;
        let r = {
            let mut st = self.lock();
            Self::check_clash(&st, &def, false)?;
            match st.doms.get_mut(&uuid) {
                // Starting an inactive persistent domain with a new definition: the persistent
                // one comes back when it stops.
                Some(existing) => {
                    let persistent_def = std::mem::replace(&mut existing.def, def);
                    existing.next_def = Some(persistent_def);
                }
                None => st.insert(Dom::inactive(def, false)),
            }
            st.start(&uuid);
            st.doms
                .get(&uuid)
                .map(Dom::domain_ref)
                .ok_or_else(not_found)?
        };
        self.bus.emit(&r, kind::STARTED, kind::STARTED_BOOTED);
        Ok(r)
    }

    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, DEFINE_FLAGS, "testDomainDefineXMLFlags")?;
        let def = domain::xml::parse(xml)?;
        let uuid = def.uuid;
        let (r, updated) = {
            let mut st = self.lock();
            Self::check_clash(&st, &def, true)?;
            let updated = match st.doms.get_mut(&uuid) {
                Some(existing) => {
                    if existing.active() {
                        existing.next_def = Some(def);
                    } else {
                        existing.def = def;
                    }
                    existing.persistent = true;
                    true
                }
                None => {
                    st.insert(Dom::inactive(def, true));
                    false
                }
            };
            if updated && st.doms.get(&uuid).is_some_and(Dom::active) {
                st.newdef.insert(uuid);
            }
            (
                st.doms
                    .get(&uuid)
                    .map(Dom::domain_ref)
                    .ok_or_else(not_found)?,
                updated,
            )
        };
        let detail = if updated {
            kind::DEFINED_UPDATED
        } else {
            kind::DEFINED_ADDED
        };
        self.bus.emit(&r, kind::DEFINED, detail);
        Ok(r)
    }

    fn undefine(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, UNDEFINE_FLAGS, "testDomainUndefineFlags")?;
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            let r = dom.domain_ref();
            if dom.active() {
                dom.persistent = false;
            } else {
                st.remove(&d.uuid);
            }
            r
        };
        self.bus.emit(&r, kind::UNDEFINED, kind::UNDEFINED_REMOVED);
        Ok(())
    }

    fn create(&self, _caller: Caller, d: &DomainRef, flags: u32) -> Result<DomainRef> {
        check_flags(flags, CREATE_FLAGS, "testDomainCreateWithFlags")?;
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            if dom.active() {
                return Err(Error::internal(
                    VIR_FROM_TEST,
                    format!("Domain '{}' is already running", d.name),
                ));
            }
            st.start(&d.uuid);
            st.get(d)?.domain_ref()
        };
        self.bus.emit(&r, kind::STARTED, kind::STARTED_BOOTED);
        Ok(r)
    }

    fn destroy(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, DESTROY_FLAGS, "testDomainDestroyFlags")?;
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            check_active(dom)?;
            let r = st.stopped_ref(d)?;
            st.stop(&d.uuid, DomainShutoffReason::Destroyed);
            r
        };
        self.bus.emit(&r, kind::STOPPED, kind::STOPPED_DESTROYED);
        Ok(())
    }

    fn suspend(&self, d: &DomainRef) -> Result<()> {
        self.pause_or_resume(
            d,
            DomainState::Running as i32,
            "not running",
            (DomainState::Paused as i32, DomainPausedReason::User as i32),
        )?;
        Ok(())
    }

    fn resume(&self, d: &DomainRef) -> Result<()> {
        self.pause_or_resume(
            d,
            DomainState::Paused as i32,
            "not paused",
            (
                DomainState::Running as i32,
                DomainRunningReason::Unpaused as i32,
            ),
        )?;
        Ok(())
    }

    fn shutdown(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, SHUTDOWN_FLAGS, "testDomainShutdownFlags")?;
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            if dom.state == DomainState::Shutoff as i32 {
                return Err(Error::internal(
                    VIR_FROM_TEST,
                    format!("domain '{}' not running", d.name),
                ));
            }
            let r = st.stopped_ref(d)?;
            st.stop(&d.uuid, DomainShutoffReason::Shutdown);
            r
        };
        self.bus.emit(&r, kind::STOPPED, kind::STOPPED_SHUTDOWN);
        Ok(())
    }

    fn reboot(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, REBOOT_FLAGS, "testDomainReboot")?;
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            check_active(dom)?;
            // The reference restarts only for on_reboot restart/rename-restart; any other action
            // shuts the domain off, with a STOPPED/SHUTDOWN event.
            if matches!(dom.def.on_reboot.as_str(), "restart" | "rename-restart") {
                dom.state = DomainState::Running as i32;
                dom.reason = DomainRunningReason::Booted as i32;
                return Ok(());
            }
            let r = st.stopped_ref(d)?;
            st.stop(&d.uuid, DomainShutoffReason::Shutdown);
            r
        };
        self.bus.emit(&r, kind::STOPPED, kind::STOPPED_SHUTDOWN);
        Ok(())
    }

    fn state(&self, d: &DomainRef, flags: u32) -> Result<(i32, i32)> {
        check_flags(flags, GET_STATE_FLAGS, "testDomainGetState")?;
        let mut st = self.lock();
        let dom = st.get(d)?;
        Ok((dom.state, dom.reason))
    }

    fn info(&self, d: &DomainRef) -> Result<DomainInfo> {
        let mut st = self.lock();
        let dom = st.get(d)?;
        Ok(DomainInfo {
            state: dom.state,
            max_mem_kib: dom.def.memory_kib,
            memory_kib: dom.def.current_memory_kib,
            vcpus: dom.def.vcpus,
            // The reference's test driver reports the time of day here.
            cpu_time_ns: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as u64 * 1000),
        })
    }

    fn xml_desc(&self, d: &DomainRef, flags: u32) -> Result<String> {
        let flags = check_flags(flags, XML_DESC_FLAGS, "testDomainGetXMLDesc")?;
        let mut st = self.lock();
        let dom = st.get(d)?;
        let inactive = flags.contains(DomainXMLFlags::INACTIVE);
        let id = (dom.active() && !inactive).then_some(dom.id);
        let def = match &dom.next_def {
            Some(next) if inactive => next,
            _ => &dom.def,
        };
        Ok(domain::xml::format(def, id))
    }

    fn os_type(&self, d: &DomainRef) -> Result<String> {
        // The reference's test driver answers "linux" whatever the definition says.
        self.lock().get(d)?;
        Ok("linux".to_string())
    }

    fn is_active(&self, d: &DomainRef) -> Result<bool> {
        let mut st = self.lock();
        Ok(st.get(d)?.active())
    }

    fn is_persistent(&self, d: &DomainRef) -> Result<bool> {
        let mut st = self.lock();
        Ok(st.get(d)?.persistent)
    }

    fn is_updated(&self, _d: &DomainRef) -> Result<bool> {
        Ok(false)
    }
}

impl NetworkEventDriver for TestDriver {}

impl SecretDriver for TestDriver {}

impl NwFilterDriver for TestDriver {}

impl StreamDriver for TestDriver {}
impl DomainSnapshotDriver for TestDriver {}
impl DomainCheckpointDriver for TestDriver {}

const CAPABILITIES: &str = "<capabilities>
  <host>
    <cpu>
      <arch>i686</arch>
    </cpu>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='i686'>
      <wordsize>32</wordsize>
      <domain type='test'/>
    </arch>
  </guest>
</capabilities>
";
