//! Custom node files of the test driver (`test:///ABSOLUTE/PATH.xml`): the host's description,
//! the domains (inline, or `<domain file='relative.xml'/>` resolved beside the node file) and the
//! `<auth>` users, with the reference's errors for files that cannot be loaded.
//!
//! Networks, interfaces, storage pools and node devices are handed, as XML text, to the modules of
//! their families.

use crate::domain::{self, DomainDef};
use crate::error::{
    Error, Result, VIR_ERR_INTERNAL_ERROR, VIR_ERR_XML_ERROR, VIR_FROM_TEST, VIR_FROM_XML,
};

/// libvirt's virNodeInfo, as the test driver keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub model: String,
    pub memory_kib: u64,
    pub cpus: u32,
    pub mhz: u32,
    pub nodes: u32,
    pub sockets: u32,
    pub cores: u32,
    pub threads: u32,
}

/// The reference's host, before a node file changes it: 16 i686 CPUs at 1400 MHz, 3 GiB.
pub fn default_node_info() -> NodeInfo {
    NodeInfo {
        model: "i686".into(),
        memory_kib: 3 * 1024 * 1024,
        cpus: 16,
        mhz: 1400,
        nodes: 2,
        sockets: 2,
        cores: 2,
        threads: 2,
    }
}

/// One `<auth><user password='...'>name</user></auth>` entry; the password is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub password: Option<String>,
}

/// What a node file describes.
pub struct NodeFile {
    pub node_info: NodeInfo,
    pub domains: Vec<DomainDef>,
    /// Each domain's `<test:domainsnapshot>` definitions (snapshot.rs), beside `domains`.
    pub(super) snapshots: Vec<Vec<super::snapshot::NodeSnapshot>>,
    pub objects: NodeObjects,
    pub users: Vec<User>,
}

/// The XML text of each object a node file defines, inline or in a file beside it (`file=`), in
/// file order; the family's own module parses it.
#[derive(Default)]
pub struct NodeObjects {
    pub networks: Vec<String>,
    pub interfaces: Vec<String>,
    pub pools: Vec<String>,
    pub devices: Vec<String>,
}

/// virNodeInfo's model is a 32-byte C string.
const MODEL_CAPACITY: usize = 32;

fn xml_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_TEST, info)
}

/// The document at `path`, as libvirt's virXMLParse reads a file: a file that cannot be opened is
/// "failed to parse xml document"; one that is not well-formed names itself, the line and the spot.
fn read(path: &str) -> Result<String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        // libxml2 reads a directory as an empty document.
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Ok(String::new()),
        Err(_) => Err(xml_error(format!("failed to parse xml document '{path}'"))),
    }
}

fn parse<'t>(path: &str, text: &'t str) -> Result<roxmltree::Document<'t>> {
    roxmltree::Document::parse(text)
        .map_err(|e| domain::xml::not_well_formed(path, VIR_FROM_TEST, text, &e))
}

/// libvirt's testBuildFilename: `file` as it is when absolute, else beside `relative_to` (its
/// directory joined with a slash, unnormalised, as g_path_get_dirname gives it).
fn beside(relative_to: &str, file: &str) -> String {
    if file.starts_with('/') {
        return file.to_string();
    }
    let dir = match relative_to.trim_end_matches('/').rfind('/') {
        Some(0) => "/",
        Some(i) => &relative_to[..i],
        None => ".",
    };
    format!("{dir}/{file}")
}

