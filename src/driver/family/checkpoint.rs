//! The domain checkpoint family: virDomainCheckpoint* and virDomain*Checkpoint* (libvirt's
//! virHypervisorDriver `domainCheckpoint*` entries). A default body is what a driver that lacks
//! the call answers.

/// What a virDomainCheckpointPtr names: the checkpoint's name; its domain is the handle's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointRef {
    pub name: String,
}

pub trait DomainCheckpointDriver: Send + Sync {}
