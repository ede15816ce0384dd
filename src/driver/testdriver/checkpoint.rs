//! The test driver's domain checkpoints, as libvirt 9.0's test driver keeps them
//! (src/test/test_driver.c testDomainCheckpoint*, src/conf/checkpoint_conf.c): a running domain
//! with disks and no snapshots gets bitmaps named after the checkpoint, in the tree of
//! moments.rs.

use super::moments::{
    self, child_text, escape, indent, Listing, MomentDef, MomentDomain, MomentTree,
};
use super::{check_active, check_flags, TestDriver};
use crate::api::{
    DomainCheckpointCreateFlags, DomainCheckpointDeleteFlags, DomainCheckpointListFlags,
    DomainCheckpointXMLFlags, NoFlags,
};
use crate::domain::{self, DomainRef};
use crate::driver::{CheckpointRef, DomainCheckpointDriver, XmlFlags};
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG,
    VIR_ERR_NO_DOMAIN_CHECKPOINT, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_XML_ERROR,
    VIR_FROM_DOMAIN_CHECKPOINT, VIR_FROM_TEST,
};

const CREATE_FLAGS: DomainCheckpointCreateFlags =
    DomainCheckpointCreateFlags::REDEFINE.union(DomainCheckpointCreateFlags::QUIESCE);
const LIST_FLAGS: DomainCheckpointListFlags = DomainCheckpointListFlags::all();
const XML_FLAGS: DomainCheckpointXMLFlags = DomainCheckpointXMLFlags::all();
const DELETE_FLAGS: DomainCheckpointDeleteFlags = DomainCheckpointDeleteFlags::all();

/// virDomainCheckpointType, as its XML names them (index = value).
const TYPES: [&str; 3] = ["default", "no", "bitmap"];
const TYPE_NO: u8 = 1;
const TYPE_BITMAP: u8 = 2;

#[derive(Clone, Debug, Default)]
struct CheckpointDisk {
    name: String,
    kind: u8,
    bitmap: Option<String>,
}

/// One checkpoint's definition (virDomainCheckpointDef).
#[derive(Clone, Debug, Default)]
pub(super) struct CheckpointDef {
    name: String,
    description: Option<String>,
    parent: Option<String>,
    creation_time: i64,
    disks: Vec<CheckpointDisk>,
    /// The domain as it was, and its disks as (target, source).
    dom: Option<MomentDomain>,
}

impl MomentDef for CheckpointDef {
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

fn cp_error(code: i32, text: impl AsRef<str>) -> Error {
    Error::with(code, VIR_FROM_DOMAIN_CHECKPOINT, text)
}

/// The test driver's own "not found" (its error domain, not the checkpoint family's).
fn no_checkpoint(name: &str) -> Error {
    Error::with(
        VIR_ERR_NO_DOMAIN_CHECKPOINT,
        VIR_FROM_TEST,
        format!("no domain checkpoint with matching name '{name}'"),
    )
}

fn element<'a>(node: roxmltree::Node<'a, 'a>, tag: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|c| c.is_element() && c.has_tag_name(tag))
}

/// virDomainCheckpointDefParseString.
fn parse(xml: &str, redefine: bool) -> Result<CheckpointDef> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        domain::xml::not_well_formed("(domain_checkpoint)", VIR_FROM_DOMAIN_CHECKPOINT, xml, &e)
    })?;
    let root = doc.root_element();
    super::snapshot::check_root(root, "domaincheckpoint")?;
    let mut def = CheckpointDef {
        description: child_text(root, "description"),
        ..Default::default()
    };
    let name = child_text(root, "name");
    if redefine {
        def.name = name.ok_or_else(|| {
            cp_error(VIR_ERR_XML_ERROR, "a redefined checkpoint must have a name")
        })?;
        def.creation_time = child_text(root, "creationTime")
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| {
                cp_error(
                    VIR_ERR_INTERNAL_ERROR,
                    "missing creationTime from existing checkpoint",
                )
            })?;
        def.parent = element(root, "parent").and_then(|p| child_text(p, "name"));
        if let Some(d) = element(root, "domain") {
            def.dom = Some(MomentDomain::parsed(domain::xml::parse_element(d)?));
        }
    } else {
        def.creation_time = moments::now();
        def.name = name.unwrap_or_else(|| def.creation_time.to_string());
    }
    if let Some(disks) = element(root, "disks") {
        for d in disks.children().filter(|c| c.is_element()) {
            let kind = match d.attribute("checkpoint") {
                None => TYPE_BITMAP,
                Some(k) => TYPES.iter().position(|t| *t == k).unwrap_or(0) as u8,
            };
            def.disks.push(CheckpointDisk {
                name: d.attribute("name").unwrap_or_default().to_string(),
                kind,
                bitmap: d.attribute("bitmap").map(str::to_string),
            });
        }
    }
    Ok(def)
}

