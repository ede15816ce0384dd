//! libvirt-qemu's monitor event callbacks (virConnectDomainQemuMonitorEventRegister and
//! virConnectDomainQemuMonitorEventDeregister; their exports are in `ffi::qemu_libs`).
//!
//! The reference's order, kept: the public checks (connection, domain, callback, read-only);
//! then the driver's checks of the flags and the event pattern; the registration takes its id
//! from the domain events' counter. A daemon's client registers locally first, then asks its
//! daemon, and takes the registration back (without freeing the application's data) when the
//! daemon refuses.

use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM};
use crate::event::{CallbackIdentity, DomainEvent, Family, Listener, Payload, Registration};
use crate::ffi::event::Registered;
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr, virFreeCallback};
use crate::ffi::handles;
use crate::ffi::qemu_libs::{named, LIB_FROM};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_longlong, c_uint, c_void};
use std::sync::Arc;

/// virConnectDomainQemuMonitorEventCallback, known non-NULL.
pub(crate) type MonitorFn = unsafe extern "C" fn(
    virConnectPtr,
    virDomainPtr,
    *const c_char,
    c_longlong,
    c_uint,
    *const c_char,
    *mut c_void,
);

struct MonitorListener {
    reg: Registered,
    cb: MonitorFn,
}

impl Listener for MonitorListener {
    fn lifecycle(&self, ev: &DomainEvent) {
        let Payload::QemuMonitor(m) = &ev.payload else {
            return;
        };
        let Some(ce) = self.reg.connection() else {
            return;
        };
        let Ok(name) = CString::new(m.event.as_str()) else {
            return;
        };
        let details = m.details.as_deref().and_then(|d| CString::new(d).ok());
        let dom = handles::new_domain(self.reg.conn_key, &ce, &ev.domain);
        if dom.is_null() {
            return;
        }
        // SAFETY: the application's monitor callback, with the connection handle it registered
        // on, a domain handle valid until the call returns, C strings that outlive the call,
        // and its data.
        unsafe {
            (self.cb)(
                self.reg.conn_key as virConnectPtr,
                dom,
                name.as_ptr(),
                m.seconds,
                m.micros,
                details.as_ref().map_or(std::ptr::null(), |d| d.as_ptr()),
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

/// virConnectDomainQemuMonitorEventRegister, its arguments read.
pub(crate) fn register(
    conn: virConnectPtr,
    dom: virDomainPtr,
    event: Option<String>,
    cb: Option<MonitorFn>,
    opaque: *mut c_void,
    freecb: virFreeCallback,
    flags: c_uint,
) -> Result<c_int> {
    const F: &str = "virConnectDomainQemuMonitorEventRegister";
    let e = handles::require_connection(conn, LIB_FROM, F)?;
    let domain = match dom.is_null() {
        true => None,
        false => {
            let d = handles::domain(dom)
                .ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, F))?;
            if d.conn_key() != conn as usize {
                let name = crate::ctext::decode(d.name().to_bytes());
                return Err(Error::invalid_arg(
                    LIB_FROM,
                    F,
                    "dom",
                    format!("domain '{name}' in {F} must match connection"),
                ));
            }
            Some(d.domain_ref())
        }
    };
    let Some(cb) = cb else {
        return Err(Error::null_arg(LIB_FROM, F, "cb"));
    };
    if e.conn.read_only {
        return Err(Error::read_only_in(LIB_FROM, F));
    }
    let events = e.conn.driver.domain_event();
    let bus = events.qemu_monitor_events(F).map_err(|x| named(x, F))?;
    let filter = events.qemu_monitor_filter(event.as_deref(), flags)?;
    let reg = Registration {
        conn_key: conn as usize,
        event_id: Family::QemuMonitor.bus_id(0),
        legacy: false,
        filter: domain.as_ref().map(|d| d.uuid),
        func: CallbackIdentity(cb as usize),
    };
    handles::ref_connection(&e);
    let listener = Arc::new(MonitorListener {
        reg: Registered::new(conn as usize, opaque, freecb),
        cb,
    });
    let id = bus
        .register_monitor(reg, event.is_some(), filter, listener)
        .inspect_err(|_| {
            handles::unref_connection(conn as usize);
        })?;
    if let Err(err) = events.qemu_monitor_subscribe(id, domain.as_ref(), event.as_deref(), flags) {
        bus.withdraw(id);
        handles::unref_connection(conn as usize);
        return Err(err);
    }
    Ok(id)
}

/// virConnectDomainQemuMonitorEventDeregister.
pub(crate) fn deregister(conn: virConnectPtr, callback_id: c_int) -> Result<c_int> {
    const F: &str = "virConnectDomainQemuMonitorEventDeregister";
    let e = handles::require_connection(conn, LIB_FROM, F)?;
    if callback_id < 0 {
        return Err(Error::invalid_arg(
            LIB_FROM,
            F,
            "callbackID",
            format!("callbackID in {F} must be zero or greater"),
        ));
    }
    if e.conn.read_only {
        return Err(Error::read_only_in(LIB_FROM, F));
    }
    let events = e.conn.driver.domain_event();
    let bus = events.qemu_monitor_events(F).map_err(|x| named(x, F))?;
    if let Some(filter) = bus.deregister_monitor(conn as usize, callback_id)? {
        events.qemu_monitor_unsubscribe(&filter)?;
    }
    Ok(0)
}
