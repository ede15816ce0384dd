//! The free functions for the info structures libvirt hands to applications (file systems,
//! IOThreads, interfaces, stats records, DHCP leases). Everything in them comes from the C
//! allocator; NULL is a no-op without an error, and none of them resets the last error in the
//! reference (virDomainStatsRecordListFree's per-record virDomainFree does).

use crate::error;
use crate::ffi::generated::types::{
    virDomainFSInfoPtr, virDomainIOThreadInfoPtr, virDomainInterfacePtr, virDomainStatsRecordPtr,
    virNetworkDHCPLeasePtr,
};
use std::os::raw::c_void;

/// free(3) of any C-allocated pointer (NULL is fine).
///
/// # Safety
/// `p` is NULL or from the C allocator and not freed yet.
unsafe fn free<T>(p: *mut T) {
    // SAFETY: the caller's promise is free(3)'s.
    unsafe { libc::free(p.cast::<c_void>()) }
}

pub(crate) unsafe fn virDomainFSInfoFree(info: virDomainFSInfoPtr) {
    if info.is_null() {
        return;
    }
    // SAFETY: by the C contract `info` and everything it points to are C-allocated: three
    // strings and `ndevAlias` alias strings in the `devAlias` array.
    unsafe {
        let i = &*info;
        free(i.mountpoint);
        free(i.name);
        free(i.fstype);
        if !i.devAlias.is_null() {
            for k in 0..i.ndevAlias {
                free(*i.devAlias.add(k));
            }
        }
        free(i.devAlias);
        free(info);
    }
}

pub(crate) unsafe fn virDomainIOThreadInfoFree(info: virDomainIOThreadInfoPtr) {
    if info.is_null() {
        return;
    }
    // SAFETY: by the C contract `info` and its cpumap are C-allocated.
    unsafe {
        free((*info).cpumap);
        free(info);
    }
}

pub(crate) unsafe fn virDomainInterfaceFree(iface: virDomainInterfacePtr) {
    if iface.is_null() {
        return;
    }
    // SAFETY: by the C contract `iface`, its two strings, its `naddrs` addresses and their
    // strings are C-allocated.
    unsafe {
        let i = &*iface;
        free(i.name);
        free(i.hwaddr);
        if !i.addrs.is_null() {
            for k in 0..i.naddrs as usize {
                free((*i.addrs.add(k)).addr);
            }
        }
        free(i.addrs);
        free(iface);
    }
}

pub(crate) unsafe fn virDomainStatsRecordListFree(stats: *mut virDomainStatsRecordPtr) {
    if stats.is_null() {
        return;
    }
    let mut k = 0;
    loop {
        // SAFETY: `stats` is a NULL-terminated C-allocated array by the C contract; we stop at
        // its NULL.
        let rec = unsafe { *stats.add(k) };
        if rec.is_null() {
            break;
        }
        // SAFETY: each record is C-allocated with a C-allocated parameter array of `nparams`.
        unsafe { crate::ffi::typed_params::free((*rec).params, (*rec).nparams) };
        // The reference calls the public virDomainFree: it resets the last error, and a record
        // without a valid domain leaves "invalid domain pointer in virDomainFree".
        error::reset_last();
        let before = error::raised_count();
        // SAFETY: `dom` is whatever the record holds; virDomainFree validates it first.
        unsafe { crate::ffi::domain::virDomainFree((*rec).dom) };
        // The reference's virDomainFree hands its error to the error function at once. The
        // public entry does that for the error still standing when we return; one that the next
        // record's virDomainFree will reset must be handed on now.
        // SAFETY: the array is NULL-terminated and `rec` (index k) was not its NULL.
        if error::raised_count() != before && !unsafe { *stats.add(k + 1) }.is_null() {
            crate::ffi::entry::dispatch(&crate::ffi::entry::On::Nothing);
        }
        // SAFETY: the record is C-allocated and no longer used.
        unsafe { free(rec) };
        k += 1;
    }
    // SAFETY: the array is C-allocated and no longer used.
    unsafe { free(stats) };
}

pub(crate) unsafe fn virNetworkDHCPLeaseFree(lease: virNetworkDHCPLeasePtr) {
    if lease.is_null() {
        return;
    }
    // SAFETY: by the C contract `lease` and its six strings are C-allocated.
    unsafe {
        let l = &*lease;
        free(l.iface);
        free(l.mac);
        free(l.iaid);
        free(l.ipaddr);
        free(l.hostname);
        free(l.clientid);
        free(lease);
    }
}
