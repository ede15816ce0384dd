//! Node device XML as libvirt 9.0's node_device_conf reads and writes it for the test driver:
//! the device's name, sysfs path, device nodes and parent, and its `system`, `scsi_host` (with
//! `fc_host` and `vport_ops`), `scsi_target` and `scsi` capabilities. A capability of another
//! type is refused with an error that says this driver does not carry it.

use crate::domain::uuid;
use crate::domain::xml::not_well_formed;
use crate::driver::testdriver::xml_nodes::{attr, child, children};
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_NO_NAME, VIR_ERR_XML_ERROR,
    VIR_FROM_NODEDEV, VIR_FROM_XML,
};
use roxmltree::Node;
use std::fmt::Write;

/// Where a document given as a string comes from, in the reference's parse errors.
const SOURCE: &str = "(node_device_definition)";

/// The name the reference gives a device described for creation (it names it after).
const NEW_DEVICE_NAME: &str = "new device";

/// libvirt's virNodeDevCapType names, in its order: a capability's index is also its
/// VIR_CONNECT_LIST_NODE_DEVICES_CAP_* bit.
pub(super) const CAP_NAMES: &[&str] = &[
    "system",
    "pci",
    "usb_device",
    "usb",
    "net",
    "scsi_host",
    "scsi_target",
    "scsi",
    "storage",
    "fc_host",
    "vports",
    "scsi_generic",
    "drm",
    "mdev_types",
    "mdev",
    "ccw",
    "css",
    "vdpa",
    "ap_card",
    "ap_queue",
    "ap_matrix",
    "vpd",
];

/// The index in [`CAP_NAMES`] of a capability type.
pub(super) fn cap_index(name: &str) -> Option<usize> {
    CAP_NAMES.iter().position(|n| *n == name)
}

const CAP_SYSTEM: usize = 0;
const CAP_SCSI_HOST: usize = 5;
const CAP_SCSI_TARGET: usize = 6;
const CAP_SCSI: usize = 7;
pub(super) const CAP_FC_HOST: usize = 9;
pub(super) const CAP_VPORTS: usize = 10;
// The types the reference's parser names by number as unknown (it formats but never parses
// them at the top level).
const UNPARSED: &[usize] = &[CAP_FC_HOST, CAP_VPORTS, 11, 21];

/// Whether a description is of a device that exists (a node file's) or of one to create
/// (virNodeDeviceCreateXML's, which carries no name and no host numbers).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Existing,
    Create,
}

