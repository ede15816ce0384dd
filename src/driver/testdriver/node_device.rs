//! The test driver's node devices (libvirt's test driver `NodeDeviceDriver` entries): the
//! devices a node describes, kept in memory, and the vHBA creation the reference mocks by
//! copying its scsi_host11.

mod xml;

use super::TestDriver;
use crate::api::NodeDeviceEventLifecycleType as Lifecycle;
use crate::api::{
    ConnectListAllNodeDeviceFlags as ListFlags, NoFlags, NodeDeviceCreateXMLFlags,
    NodeDeviceEventID,
};
use crate::domain::DomainRef;
use crate::driver::{NodeDeviceDriver, NodeDeviceRef};
use crate::error::{Error, Result, VIR_ERR_NO_NODE_DEVICE, VIR_FROM_NODEDEV, VIR_FROM_TEST};
use crate::event::{Bus, Family};
use std::sync::{Arc, Mutex, MutexGuard};
use xml::{DeviceDef, Mode};

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &[
    "<device>
  <name>computer</name>
  <capability type='system'>
    <hardware>
      <vendor>Libvirt</vendor>
      <version>Test driver</version>
      <serial>123456</serial>
      <uuid>11111111-2222-3333-4444-555555555555</uuid>
    </hardware>
    <firmware>
      <vendor>Libvirt</vendor>
      <version>Test Driver</version>
      <release_date>01/22/2007</release_date>
    </firmware>
  </capability>
</device>",
    "<device>
  <name>scsi_host1</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>1</host>
    <unique_id>0</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000012341234</wwnn>
      <wwpn>1000000012341234</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>127</max_vports>
      <vports>1</vports>
    </capability>
  </capability>
</device>",
    "<device>
  <name>scsi_host2</name>
  <parent>computer</parent>
  <capability type='scsi_host'>
    <host>2</host>
    <unique_id>1</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000056785678</wwnn>
      <wwpn>1000000056785678</wwpn>
      <fabric_wwn>2000000087658765</fabric_wwn>
    </capability>
    <capability type='vport_ops'>
      <max_vports>127</max_vports>
      <vports>0</vports>
    </capability>
  </capability>
</device>",
    "<device>
  <name>scsi_host11</name>
  <parent>scsi_host1</parent>
  <capability type='scsi_host'>
    <host>11</host>
    <unique_id>10</unique_id>
    <capability type='fc_host'>
      <wwnn>2000000034563456</wwnn>
      <wwpn>1000000034563456</wwpn>
      <fabric_wwn>2000000043214321</fabric_wwn>
    </capability>
  </capability>
</device>",
];

// The flags the reference's test driver accepts, per call.
const NO_FLAGS: NoFlags = NoFlags::empty();
// VALIDATE is accepted; the reference then checks the document against its RNG schema, which
// this driver does not carry (a document the schema refuses is still parsed as without it).
const CREATE_FLAGS: NodeDeviceCreateXMLFlags = NodeDeviceCreateXMLFlags::VALIDATE;
/// VIR_CONNECT_LIST_NODE_DEVICES_FILTERS_CAP: every capability bit, not ACTIVE/INACTIVE.
const LIST_ALL_FLAGS: ListFlags = ListFlags::all()
    .difference(ListFlags::ACTIVE)
    .difference(ListFlags::INACTIVE);

/// The device the reference copies to mock a vHBA creation.
const VPORT_TEMPLATE: &str = "scsi_host11";

/// The node devices of one test connection, in the order they were defined (the reference's
/// hash table gives no order of its own).
#[derive(Default)]
pub(super) struct NodeDevices {
    devs: Mutex<Vec<DeviceDef>>,
}

