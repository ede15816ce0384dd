//! The event registrations of libvirt-domain/libvirt-host: domain event callbacks and close
//! callbacks (the event loops of libvirt-event are `ffi::event_loop`).
//!
//! Behaviour measured on the reference (Debian's libvirt 9.0):
//! - callback ids are numbered per driver from 0 (all `test:///default` connections share one
//!   driver); every registration, legacy ones too, takes an id;
//! - each registered callback holds a reference on its connection (virConnectClose returns 1
//!   while any is registered); the free callback runs when it is deregistered;
//! - close callbacks: our drivers, like the reference's local drivers, have none to offer, so
//!   registering and unregistering only check their arguments and succeed.

use crate::api::DomainEventID;
use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, VIR_FROM_DOMAIN};
use crate::event::{
    CallbackIdentity, DomainEvent, Family, Listener, Registration, EVENT_ID_LIFECYCLE,
};
use crate::ffi::connect::fail;
use crate::ffi::generated::types::{
    virConnectCloseFunc, virConnectDomainEventCallback, virConnectDomainEventGenericCallback,
    virConnectPtr, virDomainPtr, virFreeCallback,
};
use crate::ffi::handles::{self, conn_of, ConnEntry};
use crate::ffi::opaque::Opaque;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// VIR_DOMAIN_EVENT_ID_LAST in libvirt 9.0.
const EVENT_ID_LAST: c_int = DomainEventID::LAST;

/// virConnectCloseFunc, known non-NULL.
type CloseFn = unsafe extern "C" fn(virConnectPtr, c_int, *mut c_void);

type LifecycleFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_int, c_int, *mut c_void) -> c_int;

// ---- domain event callbacks ------------------------------------------------------------------

/// What every C event registration (domain, network, ...) holds besides its callback: the
/// connection handle it registered on (and holds a reference on), the application's data and the
/// function that frees it, called once.
pub(crate) struct Registered {
    pub conn_key: usize,
    pub opaque: Opaque,
    freecb: virFreeCallback,
    released: AtomicBool,
}

impl Registered {
    pub fn new(conn_key: usize, opaque: *mut c_void, freecb: virFreeCallback) -> Registered {
        Registered {
            conn_key,
            opaque: Opaque::new(opaque),
            freecb,
            released: AtomicBool::new(false),
        }
    }

    /// The connection handle, while it lives.
    pub fn connection(&self) -> Option<Arc<ConnEntry>> {
        handles::connection(self.conn_key as virConnectPtr)
    }

    /// Listener::release: the free function, once.
    pub fn release(&self) {
        if self.released.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(f) = self.freecb {
            // SAFETY: the application's free callback for the data it registered, called once.
            unsafe { f(self.opaque.as_ptr()) }
        }
    }

    /// Listener::detach: give back the connection reference.
    pub fn detach(&self) {
        handles::unref_connection(self.conn_key);
    }
}

/// A registered C callback: delivers with a domain handle valid for the call.
struct CListener {
    reg: Registered,
    cb: Option<LifecycleFn>,
    /// The callback of an event id other than the lifecycle's, as registered (event_payload.rs).
    generic: virConnectDomainEventGenericCallback,
}

impl Listener for CListener {
    fn lifecycle(&self, ev: &DomainEvent) {
        let Some(ce) = self.reg.connection() else {
            return;
        };
        if ev.event_id != EVENT_ID_LIFECYCLE {
            let Some(g) = self.generic else { return };
            let dom = handles::new_domain(self.reg.conn_key, &ce, &ev.domain);
            if dom.is_null() {
                return;
            }
            // SAFETY: the application's callback registered for this event id, a domain handle
            // valid until the call returns, and its data.
            unsafe {
                crate::ffi::event_payload::deliver(
                    g,
                    self.reg.conn_key as virConnectPtr,
                    dom,
                    ev,
                    self.reg.opaque.as_ptr(),
                )
            };
            handles::unref_domain(dom as usize);
            return;
        }
        let Some(cb) = self.cb else { return };
        let dom = handles::new_domain(self.reg.conn_key, &ce, &ev.domain);
        if dom.is_null() {
            return;
        }
        // SAFETY: the application's lifecycle callback, with the connection handle it
        // registered on, a domain handle that stays valid until the call returns, and its data.
        unsafe {
            cb(
                self.reg.conn_key as virConnectPtr,
                dom,
                ev.event,
                ev.detail,
                self.reg.opaque.as_ptr(),
            )
        };
        handles::unref_domain(dom as usize);
    }

