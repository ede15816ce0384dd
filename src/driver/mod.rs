//! Drivers as libvirt's driver tables, one trait per API family (`family`): the connection layer
//! checks arguments and permissions the way libvirt's public API does, then asks the driver's
//! table for that family. A driver that lacks an operation answers VIR_ERR_NO_SUPPORT, as
//! libvirt's drivers do.

pub mod family;
mod harness;
pub mod migrate;
pub mod qemu;
pub mod remote;
pub mod testdriver;

use crate::api::{ConnectListAllDomainsFlags, DomainState};
use crate::domain::{self, DomainDef, DomainRef};
use crate::error::{Error, Result, VIR_ERR_OPERATION_FAILED, VIR_FROM_DOMAIN};
pub use family::Screenshot;
pub use family::{
    CheckpointRef, CloseSink, ConnectDriver, DomainCheckpointDriver, DomainDriver,
    DomainEventDriver, DomainSnapshotDriver, InterfaceDriver, InterfaceRef, MomentNames,
    NetworkDriver, NetworkEventDriver, NetworkPortRef, NetworkRef, NodeDeviceDriver, NodeDeviceRef,
    NodeDriver, NwFilterBindingRef, NwFilterDriver, NwFilterRef, SecretDriver, SecretRef,
    SnapshotRef, StorageDriver, StoragePoolRef, StorageVolRef, StreamDriver, XmlFlags,
};
pub use harness::{HarnessGuest, ProcessKillHarness};

/// Who is calling, for operations that tie a domain to a connection (autodestroy).
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub conn_id: u64,
}

/// A handle whose domain no longer exists (a destroyed transient one): the reference's text.
/// Whether a new definition `def` may join a driver's domains, as libvirt's domain list decides
/// it: `same_uuid` is the domain that already has its UUID (its name, whether it runs),
/// `same_name` the UUID of the domain that already has its name.
pub(crate) fn check_clash(
    def: &DomainDef,
    same_uuid: Option<(&str, bool)>,
    same_name: Option<&[u8; 16]>,
    allow_active: bool,
) -> Result<()> {
    let failed = |text: String| Error::with(VIR_ERR_OPERATION_FAILED, VIR_FROM_DOMAIN, text);
    match (same_uuid, same_name) {
        (Some((name, _)), _) if name != def.name => Err(failed(format!(
            "domain '{name}' is already defined with uuid {}",
            domain::uuid::format(&def.uuid)
        ))),
        (Some((_, true)), _) if !allow_active => Err(Error::operation_invalid(&format!(
            "domain '{}' is already active",
            def.name
        ))),
        (Some(_), _) | (None, None) => Ok(()),
        (None, Some(other)) => Err(failed(format!(
            "domain '{}' already exists with uuid {}",
            def.name,
            domain::uuid::format(other)
        ))),
    }
}

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

pub use testdriver::NodeInfo;

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
    + DomainSnapshotDriver
    + DomainCheckpointDriver
{
    fn connect(&self) -> &dyn ConnectDriver;
    fn domain(&self) -> &dyn DomainDriver;
    fn node(&self) -> &dyn NodeDriver;
    fn domain_event(&self) -> &dyn DomainEventDriver;
    fn network(&self) -> &dyn NetworkDriver;
    fn network_event(&self) -> &dyn NetworkEventDriver;
    fn interface(&self) -> &dyn InterfaceDriver;
    fn storage(&self) -> &dyn StorageDriver;
    fn node_device(&self) -> &dyn NodeDeviceDriver;
    fn secret(&self) -> &dyn SecretDriver;
    fn nwfilter(&self) -> &dyn NwFilterDriver;
    fn stream(&self) -> &dyn StreamDriver;
    fn snapshot(&self) -> &dyn DomainSnapshotDriver;
    fn checkpoint(&self) -> &dyn DomainCheckpointDriver;
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
        + StreamDriver
        + DomainSnapshotDriver
        + DomainCheckpointDriver,
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
    fn network(&self) -> &dyn NetworkDriver {
        self
    }
    fn network_event(&self) -> &dyn NetworkEventDriver {
        self
    }
    fn interface(&self) -> &dyn InterfaceDriver {
        self
    }
    fn storage(&self) -> &dyn StorageDriver {
        self
    }
    fn node_device(&self) -> &dyn NodeDeviceDriver {
        self
    }
    fn secret(&self) -> &dyn SecretDriver {
        self
    }
    fn nwfilter(&self) -> &dyn NwFilterDriver {
        self
    }
    fn stream(&self) -> &dyn StreamDriver {
        self
    }
    fn snapshot(&self) -> &dyn DomainSnapshotDriver {
        self
    }
    fn checkpoint(&self) -> &dyn DomainCheckpointDriver {
        self
    }
}

