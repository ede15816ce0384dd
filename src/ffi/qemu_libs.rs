//! The entry points of libvirt0's other libraries, libvirt-qemu.so.0 and libvirt-lxc.so.0 (issue
//! 17). They live here, exported from libvirt.so.0 under the private node OXVIRT_LIBS_0.1.0, and
//! those libraries are shims that call them (link/libvirt-qemu.c, link/libvirt-lxc.c): every
//! handle, connection and last error stays in this one library, as Debian's shims reach
//! libvirt.so.0's private ABI for the same reason. Each function makes the reference's public
//! checks (libvirt-qemu.c, libvirt-lxc.c, whose errors are reported under VIR_FROM_NONE), then asks
//! the connection's driver.

use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM};
use crate::error::{VIR_ERR_NO_SUPPORT, VIR_FROM_NONE};
use crate::ffi::args;
use crate::ffi::connect::fail;
use crate::ffi::entry::{self, On};
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr, virFreeCallback};
use crate::ffi::handles::{self, DomainEntry};
use crate::ffi::qemu_monitor_event::{self, MonitorFn};
use std::os::fd::{BorrowedFd, IntoRawFd, OwnedFd};
use std::os::raw::{c_char, c_int, c_uint, c_void};
use std::sync::Arc;

/// libvirt-qemu.c's and libvirt-lxc.c's error domain.
pub(crate) const LIB_FROM: i32 = VIR_FROM_NONE;

fn domain_of(d: virDomainPtr, function: &str) -> Result<Arc<DomainEntry>> {
    handles::domain(d).ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, function))
}

fn writable(e: &DomainEntry, function: &str) -> Result<()> {
    match e.conn.read_only {
        true => Err(Error::read_only_in(LIB_FROM, function)),
        false => Ok(()),
    }
}

/// The driver's "not supported" names the public function, under the libraries' domain.
pub(crate) fn named(e: Error, function: &str) -> Error {
    match e.code {
        VIR_ERR_NO_SUPPORT if e.str2.as_deref().is_some_and(|s| s.starts_with("vir")) => {
            Error::no_support(LIB_FROM, function)
        }
        _ => e,
    }
}

unsafe fn monitor_command(
    function: &str,
    domain: virDomainPtr,
    cmd: *const c_char,
    result: *mut *mut c_char,
    flags: c_uint,
) -> Result<c_int> {
    let e = domain_of(domain, function)?;
    if result.is_null() {
        return Err(Error::null_arg(LIB_FROM, function, "result"));
    }
    writable(&e, function)?;
    // SAFETY: `cmd` is NULL or a C string, by the C contract.
    let cmd = unsafe { args::required_str(cmd, LIB_FROM, function, "cmd") }?.into_owned();
    let reply = e
        .conn
        .driver
        .domain()
        .domain_qemu_monitor_command(&e.domain_ref(), cmd, flags)
        .map_err(|err| named(err, "virDomainQemuMonitorCommand"))?;
    // SAFETY: checked non-NULL; writable by the C contract.
    unsafe { result.write(args::malloc_str(&reply)) };
    Ok(0)
}

/// virDomainQemuMonitorCommand.
///
/// # Safety
/// The C contract of libvirt-qemu.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainQemuMonitorCommand(
    domain: virDomainPtr,
    cmd: *const c_char,
    result: *mut *mut c_char,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainQemuMonitorCommand";
    entry::run(F, true, On::Domain(domain), || {
        // SAFETY: the caller's arguments, checked before use.
        unsafe { monitor_command(F, domain, cmd, result, flags) }.unwrap_or_else(|e| fail(e, -1))
    })
}

