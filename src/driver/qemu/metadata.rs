//! A guest's title, description and metadata elements (virDomainGetMetadata/SetMetadata) on the
//! qemu driver: kept in the definition's `<title>`, `<description>` and `<metadata>` elements, so
//! that the saved definition and the status file carry them as the reference's do.

use super::*;
use crate::api::{DomainMetadataType, DomainModificationImpact};
use crate::domain::devices::Element;
use crate::driver::family::{check_get_metadata_args, check_set_metadata_args};
use crate::error::VIR_ERR_NO_DOMAIN_METADATA;

/// virDomainObjGetMetadata's and qemuDomainSetMetadata's flags.
const METADATA_FLAGS: DomainModificationImpact =
    DomainModificationImpact::LIVE.union(DomainModificationImpact::CONFIG);

fn unknown_type(kind: i32) -> Error {
    Error::with(
        crate::error::VIR_ERR_INVALID_ARG,
        crate::error::VIR_FROM_DOMAIN,
        format!("unknown metadata type '{kind}'"),
    )
}

fn not_present() -> Error {
    Error::with(
        VIR_ERR_NO_DOMAIN_METADATA,
        crate::error::VIR_FROM_DOMAIN,
        "Requested metadata element is not present",
    )
}

/// The prefix an element's name carries (`app:foo` -> `app`).
fn prefix_of(name: &str) -> Option<&str> {
    name.split_once(':').map(|(p, _)| p)
}

/// Whether a child of `<metadata>` lives in namespace `uri`.
fn in_namespace(e: &Element, uri: &str) -> bool {
    prefix_of(&e.name).is_some_and(|p| e.attr(&format!("xmlns:{p}")) == Some(uri))
}

/// The element as libxml2 formats a node, without `prefix`: an element holding only elements
/// has each on a line of its own, indented by two more spaces; one with text stays on its line.
fn write_inline(out: &mut String, e: &Element, prefix: &str) {
    write_node(out, e, prefix, 0);
}

fn write_node(out: &mut String, e: &Element, prefix: &str, depth: usize) {
    let strip = |n: &str| {
        n.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(':'))
            .unwrap_or(n)
            .to_string()
    };
    let own_ns = format!("xmlns:{prefix}");
    let name = strip(&e.name);
    out.push('<');
    out.push_str(&name);
    for (k, v) in e.attrs.iter().filter(|(k, _)| *k != own_ns) {
        let v = domain::xml::esc(v).replace('"', "&quot;");
        out.push_str(&format!(" {k}=\"{v}\""));
    }
    if e.children.is_empty() && e.text.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    out.push_str(&domain::xml::esc(&e.text));
    let block = e.text.is_empty() && !e.children.is_empty();
    for c in &e.children {
        if block {
            out.push('\n');
            out.push_str(&"  ".repeat(depth + 1));
        }
        write_node(out, c, prefix, if block { depth + 1 } else { depth });
    }
    if block {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
    out.push_str(&format!("</{name}>"));
}

/// The caller's element put in namespace `uri` under `key`: unprefixed names take the prefix,
/// and the namespace is declared after the element's own declarations.
fn element_in_namespace(xml: &str, key: &str, uri: &str) -> Result<Element> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        domain::xml::not_well_formed("(metadata_xml)", crate::error::VIR_FROM_DOMAIN, xml, &e)
    })?;
    fn prefixed(mut e: Element, key: &str) -> Element {
        if !e.name.contains(':') {
            e.name = format!("{key}:{}", e.name);
        }
        e.children = e.children.into_iter().map(|c| prefixed(c, key)).collect();
        e
    }
    let mut e = prefixed(Element::from_node(doc.root_element()), key).double_quoted();
    let decls = e
        .attrs
        .iter()
        .take_while(|(k, _)| k.starts_with("xmlns"))
        .count();
    e.attrs
        .insert(decls, (format!("xmlns:{key}"), uri.to_string()));
    Ok(e)
}

/// What virDomainGetMetadata answers from a definition.
fn get_from(def: &DomainDef, kind: DomainMetadataType, uri: Option<&str>) -> Option<String> {
    let top = |name: &str| def.extras.iter().find(|e| e.name == name);
    match kind {
        DomainMetadataType::Title => top("title").map(|e| e.text.clone()),
        DomainMetadataType::Description => top("description").map(|e| e.text.clone()),
        _ => {
            let uri = uri?;
            let e = top("metadata")?
                .children
                .iter()
                .find(|c| in_namespace(c, uri))?;
            let mut out = String::new();
            write_inline(&mut out, e, prefix_of(&e.name).unwrap_or_default());
            Some(out)
        }
    }
}

