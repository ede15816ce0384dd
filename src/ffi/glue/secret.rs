//! C shapes of a secret's value: the bytes and size the caller gives (virSecretSetValue), and a
//! new buffer with its size written through `value_size` (virSecretGetValue).

use super::domain::c_array;
use super::{Cx, FromC, Out, Reply};
use crate::driver::family::SecretValue;
use crate::error::Result;
use std::os::raw::c_uchar;

/// The public layer wants the bytes (their size may be 0).
impl FromC<(*const c_uchar, usize)> for SecretValue {
    unsafe fn from_c(c: (*const c_uchar, usize), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (value, size) = c;
        if value.is_null() {
            return Err(cx.null_arg(arg));
        }
        // SAFETY: non-NULL, `size` readable bytes by the C contract.
        Ok(SecretValue(
            unsafe { std::slice::from_raw_parts(value, size) }.to_vec(),
        ))
    }
}

/// A new buffer the caller frees; the public layer wants somewhere to write its size.
impl Reply<*mut c_uchar, (Out<*mut usize>,)> for SecretValue {
    fn check(outs: &(Out<*mut usize>,), cx: &Cx) -> Result<()> {
        match outs.0 .0.is_null() {
            true => Err(cx.null_arg(outs.0 .1)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut usize>,), cx: &Cx) -> Result<*mut c_uchar> {
        let buf: *mut c_uchar = c_array(self.0.len(), cx)?;
        // SAFETY: `buf` holds at least len bytes; the size pointer was checked non-NULL and is
        // writable by the C contract.
        unsafe {
            std::ptr::copy_nonoverlapping(self.0.as_ptr(), buf, self.0.len());
            outs.0 .0.write(self.0.len());
        }
        Ok(buf)
    }
}
