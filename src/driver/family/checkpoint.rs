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
    /// virDomainListAllCheckpoints with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn checkpoint_count_all(&self, d: &DomainRef, flags: u32) -> Result<i32> {
        Ok(self.checkpoint_list_all(d, flags)?.len() as i32)
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
    /// virDomainCheckpointListAllChildren with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn checkpoint_count_all_children(
        &self,
        d: &DomainRef,
        c: &CheckpointRef,
        flags: u32,
    ) -> Result<i32> {
        Ok(self.checkpoint_list_all_children(d, c, flags)?.len() as i32)
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
