//! virConnectNetworkEventRegisterAny and virConnectNetworkEventDeregisterAny: network lifecycle
//! callbacks on the bus a driver raises network events on (its NetworkEventDriver), delivered
//! from the event loop with a network handle valid for the call, as the reference's.

use crate::api::NetworkEventID;
use crate::driver::NetworkRef;
use crate::error::{Error, Result, VIR_FROM_NETWORK};
use crate::event::{DomainEvent, Family, Listener, Registration, EVENT_ID_LIFECYCLE};
use crate::ffi::connect::fail;
use crate::ffi::event::Registered;
use crate::ffi::generated::types::{
    virConnectNetworkEventGenericCallback, virConnectPtr, virFreeCallback, virNetworkPtr,
};
use crate::ffi::handles::{self, require_connection};
use crate::ffi::objects;
use std::os::raw::{c_int, c_void};
use std::sync::Arc;

/// VIR_NETWORK_EVENT_ID_LAST in libvirt 9.0.
const EVENT_ID_LAST: c_int = NetworkEventID::LAST;
const _: () = assert!(EVENT_ID_LIFECYCLE == NetworkEventID::Lifecycle as i32);

type LifecycleFn = unsafe extern "C" fn(virConnectPtr, virNetworkPtr, c_int, c_int, *mut c_void);

/// A registered C callback; on release it frees the application's data and gives back the
/// connection reference it held.
struct NetListener {
    reg: Registered,
    cb: Option<LifecycleFn>,
}

impl Listener for NetListener {
    fn lifecycle(&self, ev: &DomainEvent) {
        let Some(cb) = self.cb else { return };
        let Some(ce) = self.reg.connection() else {
            return;
        };
        let net = NetworkRef {
            name: ev.domain.name.clone(),
            uuid: ev.domain.uuid,
        };
        let handle = objects::new_handle(self.reg.conn_key, &ce, net, None);
        // SAFETY: the application's lifecycle callback, with the connection handle it
        // registered on, a network handle that stays valid until the call returns, and its data.
        unsafe {
            cb(
                self.reg.conn_key as virConnectPtr,
                handle,
                ev.event,
                ev.detail,
                self.reg.opaque.as_ptr(),
            )
        };
        objects::free::<NetworkRef>("virNetworkFree", handle);
    }

    fn release(&self) {
        self.reg.release()
    }

    fn detach(&self) {
        self.reg.detach()
    }
}

/// The public layer's checks, in the reference's order: the network, the callback, the id.
fn register(
    conn: virConnectPtr,
    net: virNetworkPtr,
    event_id: c_int,
    cb: virConnectNetworkEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> Result<i32> {
    const F: &str = "virConnectNetworkEventRegisterAny";
    let e = require_connection(conn, VIR_FROM_NETWORK, F)?;
    let filter = if net.is_null() {
        None
    } else {
        let n = objects::require::<NetworkRef>(net, F)?;
        if n.conn_key() != conn as usize {
            return Err(Error::invalid_arg(
                VIR_FROM_NETWORK,
                F,
                "net",
                format!("network '{}' in {F} must match connection", n.obj.name),
            ));
        }
        Some(n.obj.uuid)
    };
    let Some(generic) = cb else {
        return Err(Error::null_arg(VIR_FROM_NETWORK, F, "cb"));
    };
    if event_id < 0 {
        return Err(Error::invalid_arg(
            VIR_FROM_NETWORK,
            F,
            "eventID",
            format!("eventID in {F} must be zero or greater"),
        ));
    }
    if event_id >= EVENT_ID_LAST {
        return Err(Error::invalid_arg(
            VIR_FROM_NETWORK,
            F,
            "eventID",
            format!("eventID in {F} must be less than {EVENT_ID_LAST}"),
        ));
    }
    // SAFETY: for VIR_NETWORK_EVENT_ID_LIFECYCLE (the only id) the application passes a
    // virConnectNetworkEventLifecycleCallback cast to the generic type
    // (VIR_NETWORK_EVENT_CALLBACK), so this casts it back to what it is.
    let lifecycle = unsafe {
        std::mem::transmute::<
            unsafe extern "C" fn(virConnectPtr, virNetworkPtr, *mut c_void),
            LifecycleFn,
        >(generic)
    };
    let bus = e.conn.driver.network_event().network_events(F)?;
    handles::ref_connection(&e);
    let listener = Arc::new(NetListener {
        reg: Registered::new(conn as usize, opaque, freecb),
        cb: Some(lifecycle),
    });
    let reg = Registration {
        conn_key: conn as usize,
        event_id: crate::event::Family::Network.bus_id(event_id),
        legacy: false,
        filter,
        func: crate::event::CallbackIdentity(generic as usize),
    };
    bus.register(reg, listener).inspect_err(|_| {
        handles::unref_connection(conn as usize);
    })
}

pub(crate) unsafe fn virConnectNetworkEventRegisterAny(
    conn: virConnectPtr,
    net: virNetworkPtr,
    eventID: c_int,
    cb: virConnectNetworkEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    register(conn, net, eventID, cb, opaque, freecb).unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virConnectNetworkEventDeregisterAny(
    conn: virConnectPtr,
    callbackID: c_int,
) -> c_int {
    const F: &str = "virConnectNetworkEventDeregisterAny";
    let r = require_connection(conn, VIR_FROM_NETWORK, F).and_then(|e| {
        if callbackID < 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_NETWORK,
                F,
                "callbackID",
                format!("callbackID in {F} must be zero or greater"),
            ));
        }
        e.conn
            .driver
            .network_event()
            .network_events(F)?
            .deregister_from(Family::Network, conn as usize, callbackID)
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}
