//! The tree of a domain's snapshots or checkpoints (libvirt's virDomainMomentObjList): each
//! moment names its parent, the list keeps each one's children newest first (as libvirt links
//! them), a metaroot holds the roots, and at most one moment is current. The listings, the
//! relinking on delete and the cycle checks of redefinitions follow libvirt's
//! src/conf/virdomainmomentobjlist.c.

use crate::domain::DomainDef;
use crate::error::{Error, Result, VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_FAILED, VIR_FROM_DOMAIN};
use rustc_hash::FxHashMap as HashMap;

/// What the tree needs of a moment's definition.
pub(super) trait MomentDef {
    fn name(&self) -> &str;
    fn parent_name(&self) -> Option<&str>;
    fn set_parent_name(&mut self, parent: Option<String>);
}

struct Node<D> {
    def: D,
    /// The moment it is linked under; None is the metaroot.
    parent: Option<String>,
    /// Newest first.
    children: Vec<String>,
}

/// The listing flags the tree itself handles (libvirt's VIR_DOMAIN_MOMENT_LIST_*).
#[derive(Clone, Copy, Default)]
pub(super) struct Listing {
    /// ROOTS from the domain, DESCENDANTS from a moment (the same bit).
    pub roots_or_descendants: bool,
    pub leaves: bool,
    pub no_leaves: bool,
    pub metadata: bool,
    pub no_metadata: bool,
}

pub(super) struct MomentTree<D> {
    objs: HashMap<String, Node<D>>,
    /// The metaroot's children, newest first.
    roots: Vec<String>,
    current: Option<String>,
}

impl<D> Default for MomentTree<D> {
    fn default() -> Self {
        MomentTree {
            objs: HashMap::default(),
            roots: Vec::new(),
            current: None,
        }
    }
}

impl<D: MomentDef> MomentTree<D> {
    pub fn len(&self) -> usize {
        self.objs.len()
    }