/// virDomainQemuMonitorCommandWithFiles: the caller's descriptors go with the command (the
/// driver borrows them), and those the answer brings come back in a malloc'd array, the
/// caller's to close and free.
///
/// # Safety
/// The C contract of libvirt-qemu.h.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // libvirt-qemu.h's signature
pub unsafe extern "C" fn oxvirtDomainQemuMonitorCommandWithFiles(
    domain: virDomainPtr,
    cmd: *const c_char,
    ninfiles: c_uint,
    infiles: *mut c_int,
    noutfiles: *mut c_uint,
    outfiles: *mut *mut c_int,
    result: *mut *mut c_char,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainQemuMonitorCommandWithFiles";
    entry::run(F, true, On::Domain(domain), || {
        // SAFETY: NULL or writable, by the C contract.
        unsafe {
            args::write_out(noutfiles, 0);
            args::write_out(outfiles, std::ptr::null_mut());
        }
        if ninfiles == 0 && outfiles.is_null() {
            // SAFETY: the caller's arguments, checked before use.
            return unsafe { monitor_command(F, domain, cmd, result, flags) }
                .unwrap_or_else(|e| fail(e, -1));
        }
        // SAFETY: the caller's arguments, checked before use.
        unsafe {
            command_with_files(
                domain,
                cmd,
                (ninfiles, infiles),
                (noutfiles, outfiles),
                result,
                flags,
            )
        }
        .unwrap_or_else(|e| fail(e, -1))
    })
}

/// The command with descriptors going or asked for (libvirt-qemu.c's checks, then the driver,
/// which refuses where the connection passes none).
unsafe fn command_with_files(
    domain: virDomainPtr,
    cmd: *const c_char,
    (ninfiles, infiles): (c_uint, *mut c_int),
    (noutfiles, outfiles): (*mut c_uint, *mut *mut c_int),
    result: *mut *mut c_char,
    flags: c_uint,
) -> Result<c_int> {
    const F: &str = "virDomainQemuMonitorCommandWithFiles";
    let e = domain_of(domain, F)?;
    if result.is_null() {
        return Err(Error::null_arg(LIB_FROM, F, "result"));
    }
    writable(&e, F)?;
    if ninfiles > 0 && infiles.is_null() {
        return Err(Error::null_arg(LIB_FROM, F, "infiles"));
    }
    // SAFETY: `cmd` is NULL or a C string, by the C contract.
    let cmd = unsafe { args::required_str(cmd, LIB_FROM, F, "cmd") }?.into_owned();
    let raw: &[c_int] = match ninfiles {
        0 => &[],
        // SAFETY: `infiles` holds `ninfiles` descriptors, by the C contract.
        n => unsafe { std::slice::from_raw_parts(infiles, n as usize) },
    };
    if let Some(bad) = raw.iter().find(|&&fd| fd < 0) {
        return Err(Error::system(
            LIB_FROM,
            libc::EBADF,
            format!("Unable to access file descriptor {bad}"),
        ));
    }
    // SAFETY: the caller's descriptors stay open for the call, by the C contract.
    let fds: Vec<BorrowedFd<'_>> = raw
        .iter()
        .map(|&fd| unsafe { BorrowedFd::borrow_raw(fd) })
        .collect();
    let (reply, got) = e
        .conn
        .driver
        .domain()
        .domain_qemu_monitor_command_with_files(&e.domain_ref(), cmd, &fds, flags)
        .map_err(|err| named(err, F))?;
    // SAFETY: checked non-NULL; writable by the C contract.
    unsafe { result.write(args::malloc_str(&reply)) };
    // SAFETY: NULL or writable, by the C contract.
    unsafe { hand_out_fds(got, noutfiles, outfiles) };
    Ok(0)
}