/// Load the node file at `path` (the URI's path).
pub fn load(path: &str) -> Result<NodeFile> {
    let text = read(path)?;
    let doc = parse(path, &text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "node" {
        return Err(Error::with(
            VIR_ERR_XML_ERROR,
            VIR_FROM_XML,
            format!(
                "expecting root element of 'node', not '{}'",
                root.tag_name().name()
            ),
        ));
    }
    // The reference's order: the host, the domains, (the other objects,) the users.
    let node_info = parse_node_info(root)?;
    let (domains, snapshots) = parse_domains(path, root)?;
    let objects = NodeObjects {
        networks: element_texts(path, &text, root, "network")?,
        interfaces: element_texts(path, &text, root, "interface")?,
        pools: element_texts(path, &text, root, "pool")?,
        devices: element_texts(path, &text, root, "device")?,
    };
    let users = parse_users(root)?;
    Ok(NodeFile {
        node_info,
        domains,
        snapshots,
        objects,
        users,
    })
}

fn elements<'a, 'i>(
    parent: roxmltree::Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    parent
        .children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// XPath's string(): the text of every descendant, in order.
fn string_value(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// The string value of `/node/PATH[1]` (the first match in document order), None when absent.
fn first_at(root: roxmltree::Node, path: &[&'static str]) -> Option<String> {
    let (last, parents) = path.split_last()?;
    let mut found = vec![root];
    for step in parents {
        found = found.into_iter().flat_map(|n| elements(n, step)).collect();
    }
    found
        .into_iter()
        .find_map(|n| elements(n, last).next())
        .map(string_value)
}

/// The reference's virXPathUInt/virXPathULong on `/node/PATH[1]`: Ok(None) when absent or
/// empty; `invalid node WHAT value` unless it is a whole unsigned decimal number that fits
/// (leading blanks and a `+` allowed, a `-` refused).
fn unsigned_at<T: std::str::FromStr>(
    root: roxmltree::Node,
    path: &[&'static str],
    what: &str,
) -> Result<Option<T>> {
    let Some(s) = first_at(root, path).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let number = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    if number.starts_with('-') {
        return Err(xml_error(format!("invalid node {what} value")));
    }
    number
        .parse::<T>()
        .map(Some)
        .map_err(|_| xml_error(format!("invalid node {what} value")))
}

/// testParseNodeInfo: each value given replaces the default; the CPU count is the product of the
/// topology (wrapping as the reference's unsigned ints do), lowered to `<active>` when that is
/// smaller.
fn parse_node_info(root: roxmltree::Node) -> Result<NodeInfo> {
    let mut info = default_node_info();
    let field = |name: &'static str, what: &str| unsigned_at::<u32>(root, &["cpu", name], what);
    if let Some(v) = field("nodes", "cpu nodes")? {
        info.nodes = v;
    }
    if let Some(v) = field("sockets", "cpu sockets")? {
        info.sockets = v;
    }
    if let Some(v) = field("cores", "cpu cores")? {
        info.cores = v;
    }
    if let Some(v) = field("threads", "cpu threads")? {
        info.threads = v;
    }
    info.cpus = info
        .cores
        .wrapping_mul(info.threads)
        .wrapping_mul(info.sockets)
        .wrapping_mul(info.nodes);
    if let Some(v) = field("active", "cpu active")? {
        info.cpus = info.cpus.min(v);
    }
    if let Some(v) = field("mhz", "cpu mhz")? {
        info.mhz = v;
    }
    if let Some(model) = first_at(root, &["cpu", "model"]).filter(|m| !m.is_empty()) {
        if model.len() >= MODEL_CAPACITY {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_TEST,
                format!("Model {model} too big for destination"),
            ));
        }
        info.model = model;
    }
    if let Some(v) = unsigned_at::<u64>(root, &["memory"], "memory")? {
        info.memory_kib = v;
    }
    Ok(info)
}

/// The test driver's namespace for what its domains carry beyond libvirt's schema.
const TEST_NAMESPACE: &str = "http://libvirt.org/schemas/domain/test/1.0";

type Domains = (Vec<DomainDef>, Vec<Vec<super::snapshot::NodeSnapshot>>);

/// testParseDomains: each `<domain>`, or the file its `file` attribute names, with its snapshots.
fn parse_domains(path: &str, root: roxmltree::Node) -> Result<Domains> {
    let (mut defs, mut snapshots) = (Vec::new(), Vec::new());
    for node in elements(root, "domain") {
        let (def, snaps) = match node.attribute("file") {
            Some(file) => {
                let referenced = beside(path, file);
                let text = read(&referenced)?;
                let doc = parse(&referenced, &text)?;
                let def = domain::xml::parse_element(doc.root_element())?;
                (def, parse_snapshots(path, doc.root_element())?)
            }
            None => (
                domain::xml::parse_element(node)?,
                parse_snapshots(path, node)?,
            ),
        };
        defs.push(def);
        snapshots.push(snaps);
    }
    Ok((defs, snapshots))
}

/// A domain's `<test:domainsnapshot>` elements, inline or from the file their `file` names.
fn parse_snapshots(
    path: &str,
    domain: roxmltree::Node,
) -> Result<Vec<super::snapshot::NodeSnapshot>> {
    let nodes = domain
        .children()
        .filter(|c| c.is_element() && c.has_tag_name((TEST_NAMESPACE, "domainsnapshot")));
    let mut out = Vec::new();
    for node in nodes {
        let snapshot = match node.attribute("file") {
            Some(file) => {
                let referenced = beside(path, file);
                let text = read(&referenced)?;
                let doc = parse(&referenced, &text)?;
                super::snapshot::parse_node_file_snapshot(doc.root_element())?
            }
            None => super::snapshot::parse_node_file_snapshot(node)?,
        };
        out.push(snapshot);
    }
    Ok(out)
}

/// The text of each `<name>` element of the node: its own source, or the file its `file=` names.
fn element_texts(
    path: &str,
    text: &str,
    root: roxmltree::Node,
    name: &'static str,
) -> Result<Vec<String>> {
    elements(root, name)
        .map(|node| match node.attribute("file") {
            Some(file) => read(&beside(path, file)),
            None => Ok(text[node.range()].to_string()),
        })
        .collect()
}

/// testParseAuthUsers: every `<auth><user>` needs a name; its password is optional.
fn parse_users(root: roxmltree::Node) -> Result<Vec<User>> {
    let mut users = Vec::new();
    for auth in elements(root, "auth") {
        for user in elements(auth, "user") {
            let name = string_value(user);
            if name.is_empty() {
                return Err(xml_error("missing username in /node/auth/user field"));
            }
            users.push(User {
                name,
                password: user.attribute("password").map(str::to_string),
            });
        }
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beside_the_node_file() {
        assert_eq!(beside("/a/b/node.xml", "d.xml"), "/a/b/d.xml");
        assert_eq!(beside("/a/node.xml", "../x/d.xml"), "/a/../x/d.xml");
        assert_eq!(beside("/node.xml", "d.xml"), "//d.xml");
        assert_eq!(beside("/a/node.xml", "/abs.xml"), "/abs.xml");
    }

    fn info(xml: &str) -> Result<NodeInfo> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        parse_node_info(doc.root_element())
    }

    #[test]
    fn node_info() {
        assert_eq!(info("<node/>").unwrap(), default_node_info());
        let i = info(
            "<node><cpu><nodes>1</nodes><sockets>2</sockets><cores>4</cores><threads>2</threads>\
             <active>12</active><mhz>2000</mhz><model>m</model></cpu><memory> 42</memory></node>",
        )
        .unwrap();
        assert_eq!(
            (i.cpus, i.mhz, i.model.as_str(), i.memory_kib),
            (12, 2000, "m", 42)
        );
        let e = info("<node><cpu><cores>4 </cores></cpu></node>").unwrap_err();
        assert_eq!(e.str2.as_deref(), Some("invalid node cpu cores value"));
        let e = info("<node><memory>-1</memory></node>").unwrap_err();
        assert_eq!(e.str2.as_deref(), Some("invalid node memory value"));
        let e = info("<node><cpu><mhz>4294967296</mhz></cpu></node>").unwrap_err();
        assert_eq!(e.str2.as_deref(), Some("invalid node cpu mhz value"));
        assert_eq!(
            info("<node><cpu><mhz>+7</mhz></cpu></node>").unwrap().mhz,
            7
        );
    }

    #[test]
    fn users() {
        let doc = roxmltree::Document::parse(
            "<node><auth><user password='p'>a</user><user>b</user></auth></node>",
        )
        .unwrap();
        let u = parse_users(doc.root_element()).unwrap();
        assert_eq!(u[0].password.as_deref(), Some("p"));
        assert_eq!((u[1].name.as_str(), u[1].password.as_deref()), ("b", None));
    }
}
