//! virNetworkUpdate on the test driver: libvirt's virNetworkObjUpdate, for the sections a test
//! harness changes (DHCP hosts and ranges, DNS hosts, TXT and SRV records, portgroups, forward
//! interfaces). The other sections answer as the reference's: bridge, domain, ip, forward and
//! forward PF cannot be updated.

use super::xml::{self, DhcpHost, DnsHost, Ip, NetworkDef};
use super::Net;
use crate::api::{NetworkUpdateCommand as Command, NetworkUpdateFlags, NetworkUpdateSection};
use crate::error::{
    Error, Result, VIR_ERR_OPERATION_INVALID, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_XML_ERROR,
    VIR_FROM_NETWORK,
};
use std::net::IpAddr;

pub(super) const FLAGS: NetworkUpdateFlags =
    NetworkUpdateFlags::LIVE.union(NetworkUpdateFlags::CONFIG);

/// Where the update's XML comes from, in the reference's parse errors.
const SOURCE: &str = "network_update_xml";

/// What virNetworkUpdate asks for.
pub(super) struct Change<'a> {
    pub command: u32,
    pub section: u32,
    pub parent_index: i32,
    pub xml: &'a str,
}

fn invalid(info: String) -> Error {
    Error::with(VIR_ERR_OPERATION_INVALID, VIR_FROM_NETWORK, info)
}

fn no_support(info: String) -> Error {
    Error::with(VIR_ERR_OPERATION_UNSUPPORTED, VIR_FROM_NETWORK, info)
}

/// Apply `change` to the live definition, the persistent one, or both, as `flags` say (the
/// current one when neither is named). Nothing changes unless every part succeeds.
pub(super) fn apply(net: &mut Net, change: &Change, mut flags: NetworkUpdateFlags) -> Result<()> {
    if !flags.intersects(FLAGS) {
        flags |= if net.active {
            NetworkUpdateFlags::LIVE
        } else {
            NetworkUpdateFlags::CONFIG
        };
    }
    let live = flags.contains(NetworkUpdateFlags::LIVE);
    let config = flags.contains(NetworkUpdateFlags::CONFIG);
    if live && !net.active {
        return Err(invalid("network is not running".into()));
    }
    if config {
        if !net.persistent {
            return Err(invalid(
                "cannot change persistent config of a transient network".into(),
            ));
        }
        // The reference sets the persistent definition apart first, even if the change fails.
        if net.active && net.next_def.is_none() {
            net.next_def = Some(net.def.clone());
        }
    }
    let live_def = live.then(|| updated(net.def.clone(), change)).transpose()?;
    let config_def = config
        .then(|| updated(net.persistent_def().clone(), change))
        .transpose()?;
    if let Some(d) = config_def {
        if net.active {
            net.next_def = Some(d);
        } else {
            net.def = d;
        }
    }
    if let Some(d) = live_def {
        net.def = d;
    }
    Ok(())
}

fn updated(mut def: NetworkDef, change: &Change) -> Result<NetworkDef> {
    let section = NetworkUpdateSection::try_from(change.section as i32).ok();
    let edit = match section {
        Some(NetworkUpdateSection::IpDhcpHost) => dhcp_host,
        Some(NetworkUpdateSection::IpDhcpRange) => dhcp_range,
        Some(NetworkUpdateSection::DnsHost) => dns_host,
        Some(NetworkUpdateSection::DnsTxt) => dns_txt,
        Some(NetworkUpdateSection::Portgroup) => portgroup,
        Some(NetworkUpdateSection::ForwardInterface) => forward_interface,
        Some(NetworkUpdateSection::DnsSrv) => dns_srv,
        Some(s) if s != NetworkUpdateSection::None => {
            return Err(no_support(format!(
                "can't update '{}' section of network '{}'",
                section_name(s),
                def.name
            )))
        }
        _ => {
            return Err(no_support(
                "can't update unrecognized section of network".into(),
            ))
        }
    };
    let doc = roxmltree::Document::parse(change.xml).map_err(|e| {
        crate::domain::xml::not_well_formed(SOURCE, VIR_FROM_NETWORK, change.xml, &e)
    })?;
    edit(&mut def, change, doc.root_element())?;
    Ok(def)
}