/// The descriptors an answer brought, given to the caller: a malloc'd array and its length
/// (none: NULL and 0), or closed when the caller did not ask for them.
///
/// # Safety
/// `count` and `out` are NULL or writable.
unsafe fn hand_out_fds(fds: Vec<OwnedFd>, count: *mut c_uint, out: *mut *mut c_int) {
    if fds.is_empty() || out.is_null() {
        return;
    }
    // SAFETY: a plain allocation of fds.len() ints, freed by the caller with free().
    let array = unsafe { libc::malloc(fds.len() * std::mem::size_of::<c_int>()) }.cast::<c_int>();
    if array.is_null() {
        return;
    }
    let n = fds.len();
    for (i, fd) in fds.into_iter().enumerate() {
        // SAFETY: `array` has room for `n` ints.
        unsafe { array.add(i).write(fd.into_raw_fd()) };
    }
    // SAFETY: NULL or writable, by the function's contract.
    unsafe {
        args::write_out(count, n as c_uint);
        out.write(array);
    }
}

/// virDomainQemuAgentCommand.
///
/// # Safety
/// The C contract of libvirt-qemu.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainQemuAgentCommand(
    domain: virDomainPtr,
    cmd: *const c_char,
    timeout: c_int,
    flags: c_uint,
) -> *mut c_char {
    const F: &str = "virDomainQemuAgentCommand";
    entry::run(F, true, On::Domain(domain), || {
        let r = (|| {
            let e = domain_of(domain, F)?;
            writable(&e, F)?;
            // SAFETY: `cmd` is NULL or a C string, by the C contract.
            let cmd = unsafe { args::required_str(cmd, LIB_FROM, F, "cmd") }?.into_owned();
            let reply = e
                .conn
                .driver
                .domain()
                .domain_qemu_agent_command(&e.domain_ref(), cmd, timeout, flags)
                .map_err(|err| named(err, F))?;
            Ok(args::malloc_str(&reply))
        })();
        r.unwrap_or_else(|e| fail(e, std::ptr::null_mut()))
    })
}

/// virDomainQemuAttach: no local driver of ours adopts a qemu it did not start (nor does the
/// reference's since libvirt 5.5); through a daemon the call is forwarded and the daemon's
/// answer shown, as the reference's client does.
///
/// # Safety
/// The C contract of libvirt-qemu.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainQemuAttach(
    conn: virConnectPtr,
    pid: c_uint,
    flags: c_uint,
) -> virDomainPtr {
    const F: &str = "virDomainQemuAttach";
    entry::run(F, true, On::Connect(conn), || {
        let r = (|| {
            let e = handles::require_connection(conn, LIB_FROM, F)?;
            if e.conn.read_only {
                return Err(Error::read_only_in(LIB_FROM, F));
            }
            let driver = e.conn.driver.domain();
            let dom = driver
                .domain_qemu_attach(pid, flags)
                .map_err(|err| named(err, F))?;
            Ok(handles::new_domain(conn as usize, &e, &dom))
        })();
        r.unwrap_or_else(|e| fail(e, std::ptr::null_mut()))
    })
}

/// virConnectDomainQemuMonitorEventRegister (ffi::qemu_monitor_event).
///
/// # Safety
/// The C contract of libvirt-qemu.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtConnectDomainQemuMonitorEventRegister(
    conn: virConnectPtr,
    dom: virDomainPtr,
    event: *const c_char,
    cb: Option<MonitorFn>,
    opaque: *mut c_void,
    freecb: virFreeCallback,
    flags: c_uint,
) -> c_int {
    const F: &str = "virConnectDomainQemuMonitorEventRegister";
    entry::run(F, true, On::Connect(conn), || {
        // SAFETY: `event` is NULL or a C string, by the C contract.
        let event = unsafe { args::optional_str(event) }.map(|e| e.into_owned());
        qemu_monitor_event::register(conn, dom, event, cb, opaque, freecb, flags)
            .unwrap_or_else(|e| fail(e, -1))
    })
}

/// virConnectDomainQemuMonitorEventDeregister.
///
/// # Safety
/// The C contract of libvirt-qemu.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtConnectDomainQemuMonitorEventDeregister(
    conn: virConnectPtr,
    callback_id: c_int,
) -> c_int {
    const F: &str = "virConnectDomainQemuMonitorEventDeregister";
    entry::run(F, true, On::Connect(conn), || {
        qemu_monitor_event::deregister(conn, callback_id).unwrap_or_else(|e| fail(e, -1))
    })
}

