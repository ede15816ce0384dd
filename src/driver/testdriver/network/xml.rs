//! Network XML as libvirt 9.0's network_conf reads and writes it, for what test nodes and
//! applications give the test driver: name, uuid, forward (modes, devices, nat), bridge (with the
//! stp/delay defaults the reference fills in), mtu, mac, domain, dns, ip with dhcp and tftp, and
//! portgroups. Anything else is dropped, as an element the reference's parser does not know.

use crate::domain::uuid;
use crate::domain::xml::{esc, not_well_formed};
use crate::driver::testdriver::xml_nodes::{attr, child, children};
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_NO_NAME, VIR_ERR_XML_DETAIL,
    VIR_ERR_XML_ERROR, VIR_FROM_NETWORK, VIR_FROM_NONE, VIR_FROM_XML,
};
use std::fmt::Write;
use std::net::{IpAddr, Ipv4Addr};

/// Where a document given as a string comes from, in the reference's parse errors.
const SOURCE: &str = "(network_definition)";

/// libvirt's virNetworkForwardType names, in its order; index 0 is "no forwarding".
const FORWARD_MODES: &[&str] = &[
    "none",
    "nat",
    "route",
    "open",
    "bridge",
    "private",
    "vepa",
    "passthrough",
    "hostdev",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Forward {
    #[default]
    None,
    Nat,
    Route,
    Open,
    Bridge,
    Private,
    Vepa,
    Passthrough,
    Hostdev,
}

impl Forward {
    fn from_name(name: &str) -> Option<Forward> {
        use Forward::*;
        let all = [
            None,
            Nat,
            Route,
            Open,
            Bridge,
            Private,
            Vepa,
            Passthrough,
            Hostdev,
        ];
        FORWARD_MODES
            .iter()
            .position(|m| *m == name)
            .map(|i| all[i])
    }

    fn name(self) -> &'static str {
        FORWARD_MODES[self as usize]
    }

    /// The modes where libvirt itself makes the bridge: it has stp and delay settings.
    fn own_bridge(self) -> bool {
        matches!(
            self,
            Forward::None | Forward::Nat | Forward::Route | Forward::Open
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Nat {
    ipv6: Option<String>,
    address: Option<(String, Option<String>)>,
    port: Option<(u32, u32)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DhcpHost {
    pub mac: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub ip: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ip {
    family: Option<String>,
    pub address: Option<IpAddr>,
    netmask: Option<Ipv4Addr>,
    prefix: Option<u32>,
    local_ptr: Option<String>,
    tftp_root: Option<String>,
    pub ranges: Vec<(IpAddr, IpAddr)>,
    pub hosts: Vec<DhcpHost>,
    bootp: Option<(String, Option<String>)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DnsHost {
    pub ip: String,
    pub hostnames: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dns {
    enable: Option<String>,
    forward_plain_names: Option<String>,
    /// (domain, addr) of each forwarder.
    forwarders: Vec<(Option<String>, Option<String>)>,
    pub txts: Vec<(String, String)>,
    /// The attributes of each srv record, in the reference's order.
    pub srvs: Vec<Vec<(&'static str, String)>>,
    pub hosts: Vec<DnsHost>,
}

/// A network definition (libvirt's virNetworkDef, the parts kept here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NetworkDef {
    pub name: String,
    pub uuid: [u8; 16],
    ipv6: bool,
    trust_guest_rx_filters: Option<String>,
    forward: Forward,
    forward_dev: Option<String>,
    pub forward_ifs: Vec<String>,
    forward_pf: Option<String>,
    forward_managed: bool,
    nat: Nat,
    pub bridge: Option<String>,
    bridge_zone: Option<String>,
    mac_table_manager: Option<String>,
    stp: bool,
    delay: u64,
    mtu: Option<u32>,
    mac: Option<String>,
    domain: Option<(String, Option<String>)>,
    pub dns: Dns,
    pub ips: Vec<Ip>,
    pub portgroups: Vec<(String, Option<String>)>,
}

fn xml_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_NETWORK, info)
}

/// A network definition from the text of a `<network>` document.
pub(crate) fn parse(text: &str) -> Result<NetworkDef> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| not_well_formed(SOURCE, VIR_FROM_NETWORK, text, &e))?;
    parse_element(doc.root_element())
}

/// A network definition from its `<network>` element (libvirt's virNetworkDefParseXML).
pub(crate) fn parse_element(root: roxmltree::Node) -> Result<NetworkDef> {
    if root.tag_name().name() != "network" {
        return Err(Error::with(
            VIR_ERR_XML_ERROR,
            VIR_FROM_XML,
            format!(
                "expecting root element of 'network', not '{}'",
                root.tag_name().name()
            ),
        ));
    }
    let name = child(root, "name")
        .map(|n| n.text().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::new(VIR_ERR_NO_NAME, VIR_FROM_NETWORK, None))?;
    if name.contains('/') {
        return Err(Error::with(
            VIR_ERR_XML_DETAIL,
            VIR_FROM_XML,
            "invalid char in name: /",
        ));
    }
    let uuid = match child(root, "uuid") {
        Some(u) => uuid::parse(u.text().unwrap_or(""))
            .ok_or_else(|| Error::internal(VIR_FROM_NETWORK, "malformed uuid element"))?,
        None => uuid::generate(),
    };
    let mut def = NetworkDef {
        name,
        uuid,
        ipv6: root.attribute("ipv6") == Some("yes"),
        trust_guest_rx_filters: attr(root, "trustGuestRxFilters"),
        stp: true,
        ..Default::default()
    };
    parse_bridge(&mut def, root)?;
    if let Some(m) = child(root, "mtu") {
        def.mtu = m.attribute("size").and_then(|s| s.parse().ok());
    }
    if let Some(m) = child(root, "mac") {
        def.mac = Some(parse_mac(&def.name, m.attribute("address").unwrap_or(""))?);
    }
    if let Some(d) = child(root, "domain") {
        def.domain = d
            .attribute("name")
            .map(|n| (n.to_string(), attr(d, "localOnly")));
    }
    if let Some(d) = child(root, "dns") {
        def.dns = parse_dns(d);
    }
    for ip in children(root, "ip") {
        def.ips.push(parse_ip(&def.name, ip)?);
    }
    def.portgroups = children(root, "portgroup")
        .filter_map(|p| {
            p.attribute("name")
                .map(|n| (n.to_string(), attr(p, "default")))
        })
        .collect();
    if let Some(f) = child(root, "forward") {
        parse_forward(&mut def, f)?;
    }
    check(&def, root)?;
    Ok(def)
}

fn parse_bridge(def: &mut NetworkDef, root: roxmltree::Node) -> Result<()> {
    let Some(b) = child(root, "bridge") else {
        return Ok(());
    };
    def.bridge = attr(b, "name");
    def.bridge_zone = attr(b, "zone");
    def.mac_table_manager = attr(b, "macTableManager");
    def.stp = b.attribute("stp") != Some("off");
    if let Some(d) = b.attribute("delay") {
        def.delay = d
            .trim()
            .parse()
            .map_err(|_| xml_error(format!("Invalid delay value in network '{}'", def.name)))?;
    }
    Ok(())
}

/// A MAC address as libvirt writes it: six lower-case hex pairs.
fn parse_mac(network: &str, text: &str) -> Result<String> {
    let parts: Vec<u8> = text
        .split(':')
        .map(|p| u8::from_str_radix(p, 16).ok().filter(|_| p.len() <= 2))
        .collect::<Option<_>>()
        .filter(|v: &Vec<u8>| v.len() == 6)
        .ok_or_else(|| {
            xml_error(format!(
                "Invalid bridge mac address '{text}' in network '{network}'"
            ))
        })?;
    if parts[0] & 1 == 1 {
        return Err(xml_error(format!(
            "Invalid multicast bridge mac address '{text}' in network '{network}'"
        )));
    }
    Ok(parts
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":"))
}

fn parse_forward(def: &mut NetworkDef, f: roxmltree::Node) -> Result<()> {
    def.forward = match f.attribute("mode") {
        None => Forward::Nat,
        Some(m) => Forward::from_name(m).ok_or_else(|| {
            Error::with(
                VIR_ERR_CONFIG_UNSUPPORTED,
                VIR_FROM_NETWORK,
                format!("unknown forwarding type '{m}'"),
            )
        })?,
    };
    def.forward_managed = f.attribute("managed") == Some("yes");
    def.forward_ifs = children(f, "interface")
        .filter_map(|i| attr(i, "dev"))
        .collect();
    def.forward_pf = children(f, "pf").find_map(|p| attr(p, "dev"));
    def.forward_dev = attr(f, "dev");
    // A dev= alone names the one forward interface.
    if def.forward_ifs.is_empty() && def.forward_pf.is_none() {
        if let Some(dev) = &def.forward_dev {
            def.forward_ifs.push(dev.clone());
        }
    }
    if let Some(n) = child(f, "nat") {
        def.nat = Nat {
            ipv6: attr(n, "ipv6"),
            address: child(n, "address")
                .and_then(|a| attr(a, "start").map(|s| (s, attr(a, "end")))),
            port: child(n, "port").map(|p| {
                let num = |k| p.attribute(k).and_then(|v| v.parse().ok()).unwrap_or(0);
                (num("start"), num("end"))
            }),
        };
    }
    Ok(())
}

fn parse_dns(d: roxmltree::Node) -> Dns {
    Dns {
        enable: attr(d, "enable"),
        forward_plain_names: attr(d, "forwardPlainNames"),
        forwarders: children(d, "forwarder")
            .map(|f| (attr(f, "domain"), attr(f, "addr")))
            .collect(),
        txts: children(d, "txt")
            .filter_map(|t| Some((attr(t, "name")?, attr(t, "value").unwrap_or_default())))
            .collect(),
        srvs: children(d, "srv").map(parse_srv).collect(),
        hosts: children(d, "host").filter_map(parse_dns_host).collect(),
    }
}

/// The attributes of a DNS SRV record, in the order libvirt writes them.
pub(crate) fn parse_srv(s: roxmltree::Node) -> Vec<(&'static str, String)> {
    [
        "service", "protocol", "domain", "target", "port", "priority", "weight",
    ]
    .iter()
    .filter_map(|k| s.attribute(*k).map(|v| (*k, v.to_string())))
    .collect()
}

pub(crate) fn parse_dns_host(h: roxmltree::Node) -> Option<DnsHost> {
    Some(DnsHost {
        ip: attr(h, "ip")?,
        hostnames: children(h, "hostname")
            .map(|n| n.text().unwrap_or("").to_string())
            .collect(),
    })
}

pub(crate) fn parse_addr(network: &str, text: &str) -> Result<IpAddr> {
    text.parse()
        .map_err(|_| xml_error(format!("Invalid address '{text}' in network '{network}'")))
}

fn parse_ip(network: &str, n: roxmltree::Node) -> Result<Ip> {
    let mut ip = Ip {
        family: attr(n, "family"),
        address: n
            .attribute("address")
            .map(|a| parse_addr(network, a))
            .transpose()?,
        local_ptr: attr(n, "localPtr"),
        ..Default::default()
    };
    if let Some(m) = n.attribute("netmask") {
        ip.netmask = Some(
            m.parse()
                .map_err(|_| xml_error(format!("Invalid netmask '{m}' in network '{network}'")))?,
        );
    }
    if let Some(p) = n.attribute("prefix") {
        ip.prefix = p.parse().ok();
    }
    let v6 = matches!(ip.address, Some(IpAddr::V6(_))) || ip.family.as_deref() == Some("ipv6");
    if let Some(p) = ip.prefix.filter(|p| *p > if v6 { 128 } else { 32 }) {
        let family = if v6 { "IPv6" } else { "IPv4" };
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_NETWORK,
            format!("Invalid {family} prefix '{p}' in network '{network}'"),
        ));
    }
    ip.tftp_root = child(n, "tftp").and_then(|t| attr(t, "root"));
    if let Some(dhcp) = child(n, "dhcp") {
        for r in children(dhcp, "range") {
            ip.ranges.push(parse_range(network, r)?);
        }
        ip.hosts = children(dhcp, "host").map(|h| parse_dhcp_host(h)).collect();
        ip.bootp =
            child(dhcp, "bootp").and_then(|b| attr(b, "file").map(|f| (f, attr(b, "server"))));
    }
    check_ranges(&ip)?;
    Ok(ip)
}