fn section_name(s: NetworkUpdateSection) -> &'static str {
    use NetworkUpdateSection as S;
    match s {
        S::Bridge => "bridge",
        S::Domain => "domain",
        S::Ip => "ip",
        S::Forward => "forward",
        S::ForwardPf => "forward pf",
        _ => "unrecognized",
    }
}

fn command(change: &Change) -> Result<Command> {
    match Command::try_from(change.command as i32) {
        Ok(c) if c != Command::None => Ok(c),
        _ => Err(no_support(format!(
            "unrecognized network update command code {}",
            change.command
        ))),
    }
}

fn expect_element(def: &NetworkDef, node: roxmltree::Node, name: &str) -> Result<()> {
    let found = node.tag_name().name();
    if found == name {
        return Ok(());
    }
    Err(Error::with(
        VIR_ERR_XML_ERROR,
        VIR_FROM_NETWORK,
        format!(
            "unexpected element <{found}>, expecting <{name}>, while updating network '{}'",
            def.name
        ),
    ))
}

/// The `<ip>` whose DHCP settings change: the one at `parent_index`, or (-1) the first with
/// DHCP settings, else the first IPv4 one, else the first IPv6 one.
fn dhcp_ip<'a>(def: &'a mut NetworkDef, parent_index: i32, what: &str) -> Result<&'a mut Ip> {
    let name = def.name.clone();
    if parent_index >= 0 {
        return def.ips.get_mut(parent_index as usize).ok_or_else(|| {
            invalid(format!(
                "couldn't update {what} entry - no <ip> element found at index {parent_index} in network '{name}'"
            ))
        });
    }
    let with_dhcp = def
        .ips
        .iter()
        .position(|ip| !ip.ranges.is_empty() || !ip.hosts.is_empty());
    let v4 = def
        .ips
        .iter()
        .position(|ip| matches!(ip.address, Some(IpAddr::V4(_))));
    let v6 = def
        .ips
        .iter()
        .position(|ip| matches!(ip.address, Some(IpAddr::V6(_))));
    let i = with_dhcp.or(v4).or(v6).ok_or_else(|| {
        invalid(format!(
            "couldn't update {what} entry - no <ip> element found in network '{name}'"
        ))
    })?;
    Ok(&mut def.ips[i])
}

fn same(a: &Option<String>, b: &Option<String>) -> bool {
    a.is_some() && a == b
}

fn dhcp_host(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "host")?;
    let name = def.name.clone();
    let host = xml::parse_dhcp_host(node);
    let cmd = command(change)?;
    let ip = dhcp_ip(def, change.parent_index, "dhcp host")?;
    if cmd != Command::Delete {
        check_full_host(&name, ip, &host)?;
    }
    match cmd {
        Command::AddFirst | Command::AddLast => {
            let clash = ip.hosts.iter().any(|h| {
                same(&host.mac, &h.mac) || same(&host.name, &h.name) || same(&host.ip, &h.ip)
            });
            if clash {
                return Err(invalid(format!(
                    "there is an existing dhcp host entry in network '{name}' that matches \"<host mac='{}' name='{}' ip='{}'/>\"",
                    host.mac.as_deref().unwrap_or("unknown"),
                    host.name.as_deref().unwrap_or("(null)"),
                    host.ip.as_deref().unwrap_or("<null>"),
                )));
            }
            insert(&mut ip.hosts, host, cmd);
        }
        Command::Modify => {
            let at = ip
                .hosts
                .iter()
                .position(|h| same(&host.mac, &h.mac) || (host.mac.is_none() && same(&host.name, &h.name)))
                .ok_or_else(|| {
                    invalid(format!(
                        "couldn't locate an existing dhcp host entry with \"mac='{}'\" \"name='{}'\" \"ip='{}'\" in network '{name}'",
                        host.mac.as_deref().unwrap_or("(null)"),
                        host.name.as_deref().unwrap_or("(null)"),
                        host.ip.as_deref().unwrap_or("(null)"),
                    ))
                })?;
            ip.hosts[at] = host;
        }
        _ => {
            let matches = |h: &DhcpHost| {
                (host.mac.is_none() || h.mac.is_none() || host.mac == h.mac)
                    && (host.name.is_none() || host.name == h.name)
                    && (host.ip.is_none() || host.ip == h.ip)
            };
            let at = ip.hosts.iter().position(matches).ok_or_else(|| {
                invalid(format!(
                    "couldn't locate a matching dhcp host entry in network '{name}'"
                ))
            })?;
            ip.hosts.remove(at);
        }
    }
    Ok(())
}

