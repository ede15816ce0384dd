//! Storage pool and volume definitions as libvirt's storage_conf reads and writes them: the pool
//! types and what each requires of its source, the formats, the units of sizes, the permissions,
//! and the XML written back byte for byte as the reference's.

use crate::domain::uuid;
use crate::driver::testdriver::xml_nodes::{child, children};
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG,
    VIR_ERR_NO_SUPPORT, VIR_ERR_OVERFLOW, VIR_ERR_XML_ERROR, VIR_FROM_NONE, VIR_FROM_STORAGE,
    VIR_FROM_XML,
};
use roxmltree::Node;
use std::fmt::Write;

/// virStoragePoolType, in the enum's order (its index is the C value).
pub(super) const POOL_TYPES: &[&str] = &[
    "dir",
    "fs",
    "netfs",
    "logical",
    "disk",
    "iscsi",
    "iscsi-direct",
    "scsi",
    "mpath",
    "rbd",
    "sheepdog",
    "gluster",
    "zfs",
    "vstorage",
];

pub(super) const DIR: usize = 0;
const FS: usize = 1;
pub(super) const NETFS: usize = 2;
pub(super) const LOGICAL: usize = 3;
const DISK: usize = 4;
pub(super) const ISCSI: usize = 5;
const ISCSI_DIRECT: usize = 6;
pub(super) const SCSI: usize = 7;
pub(super) const MPATH: usize = 8;
const RBD: usize = 9;
pub(super) const SHEEPDOG: usize = 10;
pub(super) const GLUSTER: usize = 11;
const ZFS: usize = 12;
pub(super) const VSTORAGE: usize = 13;
/// The pool types whose sources clash when they share a device.
pub(super) const DEVICE_KINDS: &[usize] = &[ISCSI, FS, LOGICAL, DISK, ZFS];

// What a pool type's source needs (libvirt's VIR_STORAGE_POOL_SOURCE_*).
const HOST: u32 = 1 << 0;
const DEVICE: u32 = 1 << 1;
const SOURCE_DIR: u32 = 1 << 2;
const ADAPTER: u32 = 1 << 3;
const NAME: u32 = 1 << 4;
const INITIATOR_IQN: u32 = 1 << 5;
const NETWORK: u32 = 1 << 6;

const FS_FORMATS: &[&str] = &[
    "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat", "hfs+", "xfs",
    "ocfs2", "vmfs",
];
const NETFS_FORMATS: &[&str] = &["auto", "nfs", "glusterfs", "cifs"];
const DISK_FORMATS: &[&str] = &[
    "unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2",
];
const LOGICAL_FORMATS: &[&str] = &["unknown", "lvm2"];
/// virStorageFileFormat; "none" (0) is not a volume format one may ask for.
const FILE_FORMATS: &[&str] = &[
    "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
    "cow", "qcow", "qcow2", "qed", "vmdk",
];
const VOL_DISK_FORMATS: &[&str] = &[
    "none",
    "linux",
    "fat16",
    "fat32",
    "linux-swap",
    "linux-lvm",
    "linux-raid",
    "extended",
];
/// virStorageVolType.
const VOL_TYPES: &[&str] = &["file", "block", "dir", "network", "netdir", "ploop"];
const VOL_FEATURES: &[&str] = &["lazy_refcounts", "extended_l2"];
/// virStorageVolType values the test driver reports per pool type.
const VOL_FILE: i32 = 0;
const VOL_BLOCK: i32 = 1;
const VOL_NETWORK: i32 = 3;

/// A format list and its default (libvirt's pool or volume options of a pool type).
struct Formats {
    names: &'static [&'static str],
    default: usize,
    /// Whether the name at index 0 may be asked for (volumes: "none" may not).
    zero_allowed: bool,
}

