//! The node device calls with shapes of their own: virNodeDeviceGetParent (a string the handle
//! keeps) and the event callbacks (virConnectNodeDeviceEventRegisterAny and DeregisterAny),
//! which ride on the driver's event bus beside the domain's and the pools', numbered with them,
//! as the reference's callbacks share one event state per driver.

use crate::driver::NodeDeviceRef;
use crate::error::{Error, VIR_FROM_NODEDEV};
use crate::event::{CallbackIdentity, DomainEvent, Listener, Registration};
use crate::ffi::args;
use crate::ffi::connect::fail;
use crate::ffi::event::Registered;
use crate::ffi::generated::types::{
    virConnectNodeDeviceEventGenericCallback, virConnectPtr, virFreeCallback, virNodeDevicePtr,
    VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, VIR_NODE_DEVICE_EVENT_ID_UPDATE,
};
use crate::ffi::handles;
use crate::ffi::objects;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;
use std::sync::Arc;

/// VIR_NODE_DEVICE_EVENT_ID_LAST in libvirt 9.0.
const EVENT_ID_LAST: c_int = VIR_NODE_DEVICE_EVENT_ID_UPDATE as c_int + 1;

/// virNodeDeviceGetParent: the parent's name the handle was made with, else the driver's answer,
/// kept with the handle (C does not free it). A driver's refusal is left as the last error and
/// told to no error function, as the reference's public layer does.
pub(crate) unsafe fn virNodeDeviceGetParent(dev: virNodeDevicePtr) -> *const c_char {
    const F: &str = "virNodeDeviceGetParent";
    let o = match objects::require::<NodeDeviceRef>(dev, F) {
        Ok(o) => o,
        Err(e) => return fail(e, ptr::null()),
    };
    if o.obj.parent.is_some() {
        return objects::extra::<NodeDeviceRef>(F, dev);
    }
    if let Some(text) = o.fetched.get() {
        return text.as_ptr();
    }
    match o.driver().node_device().nodedev_parent(&o.obj) {
        Ok(Some(p)) => o.fetched.get_or_init(|| args::c_string(&p)).as_ptr(),
        Ok(None) => ptr::null(),
        // The reference's public layer leaves the driver's error set without dispatching it.
        Err(e) => {
            crate::error::leave(e);
            ptr::null()
        }
    }
}

type LifecycleFn = unsafe extern "C" fn(virConnectPtr, virNodeDevicePtr, c_int, c_int, *mut c_void);
type GenericFn = unsafe extern "C" fn(virConnectPtr, virNodeDevicePtr, *mut c_void);

/// The application's callback, as its event id says it was registered.
#[derive(Clone, Copy)]
enum Callback {
    Lifecycle(LifecycleFn),
    Update(GenericFn),
}

/// A registered C callback: delivers with a device handle valid for the call (made without its
/// parent's name, as the reference's); on release frees the application's data and gives back
/// the connection reference it held.
struct DeviceListener {
    reg: Registered,
    cb: Callback,
}

impl Listener for DeviceListener {
    fn lifecycle(&self, ev: &DomainEvent) {
        let Some(ce) = self.reg.connection() else {
            return;
        };
        let dev = NodeDeviceRef::new(&ev.domain.name, None);
        let d = objects::new_handle(self.reg.conn_key, &ce, dev, None);
        let conn = self.reg.conn_key as virConnectPtr;
        let opaque = self.reg.opaque.as_ptr();
        match self.cb {
            // SAFETY: the application's callbacks, with the connection handle it registered on,
            // a device handle that stays valid until the call returns, and its data.
            Callback::Lifecycle(f) => unsafe { f(conn, d, ev.event, ev.detail, opaque) },
            // SAFETY: as above.
            Callback::Update(f) => unsafe { f(conn, d, opaque) },
        }
        objects::free::<NodeDeviceRef>("virNodeDeviceFree", d);
    }

    fn release(&self) {
        self.reg.release()
    }

    fn detach(&self) {
        self.reg.detach()
    }
}

fn invalid_arg(function: &str, arg: &str, message: String) -> Error {
    Error::invalid_arg(VIR_FROM_NODEDEV, function, arg, message)
}

/// The registration's device filter: the device handle's, checked to be of `conn`.
fn device_filter(
    conn: virConnectPtr,
    dev: virNodeDevicePtr,
    function: &str,
) -> Result<Option<[u8; 16]>, Error> {
    if dev.is_null() {
        return Ok(None);
    }
    let d = objects::require::<NodeDeviceRef>(dev, function)?;
    if d.conn_key() != conn as usize {
        return Err(invalid_arg(
            function,
            "dev",
            format!(
                "node device '{}' in {function} must match connection",
                d.obj.name
            ),
        ));
    }
    Ok(Some(NodeDeviceRef::event_key(&d.obj.name)))
}

fn check_event_id(event_id: c_int, function: &str) -> Result<(), Error> {
    if event_id < 0 {
        return Err(invalid_arg(
            function,
            "eventID",
            format!("eventID in {function} must be zero or greater"),
        ));
    }
    if event_id >= EVENT_ID_LAST {
        return Err(invalid_arg(
            function,
            "eventID",
            format!("eventID in {function} must be less than {EVENT_ID_LAST}"),
        ));
    }
    Ok(())
}

pub(crate) unsafe fn virConnectNodeDeviceEventRegisterAny(
    conn: virConnectPtr,
    dev: virNodeDevicePtr,
    eventID: c_int,
    cb: virConnectNodeDeviceEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    const F: &str = "virConnectNodeDeviceEventRegisterAny";
    let r = (|| {
        let e = handles::require_connection(conn, VIR_FROM_NODEDEV, F)?;
        let filter = device_filter(conn, dev, F)?;
        let Some(generic) = cb else {
            return Err(Error::null_arg(VIR_FROM_NODEDEV, F, "cb"));
        };
        check_event_id(eventID, F)?;
        let callback = if eventID == VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE as c_int {
            // SAFETY: for VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE the application passes a
            // virConnectNodeDeviceEventLifecycleCallback cast to the generic type
            // (VIR_NODE_DEVICE_EVENT_CALLBACK), so this casts it back to what it is.
            Callback::Lifecycle(unsafe { std::mem::transmute::<GenericFn, LifecycleFn>(generic) })
        } else {
            Callback::Update(generic)
        };
        let bus = e.conn.driver.node_device().nodedev_events(F)?;
        let reg = Registration {
            conn_key: conn as usize,
            event_id: crate::event::Family::NodeDevice.bus_id(eventID),
            legacy: false,
            filter,
            func: CallbackIdentity(generic as usize),
        };
        handles::ref_connection(&e);
        let listener = Arc::new(DeviceListener {
            reg: Registered::new(conn as usize, opaque, freecb),
            cb: callback,
        });
        bus.register(reg, listener).inspect_err(|_| {
            handles::unref_connection(conn as usize);
        })
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virConnectNodeDeviceEventDeregisterAny(
    conn: virConnectPtr,
    callbackID: c_int,
) -> c_int {
    const F: &str = "virConnectNodeDeviceEventDeregisterAny";
    let r = handles::require_connection(conn, VIR_FROM_NODEDEV, F).and_then(|e| {
        if callbackID < 0 {
            return Err(invalid_arg(
                F,
                "callbackID",
                format!("callbackID in {F} must be zero or greater"),
            ));
        }
        e.conn
            .driver
            .node_device()
            .nodedev_events(F)?
            .deregister_from(crate::event::Family::NodeDevice, conn as usize, callbackID)
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}
