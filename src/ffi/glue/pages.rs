//! C shapes of the calls a daemon needs more of than a local driver (issue 18): the page sizes and
//! counts of virNodeGetFreePages and virNodeAllocPages, virNodeAllocPages' answer,
//! virDomainGetSecurityLabelList's new array and virDomainBlockCopy's typed parameters.

use super::domain::c_array;
use super::{Cx, FromC, Out, Reply};
use crate::driver::family::{
    public_invalid_arg, AllocatedPages, CopyParams, PageCounts, PageSizes, SecurityLabels,
    TypedParams,
};
use crate::error::{Error, Result};
use crate::ffi::generated::types::{virSecurityLabel, virSecurityLabelPtr, virTypedParameterPtr};
use std::os::raw::{c_char, c_int, c_uint, c_ulonglong};

/// `n` values of the caller's array, which the public layer wants.
///
/// # Safety
/// `list` is NULL or holds `n` values.
unsafe fn counted<T: Copy>(list: *mut T, n: c_uint, cx: &Cx, arg: &'static str) -> Result<Vec<T>> {
    if list.is_null() {
        return Err(cx.null_arg(arg));
    }
    // SAFETY: non-NULL, `n` values by the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(list, n as usize) }.to_vec())
}

/// Page sizes in KiB, `npages` of them.
impl FromC<(*mut c_uint, c_uint)> for PageSizes {
    unsafe fn from_c(c: (*mut c_uint, c_uint), cx: &Cx, arg: &'static str) -> Result<Self> {
        // SAFETY: handed on under the caller's promise.
        unsafe { counted(c.0, c.1, cx, arg) }.map(PageSizes)
    }
}

/// How many pages of each size, `npages` of them.
impl FromC<(*mut c_ulonglong, c_uint)> for PageCounts {
    unsafe fn from_c(c: (*mut c_ulonglong, c_uint), cx: &Cx, arg: &'static str) -> Result<Self> {
        // SAFETY: handed on under the caller's promise.
        unsafe { counted(c.0, c.1, cx, arg) }.map(PageCounts)
    }
}

/// virNodeAllocPages' count of pages allocated, after the public layer's last check (cellCount).
impl Reply<c_int, (c_uint,)> for AllocatedPages {
    fn check(outs: &(c_uint,), cx: &Cx) -> Result<()> {
        match outs.0 {
            0 => Err(Error::invalid_arg(
                cx.from,
                cx.function,
                "cellCount",
                format!("cellCount in {} must not be zero", cx.function),
            )),
            _ => Ok(()),
        }
    }
    unsafe fn reply(self, _: (c_uint,), _: &Cx) -> Result<c_int> {
        Ok(self.0)
    }
}

/// Security labels into a new array the caller frees; none leaves the caller's pointer NULL.
impl Reply<c_int, (Out<*mut virSecurityLabelPtr>,)> for SecurityLabels {
    unsafe fn reply(self, outs: (Out<*mut virSecurityLabelPtr>,), cx: &Cx) -> Result<c_int> {
        let Out(dst, _) = outs.0;
        let n = self.0.len();
        let mut list: virSecurityLabelPtr = std::ptr::null_mut();
        if n > 0 {
            list = c_array(n, cx)?;
        }
        for (i, l) in self.0.iter().enumerate() {
            // SAFETY: `list` holds n zeroed labels; i < n.
            let c: &mut virSecurityLabel = unsafe { &mut *list.add(i) };
            if l.label.len() >= c.label.len() {
                // SAFETY: the array is ours until handed out.
                unsafe { libc::free(list.cast()) };
                return Err(Error::internal(
                    cx.from,
                    "security label exceeds its buffer",
                ));
            }
            for (d, b) in c.label.iter_mut().zip(l.label.bytes()) {
                *d = b as c_char;
            }
            c.enforcing = c_int::from(l.enforcing);
        }
        // SAFETY: checked non-NULL by the public layer's check; writable.
        unsafe { dst.write(list) };
        Ok(n as c_int)
    }
}

/// virDomainBlockCopy's parameters: the public layer wants a count not below 0, and an array
/// when the count is above 0.
impl FromC<(virTypedParameterPtr, c_int)> for CopyParams {
    unsafe fn from_c(c: (virTypedParameterPtr, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (params, n) = c;
        if n < 0 {
            return Err(public_invalid_arg(
                cx.function,
                "nparams",
                format!("nparams in {} must be zero or greater", cx.function),
            ));
        }
        if n == 0 {
            return Ok(CopyParams(TypedParams(Vec::new())));
        }
        if params.is_null() {
            return Err(cx.null_arg(arg));
        }
        // SAFETY: a non-NULL array of `n` parameters, by the caller's promise.
        Ok(CopyParams(unsafe { TypedParams::from_c(c, cx, arg) }?))
    }
}