/// What a host added or modified must name (libvirt's virNetworkDHCPHostDefParseXML when a
/// partial definition is not enough).
fn check_full_host(network: &str, ip: &Ip, host: &DhcpHost) -> Result<()> {
    let v6 = matches!(ip.address, Some(IpAddr::V6(_)));
    if v6 && host.id.is_none() && host.name.is_none() {
        return Err(xml_error(format!(
            "Static host definition in IPv6 network '{network}' must have id or name attribute"
        )));
    }
    if !v6 && host.mac.is_none() && host.name.is_none() {
        return Err(xml_error(format!(
            "Static host definition in IPv4 network '{network}' must have mac or name attribute"
        )));
    }
    if host.ip.is_none() {
        return Err(xml_error(format!(
            "Missing IP address in static host definition for network '{network}'"
        )));
    }
    Ok(())
}

fn xml_error(info: String) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_NETWORK, info)
}

fn insert<T>(list: &mut Vec<T>, item: T, cmd: Command) {
    match cmd {
        Command::AddFirst => list.insert(0, item),
        _ => list.push(item),
    }
}

fn dhcp_range(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "range")?;
    let name = def.name.clone();
    let cmd = command(change)?;
    let ip = dhcp_ip(def, change.parent_index, "dhcp range")?;
    let range = xml::parse_range(&name, node)?;
    // The range lies within the network of its <ip>, as one read with the definition does.
    let mut alone = ip.clone();
    alone.ranges = vec![range];
    xml::check_ranges(&alone)?;
    let found = ip.ranges.iter().position(|r| *r == range);
    match (cmd, found) {
        (Command::Modify, _) => Err(no_support(
            "dhcp ranges cannot be modified, only added or deleted".into(),
        )),
        (Command::AddFirst | Command::AddLast, Some(_)) => Err(invalid(format!(
            "there is an existing dhcp range entry in network '{name}' that matches \"<range start='{}' end='{}'/>\"",
            range.0, range.1
        ))),
        (Command::AddFirst | Command::AddLast, None) => {
            insert(&mut ip.ranges, range, cmd);
            Ok(())
        }
        (_, None) => Err(invalid(format!(
            "couldn't locate a matching dhcp range entry in network '{name}'"
        ))),
        (_, Some(at)) => {
            ip.ranges.remove(at);
            Ok(())
        }
    }
}

fn dns_host(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "host")?;
    let name = def.name.clone();
    let host = xml::parse_dns_host(node).unwrap_or_else(|| DnsHost {
        ip: String::new(),
        hostnames: Vec::new(),
    });
    let cmd = command(change)?;
    let hosts = &mut def.dns.hosts;
    // A record to add clashes with one of the same address; one to delete names its address
    // and, if it gives any, its host names.
    let found = hosts.iter().position(|h| {
        h.ip == host.ip
            && (cmd != Command::Delete
                || host.hostnames.is_empty()
                || host.hostnames == h.hostnames)
    });
    match (cmd, found) {
        (Command::Modify, _) => Err(no_support(
            "DNS HOST records cannot be modified, only added or deleted".into(),
        )),
        (Command::AddFirst | Command::AddLast, Some(_)) => Err(invalid(format!(
            "there is already at least one DNS HOST record with a matching field in network {name}"
        ))),
        (Command::AddFirst | Command::AddLast, None) => {
            insert(hosts, host, cmd);
            Ok(())
        }
        (_, None) => Err(invalid(format!(
            "couldn't locate a matching DNS HOST record in network {name}"
        ))),
        (_, Some(at)) => {
            hosts.remove(at);
            Ok(())
        }
    }
}