/// A `<range>`: both ends are required.
pub(crate) fn parse_range(network: &str, r: roxmltree::Node) -> Result<(IpAddr, IpAddr)> {
    let end = |k: &str| {
        let text = r.attribute(k).ok_or_else(|| {
            xml_error(format!(
                "Missing '{k}' attribute in dhcp range for network '{network}'"
            ))
        })?;
        parse_addr(network, text)
    };
    Ok((end("start")?, end("end")?))
}

pub(crate) fn parse_dhcp_host(h: roxmltree::Node) -> DhcpHost {
    DhcpHost {
        mac: attr(h, "mac").map(|m| m.to_ascii_lowercase()),
        id: attr(h, "id"),
        name: attr(h, "name"),
        ip: attr(h, "ip"),
    }
}

/// Each IPv4 DHCP range lies within the network of its `<ip>` (libvirt's virSocketAddrGetRange).
impl Ip {
    /// The prefix length libvirt reads from the element (virSocketAddrGetIPPrefix): the prefix,
    /// else the netmask's bits, else the IPv4 address's class (A, B, C) or 64 for IPv6.
    pub(crate) fn prefix_len(&self) -> u32 {
        if let Some(p) = self.prefix.filter(|p| *p > 0) {
            return p;
        }
        if let Some(m) = self.netmask {
            return u32::from(m).count_ones();
        }
        match self.address {
            Some(IpAddr::V4(a)) => match a.octets()[0] {
                0..=127 => 8,
                128..=191 => 16,
                192..=223 => 24,
                _ => 0,
            },
            Some(IpAddr::V6(a)) if a.is_unspecified() => 0,
            Some(IpAddr::V6(_)) => 64,
            None => 0,
        }
    }

