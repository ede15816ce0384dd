//! C shape of virConnectGetCPUModelNames' answer: a new NULL-terminated array of strings through
//! a `char ***` the caller may leave NULL (then only the count is asked for).

use super::{Cx, FromC, Out, Reply};
use crate::driver::family::{CpuModels, CpuXmls, FreePages};
use crate::error::{Error, Result};
use crate::ffi::args;
use std::os::raw::{c_char, c_int, c_uint, c_ulonglong};

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

/// virNodeGetFreePages: the public layer wants `pages` (checked with the page sizes), a cellCount
/// above 0 and `counts` (in that order); the counts go into the caller's array of npages x
/// cellCount.
impl Reply<c_int, (c_uint, Out<*mut c_ulonglong>)> for FreePages {
    fn check(outs: &(c_uint, Out<*mut c_ulonglong>), cx: &Cx) -> Result<()> {
        let (cell_count, Out(counts, counts_arg)) = *outs;
        if cell_count == 0 {
            return Err(Error::invalid_arg(
                cx.from,
                cx.function,
                "cellCount",
                format!("cellCount in {} must not be zero", cx.function),
            ));
        }
        match counts.is_null() {
            true => Err(Error::null_arg(cx.from, cx.function, counts_arg)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (c_uint, Out<*mut c_ulonglong>), _: &Cx) -> Result<c_int> {
        let dst = outs.1 .0;
        for (i, v) in self.counts.iter().enumerate() {
            // SAFETY: checked non-NULL; the driver answers npages x cellCount values, the size of
            // the caller's array by the C contract.
            unsafe { dst.add(i).write(*v) };
        }
        Ok(self.returned)
    }
}

/// virConnectBaselineCPU's documents: the public layer wants the array (a NULL one with a count
/// is refused before this), a NULL document is the parser's to refuse.
impl FromC<(*mut *const c_char, c_uint)> for CpuXmls {
    unsafe fn from_c(c: (*mut *const c_char, c_uint), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (list, n) = c;
        if n > 0 && list.is_null() {
            return Err(cx.null_arg(arg));
        }
        Ok(CpuXmls(
            (0..n as usize)
                // SAFETY: `n` readable pointers at `list`, each NULL or a C string by the C
                // contract.
                .map(|i| unsafe { args::optional_str(list.add(i).read()) }.map(|s| s.into_owned()))
                .collect(),
        ))
    }
}