fn dns_txt(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "txt")?;
    let name = def.name.clone();
    let txt = (
        node.attribute("name").unwrap_or("").to_string(),
        node.attribute("value").unwrap_or("").to_string(),
    );
    let cmd = command(change)?;
    let txts = &mut def.dns.txts;
    let found = txts.iter().position(|t| t.0 == txt.0);
    match (cmd, found) {
        (Command::Modify, _) => Err(no_support(
            "DNS TXT records cannot be modified, only added or deleted".into(),
        )),
        (Command::AddFirst | Command::AddLast, Some(_)) => Err(invalid(format!(
            "there is already a DNS TXT record with name '{}' in network {name}",
            txt.0
        ))),
        (Command::AddFirst | Command::AddLast, None) => {
            insert(txts, txt, cmd);
            Ok(())
        }
        (_, None) => Err(invalid(format!(
            "couldn't locate a matching DNS TXT record in network {name}"
        ))),
        (_, Some(at)) => {
            txts.remove(at);
            Ok(())
        }
    }
}

fn portgroup(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "portgroup")?;
    let name = def.name.clone();
    let group = (
        node.attribute("name").unwrap_or("").to_string(),
        node.attribute("default").map(str::to_string),
    );
    let cmd = command(change)?;
    let groups = &mut def.portgroups;
    let found = groups.iter().position(|g| g.0 == group.0);
    match (cmd, found) {
        (Command::AddFirst | Command::AddLast, Some(_)) => Err(invalid(format!(
            "there is an existing portgroup entry in network '{name}' that matches \"<portgroup name='{}'>\"",
            group.0
        ))),
        (Command::AddFirst | Command::AddLast, None) => {
            insert(groups, group, cmd);
            Ok(())
        }
        (_, None) => Err(invalid(format!(
            "couldn't find a portgroup entry in network '{name}' matching <portgroup name='{}'>",
            group.0
        ))),
        (Command::Modify, Some(at)) => {
            groups[at] = group;
            Ok(())
        }
        (_, Some(at)) => {
            groups.remove(at);
            Ok(())
        }
    }
}

fn forward_interface(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "interface")?;
    let name = def.name.clone();
    let dev = node.attribute("dev").unwrap_or("").to_string();
    let cmd = command(change)?;
    let ifs = &mut def.forward_ifs;
    let found = ifs.iter().position(|i| *i == dev);
    match (cmd, found) {
        (Command::Modify, _) => Err(no_support(
            "forward interface entries cannot be modified, only added or deleted".into(),
        )),
        (Command::AddFirst | Command::AddLast, Some(_)) => Err(invalid(format!(
            "there is an existing interface entry in network '{name}' that matches \"<interface dev='{dev}'>\""
        ))),
        (Command::AddFirst | Command::AddLast, None) => {
            insert(ifs, dev, cmd);
            Ok(())
        }
        (_, None) => Err(invalid(format!(
            "couldn't find an interface entry in network '{name}' matching <interface dev='{dev}'>"
        ))),
        (_, Some(at)) => {
            ifs.remove(at);
            Ok(())
        }
    }
}

fn dns_srv(def: &mut NetworkDef, change: &Change, node: roxmltree::Node) -> Result<()> {
    expect_element(def, node, "srv")?;
    let name = def.name.clone();
    let srv = xml::parse_srv(node);
    let cmd = command(change)?;
    let srvs = &mut def.dns.srvs;
    // A record matches when every field the update gives is the same.
    let found = srvs
        .iter()
        .position(|s| srv.iter().all(|field| s.contains(field)));
    match (cmd, found) {
        (Command::Modify, _) => Err(no_support(
            "DNS SRV records cannot be modified, only added or deleted".into(),
        )),
        (Command::AddFirst | Command::AddLast, Some(_)) => Err(invalid(format!(
            "there is already at least one DNS SRV record matching all specified fields in network {name}"
        ))),
        (Command::AddFirst | Command::AddLast, None) => {
            insert(srvs, srv, cmd);
            Ok(())
        }
        (_, None) => Err(invalid(format!(
            "couldn't locate a matching DNS SRV record in network {name}"
        ))),
        (_, Some(at)) => {
            srvs.remove(at);
            Ok(())
        }
    }
}
