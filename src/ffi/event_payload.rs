//! Calling an application's callback for a domain event other than a lifecycle one: each event
//! id has its own callback type (libvirt-domain.h), registered through the generic one; this
//! casts it back and passes the event's arguments.

use crate::api::DomainEventID;
use crate::driver::family::{TypedParams, TypedValue};
use crate::event::{DomainEvent, Payload};
use crate::ffi::generated::types::{
    virConnectPtr, virDomainPtr, virTypedParameter, virTypedParameterPtr,
};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_longlong, c_ulonglong, c_void};

type Generic = unsafe extern "C" fn(virConnectPtr, virDomainPtr, *mut c_void);
type IntFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_int, *mut c_void);
type LongLongFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_longlong, *mut c_void);
type ULongLongFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_ulonglong, *mut c_void);
type TextFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, *const c_char, *mut c_void);
type IoErrorFn = unsafe extern "C" fn(
    virConnectPtr,
    virDomainPtr,
    *const c_char,
    *const c_char,
    c_int,
    *mut c_void,
);
type IoErrorReasonFn = unsafe extern "C" fn(
    virConnectPtr,
    virDomainPtr,
    *const c_char,
    *const c_char,
    c_int,
    *const c_char,
    *mut c_void,
);
type MetadataFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_int, *const c_char, *mut c_void);
type ParamsFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, virTypedParameterPtr, c_int, *mut c_void);

fn text(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

/// The parameters as C holds them, for the length of one callback (libvirt frees its copy after
/// the callback returns; the callback does not keep them).
fn c_params(p: &TypedParams) -> Vec<virTypedParameter> {
    p.0.iter()
        .map(|(name, value)| crate::ffi::glue::c_param(name, value))
        .collect()
}

/// Free the strings c_params gave the C array.
fn free_strings(p: &TypedParams, c: &[virTypedParameter]) {
    for ((_, value), cp) in p.0.iter().zip(c) {
        if matches!(value, TypedValue::String(_)) {
            // SAFETY: a string parameter's value was malloc'd by c_param and is freed once here.
            unsafe { libc::free(cp.value.s.cast()) };
        }
    }
}

/// Call `cb`, registered for `ev`'s event id, with its arguments.
///
/// # Safety
/// `cb` is the application's callback registered for `ev.event_id` (whose type the application
/// cast to the generic one, as VIR_DOMAIN_EVENT_CALLBACK does); `conn` and `dom` are valid for
/// the call.
pub(crate) unsafe fn deliver(
    cb: Generic,
    conn: virConnectPtr,
    dom: virDomainPtr,
    ev: &DomainEvent,
    opaque: *mut c_void,
) {
    let id = ev.event_id;
    let is = |e: DomainEventID| id == e as i32;
    // SAFETY: each arm casts the callback back to the type libvirt-domain.h gives this event id
    // (the application registered it cast to the generic type); strings live until it returns.
    unsafe {
        match &ev.payload {
            Payload::None if is(DomainEventID::Reboot) => cb(conn, dom, opaque),
            Payload::Int(v)
                if is(DomainEventID::Watchdog)
                    || is(DomainEventID::Pmwakeup)
                    || is(DomainEventID::Pmsuspend)
                    || is(DomainEventID::PmsuspendDisk)
                    || is(DomainEventID::MigrationIteration) =>
            {
                std::mem::transmute::<Generic, IntFn>(cb)(conn, dom, *v, opaque)
            }
            Payload::LongLong(v) if is(DomainEventID::RtcChange) => {
                std::mem::transmute::<Generic, LongLongFn>(cb)(conn, dom, *v, opaque)
            }
            Payload::ULongLong(v) if is(DomainEventID::BalloonChange) => {
                std::mem::transmute::<Generic, ULongLongFn>(cb)(conn, dom, *v, opaque)
            }
            Payload::Text(t)
                if is(DomainEventID::DeviceRemoved)
                    || is(DomainEventID::DeviceAdded)
                    || is(DomainEventID::DeviceRemovalFailed) =>
            {
                let t = text(t);
                std::mem::transmute::<Generic, TextFn>(cb)(conn, dom, t.as_ptr(), opaque)
            }
            Payload::IoError {
                src_path,
                dev_alias,
                action,
                reason,
            } => {
                let (s, a) = (text(src_path), text(dev_alias));
                if is(DomainEventID::IoErrorReason) {
                    let r = text(reason);
                    std::mem::transmute::<Generic, IoErrorReasonFn>(cb)(
                        conn,
                        dom,
                        s.as_ptr(),
                        a.as_ptr(),
                        *action,
                        r.as_ptr(),
                        opaque,
                    )
                } else if is(DomainEventID::IoError) {
                    std::mem::transmute::<Generic, IoErrorFn>(cb)(
                        conn,
                        dom,
                        s.as_ptr(),
                        a.as_ptr(),
                        *action,
                        opaque,
                    )
                }
            }
            Payload::Metadata { kind, nsuri } if is(DomainEventID::MetadataChange) => {
                let u = nsuri.as_deref().map(text);
                let p = u.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
                std::mem::transmute::<Generic, MetadataFn>(cb)(conn, dom, *kind, p, opaque)
            }
            Payload::Params(p) if is(DomainEventID::JobCompleted) => {
                let mut c = c_params(p);
                let n = c_int::try_from(c.len()).unwrap_or(c_int::MAX);
                std::mem::transmute::<Generic, ParamsFn>(cb)(conn, dom, c.as_mut_ptr(), n, opaque);
                free_strings(p, &c);
            }
            // An event whose arguments do not fit its id's callback is never delivered.
            _ => {}
        }
    }
}