#[derive(Clone, Debug, Default)]
pub(super) struct System {
    product: Option<String>,
    hw_vendor: Option<String>,
    hw_version: Option<String>,
    hw_serial: Option<String>,
    hw_uuid: [u8; 16],
    fw_vendor: Option<String>,
    fw_version: Option<String>,
    fw_release_date: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct FcHost {
    pub wwnn: String,
    pub wwpn: String,
    pub fabric_wwn: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct ScsiHost {
    pub host: u32,
    /// -1 when the description has none.
    pub unique_id: i32,
    pub fc_host: Option<FcHost>,
    pub vport_ops: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct ScsiTarget {
    name: String,
    /// `fc_remote_port`: the rport name and its WWPN.
    remote_port: Option<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Scsi {
    host: u32,
    bus: u32,
    target: u32,
    lun: u32,
    kind: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) enum Cap {
    System(System),
    ScsiHost(ScsiHost),
    ScsiTarget(ScsiTarget),
    Scsi(Scsi),
}

impl Cap {
    /// The index of this capability's type in [`CAP_NAMES`].
    pub(super) fn index(&self) -> usize {
        match self {
            Cap::System(_) => CAP_SYSTEM,
            Cap::ScsiHost(_) => CAP_SCSI_HOST,
            Cap::ScsiTarget(_) => CAP_SCSI_TARGET,
            Cap::Scsi(_) => CAP_SCSI,
        }
    }

    pub(super) fn name(&self) -> &'static str {
        CAP_NAMES[self.index()]
    }

    /// Whether this capability is of type `index`, or carries it nested (libvirt's
    /// virNodeDeviceObjHasCap: a SCSI host's fc_host and vport_ops).
    pub(super) fn has(&self, index: usize) -> bool {
        match self {
            Cap::ScsiHost(h) if index == CAP_FC_HOST => h.fc_host.is_some(),
            Cap::ScsiHost(h) if index == CAP_VPORTS => h.vport_ops,
            c => c.index() == index,
        }
    }
}

/// The parent a description names: by name, or by its WWNs or fabric WWN.
#[derive(Clone, Debug, Default)]
pub(super) struct ParentSpec {
    pub wwns: Option<(String, String)>,
    pub fabric_wwn: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) struct DeviceDef {
    pub name: String,
    sysfs_path: Option<String>,
    devnode: Option<String>,
    devlinks: Vec<String>,
    pub parent: Option<String>,
    pub parent_spec: ParentSpec,
    pub caps: Vec<Cap>,
}

impl DeviceDef {
    /// The first SCSI host capability that is a Fibre Channel HBA (libvirt's
    /// virNodeDeviceGetWWNs), or the reference's error.
    pub(super) fn fc_host(&self) -> Result<&FcHost> {
        self.caps
            .iter()
            .find_map(|c| match c {
                Cap::ScsiHost(ScsiHost {
                    fc_host: Some(fc), ..
                }) => Some(fc),
                _ => None,
            })
            .ok_or_else(|| Error::internal(VIR_FROM_NODEDEV, "Device is not a fibre channel HBA"))
    }

    /// The SCSI host number of a vport-capable HBA (libvirt's virNodeDeviceFindFCParentHost).
    pub(super) fn vport_host(&self) -> Option<u32> {
        self.caps.iter().find_map(|c| match c {
            Cap::ScsiHost(h) if h.vport_ops => Some(h.host),
            _ => None,
        })
    }
}

fn xml_error(from: i32, info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, from, info)
}

/// A device from the text of a `<device>` document.
pub(super) fn parse(text: &str, mode: Mode) -> Result<DeviceDef> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| not_well_formed(SOURCE, VIR_FROM_NODEDEV, text, &e))?;
    parse_element(doc.root_element(), mode)
}

/// The text of the first element `path` (child names from `n`) reaches that has any: XPath's
/// `string(./a/b[1])` over every `a`.
fn text_at(n: Node, path: &[&str]) -> Option<String> {
    match path {
        [] => n.text().map(str::to_string).filter(|t| !t.is_empty()),
        [last] => child(n, last).and_then(|c| text_at(c, &[])),
        [first, rest @ ..] => children(n, first).find_map(|c| {
            let mut found = None;
            if let [next, ..] = rest {
                if child(c, next).is_some() {
                    found = text_at(c, rest);
                }
            }
            found
        }),
    }
}

fn parse_element(root: Node, mode: Mode) -> Result<DeviceDef> {
    let root_name = root.tag_name().name();
    if root_name != "device" {
        return Err(xml_error(
            VIR_FROM_XML,
            format!("expecting root element of 'device', not '{root_name}'"),
        ));
    }
    let name = match mode {
        Mode::Create => NEW_DEVICE_NAME.to_string(),
        Mode::Existing => text_at(root, &["name"])
            .ok_or_else(|| Error::new(VIR_ERR_NO_NAME, VIR_FROM_NODEDEV, None))?,
    };
    let sysfs_path = text_at(root, &["path"]);
    let (devnode, devlinks) = parse_devnodes(root)?;
    let parent = text_at(root, &["parent"]);
    let parent_spec = parse_parent_spec(root)?;
    let cap_nodes: Vec<Node> = children(root, "capability").collect();
    if cap_nodes.is_empty() {
        return Err(Error::internal(
            VIR_FROM_NODEDEV,
            format!("no device capabilities for '{name}'"),
        ));
    }
    let mut caps = Vec::new();
    for n in cap_nodes {
        caps.push(parse_cap(n, &name, mode)?);
    }
    Ok(DeviceDef {
        name,
        sysfs_path,
        devnode,
        devlinks,
        parent,
        parent_spec,
        caps,
    })
}

/// The type attribute of `n` (element `element`), required and one of `names` (libvirt's
/// virXMLPropEnum with VIR_XML_PROP_REQUIRED).
fn required_enum(n: Node, element: &str, names: &[&str]) -> Result<usize> {
    let Some(value) = n.attribute("type") else {
        return Err(xml_error(
            VIR_FROM_XML,
            format!("Missing required attribute 'type' in element '{element}'"),
        ));
    };
    names.iter().position(|t| *t == value).ok_or_else(|| {
        xml_error(
            VIR_FROM_XML,
            format!("Invalid value for attribute 'type' in element '{element}': '{value}'."),
        )
    })
}