    fn release(&self) {
        self.reg.release()
    }

    fn detach(&self) {
        self.reg.detach()
    }
}

/// Register on the connection's driver; the callback holds a connection reference from now on.
fn register(
    c: virConnectPtr,
    e: &ConnEntry,
    reg: Registration,
    cb: Option<LifecycleFn>,
    generic: virConnectDomainEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> Result<i32> {
    let function = match reg.legacy {
        true => "virConnectDomainEventRegister",
        false => "virConnectDomainEventRegisterAny",
    };
    let bus = e.conn.driver.domain_event().domain_events(function)?;
    handles::ref_connection(e);
    let listener = Arc::new(CListener {
        reg: Registered::new(c as usize, opaque, freecb),
        cb,
        generic,
    });
    bus.register(reg, listener).inspect_err(|_| {
        handles::unref_connection(c as usize);
    })
}

pub(crate) unsafe fn virConnectDomainEventRegisterAny(
    conn: virConnectPtr,
    dom: virDomainPtr,
    eventID: c_int,
    cb: virConnectDomainEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    const F: &str = "virConnectDomainEventRegisterAny";
    let r = (|| {
        let e = conn_of(conn, F)?;
        let Some(generic) = cb else {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, F, "cb"));
        };
        if eventID < 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                F,
                "eventID",
                format!("eventID in {F} must be zero or greater"),
            ));
        }
        if eventID >= EVENT_ID_LAST {
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                F,
                "eventID",
                format!("eventID must be less than {EVENT_ID_LAST}"),
            ));
        }
        let filter = if dom.is_null() {
            None
        } else {
            let d = handles::domain(dom)
                .ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, F))?;
            if d.conn_key() != conn as usize {
                return Err(Error::invalid_arg(
                    VIR_FROM_DOMAIN,
                    F,
                    "dom",
                    format!(
                        "domain '{}' must match connection",
                        crate::ctext::decode(d.name().to_bytes())
                    ),
                ));
            }
            Some(d.uuid)
        };
        let lifecycle = (eventID == EVENT_ID_LIFECYCLE).then(|| {
            // SAFETY: for VIR_DOMAIN_EVENT_ID_LIFECYCLE the application passes a
            // virConnectDomainEventCallback cast to the generic type (VIR_DOMAIN_EVENT_CALLBACK),
            // so this casts it back to what it is.
            unsafe {
                std::mem::transmute::<
                    unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void),
                    LifecycleFn,
                >(generic)
            }
        });
        let reg = Registration {
            conn_key: conn as usize,
            event_id: eventID,
            legacy: false,
            filter,
            func: CallbackIdentity(generic as usize),
        };
        let generic = (eventID != EVENT_ID_LIFECYCLE).then_some(generic);
        register(conn, &e, reg, lifecycle, generic, opaque, freecb)
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virConnectDomainEventDeregisterAny(
    conn: virConnectPtr,
    callbackID: c_int,
) -> c_int {
    const F: &str = "virConnectDomainEventDeregisterAny";
    let r = conn_of(conn, F).and_then(|e| {
        if callbackID < 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                F,
                "callbackID",
                format!("callbackID in {F} must be zero or greater"),
            ));
        }
        e.conn
            .driver
            .domain_event()
            .domain_events(F)?
            .deregister_from(Family::Domain, conn as usize, callbackID)
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}

