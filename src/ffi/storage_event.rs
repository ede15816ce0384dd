//! Storage pool event callbacks (virConnectStoragePoolEventRegisterAny and DeregisterAny): they
//! ride on the driver's event bus beside the domain's, numbered with them, as the reference's
//! callbacks share one event state per driver.

use crate::driver::StoragePoolRef;
use crate::error::{Error, VIR_FROM_STORAGE};
use crate::event::{CallbackIdentity, DomainEvent, Family, Listener, Registration};
use crate::ffi::connect::fail;
use crate::ffi::event::Registered;
use crate::ffi::generated::types::{
    virConnectPtr, virConnectStoragePoolEventGenericCallback, virFreeCallback, virStoragePoolPtr,
    VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
};
use crate::ffi::handles;
use crate::ffi::objects;
use std::os::raw::{c_int, c_void};
use std::sync::Arc;

/// VIR_STORAGE_POOL_EVENT_ID_LAST in libvirt 9.0.
const EVENT_ID_LAST: c_int = VIR_STORAGE_POOL_EVENT_ID_REFRESH as c_int + 1;

type LifecycleFn =
    unsafe extern "C" fn(virConnectPtr, virStoragePoolPtr, c_int, c_int, *mut c_void);
type GenericFn = unsafe extern "C" fn(virConnectPtr, virStoragePoolPtr, *mut c_void);

/// The application's callback, as its event id says it was registered.
#[derive(Clone, Copy)]
enum Callback {
    Lifecycle(LifecycleFn),
    Refresh(GenericFn),
}

/// A registered C callback: delivers with a pool handle valid for the call; on release frees the
/// application's data and gives back the connection reference it held.
struct PoolListener {
    reg: Registered,
    cb: Callback,
}

impl Listener for PoolListener {
    fn lifecycle(&self, ev: &DomainEvent) {
        let Some(ce) = self.reg.connection() else {
            return;
        };
        let pool = StoragePoolRef {
            name: ev.domain.name.clone(),
            uuid: ev.domain.uuid,
        };
        let p = objects::new_handle(self.reg.conn_key, &ce, pool, None);
        let conn = self.reg.conn_key as virConnectPtr;
        let opaque = self.reg.opaque.as_ptr();
        match self.cb {
            // SAFETY: the application's callbacks, with the connection handle it registered on,
            // a pool handle that stays valid until the call returns, and its data.
            Callback::Lifecycle(f) => unsafe { f(conn, p, ev.event, ev.detail, opaque) },
            // SAFETY: as above.
            Callback::Refresh(f) => unsafe { f(conn, p, opaque) },
        }
        objects::free::<StoragePoolRef>("virStoragePoolFree", p);
    }

    fn release(&self) {
        self.reg.release()
    }

    fn detach(&self) {
        self.reg.detach()
    }
}

fn invalid_arg(function: &str, arg: &str, message: String) -> Error {
    Error::invalid_arg(VIR_FROM_STORAGE, function, arg, message)
}

pub(crate) unsafe fn virConnectStoragePoolEventRegisterAny(
    conn: virConnectPtr,
    pool: virStoragePoolPtr,
    eventID: c_int,
    cb: virConnectStoragePoolEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    const F: &str = "virConnectStoragePoolEventRegisterAny";
    let r = (|| {
        let e = handles::require_connection(conn, VIR_FROM_STORAGE, F)?;
        let filter = if pool.is_null() {
            None
        } else {
            let p = objects::require::<StoragePoolRef>(pool, F)?;
            if p.conn_key() != conn as usize {
                return Err(invalid_arg(
                    F,
                    "pool",
                    format!("storage pool '{}' in {F} must match connection", p.obj.name),
                ));
            }
            Some(p.obj.uuid)
        };
        let Some(generic) = cb else {
            return Err(Error::null_arg(VIR_FROM_STORAGE, F, "cb"));
        };
        if eventID < 0 {
            return Err(invalid_arg(
                F,
                "eventID",
                format!("eventID in {F} must be zero or greater"),
            ));
        }
        if eventID >= EVENT_ID_LAST {
            return Err(invalid_arg(
                F,
                "eventID",
                format!("eventID in {F} must be less than {EVENT_ID_LAST}"),
            ));
        }
        let callback = if eventID == VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE as c_int {
            // SAFETY: for VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE the application passes a
            // virConnectStoragePoolEventLifecycleCallback cast to the generic type
            // (VIR_STORAGE_POOL_EVENT_CALLBACK), so this casts it back to what it is.
            Callback::Lifecycle(unsafe { std::mem::transmute::<GenericFn, LifecycleFn>(generic) })
        } else {
            Callback::Refresh(generic)
        };
        let bus = e.conn.driver.storage().pool_events(F)?;
        let reg = Registration {
            conn_key: conn as usize,
            event_id: Family::StoragePool.bus_id(eventID),
            legacy: false,
            filter,
            func: CallbackIdentity(generic as usize),
        };
        handles::ref_connection(&e);
        let listener = Arc::new(PoolListener {
            reg: Registered::new(conn as usize, opaque, freecb),
            cb: callback,
        });
        bus.register(reg, listener).inspect_err(|_| {
            handles::unref_connection(conn as usize);
        })
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virConnectStoragePoolEventDeregisterAny(
    conn: virConnectPtr,
    callbackID: c_int,
) -> c_int {
    const F: &str = "virConnectStoragePoolEventDeregisterAny";
    let r = handles::require_connection(conn, VIR_FROM_STORAGE, F).and_then(|e| {
        if callbackID < 0 {
            return Err(invalid_arg(
                F,
                "callbackID",
                format!("callbackID in {F} must be zero or greater"),
            ));
        }
        e.conn.driver.storage().pool_events(F)?.deregister_from(
            crate::event::Family::StoragePool,
            conn as usize,
            callbackID,
        )
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}
