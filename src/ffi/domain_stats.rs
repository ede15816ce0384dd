//! virConnectGetAllDomainStats and virDomainListGetStats (issue 17): the public layer's checks,
//! then the driver's records as new C records (src/ffi/glue/domain_stats.rs).

use crate::error::{Error, Result, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN};
use crate::ffi::connect::fail;
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr, virDomainStatsRecordPtr};
use crate::ffi::glue::domain_stats::c_records;
use crate::ffi::handles::{self, conn_of};
use std::os::raw::{c_int, c_uint};

/// A driver without the call: the public function is named, as the reference's public layer does.
fn named(e: Error, function: &str) -> Error {
    match e.code {
        VIR_ERR_NO_SUPPORT => Error::no_support(e.domain, function),
        _ => e,
    }
}

fn required_out(ret: *mut *mut virDomainStatsRecordPtr, function: &str) -> Result<()> {
    match ret.is_null() {
        true => Err(Error::null_arg(VIR_FROM_DOMAIN, function, "retStats")),
        false => Ok(()),
    }
}

pub(crate) unsafe fn virConnectGetAllDomainStats(
    conn: virConnectPtr,
    stats: c_uint,
    ret: *mut *mut virDomainStatsRecordPtr,
    flags: c_uint,
) -> c_int {
    const F: &str = "virConnectGetAllDomainStats";
    let r = (|| {
        let e = conn_of(conn, F)?;
        required_out(ret, F)?;
        let records = e
            .conn
            .driver
            .domain()
            .domain_list_stats(None, stats, flags)
            .map_err(|e| named(e, F))?;
        let list = c_records(&records, conn as usize, &e, F)?;
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { ret.write(list) };
        Ok(records.len() as c_int)
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virDomainListGetStats(
    doms: *mut virDomainPtr,
    stats: c_uint,
    ret: *mut *mut virDomainStatsRecordPtr,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainListGetStats";
    let r = (|| {
        if doms.is_null() {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, F, "doms"));
        }
        required_out(ret, F)?;
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { ret.write(std::ptr::null_mut()) };
        // SAFETY: `doms` is non-NULL and a NULL-terminated array, by the C contract.
        let first = unsafe { *doms };
        if first.is_null() {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_DOMAIN,
                format!("doms array in {F} must contain at least one domain"),
            ));
        }
        let head = handles::domain(first)
            .ok_or_else(|| Error::with(crate::error::VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, F))?;
        let conn_key = head.conn_key();
        let mut refs = Vec::new();
        for k in 0.. {
            // SAFETY: the array is NULL-terminated; we stop at its NULL.
            let d = unsafe { *doms.add(k) };
            if d.is_null() {
                break;
            }
            match handles::domain(d) {
                Some(entry) if entry.conn_key() == conn_key => refs.push(entry.domain_ref()),
                _ => {
                    return Err(Error::with(
                        VIR_ERR_INVALID_ARG,
                        VIR_FROM_DOMAIN,
                        "domains in 'doms' array must belong to a single connection",
                    ))
                }
            }
        }
        let ce = head.conn_entry().clone();
        let records = ce
            .conn
            .driver
            .domain()
            .domain_list_stats(Some(refs), stats, flags)
            .map_err(|e| named(e, F))?;
        let list = c_records(&records, conn_key, &ce, F)?;
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { ret.write(list) };
        Ok(records.len() as c_int)
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}
