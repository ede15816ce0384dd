//! The domain checkpoint family: virDomainCheckpoint* and virDomain*Checkpoint* (libvirt's
//! virHypervisorDriver `domainCheckpoint*` entries). A default body is what a driver that lacks
//! the call answers.

use super::unsupported;
use crate::domain::DomainRef;
use crate::error::{Result, VIR_FROM_DOMAIN_CHECKPOINT};

/// What a virDomainCheckpointPtr names: the checkpoint's name; its domain is the handle's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointRef {
    pub name: String,
}

pub trait DomainCheckpointDriver: Send + Sync {
    /// virDomainCheckpointCreateXML.
    fn checkpoint_create_xml(
        &self,
        _d: &DomainRef,
        _xml: String,
        _flags: u32,
    ) -> Result<CheckpointRef> {
        unsupported(VIR_FROM_DOMAIN_CHECKPOINT, "virDomainCheckpointCreateXML")
    }
    /// virDomainCheckpointGetXMLDesc.
    fn checkpoint_xml_desc(
        &self,
        _d: &DomainRef,
        _c: &CheckpointRef,
        _flags: super::snapshot::XmlFlags,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN_CHECKPOINT, "virDomainCheckpointGetXMLDesc")
    }
    /// virDomainListAllCheckpoints.
    fn checkpoint_list_all(&self, _d: &DomainRef, _flags: u32) -> Result<Vec<CheckpointRef>> {
        unsupported(VIR_FROM_DOMAIN_CHECKPOINT, "virDomainListAllCheckpoints")
    }
    /// virDomainCheckpointListAllChildren.
    fn checkpoint_list_all_children(
        &self,
        _d: &DomainRef,
        _c: &CheckpointRef,
        _flags: u32,
    ) -> Result<Vec<CheckpointRef>> {
        unsupported(
            VIR_FROM_DOMAIN_CHECKPOINT,
            "virDomainCheckpointListAllChildren",
        )
    }
    /// virDomainCheckpointLookupByName.
    fn checkpoint_lookup_by_name(
        &self,
        _d: &DomainRef,
        _name: String,
        _flags: u32,
    ) -> Result<CheckpointRef> {
        unsupported(
            VIR_FROM_DOMAIN_CHECKPOINT,
            "virDomainCheckpointLookupByName",
        )
    }
    /// virDomainCheckpointGetParent.
    fn checkpoint_parent(
        &self,
        _d: &DomainRef,
        _c: &CheckpointRef,
        _flags: u32,
    ) -> Result<CheckpointRef> {
        unsupported(VIR_FROM_DOMAIN_CHECKPOINT, "virDomainCheckpointGetParent")
    }
    /// virDomainCheckpointDelete.
    fn checkpoint_delete(&self, _d: &DomainRef, _c: &CheckpointRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN_CHECKPOINT, "virDomainCheckpointDelete")
    }
}