/// libvirt's poolTypeInfo: the source flags, the pool formats, the volume formats.
fn pool_options(kind: usize) -> (u32, Option<Formats>) {
    let formats = |names, default| {
        Some(Formats {
            names,
            default,
            zero_allowed: true,
        })
    };
    match kind {
        LOGICAL => (NAME | DEVICE, formats(LOGICAL_FORMATS, 1)),
        FS => (DEVICE, formats(FS_FORMATS, 0)),
        NETFS => (HOST | SOURCE_DIR, formats(NETFS_FORMATS, 0)),
        ISCSI => (HOST | DEVICE | INITIATOR_IQN, None),
        ISCSI_DIRECT => (HOST | DEVICE | NETWORK | INITIATOR_IQN, None),
        SCSI => (ADAPTER, None),
        RBD | SHEEPDOG => (HOST | NETWORK | NAME, None),
        GLUSTER => (HOST | NETWORK | NAME | SOURCE_DIR, None),
        DISK => (DEVICE, formats(DISK_FORMATS, 0)),
        ZFS => (NAME | DEVICE, None),
        VSTORAGE => (NAME, None),
        _ => (0, None),
    }
}

fn volume_formats(kind: usize) -> Option<Formats> {
    let file = Formats {
        names: FILE_FORMATS,
        default: 1,
        zero_allowed: false,
    };
    match kind {
        DIR | FS | NETFS | GLUSTER | VSTORAGE | RBD => Some(file),
        DISK => Some(Formats {
            names: VOL_DISK_FORMATS,
            default: 0,
            zero_allowed: true,
        }),
        _ => None,
    }
}

/// The volume type the test driver reports for a volume of a pool of type `kind`.
pub fn volume_type_for_pool(kind: usize) -> i32 {
    match kind {
        DIR | FS | NETFS | VSTORAGE => VOL_FILE,
        SHEEPDOG | ISCSI_DIRECT | GLUSTER | RBD => VOL_NETWORK,
        _ => VOL_BLOCK,
    }
}

/// A directory or file's owner, group, mode and label; None is libvirt's -1 (unset).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Perms {
    mode: Option<u32>,
    owner: Option<u32>,
    group: Option<u32>,
    label: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Source {
    hosts: Vec<(String, i32)>,
    /// Each device's path and its part_separator ("yes"/"no").
    devices: Vec<(String, Option<&'static str>)>,
    pub dir: Option<String>,
    /// The SCSI host adapter's name.
    adapter: Option<String>,
    auth: Option<Auth>,
    pub name: Option<String>,
    iqn: Option<String>,
    format: usize,
    protocol_ver: u32,
    vendor: Option<String>,
    product: Option<String>,
}

/// A source's `<auth>`: its type (chap or ceph), user, and the secret by UUID or by usage.
#[derive(Clone, Debug, PartialEq)]
struct Auth {
    kind: &'static str,
    username: String,
    secret: Secret,
}

#[derive(Clone, Debug, PartialEq)]
enum Secret {
    Uuid([u8; 16]),
    Usage(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PoolDef {
    pub kind: usize,
    pub name: String,
    pub uuid: [u8; 16],
    pub capacity: u64,
    pub allocation: u64,
    pub available: u64,
    pub source: Source,
    pub target_path: Option<String>,
    perms: Perms,
    cow: Option<&'static str>,
    refresh_allocation: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq)]
struct Target {
    path: Option<String>,
    format: usize,
    perms: Perms,
    compat: Option<String>,
    /// None without a <features> element; else the features set, by index.
    features: Option<Vec<usize>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VolDef {
    pub name: String,
    pub key: Option<String>,
    kind: usize,
    pub capacity: u64,
    pub allocation: u64,
    target: Target,
    backing: Option<Target>,
}

impl VolDef {
    pub fn path(&self) -> Option<&str> {
        self.target.path.as_deref()
    }
    pub fn set_path(&mut self, path: String) {
        self.target.path = Some(path);
    }
}

fn storage_xml_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_STORAGE, info)
}

fn unsupported_config(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_STORAGE, info)
}

/// libvirt's virXMLParse of a string: well-formed, with the root element `root`.
pub fn parse_doc<'t>(text: &'t str, source: &str, root: &str) -> Result<roxmltree::Document<'t>> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| crate::domain::xml::not_well_formed(source, VIR_FROM_STORAGE, text, &e))?;
    let name = doc.root_element().tag_name().name();
    if name != root {
        return Err(Error::with(
            VIR_ERR_XML_ERROR,
            VIR_FROM_XML,
            format!("expecting root element of '{root}', not '{name}'"),
        ));
    }
    Ok(doc)
}

/// The node at `path` below `n` (the first match at each step).
fn at<'a, 'i>(n: Node<'a, 'i>, path: &[&str]) -> Option<Node<'a, 'i>> {
    path.iter().try_fold(n, |n, p| child(n, p))
}

