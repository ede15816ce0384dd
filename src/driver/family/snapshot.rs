//! The domain snapshot family: virDomainSnapshot* and virDomain*Snapshot* (libvirt's
//! virHypervisorDriver `domainSnapshot*` entries). A default body is what a driver that lacks
//! the call answers.

use super::unsupported;
use super::Stopped;
use crate::domain::DomainRef;
use crate::error::{Result, VIR_FROM_DOMAIN_SNAPSHOT};

/// What a virDomainSnapshotPtr names: the snapshot's name; its domain is the handle's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotRef {
    pub name: String,
}

/// Every name a listing matched. virDomainSnapshotListNames copies at most `nameslen` of them
/// but answers how many matched, as libvirt's moment lists do; the Num calls answer the count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MomentNames(pub Vec<String>);

/// The flags of virDomainSnapshotGetXMLDesc and virDomainCheckpointGetXMLDesc: the public layer
/// has refused their SECURE bit (1) on a read-only connection before the driver sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XmlFlags(pub u32);

pub trait DomainSnapshotDriver: Send + Sync {
    /// virDomainSnapshotCreateXML.
    fn snapshot_create_xml(
        &self,
        _d: &DomainRef,
        _xml: String,
        _flags: u32,
    ) -> Result<SnapshotRef> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotCreateXML")
    }
    /// virDomainSnapshotGetXMLDesc.
    fn snapshot_xml_desc(
        &self,
        _d: &DomainRef,
        _s: &SnapshotRef,
        _flags: XmlFlags,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotGetXMLDesc")
    }
    /// virDomainSnapshotListNames.
    fn snapshot_names(&self, _d: &DomainRef, _flags: u32) -> Result<MomentNames> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotListNames")
    }
    /// virDomainSnapshotNum: the names virDomainSnapshotListNames would give, counted.
    fn snapshot_num(&self, _d: &DomainRef, _flags: u32) -> Result<MomentNames> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotNum")
    }
    /// virDomainListAllSnapshots.
    fn snapshot_list_all(&self, _d: &DomainRef, _flags: u32) -> Result<Vec<SnapshotRef>> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainListAllSnapshots")
    }
    /// virDomainListAllSnapshots with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn snapshot_count_all(&self, d: &DomainRef, flags: u32) -> Result<i32> {
        Ok(self.snapshot_list_all(d, flags)?.len() as i32)
    }
    /// virDomainSnapshotNumChildren.
    fn snapshot_num_children(
        &self,
        _d: &DomainRef,
        _s: &SnapshotRef,
        _flags: u32,
    ) -> Result<MomentNames> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotNumChildren")
    }
    /// virDomainSnapshotListChildrenNames.
    fn snapshot_children_names(
        &self,
        _d: &DomainRef,
        _s: &SnapshotRef,
        _flags: u32,
    ) -> Result<MomentNames> {
        unsupported(
            VIR_FROM_DOMAIN_SNAPSHOT,
            "virDomainSnapshotListChildrenNames",
        )
    }
    /// virDomainSnapshotListAllChildren.
    fn snapshot_list_all_children(
        &self,
        _d: &DomainRef,
        _s: &SnapshotRef,
        _flags: u32,
    ) -> Result<Vec<SnapshotRef>> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotListAllChildren")
    }
    /// virDomainSnapshotListAllChildren with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn snapshot_count_all_children(
        &self,
        d: &DomainRef,
        s: &SnapshotRef,
        flags: u32,
    ) -> Result<i32> {
        Ok(self.snapshot_list_all_children(d, s, flags)?.len() as i32)
    }
    /// virDomainSnapshotLookupByName.
    fn snapshot_lookup_by_name(
        &self,
        _d: &DomainRef,
        _name: String,
        _flags: u32,
    ) -> Result<SnapshotRef> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotLookupByName")
    }
    /// virDomainHasCurrentSnapshot.
    fn snapshot_has_current(&self, _d: &DomainRef, _flags: u32) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainHasCurrentSnapshot")
    }
    /// virDomainSnapshotCurrent.
    fn snapshot_current(&self, _d: &DomainRef, _flags: u32) -> Result<SnapshotRef> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotCurrent")
    }
    /// virDomainSnapshotGetParent.
    fn snapshot_parent(
        &self,
        _d: &DomainRef,
        _s: &SnapshotRef,
        _flags: u32,
    ) -> Result<SnapshotRef> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotGetParent")
    }
    /// virDomainSnapshotIsCurrent.
    fn snapshot_is_current(&self, _d: &DomainRef, _s: &SnapshotRef, _flags: u32) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotIsCurrent")
    }
    /// virDomainSnapshotHasMetadata.
    fn snapshot_has_metadata(&self, _d: &DomainRef, _s: &SnapshotRef, _flags: u32) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotHasMetadata")
    }
    /// virDomainRevertToSnapshot: whether the domain was shut off on the way (the handle the
    /// snapshot belongs to then loses its id).
    fn snapshot_revert(&self, _d: &DomainRef, _s: &SnapshotRef, _flags: u32) -> Result<Stopped> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainRevertToSnapshot")
    }
    /// virDomainSnapshotDelete.
    fn snapshot_delete(&self, _d: &DomainRef, _s: &SnapshotRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN_SNAPSHOT, "virDomainSnapshotDelete")
    }
}
