//! Domain events: drivers raise them on their [`Bus`]; callbacks registered on a connection get
//! them delivered from the event loop (a timer in whichever loop is registered, as libvirt's
//! virObjectEventState does), never inside the API call that caused them.
//!
//! One bus per driver instance, as libvirt keeps one event state per driver: callback ids are
//! numbered per bus from 0, and every `test:///default` connection of a process shares one.
//!
//! The reference's rules, kept here:
//! - the bus's timer is added (disabled) when the first callback registers, and removed (with
//!   the queue) when the last one goes; no loop registered means no timer, and registration
//!   fails with `could not initialize domain event timer`;
//! - an event is queued only while a timer exists; the first queued event arms the timer (0 ms);
//! - the timer disarms itself, then hands every queued event to every matching callback, in
//!   registration order, with no lock held, so callbacks may call back into the library;
//! - a callback deregistered while events are being dispatched is only marked, and its free
//!   callback runs once the dispatch is over.

pub(crate) mod hooks;
pub(crate) mod poll;

mod lifecycle;
pub use lifecycle::Lifecycle;
mod monitor;
pub use monitor::{MonitorEvent, MonitorFilter};
mod payload;
pub use payload::{Graphics, GraphicsAddress, Payload};

use crate::api::DomainEventID;
use crate::domain::DomainRef;
use crate::error::{Error, Result, VIR_ERR_INVALID_ARG, VIR_FROM_NONE};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};

/// One lifecycle event (virDomainEventType and its detail).
#[derive(Clone, Debug, PartialEq)]
pub struct DomainEvent {
    pub domain: DomainRef,
    pub event: i32,
    pub detail: i32,
    /// The registrations' event id this event is for: EVENT_ID_LIFECYCLE for a domain's; the
    /// other families' ids are offset (their objects share the driver's callback ids, as the
    /// reference's one virObjectEventState per driver).
    pub event_id: i32,
    /// What a domain event other than a lifecycle one hands its callback (payload.rs).
    pub payload: Payload,
}

// Written as its value, not as `DomainEventID::Lifecycle as i32`: cbindgen copies this constant
// (and its doc line) into qemu_process.h and cannot evaluate the cast. The assertion ties the two.
/// VIR_DOMAIN_EVENT_ID_LIFECYCLE: the only event id drivers raise.
pub const EVENT_ID_LIFECYCLE: i32 = 0;
const _: () = assert!(EVENT_ID_LIFECYCLE == DomainEventID::Lifecycle as i32);

/// The event families whose callbacks share a driver's bus, numbered from one counter as the
/// reference's one event state per driver numbers them. A registration's event id on the bus is
/// its family's id offset past the other families' ([`Family::bus_id`]); domains' are as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Domain = 0,
    Network = 1,
    StoragePool = 2,
    NodeDevice = 3,
    Secret = 4,
    /// qemu's raw monitor events (libvirt-qemu's): one event id, 0.
    QemuMonitor = 5,
}

impl Family {
    /// Room for each family's ids (libvirt 9.0's largest, the domain's, has 27).
    const STRIDE: i32 = 0x100;

    /// The bus's event id for this family's `event_id`.
    pub fn bus_id(self, event_id: i32) -> i32 {
        self as i32 * Self::STRIDE + event_id
    }

    /// The family and its own event id of a bus's event id.
    pub fn split(bus_id: i32) -> Option<(Family, i32)> {
        let family = match bus_id.div_euclid(Self::STRIDE) {
            0 => Family::Domain,
            1 => Family::Network,
            2 => Family::StoragePool,
            3 => Family::NodeDevice,
            4 => Family::Secret,
            5 => Family::QemuMonitor,
            _ => return None,
        };
        Some((family, bus_id.rem_euclid(Self::STRIDE)))
    }
}

/// Where a daemon's client (the remote driver) gets its events from, as the reference's remote
/// driver does: the daemon is asked for an event id's events when its first callback registers,
/// and told when its last one goes.
pub trait Upstream: Send + Sync {
    /// The first callback of the bus's `event_id` registered (the registration fails with it).
    fn first(&self, event_id: i32) -> Result<()>;
    /// The last callback of `event_id` went, deregistered through `family`'s function (which
    /// names the daemon's registration to the daemon as one of its own family).
    fn last(&self, family: Family, event_id: i32) -> Result<()>;
    /// As `first`, knowing whether the callback came through virConnectDomainEventRegister
    /// (`legacy`): a daemon without callback ids has a procedure of its own for that one.
    fn first_via(&self, event_id: i32, _legacy: bool) -> Result<()> {
        self.first(event_id)
    }
    /// As `last`, knowing whether the callback that went was a legacy one (see `first_via`).
    fn last_via(&self, family: Family, event_id: i32, _legacy: bool) -> Result<()> {
        self.last(family, event_id)
    }
}