/// XPath's string() of the node at `path`: None when absent or empty (virXPathString).
fn text_at(n: Node, path: &[&str]) -> Option<String> {
    let node = at(n, path)?;
    let s: String = node
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    (!s.is_empty()).then_some(s)
}

/// An attribute of the node at `path`, as virXPathString("string(PATH/@attr)") reads it.
fn attr_at(n: Node, path: &[&str], attr: &str) -> Option<String> {
    at(n, path)?
        .attribute(attr)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// libvirt's virXMLPropTristateBool: absent, "yes" or "no".
fn tristate(n: Node, attr: &str) -> Result<Option<&'static str>> {
    match n.attribute(attr) {
        None => Ok(None),
        Some("yes") => Ok(Some("yes")),
        Some("no") => Ok(Some("no")),
        Some(v) => Err(Error::with(
            VIR_ERR_XML_ERROR,
            VIR_FROM_XML,
            format!(
                "Invalid value for attribute '{attr}' in element '{}': '{v}'.",
                n.tag_name().name()
            ),
        )),
    }
}

/// libvirt's virFileSanitizePath: no doubled or trailing slashes (a leading `//` stays).
pub fn sanitize_path(path: &str) -> String {
    if let Some(scheme) = path.find("://") {
        if path.find('/').is_some_and(|slash| slash > scheme) {
            return path.to_string();
        }
    }
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    if rest.starts_with("//") && !rest.starts_with("///") {
        out.push_str("//");
        rest = &rest[2..];
    }
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '/' {
            out.push(c);
            continue;
        }
        while chars.peek() == Some(&'/') {
            chars.next();
        }
        if !out.is_empty() && chars.peek().is_none() {
            break;
        }
        out.push('/');
    }
    out
}

/// libvirt's virBufferEscapeString for attribute values and text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
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

fn format_index(formats: &Formats, name: &str) -> Option<usize> {
    let i = formats.names.iter().position(|f| *f == name)?;
    (i != 0 || formats.zero_allowed).then_some(i)
}

/// virStorageDefParsePerms: the `<permissions>` at `path`, or all unset.
fn parse_perms(n: Node, path: &[&str]) -> Result<Perms> {
    let Some(p) = at(n, path) else {
        return Ok(Perms::default());
    };
    let mut perms = Perms::default();
    if let Some(mode) = text_at(p, &["mode"]) {
        let m = parse_c_long(&mode, 8)
            .filter(|m| (0..=0o777).contains(m))
            .ok_or_else(|| storage_xml_error("malformed octal mode"))?;
        perms.mode = Some(m as u32);
    }
    let id = |what: &str| -> Result<Option<u32>> {
        let Some(node) = child(p, what) else {
            return Ok(None);
        };
        let s: String = node
            .descendants()
            .filter_map(|d| d.text().filter(|_| d.is_text()))
            .collect();
        match s.trim().parse::<f64>() {
            Ok(-1.0) => Ok(None),
            Ok(v) if v >= 0.0 && v <= u32::MAX as f64 && v.fract() == 0.0 => Ok(Some(v as u32)),
            _ => Err(storage_xml_error(format!("malformed {what} element"))),
        }
    };
    perms.owner = id("owner")?;
    perms.group = id("group")?;
    perms.label = text_at(p, &["label"]);
    Ok(perms)
}

/// strtol in `base` over the whole text (leading blanks and a sign allowed).
fn parse_c_long(s: &str, base: u32) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() {
        return None;
    }
    let v = i64::from_str_radix(digits, base).ok()?;
    Some(if neg { -v } else { v })
}

