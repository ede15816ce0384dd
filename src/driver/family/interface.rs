//! The interface family: virInterface* and virConnect*Interface* (libvirt's virInterfaceDriver).
//! A default body is what a driver that lacks the call answers.

use super::unsupported;
use crate::error::{Result, VIR_FROM_INTERFACE};

/// What a virInterfacePtr names, as libvirt's virInterface holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceRef {
    pub name: String,
    pub mac: String,
}

pub trait InterfaceDriver: Send + Sync {
    /// virInterfaceLookupByName.
    fn iface_lookup_by_name(&self, _name: String) -> Result<InterfaceRef> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceLookupByName")
    }
    /// virInterfaceLookupByMACString.
    fn iface_lookup_by_mac(&self, _mac: String) -> Result<InterfaceRef> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceLookupByMACString")
    }
    /// virConnectListInterfaces (and virConnectNumOfInterfaces): the active interfaces' names.
    fn iface_active_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_INTERFACE, "virConnectListInterfaces")
    }
    /// virConnectListDefinedInterfaces (and virConnectNumOfDefinedInterfaces).
    fn iface_defined_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_INTERFACE, "virConnectListDefinedInterfaces")
    }
    /// virConnectListAllInterfaces.
    fn iface_list_all(&self, _flags: u32) -> Result<Vec<InterfaceRef>> {
        unsupported(VIR_FROM_INTERFACE, "virConnectListAllInterfaces")
    }
    /// virConnectListAllInterfaces with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn iface_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.iface_list_all(flags)?.len() as i32)
    }
    /// virInterfaceGetXMLDesc.
    fn iface_xml_desc(&self, _iface: &InterfaceRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceGetXMLDesc")
    }
    /// virInterfaceDefineXML.
    fn iface_define_xml(&self, _xml: String, _flags: u32) -> Result<InterfaceRef> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceDefineXML")
    }
    /// virInterfaceUndefine.
    fn iface_undefine(&self, _iface: &InterfaceRef) -> Result<()> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceUndefine")
    }
    /// virInterfaceCreate.
    fn iface_create(&self, _iface: &InterfaceRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceCreate")
    }
    /// virInterfaceDestroy.
    fn iface_destroy(&self, _iface: &InterfaceRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceDestroy")
    }
    /// virInterfaceIsActive.
    fn iface_is_active(&self, _iface: &InterfaceRef) -> Result<bool> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceIsActive")
    }
    /// virInterfaceChangeBegin: the interfaces as they are now can be brought back.
    fn iface_change_begin(&self, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceChangeBegin")
    }
    /// virInterfaceChangeCommit.
    fn iface_change_commit(&self, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceChangeCommit")
    }
    /// virInterfaceChangeRollback.
    fn iface_change_rollback(&self, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_INTERFACE, "virInterfaceChangeRollback")
    }

    /// virConnectNumOfInterfaces: by default the length of the listing; a daemon counts itself.
    fn iface_count_active(&self) -> Result<i32> {
        Ok(self.iface_active_names()?.len() as i32)
    }
    /// virConnectNumOfDefinedInterfaces: as iface_count_active, for the inactive interfaces.
    fn iface_count_defined(&self) -> Result<i32> {
        Ok(self.iface_defined_names()?.len() as i32)
    }
}