    /// The address `offset` past the first DHCP range's start (or past the network's address):
    /// the test driver's guest address. IPv6 adds to the last byte only, as the reference does.
    pub(crate) fn offset_address(&self, offset: u64) -> Option<IpAddr> {
        let base = self.ranges.first().map(|r| r.0).or(self.address)?;
        Some(match base {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a).wrapping_add(offset as u32))),
            IpAddr::V6(a) => {
                let mut o = a.octets();
                o[15] = o[15].wrapping_add(offset as u8);
                IpAddr::V6(o.into())
            }
        })
    }
}

pub(crate) fn check_ranges(ip: &Ip) -> Result<()> {
    let Some(IpAddr::V4(addr)) = ip.address else {
        return Ok(());
    };
    let prefix = match (ip.prefix, ip.netmask) {
        (Some(p), _) => p,
        (None, Some(m)) => u32::from(m).count_ones(),
        // libvirt's default prefix for the address class.
        (None, None) => match addr.octets()[0] {
            0..=127 => 8,
            128..=191 => 16,
            _ => 24,
        },
    };
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    let net = u32::from(addr) & mask;
    for (start, end) in &ip.ranges {
        let (IpAddr::V4(s), IpAddr::V4(e)) = (start, end) else {
            continue;
        };
        if u32::from(*s) & mask != net || u32::from(*e) & mask != net {
            return Err(Error::internal(
                VIR_FROM_NONE,
                format!("range {s} - {e} is not entirely within network {addr}/{prefix}"),
            ));
        }
        if u32::from(*s) > u32::from(*e) {
            return Err(Error::internal(
                VIR_FROM_NONE,
                format!("range {s} - {e} is reversed "),
            ));
        }
    }
    Ok(())
}

