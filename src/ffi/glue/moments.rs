//! The name listings of snapshots (virDomainSnapshotNum, ListNames, NumChildren,
//! ListChildrenNames): libvirt's moment lists copy at most `nameslen` names but answer how many
//! matched, so a short array gets the first names and the full count.

use super::{Cx, FromC, Out, Reply};
use crate::driver::{MomentNames, XmlFlags};
use crate::error::{Error, Result, VIR_ERR_OPERATION_DENIED};
use crate::ffi::args;
use std::os::raw::{c_char, c_int, c_uint};

/// The count alone (virDomainSnapshotNum, virDomainSnapshotNumChildren).
impl Reply<c_int, ()> for MomentNames {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<c_int> {
        Ok(self.0.len() as c_int)
    }
}

/// Names into the caller's array of `nameslen`.
impl Reply<c_int, (Out<*mut *mut c_char>, c_int)> for MomentNames {
    fn check(outs: &(Out<*mut *mut c_char>, c_int), cx: &Cx) -> Result<()> {
        let (Out(names, arg), len) = *outs;
        if names.is_null() && len > 0 {
            return Err(Error::null_arg(cx.from, cx.function, arg));
        }
        if len < 0 {
            let message = format!("nameslen in {} must be zero or greater", cx.function);
            return Err(Error::invalid_arg(
                cx.from,
                cx.function,
                "nameslen",
                message,
            ));
        }
        Ok(())
    }
    unsafe fn reply(self, outs: (Out<*mut *mut c_char>, c_int), _: &Cx) -> Result<c_int> {
        let (Out(names, _), len) = outs;
        let copied = self.0.len().min(len as usize);
        for (i, name) in self.0.iter().take(copied).enumerate() {
            // SAFETY: `len` writable slots at `names` (non-NULL when len > 0); i < copied <= len.
            unsafe { names.add(i).write(args::malloc_str(name)) };
        }
        Ok(self.0.len() as c_int)
    }
}

/// The SECURE bit every moment's XML flags share.
const XML_SECURE: c_uint = 1;

/// A moment's XML flags: SECURE asks for what a read-only connection may not see.
impl FromC<c_uint> for XmlFlags {
    unsafe fn from_c(c: c_uint, cx: &Cx, _arg: &'static str) -> Result<Self> {
        let read_only = cx.conn.as_ref().is_some_and(|(_, e)| e.conn.read_only);
        if read_only && c & XML_SECURE != 0 {
            let text = format!("{} with secure flag", cx.function);
            return Err(Error::with(VIR_ERR_OPERATION_DENIED, cx.from, text));
        }
        Ok(XmlFlags(c))
    }
}
