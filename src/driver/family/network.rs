//! The network family: virNetwork* and virConnect*Network* (libvirt's virNetworkDriver).
//! A default body is what a driver that lacks the call answers.

use super::unsupported;
use super::{AnyParams, TypedParams};
use crate::error::{Result, VIR_FROM_NETWORK};

/// What a virNetworkPtr names, as libvirt's virNetwork holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkRef {
    pub name: String,
    pub uuid: [u8; 16],
}

/// What a virNetworkPortPtr names: a port of a network (the network is its handle's parent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkPortRef {
    pub uuid: [u8; 16],
}

/// One DHCP lease of a network (virNetworkDHCPLease).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhcpLease {
    /// The network's interface the lease is on.
    pub iface: String,
    /// When it expires, in seconds since the epoch.
    pub expirytime: i64,
    /// virIPAddrType: IPv4 or IPv6.
    pub addr_type: i32,
    pub mac: Option<String>,
    /// The IAID of an IPv6 lease.
    pub iaid: Option<String>,
    pub ipaddr: String,
    pub prefix: u32,
    pub hostname: Option<String>,
    pub clientid: Option<String>,
}

/// virNetworkGetDHCPLeases' answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DhcpLeases(pub Vec<DhcpLease>);

pub trait NetworkDriver: Send + Sync {
    /// virNetworkLookupByName.
    fn network_lookup_by_name(&self, _name: String) -> Result<NetworkRef> {
        unsupported(VIR_FROM_NETWORK, "virNetworkLookupByName")
    }
    /// virNetworkLookupByUUID (and virNetworkLookupByUUIDString).
    fn network_lookup_by_uuid(&self, _uuid: [u8; 16]) -> Result<NetworkRef> {
        unsupported(VIR_FROM_NETWORK, "virNetworkLookupByUUID")
    }
    /// virConnectListAllNetworks.
    fn network_list_all(&self, _flags: u32) -> Result<Vec<NetworkRef>> {
        unsupported(VIR_FROM_NETWORK, "virConnectListAllNetworks")
    }
    /// virConnectListAllNetworks with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn network_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.network_list_all(flags)?.len() as i32)
    }
    /// virConnectListNetworks (and virConnectNumOfNetworks): the active networks' names.
    fn network_active_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NETWORK, "virConnectListNetworks")
    }
    /// virConnectListDefinedNetworks (and virConnectNumOfDefinedNetworks).
    fn network_defined_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_NETWORK, "virConnectListDefinedNetworks")
    }
    /// virNetworkGetXMLDesc.
    fn network_xml_desc(&self, _net: &NetworkRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_NETWORK, "virNetworkGetXMLDesc")
    }
    /// virNetworkIsActive.
    fn network_is_active(&self, _net: &NetworkRef) -> Result<bool> {
        unsupported(VIR_FROM_NETWORK, "virNetworkIsActive")
    }
    /// virNetworkIsPersistent.
    fn network_is_persistent(&self, _net: &NetworkRef) -> Result<bool> {
        unsupported(VIR_FROM_NETWORK, "virNetworkIsPersistent")
    }
    /// virNetworkGetAutostart.
    fn network_autostart(&self, _net: &NetworkRef) -> Result<bool> {
        unsupported(VIR_FROM_NETWORK, "virNetworkGetAutostart")
    }
    /// virNetworkGetBridgeName.
    fn network_bridge_name(&self, _net: &NetworkRef) -> Result<String> {
        unsupported(VIR_FROM_NETWORK, "virNetworkGetBridgeName")
    }
    /// virNetworkCreateXMLFlags: a transient network, started.
    fn network_create_xml_flags(&self, _xml: String, _flags: u32) -> Result<NetworkRef> {
        unsupported(VIR_FROM_NETWORK, "virNetworkCreateXMLFlags")
    }
    /// virNetworkCreateXML: as virNetworkCreateXMLFlags without flags.
    fn network_create_xml(&self, xml: String) -> Result<NetworkRef> {
        self.network_create_xml_flags(xml, 0)
    }
    /// virNetworkDefineXMLFlags.
    fn network_define_xml_flags(&self, _xml: String, _flags: u32) -> Result<NetworkRef> {
        unsupported(VIR_FROM_NETWORK, "virNetworkDefineXMLFlags")
    }
    /// virNetworkDefineXML: as virNetworkDefineXMLFlags without flags.
    fn network_define_xml(&self, xml: String) -> Result<NetworkRef> {
        self.network_define_xml_flags(xml, 0)
    }
    /// virNetworkUndefine.
    fn network_undefine(&self, _net: &NetworkRef) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkUndefine")
    }
    /// virNetworkCreate.
    fn network_create(&self, _net: &NetworkRef) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkCreate")
    }
    /// virNetworkDestroy.
    fn network_destroy(&self, _net: &NetworkRef) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkDestroy")
    }
    /// virNetworkSetAutostart.
    fn network_set_autostart(&self, _net: &NetworkRef, _autostart: bool) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkSetAutostart")
    }
    /// virNetworkUpdate: `command` and `section` are virNetworkUpdateCommand and
    /// virNetworkUpdateSection values.
    fn network_update(
        &self,
        _net: &NetworkRef,
        _command: u32,
        _section: u32,
        _parent_index: i32,
        _xml: String,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkUpdate")
    }
    /// virNetworkListAllPorts.
    fn network_port_list_all(&self, _net: &NetworkRef, _flags: u32) -> Result<Vec<NetworkPortRef>> {
        unsupported(VIR_FROM_NETWORK, "virNetworkListAllPorts")
    }
    /// virNetworkListAllPorts with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn network_port_count_all(&self, net: &NetworkRef, flags: u32) -> Result<i32> {
        Ok(self.network_port_list_all(net, flags)?.len() as i32)
    }
    /// virNetworkPortLookupByUUID (and virNetworkPortLookupByUUIDString).
    fn network_port_lookup_by_uuid(
        &self,
        _net: &NetworkRef,
        _uuid: [u8; 16],
    ) -> Result<NetworkPortRef> {
        unsupported(VIR_FROM_NETWORK, "virNetworkPortLookupByUUID")
    }
    /// virNetworkPortCreateXML.
    fn network_port_create_xml(
        &self,
        _net: &NetworkRef,
        _xml: String,
        _flags: u32,
    ) -> Result<NetworkPortRef> {
        unsupported(VIR_FROM_NETWORK, "virNetworkPortCreateXML")
    }
    /// virNetworkPortGetXMLDesc.
    fn network_port_xml_desc(
        &self,
        _net: &NetworkRef,
        _port: &NetworkPortRef,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_NETWORK, "virNetworkPortGetXMLDesc")
    }
    /// virNetworkPortGetParameters: the port's bandwidth settings.
    fn network_port_parameters(
        &self,
        _net: &NetworkRef,
        _port: &NetworkPortRef,
        _flags: u32,
    ) -> Result<TypedParams> {
        unsupported(VIR_FROM_NETWORK, "virNetworkPortGetParameters")
    }
    /// virNetworkPortSetParameters.
    fn network_port_set_parameters(
        &self,
        _net: &NetworkRef,
        _port: &NetworkPortRef,
        _params: AnyParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkPortSetParameters")
    }
    /// virNetworkPortDelete.
    fn network_port_delete(
        &self,
        _net: &NetworkRef,
        _port: &NetworkPortRef,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_NETWORK, "virNetworkPortDelete")
    }
    /// virNetworkGetDHCPLeases: the network's leases, or those of the MAC address `mac`.
    fn network_dhcp_leases(
        &self,
        _net: &NetworkRef,
        _mac: Option<String>,
        _flags: u32,
    ) -> Result<DhcpLeases> {
        unsupported(VIR_FROM_NETWORK, "virNetworkGetDHCPLeases")
    }

    /// virConnectNumOfNetworks: by default the length of the listing; a daemon counts itself.
    fn network_count_active(&self) -> Result<i32> {
        Ok(self.network_active_names()?.len() as i32)
    }
    /// virConnectNumOfDefinedNetworks: as network_count_active, for the defined networks.
    fn network_count_defined(&self) -> Result<i32> {
        Ok(self.network_defined_names()?.len() as i32)
    }
}
