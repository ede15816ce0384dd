//! The nwfilter family: virNWFilter* and virConnect*NWFilter* (libvirt's virNWFilterDriver).
//! A default body is what a driver that lacks the call answers.

use super::unsupported;
use crate::error::{Result, VIR_FROM_NWFILTER};

/// What a virNWFilterPtr names, as libvirt's virNWFilter holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NwFilterRef {
    pub name: String,
    pub uuid: [u8; 16],
}

/// What a virNWFilterBindingPtr names: the port device a filter is bound to, and the filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NwFilterBindingRef {
    pub portdev: String,
    pub filtername: String,
}

pub trait NwFilterDriver: Send + Sync {
    /// virConnectNumOfNWFilters (the names, counted).
    fn nwfilter_count(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NWFILTER, "virConnectNumOfNWFilters")
    }
    /// virConnectListNWFilters.
    fn nwfilter_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NWFILTER, "virConnectListNWFilters")
    }
    /// virConnectListAllNWFilters.
    fn nwfilter_list_all(&self, _flags: u32) -> Result<Vec<NwFilterRef>> {
        unsupported(VIR_FROM_NWFILTER, "virConnectListAllNWFilters")
    }
    /// virConnectListAllNWFilters with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn nwfilter_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.nwfilter_list_all(flags)?.len() as i32)
    }
    /// virNWFilterLookupByName.
    fn nwfilter_lookup_by_name(&self, _name: String) -> Result<NwFilterRef> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterLookupByName")
    }
    /// virNWFilterLookupByUUID (and virNWFilterLookupByUUIDString).
    fn nwfilter_lookup_by_uuid(&self, _uuid: [u8; 16]) -> Result<NwFilterRef> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterLookupByUUID")
    }
    /// virNWFilterDefineXML.
    fn nwfilter_define_xml(&self, _xml: String) -> Result<NwFilterRef> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterDefineXML")
    }
    /// virNWFilterDefineXMLFlags.
    fn nwfilter_define_xml_flags(&self, _xml: String, _flags: u32) -> Result<NwFilterRef> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterDefineXMLFlags")
    }
    /// virNWFilterUndefine.
    fn nwfilter_undefine(&self, _filter: &NwFilterRef) -> Result<()> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterUndefine")
    }
    /// virNWFilterGetXMLDesc.
    fn nwfilter_xml_desc(&self, _filter: &NwFilterRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterGetXMLDesc")
    }
    /// virConnectListAllNWFilterBindings.
    fn nwfilter_binding_list_all(&self, _flags: u32) -> Result<Vec<NwFilterBindingRef>> {
        unsupported(VIR_FROM_NWFILTER, "virConnectListAllNWFilterBindings")
    }
    /// virConnectListAllNWFilterBindings with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn nwfilter_binding_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.nwfilter_binding_list_all(flags)?.len() as i32)
    }
    /// virNWFilterBindingLookupByPortDev.
    fn nwfilter_binding_lookup_by_port_dev(&self, _portdev: String) -> Result<NwFilterBindingRef> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterBindingLookupByPortDev")
    }
    /// virNWFilterBindingCreateXML.
    fn nwfilter_binding_create_xml(&self, _xml: String, _flags: u32) -> Result<NwFilterBindingRef> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterBindingCreateXML")
    }
    /// virNWFilterBindingDelete.
    fn nwfilter_binding_delete(&self, _binding: &NwFilterBindingRef) -> Result<()> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterBindingDelete")
    }
    /// virNWFilterBindingGetXMLDesc.
    fn nwfilter_binding_xml_desc(
        &self,
        _binding: &NwFilterBindingRef,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_NWFILTER, "virNWFilterBindingGetXMLDesc")
    }
}
