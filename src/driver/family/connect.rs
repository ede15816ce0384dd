//! The connection and hypervisor family (libvirt's virHypervisorDriver `connect*` entries and
//! the connection's own facts): type, version, hostname, capabilities, liveness, close
//! callbacks, the driver's error domain, and the qemu process-kill harness.

use super::forwarded::AnyParams;
use super::unsupported;
use crate::driver::{Caller, ProcessKillHarness};
use crate::error::{Result, VIR_FROM_DOMAIN};
use std::ffi::CStr;

/// libvirt 9.0.0's version number, which this library answers for its own.
pub(crate) const THIS_LIB_VERSION: u64 = 9_000_000;

/// What a connection that ends by itself calls with libvirt's virConnectCloseReason.
pub type CloseSink = Box<dyn Fn(i32) + Send + Sync>;

pub trait ConnectDriver: Send + Sync {
    /// The driver's name in function names and messages: "TEST", "QEMU", or what a daemon says.
    fn kind(&self) -> &'static str;

    /// virConnectGetType. A static string: the C caller does not free it.
    fn type_name(&self) -> &'static CStr {
        c""
    }

    /// The error domain the driver reports its own errors under (VIR_FROM_TEST, VIR_FROM_QEMU).
    fn error_domain(&self) -> i32;

    /// virConnectGetVersion.
    fn hypervisor_version(&self) -> Result<u64> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetVersion")
    }

    /// virConnectGetHostname: by default the local host's name.
    fn hostname(&self) -> Result<String> {
        crate::host::local_hostname()
    }

    /// virConnectGetCapabilities.
    fn capabilities(&self) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetCapabilities")
    }

    /// virConnectGetMaxVcpus: the most virtual CPUs a guest of `guest_type` may have.
    fn max_vcpus(&self, _guest_type: Option<String>) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetMaxVcpus")
    }

    /// virConnectGetSysinfo: the host's SMBIOS description as XML.
    fn sysinfo(&self, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetSysinfo")
    }

    /// virConnectIsAlive: local drivers always are.
    fn is_alive(&self) -> bool {
        true
    }

    /// Whether the connection can end by itself (a daemon that goes away), the only case in
    /// which virConnectRegisterCloseCallback has anything to report.
    fn can_close(&self) -> bool {
        false
    }

    /// Call `f` once, with the close reason, when the connection ends by itself; it replaces any
    /// `f` given before. Nothing for a connection that cannot end by itself.
    fn on_close(&self, _f: CloseSink) {}

    /// A connection closed: drivers destroy the guests it started with AUTODESTROY.
    fn connection_closed(&self, _caller: Caller) {}

    /// The internal kill engine the C harness drives (qemu_process.h); only the qemu driver has
    /// one.
    fn process_kill_harness(&self) -> Option<&dyn ProcessKillHarness> {
        None
    }

    /// virConnectSetKeepAlive: start sending keepalive pings every `interval` seconds, the
    /// connection closing after `count` unanswered; stop them when `interval` is not positive.
    fn set_keep_alive(&self, _interval: i32, _count: u32) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virConnectSetKeepAlive")
    }

    /// virConnectSetIdentity: the identity the far side's access checks see for this connection.
    fn set_identity(&self, _params: AnyParams, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virConnectSetIdentity")
    }

    /// virConnectGetDomainCapabilities: what a guest of the emulator, architecture, machine
    /// type and virtualization type (each defaulted when absent) may use.
    fn domain_capabilities(
        &self,
        _emulatorbin: Option<String>,
        _arch: Option<String>,
        _machine: Option<String>,
        _virttype: Option<String>,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetDomainCapabilities")
    }

    /// virConnectIsSecure: whether nobody between the caller and the hypervisor can read or
    /// change what they say. Local drivers are.
    fn is_secure(&self) -> Result<bool> {
        Ok(true)
    }

    /// virConnectIsEncrypted: whether what the caller and the hypervisor say is encrypted on its
    /// way. Local drivers talk in memory, which is not.
    fn is_encrypted(&self) -> Result<bool> {
        Ok(false)
    }

    /// The application registered (true) or unregistered its close callback: a daemon is told,
    /// as the reference's client tells it, so that it reports the end of its own connection to
    /// the hypervisor. Local drivers have nothing to tell.
    fn close_callback_registered(&self, _registered: bool) -> Result<()> {
        Ok(())
    }

    /// virConnectGetLibVersion: this library's version, or the daemon's library's (the
    /// reference's client asks it, CONNECT_GET_LIB_VERSION).
    fn lib_version(&self) -> Result<u64> {
        Ok(THIS_LIB_VERSION)
    }

    /// Whether the driver (the daemon, for the remote driver) has the internal feature
    /// `feature` (libvirt's virDrvFeature, VIR_DRV_FEATURE_*).
    fn supports_feature(&self, _feature: i32) -> Result<bool> {
        Ok(false)
    }
}
