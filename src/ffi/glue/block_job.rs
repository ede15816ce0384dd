//! virDomainGetBlockJobInfo's answer: the caller's struct filled (1), or zeroed when the disk
//! runs no job (0), as the reference's.

use super::{Cx, Out, Reply};
use crate::driver::family::BlockJobInfo;
use crate::error::Result;
use crate::ffi::generated::types::{virDomainBlockJobInfo, virDomainBlockJobInfoPtr};
use std::os::raw::{c_int, c_ulong};

impl Reply<c_int, (Out<virDomainBlockJobInfoPtr>,)> for Option<BlockJobInfo> {
    fn check(outs: &(Out<virDomainBlockJobInfoPtr>,), cx: &Cx) -> Result<()> {
        match outs.0 .0.is_null() {
            true => Err(cx.null_arg(outs.0 .1)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<virDomainBlockJobInfoPtr>,), _: &Cx) -> Result<c_int> {
        let info = self.unwrap_or_default();
        let c = virDomainBlockJobInfo {
            r#type: info.kind,
            bandwidth: info.bandwidth as c_ulong,
            cur: info.cur,
            end: info.end,
        };
        // SAFETY: checked non-NULL; the caller's struct, writable by the C contract.
        unsafe { outs.0 .0.write(c) };
        Ok(c_int::from(self.is_some()))
    }
}