fn parse_devnodes(root: Node) -> Result<(Option<String>, Vec<String>)> {
    const DEV: usize = 0;
    let mut devnode = None;
    let mut links = Vec::new();
    for n in children(root, "devnode") {
        let kind = required_enum(n, "devnode", &["dev", "link"])?;
        let text = n.text().unwrap_or("").to_string();
        if kind == DEV {
            devnode = Some(text);
        } else {
            links.push(text);
        }
    }
    Ok((devnode, links))
}

fn parse_parent_spec(root: Node) -> Result<ParentSpec> {
    let Some(p) = child(root, "parent") else {
        return Ok(ParentSpec::default());
    };
    let wwns = match (attr(p, "wwnn"), attr(p, "wwpn")) {
        (Some(n), Some(p)) => Some((n, p)),
        (Some(n), None) => {
            return Err(xml_error(
                VIR_FROM_NODEDEV,
                format!("when providing parent wwnn='{n}', the wwpn must also be provided"),
            ))
        }
        (None, Some(p)) => {
            return Err(xml_error(
                VIR_FROM_NODEDEV,
                format!("when providing parent wwpn='{p}', the wwnn must also be provided"),
            ))
        }
        (None, None) => None,
    };
    Ok(ParentSpec {
        wwns,
        fabric_wwn: attr(p, "fabric_wwn"),
    })
}

fn parse_cap(n: Node, dev: &str, mode: Mode) -> Result<Cap> {
    let index = required_enum(n, "capability", CAP_NAMES)?;
    match index {
        CAP_SYSTEM => parse_system(n, dev).map(Cap::System),
        CAP_SCSI_HOST => parse_scsi_host(n, dev, mode).map(Cap::ScsiHost),
        CAP_SCSI_TARGET => parse_scsi_target(n, dev).map(Cap::ScsiTarget),
        CAP_SCSI => parse_scsi(n, dev).map(Cap::Scsi),
        i if UNPARSED.contains(&i) => Err(Error::internal(
            VIR_FROM_NODEDEV,
            format!("unknown capability type '{i}' for '{dev}'"),
        )),
        i => Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_NODEDEV,
            format!(
                "node device capability '{}' is not supported by this test driver",
                CAP_NAMES[i]
            ),
        )),
    }
}

fn parse_system(n: Node, dev: &str) -> Result<System> {
    let uuid_text = text_at(n, &["hardware", "uuid"]).ok_or_else(|| {
        Error::internal(
            VIR_FROM_NODEDEV,
            format!("no system UUID supplied for '{dev}'"),
        )
    })?;
    let hw_uuid = uuid::parse(&uuid_text).ok_or_else(|| {
        Error::internal(
            VIR_FROM_NODEDEV,
            format!("malformed uuid element for '{dev}'"),
        )
    })?;
    Ok(System {
        product: text_at(n, &["product"]),
        hw_vendor: text_at(n, &["hardware", "vendor"]),
        hw_version: text_at(n, &["hardware", "version"]),
        hw_serial: text_at(n, &["hardware", "serial"]),
        hw_uuid,
        fw_vendor: text_at(n, &["firmware", "vendor"]),
        fw_version: text_at(n, &["firmware", "version"]),
        fw_release_date: text_at(n, &["firmware", "release_date"]),
    })
}

/// C's strtoul/strtol acceptance: leading white space, a sign, decimal digits, nothing after.
fn c_integer(text: &str) -> Option<i64> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// libvirt's virNodeDevCapsDefParseUInt: a required unsigned number, with the reference's
/// "no ... supplied" and "invalid ... supplied" errors (`what` names it).
fn required_uint(n: Node, element: &str, dev: &str, what: &str) -> Result<u32> {
    let Some(text) = text_at(n, &[element]) else {
        return Err(Error::internal(
            VIR_FROM_NODEDEV,
            format!("no {what} supplied for '{dev}'"),
        ));
    };
    let positive = !text.trim_start().starts_with('-');
    c_integer(&text)
        .filter(|v| positive && *v <= i64::from(u32::MAX))
        .map(|v| v as u32)
        .ok_or_else(|| {
            Error::internal(
                VIR_FROM_NODEDEV,
                format!("invalid {what} supplied for '{dev}'"),
            )
        })
}

