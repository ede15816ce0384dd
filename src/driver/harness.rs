//! The internal kill engine as a C harness drives it (qemu_process.h: `qemuDomainObjFromDomain`,
//! `qemuProcessKill`, `virDomainObjEndAPI`). The C boundary reaches it through
//! [`super::ConnectDriver::process_kill_harness`], never through a concrete driver.

use crate::domain::DomainRef;
use crate::error::Result;
use std::sync::Arc;

/// A driver whose guests the harness can kill (the qemu driver).
pub trait ProcessKillHarness: Send + Sync {
    /// qemuDomainObjFromDomain: the guest behind `d`, its object lock taken (blocks while
    /// another caller holds it).
    fn lock_guest(&self, d: &DomainRef) -> Result<Arc<dyn HarnessGuest>>;
}

/// One guest as the harness holds it, between qemuDomainObjFromDomain and virDomainObjEndAPI.
pub trait HarnessGuest: Send + Sync {
    fn is_active(&self) -> bool;
    /// qemuProcessKill on this guest, with the modes of spec section 1.
    fn kill(&self, force: bool, nowait: bool, nocheck: bool) -> Result<()>;
    /// virDomainObjEndAPI: release the object lock.
    fn unlock(&self);
}
