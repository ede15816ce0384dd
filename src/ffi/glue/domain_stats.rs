//! C shapes of the domain statistics calls (issue 17): a job's progress into the caller's struct
//! (virDomainGetJobInfo), and its type with a new array of typed parameters
//! (virDomainGetJobStats).

use super::domain::{c_array, c_param, required};
use super::{Cx, Out, Reply};
use crate::driver::family::{BlockParams, JobInfo, JobStats, StatsRecord};
use crate::error::{Result, VIR_FROM_DOMAIN};
use crate::ffi::generated::types::{
    virDomainJobInfo, virDomainJobInfoPtr, virDomainStatsRecord, virDomainStatsRecordPtr,
    virTypedParameterPtr,
};
use crate::ffi::handles::{self, ConnEntry};
use std::os::raw::c_int;
use std::sync::Arc;

impl Reply<c_int, (Out<virDomainJobInfoPtr>,)> for JobInfo {
    fn check(outs: &(Out<virDomainJobInfoPtr>,), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)
    }
    unsafe fn reply(self, outs: (Out<virDomainJobInfoPtr>,), _: &Cx) -> Result<c_int> {
        let info = virDomainJobInfo {
            r#type: self.kind,
            timeElapsed: self.time_elapsed_ms,
            timeRemaining: self.time_remaining_ms,
            dataTotal: self.data_total,
            dataProcessed: self.data_processed,
            dataRemaining: self.data_remaining,
            memTotal: self.mem_total,
            memProcessed: self.mem_processed,
            memRemaining: self.mem_remaining,
            fileTotal: self.file_total,
            fileProcessed: self.file_processed,
            fileRemaining: self.file_remaining,
        };
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.0 .0.write(info) };
        Ok(0)
    }
}

type JobStatsOuts = (
    Out<*mut c_int>,
    Out<*mut virTypedParameterPtr>,
    Out<*mut c_int>,
);

/// The type, then the parameters in a new array the caller frees (none: the array stays NULL).
impl Reply<c_int, JobStatsOuts> for JobStats {
    fn check(outs: &JobStatsOuts, cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)?;
        required(outs.1 .0, outs.1 .1, cx)?;
        required(outs.2 .0, outs.2 .1, cx)
    }
    unsafe fn reply(self, outs: JobStatsOuts, cx: &Cx) -> Result<c_int> {
        let n = self.params.0.len();
        if n > 0 {
            let arr: virTypedParameterPtr = c_array(n, cx)?;
            for (i, (name, value)) in self.params.0.iter().enumerate() {
                // SAFETY: `arr` holds n parameters.
                unsafe { arr.add(i).write(c_param(name, value)) };
            }
            // SAFETY: checked non-NULL; writable by the C contract.
            unsafe { outs.1 .0.write(arr) };
        }
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe {
            outs.0 .0.write(self.kind);
            outs.2 .0.write(n as c_int);
        }
        Ok(0)
    }
}

/// A disk's counters into the caller's array (virDomainBlockStatsFlags): a count of 0 asks how
/// many there are (the driver's count); else as many as fit, and that count.
impl Reply<c_int, (Out<virTypedParameterPtr>, Out<*mut c_int>)> for BlockParams {
    fn check(outs: &(Out<virTypedParameterPtr>, Out<*mut c_int>), cx: &Cx) -> Result<()> {
        let (Out(params, params_arg), Out(n, n_arg)) = *outs;
        required(n, n_arg, cx)?;
        // SAFETY: non-NULL, readable by the C contract.
        let count = unsafe { n.read() };
        if count < 0 {
            return Err(crate::driver::family::public_invalid_arg(
                cx.function,
                "*nparams",
                format!("*nparams in {} must be zero or greater", cx.function),
            ));
        }
        match count {
            0 => Ok(()),
            _ => required(params, params_arg, cx),
        }
    }
    unsafe fn reply(
        self,
        outs: (Out<virTypedParameterPtr>, Out<*mut c_int>),
        _: &Cx,
    ) -> Result<c_int> {
        let (Out(params, _), Out(n, _)) = outs;
        let all = self.params.0;
        // SAFETY: checked non-NULL and non-negative before the call.
        let room = unsafe { n.read() } as usize;
        let written = match room {
            0 => self.count as usize,
            _ => {
                for (i, (name, value)) in all.iter().take(room).enumerate() {
                    // SAFETY: the caller's array holds `room` parameters; i < room.
                    unsafe { params.add(i).write(c_param(name, value)) };
                }
                all.len().min(room)
            }
        };
        // SAFETY: checked non-NULL.
        unsafe { n.write(written as c_int) };
        Ok(0)
    }
}

/// Statistics records as libvirt hands them out: a NULL-terminated array of new records, each
/// with a new domain handle on the connection (`conn_key`, `ce`) and a new parameter array, all
/// for virDomainStatsRecordListFree.
pub(crate) fn c_records(
    records: &[StatsRecord],
    conn_key: usize,
    ce: &Arc<ConnEntry>,
    function: &'static str,
) -> Result<*mut virDomainStatsRecordPtr> {
    let cx = Cx::new(function, VIR_FROM_DOMAIN);
    let list: *mut virDomainStatsRecordPtr = c_array(records.len() + 1, &cx)?;
    for (k, r) in records.iter().enumerate() {
        let rec: virDomainStatsRecordPtr = match c_array(1, &cx) {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: the list is NULL-terminated after the records made so far.
                unsafe { crate::ffi::util::virDomainStatsRecordListFree(list) };
                return Err(e);
            }
        };
        let n = r.params.0.len();
        let params: virTypedParameterPtr = c_array(n, &cx)?;
        for (i, (name, value)) in r.params.0.iter().enumerate() {
            // SAFETY: `params` holds n parameters.
            unsafe { params.add(i).write(c_param(name, value)) };
        }
        // SAFETY: `rec` is a new record and `list` holds records.len() + 1 entries, k < len.
        unsafe {
            rec.write(virDomainStatsRecord {
                dom: handles::new_domain(conn_key, ce, &r.domain),
                params,
                nparams: n as c_int,
            });
            list.add(k).write(rec);
        }
    }
    Ok(list)
}