/// The checks libvirt makes on the whole definition once it is read.
fn check(def: &NetworkDef, root: roxmltree::Node) -> Result<()> {
    let bridge = child(root, "bridge");
    let bridge_options = bridge.is_some_and(|b| {
        ["stp", "delay", "zone"]
            .iter()
            .any(|k| b.attribute(*k).is_some())
    });
    if !def.forward.own_bridge() && bridge_options {
        return Err(xml_error(format!(
            "bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in {} (network '{}')",
            def.forward.name(),
            def.name
        )));
    }
    if matches!(def.forward, Forward::Nat | Forward::Route | Forward::Open) && def.ips.is_empty() {
        return Err(xml_error(format!(
            "{} forwarding requested, but no IP address provided for network '{}'",
            def.forward.name(),
            def.name
        )));
    }
    Ok(())
}

/// The definition as libvirt's virNetworkDefFormat writes it.
pub(crate) fn format(def: &NetworkDef) -> String {
    let mut out = String::from("<network");
    if def.ipv6 {
        out.push_str(" ipv6='yes'");
    }
    if let Some(t) = &def.trust_guest_rx_filters {
        let _ = write!(out, " trustGuestRxFilters='{}'", esc(t));
    }
    out.push_str(">\n");
    let _ = writeln!(out, "  <name>{}</name>", esc(&def.name));
    let _ = writeln!(out, "  <uuid>{}</uuid>", uuid::format(&def.uuid));
    format_forward(&mut out, def);
    format_bridge(&mut out, def);
    if let Some(m) = def.mtu {
        let _ = writeln!(out, "  <mtu size='{m}'/>");
    }
    if let Some(m) = &def.mac {
        let _ = writeln!(out, "  <mac address='{m}'/>");
    }
    if let Some((name, local)) = &def.domain {
        let _ = write!(out, "  <domain name='{}'", esc(name));
        if let Some(l) = local {
            let _ = write!(out, " localOnly='{}'", esc(l));
        }
        out.push_str("/>\n");
    }
    format_dns(&mut out, &def.dns);
    for ip in &def.ips {
        format_ip(&mut out, ip);
    }
    for (name, default) in &def.portgroups {
        let _ = write!(out, "  <portgroup name='{}'", esc(name));
        if default.as_deref() == Some("yes") {
            out.push_str(" default='yes'");
        }
        out.push_str(">\n  </portgroup>\n");
    }
    out.push_str("</network>\n");
    out
}

