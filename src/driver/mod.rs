//! Drivers behind one trait: the connection layer checks arguments and permissions the way
//! libvirt's public API does, then asks the driver. A driver that lacks an operation answers
//! VIR_ERR_NO_SUPPORT, as libvirt's drivers do.

pub mod qemu;
pub mod remote;
pub mod test;

use crate::domain::{DomainInfo, DomainRef};
use crate::error::{Error, Result, VIR_FROM_DOMAIN};
use crate::event::Bus;
use std::sync::Arc;

/// Who is calling, for operations that tie a domain to a connection (autodestroy).
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub conn_id: u64,
}

/// A handle whose domain no longer exists (a destroyed transient one): the reference's text.
pub(crate) fn stale_handle(from: i32, d: &DomainRef) -> Error {
    Error::with(
        crate::error::VIR_ERR_NO_DOMAIN,
        from,
        format!(
            "no domain with matching uuid '{}' ({})",
            crate::domain::uuid::format(&d.uuid),
            d.name
        ),
    )
}

/// libvirt's virCheckFlags in a driver, on raw bits: [`crate::api::check_flags`] is the typed
/// one (this stays for the drivers until their flags are typed).
pub(crate) fn check_flags(from: i32, flags: u32, allowed: u32, function: &str) -> Result<()> {
    crate::api::check_bits(function, flags, allowed, from).map(drop)
}

pub use test::NodeInfo;

fn unsupported<T>(function: &str) -> Result<T> {
    Err(Error::no_support(VIR_FROM_DOMAIN, function))
}

pub trait Driver: Send + Sync {
    /// virConnectGetType: "TEST", "QEMU".
    fn kind(&self) -> &'static str;
    fn hypervisor_version(&self) -> Result<u64>;
    /// virNodeGetInfo: the host as the driver describes it.
    fn node_info(&self) -> Result<NodeInfo> {
        unsupported("virNodeGetInfo")
    }
    fn hostname(&self) -> Result<String> {
        crate::host::local_hostname()
    }
    fn capabilities(&self) -> Result<String> {
        unsupported("virConnectGetCapabilities")
    }
    /// The bus this driver raises domain events on.
    fn events(&self) -> &Arc<Bus>;

    fn lookup_by_name(&self, name: &str) -> Result<DomainRef>;
    fn lookup_by_uuid(&self, uuid: &[u8; 16]) -> Result<DomainRef>;
    fn lookup_by_id(&self, id: i32) -> Result<DomainRef>;
    fn list_all(&self, flags: u32) -> Result<Vec<DomainRef>>;
    fn active_ids(&self) -> Result<Vec<i32>>;
    fn defined_names(&self) -> Result<Vec<String>>;

    fn create_xml(&self, caller: Caller, xml: &str, flags: u32) -> Result<DomainRef>;
    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef>;
    fn undefine(&self, d: &DomainRef, flags: u32) -> Result<()>;
    /// Start a defined domain; returns it with its new id.
    fn create(&self, caller: Caller, d: &DomainRef, flags: u32) -> Result<DomainRef>;
    fn destroy(&self, d: &DomainRef, flags: u32) -> Result<()>;
    fn suspend(&self, d: &DomainRef) -> Result<()>;
    fn resume(&self, d: &DomainRef) -> Result<()>;
    fn shutdown(&self, d: &DomainRef, flags: u32) -> Result<()>;
    fn reboot(&self, d: &DomainRef, flags: u32) -> Result<()>;

    fn state(&self, d: &DomainRef) -> Result<(i32, i32)>;
    fn info(&self, d: &DomainRef) -> Result<DomainInfo>;
    fn xml_desc(&self, d: &DomainRef, flags: u32) -> Result<String>;
    fn os_type(&self, d: &DomainRef) -> Result<String>;
    fn is_active(&self, d: &DomainRef) -> Result<bool>;
    fn is_persistent(&self, d: &DomainRef) -> Result<bool>;
    fn is_updated(&self, _d: &DomainRef) -> Result<bool> {
        Ok(false)
    }

    /// A connection closed: drivers destroy the guests it started with AUTODESTROY.
    fn connection_closed(&self, _caller: Caller) {}
}

/// virConnectListAllDomains' filter groups: within a group either bit matches, groups combine.
/// Managed save, autostart, snapshots and checkpoints: our domains have none.
pub fn list_filter(flags: u32, active: bool, persistent: bool, state: i32) -> bool {
    use crate::domain::state as st;
    let group = |yes: u32, no: u32, is: bool| {
        let both = yes | no;
        flags & both == 0
            || flags & both == both
            || (is && flags & yes != 0)
            || (!is && flags & no != 0)
    };
    let state_bits = flags & (0x10 | 0x20 | 0x40 | 0x80);
    let state_ok = state_bits == 0
        || (flags & 0x10 != 0 && state == st::RUNNING)
        || (flags & 0x20 != 0 && state == st::PAUSED)
        || (flags & 0x40 != 0 && state == st::SHUTOFF)
        || (flags & 0x80 != 0 && !matches!(state, st::RUNNING | st::PAUSED | st::SHUTOFF));
    group(0x1, 0x2, active)
        && group(0x4, 0x8, persistent)
        && state_ok
        && group(0x100, 0x200, false)
        && group(0x400, 0x800, false)
        && group(0x1000, 0x2000, false)
        && group(0x4000, 0x8000, false)
}
