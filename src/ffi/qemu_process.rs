//! qemu_process.h: libvirt's internal kill engine entry point, exported under our own version
//! node (OXVIRT_0.1.0) so a C harness can drive it on a live domain:
//! `qemuDomainObjFromDomain` (the locked domain object), `qemuProcessKill`, `virDomainObjEndAPI`.

use crate::driver::HarnessGuest;
use crate::error::{
    self, Error, VIR_ERR_INVALID_ARG, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, VIR_FROM_QEMU,
};
use crate::ffi::generated::types::virDomainPtr;
use crate::ffi::{entry, handles};
use std::collections::HashMap;
use std::os::raw::{c_int, c_uint};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// A domain object as the C harness holds it (opaque).
pub struct _virDomainObj {
    _opaque: [u8; 0],
}
pub type virDomainObj = _virDomainObj;
pub type virDomainObjPtr = *mut virDomainObj;

/// The kill engine's modes (spec section 1).
pub type virQemuProcessKillMode = c_uint;
/// SIGKILL after the grace period.
pub const VIR_QEMU_PROCESS_KILL_FORCE: virQemuProcessKillMode = 1 << 0;
/// Send one signal and return.
pub const VIR_QEMU_PROCESS_KILL_NOWAIT: virQemuProcessKillMode = 1 << 1;
/// Skip the "is the VM active" check.
pub const VIR_QEMU_PROCESS_KILL_NOCHECK: virQemuProcessKillMode = 1 << 2;

/// The guests the harness holds, by the opaque key handed out for each (never an address).
static OBJS: LazyLock<Mutex<HashMap<usize, Arc<dyn HarnessGuest>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
static NEXT: AtomicUsize = AtomicUsize::new(1);

fn objs() -> std::sync::MutexGuard<'static, HashMap<usize, Arc<dyn HarnessGuest>>> {
    OBJS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The locked domain object behind a qemu domain handle; NULL with an error otherwise.
///
/// # Safety
/// `domain` may be anything: it is a registry key, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn qemuDomainObjFromDomain(domain: virDomainPtr) -> virDomainObjPtr {
    entry::call(
        "qemuDomainObjFromDomain",
        std::ptr::null_mut(),
        true,
        entry::On::Nothing,
        || {
            let found = handles::domain(domain)
                .ok_or_else(|| {
                    Error::with(
                        VIR_ERR_INVALID_DOMAIN,
                        VIR_FROM_DOM,
                        "qemuDomainObjFromDomain",
                    )
                })
                .and_then(|e| {
                    let harness = e.conn.driver.connect().process_kill_harness();
                    let harness = harness.ok_or_else(|| {
                        Error::with(
                            VIR_ERR_INVALID_ARG,
                            VIR_FROM_QEMU,
                            "domain is not on the qemu driver",
                        )
                    })?;
                    harness.lock_guest(&e.domain_ref())
                });
            match found {
                Ok(guest) => {
                    let key = 0x0bad_8000_0000 + NEXT.fetch_add(1, Ordering::Relaxed) * 16;
                    objs().insert(key, guest);
                    key as virDomainObjPtr
                }
                Err(e) => {
                    error::report(e);
                    std::ptr::null_mut()
                }
            }
        },
    )
}

/// Unlock and release a domain object, and clear the caller's pointer.
///
/// # Safety
/// `vm` is NULL or the address of a `virDomainObjPtr` variable of the caller.
#[no_mangle]
pub unsafe extern "C" fn virDomainObjEndAPI(vm: *mut virDomainObjPtr) {
    entry::call("virDomainObjEndAPI", (), false, entry::On::Nothing, || {
        if vm.is_null() {
            return;
        }
        // SAFETY: non-NULL; the caller passes the address of its virDomainObjPtr variable.
        let key = unsafe { vm.read() } as usize;
        if let Some(guest) = objs().remove(&key) {
            guest.unlock();
        }
        // SAFETY: as above, writable.
        unsafe { vm.write(std::ptr::null_mut()) };
    })
}

/// libvirt's qemuProcessKill(vm, flags), spec section 1.
///
/// # Safety
/// `vm` may be anything: it is a registry key, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn qemuProcessKill(vm: virDomainObjPtr, flags: c_uint) -> c_int {
    entry::call("qemuProcessKill", -1, true, entry::On::Nothing, || {
        let found = objs().get(&(vm as usize)).cloned();
        let Some(guest) = found else {
            error::report(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                "qemuProcessKill: invalid domain object",
            ));
            return -1;
        };
        let nocheck = flags & VIR_QEMU_PROCESS_KILL_NOCHECK != 0;
        if !guest.is_active() && !nocheck {
            return 0;
        }
        let force = flags & VIR_QEMU_PROCESS_KILL_FORCE != 0;
        let nowait = flags & VIR_QEMU_PROCESS_KILL_NOWAIT != 0;
        match guest.kill(force, nowait, nocheck) {
            Ok(()) => 0,
            Err(e) => {
                error::report(e);
                -1
            }
        }
    })
}
