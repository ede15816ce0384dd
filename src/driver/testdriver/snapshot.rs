//! The test driver's domain snapshots, as libvirt 9.0's test driver keeps them
//! (src/test/test_driver.c testDomainSnapshot*, src/conf/snapshot_conf.c): definitions parsed
//! and formatted as the reference's, the tree of moments.rs, reverts that move the domain between
//! states with the reference's events (and its quirks), deletes that relink children.

use super::moments::{self, child_text, escape, indent, Listing, MomentDef, MomentDomain};
use super::{check_flags, State, TestDriver};
use crate::api::{
    DomainEventStartedDetailType, DomainEventStoppedDetailType, DomainEventSuspendedDetailType,
    DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainSnapshotCreateFlags,
    DomainSnapshotDeleteFlags, DomainSnapshotListFlags, DomainSnapshotRevertFlags,
    DomainSnapshotXMLFlags, DomainState, NoFlags,
};
use crate::domain::StateReason;
use crate::domain::{self, DomainDef, DomainRef};
use crate::driver::family::Stopped;
use crate::driver::{DomainSnapshotDriver, MomentNames, SnapshotRef, XmlFlags};
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG,
    VIR_ERR_NO_DOMAIN_SNAPSHOT, VIR_ERR_OPERATION_INVALID, VIR_ERR_OPERATION_UNSUPPORTED,
    VIR_ERR_SNAPSHOT_REVERT_RISKY, VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN_SNAPSHOT, VIR_FROM_TEST,
    VIR_FROM_XML,
};
use crate::event::Lifecycle;

const CREATE_FLAGS: DomainSnapshotCreateFlags = DomainSnapshotCreateFlags::REDEFINE
    .union(DomainSnapshotCreateFlags::CURRENT)
    .union(DomainSnapshotCreateFlags::HALT)
    .union(DomainSnapshotCreateFlags::QUIESCE)
    .union(DomainSnapshotCreateFlags::ATOMIC)
    .union(DomainSnapshotCreateFlags::LIVE)
    .union(DomainSnapshotCreateFlags::VALIDATE);
/// ROOTS (from a domain) or DESCENDANTS (from a snapshot), TOPOLOGICAL and every filter.
const LIST_FLAGS: DomainSnapshotListFlags = DomainSnapshotListFlags::all();
const REVERT_FLAGS: DomainSnapshotRevertFlags = DomainSnapshotRevertFlags::RUNNING
    .union(DomainSnapshotRevertFlags::PAUSED)
    .union(DomainSnapshotRevertFlags::FORCE);
const DELETE_FLAGS: DomainSnapshotDeleteFlags =
    DomainSnapshotDeleteFlags::CHILDREN.union(DomainSnapshotDeleteFlags::CHILDREN_ONLY);

/// virDomainSnapshotLocation, as its XML names them (index = value).
const LOCATIONS: [&str; 5] = ["default", "no", "internal", "external", "manual"];
const LOC_DEFAULT: u8 = 0;
const LOC_NO: u8 = 1;
const LOC_INTERNAL: u8 = 2;
const LOC_EXTERNAL: u8 = 3;
const LOC_MANUAL: u8 = 4;

/// virDomainSnapshotState: virDomainState plus disk-snapshot.
const STATES: [&str; 9] = [
    "nostate",
    "running",
    "blocked",
    "paused",
    "shutdown",
    "shutoff",
    "crashed",
    "pmsuspended",
    "disk-snapshot",
];
const STATE_DISK_SNAPSHOT: i32 = 8;
/// virStorageFileFormat's names (index = value; 0 "none" is refused).
const FORMATS: [&str; 17] = [
    "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
    "cow", "qcow", "qcow2", "qed", "vmdk",
];
/// virStorageType's names a snapshot disk may have.
const DISK_TYPES: [&str; 7] = [
    "file",
    "block",
    "dir",
    "network",
    "volume",
    "nvme",
    "vhostuser",
];

#[derive(Clone, Debug, Default)]
struct SnapDisk {
    name: String,
    snapshot: u8,
    disk_type: String,
    path: Option<String>,
    format: Option<String>,
}

/// One snapshot's definition (virDomainSnapshotDef).
#[derive(Clone, Debug, Default)]
pub(super) struct SnapshotDef {
    name: String,
    description: Option<String>,
    parent: Option<String>,
    creation_time: i64,
    state: i32,
    memory: u8,
    memory_file: Option<String>,
    disks: Vec<SnapDisk>,
    /// The domain as it was, and its disks as (target, source).
    dom: Option<MomentDomain>,
}

impl MomentDef for SnapshotDef {
    fn name(&self) -> &str {
        &self.name
    }
    fn parent_name(&self) -> Option<&str> {
        self.parent.as_deref()
    }
    fn set_parent_name(&mut self, parent: Option<String>) {
        self.parent = parent;
    }
}

impl SnapshotDef {
    fn online(&self) -> bool {
        self.state == DomainState::Running as i32 || self.state == DomainState::Paused as i32
    }
    fn is_external(&self) -> bool {
        self.memory == LOC_EXTERNAL || self.disks.iter().any(|d| d.snapshot == LOC_EXTERNAL)
    }
}

fn snap_error(code: i32, text: impl AsRef<str>) -> Error {
    Error::with(code, VIR_FROM_DOMAIN_SNAPSHOT, text)
}

