//! The test driver's networks (libvirt's test driver `NetworkDriver` entries): definitions kept
//! in memory, started and stopped by flipping a flag, with the reference's errors and events.

mod update;
mod xml;

use super::TestDriver;
use crate::api::NetworkEventID;
use crate::api::{
    ConnectListAllNetworksFlags, NetworkCreateFlags, NetworkDefineFlags, NetworkEventLifecycleType,
    NoFlags,
};
use crate::domain::uuid;
use crate::domain::DomainRef;
use crate::driver::{NetworkDriver, NetworkEventDriver, NetworkRef};
use crate::error::{
    Error, Result, VIR_ERR_NO_NETWORK, VIR_ERR_OPERATION_FAILED, VIR_ERR_OPERATION_INVALID,
    VIR_FROM_NETWORK, VIR_FROM_TEST,
};
use crate::event::{Bus, Family};
use std::sync::Arc;
use std::sync::{Mutex, MutexGuard};
use xml::NetworkDef;

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &["<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>"];

// The flags the reference's test driver accepts, per call.
const LIST_ALL_FLAGS: ConnectListAllNetworksFlags = ConnectListAllNetworksFlags::all();
// VALIDATE is accepted; the reference then checks the document against its RNG schema, which
// this driver does not carry (a document the schema refuses is still parsed as without it).
const CREATE_FLAGS: NetworkCreateFlags = NetworkCreateFlags::VALIDATE;
const DEFINE_FLAGS: NetworkDefineFlags = NetworkDefineFlags::VALIDATE;
const XML_DESC_FLAGS: NoFlags = NoFlags::empty();

/// One network (libvirt's virNetworkObj).
#[derive(Clone)]
struct Net {
    /// The live definition while active, else the persistent one.
    def: NetworkDef,
    /// The persistent definition set aside while a live one runs (libvirt's newDef).
    next_def: Option<NetworkDef>,
    active: bool,
    persistent: bool,
    autostart: bool,
}

impl Net {
    fn net_ref(&self) -> NetworkRef {
        NetworkRef {
            name: self.def.name.clone(),
            uuid: self.def.uuid,
        }
    }

    /// The definition a change to the persistent configuration applies to.
    fn persistent_def(&self) -> &NetworkDef {
        self.next_def.as_ref().unwrap_or(&self.def)
    }
}

/// How a definition joins the list (libvirt's VIR_NETWORK_OBJ_LIST_ADD_* flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Add {
    /// Persistent (define, node file).
    Config,
    /// Live and started, refused when a network of that name runs (create).
    Live,
}

/// The networks of one test connection.
#[derive(Default)]
pub(super) struct Networks {
    nets: Mutex<Vec<Net>>,
}

fn no_such_name(name: &str) -> Error {
    Error::with(
        VIR_ERR_NO_NETWORK,
        VIR_FROM_TEST,
        format!("no network with matching name '{name}'"),
    )
}

fn no_such_uuid(u: &[u8; 16]) -> Error {
    Error::with(
        VIR_ERR_NO_NETWORK,
        VIR_FROM_TEST,
        format!("no network with matching uuid '{}'", uuid::format(u)),
    )
}

fn invalid(info: String) -> Error {
    Error::with(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, info)
}

fn check_flags<F: bitflags::Flags<Bits = u32>>(
    flags: u32,
    accepted: F,
    function: &str,
) -> Result<F> {
    crate::api::check_flags(function, flags, accepted, VIR_FROM_TEST)
}

impl Networks {
    /// From the XML text of each object a node file (or the default node) defines: each one
    /// persistent and active, as the reference's testParseNetworks leaves them.
    pub(super) fn load(docs: &[String]) -> Result<Networks> {
        let networks = Networks::default();
        for text in docs {
            let def = xml::parse(text)?;
            let mut nets = networks.lock();
            let i = assign(&mut nets, def, Add::Config)?;
            nets[i].active = true;
        }
        Ok(networks)
    }