pub(crate) unsafe fn virConnectDomainEventRegister(
    conn: virConnectPtr,
    cb: virConnectDomainEventCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    const F: &str = "virConnectDomainEventRegister";
    let r = conn_of(conn, F).and_then(|e| {
        let Some(f) = cb else {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, F, "cb"));
        };
        let reg = Registration {
            conn_key: conn as usize,
            event_id: EVENT_ID_LIFECYCLE,
            legacy: true,
            filter: None,
            func: CallbackIdentity(f as usize),
        };
        register(conn, &e, reg, Some(f), None, opaque, freecb)
    });
    match r {
        // The legacy call answers 0, not the id it took.
        Ok(_) => 0,
        Err(e) => fail(e, -1),
    }
}

pub(crate) unsafe fn virConnectDomainEventDeregister(
    conn: virConnectPtr,
    cb: virConnectDomainEventCallback,
) -> c_int {
    const F: &str = "virConnectDomainEventDeregister";
    let r = conn_of(conn, F).and_then(|e| {
        let Some(f) = cb else {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, F, "cb"));
        };
        let bus = e.conn.driver.domain_event().domain_events(F)?;
        let id = bus.legacy_id(conn as usize, CallbackIdentity(f as usize))?;
        bus.deregister_from(Family::Domain, conn as usize, id)
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}

// ---- close callbacks -------------------------------------------------------------------------

fn close_callback_check(conn: virConnectPtr, cb: virConnectCloseFunc, function: &str) -> c_int {
    let r = conn_of(conn, function).and_then(|_| match cb {
        Some(_) => Ok(()),
        None => Err(Error::null_arg(VIR_FROM_DOMAIN, function, "cb")),
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}

/// Close callbacks of connections to a daemon (the remote driver), as the reference's remote
/// driver keeps them: one per connection, holding a reference on it (virConnectClose answers 1
/// while one is registered), released with the free function's call: on unregistering, or right
/// after the callback has run (the function itself stays registered: a second registration, or
/// unregistering another function, is refused). Local drivers never close a connection by
/// themselves and, as the reference's, keep nothing.
#[derive(Clone, Copy)]
struct CloseCallback {
    cb: CloseFn,
    opaque: Opaque,
    freecb: virFreeCallback,
    /// The registration still holds its reference on the connection (until it is released).
    holds_ref: bool,
}

impl CloseCallback {
    /// What the registration still owes: its free function's call and its connection reference.
    /// The function stays registered.
    fn release(&mut self) -> CloseCallback {
        let owed = *self;
        self.opaque = Opaque::new(std::ptr::null_mut());
        self.freecb = None;
        self.holds_ref = false;
        owed
    }
}

/// By connection handle: the registered callback, if any (the entry lives as long as the handle:
/// the hook that calls it is in place for that long).
static CLOSE_CALLBACKS: std::sync::Mutex<Vec<(usize, Option<CloseCallback>)>> =
    std::sync::Mutex::new(Vec::new());

fn close_callbacks() -> std::sync::MutexGuard<'static, Vec<(usize, Option<CloseCallback>)>> {
    CLOSE_CALLBACKS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The connection handle `conn_key` is gone: so is its entry.
pub(crate) fn forget_close_callback(conn_key: usize) {
    close_callbacks().retain(|(k, _)| *k != conn_key);
}

/// Run what a registration owed, outside the registry's lock: the free function, then the
/// release of its connection reference (which may close the connection).
fn settle(conn_key: usize, owed: &CloseCallback) {
    if let Some(f) = owed.freecb {
        // SAFETY: the application's free function on its own data.
        let _ = catch_unwind(AssertUnwindSafe(|| unsafe { f(owed.opaque.as_ptr()) }));
    }
    if owed.holds_ref {
        handles::unref_connection(conn_key);
    }
}

/// The daemon went away: tell the application, once, with libvirt's close reason; then the
/// registration lets go of its data and its connection.
fn connection_closed(conn_key: usize, reason: i32) {
    let owed = close_callbacks()
        .iter_mut()
        .find(|(k, _)| *k == conn_key)
        .and_then(|(_, c)| c.as_mut())
        .filter(|c| c.holds_ref)
        .map(CloseCallback::release);
    let Some(c) = owed else { return };
    // SAFETY: the application's callback with its connection handle (alive: the registration
    // holds a reference until `settle`), the reason and its data.
    let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
        (c.cb)(conn_key as virConnectPtr, reason, c.opaque.as_ptr())
    }));
    settle(conn_key, &c);
}