/// A registered callback's receiving end (the C callback and its data, in `ffi::event`).
pub trait Listener: Send + Sync {
    /// Deliver one lifecycle event. Called from the event loop with no lock held.
    fn lifecycle(&self, ev: &DomainEvent);
    /// The registration is gone: free the application's data. Called exactly once, with no
    /// lock held; never for a registration that failed.
    fn release(&self);
    /// Then give back what the registration held (its connection). Called once, after
    /// `release`.
    fn detach(&self);
}

/// What identifies a registration (libvirt's duplicate check compares all of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The connection handle that registered (callbacks are per connection).
    pub conn_key: usize,
    pub event_id: i32,
    /// Registered through the legacy virConnectDomainEventRegister.
    pub legacy: bool,
    /// Only events of the domain with this UUID.
    pub filter: Option<[u8; 16]>,
    /// Which of the application's functions this is (legacy deregistration names it).
    pub func: CallbackIdentity,
}

/// The identity of an application's callback function: its address, only ever compared, never
/// called through (the C boundary keeps the callable pointer itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackIdentity(pub usize);

struct Entry {
    id: i32,
    reg: Registration,
    listener: Arc<dyn Listener>,
    deleted: bool,
    /// A qemu monitor callback's choice of events.
    monitor: Option<MonitorFilter>,
}

impl Entry {
    fn wants(&self, ev: &DomainEvent) -> bool {
        !self.deleted
            && self.reg.event_id == ev.event_id
            && self.reg.filter.is_none_or(|u| u == ev.domain.uuid)
            && match (&self.monitor, &ev.payload) {
                (Some(f), Payload::QemuMonitor(m)) => f.accepts(m),
                (None, _) => true,
                (Some(_), _) => false,
            }
    }
}

#[derive(Default)]
struct State {
    callbacks: Vec<Entry>,
    next_id: i32,
    queue: VecDeque<DomainEvent>,
    /// The timer in the registered loop, while any callback is registered.
    timer: Option<i32>,
    dispatching: bool,
}

/// A driver's event state.
pub struct Bus {
    /// This bus's key in [`BUSES`]: the opaque value its timer carries through the loop.
    key: usize,
    state: Mutex<State>,
    /// The bus of a daemon's client (the remote driver), whose errors are the reference's
    /// client's rather than its drivers'.
    client: bool,
    /// The daemon a client's bus gets its events from.
    upstream: std::sync::OnceLock<Box<dyn Upstream>>,
}

static BUSES: LazyLock<Mutex<HashMap<usize, Weak<Bus>>>> = LazyLock::new(Default::default);
static NEXT_BUS: AtomicUsize = AtomicUsize::new(1);

fn buses() -> MutexGuard<'static, HashMap<usize, Weak<Bus>>> {
    BUSES.lock().unwrap_or_else(|p| p.into_inner())
}

/// The bus a timer's opaque value names, if it still exists.
pub(crate) fn bus_by_key(key: usize) -> Option<Arc<Bus>> {
    buses().get(&key).and_then(Weak::upgrade)
}

impl Bus {
    pub fn new() -> Arc<Bus> {
        Self::with_errors(false)
    }

    /// The bus of a connection to a daemon.
    pub fn for_client() -> Arc<Bus> {
        Self::with_errors(true)
    }