/// Put (or, with None, take away) the title, the description or one metadata element.
fn set_in(
    def: &mut DomainDef,
    kind: DomainMetadataType,
    text: Option<&str>,
    el: Option<&Element>,
    uri: &str,
) {
    let pos = |def: &DomainDef, name: &str| def.extras.iter().position(|e| e.name == name);
    match kind {
        DomainMetadataType::Title | DomainMetadataType::Description => {
            let name = match kind {
                DomainMetadataType::Title => "title",
                _ => "description",
            };
            let at = pos(def, name);
            match (text.filter(|t| !t.is_empty()), at) {
                (Some(t), Some(i)) => def.extras[i].text = t.to_string(),
                (Some(t), None) => {
                    let mut e = Element::new(name);
                    e.text = t.to_string();
                    def.extras.push(e);
                }
                (None, Some(i)) => {
                    def.extras.remove(i);
                }
                (None, None) => {}
            }
        }
        _ => {
            if pos(def, "metadata").is_none() {
                if el.is_none() {
                    return;
                }
                def.extras.push(Element::new("metadata"));
            }
            let Some(mi) = pos(def, "metadata") else {
                return;
            };
            let meta = &mut def.extras[mi];
            let at = meta.children.iter().position(|c| in_namespace(c, uri));
            match (el, at) {
                (Some(e), Some(i)) => meta.children[i] = e.clone(),
                (Some(e), None) => meta.children.push(e.clone()),
                (None, Some(i)) => {
                    meta.children.remove(i);
                }
                (None, None) => {}
            }
            if meta.children.is_empty() {
                def.extras.remove(mi);
            }
        }
    }
}

/// The reference's choice of definitions for a call's LIVE/CONFIG flags (virDomainObjGetDefs):
/// (live, config), with its errors for a stopped or transient domain.
pub(super) fn affected(i: &vm::VmInner, flags: u32) -> Result<(bool, bool)> {
    let live_bit = DomainModificationImpact::LIVE.bits();
    let config_bit = DomainModificationImpact::CONFIG.bits();
    let active = i.run.is_some();
    let (mut live, mut config) = (flags & live_bit != 0, flags & config_bit != 0);
    if !live && !config {
        live = active;
        config = !active;
    }
    if live && !active {
        return Err(not_running());
    }
    if config && !i.persistent {
        return Err(Error::operation_invalid(
            "transient domains do not have any persistent config",
        ));
    }
    Ok((live, config))
}

impl vm::VmInner {
    /// The persistent definition: the one set aside while the guest runs, else the current one.
    pub(super) fn persistent_def_mut(&mut self) -> &mut DomainDef {
        match self.next_def.as_mut() {
            Some(d) if self.run.is_some() => d,
            _ => &mut self.def,
        }
    }
}

impl QemuDriver {
    /// Record a persistent definition in the root (atomically).
    pub(super) fn save_config(&self, def: &DomainDef) -> Result<()> {
        let text = domain::devices::format_full(def, None);
        layout::write_atomic(&self.layout.config_file(&def.name), text.as_bytes())
            .map_err(|e| sys_err(&e, format!("cannot write definition of '{}'", def.name)))
    }

    pub(super) fn metadata_of(
        &self,
        d: &DomainRef,
        kind: i32,
        uri: Option<String>,
        flags: u32,
    ) -> Result<String> {
        check_get_metadata_args(kind, &uri, flags)?;
        crate::api::check_flags(
            "virDomainObjGetMetadata",
            flags,
            METADATA_FLAGS,
            crate::error::VIR_FROM_DOMAIN,
        )?;
        let vm = self.vm_of(d)?;
        let mut i = vm.lock();
        let (live, _) = affected(&i, flags)?;
        let kind = DomainMetadataType::try_from(kind).map_err(|_| unknown_type(kind))?;
        let def = if live {
            &i.def
        } else {
            &*i.persistent_def_mut()
        };
        get_from(def, kind, uri.as_deref()).ok_or_else(not_present)
    }

    pub(super) fn set_metadata_of(
        &self,
        d: &DomainRef,
        kind: i32,
        metadata: Option<String>,
        key: Option<String>,
        uri: Option<String>,
        flags: u32,
    ) -> Result<()> {
        check_set_metadata_args(kind, &metadata, &key, &uri)?;
        check_flags(flags, METADATA_FLAGS, "qemuDomainSetMetadata")?;
        let kind_t = DomainMetadataType::try_from(kind).map_err(|_| unknown_type(kind))?;
        // The element is parsed before anything changes.
        let element = match (kind_t, &metadata, &key, &uri) {
            (DomainMetadataType::Element, Some(m), Some(k), Some(u)) => {
                Some(element_in_namespace(m, k, u)?)
            }
            _ => None,
        };
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        let uri = uri.unwrap_or_default();
        let (live, saved) = {
            let mut i = vm.lock();
            let (live, config) = affected(&i, flags)?;
            let saved = config.then(|| {
                let mut changed = i.persistent_def_mut().clone();
                set_in(
                    &mut changed,
                    kind_t,
                    metadata.as_deref(),
                    element.as_ref(),
                    &uri,
                );
                changed
            });
            (live, saved)
        };
        // The saved definition first: a failed write changes nothing.
        if let Some(def) = &saved {
            self.save_config(def)?;
        }
        let mut i = vm.lock();
        if live {
            set_in(
                &mut i.def,
                kind_t,
                metadata.as_deref(),
                element.as_ref(),
                &uri,
            );
        }
        if let Some(def) = saved {
            *i.persistent_def_mut() = def;
        }
        drop(i);
        let _ = self.write_status(&vm);
        let nsuri = (kind_t == DomainMetadataType::Element).then_some(uri);
        self.bus.emit_payload(
            crate::api::DomainEventID::MetadataChange as i32,
            &vm.domain_ref(),
            crate::event::Payload::Metadata { kind, nsuri },
        );
        Ok(())
    }
}
