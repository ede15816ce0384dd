//! The migration functions' C boundary (virDomainMigrate, 2, 3, virDomainMigrateToURI, 2, 3):
//! the public layer's checks of the handles and of read-only connections, in the reference's
//! order, the arguments as Rust values, then the public layer's own logic
//! (crate::driver::migrate) across the two connections, and the new domain handle on the
//! destination's.
//!
//! **Deliberately differs**: Debian's 9.0 virDomainMigrate3 dereferences a NULL `dconn` (the
//! program crashes); ours reports libvirt's invalid-connection error, as virDomainMigrate does.

use crate::driver::family::TypedParams;
use crate::driver::migrate::{self, Dest, Legacy, Source};
use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, VIR_FROM_DOMAIN};
use crate::ffi::args;
use crate::ffi::connect::fail;
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr, virTypedParameterPtr};
use crate::ffi::glue::{Cx, FromC};
use crate::ffi::handles::{self, ConnEntry, DomainEntry};
use std::os::raw::{c_char, c_int, c_uint, c_ulong};
use std::ptr;
use std::sync::Arc;

/// The source domain (virCheckDomainReturn), refused on a read-only connection.
fn source(d: virDomainPtr, function: &'static str) -> Result<Arc<DomainEntry>> {
    let e = handles::domain(d)
        .ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, function))?;
    match e.conn.read_only {
        true => Err(Error::read_only_in(VIR_FROM_DOMAIN, function)),
        false => Ok(e),
    }
}

/// The destination connection (virCheckConnectGoto), refused when read-only.
fn destination(c: virConnectPtr, function: &'static str) -> Result<Arc<ConnEntry>> {
    let e = handles::require_connection(c, VIR_FROM_DOMAIN, function)?;
    match e.conn.read_only {
        true => Err(Error::read_only_in(VIR_FROM_DOMAIN, function)),
        false => Ok(e),
    }
}

/// # Safety
/// `p` is NULL or a C string.
unsafe fn opt(p: *const c_char) -> Option<String> {
    // SAFETY: by the caller's promise.
    unsafe { args::optional_str(p) }.map(|s| s.into_owned())
}

/// The caller's migration parameters: none when there is no array or no count.
///
/// # Safety
/// `params` is NULL or `nparams` readable parameters.
unsafe fn params_of(
    params: virTypedParameterPtr,
    nparams: c_uint,
    function: &'static str,
) -> Result<TypedParams> {
    if params.is_null() || nparams == 0 {
        return Ok(TypedParams::default());
    }
    let n = c_int::try_from(nparams).unwrap_or(c_int::MAX);
    let cx = Cx::new(function, VIR_FROM_DOMAIN);
    // SAFETY: a non-NULL array of `nparams` parameters, by the caller's promise.
    unsafe { TypedParams::from_c((params, n), &cx, "params") }
}

/// Migrate through the client: the new domain's handle on `dconn`.
fn managed(
    d: virDomainPtr,
    dconn: virConnectPtr,
    function: &'static str,
    run: impl FnOnce(Source, Dest) -> Result<crate::domain::DomainRef>,
) -> virDomainPtr {
    let r = (|| {
        let src = source(d, function)?;
        let dst = destination(dconn, function)?;
        let dom = src.domain_ref();
        let s = Source {
            driver: &*src.conn.driver,
            dom: &dom,
        };
        let t = Dest {
            driver: &*dst.conn.driver,
            uri: &dst.conn.uri,
        };
        let found = run(s, t)?;
        Ok(handles::new_domain(dconn as usize, &dst, &found))
    })();
    r.unwrap_or_else(|e| fail(e, ptr::null_mut()))
}

fn int_answer(r: Result<()>) -> c_int {
    r.map(|()| 0).unwrap_or_else(|e| fail(e, -1))
}

/// Migrate from the source alone (the ToURI functions).
fn unmanaged(
    d: virDomainPtr,
    function: &'static str,
    run: impl FnOnce(Source) -> Result<()>,
) -> c_int {
    int_answer((|| {
        let src = source(d, function)?;
        let dom = src.domain_ref();
        run(Source {
            driver: &*src.conn.driver,
            dom: &dom,
        })
    })())
}