    fn with_errors(client: bool) -> Arc<Bus> {
        let key = NEXT_BUS.fetch_add(1, Ordering::Relaxed);
        let bus = Arc::new(Bus {
            key,
            state: Mutex::new(State::default()),
            client,
            upstream: std::sync::OnceLock::new(),
        });
        buses().insert(key, Arc::downgrade(&bus));
        bus
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where this (client's) bus gets its events from; set once.
    pub fn set_upstream(&self, upstream: Box<dyn Upstream>) {
        let _ = self.upstream.set(upstream);
    }

    /// Whether a live callback of `event_id` is registered.
    fn listened(st: &State, event_id: i32) -> bool {
        st.callbacks
            .iter()
            .any(|e| !e.deleted && e.reg.event_id == event_id)
    }

    /// Register a callback; returns its id. On failure `listener` is dropped unreleased.
    pub fn register(&self, reg: Registration, listener: Arc<dyn Listener>) -> Result<i32> {
        self.register_filtered(reg, None, false, listener)
    }

    /// Register a qemu monitor callback with its choice of events (a daemon is not asked here:
    /// each such registration has its own, made by its driver). Only one for every event
    /// (`named` false) is refused as a duplicate, as the reference checks only registrations
    /// without a filter of their own.
    pub fn register_monitor(
        &self,
        reg: Registration,
        named: bool,
        filter: MonitorFilter,
        listener: Arc<dyn Listener>,
    ) -> Result<i32> {
        self.register_filtered(reg, Some(filter), named, listener)
    }

    fn register_filtered(
        &self,
        reg: Registration,
        monitor: Option<MonitorFilter>,
        named: bool,
        listener: Arc<dyn Listener>,
    ) -> Result<i32> {
        let mut st = self.lock();
        if st.callbacks.is_empty() && st.timer.is_none() {
            let t = hooks::add_bus_timer(self.key);
            if t < 0 {
                return Err(Error::internal(
                    VIR_FROM_NONE,
                    "could not initialize domain event timer",
                ));
            }
            st.timer = Some(t);
        }
        if !named && st.callbacks.iter().any(|e| !e.deleted && e.reg == reg) {
            Self::stop_timer_if_idle(&mut st);
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_NONE,
                "event callback already tracked",
            ));
        }
        let id = st.next_id;
        st.next_id += 1;
        let (event_id, legacy) = (reg.event_id, reg.legacy);
        let first = !Self::listened(&st, event_id) && monitor.is_none();
        st.callbacks.push(Entry {
            id,
            reg,
            listener,
            deleted: false,
            monitor,
        });
        drop(st);
        if let (true, Some(up)) = (first, self.upstream.get()) {
            // No lock held: the daemon's answer may come with events for this bus.
            if let Err(e) = up.first_via(event_id, legacy) {
                let mut st = self.lock();
                st.callbacks.retain(|e| e.id != id);
                Self::stop_timer_if_idle(&mut st);
                return Err(e);
            }
        }
        Ok(id)
    }

    /// The daemon's registration now behind the monitor callback `id` (see
    /// [`MonitorFilter::Daemon`]).
    pub fn set_monitor_filter(&self, id: i32, filter: MonitorFilter) {
        let mut st = self.lock();
        if let Some(e) = st.callbacks.iter_mut().find(|e| e.id == id) {
            e.monitor = Some(filter);
        }
    }

    /// Take back the registration `id` whose driver refused it after all, as if it had never
    /// been made: its data is not freed (the reference's client does not free it either).
    pub fn withdraw(&self, id: i32) {
        let mut st = self.lock();
        st.callbacks.retain(|e| e.id != id);
        Self::stop_timer_if_idle(&mut st);
    }

    /// Remove the qemu monitor callback `id` registered on `conn_key`; its filter (a daemon's
    /// client then drops the daemon's registration).
    pub fn deregister_monitor(&self, conn_key: usize, id: i32) -> Result<Option<MonitorFilter>> {
        let filter = {
            let st = self.lock();
            st.callbacks
                .iter()
                .find(|e| e.id == id && e.reg.conn_key == conn_key)
                .and_then(|e| e.monitor.clone())
        };
        self.deregister_through(None, conn_key, id)?;
        Ok(filter)
    }

