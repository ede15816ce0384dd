//! The domain family (libvirt's virHypervisorDriver `domain*` entries and the domain listings).
//! A default body is what a driver that lacks the call answers.

use super::unsupported;
use crate::domain::{DomainInfo, DomainRef};
use crate::driver::Caller;
use crate::error::{Result, VIR_FROM_DOMAIN};

pub trait DomainDriver: Send + Sync {
    /// virDomainLookupByName.
    fn lookup_by_name(&self, _name: &str) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainLookupByName")
    }
    /// virDomainLookupByUUID.
    fn lookup_by_uuid(&self, _uuid: &[u8; 16]) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainLookupByUUID")
    }
    /// virDomainLookupByID.
    fn lookup_by_id(&self, _id: i32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainLookupByID")
    }
    /// virConnectListAllDomains.
    fn list_all(&self, _flags: u32) -> Result<Vec<DomainRef>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectListAllDomains")
    }
    /// virConnectListDomains (and virConnectNumOfDomains).
    fn active_ids(&self) -> Result<Vec<i32>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectListDomains")
    }
    /// virConnectListDefinedDomains (and virConnectNumOfDefinedDomains).
    fn defined_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectListDefinedDomains")
    }

    /// virDomainCreateXML.
    fn create_xml(&self, _caller: Caller, _xml: &str, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCreateXML")
    }
    /// virDomainDefineXMLFlags (and virDomainDefineXML).
    fn define_xml(&self, _xml: &str, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDefineXMLFlags")
    }
    /// virDomainUndefineFlags (and virDomainUndefine).
    fn undefine(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainUndefineFlags")
    }
    /// virDomainCreateWithFlags (and virDomainCreate): start a defined domain; returns it with
    /// its new id.
    fn create(&self, _caller: Caller, _d: &DomainRef, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCreateWithFlags")
    }
    /// virDomainDestroyFlags (and virDomainDestroy).
    fn destroy(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDestroyFlags")
    }
    /// virDomainSuspend.
    fn suspend(&self, _d: &DomainRef) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSuspend")
    }
    /// virDomainResume.
    fn resume(&self, _d: &DomainRef) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainResume")
    }
    /// virDomainShutdownFlags (and virDomainShutdown).
    fn shutdown(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainShutdownFlags")
    }
    /// virDomainReboot.
    fn reboot(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainReboot")
    }

    /// virDomainGetState: (state, reason); the driver checks `flags` itself.
    fn state(&self, _d: &DomainRef, _flags: u32) -> Result<(i32, i32)> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetState")
    }
    /// virDomainGetInfo (and virDomainGetMaxMemory).
    fn info(&self, _d: &DomainRef) -> Result<DomainInfo> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetInfo")
    }
    /// virDomainGetXMLDesc.
    fn xml_desc(&self, _d: &DomainRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetXMLDesc")
    }
    /// virDomainGetOSType.
    fn os_type(&self, _d: &DomainRef) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetOSType")
    }
    /// virDomainIsActive.
    fn is_active(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainIsActive")
    }
    /// virDomainIsPersistent.
    fn is_persistent(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainIsPersistent")
    }
    /// virDomainIsUpdated.
    fn is_updated(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainIsUpdated")
    }
}
