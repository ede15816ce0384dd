//! Calling an application's callback for a domain event other than a lifecycle one: each event
//! id has its own callback type (libvirt-domain.h), registered through the generic one; this
//! casts it back and passes the event's arguments.

use crate::api::DomainEventID;
use crate::event::{DomainEvent, Payload};
use crate::ffi::generated::types::{
    virConnectPtr, virDomainEventGraphicsAddress, virDomainEventGraphicsSubject,
    virDomainEventGraphicsSubjectIdentity, virDomainPtr, virTypedParameter, virTypedParameterPtr,
};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_longlong, c_uint, c_ulonglong, c_void};

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
type TwoIntsFn = unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_int, c_int, *mut c_void);
type TextIntFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, *const c_char, c_int, *mut c_void);
type TextULongLongFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, *const c_char, c_ulonglong, *mut c_void);
type BlockJobFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, *const c_char, c_int, c_int, *mut c_void);
type DiskChangeFn = unsafe extern "C" fn(
    virConnectPtr,
    virDomainPtr,
    *const c_char,
    *const c_char,
    *const c_char,
    c_int,
    *mut c_void,
);
type ParamsFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, virTypedParameterPtr, c_int, *mut c_void);
type BlockThresholdFn = unsafe extern "C" fn(
    virConnectPtr,
    virDomainPtr,
    *const c_char,
    *const c_char,
    c_ulonglong,
    c_ulonglong,
    *mut c_void,
);
type MemoryFailureFn =
    unsafe extern "C" fn(virConnectPtr, virDomainPtr, c_int, c_int, c_uint, *mut c_void);
type GraphicsFn = unsafe extern "C" fn(
    virConnectPtr,
    virDomainPtr,
    c_int,
    *const virDomainEventGraphicsAddress,
    *const virDomainEventGraphicsAddress,
    *const c_char,
    *const virDomainEventGraphicsSubject,
    *mut c_void,
);

fn text(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

fn opt_text(s: &Option<String>) -> Option<CString> {
    s.as_deref().map(text)
}

fn ptr_of(c: &Option<CString>) -> *const c_char {
    c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
}

/// A GRAPHICS event's arguments as C structures; the strings live in `strings`.
struct CGraphics {
    local: virDomainEventGraphicsAddress,
    remote: virDomainEventGraphicsAddress,
    identities: Vec<virDomainEventGraphicsSubjectIdentity>,
    _strings: Vec<CString>,
}

impl CGraphics {
    fn new(g: &crate::event::Graphics) -> CGraphics {
        let mut strings = Vec::new();
        let mut keep = |s: &str| {
            let c = text(s);
            // A CString's buffer does not move when the CString does.
            let p = c.as_ptr() as *mut c_char;
            strings.push(c);
            p
        };
        let mut address = |a: &crate::event::GraphicsAddress| virDomainEventGraphicsAddress {
            family: a.family,
            node: keep(&a.node),
            service: keep(&a.service),
        };
        let (local, remote) = (address(&g.local), address(&g.remote));
        let identities = g
            .subject
            .iter()
            .map(|(t, n)| virDomainEventGraphicsSubjectIdentity {
                r#type: keep(t),
                name: keep(n),
            })
            .collect();
        CGraphics {
            local,
            remote,
            identities,
            _strings: strings,
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
            Payload::None if is(DomainEventID::Reboot) || is(DomainEventID::ControlError) => {
                cb(conn, dom, opaque)
            }
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
            Payload::TwoInts(a, b) if is(DomainEventID::AgentLifecycle) => {
                std::mem::transmute::<Generic, TwoIntsFn>(cb)(conn, dom, *a, *b, opaque)
            }
            Payload::TextInt(t, v) if is(DomainEventID::TrayChange) => {
                let t = text(t);
                std::mem::transmute::<Generic, TextIntFn>(cb)(conn, dom, t.as_ptr(), *v, opaque)
            }
            Payload::TextULongLong(t, v) if is(DomainEventID::MemoryDeviceSizeChange) => {
                let t = text(t);
                std::mem::transmute::<Generic, TextULongLongFn>(cb)(
                    conn,
                    dom,
                    t.as_ptr(),
                    *v,
                    opaque,
                )
            }
            Payload::BlockJob { disk, kind, status }
                if is(DomainEventID::BlockJob) || is(DomainEventID::BlockJob2) =>
            {
                let t = text(disk);
                std::mem::transmute::<Generic, BlockJobFn>(cb)(
                    conn,
                    dom,
                    t.as_ptr(),
                    *kind,
                    *status,
                    opaque,
                )
            }
            Payload::DiskChange {
                old_src,
                new_src,
                dev_alias,
                reason,
            } if is(DomainEventID::DiskChange) => {
                let (o, n, a) = (opt_text(old_src), opt_text(new_src), text(dev_alias));
                std::mem::transmute::<Generic, DiskChangeFn>(cb)(
                    conn,
                    dom,
                    ptr_of(&o),
                    ptr_of(&n),
                    a.as_ptr(),
                    *reason,
                    opaque,
                )
            }
            Payload::Params(p) if is(DomainEventID::Tunable) || is(DomainEventID::JobCompleted) => {
                let mut c: Vec<virTypedParameter> =
                    p.0.iter()
                        .map(|(name, value)| crate::ffi::glue::c_param(name, value))
                        .collect();
                let n = c.len() as c_int;
                std::mem::transmute::<Generic, ParamsFn>(cb)(conn, dom, c.as_mut_ptr(), n, opaque);
                // The strings were strdup'd for the call; the array is ours.
                crate::ffi::typed_params::clear(c.as_mut_ptr(), n);
            }
            Payload::BlockThreshold {
                dev,
                path,
                threshold,
                excess,
            } if is(DomainEventID::BlockThreshold) => {
                let (d, p) = (text(dev), opt_text(path));
                std::mem::transmute::<Generic, BlockThresholdFn>(cb)(
                    conn,
                    dom,
                    d.as_ptr(),
                    ptr_of(&p),
                    *threshold,
                    *excess,
                    opaque,
                )
            }
            Payload::MemoryFailure {
                recipient,
                action,
                flags,
            } if is(DomainEventID::MemoryFailure) => {
                std::mem::transmute::<Generic, MemoryFailureFn>(cb)(
                    conn, dom, *recipient, *action, *flags, opaque,
                )
            }
            Payload::Graphics(g) if is(DomainEventID::Graphics) => {
                let c = CGraphics::new(g);
                let subject = virDomainEventGraphicsSubject {
                    nidentity: c.identities.len() as c_int,
                    identities: c.identities.as_ptr() as *mut _,
                };
                let scheme = text(&g.auth_scheme);
                std::mem::transmute::<Generic, GraphicsFn>(cb)(
                    conn,
                    dom,
                    g.phase,
                    &c.local,
                    &c.remote,
                    scheme.as_ptr(),
                    &subject,
                    opaque,
                )
            }
            // An event whose arguments do not fit its id's callback is never delivered.
            _ => {}
        }
    }
}
