//! Named host counters into the caller's array (virNodeGetCPUStats, virNodeGetMemoryStats): the
//! count's checks, the Linux host's exact-count rule, and the memory counters' C shape.

use super::node::copy_field;
use super::{Cx, FromC, Out, Reply};
use crate::driver::family::{CountRule, NodeStats, ParamRoom};
use crate::error::{Error, Result, VIR_ERR_INTERNAL_ERROR};
use crate::ffi::generated::types::{virNodeCPUStatsPtr, virNodeMemoryStats, virNodeMemoryStatsPtr};
use std::os::raw::{c_char, c_int};

/// The caller's count: present, and not negative (checked before the driver is asked).
pub(super) fn check_count(count: Out<*mut c_int>, cx: &Cx) -> Result<()> {
    let Out(n, arg) = count;
    if n.is_null() {
        return Err(cx.null_arg(arg));
    }
    // SAFETY: non-NULL, and readable by the C contract.
    if unsafe { n.read() } < 0 {
        // The reference names the count itself.
        return Err(Error::invalid_arg(
            cx.from,
            cx.function,
            "*nparams",
            format!("*nparams in {} must be zero or greater", cx.function),
        ));
    }
    Ok(())
}

/// The caller's count, which the driver gets too (a daemon needs it): the public layer's checks
/// of virNodeGetCPUStats' and virNodeGetMemoryStats' count (an array is not required with it).
unsafe fn stats_room<T>(c: (*mut T, *mut c_int), cx: &Cx) -> Result<ParamRoom> {
    let (_, n) = c;
    check_count(Out(n, "nparams"), cx)?;
    // SAFETY: checked non-NULL; readable by the C contract.
    Ok(ParamRoom(unsafe { n.read() } as usize))
}

impl FromC<(virNodeCPUStatsPtr, *mut c_int)> for ParamRoom {
    unsafe fn from_c(
        c: (virNodeCPUStatsPtr, *mut c_int),
        cx: &Cx,
        _: &'static str,
    ) -> Result<Self> {
        // SAFETY: handed on under the caller's promise.
        unsafe { stats_room(c, cx) }
    }
}

impl FromC<(virNodeMemoryStatsPtr, *mut c_int)> for ParamRoom {
    unsafe fn from_c(
        c: (virNodeMemoryStatsPtr, *mut c_int),
        cx: &Cx,
        _: &'static str,
    ) -> Result<Self> {
        // SAFETY: handed on under the caller's promise.
        unsafe { stats_room(c, cx) }
    }
}

/// Writes the counters as C structs made by `make`: with no array (or, for an exact-count driver,
/// a count of 0) the count alone; a daemon's count alone as it is; else as many as the caller's
/// count allows, and that count.
///
/// # Safety
/// `n` is non-NULL and holds a non-negative count; `params` is NULL or holds `*n` entries.
pub(super) unsafe fn write_named<T>(
    stats: NodeStats,
    params: *mut T,
    n: *mut c_int,
    make: impl Fn([c_char; 80], u64) -> T,
) -> Result<c_int> {
    let NodeStats(counters, rule) = stats;
    // SAFETY: checked non-NULL before the call.
    let room = unsafe { n.read() };
    if let CountRule::Counted(count) = rule {
        // SAFETY: checked non-NULL.
        unsafe { n.write(count) };
        return Ok(0);
    }
    let exact = match rule {
        CountRule::Exact(exact) => Some(*exact),
        _ => None,
    };
    if params.is_null() || (exact.is_some() && room == 0) {
        // SAFETY: checked non-NULL.
        unsafe { n.write(counters.len() as c_int) };
        return Ok(0);
    }
    if let Some(exact) = exact {
        if room as usize != counters.len() {
            return Err(exact.refusal);
        }
        if let Some(e) = exact.deferred {
            return Err(e);
        }
    }
    let mut written = 0;
    for (name, value) in counters.iter().take(room as usize) {
        let mut field = [0 as c_char; 80];
        if !copy_field(&mut field, name) {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                0,
                "field name too long",
            ));
        }
        // SAFETY: the caller's array holds `room` entries; written < room.
        unsafe { params.add(written).write(make(field, *value)) };
        written += 1;
    }
    // SAFETY: checked non-NULL.
    unsafe { n.write(written as c_int) };
    Ok(0)
}

/// virNodeGetMemoryStats's counters.
impl Reply<c_int, (Out<virNodeMemoryStatsPtr>, Out<*mut c_int>)> for NodeStats {
    fn check(outs: &(Out<virNodeMemoryStatsPtr>, Out<*mut c_int>), cx: &Cx) -> Result<()> {
        check_count(outs.1, cx)
    }
    unsafe fn reply(
        self,
        outs: (Out<virNodeMemoryStatsPtr>, Out<*mut c_int>),
        _: &Cx,
    ) -> Result<c_int> {
        let (Out(params, _), Out(n, _)) = outs;
        // SAFETY: `n` was checked non-NULL and non-negative; `params` holds `*n` entries.
        unsafe {
            write_named(self, params, n, |field, value| virNodeMemoryStats {
                field,
                value,
            })
        }
    }
}