fn close_callback_refused(text: &str) -> c_int {
    fail(
        Error::with(
            crate::error::VIR_ERR_OPERATION_INVALID,
            crate::error::VIR_FROM_REMOTE,
            text,
        ),
        -1,
    )
}

pub(crate) unsafe fn virConnectRegisterCloseCallback(
    conn: virConnectPtr,
    cb: virConnectCloseFunc,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    let r = close_callback_check(conn, cb, "virConnectRegisterCloseCallback");
    let (Some(f), Some(e)) = (cb, handles::connection(conn)) else {
        return r;
    };
    if r != 0 || !e.conn.driver.connect().can_close() {
        return r;
    }
    let key = conn as usize;
    let entry = CloseCallback {
        cb: f,
        opaque: Opaque::new(opaque),
        freecb,
        holds_ref: true,
    };
    let registered =
        |all: &[(usize, Option<CloseCallback>)]| all.iter().any(|(k, c)| *k == key && c.is_some());
    if registered(&close_callbacks()[..]) {
        return close_callback_refused("A close callback is already registered");
    }
    // As the reference: the daemon is told before the callback counts as registered (and a
    // refusal leaves it unregistered); not under the registry's lock, which a call must not hold.
    if let Err(err) = e.conn.driver.connect().close_callback_registered(true) {
        return fail(err, -1);
    }
    let hook = {
        let mut all = close_callbacks();
        match all.iter_mut().find(|(k, _)| *k == key) {
            Some((_, Some(_))) => {
                drop(all);
                return close_callback_refused("A close callback is already registered");
            }
            Some((_, slot)) => {
                handles::ref_connection(&e);
                *slot = Some(entry);
                false
            }
            None => {
                handles::ref_connection(&e);
                all.push((key, Some(entry)));
                true
            }
        }
    };
    if hook {
        e.conn
            .driver
            .connect()
            .on_close(Box::new(move |reason| connection_closed(key, reason)));
    }
    0
}

pub(crate) unsafe fn virConnectUnregisterCloseCallback(
    conn: virConnectPtr,
    cb: virConnectCloseFunc,
) -> c_int {
    let r = close_callback_check(conn, cb, "virConnectUnregisterCloseCallback");
    let (Some(f), Some(e)) = (cb, handles::connection(conn)) else {
        return r;
    };
    if r != 0 || !e.conn.driver.connect().can_close() {
        return r;
    }
    let key = conn as usize;
    let is_ours = |all: &[(usize, Option<CloseCallback>)]| {
        all.iter()
            .any(|(k, c)| *k == key && c.is_some_and(|c| std::ptr::fn_addr_eq(c.cb, f)))
    };
    if !is_ours(&close_callbacks()[..]) {
        return close_callback_refused("A different callback was requested");
    }
    // As the reference: the daemon is told first, and a refusal leaves the callback registered.
    if let Err(err) = e.conn.driver.connect().close_callback_registered(false) {
        return fail(err, -1);
    }
    let removed = {
        let mut all = close_callbacks();
        let slot = all.iter_mut().find(|(k, _)| *k == key).map(|(_, s)| s);
        match slot {
            Some(s) if s.is_some_and(|c| std::ptr::fn_addr_eq(c.cb, f)) => {
                s.take().map(|mut c| c.release())
            }
            _ => {
                drop(all);
                return close_callback_refused("A different callback was requested");
            }
        }
    };
    if let Some(c) = removed {
        settle(conn as usize, &c);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_callback_entry_goes_with_its_connection_handle() {
        let conn = crate::conn::open(Some("test:///default"), 0, None).expect("test driver opens");
        let key = handles::new_connection(conn) as usize;
        close_callbacks().push((key, None));
        assert!(close_callbacks().iter().any(|(k, _)| *k == key));
        assert_eq!(handles::unref_connection(key), 0);
        assert!(!close_callbacks().iter().any(|(k, _)| *k == key));
    }
}
