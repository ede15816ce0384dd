//! Host interface XML as libvirt 9.0's interface_conf reads and writes it: ethernet, bridge, bond
//! and vlan interfaces, their start mode, mtu, protocols, link state and MAC address.

use crate::domain::xml::{esc, not_well_formed};
use crate::driver::testdriver::xml_nodes::{attr, child, children};
use crate::error::{Error, Result, VIR_ERR_XML_ERROR, VIR_FROM_INTERFACE, VIR_FROM_XML};
use std::fmt::Write;

/// Where a document given as a string comes from, in the reference's parse errors.
const SOURCE: &str = "(interface_definition)";

const TYPES: &[&str] = &["ethernet", "bridge", "bond", "vlan"];
const START_MODES: &[&str] = &["none", "onboot", "hotplug"];
const BOND_MODES: &[&str] = &[
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
];
/// virNetDevIfState names (the link's state).
const LINK_STATES: &[&str] = &[
    "unknown",
    "notpresent",
    "down",
    "lowerlayerdown",
    "testing",
    "dormant",
    "up",
];
const MAX_MTU: u64 = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Protocol {
    family: String,
    autoconf: bool,
    /// `<dhcp>` and its peerdns setting.
    dhcp: Option<Option<bool>>,
    ips: Vec<(String, i32)>,
    gateway: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Monitor {
    Mii {
        freq: i32,
        downdelay: i32,
        updelay: i32,
        carrier: Option<String>,
    },
    Arp {
        interval: i32,
        target: String,
        validate: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Ethernet {
        mac: Option<String>,
    },
    Bridge {
        stp: Option<bool>,
        delay: Option<String>,
        members: Vec<InterfaceDef>,
    },
    Bond {
        mode: Option<&'static str>,
        monitor: Option<Monitor>,
        members: Vec<InterfaceDef>,
    },
    Vlan {
        tag: String,
        device: String,
    },
}

/// A host interface definition (libvirt's virInterfaceDef).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InterfaceDef {
    pub name: String,
    start_mode: Option<&'static str>,
    mtu: Option<u64>,
    protocols: Vec<Protocol>,
    link: (Option<u32>, Option<&'static str>),
    kind: Kind,
}

impl InterfaceDef {
    /// The MAC address a handle carries (an ethernet interface's, else none).
    pub fn mac(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ethernet { mac } => mac.as_deref(),
            _ => None,
        }
    }
}

fn xml_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_INTERFACE, info)
}

fn prop_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_XML, info)
}

/// One of `names`, as libvirt's virXMLPropEnum reads an attribute.
fn prop_enum(
    n: roxmltree::Node,
    key: &str,
    names: &[&'static str],
) -> Result<Option<&'static str>> {
    let Some(v) = n.attribute(key) else {
        return Ok(None);
    };
    names
        .iter()
        .find(|m| **m == v)
        .copied()
        .map(Some)
        .ok_or_else(|| {
            prop_error(format!(
                "Invalid value for attribute '{key}' in element '{}': '{v}'.",
                n.tag_name().name()
            ))
        })
}

/// An integer attribute as libvirt's virXPathInt reads it: absent, a number, or invalid.
fn xpath_int(n: Option<roxmltree::Node>, key: &str) -> std::result::Result<Option<i32>, ()> {
    match n.and_then(|n| n.attribute(key)) {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| ()),
    }
}

/// An interface definition from the text of an `<interface>` document.
pub(crate) fn parse(text: &str) -> Result<InterfaceDef> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| not_well_formed(SOURCE, VIR_FROM_INTERFACE, text, &e))?;
    parse_element(doc.root_element())
}

/// An interface definition from its `<interface>` element.
pub(crate) fn parse_element(root: roxmltree::Node) -> Result<InterfaceDef> {
    if root.tag_name().name() != "interface" {
        return Err(prop_error(format!(
            "expecting root element of 'interface', not '{}'",
            root.tag_name().name()
        )));
    }
    parse_interface(root, None)
}

