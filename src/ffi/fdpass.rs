//! The public functions that pass file descriptors: virDomainOpenGraphics,
//! virDomainOpenGraphicsFD and virDomainFDAssociate, with libvirt-domain.c's checks in its order
//! before the driver is asked (the caller's descriptors stay the caller's: drivers borrow them).

use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, VIR_FROM_DOMAIN};
use crate::ffi::connect::fail;
use crate::ffi::generated::types::virDomainPtr;
use crate::ffi::handles::{self, DomainEntry};
use std::os::fd::{BorrowedFd, IntoRawFd};
use std::os::raw::{c_char, c_int, c_uint};
use std::sync::Arc;

fn dom_of(d: virDomainPtr, function: &str) -> Result<Arc<DomainEntry>> {
    handles::domain(d).ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, function))
}

fn writable(e: &DomainEntry, function: &str) -> Result<()> {
    match e.conn.read_only {
        true => Err(Error::read_only(function)),
        false => Ok(()),
    }
}

/// The caller's descriptor `fd` for as long as the call lasts, once it is known to be an open
/// socket (virCheckNonNegativeArg, fstat and S_ISSOCK, as the reference).
fn caller_socket(fd: c_int, function: &str) -> Result<BorrowedFd<'static>> {
    if fd < 0 {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            function,
            "fd",
            format!("fd in {function} must be zero or greater"),
        ));
    }
    // SAFETY: a zeroed stat is a valid buffer for fstat to fill.
    let mut sb: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat only reads the descriptor number and writes `sb`.
    if unsafe { libc::fstat(fd, &mut sb) } < 0 {
        let errno = std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EBADF);
        return Err(Error::system(
            VIR_FROM_DOMAIN,
            errno,
            format!("Unable to access file descriptor {fd}"),
        ));
    }
    if sb.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            function,
            "fd",
            format!("fd {fd} must be a socket"),
        ));
    }
    // SAFETY: `fd` is open (fstat succeeded) and, by the C contract, stays open for the call,
    // which is as long as the borrow is used.
    Ok(unsafe { BorrowedFd::borrow_raw(fd) })
}

pub(crate) unsafe fn virDomainOpenGraphics(
    dom: virDomainPtr,
    idx: c_uint,
    fd: c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainOpenGraphics";
    let r = (|| {
        let e = dom_of(dom, F)?;
        let sock = caller_socket(fd, F)?;
        writable(&e, F)?;
        let driver = e.conn.driver.domain();
        driver.domain_open_graphics(&e.domain_ref(), idx, sock, flags)?;
        Ok(0)
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virDomainOpenGraphicsFD(
    dom: virDomainPtr,
    idx: c_uint,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainOpenGraphicsFD";
    let r = (|| {
        let e = dom_of(dom, F)?;
        writable(&e, F)?;
        let driver = e.conn.driver.domain();
        let fd = driver.domain_open_graphics_fd(&e.domain_ref(), idx, flags)?;
        // The caller's to close from here on.
        Ok(fd.into_raw_fd())
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}

pub(crate) unsafe fn virDomainFDAssociate(
    domain: virDomainPtr,
    name: *const c_char,
    nfds: c_uint,
    fds: *mut c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainFDAssociate";
    let r = (|| {
        let e = dom_of(domain, F)?;
        if nfds == 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                F,
                "nfds",
                format!("nfds in {F} must not be zero"),
            ));
        }
        if fds.is_null() {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, F, "fds"));
        }
        writable(&e, F)?;
        // SAFETY: `fds` holds `nfds` descriptors, by the C contract.
        let raw = unsafe { std::slice::from_raw_parts(fds, nfds as usize) };
        if let Some(bad) = raw.iter().find(|&&fd| fd < 0) {
            return Err(Error::system(
                VIR_FROM_DOMAIN,
                libc::EBADF,
                format!("Unable to access file descriptor {bad}"),
            ));
        }
        // SAFETY: the caller's descriptors stay open for the call, by the C contract; a bad
        // one is refused by the system call that uses it.
        let borrowed: Vec<BorrowedFd<'_>> = raw
            .iter()
            .map(|&fd| unsafe { BorrowedFd::borrow_raw(fd) })
            .collect();
        // The public layer does not check the name: the driver does.
        // SAFETY: `name` is NULL or a C string, by the C contract.
        let name = unsafe { crate::ffi::args::optional_str(name) }
            .map(|n| n.into_owned())
            .unwrap_or_default();
        let driver = e.conn.driver.domain();
        driver.domain_fd_associate(&e.domain_ref(), name, &borrowed, flags)?;
        Ok(0)
    })();
    r.unwrap_or_else(|e| fail(e, -1))
}