fn parse_source(n: Node, kind: usize, source: &mut Source) -> Result<()> {
    let (_, formats) = pool_options(kind);
    source.name = text_at(n, &["name"]);
    if kind == RBD && source.name.is_none() {
        return Err(storage_xml_error(
            "element 'name' is mandatory for RBD pool",
        ));
    }
    if let Some(formats) = formats {
        source.format = match attr_at(n, &["format"], "type") {
            None => formats.default,
            Some(f) => format_index(&formats, &f)
                .ok_or_else(|| unsupported_config(format!("unknown pool format type {f}")))?,
        };
    }
    for h in children(n, "host") {
        let name = h
            .attribute("name")
            .ok_or_else(|| storage_xml_error("missing storage pool host name"))?;
        let port = match h.attribute("port") {
            None => 0,
            Some(p) => p.parse::<i32>().map_err(|_| {
                Error::with(
                    VIR_ERR_XML_ERROR,
                    VIR_FROM_XML,
                    format!(
                        "Invalid value for attribute 'port' in element 'host': '{p}'. Expected integer value"
                    ),
                )
            })?,
        };
        source.hosts.push((name.to_string(), port));
    }
    source.iqn = attr_at(n, &["initiator", "iqn"], "name");
    for d in children(n, "device") {
        let path = d
            .attribute("path")
            .ok_or_else(|| storage_xml_error("missing storage pool source device path"))?;
        let sep = tristate(d, "part_separator")?;
        source.devices.push((path.to_string(), sep));
    }
    source.dir = attr_at(n, &["dir"], "path").map(|d| sanitize_path(&d));
    if source.dir.is_none() && kind == GLUSTER {
        source.dir = Some("/".into());
    }
    if let Some(a) = child(n, "adapter") {
        source.adapter = a.attribute("name").map(str::to_string);
    }
    if let Some(a) = child(n, "auth") {
        source.auth = Some(parse_auth(a)?);
    }
    if let Some(ver) = attr_at(n, &["protocol"], "ver") {
        // libvirt compares the format with the netfs formats whatever the pool type.
        if source.format > 1 {
            return Err(unsupported_config(format!(
                "storage pool protocol ver unsupported for pool type '{}'",
                NETFS_FORMATS.get(source.format).unwrap_or(&"")
            )));
        }
        source.protocol_ver = parse_c_long(&ver, 10)
            .filter(|v| (0..=u32::MAX as i64).contains(v))
            .ok_or_else(|| {
                storage_xml_error(format!("storage pool protocol ver '{ver}' is malformed"))
            })? as u32;
    }
    source.vendor = attr_at(n, &["vendor"], "name");
    source.product = attr_at(n, &["product"], "name");
    Ok(())
}

