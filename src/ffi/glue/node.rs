//! C shapes of the node family's answers: a count of bytes (virNodeGetFreeMemory), values into the
//! caller's array (virNodeGetCellsFreeMemory), a new bitmap and a count (virNodeGetCPUMap), named
//! counters into the caller's array (virNodeGetCPUStats), and fixed-size strings
//! (virNodeGetSecurityModel).

use super::{Cx, Out, Reply};
use crate::driver::family::{CpuMap, NodeStats, SecurityModel};
use crate::error::{Error, Result};
use crate::ffi::generated::types::{virNodeCPUStats, virNodeCPUStatsPtr, virSecurityModelPtr};
use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_ulonglong};

/// An `unsigned long long` answer (0 on failure, as the reference's).
impl Reply<c_ulonglong, ()> for u64 {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<c_ulonglong> {
        Ok(self)
    }
}

/// Values into the caller's array, which the driver sized by the caller's count; the count
/// written is the answer.
impl Reply<c_int, (Out<*mut c_ulonglong>,)> for Vec<u64> {
    fn check(outs: &(Out<*mut c_ulonglong>,), cx: &Cx) -> Result<()> {
        match outs.0 .0.is_null() {
            true => Err(cx.null_arg(outs.0 .1)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut c_ulonglong>,), _: &Cx) -> Result<c_int> {
        let dst = outs.0 .0;
        for (i, v) in self.iter().enumerate() {
            // SAFETY: the driver answers at most as many values as the caller's array holds.
            unsafe { dst.add(i).write(*v) };
        }
        Ok(self.len() as c_int)
    }
}

/// virNodeGetCPUMap: a bitmap the caller frees and the online count, each only when asked for.
impl Reply<c_int, (Out<*mut *mut c_uchar>, Out<*mut c_uint>)> for CpuMap {
    unsafe fn reply(
        self,
        outs: (Out<*mut *mut c_uchar>, Out<*mut c_uint>),
        cx: &Cx,
    ) -> Result<c_int> {
        let (Out(map, _), Out(online, _)) = outs;
        if !map.is_null() {
            // SAFETY: a malloc'd copy of the bitmap, which the caller frees.
            let bytes = unsafe { libc::calloc(self.map.len().max(1), 1) } as *mut c_uchar;
            if bytes.is_null() {
                return Err(Error::system(
                    cx.from,
                    libc::ENOMEM,
                    "cannot allocate memory",
                ));
            }
            // SAFETY: `bytes` holds at least map.len() bytes; `map` is writable by the C contract.
            unsafe {
                std::ptr::copy_nonoverlapping(self.map.as_ptr(), bytes, self.map.len());
                map.write(bytes);
            }
        }
        if !online.is_null() {
            // SAFETY: non-NULL and writable by the C contract.
            unsafe { online.write(self.online) };
        }
        Ok(self.cpus)
    }
}

/// Copy `s` into a fixed C buffer, NUL-terminated; false when it does not fit.
pub(super) fn copy_field(dst: &mut [c_char], s: &str) -> bool {
    if s.len() >= dst.len() {
        return false;
    }
    for (d, b) in dst.iter_mut().zip(s.bytes().chain(std::iter::once(0))) {
        *d = b as c_char;
    }
    true
}

/// Named counters: with no array, how many there are; else as many as the caller's count allows,
/// and that count.
impl Reply<c_int, (Out<virNodeCPUStatsPtr>, Out<*mut c_int>)> for NodeStats {
    fn check(outs: &(Out<virNodeCPUStatsPtr>, Out<*mut c_int>), cx: &Cx) -> Result<()> {
        super::node_stats::check_count(outs.1, cx)
    }
    unsafe fn reply(
        self,
        outs: (Out<virNodeCPUStatsPtr>, Out<*mut c_int>),
        _: &Cx,
    ) -> Result<c_int> {
        let (Out(params, _), Out(n, _)) = outs;
        // SAFETY: `n` was checked non-NULL and non-negative; `params` holds `*n` entries.
        unsafe {
            super::node_stats::write_named(self, params, n, |field, value| virNodeCPUStats {
                field,
                value,
            })
        }
    }
}

/// The security model's name and DOI into the caller's struct.
impl Reply<c_int, (Out<virSecurityModelPtr>,)> for SecurityModel {
    unsafe fn reply(self, outs: (Out<virSecurityModelPtr>,), cx: &Cx) -> Result<c_int> {
        let Out(dst, arg) = outs.0;
        if dst.is_null() {
            return Err(cx.null_arg(arg));
        }
        // SAFETY: non-NULL and writable by the C contract; zeroed first, as the reference does.
        let m = unsafe {
            std::ptr::write_bytes(dst, 0, 1);
            &mut *dst
        };
        if !copy_field(&mut m.model, &self.model) || !copy_field(&mut m.doi, &self.doi) {
            return Err(Error::internal(
                cx.from,
                "security model string exceeds its buffer",
            ));
        }
        Ok(0)
    }
}