    /// The address the test driver gives the guest's interface on network `name`, `offset`
    /// addresses into its first `<ip>` (testDomainInterfaceAddressFromNet).
    pub(super) fn guest_address(&self, name: &str, offset: u64) -> Result<(std::net::IpAddr, u32)> {
        let mut nets = self.lock();
        let net = Self::by_name(&mut nets, name)?;
        let ip = net.def.ips.first();
        ip.and_then(|ip| Some((ip.offset_address(offset)?, ip.prefix_len())))
            .ok_or_else(|| {
                Error::internal(VIR_FROM_TEST, format!("network '{name}' has no IP address"))
            })
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Net>> {
        self.nets.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn by_name<'a>(nets: &'a mut [Net], name: &str) -> Result<&'a mut Net> {
        nets.iter_mut()
            .find(|n| n.def.name == name)
            .ok_or_else(|| no_such_name(name))
    }

    fn by_uuid<'a>(nets: &'a mut [Net], u: &[u8; 16]) -> Result<&'a mut Net> {
        nets.iter_mut()
            .find(|n| n.def.uuid == *u)
            .ok_or_else(|| no_such_uuid(u))
    }

    fn names(&self, active: bool) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|n| n.active == active)
            .map(|n| n.def.name.clone())
            .collect()
    }
}

/// Put `def` in the list as libvirt's virNetworkObjAssignDef does; returns its index.
fn assign(nets: &mut Vec<Net>, def: NetworkDef, how: Add) -> Result<usize> {
    if let Some(i) = nets.iter().position(|n| n.def.uuid == def.uuid) {
        let net = &mut nets[i];
        if net.def.name != def.name {
            return Err(Error::with(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_NETWORK,
                format!(
                    "network '{}' is already defined with uuid {}",
                    net.def.name,
                    uuid::format(&net.def.uuid)
                ),
            ));
        }
        match how {
            Add::Live => {
                if net.active {
                    return Err(Error::with(
                        VIR_ERR_OPERATION_INVALID,
                        VIR_FROM_NETWORK,
                        format!("network is already active as '{}'", net.def.name),
                    ));
                }
                let old = std::mem::replace(&mut net.def, def);
                if net.persistent && net.next_def.is_none() {
                    net.next_def = Some(old);
                }
            }
            Add::Config => {
                if net.active {
                    net.next_def = Some(def);
                } else {
                    net.next_def = None;
                    net.def = def;
                }
                net.persistent = true;
            }
        }
        return Ok(i);
    }
    if let Some(other) = nets.iter().find(|n| n.def.name == def.name) {
        return Err(Error::with(
            VIR_ERR_OPERATION_FAILED,
            VIR_FROM_NETWORK,
            format!(
                "network '{}' already exists with uuid {}",
                def.name,
                uuid::format(&other.def.uuid)
            ),
        ));
    }
    nets.push(Net {
        def,
        next_def: None,
        active: false,
        persistent: how == Add::Config,
        autostart: false,
    });
    Ok(nets.len() - 1)
}

/// Whether a network passes virConnectListAllNetworks's filter groups.
fn list_filter(flags: ConnectListAllNetworksFlags, n: &Net) -> bool {
    use ConnectListAllNetworksFlags as F;
    let group = |yes: F, no: F, is: bool| {
        !flags.intersects(yes | no)
            || (is && flags.intersects(yes))
            || (!is && flags.intersects(no))
    };
    group(F::ACTIVE, F::INACTIVE, n.active)
        && group(F::PERSISTENT, F::TRANSIENT, n.persistent)
        && group(F::AUTOSTART, F::NO_AUTOSTART, n.autostart)
}

impl TestDriver {
    fn emit_network(&self, r: &NetworkRef, event: NetworkEventLifecycleType) {
        // The object as the bus carries it; the reference's network events have detail 0.
        let object = DomainRef {
            name: r.name.clone(),
            uuid: r.uuid,
            id: -1,
        };
        let id = Family::Network.bus_id(NetworkEventID::Lifecycle.into());
        self.bus.emit_for(id, &object, event.into(), 0);
    }
}