/// virStorageAuthDefParse and virSecretLookupParseSecret; a pool's auth needs a type.
fn parse_auth(a: Node) -> Result<Auth> {
    let username = a
        .attribute("username")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| storage_xml_error("missing username for auth"))?;
    let kind = match a.attribute("type").filter(|t| !t.is_empty()) {
        None | Some("none") => None,
        Some("chap") => Some("chap"),
        Some("ceph") => Some("ceph"),
        Some(t) => return Err(unsupported_config(format!("unknown auth type '{t}'"))),
    };
    let secret =
        child(a, "secret").ok_or_else(|| storage_xml_error("Missing <secret> element in auth"))?;
    let plain_xml_error = |info: String| Error::with(VIR_ERR_XML_ERROR, VIR_FROM_NONE, info);
    let secret = match (secret.attribute("uuid"), secret.attribute("usage")) {
        (None, None) => {
            return Err(plain_xml_error(
                "missing secret uuid or usage attribute".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(plain_xml_error(
                "either secret uuid or usage expected".into(),
            ))
        }
        (Some(u), None) => Secret::Uuid(
            uuid::parse(u).ok_or_else(|| plain_xml_error(format!("invalid secret uuid '{u}'")))?,
        ),
        (None, Some(usage)) => Secret::Usage(usage.to_string()),
    };
    let kind = kind.ok_or_else(|| unsupported_config("storage pool missing auth type"))?;
    Ok(Auth {
        kind,
        username: username.to_string(),
        secret,
    })
}

/// virStoragePoolDefParseString (the test driver's pools).
pub fn parse_pool(text: &str) -> Result<PoolDef> {
    let doc = parse_doc(text, "(storage_pool_definition)", "pool")?;
    parse_pool_element(doc.root_element())
}

/// virStoragePoolDefParseXML on a `<pool>` element.
pub fn parse_pool_element(n: Node) -> Result<PoolDef> {
    let kind = match n.attribute("type") {
        None => {
            return Err(Error::with(
                VIR_ERR_XML_ERROR,
                VIR_FROM_XML,
                "Missing required attribute 'type' in element 'pool'",
            ))
        }
        Some(t) => POOL_TYPES.iter().position(|p| *p == t).ok_or_else(|| {
            Error::with(
                VIR_ERR_XML_ERROR,
                VIR_FROM_XML,
                format!("Invalid value for attribute 'type' in element 'pool': '{t}'."),
            )
        })?,
    };
    let (flags, formats) = pool_options(kind);
    let mut source = Source::default();
    match child(n, "source") {
        Some(s) => parse_source(s, kind, &mut source)?,
        None => source.format = formats.map_or(0, |f| f.default),
    }
    let name = text_at(n, &["name"])
        .or_else(|| (flags & NAME != 0).then(|| source.name.clone()).flatten())
        .ok_or_else(|| storage_xml_error("missing pool source name element"))?;
    if name.contains('/') {
        return Err(storage_xml_error(format!("name {name} cannot contain '/'")));
    }
    let uuid = match text_at(n, &["uuid"]) {
        None => uuid::generate(),
        Some(u) => uuid::parse(&u).ok_or_else(|| storage_xml_error("malformed uuid element"))?,
    };
    let cow = match at(n, &["features", "cow"]) {
        Some(c) => tristate(c, "state")?,
        None => None,
    };
    if cow.is_some() && kind != FS && kind != DIR {
        return Err(Error::with(
            VIR_ERR_NO_SUPPORT,
            VIR_FROM_STORAGE,
            "cow feature may only be used for 'fs' and 'dir' pools",
        ));
    }
    if flags & HOST != 0 && source.hosts.is_empty() {
        return Err(storage_xml_error("missing storage pool source host name"));
    }
    if flags & SOURCE_DIR != 0 && source.dir.is_none() {
        return Err(storage_xml_error("missing storage pool source path"));
    }
    if flags & NAME != 0 && source.name.is_none() {
        source.name = Some(name.clone());
    }
    if flags & ADAPTER != 0 && source.adapter.is_none() {
        return Err(storage_xml_error("missing storage pool source adapter"));
    }
    if flags == DEVICE && source.devices.is_empty() {
        return Err(storage_xml_error("missing storage pool source device name"));
    }
    let (target_path, perms) = if flags & NETWORK == 0 {
        let source_name = source.name.clone().unwrap_or_else(|| "(null)".into());
        let path = match kind {
            LOGICAL => format!("/dev/{source_name}"),
            ZFS => format!("/dev/zvol/{source_name}"),
            _ => text_at(n, &["target", "path"])
                .ok_or_else(|| storage_xml_error("missing storage pool target path"))?,
        };
        (
            Some(sanitize_path(&path)),
            parse_perms(n, &["target", "permissions"])?,
        )
    } else {
        (None, Perms::default())
    };
    if kind == ISCSI_DIRECT && source.iqn.is_none() {
        return Err(unsupported_config("missing initiator IQN"));
    }
    let refresh_allocation = match attr_at(n, &["refresh", "volume"], "allocation") {
        None => None,
        Some(a) => Some(match a.as_str() {
            "default" => "default",
            "capacity" => "capacity",
            _ => {
                return Err(unsupported_config(format!(
                    "unknown storage pool volume refresh allocation type {a}"
                )))
            }
        }),
    };
    Ok(PoolDef {
        kind,
        name,
        uuid,
        capacity: 0,
        allocation: 0,
        available: 0,
        source,
        target_path,
        perms,
        cow,
        refresh_allocation,
    })
}

/// virStoragePoolDefParseSourceString (virConnectFindStoragePoolSources' specification).
pub fn parse_source_spec(text: &str, kind: Option<usize>) -> Result<Source> {
    let doc = parse_doc(text, "(storage_source_specification)", "source")?;
    let Some(kind) = kind else {
        return Err(Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_STORAGE,
            "missing backend for pool type -1",
        ));
    };
    let mut source = Source::default();
    parse_source(doc.root_element(), kind, &mut source)?;
    Ok(source)
}

impl Source {
    pub fn first_host(&self) -> Option<&str> {
        self.hosts.first().map(|h| h.0.as_str())
    }

    /// virStoragePoolSourceMatchSingleHost: `self` is the existing pool's source.
    pub fn matches_single_host(&self, new: &Source) -> bool {
        if self.hosts.len() != 1 && new.hosts.len() != 1 {
            return false;
        }
        match (self.hosts.first(), new.hosts.first()) {
            (Some(a), Some(b)) => (b.1 == 0 || a.1 == b.1) && a.0 == b.0,
            _ => false,
        }
    }

