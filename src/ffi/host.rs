//! Library-wide calls: initialisation and versions.

use crate::error::VIR_FROM_DOMAIN;
use crate::error::{self, Error};
use crate::ffi::args;
use crate::ffi::connect::fail;
use crate::ffi::generated::types::{virConnectPtr, virNodeInfo, virNodeInfoPtr};
use crate::ffi::handles::conn_of;
use std::os::raw::{c_char, c_int, c_ulong};

/// libvirt 9.0.0 as major * 1,000,000 + minor * 1,000 + release.
pub(crate) const LIB_VERSION: c_ulong = 9_000_000;

pub(crate) unsafe fn virInitialize() -> c_int {
    0
}

pub(crate) unsafe fn virGetVersion(
    lib_ver: *mut c_ulong,
    type_: *const c_char,
    type_ver: *mut c_ulong,
) -> c_int {
    if lib_ver.is_null() {
        // The reference raises nothing here, so its dispatcher reports the generic failure.
        error::report(Error::unknown_cause());
        return -1;
    }
    // SAFETY: `lib_ver` is non-NULL and, by the C contract, writable.
    unsafe { args::write_out(lib_ver, LIB_VERSION) };
    // SAFETY: `type_ver` is NULL or writable, as documented.
    unsafe { args::write_out(type_ver, LIB_VERSION) };
    let _ = type_;
    0
}

pub(crate) unsafe fn virNodeGetInfo(conn: virConnectPtr, info: virNodeInfoPtr) -> c_int {
    let r = conn_of(conn, "virNodeGetInfo").and_then(|e| {
        if info.is_null() {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, "virNodeGetInfo", "info"));
        }
        e.conn.driver.node().node_info()
    });
    match r {
        Ok(n) => {
            let mut model = [0 as c_char; 32];
            // The model is at most 31 bytes (the driver checks), so a NUL always ends it.
            for (dst, src) in model.iter_mut().zip(n.model.bytes().take(31)) {
                *dst = src as c_char;
            }
            let value = virNodeInfo {
                model,
                memory: n.memory_kib as c_ulong,
                cpus: n.cpus,
                mhz: n.mhz,
                nodes: n.nodes,
                sockets: n.sockets,
                cores: n.cores,
                threads: n.threads,
            };
            // SAFETY: checked non-NULL above; writable by the C contract.
            unsafe { args::write_out(info, value) };
            0
        }
        Err(e) => fail(e, -1),
    }
}