fn parse_interface(n: roxmltree::Node, parent: Option<&str>) -> Result<InterfaceDef> {
    let Some(kind) = prop_enum(n, "type", TYPES)? else {
        return Err(prop_error(
            "Missing required attribute 'type' in element 'interface'",
        ));
    };
    let allowed = match parent {
        None => true,
        Some("bond") => kind == "ethernet",
        Some("bridge") => kind != "bridge",
        Some(_) => false,
    };
    if !allowed {
        return Err(xml_error(format!(
            "interface has unsupported type '{kind}'"
        )));
    }
    let name = attr(n, "name").ok_or_else(|| xml_error("interface has no name"))?;
    let mut def = InterfaceDef {
        name,
        start_mode: None,
        mtu: None,
        protocols: Vec::new(),
        link: (None, None),
        kind: Kind::Ethernet { mac: None },
    };
    if parent.is_none() {
        if let Some(mode) = child(n, "start").and_then(|s| s.attribute("mode")) {
            def.start_mode = Some(
                START_MODES
                    .iter()
                    .find(|m| **m == mode)
                    .copied()
                    .ok_or_else(|| xml_error(format!("unknown interface startmode {mode}")))?,
            );
        }
        def.mtu = parse_mtu(n)?;
        def.protocols = children(n, "protocol")
            .map(parse_protocol)
            .collect::<Result<_>>()?;
    }
    if kind != "bridge" {
        if let Some(l) = child(n, "link") {
            def.link = parse_link(l)?;
        }
    }
    def.kind = match kind {
        "ethernet" => Kind::Ethernet {
            mac: child(n, "mac").and_then(|m| attr(m, "address")),
        },
        "bridge" => parse_bridge(n)?,
        "bond" => parse_bond(n)?,
        _ => parse_vlan(n)?,
    };
    Ok(def)
}

fn parse_mtu(n: roxmltree::Node) -> Result<Option<u64>> {
    let Some(size) = child(n, "mtu").and_then(|m| m.attribute("size")) else {
        return Ok(None);
    };
    // The reference fails a size that is not a number without saying why.
    let mtu: u64 = size.trim().parse().map_err(|_| Error::unknown_cause())?;
    if mtu > MAX_MTU {
        return Err(xml_error(format!(
            "value of the 'size' attribute of 'mtu' element must be at most {MAX_MTU}"
        )));
    }
    Ok(Some(mtu))
}

fn parse_link(l: roxmltree::Node) -> Result<(Option<u32>, Option<&'static str>)> {
    let speed = match l.attribute("speed") {
        None => None,
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            prop_error(format!(
                "Invalid value for attribute 'speed' in element 'link': '{v}'. Expected non-negative integer value"
            ))
        })?),
    };
    Ok((speed, prop_enum(l, "state", LINK_STATES)?))
}

fn parse_protocol(p: roxmltree::Node) -> Result<Protocol> {
    let family =
        attr(p, "family").ok_or_else(|| xml_error("protocol misses the family attribute"))?;
    if family != "ipv4" && family != "ipv6" {
        return Err(xml_error(format!("unsupported protocol family '{family}'")));
    }
    let dhcp = match child(p, "dhcp") {
        None => None,
        Some(d) => Some(prop_enum(d, "peerdns", &["yes", "no"])?.map(|v| v == "yes")),
    };
    let mut ips = Vec::new();
    for ip in children(p, "ip") {
        let Some(address) = attr(ip, "address") else {
            continue;
        };
        let prefix = match ip.attribute("prefix") {
            None => 0,
            Some(v) => v.parse().map_err(|_| {
                prop_error(format!(
                    "Invalid value for attribute 'prefix' in element 'ip': '{v}'. Expected integer value"
                ))
            })?,
        };
        ips.push((address, prefix));
    }
    Ok(Protocol {
        autoconf: family == "ipv6" && child(p, "autoconf").is_some(),
        family,
        dhcp,
        ips,
        gateway: child(p, "route").and_then(|r| attr(r, "gateway")),
    })
}

fn members(n: roxmltree::Node, parent: &str) -> Result<Vec<InterfaceDef>> {
    children(n, "interface")
        .map(|i| parse_interface(i, Some(parent)))
        .collect()
}

fn parse_bridge(n: roxmltree::Node) -> Result<Kind> {
    let b = child(n, "bridge")
        .ok_or_else(|| xml_error("bridge interface misses the bridge element"))?;
    // An stp that is neither on nor off is reported, yet the reference goes on without it.
    let stp = match b.attribute("stp") {
        Some("on") => Some(true),
        Some("off") => Some(false),
        _ => None,
    };
    Ok(Kind::Bridge {
        stp,
        delay: attr(b, "delay"),
        members: members(b, "bridge")?,
    })
}