    /// Whether the two sources name one device in common.
    pub fn shares_device(&self, other: &Source) -> bool {
        self.devices
            .iter()
            .any(|(a, _)| other.devices.iter().any(|(b, _)| a == b))
    }

    pub fn same_initiator(&self, other: &Source) -> bool {
        self.iqn == other.iqn
    }

    pub fn same_adapter(&self, other: &Source) -> bool {
        self.adapter.is_some() && self.adapter == other.adapter
    }
}

fn line(out: &mut String, indent: usize, text: &str) {
    let _ = writeln!(out, "{:indent$}{text}", "");
}

fn format_perms(out: &mut String, indent: usize, p: &Perms) {
    if *p == Perms::default() {
        return;
    }
    line(out, indent, "<permissions>");
    if let Some(m) = p.mode {
        line(out, indent + 2, &format!("<mode>0{m:o}</mode>"));
    }
    if let Some(o) = p.owner {
        line(out, indent + 2, &format!("<owner>{}</owner>", o as i32));
    }
    if let Some(g) = p.group {
        line(out, indent + 2, &format!("<group>{}</group>", g as i32));
    }
    if let Some(l) = &p.label {
        line(out, indent + 2, &format!("<label>{}</label>", esc(l)));
    }
    line(out, indent, "</permissions>");
}

fn format_source(out: &mut String, kind: usize, s: &Source) {
    let (flags, formats) = pool_options(kind);
    line(out, 2, "<source>");
    if flags & HOST != 0 {
        for (name, port) in &s.hosts {
            let port = if *port != 0 {
                format!(" port='{port}'")
            } else {
                String::new()
            };
            line(out, 4, &format!("<host name='{}'{port}/>", esc(name)));
        }
    }
    if flags & DEVICE != 0 {
        for (path, sep) in &s.devices {
            let sep = sep.map_or(String::new(), |v| format!(" part_separator='{v}'"));
            line(out, 4, &format!("<device path='{}'{sep}/>", esc(path)));
        }
    }
    if let (true, Some(dir)) = (flags & SOURCE_DIR != 0, &s.dir) {
        line(out, 4, &format!("<dir path='{}'/>", esc(dir)));
    }
    if let (true, Some(a)) = (flags & ADAPTER != 0, &s.adapter) {
        line(
            out,
            4,
            &format!("<adapter type='scsi_host' name='{}'/>", esc(a)),
        );
    }
    if let (true, Some(name)) = (flags & NAME != 0, &s.name) {
        line(out, 4, &format!("<name>{}</name>", esc(name)));
    }
    if let (true, Some(iqn)) = (flags & INITIATOR_IQN != 0, &s.iqn) {
        line(out, 4, "<initiator>");
        line(out, 6, &format!("<iqn name='{}'/>", esc(iqn)));
        line(out, 4, "</initiator>");
    }
    if let Some(f) = formats {
        line(out, 4, &format!("<format type='{}'/>", f.names[s.format]));
    }
    if let Some(a) = &s.auth {
        line(
            out,
            4,
            &format!("<auth type='{}' username='{}'>", a.kind, esc(&a.username)),
        );
        let secret = match &a.secret {
            Secret::Uuid(u) => format!("uuid='{}'", uuid::format(u)),
            Secret::Usage(u) => format!("usage='{}'", esc(u)),
        };
        line(out, 6, &format!("<secret {secret}/>"));
        line(out, 4, "</auth>");
    }
    if s.protocol_ver != 0 {
        line(out, 4, &format!("<protocol ver='{}'/>", s.protocol_ver));
    }
    if let Some(v) = &s.vendor {
        line(out, 4, &format!("<vendor name='{}'/>", esc(v)));
    }
    if let Some(p) = &s.product {
        line(out, 4, &format!("<product name='{}'/>", esc(p)));
    }
    line(out, 2, "</source>");
}