    pub fn get(&self, name: &str) -> Option<&D> {
        self.objs.get(name).map(|n| &n.def)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut D> {
        self.objs.get_mut(name).map(|n| &mut n.def)
    }

    pub fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    pub fn set_current(&mut self, name: Option<&str>) {
        self.current = name.map(str::to_string);
    }

    pub fn child_count(&self, name: &str) -> usize {
        self.objs.get(name).map_or(0, |n| n.children.len())
    }

    fn children(&self, of: Option<&str>) -> &[String] {
        match of {
            None => &self.roots,
            Some(n) => self.objs.get(n).map_or(&[][..], |n| &n.children),
        }
    }

    fn children_mut(&mut self, of: Option<&str>) -> Option<&mut Vec<String>> {
        match of {
            None => Some(&mut self.roots),
            Some(n) => self.objs.get_mut(n).map(|n| &mut n.children),
        }
    }

    /// virDomainMomentAssignDef: a new moment, not linked yet.
    pub fn assign(&mut self, def: D) -> Result<()> {
        if self.objs.contains_key(def.name()) {
            return Err(Error::with(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_DOMAIN,
                format!("domain moment {} already exists", def.name()),
            ));
        }
        let node = Node {
            def,
            parent: None,
            children: Vec::new(),
        };
        self.objs.insert(node.def.name().to_string(), node);
        Ok(())
    }

    /// A definition in place of a moment's own (a redefinition): unlinked from its parent, its
    /// children kept.
    pub fn replace(&mut self, def: D) {
        let name = def.name().to_string();
        self.drop_parent(&name);
        if let Some(n) = self.objs.get_mut(&name) {
            n.def = def;
        }
    }

    /// virDomainMomentLinkParent: under the parent the definition names, else a root.
    pub fn link_parent(&mut self, name: &str) {
        let parent = self
            .objs
            .get(name)
            .and_then(|n| n.def.parent_name())
            .filter(|p| self.objs.contains_key(*p))
            .map(str::to_string);
        if let Some(kids) = self.children_mut(parent.as_deref()) {
            kids.insert(0, name.to_string());
        }
        if let Some(n) = self.objs.get_mut(name) {
            n.parent = parent;
        }
    }

    /// virDomainMomentDropParent.
    pub fn drop_parent(&mut self, name: &str) {
        let parent = self.objs.get_mut(name).and_then(|n| n.parent.take());
        if let Some(kids) = self.children_mut(parent.as_deref()) {
            kids.retain(|k| k != name);
        }
    }

    /// virDomainMomentDropChildren.
    pub fn drop_children(&mut self, name: &str) {
        if let Some(n) = self.objs.get_mut(name) {
            n.children.clear();
        }
    }

    /// virDomainMomentMoveChildren: `from`'s children go before `to`'s own, renamed to their
    /// new parent.
    pub fn move_children_to_parent(&mut self, from: &str) {
        let Some(node) = self.objs.get_mut(from) else {
            return;
        };
        let kids = std::mem::take(&mut node.children);
        let to = node.parent.clone();
        for k in &kids {
            if let Some(n) = self.objs.get_mut(k) {
                n.parent = to.clone();
                n.def.set_parent_name(to.clone());
            }
        }
        if let Some(existing) = self.children_mut(to.as_deref()) {
            let mut all = kids;
            all.append(existing);
            *existing = all;
        }
    }

    /// Every descendant of `from` (the metaroot for None), parents before children, siblings
    /// in their list's order (virDomainMomentForEachDescendant).
    pub fn descendants(&self, from: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        for k in self.children(from) {
            out.push(k.clone());
            out.extend(self.descendants(Some(k)));
        }
        out
    }

    /// virDomainMomentObjListRemove: whether it was current.
    pub fn remove(&mut self, name: &str) -> bool {
        self.objs.remove(name);
        let was_current = self.current.as_deref() == Some(name);
        if was_current {
            self.current = None;
        }
        was_current
    }

    /// virDomainMomentObjListGetNames: the names of `from`'s children (or descendants) that
    /// `keep` accepts. From the domain (`from` None), the ROOTS bit asks for the roots only.
    /// The reference visits the whole list in its hash table's order when the listing is not
    /// topological; ours is then topological too, one of the orders it may give.
    pub fn names(&self, from: Option<&str>, l: Listing, keep: impl Fn(&D) -> bool) -> Vec<String> {
        let descendants = l.roots_or_descendants != from.is_none();
        if l.no_metadata && !l.metadata {
            return Vec::new();
        }
        let candidates = match descendants {
            true => self.descendants(from),
            false => self.children(from).to_vec(),
        };
        candidates
            .into_iter()
            .filter(|k| {
                let Some(n) = self.objs.get(k) else {
                    return false;
                };
                let leaf = n.children.is_empty();
                let unwanted = (l.leaves && !leaf) || (l.no_leaves && leaf);
                !unwanted && keep(&n.def)
            })
            .collect()
    }

    /// testDomainSnapshotDelete and testDomainCheckpointDelete: the moment (unless
    /// `children_only`) and, with `children` or `children_only`, its descendants; otherwise its
    /// children move to its parent. A deleted current moment hands "current" to its parent; one
    /// among the deleted descendants hands it to the moment itself.
    pub fn delete(&mut self, name: &str, children: bool, children_only: bool) {
        let parent = self
            .get(name)
            .and_then(|d| d.parent_name())
            .map(str::to_string);
        if children || children_only {
            let mut was_current = false;
            for k in self.descendants(Some(name)) {
                was_current |= self.remove(&k);
            }
            if was_current {
                self.set_current(Some(name));
            }
        } else if self.child_count(name) > 0 {
            self.move_children_to_parent(name);
        }
        if children_only {
            self.drop_children(name);
            return;
        }
        self.drop_parent(name);
        if self.current() == Some(name) {
            let parent = parent.filter(|p| self.objs.contains_key(p));
            self.set_current(parent.as_deref());
        }
        self.remove(name);
    }

    /// virDomainMomentUpdateRelations: every moment of `order` linked under the parent it names;
    /// one whose parent is missing or would close a cycle becomes a root, and then no moment is
    /// current and the answer is false.
    pub fn update_relations(&mut self, order: &[String]) -> bool {
        let mut consistent = true;
        for name in order {
            let parent = self
                .get(name)
                .and_then(|d| d.parent_name())
                .map(str::to_string);
            let linked = match parent {
                None => None,
                Some(p) if !self.objs.contains_key(&p) => {
                    consistent = false;
                    None
                }
                Some(p) if self.ancestry(&p).any(|a| a == *name) => {
                    consistent = false;
                    None
                }
                Some(p) => Some(p),
            };
            if let Some(kids) = self.children_mut(linked.as_deref()) {
                kids.insert(0, name.clone());
            }
            if let Some(n) = self.objs.get_mut(name) {
                n.parent = linked;
            }
        }
        if !consistent {
            self.current = None;
        }
        consistent
    }

    /// `from` and the moments above it by their parent names (at most as many as there are).
    fn ancestry<'a>(&'a self, from: &str) -> impl Iterator<Item = String> + 'a {
        let mut next = Some(from.to_string());
        std::iter::from_fn(move || {
            let here = next.take()?;
            next = self
                .get(&here)
                .and_then(|d| d.parent_name())
                .map(str::to_string);
            Some(here)
        })
        .take(self.objs.len() + 1)
    }

    /// virDomainMomentCheckCycles: a redefinition's parent exists and is not its descendant.
    pub fn check_cycles(&self, def: &D) -> Result<()> {
        let Some(parent) = def.parent_name() else {
            return Ok(());
        };
        let name = def.name();
        if parent == name {
            return Err(invalid_arg(format!(
                "cannot set moment {name} as its own parent"
            )));
        }
        let Some(mut other) = self.objs.get(parent) else {
            return Err(invalid_arg(format!(
                "parent {parent} for moment {name} not found"
            )));
        };
        while let Some(up) = other.def.parent_name() {
            if up == name {
                return Err(invalid_arg(format!(
                    "parent {} would create cycle to {name}",
                    other.def.name()
                )));
            }
            match self.objs.get(up) {
                Some(n) => other = n,
                None => break,
            }
        }
        Ok(())
    }
}