    /// The id of the legacy registration of `func` on `conn_key`.
    pub fn legacy_id(&self, conn_key: usize, func: CallbackIdentity) -> Result<i32> {
        let st = self.lock();
        st.callbacks
            .iter()
            .find(|e| {
                !e.deleted
                    && e.reg.legacy
                    && e.reg.conn_key == conn_key
                    && e.reg.event_id == EVENT_ID_LIFECYCLE
                    && e.reg.filter.is_none()
                    && e.reg.func == func
            })
            .map(|e| e.id)
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_NONE,
                    format!("event callback function {:#x} not registered", func.0),
                )
            })
    }

    /// Remove the callback `id` registered on `conn_key`. While events are being dispatched it
    /// is only marked, and released once the dispatch is over.
    pub fn deregister(&self, conn_key: usize, id: i32) -> Result<()> {
        self.deregister_through(None, conn_key, id)
    }

    /// Remove the callback `id` through `family`'s deregistration function; a client's bus then
    /// tells its daemon when the callback was the last of its event id, and fails as the
    /// daemon does (the callback is gone all the same, as with the reference's client).
    pub fn deregister_from(&self, family: Family, conn_key: usize, id: i32) -> Result<()> {
        self.deregister_through(Some(family), conn_key, id)
    }

    fn deregister_through(&self, family: Option<Family>, conn_key: usize, id: i32) -> Result<()> {
        let mut st = self.lock();
        let pos = st
            .callbacks
            .iter()
            .position(|e| e.id == id && e.reg.conn_key == conn_key)
            .ok_or_else(|| {
                let message = match self.client {
                    true => format!("event callback id {id} not registered"),
                    false => format!("could not find event callback {id} for deletion"),
                };
                Error::with(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, message)
            })?;
        let (event_id, legacy) = (st.callbacks[pos].reg.event_id, st.callbacks[pos].reg.legacy);
        if st.dispatching {
            st.callbacks[pos].deleted = true;
        } else {
            let gone = st.callbacks.remove(pos);
            drop(st);
            self.finish(vec![gone.listener]);
            st = self.lock();
        }
        let last = !Self::listened(&st, event_id);
        drop(st);
        match (family, self.upstream.get()) {
            (Some(family), Some(up)) if last => up.last_via(family, event_id, legacy),
            _ => Ok(()),
        }
    }

    /// Callbacks taken off the list: their data is freed first and then, with none left, the
    /// timer goes, in the reference's order; last they let go of their connections.
    fn finish(&self, gone: Vec<Arc<dyn Listener>>) {
        for l in &gone {
            l.release();
        }
        Self::stop_timer_if_idle(&mut self.lock());
        for l in &gone {
            l.detach();
        }
    }

    /// No callback left: the timer goes, and so do the events nobody will hear.
    fn stop_timer_if_idle(st: &mut State) {
        if st.callbacks.is_empty() {
            if let Some(t) = st.timer.take() {
                hooks::remove_timeout(t);
            }
            st.queue.clear();
        }
    }

    /// A driver raises an event. Queued only while someone listens; delivered from the loop.
    pub fn emit(&self, domain: &DomainRef, event: Lifecycle) {
        let (event, detail) = event.codes();
        self.emit_for(EVENT_ID_LIFECYCLE, domain, event, detail);
    }

    /// A lifecycle event another libvirt raised (a daemon's, through the remote driver), passed
    /// on as its integers: it may be newer than the types this library knows.
    pub fn forward(&self, domain: &DomainRef, event: i32, detail: i32) {
        self.emit_for(EVENT_ID_LIFECYCLE, domain, event, detail);
    }

    /// An event for the registrations of `event_id` (another family's object named as a domain
    /// is: its name and UUID).
    pub fn emit_for(&self, event_id: i32, object: &DomainRef, event: i32, detail: i32) {
        let mut st = self.lock();
        let Some(timer) = st.timer else { return };
        st.queue.push_back(DomainEvent {
            domain: object.clone(),
            event,
            detail,
            event_id,
            payload: Payload::None,
        });
        if st.queue.len() == 1 {
            hooks::update_timeout(timer, 0);
        }
    }

    /// A device of the domain was plugged in or pulled out (`event_id` DEVICE_ADDED or
    /// DEVICE_REMOVED), named by its alias.
    pub fn emit_device(&self, event_id: i32, domain: &DomainRef, alias: &str) {
        self.emit_payload(event_id, domain, Payload::Text(alias.to_string()));
    }

    /// The timer fired: deliver everything queued so far (events raised by the callbacks
    /// themselves wait for the next round, as the reference's).
    pub(crate) fn flush(&self) {
        let mut st = self.lock();
        if st.dispatching {
            // Another thread is delivering; the timer stays armed for what it did not take.
            return;
        }
        st.dispatching = true;
        let queue = std::mem::take(&mut st.queue);
        if let Some(t) = st.timer {
            hooks::update_timeout(t, -1);
        }
        for ev in &queue {
            // Entries are never removed while dispatching, only appended or marked, so an
            // index stays valid across the unlocked call.
            let mut i = 0;
            while i < st.callbacks.len() {
                let e = &st.callbacks[i];
                i += 1;
                if !e.wants(ev) {
                    continue;
                }
                let listener = e.listener.clone();
                drop(st);
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    listener.lifecycle(ev)
                }));
                st = self.lock();
            }
        }
        let mut gone = Vec::new();
        st.callbacks.retain(|e| {
            if e.deleted {
                gone.push(e.listener.clone());
            }
            !e.deleted
        });
        st.dispatching = false;
        drop(st);
        self.finish(gone);
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        buses().remove(&self.key);
        // Registered callbacks keep their connection, and so this bus, alive: with none left
        // there is normally no timer either. Never leave one firing at a dead bus.
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = st.timer.take() {
            hooks::remove_timeout(t);
        }
    }
}