impl NodeDevices {
    /// From the XML text of each object a node file (or the default node) defines; a second
    /// device of a name replaces the first, as the reference's.
    pub(super) fn load(docs: &[String]) -> Result<NodeDevices> {
        let devices = NodeDevices::default();
        {
            let mut devs = devices.lock();
            for text in docs {
                assign(&mut devs, xml::parse(text, Mode::Existing)?);
            }
        }
        Ok(devices)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<DeviceDef>> {
        self.devs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// libvirt's virNodeDeviceObjListAssignDef: a new device, or a new definition of one.
fn assign(devs: &mut Vec<DeviceDef>, def: DeviceDef) {
    match devs.iter_mut().find(|d| d.name == def.name) {
        Some(d) => *d = def,
        None => devs.push(def),
    }
}

fn not_found(name: &str) -> Error {
    Error::with(
        VIR_ERR_NO_NODE_DEVICE,
        VIR_FROM_TEST,
        format!("no node device with matching name '{name}'"),
    )
}

fn find<'a>(devs: &'a [DeviceDef], name: &str) -> Result<&'a DeviceDef> {
    devs.iter()
        .find(|d| d.name == name)
        .ok_or_else(|| not_found(name))
}

fn has_cap(def: &DeviceDef, index: usize) -> bool {
    def.caps.iter().any(|c| c.has(index))
}

/// libvirt's virNodeDeviceObjHasCapStr: an unknown capability name matches nothing.
fn has_cap_named(def: &DeviceDef, cap: Option<&str>) -> bool {
    match cap {
        None => true,
        Some(name) => xml::cap_index(name).is_some_and(|i| has_cap(def, i)),
    }
}

fn parent_not_found(dev: &str) -> Error {
    Error::internal(
        VIR_FROM_NODEDEV,
        format!("Could not find parent device for '{dev}'"),
    )
}

/// libvirt's virNodeDeviceFindFCParentHost.
fn vport_parent_host(parent: &DeviceDef) -> Result<u32> {
    parent.vport_host().ok_or_else(|| {
        Error::internal(
            VIR_FROM_NODEDEV,
            format!(
                "Parent device {} is not capable of vport operations",
                parent.name
            ),
        )
    })
}

/// libvirt's virNodeDeviceObjListGetParentHost: the SCSI host a new vHBA would hang off, from
/// the parent's name, WWNs or fabric WWN, or the first vport-capable HBA.
fn parent_host(devs: &[DeviceDef], def: &DeviceDef) -> Result<u32> {
    let fc_match = |f: &dyn Fn(&xml::FcHost) -> bool| {
        devs.iter()
            .find(|d| d.fc_host().is_ok_and(f))
            .ok_or_else(|| parent_not_found(&def.name))
    };
    if let Some(name) = &def.parent {
        let parent = devs
            .iter()
            .find(|d| &d.name == name)
            .ok_or_else(|| parent_not_found(&def.name))?;
        return vport_parent_host(parent);
    }
    if let Some((wwnn, wwpn)) = &def.parent_spec.wwns {
        return vport_parent_host(fc_match(&|fc| &fc.wwnn == wwnn && &fc.wwpn == wwpn)?);
    }
    if let Some(fabric) = &def.parent_spec.fabric_wwn {
        return vport_parent_host(fc_match(&|fc| fc.fabric_wwn.as_ref() == Some(fabric))?);
    }
    devs.iter()
        .find_map(DeviceDef::vport_host)
        .ok_or_else(|| Error::internal(VIR_FROM_NODEDEV, "Could not find any vport capable device"))
}

impl TestDriver {
    fn devices(&self) -> MutexGuard<'_, Vec<DeviceDef>> {
        self.devices.lock()
    }

    /// A device's lifecycle event, to the callbacks registered for it.
    fn device_event(&self, name: &str, event: Lifecycle) {
        let object = DomainRef {
            name: name.to_string(),
            uuid: NodeDeviceRef::event_key(name),
            id: -1,
        };
        let id = Family::NodeDevice.bus_id(NodeDeviceEventID::Lifecycle.into());
        self.bus.emit_for(id, &object, event as i32, 0);
    }

    fn names_with(&self, cap: Option<&str>) -> Vec<String> {
        self.devices()
            .iter()
            .filter(|d| has_cap_named(d, cap))
            .map(|d| d.name.clone())
            .collect()
    }

    fn with_device<T>(&self, name: &str, f: impl FnOnce(&DeviceDef) -> T) -> Result<T> {
        Ok(f(find(&self.devices(), name)?))
    }
}

impl NodeDeviceDriver for TestDriver {
    fn nodedev_names(&self, cap: Option<String>, flags: u32) -> Result<Vec<String>> {
        super::check_flags(flags, NO_FLAGS, "testNodeListDevices")?;
        Ok(self.names_with(cap.as_deref()))
    }