fn invalid_arg(text: String) -> Error {
    Error::with(VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, text)
}

/// The domain a moment keeps: the definition a revert restores, its disks as (target, source),
/// and its XML as the moment shows it.
#[derive(Clone, Debug)]
pub(super) struct MomentDomain {
    pub def: DomainDef,
    pub disks: Vec<(String, String)>,
    pub xml: String,
}

impl MomentDomain {
    /// The domain as it is now (virDomainDefCopy of the live definition).
    pub fn of(dom: &super::Dom) -> MomentDomain {
        MomentDomain {
            def: dom.def.clone(),
            disks: dom.extras.disks.clone(),
            xml: dom.moment_xml(),
        }
    }

    /// A domain a redefinition carries.
    pub fn parsed(def: DomainDef) -> MomentDomain {
        MomentDomain {
            disks: def
                .disks
                .iter()
                .map(|k| (k.target.clone(), k.source.clone()))
                .collect(),
            xml: crate::domain::xml::format(&def, None),
            def,
        }
    }
}

/// A domain's snapshots and checkpoints.
#[derive(Default)]
pub(super) struct Moments {
    pub snapshots: MomentTree<super::snapshot::SnapshotDef>,
    pub checkpoints: MomentTree<super::checkpoint::CheckpointDef>,
}
super::sparse::shared_default!(Moments);

/// XML text escaped as libvirt's virBufferEscapeString does.
pub(super) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\'' => o.push_str("&apos;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

/// `text` indented by two spaces a line, as libvirt nests a domain's XML in a moment's.
pub(super) fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// libvirt's virXPathString on a child element: its text, or None when absent or empty.
pub(super) fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    let c = node
        .children()
        .find(|c| c.is_element() && c.has_tag_name(name))?;
    let text: String = c
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    (!text.is_empty()).then_some(text)
}