fn unsupported(text: impl AsRef<str>) -> Error {
    cp_error(VIR_ERR_CONFIG_UNSUPPORTED, text)
}

/// virDomainCheckpointAlignDisks: one entry per disk of the domain; without a `<disks>` list,
/// a bitmap on every disk with a source.
fn align_disks(def: &mut CheckpointDef) -> Result<()> {
    let Some(MomentDomain {
        disks: dom_disks, ..
    }) = &def.dom
    else {
        return Err(cp_error(
            VIR_ERR_INTERNAL_ERROR,
            "missing domain in checkpoint",
        ));
    };
    let dom_disks = dom_disks.clone();
    if def.disks.len() > dom_disks.len() {
        return Err(unsupported("too many disk checkpoint requests for domain"));
    }
    if dom_disks.is_empty() {
        return Err(unsupported(
            "domain must have at least one disk to perform checkpoints",
        ));
    }
    let default = if def.disks.is_empty() {
        TYPE_BITMAP
    } else {
        TYPE_NO
    };
    let mut aligned: Vec<Option<CheckpointDisk>> = vec![None; dom_disks.len()];
    for mut d in std::mem::take(&mut def.disks) {
        let found = match d.name.starts_with('/') {
            false => dom_disks.iter().position(|(t, _)| *t == d.name),
            true => dom_disks.iter().position(|(_, s)| *s == d.name),
        };
        let Some(i) = found else {
            return Err(unsupported(format!("no disk named '{}'", d.name)));
        };
        if aligned[i].is_some() {
            return Err(unsupported(format!("disk '{}' specified twice", d.name)));
        }
        if dom_disks[i].1.is_empty() && d.kind != TYPE_NO {
            return Err(unsupported(format!(
                "disk '{}' is empty or readonly",
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
            d.unwrap_or_else(|| CheckpointDisk {
                name: target.clone(),
                kind: if source.is_empty() { TYPE_NO } else { default },
                bitmap: None,
            })
        })
        .collect();
    assign_bitmap_names(def);
    Ok(())
}

fn assign_bitmap_names(def: &mut CheckpointDef) {
    for d in &mut def.disks {
        if d.kind == TYPE_BITMAP && d.bitmap.is_none() {
            d.bitmap = Some(def.name.clone());
        }
    }
}

/// virDomainCheckpointDefFormat.
fn format(def: &CheckpointDef, flags: DomainCheckpointXMLFlags) -> String {
    let mut out = String::from("<domaincheckpoint>\n");
    out.push_str(&format!("  <name>{}</name>\n", escape(&def.name)));
    if let Some(d) = &def.description {
        out.push_str(&format!("  <description>{}</description>\n", escape(d)));
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
    if !def.disks.is_empty() {
        out.push_str("  <disks>\n");
        for d in &def.disks {
            out.push_str(&format!("    <disk name='{}'", escape(&d.name)));
            if d.kind > 0 {
                out.push_str(&format!(" checkpoint='{}'", TYPES[d.kind as usize]));
            }
            if let Some(b) = &d.bitmap {
                // The test driver sets a size for XML_SIZE but never marks it valid: no size.
                out.push_str(&format!(" bitmap='{}'", escape(b)));
            }
            out.push_str("/>\n");
        }
        out.push_str("  </disks>\n");
    }
    if let Some(dom) = &def.dom {
        if !flags.contains(DomainCheckpointXMLFlags::NO_DOMAIN) {
            out.push_str(&indent(&dom.xml));
        }
    }
    out.push_str("</domaincheckpoint>\n");
    out
}

/// virDomainCheckpointRedefinePrep: whether the redefinition becomes current (it continues the
/// current one, or there is none).
fn redefine_prep(
    tree: &MomentTree<CheckpointDef>,
    def: &mut CheckpointDef,
    uuid: &[u8; 16],
) -> Result<bool> {
    tree.check_cycles(def)?;
    match &def.dom {
        Some(dom) if &dom.def.uuid != uuid => {
            return Err(cp_error(
                VIR_ERR_INVALID_ARG,
                format!(
                    "definition for checkpoint {} must use uuid {}",
                    def.name,
                    domain::uuid::format(uuid)
                ),
            ))
        }
        Some(_) => align_disks(def)?,
        None => assign_bitmap_names(def),
    }
    let continues_current = def
        .parent
        .as_deref()
        .is_some_and(|p| tree.get(p).is_some() && tree.current() == Some(p));
    Ok(continues_current || tree.current().is_none())
}

fn listing(flags: DomainCheckpointListFlags) -> Listing {
    use DomainCheckpointListFlags as F;
    // LEAVES and NO_LEAVES together match nothing, as the reference's.
    Listing {
        roots_or_descendants: flags.contains(F::ROOTS),
        leaves: flags.contains(F::LEAVES),
        no_leaves: flags.contains(F::NO_LEAVES),
        ..Default::default()
    }
}

impl TestDriver {
    fn checkpoints_from(
        &self,
        d: &DomainRef,
        from: Option<&str>,
        flags: u32,
        function: &str,
    ) -> Result<Vec<CheckpointRef>> {
        let flags = check_flags(flags, LIST_FLAGS, function)?;
        let mut st = self.lock();
        let tree = &st.get(d)?.moments.checkpoints;
        if let Some(f) = from {
            tree.get(f).ok_or_else(|| no_checkpoint(f))?;
        }
        let names = tree.names(from, listing(flags), |_| true);
        Ok(names
            .into_iter()
            .map(|name| CheckpointRef { name })
            .collect())
    }
}

impl DomainCheckpointDriver for TestDriver {
    fn checkpoint_create_xml(
        &self,
        d: &DomainRef,
        xml: String,
        flags: u32,
    ) -> Result<CheckpointRef> {
        use DomainCheckpointCreateFlags as F;
        let public = ("virDomainCheckpointCreateXML", VIR_FROM_DOMAIN_CHECKPOINT);
        let redefine = (F::REDEFINE.bits(), "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE");
        moments::exclusive(
            public,
            flags,
            redefine,
            (F::QUIESCE.bits(), "VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE"),
        )?;
        moments::required(
            public,
            flags,
            redefine,
            (
                F::REDEFINE_VALIDATE.bits(),
                "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE",
            ),
        )?;
        let flags = check_flags(flags, CREATE_FLAGS, "testDomainCheckpointCreateXML")?;
        let redefine = flags.contains(DomainCheckpointCreateFlags::REDEFINE);
        let mut st = self.lock();
        let dom = st.get(d)?;
        if dom.moments.snapshots.len() > 0 {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_TEST,
                "cannot create checkpoint while snapshot exists",
            ));
        }
        if !dom.active() {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_TEST,
                "cannot create checkpoint for inactive domain",
            ));
        }
        let mut def = parse(&xml, redefine)?;
        let name = def.name.clone();
        let here = (!redefine).then(|| MomentDomain::of(dom));
        let tree = &mut dom.moments.checkpoints;
        let update_current = if redefine {
            let update = redefine_prep(tree, &mut def, &d.uuid)?;
            match tree.get(&name) {
                Some(_) => tree.replace(def),
                None => tree.assign(def)?,
            }
            update
        } else {
            def.dom = here;
            align_disks(&mut def)?;
            tree.assign(def)?;
            true
        };
        if let Some(current) = tree.current().map(str::to_string) {
            if !redefine {
                if let Some(c) = tree.get_mut(&name) {
                    c.parent = Some(current);
                }
            }
            if update_current {
                tree.set_current(None);
            }
        }
        if update_current {
            tree.set_current(Some(&name));
        }
        tree.link_parent(&name);
        Ok(CheckpointRef { name })
    }

    fn checkpoint_xml_desc(
        &self,
        d: &DomainRef,
        c: &CheckpointRef,
        flags: XmlFlags,
    ) -> Result<String> {
        let flags = check_flags(flags.0, XML_FLAGS, "testDomainCheckpointGetXMLDesc")?;
        let mut st = self.lock();
        let dom = st.get(d)?;
        let def = dom
            .moments
            .checkpoints
            .get(&c.name)
            .ok_or_else(|| no_checkpoint(&c.name))?;
        if flags.contains(DomainCheckpointXMLFlags::SIZE) {
            check_active(dom)?;
        }
        Ok(format(def, flags))
    }

    fn checkpoint_list_all(&self, d: &DomainRef, flags: u32) -> Result<Vec<CheckpointRef>> {
        self.checkpoints_from(d, None, flags, "testDomainListAllCheckpoints")
    }

    fn checkpoint_list_all_children(
        &self,
        d: &DomainRef,
        c: &CheckpointRef,
        flags: u32,
    ) -> Result<Vec<CheckpointRef>> {
        let function = "testDomainCheckpointListAllChildren";
        self.checkpoints_from(d, Some(&c.name), flags, function)
    }

    fn checkpoint_lookup_by_name(
        &self,
        d: &DomainRef,
        name: String,
        flags: u32,
    ) -> Result<CheckpointRef> {
        check_flags(flags, NoFlags::empty(), "testDomainCheckpointLookupByName")?;
        let mut st = self.lock();
        match st.get(d)?.moments.checkpoints.get(&name) {
            Some(_) => Ok(CheckpointRef { name }),
            None => Err(no_checkpoint(&name)),
        }
    }

    fn checkpoint_parent(
        &self,
        d: &DomainRef,
        c: &CheckpointRef,
        flags: u32,
    ) -> Result<CheckpointRef> {
        check_flags(flags, NoFlags::empty(), "testDomainCheckpointGetParent")?;
        let mut st = self.lock();
        let def = st
            .get(d)?
            .moments
            .checkpoints
            .get(&c.name)
            .ok_or_else(|| no_checkpoint(&c.name))?;
        match &def.parent {
            Some(p) => Ok(CheckpointRef { name: p.clone() }),
            None => Err(Error::with(
                VIR_ERR_NO_DOMAIN_CHECKPOINT,
                VIR_FROM_TEST,
                format!("checkpoint '{}' does not have a parent", c.name),
            )),
        }
    }

    fn checkpoint_delete(&self, d: &DomainRef, c: &CheckpointRef, flags: u32) -> Result<()> {
        use DomainCheckpointDeleteFlags as F;
        moments::exclusive(
            ("virDomainCheckpointDelete", VIR_FROM_DOMAIN_CHECKPOINT),
            flags,
            (F::CHILDREN.bits(), "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN"),
            (
                F::CHILDREN_ONLY.bits(),
                "VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY",
            ),
        )?;
        let flags = check_flags(flags, DELETE_FLAGS, "testDomainCheckpointDelete")?;
        let mut st = self.lock();
        let tree = &mut st.get(d)?.moments.checkpoints;
        tree.get(&c.name).ok_or_else(|| no_checkpoint(&c.name))?;
        tree.delete(
            &c.name,
            flags.contains(F::CHILDREN),
            flags.contains(F::CHILDREN_ONLY),
        );
        Ok(())
    }
}