/// virStoragePoolDefFormat.
pub fn format_pool(def: &PoolDef) -> String {
    let mut out = format!("<pool type='{}'>\n", POOL_TYPES[def.kind]);
    line(&mut out, 2, &format!("<name>{}</name>", esc(&def.name)));
    line(
        &mut out,
        2,
        &format!("<uuid>{}</uuid>", uuid::format(&def.uuid)),
    );
    for (what, n) in [
        ("capacity", def.capacity),
        ("allocation", def.allocation),
        ("available", def.available),
    ] {
        line(&mut out, 2, &format!("<{what} unit='bytes'>{n}</{what}>"));
    }
    if let Some(cow) = def.cow {
        line(&mut out, 2, "<features>");
        line(&mut out, 4, &format!("<cow state='{cow}'/>"));
        line(&mut out, 2, "</features>");
    }
    format_source(&mut out, def.kind, &def.source);
    if !matches!(def.kind, RBD | SHEEPDOG | GLUSTER | ISCSI_DIRECT) {
        line(&mut out, 2, "<target>");
        if let Some(p) = &def.target_path {
            line(&mut out, 4, &format!("<path>{}</path>", esc(p)));
        }
        format_perms(&mut out, 4, &def.perms);
        line(&mut out, 2, "</target>");
    }
    if let Some(a) = def.refresh_allocation {
        line(&mut out, 2, "<refresh>");
        line(&mut out, 4, &format!("<volume allocation='{a}'/>"));
        line(&mut out, 2, "</refresh>");
    }
    out.push_str("</pool>\n");
    out
}

/// libvirt's virScaleInteger with scale 1 and limit LLONG_MAX.
fn scale(value: u64, unit: Option<&str>) -> Result<u64> {
    let unit = unit.unwrap_or("");
    let factor: u64 = if unit.is_empty() {
        1
    } else {
        let lower = unit.to_ascii_lowercase();
        if lower == "b" || lower == "byte" || lower == "bytes" {
            1
        } else {
            let bad = || {
                Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_NONE,
                    format!("unknown suffix '{unit}'"),
                )
            };
            let exponent = "kmgtpe"
                .find(lower.chars().next().unwrap_or(' '))
                .ok_or_else(bad)? as u32
                + 1;
            let base: u64 = match &lower[1..] {
                "" | "ib" => 1024,
                "b" => 1000,
                _ => return Err(bad()),
            };
            base.pow(exponent)
        }
    };
    let limit = i64::MAX as u64;
    if value > limit / factor {
        return Err(Error::with(
            VIR_ERR_OVERFLOW,
            VIR_FROM_NONE,
            format!("value too large: {value}{unit}"),
        ));
    }
    Ok(value * factor)
}

/// virStorageSize: a decimal size and its unit.
fn size(text: &str, unit: Option<&str>) -> Result<u64> {
    let t = text.trim_start();
    let n = t
        .strip_prefix('+')
        .unwrap_or(t)
        .parse::<u64>()
        .ok()
        .filter(|_| !t.starts_with('-'))
        .ok_or_else(|| storage_xml_error("malformed capacity element"))?;
    scale(n, unit)
}

fn parse_target(n: Node, formats: &Option<Formats>, perms_path: &[&str]) -> Result<Target> {
    let format = match formats {
        None => 0,
        Some(f) => match attr_at(n, &[perms_path[0], "format"], "type") {
            None => f.default,
            Some(name) => format_index(f, &name)
                .ok_or_else(|| unsupported_config(format!("unknown volume format type {name}")))?,
        },
    };
    Ok(Target {
        path: text_at(n, &[perms_path[0], "path"]),
        format,
        perms: parse_perms(n, perms_path)?,
        compat: None,
        features: None,
    })
}

/// virStorageVolDefParseString for a volume of a pool of type `pool_kind`.
pub fn parse_volume(pool_kind: usize, text: &str) -> Result<VolDef> {
    let doc = parse_doc(text, "(storage_volume_definition)", "volume")?;
    parse_volume_element(pool_kind, doc.root_element())
}