fn parse_scsi_host(n: Node, dev: &str, mode: Mode) -> Result<ScsiHost> {
    let mut host = ScsiHost {
        unique_id: -1,
        ..Default::default()
    };
    if mode == Mode::Existing {
        host.host = required_uint(n, "host", dev, "SCSI host ID")?;
        if let Some(text) = text_at(n, &["unique_id"]) {
            host.unique_id = c_integer(&text)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| {
                    Error::internal(
                        VIR_FROM_NODEDEV,
                        format!("invalid unique_id supplied for '{dev}'"),
                    )
                })?;
        }
    }
    for c in children(n, "capability") {
        let Some(kind) = c.attribute("type") else {
            return Err(Error::internal(
                VIR_FROM_NODEDEV,
                format!("missing SCSI host capability type for '{dev}'"),
            ));
        };
        match kind {
            "vport_ops" => host.vport_ops = true,
            "fc_host" => host.fc_host = Some(parse_fc_host(c, dev)?),
            other => {
                return Err(Error::internal(
                    VIR_FROM_NODEDEV,
                    format!("unknown SCSI host capability type '{other}' for '{dev}'"),
                ))
            }
        }
    }
    Ok(host)
}

/// The reference generates a missing WWN only for a hypervisor type, which the test driver
/// never gives: a missing one is an error.
fn parse_fc_host(c: Node, dev: &str) -> Result<FcHost> {
    let wwn = |element: &str, label: &str| {
        text_at(c, &[element]).ok_or_else(|| {
            Error::internal(
                VIR_FROM_NODEDEV,
                format!("no {label} supplied for '{dev}', and auto-generation failed"),
            )
        })
    };
    Ok(FcHost {
        wwnn: wwn("wwnn", "WWNN")?,
        wwpn: wwn("wwpn", "WWPN")?,
        fabric_wwn: text_at(c, &["fabric_wwn"]),
    })
}

fn parse_scsi_target(n: Node, dev: &str) -> Result<ScsiTarget> {
    let name = text_at(n, &["target"]).ok_or_else(|| {
        Error::internal(
            VIR_FROM_NODEDEV,
            format!("no target name supplied for '{dev}'"),
        )
    })?;
    let mut target = ScsiTarget {
        name,
        remote_port: None,
    };
    for c in children(n, "capability") {
        match c.attribute("type") {
            None => {
                return Err(Error::internal(
                    VIR_FROM_NODEDEV,
                    format!("missing type for SCSI target capability for '{dev}'"),
                ))
            }
            Some("fc_remote_port") => {
                let missing = |what: &str| {
                    Error::internal(VIR_FROM_NODEDEV, format!("missing {what} for '{dev}'"))
                };
                let rport = text_at(c, &["rport"]).ok_or_else(|| missing("rport name"))?;
                let wwpn = text_at(c, &["wwpn"]).ok_or_else(|| missing("wwpn identifier"))?;
                target.remote_port = Some((rport, wwpn));
            }
            Some(other) => {
                return Err(Error::internal(
                    VIR_FROM_NODEDEV,
                    format!("unknown SCSI target capability type '{other}' for '{dev}'"),
                ))
            }
        }
    }
    Ok(target)
}

fn parse_scsi(n: Node, dev: &str) -> Result<Scsi> {
    Ok(Scsi {
        host: required_uint(n, "host", dev, "SCSI host ID")?,
        bus: required_uint(n, "bus", dev, "SCSI bus ID")?,
        target: required_uint(n, "target", dev, "SCSI target ID")?,
        lun: required_uint(n, "lun", dev, "SCSI LUN ID")?,
        kind: text_at(n, &["type"]),
    })
}

// ---- formatting (libvirt's virNodeDeviceDefFormat) ------------------------------------------

/// virBufferEscapeString's escaping.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One `<tag>text</tag>` line at `indent`, when there is text.
fn line(x: &mut String, indent: usize, tag: &str, text: Option<&str>) {
    if let Some(t) = text {
        let _ = writeln!(x, "{:indent$}<{tag}>{}</{tag}>", "", esc(t));
    }
}