impl NetworkDriver for TestDriver {
    fn network_lookup_by_name(&self, name: String) -> Result<NetworkRef> {
        let mut nets = self.networks.lock();
        Ok(Networks::by_name(&mut nets, &name)?.net_ref())
    }

    fn network_lookup_by_uuid(&self, u: [u8; 16]) -> Result<NetworkRef> {
        let mut nets = self.networks.lock();
        Ok(Networks::by_uuid(&mut nets, &u)?.net_ref())
    }

    fn network_list_all(&self, flags: u32) -> Result<Vec<NetworkRef>> {
        let flags = check_flags(flags, LIST_ALL_FLAGS, "testConnectListAllNetworks")?;
        Ok(self
            .networks
            .lock()
            .iter()
            .filter(|n| list_filter(flags, n))
            .map(Net::net_ref)
            .collect())
    }

    fn network_active_names(&self) -> Result<Vec<String>> {
        Ok(self.networks.names(true))
    }

    fn network_defined_names(&self) -> Result<Vec<String>> {
        Ok(self.networks.names(false))
    }

    fn network_xml_desc(&self, net: &NetworkRef, flags: u32) -> Result<String> {
        check_flags(flags, XML_DESC_FLAGS, "testNetworkGetXMLDesc")?;
        let mut nets = self.networks.lock();
        Ok(xml::format(&Networks::by_name(&mut nets, &net.name)?.def))
    }

    fn network_is_active(&self, net: &NetworkRef) -> Result<bool> {
        let mut nets = self.networks.lock();
        Ok(Networks::by_uuid(&mut nets, &net.uuid)?.active)
    }

    fn network_is_persistent(&self, net: &NetworkRef) -> Result<bool> {
        let mut nets = self.networks.lock();
        Ok(Networks::by_uuid(&mut nets, &net.uuid)?.persistent)
    }

    fn network_autostart(&self, net: &NetworkRef) -> Result<bool> {
        let mut nets = self.networks.lock();
        Ok(Networks::by_name(&mut nets, &net.name)?.autostart)
    }

    fn network_set_autostart(&self, net: &NetworkRef, autostart: bool) -> Result<()> {
        let mut nets = self.networks.lock();
        Networks::by_name(&mut nets, &net.name)?.autostart = autostart;
        Ok(())
    }

    fn network_bridge_name(&self, net: &NetworkRef) -> Result<String> {
        let mut nets = self.networks.lock();
        let n = Networks::by_name(&mut nets, &net.name)?;
        n.def.bridge.clone().ok_or_else(|| {
            Error::internal(
                VIR_FROM_TEST,
                format!("network '{}' does not have a bridge name.", n.def.name),
            )
        })
    }

    fn network_create_xml_flags(&self, text: String, flags: u32) -> Result<NetworkRef> {
        check_flags(flags, CREATE_FLAGS, "testNetworkCreateXMLFlags")?;
        let def = xml::parse(&text)?;
        let r = {
            let mut nets = self.networks.lock();
            let i = assign(&mut nets, def, Add::Live)?;
            nets[i].active = true;
            nets[i].net_ref()
        };
        self.emit_network(&r, NetworkEventLifecycleType::Started);
        Ok(r)
    }

    fn network_define_xml_flags(&self, text: String, flags: u32) -> Result<NetworkRef> {
        check_flags(flags, DEFINE_FLAGS, "testNetworkDefineXMLFlags")?;
        let def = xml::parse(&text)?;
        let r = {
            let mut nets = self.networks.lock();
            let i = assign(&mut nets, def, Add::Config)?;
            nets[i].net_ref()
        };
        self.emit_network(&r, NetworkEventLifecycleType::Defined);
        Ok(r)
    }