fn format_forward(out: &mut String, def: &NetworkDef) {
    if def.forward == Forward::None {
        return;
    }
    out.push_str("  <forward");
    if def.forward_pf.is_none() {
        if let Some(dev) = def.forward_ifs.first() {
            let _ = write!(out, " dev='{}'", esc(dev));
        }
    }
    let _ = write!(out, " mode='{}'", def.forward.name());
    if def.forward == Forward::Hostdev {
        let managed = if def.forward_managed { "yes" } else { "no" };
        let _ = write!(out, " managed='{managed}'");
    }
    let nat = &def.nat;
    let has_nat = nat.address.is_some() || nat.port.is_some() || nat.ipv6.is_some();
    if def.forward_ifs.is_empty() && def.forward_pf.is_none() && !has_nat {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if def.forward == Forward::Nat && has_nat {
        format_nat(out, nat);
    }
    if let Some(pf) = &def.forward_pf {
        let _ = writeln!(out, "    <pf dev='{}'/>", esc(pf));
    }
    for dev in &def.forward_ifs {
        let _ = writeln!(out, "    <interface dev='{}'/>", esc(dev));
    }
    out.push_str("  </forward>\n");
}

fn format_nat(out: &mut String, nat: &Nat) {
    out.push_str("    <nat");
    if let Some(v) = &nat.ipv6 {
        let _ = write!(out, " ipv6='{}'", esc(v));
    }
    if nat.address.is_none() && nat.port.is_none() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if let Some((start, end)) = &nat.address {
        let _ = write!(out, "      <address start='{}'", esc(start));
        if let Some(e) = end {
            let _ = write!(out, " end='{}'", esc(e));
        }
        out.push_str("/>\n");
    }
    if let Some((start, end)) = nat.port {
        let _ = write!(out, "      <port start='{start}'");
        if end != 0 {
            let _ = write!(out, " end='{end}'");
        }
        out.push_str("/>\n");
    }
    out.push_str("    </nat>\n");
}

fn format_bridge(out: &mut String, def: &NetworkDef) {
    if !def.forward.own_bridge() && def.bridge.is_none() && def.mac_table_manager.is_none() {
        return;
    }
    out.push_str("  <bridge");
    for (key, value) in [
        ("name", &def.bridge),
        ("zone", &def.bridge_zone),
        ("macTableManager", &def.mac_table_manager),
    ] {
        if let Some(v) = value {
            let _ = write!(out, " {key}='{}'", esc(v));
        }
    }
    if def.forward.own_bridge() {
        let stp = if def.stp { "on" } else { "off" };
        let _ = write!(out, " stp='{stp}' delay='{}'", def.delay);
    }
    out.push_str("/>\n");
}

fn format_dns(out: &mut String, dns: &Dns) {
    let records = !(dns.forwarders.is_empty()
        && dns.txts.is_empty()
        && dns.srvs.is_empty()
        && dns.hosts.is_empty());
    if !records && dns.enable.is_none() && dns.forward_plain_names.is_none() {
        return;
    }
    out.push_str("  <dns");
    if let Some(e) = &dns.enable {
        let _ = write!(out, " enable='{}'", esc(e));
    }
    if let Some(f) = &dns.forward_plain_names {
        let _ = write!(out, " forwardPlainNames='{}'", esc(f));
    }
    if !records {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    for (domain, addr) in &dns.forwarders {
        out.push_str("    <forwarder");
        if let Some(d) = domain {
            let _ = write!(out, " domain='{}'", esc(d));
        }
        if let Some(a) = addr {
            let _ = write!(out, " addr='{}'", esc(a));
        }
        out.push_str("/>\n");
    }
    for (name, value) in &dns.txts {
        let _ = writeln!(
            out,
            "    <txt name='{}' value='{}'/>",
            esc(name),
            esc(value)
        );
    }
    for srv in &dns.srvs {
        out.push_str("    <srv");
        for (k, v) in srv {
            let _ = write!(out, " {k}='{}'", esc(v));
        }
        out.push_str("/>\n");
    }
    for host in &dns.hosts {
        let _ = writeln!(out, "    <host ip='{}'>", esc(&host.ip));
        for h in &host.hostnames {
            let _ = writeln!(out, "      <hostname>{}</hostname>", esc(h));
        }
        out.push_str("    </host>\n");
    }
    out.push_str("  </dns>\n");
}

fn format_ip(out: &mut String, ip: &Ip) {
    out.push_str("  <ip");
    if let Some(f) = &ip.family {
        let _ = write!(out, " family='{}'", esc(f));
    }
    if let Some(a) = ip.address {
        let _ = write!(out, " address='{a}'");
    }
    if let Some(m) = ip.netmask {
        let _ = write!(out, " netmask='{m}'");
    }
    if let Some(p) = ip.prefix.filter(|p| *p > 0) {
        let _ = write!(out, " prefix='{p}'");
    }
    if let Some(l) = &ip.local_ptr {
        let _ = write!(out, " localPtr='{}'", esc(l));
    }
    out.push_str(">\n");
    if let Some(root) = &ip.tftp_root {
        let _ = writeln!(out, "    <tftp root='{}'/>", esc(root));
    }
    if !ip.ranges.is_empty() || !ip.hosts.is_empty() || ip.bootp.is_some() {
        out.push_str("    <dhcp>\n");
        for (start, end) in &ip.ranges {
            let _ = writeln!(out, "      <range start='{start}' end='{end}'/>");
        }
        for h in &ip.hosts {
            out.push_str("      ");
            format_dhcp_host(out, h);
        }
        if let Some((file, server)) = &ip.bootp {
            let _ = write!(out, "      <bootp file='{}'", esc(file));
            if let Some(s) = server {
                let _ = write!(out, " server='{}'", esc(s));
            }
            out.push_str("/>\n");
        }
        out.push_str("    </dhcp>\n");
    }
    out.push_str("  </ip>\n");
}

pub(crate) fn format_dhcp_host(out: &mut String, h: &DhcpHost) {
    out.push_str("<host");
    for (key, value) in [
        ("mac", &h.mac),
        ("id", &h.id),
        ("name", &h.name),
        ("ip", &h.ip),
    ] {
        if let Some(v) = value {
            let _ = write!(out, " {key}='{}'", esc(v));
        }
    }
    out.push_str("/>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_network_gains_its_forward_mode_and_bridge_defaults() {
        let def = parse(super::super::DEFAULT_NODE[0]).unwrap();
        let xml = format(&def);
        assert!(xml.contains("  <forward mode='nat'/>\n"), "{xml}");
        assert!(
            xml.contains("  <bridge name='virbr0' stp='on' delay='0'/>\n"),
            "{xml}"
        );
        assert_eq!(parse(&xml).unwrap(), def);
    }

    #[test]
    fn parse_errors_as_the_reference() {
        let e = parse("<network><name>f</name><forward mode='bogus'/></network>").unwrap_err();
        assert_eq!(e.code, VIR_ERR_CONFIG_UNSUPPORTED);
        let e = parse("<network><uuid>bad</uuid></network>").unwrap_err();
        assert_eq!(e.code, VIR_ERR_NO_NAME);
        let e = parse("<network><name>i</name><forward mode='open'/></network>").unwrap_err();
        assert!(
            e.message.contains("open forwarding requested"),
            "{}",
            e.message
        );
    }
}