fn parse_bond(n: roxmltree::Node) -> Result<Kind> {
    let b = child(n, "bond").ok_or_else(|| xml_error("bond interface misses the bond element"))?;
    let mode = match b.attribute("mode") {
        None => None,
        Some(m) => Some(
            BOND_MODES
                .iter()
                .find(|x| **x == m)
                .copied()
                .ok_or_else(|| xml_error(format!("unknown bonding mode {m}")))?,
        ),
    };
    let members = members(b, "bond")?;
    let monitor = if let Some(mii) = child(b, "miimon") {
        let int = |k: &str, what: &str| {
            xpath_int(Some(mii), k)
                .map_err(|_| xml_error(format!("bond interface miimon {what} invalid")))
        };
        let freq = xpath_int(Some(mii), "freq")
            .ok()
            .flatten()
            .ok_or_else(|| xml_error("bond interface miimon freq missing or invalid"))?;
        let downdelay = int("downdelay", "downdelay")?.unwrap_or(0);
        let updelay = int("updelay", "updelay")?.unwrap_or(0);
        let carrier = match mii.attribute("carrier") {
            None => None,
            Some(c @ ("ioctl" | "netif")) => Some(c.to_string()),
            Some(c) => return Err(xml_error(format!("unknown mii bonding carrier {c}"))),
        };
        Some(Monitor::Mii {
            freq,
            downdelay,
            updelay,
            carrier,
        })
    } else if let Some(arp) = child(b, "arpmon") {
        let interval = xpath_int(Some(arp), "interval")
            .ok()
            .flatten()
            .ok_or_else(|| xml_error("bond interface arpmon interval missing or invalid"))?;
        let target =
            attr(arp, "target").ok_or_else(|| xml_error("bond interface arpmon target missing"))?;
        let validate = match arp.attribute("validate") {
            None => None,
            Some(v @ ("active" | "backup" | "all")) => Some(v.to_string()),
            Some(v) => return Err(xml_error(format!("unknown arp bonding validate {v}"))),
        };
        Some(Monitor::Arp {
            interval,
            target,
            validate,
        })
    } else {
        None
    };
    Ok(Kind::Bond {
        mode,
        monitor,
        members,
    })
}

fn parse_vlan(n: roxmltree::Node) -> Result<Kind> {
    let v = child(n, "vlan").ok_or_else(|| xml_error("vlan interface misses the vlan element"))?;
    let tag = attr(v, "tag").ok_or_else(|| xml_error("vlan interface misses the tag attribute"))?;
    let device = child(v, "interface")
        .and_then(|i| attr(i, "name"))
        .ok_or_else(|| xml_error("vlan interface misses name attribute"))?;
    Ok(Kind::Vlan { tag, device })
}

/// The definition as libvirt's virInterfaceDefFormat writes it.
pub(crate) fn format(def: &InterfaceDef) -> String {
    let mut out = String::new();
    format_dev(&mut out, def, 0, true);
    out
}

