//! Answers of the public functions whose only server is the remote driver for now (issue 18).

use super::domain::{c_array, required};
use super::{Cx, FromC, Out, Reply};
use crate::driver::family::{
    AnyParams, AuthorizedKeys, GuestVcpus, IoThreadInfos, Messages, NodeDeviceAutostart, SevInfo,
    TypedParams,
};
use crate::error::Result;
use crate::ffi::generated::types::{
    virDomainIOThreadInfo, virDomainIOThreadInfoPtr, virTypedParameterPtr,
};
use std::os::raw::{c_char, c_int, c_uchar, c_uint};

/// The keys into a new NULL-terminated array the caller frees, as virDomainGetMessages' strings
/// (virDomainAuthorizedSSHKeysGet); the answer is their count.
impl Reply<c_int, (Out<*mut *mut *mut c_char>,)> for AuthorizedKeys {
    fn check(outs: &(Out<*mut *mut *mut c_char>,), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)
    }
    unsafe fn reply(self, outs: (Out<*mut *mut *mut c_char>,), cx: &Cx) -> Result<c_int> {
        // SAFETY: the same output and contract as virDomainGetMessages'.
        unsafe { Messages(self.0).reply(outs, cx) }
    }
}

/// virNodeGetSEVInfo: the count's pointer is required, the array's is not (the public layer
/// checks only the count); the parameters go to a new array the caller frees.
impl Reply<c_int, (Out<*mut virTypedParameterPtr>, Out<*mut c_int>)> for SevInfo {
    fn check(outs: &(Out<*mut virTypedParameterPtr>, Out<*mut c_int>), cx: &Cx) -> Result<()> {
        required(outs.1 .0, outs.1 .1, cx)
    }
    unsafe fn reply(
        self,
        outs: (Out<*mut virTypedParameterPtr>, Out<*mut c_int>),
        cx: &Cx,
    ) -> Result<c_int> {
        if outs.0 .0.is_null() {
            // SAFETY: checked non-NULL; writable by the C contract.
            unsafe { outs.1 .0.write(self.0 .0.len() as c_int) };
            return Ok(0);
        }
        // SAFETY: both outputs are non-NULL here, as TypedParams' answer wants them.
        unsafe { <TypedParams as Reply<c_int, _>>::reply(self.0, outs, cx) }
    }
}

/// virDomainGetGuestVcpus: both pointers required; the parameters go to a new array the caller
/// frees, their count through the `unsigned int *`.
impl Reply<c_int, (Out<*mut virTypedParameterPtr>, Out<*mut c_uint>)> for GuestVcpus {
    fn check(outs: &(Out<*mut virTypedParameterPtr>, Out<*mut c_uint>), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)?;
        required(outs.1 .0, outs.1 .1, cx)
    }
    unsafe fn reply(
        self,
        outs: (Out<*mut virTypedParameterPtr>, Out<*mut c_uint>),
        cx: &Cx,
    ) -> Result<c_int> {
        let mut count: c_int = 0;
        let signed = (outs.0, Out(&mut count as *mut c_int, outs.1 .1));
        // SAFETY: both outputs are non-NULL (checked; `count` is ours), as TypedParams wants.
        unsafe { <TypedParams as Reply<c_int, _>>::reply(self.0, signed, cx)? };
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.1 .0.write(count as c_uint) };
        Ok(0)
    }
}

/// virNodeDeviceGetAutostart: written where the caller points, if anywhere.
impl Reply<c_int, (Out<*mut c_int>,)> for NodeDeviceAutostart {
    unsafe fn reply(self, outs: (Out<*mut c_int>,), _: &Cx) -> Result<c_int> {
        if !outs.0 .0.is_null() {
            // SAFETY: non-NULL; writable by the C contract.
            unsafe { outs.0 .0.write(c_int::from(self.0)) };
        }
        Ok(0)
    }
}

/// virDomainGetIOThreadInfo: a new array of new structs (each freed by
/// virDomainIOThreadInfoFree, the array by free(3)); no threads leave NULL, as the reference's
/// client does.
impl Reply<c_int, (Out<*mut *mut virDomainIOThreadInfoPtr>,)> for IoThreadInfos {
    fn check(outs: &(Out<*mut *mut virDomainIOThreadInfoPtr>,), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)
    }
    unsafe fn reply(
        self,
        outs: (Out<*mut *mut virDomainIOThreadInfoPtr>,),
        cx: &Cx,
    ) -> Result<c_int> {
        let dst = outs.0 .0;
        if self.0.is_empty() {
            // SAFETY: checked non-NULL; writable.
            unsafe { dst.write(std::ptr::null_mut()) };
            return Ok(0);
        }
        let list: *mut virDomainIOThreadInfoPtr = c_array(self.0.len(), cx)?;
        for (i, t) in self.0.iter().enumerate() {
            let map: *mut c_uchar = c_array(t.cpumap.len(), cx)?;
            // SAFETY: `map` holds cpumap.len() bytes (at least one).
            unsafe { std::ptr::copy_nonoverlapping(t.cpumap.as_ptr(), map, t.cpumap.len()) };
            let one: *mut virDomainIOThreadInfo = c_array(1, cx)?;
            // SAFETY: `one` is a fresh allocation of one struct; `list` holds len slots.
            unsafe {
                one.write(virDomainIOThreadInfo {
                    iothread_id: t.id,
                    cpumap: map,
                    cpumaplen: t.cpumap.len() as c_int,
                });
                list.add(i).write(one);
            }
        }
        // SAFETY: checked non-NULL; writable.
        unsafe { dst.write(list) };
        Ok(self.0.len() as c_int)
    }
}

/// Parameters the public layer does not check: a NULL array or a count below one is none.
impl FromC<(virTypedParameterPtr, c_int)> for AnyParams {
    unsafe fn from_c(c: (virTypedParameterPtr, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        if c.0.is_null() || c.1 <= 0 {
            return Ok(AnyParams(TypedParams(Vec::new())));
        }
        // SAFETY: a non-NULL array of `c.1` parameters, by the caller's promise.
        Ok(AnyParams(unsafe { TypedParams::from_c(c, cx, arg) }?))
    }
}
