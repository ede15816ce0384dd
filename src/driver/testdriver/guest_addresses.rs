//! virDomainInterfaceAddresses on the test driver (testDomainInterfaceAddresses): every source
//! gives the same made-up answer, one IPv4 or IPv6 address per interface: an address of its
//! network, different per domain and interface, or 192.168.0.N/24 for interfaces on no network.

use super::{check_active, check_flags, domain_xml, TestDriver};
use crate::api::{DomainInterfaceAddressesSource, IPAddrType, NoFlags};
use crate::domain::DomainRef;
use crate::driver::family::{AddressSource, GuestInterface, GuestInterfaces, IpAddress};
use crate::error::{Error, Result, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_TEST};
use std::net::IpAddr;

/// How many addresses each domain's interfaces are apart (its id times this).
const ADDRESSES_PER_DOMAIN: u64 = 20;
/// The prefix of the addresses of interfaces on no network.
const OTHER_PREFIX: u32 = 24;

impl TestDriver {
    pub(super) fn interface_addresses(
        &self,
        d: &DomainRef,
        source: AddressSource,
        flags: u32,
    ) -> Result<GuestInterfaces> {
        check_flags(flags, NoFlags::empty(), "testDomainInterfaceAddresses")?;
        if source.0 >= DomainInterfaceAddressesSource::LAST as u32 {
            return Err(Error::with(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                VIR_FROM_TEST,
                format!("Unknown IP address data source {}", source.0 as i32),
            ));
        }
        let (id, nets) = self.with_dom(d, |dom| {
            check_active(dom)?;
            Ok((dom.id, domain_xml::interfaces(&dom.def)))
        })?;
        let mut out = Vec::with_capacity(nets.len());
        for (i, (name, mac, network)) in nets.into_iter().enumerate() {
            let i = i as u64;
            let addr = match network {
                Some(net) => {
                    let offset = ADDRESSES_PER_DOMAIN
                        .wrapping_mul((id as u64).wrapping_sub(1))
                        .wrapping_add(i + 1);
                    let (ip, prefix) = self.networks.guest_address(&net, offset)?;
                    ip_address(ip, prefix)
                }
                None => IpAddress {
                    kind: i32::from(IPAddrType::Ipv4),
                    addr: format!("192.168.0.{}", i + 1),
                    prefix: OTHER_PREFIX,
                },
            };
            out.push(GuestInterface {
                name,
                hwaddr: Some(mac),
                addrs: vec![addr],
            });
        }
        Ok(GuestInterfaces(out))
    }
}

fn ip_address(ip: IpAddr, prefix: u32) -> IpAddress {
    let kind = match ip {
        IpAddr::V4(_) => IPAddrType::Ipv4,
        IpAddr::V6(_) => IPAddrType::Ipv6,
    };
    IpAddress {
        kind: i32::from(kind),
        addr: ip.to_string(),
        prefix,
    }
}