fn format_dev(out: &mut String, def: &InterfaceDef, level: usize, top: bool) {
    let pad = "  ".repeat(level);
    let kind = match def.kind {
        Kind::Ethernet { .. } => "ethernet",
        Kind::Bridge { .. } => "bridge",
        Kind::Bond { .. } => "bond",
        Kind::Vlan { .. } => "vlan",
    };
    let _ = writeln!(
        out,
        "{pad}<interface type='{kind}' name='{}'>",
        esc(&def.name)
    );
    let inner = "  ".repeat(level + 1);
    if top {
        if let Some(mode) = def.start_mode {
            let _ = writeln!(out, "{inner}<start mode='{mode}'/>");
        }
        if let Some(mtu) = def.mtu.filter(|m| *m > 0) {
            let _ = writeln!(out, "{inner}<mtu size='{mtu}'/>");
        }
        for p in &def.protocols {
            format_protocol(out, p, &inner);
        }
    }
    if !matches!(def.kind, Kind::Bridge { .. }) && (def.link.0.is_some() || def.link.1.is_some()) {
        out.push_str(&inner);
        out.push_str("<link");
        if let Some(speed) = def.link.0.filter(|s| *s > 0) {
            let _ = write!(out, " speed='{speed}'");
        }
        if let Some(state) = def.link.1 {
            let _ = write!(out, " state='{state}'");
        }
        out.push_str("/>\n");
    }
    match &def.kind {
        Kind::Ethernet { mac } => {
            if let Some(m) = mac {
                let _ = writeln!(out, "{inner}<mac address='{m}'/>");
            }
        }
        Kind::Bridge {
            stp,
            delay,
            members,
        } => {
            let _ = write!(out, "{inner}<bridge");
            match stp {
                Some(true) => out.push_str(" stp='on'"),
                Some(false) => out.push_str(" stp='off'"),
                None => {}
            }
            if let Some(d) = delay {
                let _ = write!(out, " delay='{d}'");
            }
            out.push_str(">\n");
            for m in members {
                format_dev(out, m, level + 2, false);
            }
            let _ = writeln!(out, "{inner}</bridge>");
        }
        Kind::Bond {
            mode,
            monitor,
            members,
        } => {
            let _ = write!(out, "{inner}<bond");
            if let Some(m) = mode {
                let _ = write!(out, " mode='{m}'");
            }
            out.push_str(">\n");
            format_monitor(out, monitor.as_ref(), &"  ".repeat(level + 2));
            for m in members {
                format_dev(out, m, level + 2, false);
            }
            let _ = writeln!(out, "{inner}</bond>");
        }
        Kind::Vlan { tag, device } => {
            let _ = writeln!(out, "{inner}<vlan tag='{tag}'>");
            let _ = writeln!(out, "{inner}  <interface name='{device}'/>");
            let _ = writeln!(out, "{inner}</vlan>");
        }
    }
    let _ = writeln!(out, "{pad}</interface>");
}

fn format_protocol(out: &mut String, p: &Protocol, pad: &str) {
    let _ = writeln!(out, "{pad}<protocol family='{}'>", p.family);
    if p.autoconf {
        let _ = writeln!(out, "{pad}  <autoconf/>");
    }
    match p.dhcp {
        Some(Some(false)) => {
            let _ = writeln!(out, "{pad}  <dhcp peerdns='no'/>");
        }
        Some(Some(true)) => {
            let _ = writeln!(out, "{pad}  <dhcp peerdns='yes'/>");
        }
        Some(None) => {
            let _ = writeln!(out, "{pad}  <dhcp/>");
        }
        None => {}
    }
    for (address, prefix) in &p.ips {
        let _ = write!(out, "{pad}  <ip address='{address}'");
        if *prefix != 0 {
            let _ = write!(out, " prefix='{prefix}'");
        }
        out.push_str("/>\n");
    }
    if let Some(g) = &p.gateway {
        let _ = writeln!(out, "{pad}  <route gateway='{g}'/>");
    }
    let _ = writeln!(out, "{pad}</protocol>");
}

fn format_monitor(out: &mut String, monitor: Option<&Monitor>, pad: &str) {
    match monitor {
        Some(Monitor::Mii {
            freq,
            downdelay,
            updelay,
            carrier,
        }) => {
            let _ = write!(out, "{pad}<miimon freq='{freq}'");
            if *downdelay > 0 {
                let _ = write!(out, " downdelay='{downdelay}'");
            }
            if *updelay > 0 {
                let _ = write!(out, " updelay='{updelay}'");
            }
            if let Some(c) = carrier {
                let _ = write!(out, " carrier='{c}'");
            }
            out.push_str("/>\n");
        }
        Some(Monitor::Arp {
            interval,
            target,
            validate,
        }) => {
            let _ = write!(out, "{pad}<arpmon interval='{interval}' target='{target}'");
            if let Some(v) = validate {
                let _ = write!(out, " validate='{v}'");
            }
            out.push_str("/>\n");
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_interface_is_written_in_the_reference_order() {
        let def = parse(super::super::DEFAULT_NODE[0]).unwrap();
        assert_eq!(
            format(&def),
            "<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <mac address='aa:bb:cc:dd:ee:ff'/>
</interface>
"
        );
        assert_eq!(def.mac(), Some("aa:bb:cc:dd:ee:ff"));
    }

    #[test]
    fn members_of_a_bond_are_ethernet() {
        let e = parse("<interface type='bridge' name='x'><bridge><interface type='bridge' name='y'><bridge/></interface></bridge></interface>")
            .unwrap_err();
        assert!(
            e.message.contains("unsupported type 'bridge'"),
            "{}",
            e.message
        );
    }
}