    fn nodedev_count(&self, cap: Option<String>, flags: u32) -> Result<Vec<String>> {
        super::check_flags(flags, NO_FLAGS, "testNodeNumOfDevices")?;
        Ok(self.names_with(cap.as_deref()))
    }

    fn nodedev_list_all(&self, flags: u32) -> Result<Vec<NodeDeviceRef>> {
        let flags = super::check_flags(flags, LIST_ALL_FLAGS, "testConnectListAllNodeDevices")?;
        let wanted = |d: &DeviceDef| {
            flags.is_empty()
                || (0..xml::CAP_NAMES.len()).any(|i| flags.bits() & (1 << i) != 0 && has_cap(d, i))
        };
        Ok(self
            .devices()
            .iter()
            .filter(|d| wanted(d))
            .map(|d| NodeDeviceRef::new(&d.name, d.parent.as_deref()))
            .collect())
    }

    fn nodedev_lookup_by_name(&self, name: String) -> Result<NodeDeviceRef> {
        self.with_device(&name, |d| NodeDeviceRef::new(&d.name, d.parent.as_deref()))
    }

    fn nodedev_xml_desc(&self, dev: &NodeDeviceRef, flags: u32) -> Result<String> {
        super::check_flags(flags, NO_FLAGS, "testNodeDeviceGetXMLDesc")?;
        self.with_device(&dev.name, xml::format)
    }

    fn nodedev_parent(&self, dev: &NodeDeviceRef) -> Result<Option<String>> {
        let parent = self.with_device(&dev.name, |d| d.parent.clone())?;
        parent
            .map(Some)
            .ok_or_else(|| Error::internal(VIR_FROM_TEST, "no parent for this device"))
    }

    fn nodedev_num_of_caps(&self, dev: &NodeDeviceRef) -> Result<i32> {
        self.with_device(&dev.name, |d| d.caps.len() as i32)
    }

    fn nodedev_caps(&self, dev: &NodeDeviceRef) -> Result<Vec<String>> {
        self.with_device(&dev.name, |d| {
            d.caps.iter().map(|c| c.name().to_string()).collect()
        })
    }

    /// testNodeDeviceCreateXML: the description is checked (an FC HBA under a vport-capable
    /// parent), then the reference's scsi_host11 is copied as scsi_host12 with its WWNs.
    fn nodedev_create_xml(&self, text: String, flags: u32) -> Result<NodeDeviceRef> {
        super::check_flags(flags, CREATE_FLAGS, "testNodeDeviceCreateXML")?;
        let def = xml::parse(&text, Mode::Create)?;
        let fc = def.fc_host()?.clone();
        let name = {
            let mut devs = self.devices();
            parent_host(&devs, &def)?;
            // Without its template the reference fails without saying why.
            let template = devs
                .iter()
                .find(|d| d.name == VPORT_TEMPLATE)
                .ok_or_else(Error::unknown_cause)?;
            let created = DeviceDef::mock_vport(template, &fc.wwnn, &fc.wwpn);
            let name = created.name.clone();
            assign(&mut devs, created);
            name
        };
        self.device_event(&name, Lifecycle::Created);
        Ok(NodeDeviceRef::new(&name, def.parent.as_deref()))
    }

    /// testNodeDeviceDestroy. The reference answers success whenever the device exists: what
    /// stops it (not an FC HBA, no parent) is left as the last error, not reported as failure.
    fn nodedev_destroy(&self, dev: &NodeDeviceRef) -> Result<()> {
        let refused = {
            let mut devs = self.devices();
            let def = find(&devs, &dev.name)?;
            let refusal = def.fc_host().err().or_else(|| {
                let parent = def.parent.clone();
                let exists = parent
                    .as_ref()
                    .is_some_and(|p| devs.iter().any(|d| &d.name == p));
                (!exists).then(|| {
                    Error::internal(
                        VIR_FROM_TEST,
                        format!(
                            "cannot find parent '{}' definition",
                            parent.as_deref().unwrap_or("(null)")
                        ),
                    )
                })
            });
            if refusal.is_none() {
                devs.retain(|d| d.name != dev.name);
            }
            refusal
        };
        match refused {
            Some(e) => crate::error::leave(e),
            None => self.device_event(&dev.name, Lifecycle::Deleted),
        }
        Ok(())
    }

    fn nodedev_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }
}
