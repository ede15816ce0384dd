//! Drivers as libvirt's driver tables, one trait per API family (`family`): the connection layer
//! checks arguments and permissions the way libvirt's public API does, then asks the driver's
//! table for that family. A driver that lacks an operation answers VIR_ERR_NO_SUPPORT, as
//! libvirt's drivers do.

pub mod family;
mod harness;
pub mod qemu;
pub mod remote;
pub mod test;

use crate::domain::DomainRef;
use crate::error::{Error, Result};
pub use family::{
    CloseSink, ConnectDriver, DomainDriver, DomainEventDriver, InterfaceDriver, NetworkDriver,
    NetworkEventDriver, NodeDeviceDriver, NodeDriver, NwFilterDriver, SecretDriver, StorageDriver,
    StreamDriver,
};
pub use harness::{HarnessGuest, ProcessKillHarness};

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

/// A driver: the tables of every API family. A driver implements each family trait, empty where
/// it serves none of it (the defaults answer VIR_ERR_NO_SUPPORT); the connection reaches a
/// family through the accessors, as libvirt's `conn->driver`, `conn->networkDriver`, ...
pub trait Driver:
    ConnectDriver
    + DomainDriver
    + NodeDriver
    + DomainEventDriver
    + NetworkDriver
    + NetworkEventDriver
    + InterfaceDriver
    + StorageDriver
    + NodeDeviceDriver
    + SecretDriver
    + NwFilterDriver
    + StreamDriver
{
    fn connect(&self) -> &dyn ConnectDriver;
    fn domain(&self) -> &dyn DomainDriver;
    fn node(&self) -> &dyn NodeDriver;
    fn domain_event(&self) -> &dyn DomainEventDriver;
}

impl<T> Driver for T
where
    T: ConnectDriver
        + DomainDriver
        + NodeDriver
        + DomainEventDriver
        + NetworkDriver
        + NetworkEventDriver
        + InterfaceDriver
        + StorageDriver
        + NodeDeviceDriver
        + SecretDriver
        + NwFilterDriver
        + StreamDriver,
{
    fn connect(&self) -> &dyn ConnectDriver {
        self
    }
    fn domain(&self) -> &dyn DomainDriver {
        self
    }
    fn node(&self) -> &dyn NodeDriver {
        self
    }
    fn domain_event(&self) -> &dyn DomainEventDriver {
        self
    }
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