/// The seconds since the epoch (a moment's creationTime).
pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The public layer's VIR_EXCLUSIVE_FLAGS check: `a` and `b` (bit, name) not both in `flags`.
pub(super) fn exclusive(
    (function, from): (&str, i32),
    flags: u32,
    a: (u32, &str),
    b: (u32, &str),
) -> Result<()> {
    match flags & a.0 != 0 && flags & b.0 != 0 {
        true => Err(Error::invalid_arg(
            from,
            function,
            "ctl",
            format!("Flags '{}' and '{}' are mutually exclusive", a.1, b.1),
        )),
        false => Ok(()),
    }
}

/// The public layer's VIR_REQUIRE_FLAG check: `by` (bit, name) in `flags` needs `needed`.
pub(super) fn required(
    (function, from): (&str, i32),
    flags: u32,
    needed: (u32, &str),
    by: (u32, &str),
) -> Result<()> {
    match flags & by.0 != 0 && flags & needed.0 == 0 {
        true => Err(Error::invalid_arg(
            from,
            function,
            "ctl",
            format!("Flag '{}' is required by flag '{}'", needed.1, by.1),
        )),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct M(String, Option<String>);

    impl MomentDef for M {
        fn name(&self) -> &str {
            &self.0
        }
        fn parent_name(&self) -> Option<&str> {
            self.1.as_deref()
        }
        fn set_parent_name(&mut self, parent: Option<String>) {
            self.1 = parent;
        }
    }

    /// a <- b <- c, a <- d: children newest first, as libvirt links them.
    fn tree() -> MomentTree<M> {
        let mut t = MomentTree::default();
        for (name, parent) in [
            ("a", None),
            ("b", Some("a")),
            ("c", Some("b")),
            ("d", Some("a")),
        ] {
            t.assign(M(name.into(), parent.map(str::to_string)))
                .unwrap();
            t.link_parent(name);
        }
        t.set_current(Some("d"));
        t
    }

    fn all(t: &MomentTree<M>) -> Vec<String> {
        t.names(None, Listing::default(), |_| true)
    }

    #[test]
    fn topological_order_lists_newest_siblings_first() {
        assert_eq!(all(&tree()), ["a", "d", "b", "c"]);
        let roots = Listing {
            roots_or_descendants: true,
            ..Default::default()
        };
        assert_eq!(tree().names(None, roots, |_| true), ["a"]);
        let leaves = Listing {
            leaves: true,
            ..Default::default()
        };
        assert_eq!(tree().names(None, leaves, |_| true), ["d", "c"]);
    }

    #[test]
    fn delete_moves_children_to_the_parent_and_current_up() {
        let mut t = tree();
        t.delete("b", false, false);
        assert_eq!(all(&t), ["a", "c", "d"]);
        assert_eq!(t.get("c").unwrap().1.as_deref(), Some("a"));
        t.delete("d", false, false);
        assert_eq!(t.current(), Some("a"));
    }

    #[test]
    fn delete_children_only_keeps_the_moment_and_takes_current() {
        let mut t = tree();
        t.delete("a", false, true);
        assert_eq!(all(&t), ["a"]);
        assert_eq!(t.current(), Some("a"));
    }

    #[test]
    fn redefinitions_may_not_close_a_cycle() {
        let t = tree();
        let err = |m: M| t.check_cycles(&m).unwrap_err().message;
        assert!(err(M("a".into(), Some("c".into()))).contains("parent b would create cycle to a"));
        assert!(err(M("x".into(), Some("x".into()))).contains("as its own parent"));
        assert!(err(M("x".into(), Some("y".into()))).contains("parent y for moment x not found"));
        assert!(t.check_cycles(&M("x".into(), Some("c".into()))).is_ok());
    }

    #[test]
    fn inconsistent_relations_leave_no_current() {
        let mut t = MomentTree::default();
        t.assign(M("a".into(), Some("ghost".into()))).unwrap();
        t.set_current(Some("a"));
        assert!(!t.update_relations(&["a".to_string()]));
        assert_eq!(t.current(), None);
        assert_eq!(all(&t), ["a"]);
    }
}