/// virStorageVolDefParseXML on a `<volume>` element.
pub fn parse_volume_element(pool_kind: usize, n: Node) -> Result<VolDef> {
    let formats = volume_formats(pool_kind);
    let name =
        text_at(n, &["name"]).ok_or_else(|| storage_xml_error("missing volume name element"))?;
    let key = text_at(n, &["key"]);
    let kind = match n.attribute("type").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => VOL_TYPES
            .iter()
            .position(|v| *v == t)
            .ok_or_else(|| unsupported_config(format!("unknown volume type '{t}'")))?,
    };
    let backing = match text_at(n, &["backingStore", "path"]) {
        None => None,
        Some(_) => Some(parse_target(n, &formats, &["backingStore", "permissions"])?),
    };
    let capacity = match text_at(n, &["capacity"]) {
        Some(c) => size(&c, attr_at(n, &["capacity"], "unit").as_deref())?,
        None => return Err(storage_xml_error("missing capacity element")),
    };
    let allocation = match text_at(n, &["allocation"]) {
        Some(a) => size(&a, attr_at(n, &["allocation"], "unit").as_deref())?,
        None => capacity,
    };
    let mut target = parse_target(n, &formats, &["target", "permissions"])?;
    target.compat = text_at(n, &["target", "compat"]);
    if let Some(c) = &target.compat {
        let mut parts = c.splitn(2, '.');
        let ok = parts.next().is_some_and(|a| a.parse::<u32>().is_ok())
            && parts.next().is_some_and(|b| b.parse::<u32>().is_ok());
        if !ok {
            return Err(storage_xml_error(
                "forbidden characters in 'compat' attribute",
            ));
        }
    }
    if let Some(features) = at(n, &["target", "features"]) {
        target.compat.get_or_insert_with(|| "1.1".into());
        let mut set = Vec::new();
        for f in features.children().filter(|c| c.is_element()) {
            let name = f.tag_name().name();
            let i = VOL_FEATURES
                .iter()
                .position(|v| *v == name)
                .ok_or_else(|| unsupported_config(format!("unsupported feature {name}")))?;
            if !set.contains(&i) {
                set.push(i);
            }
        }
        set.sort_unstable();
        target.features = Some(set);
    }
    Ok(VolDef {
        name,
        key,
        kind,
        capacity,
        allocation,
        target,
        backing,
    })
}

fn format_target(out: &mut String, formats: &Option<Formats>, t: &Target, element: &str) {
    line(out, 2, &format!("<{element}>"));
    if let Some(p) = &t.path {
        line(out, 4, &format!("<path>{}</path>", esc(p)));
    }
    if let Some(f) = formats {
        line(out, 4, &format!("<format type='{}'/>", f.names[t.format]));
    }
    format_perms(out, 4, &t.perms);
    if let Some(c) = &t.compat {
        line(out, 4, &format!("<compat>{}</compat>", esc(c)));
    }
    match &t.features {
        Some(set) if set.is_empty() => line(out, 4, "<features/>"),
        Some(set) => {
            line(out, 4, "<features>");
            for f in set {
                line(out, 6, &format!("<{}/>", VOL_FEATURES[*f]));
            }
            line(out, 4, "</features>");
        }
        None => {}
    }
    line(out, 2, &format!("</{element}>"));
}

/// virStorageVolDefFormat for a volume of a pool of type `pool_kind`.
pub fn format_volume(pool_kind: usize, v: &VolDef) -> String {
    let formats = volume_formats(pool_kind);
    let mut out = format!("<volume type='{}'>\n", VOL_TYPES[v.kind]);
    line(&mut out, 2, &format!("<name>{}</name>", esc(&v.name)));
    if let Some(k) = &v.key {
        line(&mut out, 2, &format!("<key>{}</key>", esc(k)));
    }
    line(
        &mut out,
        2,
        &format!("<capacity unit='bytes'>{}</capacity>", v.capacity),
    );
    line(
        &mut out,
        2,
        &format!("<allocation unit='bytes'>{}</allocation>", v.allocation),
    );
    format_target(&mut out, &formats, &v.target, "target");
    if let Some(b) = &v.backing {
        format_target(&mut out, &formats, b, "backingStore");
    }
    out.push_str("</volume>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_sanitized_as_libvirt_does() {
        assert_eq!(sanitize_path("/mnt//n/"), "/mnt/n");
        assert_eq!(sanitize_path("//a"), "//a");
        assert_eq!(sanitize_path("///a//b"), "/a/b");
        assert_eq!(sanitize_path("/"), "/");
    }

    #[test]
    fn sizes_scale_by_unit() {
        assert_eq!(scale(10, Some("M")).unwrap(), 10 << 20);
        assert_eq!(scale(1, Some("KB")).unwrap(), 1000);
        assert_eq!(scale(1, Some("GiB")).unwrap(), 1 << 30);
        assert!(scale(1, Some("Q")).is_err());
        assert!(scale(u64::MAX / 2, Some("k")).is_err());
    }
}