/// The test driver's own "not found" (its error domain, not the snapshot family's).
fn no_snapshot(name: &str) -> Error {
    test_error(
        VIR_ERR_NO_DOMAIN_SNAPSHOT,
        format!("no domain snapshot with matching name '{name}'"),
    )
}

fn test_error(code: i32, text: impl AsRef<str>) -> Error {
    Error::with(code, VIR_FROM_TEST, text)
}

// ---- parsing (virDomainSnapshotDefParseString) -------------------------------------------------

/// An enumerated attribute: its index in `names`, `default` when absent; "default" (0) and
/// unknown values refused as the reference's virXMLPropEnum refuses them (from its XML module).
fn enum_attr(node: roxmltree::Node, attr: &str, names: &[&str], default: u8) -> Result<u8> {
    let Some(v) = node.attribute(attr) else {
        return Ok(default);
    };
    match names.iter().position(|n| *n == v) {
        Some(i) if i > 0 => Ok(i as u8),
        _ => Err(Error::with(
            VIR_ERR_XML_ERROR,
            VIR_FROM_XML,
            format!(
                "Invalid value for attribute '{attr}' in element '{}': '{v}'.",
                node.tag_name().name()
            ),
        )),
    }
}

/// virXMLParse's check of the root element.
pub(super) fn check_root(root: roxmltree::Node, expected: &str) -> Result<()> {
    let name = root.tag_name().name();
    match name == expected {
        true => Ok(()),
        false => Err(Error::with(
            VIR_ERR_XML_ERROR,
            VIR_FROM_XML,
            format!("expecting root element of '{expected}', not '{name}'"),
        )),
    }
}

fn parse_disk(node: roxmltree::Node) -> Result<SnapDisk> {
    let Some(name) = node.attribute("name") else {
        return Err(snap_error(
            VIR_ERR_INTERNAL_ERROR,
            "missing name from disk snapshot element",
        ));
    };
    let mut snapshot = enum_attr(node, "snapshot", &LOCATIONS, LOC_DEFAULT)?;
    let disk_type = match node.attribute("type") {
        None => "file".to_string(),
        Some(t) if DISK_TYPES.contains(&t) => t.to_string(),
        Some(t) => {
            return Err(snap_error(
                VIR_ERR_XML_ERROR,
                format!("Invalid value for attribute 'type' in element 'disk': '{t}'."),
            ))
        }
    };
    if disk_type == "volume" || disk_type == "dir" {
        return Err(snap_error(
            VIR_ERR_XML_ERROR,
            format!("unsupported disk snapshot type '{disk_type}'"),
        ));
    }
    let element = |tag: &str| {
        node.children()
            .find(|c| c.is_element() && c.has_tag_name(tag))
    };
    let path = element("source").and_then(|s| {
        let attr = if disk_type == "block" { "dev" } else { "file" };
        s.attribute(attr)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
    });
    let format = match element("driver").and_then(|d| d.attribute("type")) {
        Some(f) if FORMATS.iter().skip(1).any(|n| *n == f) => Some(f.to_string()),
        Some(f) if !f.is_empty() => {
            return Err(snap_error(
                VIR_ERR_CONFIG_UNSUPPORTED,
                format!("unknown disk snapshot driver '{f}'"),
            ))
        }
        _ => None,
    };
    if let Some(p) = &path {
        if disk_type != "network" && !p.starts_with('/') {
            return Err(snap_error(
                VIR_ERR_XML_ERROR,
                format!("disk snapshot image path '{p}' must be absolute"),
            ));
        }
    }
    if snapshot == LOC_DEFAULT && (path.is_some() || format.is_some()) {
        snapshot = LOC_EXTERNAL;
    }
    Ok(SnapDisk {
        name: name.to_string(),
        snapshot,
        disk_type,
        path,
        format,
    })
}

/// The redefinition-only parts: creation time, parent, state and the domain.
fn parse_redefined(root: roxmltree::Node, def: &mut SnapshotDef) -> Result<()> {
    def.creation_time = child_text(root, "creationTime")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| {
            snap_error(
                VIR_ERR_INTERNAL_ERROR,
                "missing creationTime from existing snapshot",
            )
        })?;
    def.parent = root
        .children()
        .find(|c| c.is_element() && c.has_tag_name("parent"))
        .and_then(|p| child_text(p, "name"));
    let Some(state) = child_text(root, "state") else {
        return Err(snap_error(
            VIR_ERR_XML_ERROR,
            "missing state from existing snapshot",
        ));
    };
    def.state = match STATES.iter().position(|s| *s == state) {
        Some(i) if i > 0 => i as i32,
        _ => {
            return Err(snap_error(
                VIR_ERR_CONFIG_UNSUPPORTED,
                format!("Invalid state '{state}' in domain snapshot XML"),
            ))
        }
    };
    let dom = root
        .children()
        .find(|c| c.is_element() && c.has_tag_name("domain"));
    if let Some(d) = dom.filter(|d| d.attribute("type").is_some()) {
        def.dom = Some(MomentDomain::parsed(domain::xml::parse_element(d)?));
    }
    Ok(())
}

