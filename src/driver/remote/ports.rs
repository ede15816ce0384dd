//! Network ports and DHCP leases on the wire (issue 18): a port travels with its network, as the
//! reference's client sends it; a port the daemon names belongs to the network handle of the call.

use super::convert::{FromWire, ToWire};
use crate::driver::family::{DhcpLease, DhcpLeases};
use crate::driver::{NetworkPortRef, NetworkRef};
use crate::error::Result;
use oxvirt_rpc::protocol as wire;

impl ToWire<wire::NonnullNetworkPort> for (&NetworkRef, &NetworkPortRef) {
    fn to_wire(self) -> wire::NonnullNetworkPort {
        wire::NonnullNetworkPort {
            net: self.0.to_wire(),
            uuid: self.1.uuid,
        }
    }
}

impl FromWire<wire::NonnullNetworkPort> for NetworkPortRef {
    fn from_wire(w: wire::NonnullNetworkPort) -> Result<Self> {
        Ok(NetworkPortRef { uuid: w.uuid })
    }
}

impl FromWire<Vec<wire::NetworkDhcpLease>> for DhcpLeases {
    fn from_wire(leases: Vec<wire::NetworkDhcpLease>) -> Result<Self> {
        Ok(DhcpLeases(
            leases
                .into_iter()
                .map(|l| DhcpLease {
                    iface: l.iface,
                    expirytime: l.expirytime,
                    addr_type: l.r#type,
                    mac: l.mac,
                    iaid: l.iaid,
                    ipaddr: l.ipaddr,
                    prefix: l.prefix,
                    hostname: l.hostname,
                    clientid: l.clientid,
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_travels_with_its_network() {
        let net = NetworkRef {
            name: "default".into(),
            uuid: [1; 16],
        };
        let port = NetworkPortRef { uuid: [2; 16] };
        let w: wire::NonnullNetworkPort = (&net, &port).to_wire();
        assert_eq!(
            (w.net.name.as_str(), w.net.uuid, w.uuid),
            ("default", [1; 16], [2; 16])
        );
        assert_eq!(NetworkPortRef::from_wire(w).unwrap(), port);
    }
}