    fn network_undefine(&self, net: &NetworkRef) -> Result<()> {
        {
            let mut nets = self.networks.lock();
            let n = Networks::by_name(&mut nets, &net.name)?;
            if n.active {
                return Err(invalid(format!("Network '{}' is still running", net.name)));
            }
            nets.retain(|n| n.def.name != net.name);
        }
        // The reference names the event after the handle.
        self.emit_network(net, NetworkEventLifecycleType::Undefined);
        Ok(())
    }

    fn network_create(&self, net: &NetworkRef) -> Result<()> {
        let r = {
            let mut nets = self.networks.lock();
            let n = Networks::by_name(&mut nets, &net.name)?;
            if n.active {
                return Err(invalid(format!(
                    "Network '{}' is already running",
                    net.name
                )));
            }
            n.active = true;
            n.net_ref()
        };
        self.emit_network(&r, NetworkEventLifecycleType::Started);
        Ok(())
    }

    fn network_destroy(&self, net: &NetworkRef) -> Result<()> {
        // The reference stops a network whatever its state, and a transient one is gone.
        let r = {
            let mut nets = self.networks.lock();
            let n = Networks::by_name(&mut nets, &net.name)?;
            n.active = false;
            let r = n.net_ref();
            if !n.persistent {
                nets.retain(|n| n.def.name != net.name);
            }
            r
        };
        self.emit_network(&r, NetworkEventLifecycleType::Stopped);
        Ok(())
    }

    fn network_update(
        &self,
        net: &NetworkRef,
        command: u32,
        section: u32,
        parent_index: i32,
        text: String,
        flags: u32,
    ) -> Result<()> {
        let flags = check_flags(flags, update::FLAGS, "testNetworkUpdate")?;
        let mut nets = self.networks.lock();
        let n = Networks::by_uuid(&mut nets, &net.uuid)?;
        let change = update::Change {
            command,
            section,
            parent_index,
            xml: &text,
        };
        update::apply(n, &change, flags)
    }
}

impl NetworkEventDriver for TestDriver {
    fn network_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(text: &str) -> NetworkDef {
        xml::parse(text).unwrap()
    }

    #[test]
    fn assign_refuses_a_name_or_uuid_taken_by_another() {
        let mut nets = Vec::new();
        let a = def("<network><name>a</name></network>");
        assign(&mut nets, a.clone(), Add::Config).unwrap();
        let e = assign(
            &mut nets,
            def("<network><name>a</name></network>"),
            Add::Config,
        );
        assert!(e.unwrap_err().message.contains("already exists with uuid"));
        let mut b = def("<network><name>b</name></network>");
        b.uuid = a.uuid;
        let e = assign(&mut nets, b, Add::Live).unwrap_err();
        assert!(e.message.contains("is already defined with uuid"));
    }

    #[test]
    fn a_live_definition_keeps_the_persistent_one_aside() {
        let mut nets = Vec::new();
        let a = def("<network><name>a</name><bridge name='x'/></network>");
        assign(&mut nets, a.clone(), Add::Config).unwrap();
        let mut live = def("<network><name>a</name><bridge name='y'/></network>");
        live.uuid = a.uuid;
        assign(&mut nets, live, Add::Live).unwrap();
        assert_eq!(nets[0].persistent_def(), &a);
        assert_eq!(nets[0].def.bridge.as_deref(), Some("y"));
    }

    #[test]
    fn list_filter_groups() {
        use ConnectListAllNetworksFlags as F;
        let n = Net {
            def: NetworkDef::default(),
            next_def: None,
            active: true,
            persistent: false,
            autostart: false,
        };
        assert!(list_filter(F::empty(), &n));
        assert!(list_filter(F::ACTIVE | F::TRANSIENT, &n));
        assert!(!list_filter(F::INACTIVE, &n));
        assert!(list_filter(F::ACTIVE | F::INACTIVE, &n));
        assert!(!list_filter(F::AUTOSTART, &n));
    }
}
