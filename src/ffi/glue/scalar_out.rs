//! One 64-bit value through an `unsigned long long *` or `unsigned long *` (which are the same on
//! the 64-bit targets we build for): virDomainMigrateGetMaxDowntime, virDomainMigrateGetMaxSpeed,
//! virDomainMigrateGetCompressionCache.

use super::{Cx, Out, Reply};
use crate::error::Result;
use std::os::raw::{c_int, c_ulonglong};

const _: () = assert!(std::mem::size_of::<std::os::raw::c_ulong>() == 8);

impl Reply<c_int, (Out<*mut c_ulonglong>,)> for u64 {
    fn check(outs: &(Out<*mut c_ulonglong>,), cx: &Cx) -> Result<()> {
        match outs.0 .0.is_null() {
            true => Err(cx.null_arg(outs.0 .1)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut c_ulonglong>,), _: &Cx) -> Result<c_int> {
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.0 .0.write(self) };
        Ok(0)
    }
}