fn parse_memory(root: roxmltree::Node, def: &mut SnapshotDef, redefine: bool) -> Result<()> {
    let offline = redefine && !def.online();
    if let Some(m) = root
        .children()
        .find(|c| c.is_element() && c.has_tag_name("memory"))
    {
        def.memory_file = m.attribute("file").map(str::to_string);
        def.memory = enum_attr(m, "snapshot", &LOCATIONS, LOC_DEFAULT)?;
        if def.memory == LOC_MANUAL {
            return Err(snap_error(
                VIR_ERR_XML_ERROR,
                "'manual' memory snapshot mode not supported",
            ));
        }
    }
    if def.memory == LOC_DEFAULT {
        if def.memory_file.is_some() {
            def.memory = LOC_EXTERNAL;
        } else if redefine {
            def.memory = if offline { LOC_NO } else { LOC_INTERNAL };
        }
    }
    match (&def.memory_file, def.memory == LOC_EXTERNAL) {
        (Some(f), false) => Err(snap_error(
            VIR_ERR_XML_ERROR,
            format!("memory filename '{f}' requires external snapshot"),
        )),
        (None, true) => Err(snap_error(
            VIR_ERR_XML_ERROR,
            "external memory snapshots require a filename",
        )),
        _ if offline && def.memory != LOC_DEFAULT && def.memory != LOC_NO => Err(snap_error(
            VIR_ERR_XML_ERROR,
            "memory state cannot be saved with offline or disk-only snapshot",
        )),
        (Some(f), true) if !f.starts_with('/') => Err(snap_error(
            VIR_ERR_XML_ERROR,
            format!("memory snapshot file path ({f}) must be absolute"),
        )),
        _ => Ok(()),
    }
}

fn parse(xml: &str, redefine: bool) -> Result<SnapshotDef> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        domain::xml::not_well_formed("(domain_snapshot)", VIR_FROM_DOMAIN_SNAPSHOT, xml, &e)
    })?;
    let root = doc.root_element();
    check_root(root, "domainsnapshot")?;
    parse_root(root, redefine)
}

/// A snapshot a node file defines in its domain (`<test:domainsnapshot>`, inline or from the file
/// its `file` names): a redefinition with an `<active>` saying whether it is current.
pub(super) fn parse_node_file_snapshot(root: roxmltree::Node) -> Result<NodeSnapshot> {
    if root.tag_name().name() != "domainsnapshot" {
        return Err(snap_error(VIR_ERR_XML_ERROR, "domainsnapshot"));
    }
    let def = parse_root(root, true)?;
    let active: i32 = child_text(root, "active")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| snap_error(VIR_ERR_INTERNAL_ERROR, "Could not find 'active' element"))?;
    Ok(NodeSnapshot {
        def,
        current: active != 0,
    })
}

/// A snapshot of a node file's domain.
pub(super) struct NodeSnapshot {
    def: SnapshotDef,
    current: bool,
}

/// testParseDomainSnapshots: a node file's snapshots of domain `d`, with their current one and
/// their tree.
pub(super) fn load_node_file_snapshots(
    dom: &mut super::Dom,
    snapshots: Vec<NodeSnapshot>,
) -> Result<()> {
    let tree = &mut dom.moments.snapshots;
    let mut order = Vec::new();
    for s in snapshots {
        let name = s.def.name.clone();
        tree.assign(s.def)?;
        if s.current {
            if tree.current().is_some() {
                return Err(Error::internal(
                    VIR_FROM_TEST,
                    "more than one snapshot claims to be active",
                ));
            }
            tree.set_current(Some(&name));
        }
        order.push(name);
    }
    match tree.update_relations(&order) {
        true => Ok(()),
        false => Err(Error::internal(
            VIR_FROM_TEST,
            format!(
                "Snapshots have inconsistent relations for domain {}",
                dom.def.name
            ),
        )),
    }
}

/// The definition below the root element.
fn parse_root(root: roxmltree::Node, redefine: bool) -> Result<SnapshotDef> {
    let mut def = SnapshotDef {
        description: child_text(root, "description"),
        ..Default::default()
    };
    let name = child_text(root, "name");
    if redefine {
        def.name = name.ok_or_else(|| {
            snap_error(VIR_ERR_XML_ERROR, "a redefined snapshot must have a name")
        })?;
        parse_redefined(root, &mut def)?;
    } else {
        def.creation_time = moments::now();
        def.name = name.unwrap_or_else(|| def.creation_time.to_string());
    }
    parse_memory(root, &mut def, redefine)?;
    if let Some(disks) = root
        .children()
        .find(|c| c.is_element() && c.has_tag_name("disks"))
    {
        for d in disks.children().filter(|c| c.is_element()) {
            def.disks.push(parse_disk(d)?);
        }
    }
    Ok(def)
}

// ---- disk alignment (virDomainSnapshotAlignDisks) ----------------------------------------------

