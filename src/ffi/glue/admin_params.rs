//! Typed parameters as libvirt-admin's getters hand them out (an array the library allocates,
//! which the caller frees with virTypedParamsFree) and as its setters take them.

use super::domain::c_param;
use super::{Cx, FromC};
use crate::driver::family::TypedParams;
use crate::error::{Error, Result};
use crate::ffi::generated::types::{virTypedParameter, virTypedParameterPtr};
use std::os::raw::c_int;

/// A new C array holding `list` (at least one element is allocated, so that it is never NULL),
/// and its length.
pub(crate) fn params_to_c(list: &TypedParams, from: i32) -> Result<(virTypedParameterPtr, c_int)> {
    let n = list.0.len();
    // SAFETY: calloc of n zeroed parameters (at least one).
    let arr = unsafe { libc::calloc(n.max(1), std::mem::size_of::<virTypedParameter>()) }
        as virTypedParameterPtr;
    if arr.is_null() {
        return Err(Error::system(from, libc::ENOMEM, "cannot allocate memory"));
    }
    for (i, (name, value)) in list.0.iter().enumerate() {
        // SAFETY: `arr` holds n parameters and i < n.
        unsafe { arr.add(i).write(c_param(name, value)) };
    }
    Ok((arr, n as c_int))
}

/// The caller's `nparams` parameters at `params` (checked non-NULL, count not negative).
///
/// # Safety
/// `params` points to `nparams` readable parameters.
pub(crate) unsafe fn params_from_c(
    params: virTypedParameterPtr,
    nparams: c_int,
    function: &'static str,
    from: i32,
) -> Result<TypedParams> {
    let cx = Cx::new(function, from);
    // SAFETY: handed on under the caller's promise.
    unsafe { TypedParams::from_c((params, nparams), &cx, "params") }
}
