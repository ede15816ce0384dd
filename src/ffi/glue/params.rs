//! C shapes of the typed-parameter getters and setters (virDomainGetMemoryParameters and its
//! kin): the caller's array and its room, where a room of 0 asks for the count; and a setter's
//! parameters, at least one.

use super::domain::{c_param, check_param_array};
use super::{Cx, FromC, Out, Reply};
use crate::driver::family::{
    feature, public_invalid_arg, MemoryBytes, ParamRoom, ParamsAnswer, SetParams, SetParamsOrNone,
    TypedParams,
};
use crate::error::{Error, Result, VIR_FROM_NONE};
use crate::ffi::generated::types::{virTypedParameterPtr, VIR_TYPED_PARAM_STRING};
use std::os::raw::{c_int, c_void};

/// The public layer's checks of a getter's array and count: the count is given and not
/// negative, and an array comes with a room above 0.
impl FromC<(virTypedParameterPtr, *mut c_int)> for ParamRoom {
    unsafe fn from_c(
        c: (virTypedParameterPtr, *mut c_int),
        cx: &Cx,
        arg: &'static str,
    ) -> Result<Self> {
        let (params, nparams) = c;
        if nparams.is_null() {
            return Err(cx.null_arg("nparams"));
        }
        // SAFETY: non-NULL, readable by the C contract.
        let room = unsafe { nparams.read() };
        if room < 0 {
            return Err(public_invalid_arg(
                cx.function,
                "*nparams",
                format!("*nparams in {} must be zero or greater", cx.function),
            ));
        }
        if room > 0 && params.is_null() {
            return Err(cx.null_arg(arg));
        }
        Ok(ParamRoom(room as usize))
    }
}

/// A getter's answer into the caller's array: the count alone, or as many parameters as its room
/// holds and how many were written.
impl Reply<c_int, (Out<virTypedParameterPtr>, Out<*mut c_int>)> for ParamsAnswer {
    unsafe fn reply(
        self,
        outs: (Out<virTypedParameterPtr>, Out<*mut c_int>),
        _: &Cx,
    ) -> Result<c_int> {
        let (Out(params, _), Out(nparams, _)) = outs;
        match self {
            ParamsAnswer::Count(n) => {
                // SAFETY: checked non-NULL by the room's conversion; writable.
                unsafe { nparams.write(n) };
            }
            ParamsAnswer::Params(TypedParams(list)) => {
                // SAFETY: checked non-NULL and not negative by the room's conversion.
                let room = unsafe { nparams.read() } as usize;
                let written = list.len().min(room);
                for (i, (name, value)) in list.iter().take(written).enumerate() {
                    // SAFETY: the caller's array holds `room` parameters; i < room.
                    unsafe { params.add(i).write(c_param(name, value)) };
                }
                // SAFETY: as above.
                unsafe { nparams.write(written as c_int) };
            }
            ParamsAnswer::FailedAfterZeroing(e) => {
                // SAFETY: as above.
                unsafe { nparams.write(0) };
                return Err(e);
            }
        }
        Ok(0)
    }
}

/// The public layer's virTypedParameterValidateSet, before any setter: each field name ends
/// within its field, and a string parameter needs a driver that takes strings (asked of the
/// driver, VIR_DRV_FEATURE_TYPED_PARAM_STRING: through a daemon, of the daemon) and a text.
///
/// # Safety
/// `params` holds `n` readable parameters.
unsafe fn validate_set(params: virTypedParameterPtr, n: c_int, cx: &Cx) -> Result<()> {
    const F: &str = "virTypedParameterValidateSet";
    let refuse = |message: String| Error::invalid_arg(VIR_FROM_NONE, F, "params", message);
    let string_okay = match cx.driver() {
        Some(d) => d.connect().supports_feature(feature::TYPED_PARAM_STRING)?,
        None => false,
    };
    for i in 0..n.max(0) as usize {
        // SAFETY: `n` readable parameters at `params`, by the caller's promise.
        let p = unsafe { &*params.add(i) };
        let bytes: Vec<u8> = p.field.iter().map(|&c| c as u8).collect();
        let Some(end) = bytes.iter().position(|&b| b == 0) else {
            let name = String::from_utf8_lossy(&bytes);
            return Err(refuse(format!("string parameter name '{name}' too long")));
        };
        if p.r#type as u32 != VIR_TYPED_PARAM_STRING {
            continue;
        }
        let name = String::from_utf8_lossy(&bytes[..end]);
        if !string_okay {
            return Err(refuse(format!("string parameter '{name}' unsupported")));
        }
        // SAFETY: a string parameter's union member is its text pointer.
        if unsafe { p.value.s }.is_null() {
            return Err(refuse(format!("NULL string parameter '{name}'")));
        }
    }
    Ok(())
}

/// A setter's parameters where the public layer accepts none: a non-NULL array, a count not
/// below 0, then virTypedParameterValidateSet.
impl FromC<(virTypedParameterPtr, c_int)> for SetParamsOrNone {
    unsafe fn from_c(c: (virTypedParameterPtr, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (params, n) = c;
        check_param_array(params, n, 0, cx, arg)?;
        // SAFETY: `n` parameters at `params`, by the caller's promise.
        unsafe { validate_set(params, n, cx) }?;
        // SAFETY: handed on under the caller's promise.
        Ok(SetParamsOrNone(unsafe { TypedParams::from_c(c, cx, arg) }?))
    }
}

/// A setter's parameters: an array of at least one, then virTypedParameterValidateSet.
impl FromC<(virTypedParameterPtr, c_int)> for SetParams {
    unsafe fn from_c(c: (virTypedParameterPtr, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (params, n) = c;
        check_param_array(params, n, 1, cx, arg)?;
        // SAFETY: `n` parameters at `params`, by the caller's promise.
        unsafe { validate_set(params, n, cx) }?;
        // SAFETY: handed on under the caller's promise.
        Ok(SetParams(unsafe { TypedParams::from_c(c, cx, arg) }?))
    }
}

/// A byte count (virDomainMemoryPeek's `size`).
impl FromC<usize> for u64 {
    unsafe fn from_c(c: usize, _cx: &Cx, _arg: &'static str) -> Result<Self> {
        Ok(c as u64)
    }
}

/// Bytes into the caller's buffer of `size` bytes: the public layer wants a buffer when `size` is
/// above 0.
impl Reply<c_int, (Out<*mut c_void>, usize)> for MemoryBytes {
    fn check(outs: &(Out<*mut c_void>, usize), cx: &Cx) -> Result<()> {
        let (Out(buffer, arg), size) = *outs;
        match buffer.is_null() && size > 0 {
            true => Err(cx.null_arg(arg)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut c_void>, usize), _: &Cx) -> Result<c_int> {
        let (Out(buffer, _), size) = outs;
        let n = self.0.len().min(size);
        if n > 0 {
            // SAFETY: the caller's buffer holds `size` bytes (checked non-NULL when size > 0);
            // n <= size.
            unsafe { std::ptr::copy_nonoverlapping(self.0.as_ptr(), buffer as *mut u8, n) };
        }
        Ok(0)
    }
}