/// Which of the domain's disks `name` designates: by target, or by an unambiguous source path.
fn disk_index(disks: &[(String, String)], name: &str) -> Option<usize> {
    if !name.starts_with('/') {
        return disks.iter().position(|(t, _)| t == name);
    }
    let mut found = disks.iter().enumerate().filter(|(_, (_, s))| s == name);
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

fn unsupported(text: impl AsRef<str>) -> Error {
    snap_error(VIR_ERR_CONFIG_UNSUPPORTED, text)
}

/// One entry per disk of the domain, in its order: the requested ones checked and named by
/// target, the others with the default location.
fn align_disks(def: &mut SnapshotDef, default: u8, require_match: bool) -> Result<()> {
    let Some(MomentDomain {
        disks: dom_disks, ..
    }) = &def.dom
    else {
        return Err(snap_error(
            VIR_ERR_INTERNAL_ERROR,
            "missing domain in snapshot",
        ));
    };
    let dom_disks = dom_disks.clone();
    if def.disks.len() > dom_disks.len() {
        return Err(unsupported("too many disk snapshot requests for domain"));
    }
    if dom_disks.is_empty() {
        return Ok(());
    }
    let mut aligned: Vec<Option<SnapDisk>> = vec![None; dom_disks.len()];
    for mut d in std::mem::take(&mut def.disks) {
        let Some(i) = disk_index(&dom_disks, &d.name) else {
            return Err(unsupported(format!("no disk named '{}'", d.name)));
        };
        if aligned[i].is_some() {
            return Err(unsupported(format!("disk '{}' specified twice", d.name)));
        }
        if d.snapshot == LOC_DEFAULT {
            d.snapshot = default;
        } else if require_match && d.snapshot != default && d.snapshot != LOC_NO {
            return Err(unsupported(format!(
                "disk '{}' must use snapshot mode '{}'",
                d.name, LOCATIONS[default as usize]
            )));
        }
        if let Some(p) = d.path.as_ref().filter(|_| d.snapshot != LOC_EXTERNAL) {
            return Err(unsupported(format!(
                "file '{p}' for disk '{}' requires use of external snapshot mode",
                d.name
            )));
        }
        d.name = dom_disks[i].0.clone();
        aligned[i] = Some(d);
    }
    def.disks = aligned
        .into_iter()
        .zip(&dom_disks)
        .map(|(d, (target, source))| {
            d.unwrap_or_else(|| SnapDisk {
                name: target.clone(),
                snapshot: if source.is_empty() { LOC_NO } else { default },
                disk_type: "file".into(),
                ..Default::default()
            })
        })
        .collect();
    assign_external_names(def, &dom_disks)
}

/// virDomainSnapshotDefAssignExternalNames: an external disk without a file gets its source's
/// name with the snapshot's, which needs the source to be a regular file.
fn assign_external_names(def: &mut SnapshotDef, dom_disks: &[(String, String)]) -> Result<()> {
    for (i, (_, source)) in dom_disks.iter().enumerate().take(def.disks.len()) {
        let d = &def.disks[i];
        if d.snapshot != LOC_EXTERNAL || d.path.is_some() {
            continue;
        }
        if d.disk_type != "file" {
            return Err(unsupported(format!(
                "cannot generate external snapshot name for disk '{}' on a '{}' device",
                d.name, d.disk_type
            )));
        }
        if source.is_empty() {
            return Err(unsupported(format!(
                "cannot generate external snapshot name for disk '{}' without source",
                d.name
            )));
        }
        if !std::fs::metadata(source).is_ok_and(|m| m.is_file()) {
            return Err(unsupported(format!(
                "source for disk '{}' is not a regular file; refusing to generate external snapshot name",
                d.name
            )));
        }
        let stem = match source.rfind('.') {
            Some(dot) if !source[dot..].contains('/') => &source[..dot],
            _ => source.as_str(),
        };
        let path = format!("{stem}.{}", def.name);
        if let Some(j) = def.disks[..i]
            .iter()
            .position(|o| o.path.as_deref() == Some(path.as_str()))
        {
            return Err(unsupported(format!(
                "cannot generate external snapshot name for disk '{}': collision with disk '{}'",
                def.disks[i].name, def.disks[j].name
            )));
        }
        def.disks[i].path = Some(path);
    }
    Ok(())
}

/// testDomainSnapshotAlignDisks: the snapshot takes the domain's state, and its memory where
/// the domain runs.
fn align_new(def: &mut SnapshotDef, state: i32) -> Result<()> {
    def.state = state;
    if def.memory == LOC_EXTERNAL {
        return align_disks(def, LOC_EXTERNAL, false);
    }
    def.memory = if state == DomainState::Shutoff as i32 {
        LOC_NO
    } else {
        LOC_INTERNAL
    };
    align_disks(def, LOC_INTERNAL, true)
}

// ---- formatting (virDomainSnapshotDefFormat) ---------------------------------------------------

fn format_disk(out: &mut String, d: &SnapDisk) {
    out.push_str(&format!("    <disk name='{}'", escape(&d.name)));
    if d.snapshot > 0 {
        out.push_str(&format!(" snapshot='{}'", LOCATIONS[d.snapshot as usize]));
    }
    if d.path.is_none() && d.format.is_none() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(&format!(" type='{}'>\n", d.disk_type));
    if let Some(f) = &d.format {
        out.push_str(&format!("      <driver type='{}'/>\n", escape(f)));
    }
    if let Some(p) = &d.path {
        let attr = if d.disk_type == "block" {
            "dev"
        } else {
            "file"
        };
        out.push_str(&format!("      <source {attr}='{}'/>\n", escape(p)));
    }
    out.push_str("    </disk>\n");
}

fn format(def: &SnapshotDef, uuid: &[u8; 16]) -> String {
    let mut out = String::from("<domainsnapshot>\n");
    out.push_str(&format!("  <name>{}</name>\n", escape(&def.name)));
    if let Some(d) = &def.description {
        out.push_str(&format!("  <description>{}</description>\n", escape(d)));
    }
    if def.state > 0 {
        out.push_str(&format!(
            "  <state>{}</state>\n",
            STATES[def.state as usize]
        ));
    }
    if let Some(p) = &def.parent {
        out.push_str(&format!(
            "  <parent>\n    <name>{}</name>\n  </parent>\n",
            escape(p)
        ));
    }
    if def.creation_time != 0 {
        out.push_str(&format!(
            "  <creationTime>{}</creationTime>\n",
            def.creation_time
        ));
    }
    if def.memory > 0 {
        out.push_str(&format!(
            "  <memory snapshot='{}'",
            LOCATIONS[def.memory as usize]
        ));
        if let Some(f) = &def.memory_file {
            out.push_str(&format!(" file='{}'", escape(f)));
        }
        out.push_str("/>\n");
    }
    if !def.disks.is_empty() {
        out.push_str("  <disks>\n");
        for d in &def.disks {
            format_disk(&mut out, d);
        }
        out.push_str("  </disks>\n");
    }
    match &def.dom {
        Some(dom) => out.push_str(&indent(&dom.xml)),
        None => out.push_str(&format!(
            "  <domain>\n    <uuid>{}</uuid>\n  </domain>\n",
            domain::uuid::format(uuid)
        )),
    }
    out.push_str("</domainsnapshot>\n");
    out
}

// ---- listing -----------------------------------------------------------------------------------

/// The public listing flags as the tree's, and the status and location filter
/// (virDomainSnapshotObjListGetNames, virDomainSnapshotFilter).
fn listing(flags: DomainSnapshotListFlags) -> (Listing, impl Fn(&SnapshotDef) -> bool) {
    use DomainSnapshotListFlags as F;
    let l = Listing {
        roots_or_descendants: flags.contains(F::ROOTS),
        leaves: flags.contains(F::LEAVES),
        no_leaves: flags.contains(F::NO_LEAVES),
        metadata: flags.contains(F::METADATA),
        no_metadata: flags.contains(F::NO_METADATA),
    };
    let status = F::INACTIVE | F::ACTIVE | F::DISK_ONLY;
    let by_status = flags.intersects(status) && !flags.contains(status);
    let location = F::INTERNAL | F::EXTERNAL;
    let by_location = flags.intersects(location) && !flags.contains(location);
    let keep = move |d: &SnapshotDef| {
        let shutoff = d.state == DomainState::Shutoff as i32;
        let disk_only = d.state == STATE_DISK_SNAPSHOT;
        if by_status
            && ((!flags.contains(F::INACTIVE) && shutoff)
                || (!flags.contains(F::DISK_ONLY) && disk_only)
                || (!flags.contains(F::ACTIVE) && !shutoff && !disk_only))
        {
            return false;
        }
        !(by_location
            && ((flags.contains(F::INTERNAL) && d.is_external())
                || (flags.contains(F::EXTERNAL) && !d.is_external())))
    };
    (l, keep)
}

// ---- the driver --------------------------------------------------------------------------------

/// The events of one call, sent once the state lock is released.
type Events = Vec<(DomainRef, Lifecycle)>;

impl TestDriver {
    fn snapshot_names_from(
        &self,
        d: &DomainRef,
        from: Option<&str>,
        flags: u32,
        function: &str,
    ) -> Result<Vec<String>> {
        let flags = check_flags(flags, LIST_FLAGS, function)?;
        self.with_dom(d, |dom| {
            let tree = &dom.moments.snapshots;
            if let Some(f) = from {
                tree.get(f).ok_or_else(|| no_snapshot(f))?;
            }
            let (l, keep) = listing(flags);
            Ok(tree.names(from, l, keep))
        })
    }

    fn emit_all(&self, events: Events) {
        for (r, event) in events {
            self.bus.emit(&r, event);
        }
    }
}

/// The domain shut off by a snapshot: its persistent definition takes over; unlike a destroy, a
/// transient domain stays listed (testDomainShutdownState).
fn shut_off(st: &mut State, uuid: &[u8; 16]) {
    st.set_id(uuid, -1);
    let Some(d) = st.doms.get_mut(uuid) else {
        return;
    };
    d.state = StateReason::Shutoff(DomainShutoffReason::FromSnapshot);
    d.extras.stop();
    if let Some(next) = d.next_def.take() {
        d.def = *next;
    }
    st.newdef.remove(uuid);
}

/// virDomainObjAssignDef(vm, config, live=false): the next persistent definition of a running
/// domain, the definition of a stopped one.
fn assign_def(st: &mut State, uuid: &[u8; 16], config: DomainDef) {
    let Some(d) = st.doms.get_mut(uuid) else {
        return;
    };
    if d.active() {
        d.next_def = Some(Box::new(config));
        st.newdef.insert(*uuid);
    } else {
        d.def = config;
    }
}

fn start_from_snapshot(st: &mut State, uuid: &[u8; 16]) -> Result<DomainRef> {
    st.start(uuid);
    let d = st.doms.get_mut(uuid).ok_or_else(super::not_found)?;
    d.state = StateReason::Running(DomainRunningReason::FromSnapshot);
    Ok(d.domain_ref())
}

fn pause_from_snapshot(st: &mut State, uuid: &[u8; 16]) -> Result<DomainRef> {
    let d = st.doms.get_mut(uuid).ok_or_else(super::not_found)?;
    d.state = StateReason::Paused(DomainPausedReason::FromSnapshot);
    Ok(d.domain_ref())
}

/// testDomainRevertToSnapshot's transitions to a running or paused snapshot. The reference's
/// ABI check of the live definition against the snapshot's never passes, so a running or paused
/// domain always stops first (STOPPED) and starts again from the snapshot's definition (STARTED),
/// paused (SUSPENDED) when the snapshot was paused or PAUSED asks.
fn revert_online(
    st: &mut State,
    d: &DomainRef,
    config: DomainDef,
    snap_paused: bool,
    flags: DomainSnapshotRevertFlags,
) -> Result<Events> {
    let mut events = Events::new();
    if st.get(d)?.active() {
        let r = st.stopped_ref(d)?;
        shut_off(st, &d.uuid);
        events.push((
            r,
            Lifecycle::Stopped(DomainEventStoppedDetailType::FromSnapshot),
        ));
    }
    assign_def(st, &d.uuid, config);
    let r = start_from_snapshot(st, &d.uuid)?;
    events.push((
        r,
        Lifecycle::Started(DomainEventStartedDetailType::FromSnapshot),
    ));
    let paused = snap_paused || flags.contains(DomainSnapshotRevertFlags::PAUSED);
    if !flags.contains(DomainSnapshotRevertFlags::RUNNING) && paused {
        let r = pause_from_snapshot(st, &d.uuid)?;
        events.push((
            r,
            Lifecycle::Suspended(DomainEventSuspendedDetailType::FromSnapshot),
        ));
    }
    Ok(events)
}

/// testDomainRevertToSnapshot's transitions to a shut-off snapshot: the domain stops; asked to
/// run or pause, the reference only announces that it started (and paused).
fn revert_offline(
    st: &mut State,
    d: &DomainRef,
    config: DomainDef,
    flags: DomainSnapshotRevertFlags,
) -> Result<Events> {
    let mut events = Events::new();
    let active = st.get(d)?.active();
    assign_def(st, &d.uuid, config);
    if active {
        let r = st.stopped_ref(d)?;
        shut_off(st, &d.uuid);
        events.push((
            r,
            Lifecycle::Stopped(DomainEventStoppedDetailType::FromSnapshot),
        ));
    }
    let run_or_pause = DomainSnapshotRevertFlags::RUNNING | DomainSnapshotRevertFlags::PAUSED;
    if flags.intersects(run_or_pause) {
        let r = st.get(d)?.domain_ref();
        events.push((
            r.clone(),
            Lifecycle::Started(DomainEventStartedDetailType::FromSnapshot),
        ));
        if flags.contains(DomainSnapshotRevertFlags::PAUSED) {
            events.push((
                r,
                Lifecycle::Suspended(DomainEventSuspendedDetailType::FromSnapshot),
            ));
        }
    }
    Ok(events)
}

impl DomainSnapshotDriver for TestDriver {
    fn snapshot_create_xml(&self, d: &DomainRef, xml: String, flags: u32) -> Result<SnapshotRef> {
        use DomainSnapshotCreateFlags as F;
        let public = ("virDomainSnapshotCreateXML", VIR_FROM_DOMAIN_SNAPSHOT);
        let redefine = (F::REDEFINE.bits(), "VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE");
        let current = (F::CURRENT.bits(), "VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT");
        let no_metadata = (
            F::NO_METADATA.bits(),
            "VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA",
        );
        let halt = (F::HALT.bits(), "VIR_DOMAIN_SNAPSHOT_CREATE_HALT");
        moments::required(public, flags, redefine, current)?;
        moments::exclusive(public, flags, redefine, no_metadata)?;
        moments::exclusive(public, flags, redefine, halt)?;
        let flags = check_flags(flags, CREATE_FLAGS, "testDomainSnapshotCreateXML")?;
        let redefine = flags.contains(F::REDEFINE);
        let update_current = !redefine || flags.contains(F::CURRENT);
        let mut events = Events::new();
        let name = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            if dom.moments.checkpoints.len() > 0 {
                return Err(test_error(
                    VIR_ERR_OPERATION_UNSUPPORTED,
                    "cannot create snapshot while checkpoint exists",
                ));
            }
            if !dom.persistent && flags.contains(F::HALT) {
                return Err(test_error(
                    VIR_ERR_OPERATION_INVALID,
                    "cannot halt after transient domain snapshot",
                ));
            }
            let mut def = parse(&xml, redefine)?;
            let name = def.name.clone();
            let here = (!redefine).then(|| MomentDomain::of(dom));
            let tree = &mut dom.moments.snapshots;
            if redefine {
                known_disks(&mut def, &dom.def, &dom.extras.disks);
                redefine_prep(tree, &mut def, &dom.def.uuid)?;
                match tree.get(&name) {
                    Some(_) => tree.replace(def),
                    None => tree.assign(def)?,
                }
            } else {
                def.dom = here;
                align_new(&mut def, dom.state.state().into())?;
                def.parent = tree.current().map(str::to_string);
                tree.assign(def)?;
                if flags.contains(F::HALT) && !dom.state.is_shutoff() {
                    let r = st.stopped_ref(d)?;
                    st.stop(&d.uuid, DomainShutoffReason::FromSnapshot);
                    let event = Lifecycle::Stopped(DomainEventStoppedDetailType::FromSnapshot);
                    events.push((r, event));
                }
            }
            let tree = &mut st.get(d)?.moments.snapshots;
            if update_current {
                tree.set_current(Some(&name));
            }
            tree.link_parent(&name);
            name
        };
        self.emit_all(events);
        Ok(SnapshotRef { name })
    }

    fn snapshot_xml_desc(&self, d: &DomainRef, s: &SnapshotRef, flags: XmlFlags) -> Result<String> {
        let _ = check_flags(
            flags.0,
            DomainSnapshotXMLFlags::SECURE,
            "testDomainSnapshotGetXMLDesc",
        )?;
        self.with_dom(d, |dom| {
            let def = dom
                .moments
                .snapshots
                .get(&s.name)
                .ok_or_else(|| no_snapshot(&s.name))?;
            Ok(format(def, &d.uuid))
        })
    }

    fn snapshot_num(&self, d: &DomainRef, flags: u32) -> Result<MomentNames> {
        self.snapshot_names_from(d, None, flags, "testDomainSnapshotNum")
            .map(MomentNames)
    }

    fn snapshot_num_children(
        &self,
        d: &DomainRef,
        s: &SnapshotRef,
        flags: u32,
    ) -> Result<MomentNames> {
        let function = "testDomainSnapshotNumChildren";
        self.snapshot_names_from(d, Some(&s.name), flags, function)
            .map(MomentNames)
    }

    fn snapshot_names(&self, d: &DomainRef, flags: u32) -> Result<MomentNames> {
        self.snapshot_names_from(d, None, flags, "testDomainSnapshotListNames")
            .map(MomentNames)
    }

    fn snapshot_list_all(&self, d: &DomainRef, flags: u32) -> Result<Vec<SnapshotRef>> {
        let names = self.snapshot_names_from(d, None, flags, "testDomainListAllSnapshots")?;
        Ok(names.into_iter().map(|name| SnapshotRef { name }).collect())
    }

    fn snapshot_children_names(
        &self,
        d: &DomainRef,
        s: &SnapshotRef,
        flags: u32,
    ) -> Result<MomentNames> {
        let function = "testDomainSnapshotListChildrenNames";
        self.snapshot_names_from(d, Some(&s.name), flags, function)
            .map(MomentNames)
    }

    fn snapshot_list_all_children(
        &self,
        d: &DomainRef,
        s: &SnapshotRef,
        flags: u32,
    ) -> Result<Vec<SnapshotRef>> {
        let function = "testDomainSnapshotListAllChildren";
        let names = self.snapshot_names_from(d, Some(&s.name), flags, function)?;
        Ok(names.into_iter().map(|name| SnapshotRef { name }).collect())
    }

    fn snapshot_lookup_by_name(
        &self,
        d: &DomainRef,
        name: String,
        flags: u32,
    ) -> Result<SnapshotRef> {
        check_flags(flags, NoFlags::empty(), "testDomainSnapshotLookupByName")?;
        self.with_dom(d, |dom| match dom.moments.snapshots.get(&name) {
            Some(_) => Ok(SnapshotRef { name }),
            None => Err(no_snapshot(&name)),
        })
    }

    fn snapshot_has_current(&self, d: &DomainRef, flags: u32) -> Result<bool> {
        check_flags(flags, NoFlags::empty(), "testDomainHasCurrentSnapshot")?;
        self.with_dom(d, |dom| Ok(dom.moments.snapshots.current().is_some()))
    }

    fn snapshot_current(&self, d: &DomainRef, flags: u32) -> Result<SnapshotRef> {
        check_flags(flags, NoFlags::empty(), "testDomainSnapshotCurrent")?;
        self.with_dom(d, |dom| match dom.moments.snapshots.current() {
            Some(name) => Ok(SnapshotRef {
                name: name.to_string(),
            }),
            None => Err(test_error(
                VIR_ERR_NO_DOMAIN_SNAPSHOT,
                "the domain does not have a current snapshot",
            )),
        })
    }

    fn snapshot_parent(&self, d: &DomainRef, s: &SnapshotRef, flags: u32) -> Result<SnapshotRef> {
        check_flags(flags, NoFlags::empty(), "testDomainSnapshotGetParent")?;
        self.with_dom(d, |dom| {
            let def = dom
                .moments
                .snapshots
                .get(&s.name)
                .ok_or_else(|| no_snapshot(&s.name))?;
            match &def.parent {
                Some(p) => Ok(SnapshotRef { name: p.clone() }),
                None => Err(test_error(
                    VIR_ERR_NO_DOMAIN_SNAPSHOT,
                    format!("snapshot '{}' does not have a parent", s.name),
                )),
            }
        })
    }

    fn snapshot_is_current(&self, d: &DomainRef, s: &SnapshotRef, flags: u32) -> Result<bool> {
        check_flags(flags, NoFlags::empty(), "testDomainSnapshotIsCurrent")?;
        self.with_dom(d, |dom| {
            let tree = &dom.moments.snapshots;
            tree.get(&s.name).ok_or_else(|| no_snapshot(&s.name))?;
            Ok(tree.current() == Some(s.name.as_str()))
        })
    }

    fn snapshot_has_metadata(&self, d: &DomainRef, s: &SnapshotRef, flags: u32) -> Result<bool> {
        check_flags(flags, NoFlags::empty(), "testDomainSnapshotHasMetadata")?;
        self.with_dom(d, |dom| {
            dom.moments
                .snapshots
                .get(&s.name)
                .map(|_| true)
                .ok_or_else(|| no_snapshot(&s.name))
        })
    }

    fn snapshot_revert(&self, d: &DomainRef, s: &SnapshotRef, flags: u32) -> Result<Stopped> {
        use DomainSnapshotRevertFlags as F;
        moments::exclusive(
            ("virDomainRevertToSnapshot", VIR_FROM_DOMAIN_SNAPSHOT),
            flags,
            (F::RUNNING.bits(), "VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING"),
            (F::PAUSED.bits(), "VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED"),
        )?;
        let flags = check_flags(flags, REVERT_FLAGS, "testDomainRevertToSnapshot")?;
        let events = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            let snap = dom
                .moments
                .snapshots
                .get(&s.name)
                .ok_or_else(|| no_snapshot(&s.name))?
                .clone();
            let run_or_pause = flags.intersects(F::RUNNING | F::PAUSED);
            if !dom.persistent && !snap.online() && !run_or_pause {
                return Err(test_error(
                    VIR_ERR_OPERATION_INVALID,
                    "transient domain needs to request run or pause to revert to inactive snapshot",
                ));
            }
            if !flags.contains(F::FORCE) && snap.dom.is_none() {
                return Err(test_error(
                    VIR_ERR_SNAPSHOT_REVERT_RISKY,
                    format!(
                        "snapshot '{}' lacks domain '{}' rollback info",
                        snap.name, dom.def.name
                    ),
                ));
            }
            dom.moments.snapshots.set_current(None);
            let Some(MomentDomain { def: config, .. }) = snap.dom.clone() else {
                return Err(Error::internal(VIR_FROM_TEST, "missing domain in snapshot"));
            };
            let events = match snap.online() {
                true => {
                    let paused = snap.state == DomainState::Paused as i32;
                    revert_online(&mut st, d, config, paused, flags)?
                }
                false => revert_offline(&mut st, d, config, flags)?,
            };
            st.get(d)?.moments.snapshots.set_current(Some(&s.name));
            events
        };
        let stopped = events
            .iter()
            .any(|(_, event)| matches!(event, Lifecycle::Stopped(_)));
        self.emit_all(events);
        Ok(Stopped(stopped))
    }

    fn snapshot_delete(&self, d: &DomainRef, s: &SnapshotRef, flags: u32) -> Result<()> {
        use DomainSnapshotDeleteFlags as F;
        moments::exclusive(
            ("virDomainSnapshotDelete", VIR_FROM_DOMAIN_SNAPSHOT),
            flags,
            (F::CHILDREN.bits(), "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN"),
            (
                F::CHILDREN_ONLY.bits(),
                "VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY",
            ),
        )?;
        let flags = check_flags(flags, DELETE_FLAGS, "testDomainSnapshotDelete")?;
        self.with_dom(d, |dom| {
            let tree = &mut dom.moments.snapshots;
            tree.get(&s.name).ok_or_else(|| no_snapshot(&s.name))?;
            tree.delete(
                &s.name,
                flags.contains(F::CHILDREN),
                flags.contains(F::CHILDREN_ONLY),
            );
            Ok(())
        })
    }
}