/// virConnectListAllDomains' filter groups: within a group either flag matches, groups combine.
/// Managed save, autostart, snapshots and checkpoints: our domains have none.
pub fn list_filter(
    flags: ConnectListAllDomainsFlags,
    active: bool,
    persistent: bool,
    state: DomainState,
) -> bool {
    use ConnectListAllDomainsFlags as F;
    let group = |yes: F, no: F, is: bool| {
        let both = yes | no;
        !flags.intersects(both)
            || flags.contains(both)
            || (is && flags.intersects(yes))
            || (!is && flags.intersects(no))
    };
    let running = state == DomainState::Running;
    let paused = state == DomainState::Paused;
    let shutoff = state == DomainState::Shutoff;
    let state_ok = !flags.intersects(F::RUNNING | F::PAUSED | F::SHUTOFF | F::OTHER)
        || (flags.contains(F::RUNNING) && running)
        || (flags.contains(F::PAUSED) && paused)
        || (flags.contains(F::SHUTOFF) && shutoff)
        || (flags.contains(F::OTHER) && !(running || paused || shutoff));
    group(F::ACTIVE, F::INACTIVE, active)
        && group(F::PERSISTENT, F::TRANSIENT, persistent)
        && state_ok
        && group(F::MANAGEDSAVE, F::NO_MANAGEDSAVE, false)
        && group(F::AUTOSTART, F::NO_AUTOSTART, false)
        && group(F::HAS_SNAPSHOT, F::NO_SNAPSHOT, false)
        && group(F::HAS_CHECKPOINT, F::NO_CHECKPOINT, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectListAllDomainsFlags as F;

    const RUNNING: DomainState = DomainState::Running;
    const PAUSED: DomainState = DomainState::Paused;
    const CRASHED: DomainState = DomainState::Crashed;

    #[test]
    fn list_filter_groups_as_virconnectlistalldomains() {
        // No flags: everything.
        assert!(list_filter(F::empty(), false, false, CRASHED));
        // Within a group either flag matches; both flags mean no filter.
        assert!(list_filter(F::ACTIVE, true, false, RUNNING));
        assert!(!list_filter(F::ACTIVE, false, false, RUNNING));
        assert!(list_filter(F::ACTIVE | F::INACTIVE, false, true, RUNNING));
        // Groups combine.
        assert!(!list_filter(
            F::ACTIVE | F::PERSISTENT,
            true,
            false,
            RUNNING
        ));
        assert!(list_filter(F::PAUSED | F::OTHER, true, true, PAUSED));
        assert!(list_filter(F::OTHER, true, true, CRASHED));
        assert!(!list_filter(F::OTHER, true, true, RUNNING));
        // Our domains have no managed save, autostart, snapshot or checkpoint.
        assert!(!list_filter(F::AUTOSTART, true, true, RUNNING));
        assert!(list_filter(
            F::NO_SNAPSHOT | F::NO_CHECKPOINT,
            true,
            true,
            RUNNING
        ));
    }
}
