//! The domain snapshot family: virDomainSnapshot* and virDomain*Snapshot* (libvirt's
//! virHypervisorDriver `domainSnapshot*` entries). A default body is what a driver that lacks
//! the call answers.

/// What a virDomainSnapshotPtr names: the snapshot's name; its domain is the handle's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotRef {
    pub name: String,
}

pub trait DomainSnapshotDriver: Send + Sync {}