/// A redefinition that carries this domain's own definition gets the disks the driver knows it
/// has (the default domain's definition does not list its devices; the driver keeps them apart).
fn known_disks(def: &mut SnapshotDef, own: &DomainDef, own_disks: &[(String, String)]) {
    if let Some(dom) = &mut def.dom {
        // The same domain (its XML now shows defaults that parse back into other fields): the
        // disks our definition keeps beside it.
        if dom.disks.is_empty() && dom.def.uuid == own.uuid && dom.def.name == own.name {
            dom.disks = own_disks.to_vec();
        }
    }
}

/// virDomainSnapshotRedefinePrep (libvirt 9.0): no cycle, the domain's UUID, no change between
/// online and offline or disk-only, the domain taken over from the snapshot it replaces, and its
/// disks aligned.
fn redefine_prep(
    tree: &moments::MomentTree<SnapshotDef>,
    def: &mut SnapshotDef,
    uuid: &[u8; 16],
) -> Result<()> {
    tree.check_cycles(def)?;
    if let Some(dom) = &def.dom {
        if &dom.def.uuid != uuid {
            return Err(snap_error(
                VIR_ERR_INVALID_ARG,
                format!(
                    "definition for snapshot {} must use uuid {}",
                    def.name,
                    domain::uuid::format(uuid)
                ),
            ));
        }
    }
    if let Some(other) = tree.get(&def.name) {
        if other.online() != def.online() {
            return Err(snap_error(
                VIR_ERR_INVALID_ARG,
                format!(
                    "cannot change between online and offline snapshot state in snapshot {}",
                    def.name
                ),
            ));
        }
        if (other.state == STATE_DISK_SNAPSHOT) != (def.state == STATE_DISK_SNAPSHOT) {
            return Err(snap_error(
                VIR_ERR_INVALID_ARG,
                format!(
                    "cannot change between disk only and full system in snapshot {}",
                    def.name
                ),
            ));
        }
        if def.dom.is_none() {
            def.dom = other.dom.clone();
        }
    }
    // Without a domain (none given, none to take over) this fails: "missing domain".
    match def.state == STATE_DISK_SNAPSHOT || def.is_external() {
        true => align_disks(def, LOC_EXTERNAL, false),
        false => align_disks(def, LOC_INTERNAL, true),
    }
}
