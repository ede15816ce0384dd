//! The node device family: virNodeDevice* and virNodeListDevices (libvirt's virNodeDeviceDriver).
//! A default body is what a driver that lacks the call answers.

use super::forwarded::NodeDeviceAutostart;
use super::unsupported;
use crate::error::{Result, VIR_FROM_NODEDEV};
use crate::event::Bus;
use std::sync::Arc;

/// What a virNodeDevicePtr names, as libvirt's virNodeDevice holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDeviceRef {
    pub name: String,
    /// The parent's name the handle was made with (libvirt's parentName): set by lookups and
    /// listings, none on the handles events carry, which ask the driver instead.
    pub parent: Option<String>,
}

impl NodeDeviceRef {
    /// A device's handle named as its definition says.
    pub fn new(name: &str, parent: Option<&str>) -> NodeDeviceRef {
        NodeDeviceRef {
            name: name.to_string(),
            parent: parent.map(str::to_string),
        }
    }

    /// What filters a registration on this device on an event bus, which knows objects by
    /// UUID: 16 bytes derived from the name (the reference compares names).
    pub fn event_key(name: &str) -> [u8; 16] {
        use std::hash::{Hash, Hasher};
        let mut key = [0u8; 16];
        for (half, seed) in key.chunks_mut(8).zip([0x6e64_u64, 0x6576_u64]) {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            seed.hash(&mut h);
            name.hash(&mut h);
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
        key
    }
}

pub trait NodeDeviceDriver: Send + Sync {
    /// virNodeListDevices: the names of the devices that have the capability `cap` (all with
    /// none).
    fn nodedev_names(&self, _cap: Option<String>, _flags: u32) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NODEDEV, "virNodeListDevices")
    }
    /// virNodeNumOfDevices: the same names, counted (a call of its own: the reference's flag
    /// errors name it).
    fn nodedev_count(&self, _cap: Option<String>, _flags: u32) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NODEDEV, "virNodeNumOfDevices")
    }
    /// virConnectListAllNodeDevices.
    fn nodedev_list_all(&self, _flags: u32) -> Result<Vec<NodeDeviceRef>> {
        unsupported(VIR_FROM_NODEDEV, "virConnectListAllNodeDevices")
    }
    /// virConnectListAllNodeDevices with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn nodedev_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.nodedev_list_all(flags)?.len() as i32)
    }
    /// virNodeDeviceLookupByName.
    fn nodedev_lookup_by_name(&self, _name: String) -> Result<NodeDeviceRef> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceLookupByName")
    }
    /// virNodeDeviceGetXMLDesc.
    fn nodedev_xml_desc(&self, _dev: &NodeDeviceRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceGetXMLDesc")
    }
    /// virNodeDeviceGetParent, for a handle made without its parent's name.
    fn nodedev_parent(&self, _dev: &NodeDeviceRef) -> Result<Option<String>> {
        Ok(None)
    }
    /// virNodeDeviceNumOfCaps.
    fn nodedev_num_of_caps(&self, _dev: &NodeDeviceRef) -> Result<i32> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceNumOfCaps")
    }
    /// virNodeDeviceListCaps.
    fn nodedev_caps(&self, _dev: &NodeDeviceRef) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceListCaps")
    }
    /// virNodeDeviceCreateXML.
    fn nodedev_create_xml(&self, _xml: String, _flags: u32) -> Result<NodeDeviceRef> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceCreateXML")
    }
    /// virNodeDeviceDestroy.
    fn nodedev_destroy(&self, _dev: &NodeDeviceRef) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceDestroy")
    }
    /// The bus this driver raises node device events on (virConnectNodeDeviceEventRegisterAny
    /// and DeregisterAny); `function` is the public call that asks.
    fn nodedev_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_NODEDEV, function)
    }
    /// virNodeDeviceCreate: starts a defined (inactive) device.
    fn nodedev_create(&self, _dev: &NodeDeviceRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceCreate")
    }
    /// virNodeDeviceDefineXML.
    fn nodedev_define_xml(&self, _xml: String, _flags: u32) -> Result<NodeDeviceRef> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceDefineXML")
    }
    /// virNodeDeviceUndefine.
    fn nodedev_undefine(&self, _dev: &NodeDeviceRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceUndefine")
    }
    /// virNodeDeviceIsActive.
    fn nodedev_is_active(&self, _dev: &NodeDeviceRef) -> Result<bool> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceIsActive")
    }
    /// virNodeDeviceIsPersistent.
    fn nodedev_is_persistent(&self, _dev: &NodeDeviceRef) -> Result<bool> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceIsPersistent")
    }
    /// virNodeDeviceGetAutostart.
    fn nodedev_autostart(&self, _dev: &NodeDeviceRef) -> Result<NodeDeviceAutostart> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceGetAutostart")
    }
    /// virNodeDeviceSetAutostart.
    fn nodedev_set_autostart(&self, _dev: &NodeDeviceRef, _autostart: bool) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceSetAutostart")
    }
    /// virNodeDeviceLookupSCSIHostByWWN.
    fn nodedev_lookup_scsi_host_by_wwn(
        &self,
        _wwnn: String,
        _wwpn: String,
        _flags: u32,
    ) -> Result<NodeDeviceRef> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceLookupSCSIHostByWWN")
    }
    /// virNodeDeviceDettach: detaches a PCI device from its host driver.
    fn nodedev_dettach(&self, _dev: &NodeDeviceRef) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceDettach")
    }
    /// virNodeDeviceDetachFlags.
    fn nodedev_detach_flags(
        &self,
        _dev: &NodeDeviceRef,
        _driver_name: Option<String>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceDetachFlags")
    }
    /// virNodeDeviceReAttach.
    fn nodedev_reattach(&self, _dev: &NodeDeviceRef) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceReAttach")
    }
    /// virNodeDeviceReset.
    fn nodedev_reset(&self, _dev: &NodeDeviceRef) -> Result<()> {
        unsupported(VIR_FROM_NODEDEV, "virNodeDeviceReset")
    }
}
