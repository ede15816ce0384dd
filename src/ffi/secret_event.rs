//! Secret event callbacks (virConnectSecretEventRegisterAny and DeregisterAny): lifecycle and
//! value changed, on the driver's event bus beside the domain's, numbered with them, as the
//! reference's callbacks share one event state per driver.

use crate::driver::SecretRef;
use crate::error::{Error, VIR_FROM_SECRET};
use crate::event::{CallbackIdentity, DomainEvent, Family, Listener, Registration};
use crate::ffi::connect::fail;
use crate::ffi::event::Registered;
use crate::ffi::generated::types::{
    virConnectPtr, virConnectSecretEventGenericCallback, virFreeCallback, virSecretPtr,
    VIR_SECRET_EVENT_ID_LIFECYCLE, VIR_SECRET_EVENT_ID_VALUE_CHANGED,
};
use crate::ffi::handles;
use crate::ffi::objects;
use std::os::raw::{c_int, c_void};
use std::sync::Arc;

/// VIR_SECRET_EVENT_ID_LAST in libvirt 9.0.
const EVENT_ID_LAST: c_int = VIR_SECRET_EVENT_ID_VALUE_CHANGED as c_int + 1;

type LifecycleFn = unsafe extern "C" fn(virConnectPtr, virSecretPtr, c_int, c_int, *mut c_void);
type GenericFn = unsafe extern "C" fn(virConnectPtr, virSecretPtr, *mut c_void);

/// The application's callback, as its event id says it was registered.
#[derive(Clone, Copy)]
enum Callback {
    Lifecycle(LifecycleFn),
    ValueChanged(GenericFn),
}

/// A registered C callback: delivers with a secret handle valid for the call; on release frees
/// the application's data and gives back the connection reference it held.
struct SecretListener {
    reg: Registered,
    cb: Callback,
}

impl Listener for SecretListener {
    fn lifecycle(&self, ev: &DomainEvent) {
        let Some(ce) = self.reg.connection() else {
            return;
        };
        // The bus carries a secret as its usage id, UUID and usage type (in the id).
        let secret = SecretRef {
            uuid: ev.domain.uuid,
            usage_type: ev.domain.id,
            usage_id: ev.domain.name.clone(),
        };
        let p = objects::new_handle(self.reg.conn_key, &ce, secret, None);
        let conn = self.reg.conn_key as virConnectPtr;
        let opaque = self.reg.opaque.as_ptr();
        match self.cb {
            // SAFETY: the application's callbacks, with the connection handle it registered on,
            // a secret handle that stays valid until the call returns, and its data.
            Callback::Lifecycle(f) => unsafe { f(conn, p, ev.event, ev.detail, opaque) },
            // SAFETY: as above.
            Callback::ValueChanged(f) => unsafe { f(conn, p, opaque) },
        }
        objects::free::<SecretRef>("virSecretFree", p);
    }

    fn release(&self) {
        self.reg.release()
    }

    fn detach(&self) {
        self.reg.detach()
    }
}

fn invalid_arg(function: &str, arg: &str, message: String) -> Error {
    Error::invalid_arg(VIR_FROM_SECRET, function, arg, message)
}

pub(crate) unsafe fn virConnectSecretEventRegisterAny(
    conn: virConnectPtr,
    secret: virSecretPtr,
    eventID: c_int,
    cb: virConnectSecretEventGenericCallback,
    opaque: *mut c_void,
    freecb: virFreeCallback,
) -> c_int {
    const F: &str = "virConnectSecretEventRegisterAny";
    let r = (|| {
        let e = handles::require_connection(conn, VIR_FROM_SECRET, F)?;
        let filter = if secret.is_null() {
            None
        } else {
            let s = objects::require::<SecretRef>(secret, F)?;
            if s.conn_key() != conn as usize {
                return Err(invalid_arg(
                    F,
                    "secret",
                    format!(
                        "secret '{}' in {F} must match connection",
                        crate::domain::uuid::format(&s.obj.uuid)
                    ),
                ));
            }
            Some(s.obj.uuid)
        };
        let Some(generic) = cb else {
            return Err(Error::null_arg(VIR_FROM_SECRET, F, "cb"));
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
        let callback = if eventID == VIR_SECRET_EVENT_ID_LIFECYCLE as c_int {
            // SAFETY: for VIR_SECRET_EVENT_ID_LIFECYCLE the application passes a
            // virConnectSecretEventLifecycleCallback cast to the generic type
            // (VIR_SECRET_EVENT_CALLBACK), so this casts it back to what it is.
            Callback::Lifecycle(unsafe { std::mem::transmute::<GenericFn, LifecycleFn>(generic) })
        } else {
            Callback::ValueChanged(generic)
        };
        let bus = e.conn.driver.secret().secret_events(F)?;
        let reg = Registration {
            conn_key: conn as usize,
            event_id: Family::Secret.bus_id(eventID),
            legacy: false,
            filter,
            func: CallbackIdentity(generic as usize),
        };
        handles::ref_connection(&e);
        let listener = Arc::new(SecretListener {
            reg: Registered::new(conn as usize, opaque, freecb),
            cb: callback,
        });
        bus.register(reg, listener).inspect_err(|_| {
            handles::unref_connection(conn as usize);
        })
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virConnectSecretEventDeregisterAny(
    conn: virConnectPtr,
    callbackID: c_int,
) -> c_int {
    const F: &str = "virConnectSecretEventDeregisterAny";
    let r = handles::require_connection(conn, VIR_FROM_SECRET, F).and_then(|e| {
        if callbackID < 0 {
            return Err(invalid_arg(
                F,
                "callbackID",
                format!("callbackID in {F} must be zero or greater"),
            ));
        }
        e.conn.driver.secret().secret_events(F)?.deregister_from(
            Family::Secret,
            conn as usize,
            callbackID,
        )
    });
    match r {
        Ok(()) => 0,
        Err(e) => fail(e, -1),
    }
}