/// virDomainLxcOpenNamespace: no LXC driver here, as in a reference without one.
///
/// # Safety
/// The C contract of libvirt-lxc.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainLxcOpenNamespace(
    domain: virDomainPtr,
    fdlist: *mut *mut c_int,
    _flags: c_uint,
) -> c_int {
    const F: &str = "virDomainLxcOpenNamespace";
    entry::run(F, true, On::Domain(domain), || {
        let r = (|| {
            let e = domain_of(domain, F)?;
            if fdlist.is_null() {
                return Err(Error::null_arg(LIB_FROM, F, "fdlist"));
            }
            writable(&e, F)?;
            Err(Error::no_support(LIB_FROM, F))
        })();
        r.unwrap_or_else(|e| fail(e, -1))
    })
}

/// virDomainLxcEnterNamespace: join the namespaces `fdlist` holds (setns); with none, the
/// reference's complaint.
///
/// # Safety
/// The C contract of libvirt-lxc.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainLxcEnterNamespace(
    domain: virDomainPtr,
    nfdlist: c_uint,
    fdlist: *mut c_int,
    noldfdlist: *mut c_uint,
    oldfdlist: *mut *mut c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainLxcEnterNamespace";
    entry::run(F, true, On::Domain(domain), || {
        let r = (|| {
            domain_of(domain, F)?;
            crate::api::check_bits(F, flags, 0, LIB_FROM)?;
            if !noldfdlist.is_null() || !oldfdlist.is_null() {
                return Err(Error::no_support(LIB_FROM, F));
            }
            if nfdlist == 0 {
                return Err(Error::invalid_arg(
                    LIB_FROM,
                    "virProcessSetNamespaces",
                    "nfdlist",
                    "Expected at least one file descriptor".into(),
                ));
            }
            for i in 0..nfdlist as usize {
                // SAFETY: `fdlist` holds `nfdlist` descriptors, by the C contract.
                let fd = unsafe { *fdlist.add(i) };
                // SAFETY: setns only reads the descriptor; a bad one fails with EBADF.
                if unsafe { libc::setns(fd, 0) } < 0 {
                    let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                    return Err(Error::system(
                        LIB_FROM,
                        errno,
                        "Unable to join domain namespace",
                    ));
                }
            }
            Ok(0)
        })();
        r.unwrap_or_else(|e| fail(e, -1))
    })
}

/// virDomainLxcEnterSecurityLabel: no security driver to enter a label with.
///
/// # Safety
/// The C contract of libvirt-lxc.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainLxcEnterSecurityLabel(
    _model: *mut c_void,
    _label: *mut c_void,
    _oldlabel: *mut c_void,
    flags: c_uint,
) -> c_int {
    const F: &str = "virDomainLxcEnterSecurityLabel";
    entry::run(F, true, On::Nothing, || {
        let r = (|| {
            crate::api::check_bits(F, flags, 0, LIB_FROM)?;
            Err::<c_int, _>(Error::no_support(LIB_FROM, F))
        })();
        r.unwrap_or_else(|e| fail(e, -1))
    })
}

/// virDomainLxcEnterCGroup: no cgroups are made for guests here, so there is none to enter.
///
/// # Safety
/// The C contract of libvirt-lxc.h.
#[no_mangle]
pub unsafe extern "C" fn oxvirtDomainLxcEnterCGroup(domain: virDomainPtr, flags: c_uint) -> c_int {
    const F: &str = "virDomainLxcEnterCGroup";
    entry::run(F, true, On::Domain(domain), || {
        let r = (|| {
            domain_of(domain, F)?;
            crate::api::check_bits(F, flags, 0, LIB_FROM)?;
            Ok(0)
        })();
        r.unwrap_or_else(|e| fail(e, -1))
    })
}