pub(crate) unsafe fn virDomainMigrate(
    domain: virDomainPtr,
    dconn: virConnectPtr,
    flags: c_ulong,
    dname: *const c_char,
    uri: *const c_char,
    bandwidth: c_ulong,
) -> virDomainPtr {
    const F: &str = "virDomainMigrate";
    // SAFETY: NULL or C strings, by the C contract.
    let args = unsafe {
        Legacy {
            dxml: None,
            dname: opt(dname),
            uri: opt(uri),
            bandwidth,
        }
    };
    managed(domain, dconn, F, |s, t| {
        migrate::migrate_legacy(F, s, t, flags, args, false)
    })
}

pub(crate) unsafe fn virDomainMigrate2(
    domain: virDomainPtr,
    dconn: virConnectPtr,
    dxml: *const c_char,
    flags: c_ulong,
    dname: *const c_char,
    uri: *const c_char,
    bandwidth: c_ulong,
) -> virDomainPtr {
    const F: &str = "virDomainMigrate2";
    // SAFETY: NULL or C strings, by the C contract.
    let args = unsafe {
        Legacy {
            dxml: opt(dxml),
            dname: opt(dname),
            uri: opt(uri),
            bandwidth,
        }
    };
    managed(domain, dconn, F, |s, t| {
        migrate::migrate_legacy(F, s, t, flags, args, true)
    })
}

pub(crate) unsafe fn virDomainMigrate3(
    domain: virDomainPtr,
    dconn: virConnectPtr,
    params: virTypedParameterPtr,
    nparams: c_uint,
    flags: c_uint,
) -> virDomainPtr {
    const F: &str = "virDomainMigrate3";
    managed(domain, dconn, F, |s, t| {
        // SAFETY: NULL or `nparams` parameters, by the C contract.
        let params = unsafe { params_of(params, nparams, F) }?;
        migrate::migrate3(F, s, t, params, flags)
    })
}

pub(crate) unsafe fn virDomainMigrateToURI(
    domain: virDomainPtr,
    duri: *const c_char,
    flags: c_ulong,
    dname: *const c_char,
    bandwidth: c_ulong,
) -> c_int {
    const F: &str = "virDomainMigrateToURI";
    unmanaged(domain, F, |s| {
        // SAFETY: NULL or C strings, by the C contract.
        let (duri, dname) = unsafe { (opt(duri), opt(dname)) };
        let duri = duri.ok_or_else(|| Error::null_arg(VIR_FROM_DOMAIN, F, "duri"))?;
        migrate::migrate_to_uri(s, duri, flags, dname, bandwidth)
    })
}

pub(crate) unsafe fn virDomainMigrateToURI2(
    domain: virDomainPtr,
    dconnuri: *const c_char,
    miguri: *const c_char,
    dxml: *const c_char,
    flags: c_ulong,
    dname: *const c_char,
    bandwidth: c_ulong,
) -> c_int {
    const F: &str = "virDomainMigrateToURI2";
    unmanaged(domain, F, |s| {
        // SAFETY: NULL or C strings, by the C contract.
        let (dconnuri, args) = unsafe {
            let args = Legacy {
                dxml: opt(dxml),
                dname: opt(dname),
                uri: opt(miguri),
                bandwidth,
            };
            (opt(dconnuri), args)
        };
        migrate::migrate_to_uri2(F, s, dconnuri, flags, args)
    })
}

pub(crate) unsafe fn virDomainMigrateToURI3(
    domain: virDomainPtr,
    dconnuri: *const c_char,
    params: virTypedParameterPtr,
    nparams: c_uint,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainMigrateToURI3";
    unmanaged(domain, F, |s| {
        // SAFETY: NULL or a C string and `nparams` parameters, by the C contract.
        let (dconnuri, params) = unsafe { (opt(dconnuri), params_of(params, nparams, F)) };
        migrate::migrate_to_uri3(F, s, dconnuri, params?, flags)
    })
}
