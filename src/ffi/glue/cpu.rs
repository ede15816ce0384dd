//! C shape of virConnectGetCPUModelNames' answer: a new NULL-terminated array of strings through
//! a `char ***` the caller may leave NULL (then only the count is asked for).

use super::{Cx, Out, Reply};
use crate::driver::family::CpuModels;
use crate::error::{Error, Result};
use crate::ffi::args;
use std::os::raw::{c_char, c_int};

impl Reply<c_int, (Out<*mut *mut *mut c_char>,)> for CpuModels {
    unsafe fn reply(self, outs: (Out<*mut *mut *mut c_char>,), cx: &Cx) -> Result<c_int> {
        let dst = outs.0 .0;
        let Some(models) = self.0 else {
            // A CPU driver without models: the public layer's NULL stays.
            if !dst.is_null() {
                // SAFETY: non-NULL and writable by the C contract.
                unsafe { dst.write(std::ptr::null_mut()) };
            }
            return Ok(0);
        };
        if !dst.is_null() {
            // SAFETY: calloc for n+1 pointers (NULL-terminated, as libvirt's); the caller frees
            // it and each string.
            let arr = unsafe { libc::calloc(models.len() + 1, std::mem::size_of::<*mut c_char>()) }
                as *mut *mut c_char;
            if arr.is_null() {
                return Err(Error::system(
                    cx.from,
                    libc::ENOMEM,
                    "cannot allocate memory",
                ));
            }
            for (i, m) in models.iter().enumerate() {
                // SAFETY: i < len, inside the n+1 slots just allocated.
                unsafe { arr.add(i).write(args::malloc_str(m)) };
            }
            // SAFETY: non-NULL and writable by the C contract.
            unsafe { dst.write(arr) };
        }
        Ok(models.len() as c_int)
    }
}