pub(super) fn format(def: &DeviceDef) -> String {
    let mut x = String::from("<device>\n");
    line(&mut x, 2, "name", Some(&def.name));
    line(&mut x, 2, "path", def.sysfs_path.as_deref());
    if let Some(d) = &def.devnode {
        let _ = writeln!(x, "  <devnode type='dev'>{}</devnode>", esc(d));
    }
    for l in &def.devlinks {
        let _ = writeln!(x, "  <devnode type='link'>{}</devnode>", esc(l));
    }
    line(&mut x, 2, "parent", def.parent.as_deref());
    for cap in &def.caps {
        let _ = writeln!(x, "  <capability type='{}'>", cap.name());
        match cap {
            Cap::System(s) => format_system(&mut x, s),
            Cap::ScsiHost(h) => format_scsi_host(&mut x, h),
            Cap::ScsiTarget(t) => format_scsi_target(&mut x, t),
            Cap::Scsi(s) => format_scsi(&mut x, s),
        }
        x.push_str("  </capability>\n");
    }
    x.push_str("</device>\n");
    x
}

fn format_system(x: &mut String, s: &System) {
    line(x, 4, "product", s.product.as_deref());
    x.push_str("    <hardware>\n");
    line(x, 6, "vendor", s.hw_vendor.as_deref());
    line(x, 6, "version", s.hw_version.as_deref());
    line(x, 6, "serial", s.hw_serial.as_deref());
    let _ = writeln!(x, "      <uuid>{}</uuid>", uuid::format(&s.hw_uuid));
    x.push_str("    </hardware>\n    <firmware>\n");
    line(x, 6, "vendor", s.fw_vendor.as_deref());
    line(x, 6, "version", s.fw_version.as_deref());
    line(x, 6, "release_date", s.fw_release_date.as_deref());
    x.push_str("    </firmware>\n");
}

fn format_scsi_host(x: &mut String, h: &ScsiHost) {
    // The reference prints the host number as a signed int.
    let _ = writeln!(x, "    <host>{}</host>", h.host as i32);
    if h.unique_id != -1 {
        let _ = writeln!(x, "    <unique_id>{}</unique_id>", h.unique_id);
    }
    if let Some(fc) = &h.fc_host {
        x.push_str("    <capability type='fc_host'>\n");
        line(x, 6, "wwnn", Some(&fc.wwnn));
        line(x, 6, "wwpn", Some(&fc.wwpn));
        line(x, 6, "fabric_wwn", fc.fabric_wwn.as_deref());
        x.push_str("    </capability>\n");
    }
    if h.vport_ops {
        // The reference reads neither count from a description: both stay 0.
        x.push_str("    <capability type='vport_ops'>\n");
        x.push_str("      <max_vports>0</max_vports>\n      <vports>0</vports>\n");
        x.push_str("    </capability>\n");
    }
}

fn format_scsi_target(x: &mut String, t: &ScsiTarget) {
    line(x, 4, "target", Some(&t.name));
    if let Some((rport, wwpn)) = &t.remote_port {
        // Unescaped, as the reference writes them.
        x.push_str("    <capability type='fc_remote_port'>\n");
        let _ = writeln!(x, "      <rport>{rport}</rport>");
        let _ = writeln!(x, "      <wwpn>{wwpn}</wwpn>");
        x.push_str("    </capability>\n");
    }
}

fn format_scsi(x: &mut String, s: &Scsi) {
    for (tag, v) in [
        ("host", s.host),
        ("bus", s.bus),
        ("target", s.target),
        ("lun", s.lun),
    ] {
        let _ = writeln!(x, "    <{tag}>{}</{tag}>", v as i32);
    }
    line(x, 4, "type", s.kind.as_deref());
}

impl DeviceDef {
    /// The vHBA the reference's test driver makes for virNodeDeviceCreateXML: a copy of
    /// `template` (its scsi_host11) named scsi_host12, with the WWNs asked for.
    pub(super) fn mock_vport(template: &DeviceDef, wwnn: &str, wwpn: &str) -> DeviceDef {
        let mut def = template.clone();
        def.name = "scsi_host12".to_string();
        for cap in &mut def.caps {
            if let Cap::ScsiHost(h) = cap {
                match &mut h.fc_host {
                    Some(fc) => {
                        fc.wwnn = wwnn.to_string();
                        fc.wwpn = wwpn.to_string();
                    }
                    None => {
                        h.host = h.host.wrapping_add(1);
                        h.unique_id = h.unique_id.wrapping_add(1);
                    }
                }
            }
        }
        def
    }
}
