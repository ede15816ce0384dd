//! Domain XML: parse the parts of libvirt's schema we act on, with libvirt's errors, and write it
//! back. Elements that describe devices are kept by name so a driver can refuse what it cannot
//! create instead of dropping it silently.

use crate::ctext;
use crate::domain::devices::Element;
use crate::domain::uuid;
use crate::error::{
    Error, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_NO_NAME, VIR_ERR_XML_DETAIL, VIR_ERR_XML_ERROR,
    VIR_FROM_DOMAIN,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disk {
    pub source: String,
    pub format: String,
    pub target: String,
    pub readonly: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainDef {
    pub virt_type: String,
    pub name: String,
    pub uuid: [u8; 16],
    pub memory_kib: u64,
    pub current_memory_kib: u64,
    /// The most vCPUs the guest may have (`<vcpu>`'s value).
    pub vcpus: u32,
    /// Each of them: online or not, hot-pluggable or not (`current=`, `<vcpus>`).
    pub vcpu_states: super::vcpus::VcpuStates,
    pub os_type: String,
    pub arch: Option<String>,
    pub machine: Option<String>,
    pub emulator: Option<String>,
    pub on_poweroff: String,
    pub on_reboot: String,
    pub on_crash: String,
    pub disks: Vec<Disk>,
    /// `<serial type='file'><source path=.../>`: the guest console logged to a file.
    pub serial_log: Option<String>,
    /// Device elements this crate does not understand, by element name, in document order.
    pub unknown_devices: Vec<String>,
    /// Other elements that would change what the guest is and that we do not act on, as
    /// `<parent><child>` paths, in document order (a driver that runs guests refuses them).
    pub unsupported_elements: Vec<String>,
    /// `<os firmware=...>`.
    pub os_firmware: Option<String>,
    /// The children of `<os>` other than `<type>` (boot, bootmenu, smbios...), as written.
    pub os_extras: Vec<Element>,
    /// The top-level elements this module does not model (features, cpu, clock, pm, sysinfo,
    /// iothreads...), as written, in document order: a driver reads what it acts on from them.
    pub extras: Vec<Element>,
    /// Every child of `<devices>` but `<emulator>`, as written, in document order.
    pub devices: Vec<Element>,
}

/// Where the XML came from, for libvirt's `(domain_definition):LINE:` prefix.
const SOURCE: &str = "(domain_definition)";

fn xml_error(info: impl AsRef<str>) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, info)
}

/// Not well-formed: code 35 with the line, the offending text and a caret, as libvirt shows it.
fn detail_error(text: &str, e: &roxmltree::Error) -> Error {
    not_well_formed(SOURCE, VIR_FROM_DOMAIN, text, e)
}

/// libvirt's diagnostic for `text`, read from `source` (a file name, or a name in parentheses),
/// in error domain `from`.
pub fn not_well_formed(source: &str, from: i32, text: &str, e: &roxmltree::Error) -> Error {
    let (row, what, line, caret) = super::xml_diag::describe(text, e);
    let msg = format!("{source}:{row}: {what}\n{line}\n{}^", "-".repeat(caret));
    Error::with(VIR_ERR_XML_DETAIL, from, msg)
}

/// `<memory unit='...'>N</memory>` in KiB, rounded up as libvirt does.
fn scaled_kib(value: &str, unit: Option<&str>, xpath: &str) -> Result<u64, Error> {
    let n: u64 = value.trim().parse().map_err(|_| {
        Error::with(
            VIR_ERR_XML_ERROR,
            crate::error::VIR_FROM_XML,
            format!(
                "Invalid value '{}' for element or attribute '{xpath}'",
                value.trim()
            ),
        )
    })?;
    let mult: u64 = match unit.unwrap_or("KiB") {
        "b" | "bytes" => 1,
        "KB" => 1000,
        "k" | "K" | "KiB" => 1024,
        "MB" => 1_000_000,
        "M" | "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "G" | "GiB" => 1 << 30,
        "TB" => 1_000_000_000_000,
        "T" | "TiB" => 1 << 40,
        other => return Err(xml_error(format!("unknown suffix '{other}'"))),
    };
    let bytes = n.checked_mul(mult).ok_or_else(|| {
        Error::with(
            crate::error::VIR_ERR_OVERFLOW,
            VIR_FROM_DOMAIN,
            "value too large",
        )
    })?;
    Ok(bytes.div_ceil(1024))
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: Option<roxmltree::Node>) -> Option<String> {
    n.map(|n| n.text().unwrap_or("").trim().to_string())
}

/// Bytes from C that are not UTF-8 (crate::ctext): libxml2 stops at the first one, naming it and
/// the three bytes after it, with the line it is on and a caret under it.
fn not_utf8_error(text: &str) -> Option<Error> {
    let at = text
        .char_indices()
        .find(|(_, c)| ctext::raw_byte(*c).is_some())?
        .0;
    let bytes = ctext::encode(text);
    let pos = ctext::encode(&text[..at]).len();
    let line_start = bytes[..pos]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = bytes[pos..]
        .iter()
        .position(|b| *b == b'\n' || *b == b'\r')
        .map_or(bytes.len(), |i| pos + i);
    let row = bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1;
    let shown: Vec<String> = bytes[pos..]
        .iter()
        .chain(std::iter::repeat(&0))
        .take(4)
        .map(|b| format!("0x{b:02X}"))
        .collect();
    let line = ctext::decode(&bytes[line_start..line_end]).into_owned();
    let msg = format!(
        "{SOURCE}:{row}: Input is not proper UTF-8, indicate encoding !\nBytes: {}\n{line}\n{}^",
        shown.join(" "),
        "-".repeat(pos - line_start)
    );
    Some(Error::with(VIR_ERR_XML_DETAIL, VIR_FROM_DOMAIN, msg))
}

/// Every `<domain type=...>` libvirt 9.0 knows (virDomainVirtType); a driver may still refuse one.
pub(crate) const VIRT_TYPES: &[&str] = &[
    "none",
    "qemu",
    "kqemu",
    "kvm",
    "xen",
    "lxc",
    "uml",
    "openvz",
    "test",
    "vmware",
    "hyperv",
    "vbox",
    "phyp",
    "parallels",
    "bhyve",
    "vz",
    "hvf",
];

/// The root's `type`: missing (or empty) is an internal error, an unknown one unsupported, as the
/// reference's parser says for every driver.
fn virt_type(root: roxmltree::Node) -> Result<String, Error> {
    let t = root
        .attribute("type")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::internal(VIR_FROM_DOMAIN, "missing domain type attribute"))?;
    if !VIRT_TYPES.contains(&t) {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_DOMAIN,
            format!("invalid domain type {t}"),
        ));
    }
    Ok(t.to_string())
}

/// Parse a domain definition. Errors are libvirt's: 35 when not well-formed, 27 for a wrong
/// root or a bad value, 21 when the name is missing.
pub fn parse(text: &str) -> Result<DomainDef, Error> {
    parse_with(text, no_driver_rules)
}

/// A driver's own post-parse rules, checked before the common ones (libvirt's
/// domainPostParseCallback).
pub type DriverRules = fn(&DomainDef) -> Result<(), Error>;

fn no_driver_rules(_: &DomainDef) -> Result<(), Error> {
    Ok(())
}

/// [`parse`], with a driver's post-parse rules.
pub fn parse_with(text: &str, rules: DriverRules) -> Result<DomainDef, Error> {
    if let Some(e) = not_utf8_error(text) {
        return Err(e);
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| detail_error(text, &e))?;
    parse_element_with(doc.root_element(), rules)
}

/// Parse a domain definition that is an element of a larger document (a test driver node file).
pub fn parse_element<'a>(root: roxmltree::Node<'a, 'a>) -> Result<DomainDef, Error> {
    parse_element_with(root, no_driver_rules)
}

fn parse_element_with<'a>(
    root: roxmltree::Node<'a, 'a>,
    rules: DriverRules,
) -> Result<DomainDef, Error> {
    if root.tag_name().name() != "domain" {
        return Err(Error::with(
            VIR_ERR_XML_ERROR,
            crate::error::VIR_FROM_XML,
            format!(
                "expecting root element of 'domain', not '{}'",
                root.tag_name().name()
            ),
        ));
    }
    let virt_type = virt_type(root)?;
    let name = text_of(child(root, "name")).filter(|n| !n.is_empty());
    let Some(name) = name else {
        return Err(Error::new(VIR_ERR_NO_NAME, VIR_FROM_DOMAIN, None));
    };
    if name.contains('/') {
        return Err(xml_error(format!("name {name} cannot contain '/'")));
    }
    let uuid = match text_of(child(root, "uuid")) {
        Some(u) => uuid::parse(&u)
            .ok_or_else(|| Error::internal(VIR_FROM_DOMAIN, "malformed uuid element"))?,
        None => uuid::generate(),
    };
    let os = child(root, "os");
    let os_type_node = os.and_then(|o| child(o, "type"));
    let os_type = text_of(os_type_node)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| xml_error("an os <type> must be specified"))?;
    let memory = child(root, "memory")
        .map(|m| scaled_kib(m.text().unwrap_or(""), m.attribute("unit"), "./memory[1]"))
        .transpose()?;
    let Some(memory_kib) = memory.filter(|m| *m > 0) else {
        return Err(xml_error(
            "Memory size must be specified via <memory> or in the <numa> configuration",
        ));
    };
    let current = child(root, "currentMemory")
        .map(|m| {
            scaled_kib(
                m.text().unwrap_or(""),
                m.attribute("unit"),
                "./currentMemory[1]",
            )
        })
        .transpose()?
        .filter(|c| *c > 0 && *c <= memory_kib)
        .unwrap_or(memory_kib);
    let vcpus = match text_of(child(root, "vcpu")) {
        Some(v) => v.parse::<u32>().ok().filter(|v| *v > 0).ok_or_else(|| {
            Error::internal(VIR_FROM_DOMAIN, "CPU IDs in <numa> exceed the <vcpu> count")
        })?,
        None => 1,
    };
    let arch = os_type_node
        .and_then(|t| t.attribute("arch"))
        .map(str::to_string);
    let machine = os_type_node
        .and_then(|t| t.attribute("machine"))
        .map(str::to_string);
    let lifecycle =
        |el: &str, default: &str| text_of(child(root, el)).unwrap_or_else(|| default.to_string());
    let mut def = DomainDef {
        virt_type,
        name,
        uuid,
        memory_kib,
        current_memory_kib: current,
        vcpus,
        vcpu_states: super::vcpus::VcpuStates::parse(
            child(root, "vcpu"),
            child(root, "vcpus"),
            vcpus,
        )?,
        os_type,
        arch,
        machine,
        emulator: None,
        on_poweroff: lifecycle("on_poweroff", "destroy"),
        on_reboot: lifecycle("on_reboot", "restart"),
        on_crash: lifecycle("on_crash", "destroy"),
        disks: Vec::new(),
        serial_log: None,
        unknown_devices: Vec::new(),
        unsupported_elements: unsupported_elements(root),
        os_firmware: os.and_then(|o| o.attribute("firmware")).map(str::to_string),
        os_extras: os
            .map(|o| {
                o.children()
                    .filter(|c| c.is_element() && c.tag_name().name() != "type")
                    .map(Element::from_node)
                    .collect()
            })
            .unwrap_or_default(),
        extras: root
            .children()
            .filter(|c| c.is_element() && !MODELLED.contains(&c.tag_name().name()))
            .map(|c| {
                let mut e = Element::from_node(c);
                if e.name == "metadata" {
                    // libvirt keeps metadata as libxml2 writes it.
                    e.children = e.children.into_iter().map(Element::double_quoted).collect();
                }
                e
            })
            .collect(),
        devices: Vec::new(),
    };
    if let Some(devs) = child(root, "devices") {
        for d in devs.children().filter(|c| c.is_element()) {
            if d.tag_name().name() != "emulator" {
                def.devices.push(Element::from_node(d));
            }
            match d.tag_name().name() {
                "emulator" => def.emulator = text_of(Some(d)),
                "disk" => match parse_disk(d) {
                    Some(disk) => def.disks.push(disk),
                    None => def.unknown_devices.push("disk".to_string()),
                },
                "serial" | "console" if d.attribute("type") == Some("file") => {
                    def.serial_log = child(d, "source")
                        .and_then(|s| s.attribute("path"))
                        .map(str::to_string)
                }
                "memballoon" if d.attribute("model") == Some("none") => {}
                other => def.unknown_devices.push(other.to_string()),
            }
        }
    }
    super::graphics_auth::normalize(&mut def)?;
    rules(&def)?;
    def.vcpu_states.post_parse()?;
    Ok(def)
}

/// The top-level elements read into DomainDef's own fields.
const MODELLED: &[&str] = &[
    "name",
    "uuid",
    "memory",
    "currentMemory",
    "vcpu",
    "vcpus",
    "os",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "devices",
];

/// Elements outside `<devices>` that change the guest and that we do not act on. Descriptive
/// elements (title, description, metadata) and what we implement or what is qemu's default anyway
/// (ACPI, APIC, PAE, a UTC clock, booting from the first disk) pass.
fn unsupported_elements(root: roxmltree::Node) -> Vec<String> {
    let mut out = Vec::new();
    for el in root.children().filter(|c| c.is_element()) {
        let name = el.tag_name().name();
        match name {
            "name" | "uuid" | "title" | "description" | "metadata" | "memory" | "currentMemory"
            | "vcpu" | "on_poweroff" | "on_reboot" | "on_crash" | "devices" => {}
            "os" => {
                for c in el.children().filter(|c| c.is_element()) {
                    match c.tag_name().name() {
                        "type" => {}
                        "boot" if c.attribute("dev") == Some("hd") => {}
                        other => out.push(format!("<os><{other}>")),
                    }
                }
            }
            "features" => {
                for c in el.children().filter(|c| c.is_element()) {
                    match c.tag_name().name() {
                        "acpi" | "apic" | "pae" => {}
                        other => out.push(format!("<features><{other}>")),
                    }
                }
            }
            "clock" => {
                if el.attribute("offset").is_some_and(|o| o != "utc")
                    || el.children().any(|c| c.is_element())
                {
                    out.push("<clock> other than offset='utc'".to_string());
                }
            }
            "seclabel" if el.attribute("type") == Some("none") => {}
            other => out.push(format!("<{other}>")),
        }
    }
    out
}

fn parse_disk(d: roxmltree::Node) -> Option<Disk> {
    if d.attribute("type") != Some("file")
        || d.attribute("device")
            .is_some_and(|v| v != "disk" && v != "cdrom")
    {
        return None;
    }
    let source = child(d, "source")?.attribute("file")?.to_string();
    let format = child(d, "driver")
        .and_then(|x| x.attribute("type"))
        .unwrap_or("raw")
        .to_string();
    if format != "raw" && format != "qcow2" {
        return None;
    }
    let target = child(d, "target")?.attribute("dev")?.to_string();
    let readonly = child(d, "readonly").is_some() || d.attribute("device") == Some("cdrom");
    Some(Disk {
        source,
        format,
        target,
        readonly,
    })
}

/// Text escaped for an XML attribute value quoted with `'` or for element content.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
}

/// What a driver keeps beside a definition and shows in its XML (the test driver's title,
/// description, metadata, vcpu counts and pinning, and the defaults its parser fills in).
#[derive(Debug, Clone, Default)]
pub struct Shown {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The children of `<metadata>`, each written already (indented by four spaces).
    pub metadata: Vec<String>,
    /// The maximum vcpus when the driver keeps them apart from the definition.
    pub max_vcpus: Option<u32>,
    /// The vcpus online when fewer than the maximum.
    pub current_vcpus: Option<u32>,
    /// The children of `<cputune>`, each written already (indented by four spaces).
    pub cputune: Vec<String>,
    /// The architecture when the definition names none.
    pub default_arch: Option<String>,
    /// `<boot dev='hd'/>` and `<clock offset='utc'/>` when the definition has none, as libvirt's
    /// parser adds them.
    pub boot_and_clock: bool,
    /// The children of `<devices>` (but `<emulator>`), written already, when the driver formats
    /// them itself (the test driver's, as its reference completes them).
    pub devices: Option<String>,
    /// Elements written already (indented by two spaces) after `<currentMemory>` (blkiotune,
    /// memtune), after `<cputune>` (numatune) and after `<on_crash>` (perf).
    pub after_memory: String,
    pub after_cputune: String,
    /// Elements written already after `<os>` (features, cpu).
    pub after_os: String,
    pub after_lifecycle: String,
}

/// The definition written back as libvirt-style XML; `id` is the live id (None when inactive).
pub fn format(def: &DomainDef, id: Option<i32>) -> String {
    format_shown(def, id, &Shown::default())
}

/// [`format`] with what a driver keeps beside the definition.
pub fn format_shown(def: &DomainDef, id: Option<i32>, shown: &Shown) -> String {
    let mut x = String::new();
    match id {
        Some(id) => x.push_str(&format!(
            "<domain type='{}' id='{}'>\n",
            esc(&def.virt_type),
            id
        )),
        None => x.push_str(&format!("<domain type='{}'>\n", esc(&def.virt_type))),
    }
    x.push_str(&format!("  <name>{}</name>\n", esc(&def.name)));
    x.push_str(&format!("  <uuid>{}</uuid>\n", uuid::format(&def.uuid)));
    if let Some(t) = &shown.title {
        x.push_str(&format!("  <title>{}</title>\n", esc(t)));
    }
    if let Some(d) = &shown.description {
        x.push_str(&format!("  <description>{}</description>\n", esc(d)));
    }
    if !shown.metadata.is_empty() {
        x.push_str("  <metadata>\n");
        shown.metadata.iter().for_each(|m| x.push_str(m));
        x.push_str("  </metadata>\n");
    }
    x.push_str(&format!(
        "  <memory unit='KiB'>{}</memory>\n",
        def.memory_kib
    ));
    x.push_str(&format!(
        "  <currentMemory unit='KiB'>{}</currentMemory>\n",
        def.current_memory_kib
    ));
    x.push_str(&shown.after_memory);
    let max = shown.max_vcpus.unwrap_or(def.vcpus);
    let current = match shown.current_vcpus {
        Some(n) if n != max => format!(" current='{n}'"),
        _ => String::new(),
    };
    x.push_str(&format!(
        "  <vcpu placement='static'{current}>{max}</vcpu>\n"
    ));
    if !shown.cputune.is_empty() {
        x.push_str("  <cputune>\n");
        shown.cputune.iter().for_each(|m| x.push_str(m));
        x.push_str("  </cputune>\n");
    }
    x.push_str(&shown.after_cputune);
    x.push_str("  <os>\n    <type");
    if let Some(a) = def.arch.as_ref().or(shown.default_arch.as_ref()) {
        x.push_str(&format!(" arch='{}'", esc(a)));
    }
    if let Some(m) = &def.machine {
        x.push_str(&format!(" machine='{}'", esc(m)));
    }
    x.push_str(&format!(">{}</type>\n", esc(&def.os_type)));
    if shown.boot_and_clock {
        let boots: Vec<&Element> = def.os_extras.iter().filter(|e| e.name == "boot").collect();
        match boots.is_empty() {
            true => x.push_str("    <boot dev='hd'/>\n"),
            false => boots.iter().for_each(|b| b.write(&mut x, 4)),
        }
    }
    x.push_str("  </os>\n");
    x.push_str(&shown.after_os);
    if shown.boot_and_clock {
        match def.extras.iter().find(|e| e.name == "clock") {
            Some(c) => c.write(&mut x, 2),
            None => x.push_str("  <clock offset='utc'/>\n"),
        }
    }
    x.push_str(&format!(
        "  <on_poweroff>{}</on_poweroff>\n",
        esc(&def.on_poweroff)
    ));
    x.push_str(&format!(
        "  <on_reboot>{}</on_reboot>\n",
        esc(&def.on_reboot)
    ));
    x.push_str(&format!("  <on_crash>{}</on_crash>\n", esc(&def.on_crash)));
    x.push_str(&shown.after_lifecycle);
    x.push_str("  <devices>\n");
    if let Some(e) = &def.emulator {
        x.push_str(&format!("    <emulator>{}</emulator>\n", esc(e)));
    }
    if let Some(devices) = &shown.devices {
        x.push_str(devices);
        x.push_str("  </devices>\n</domain>\n");
        return x;
    }
    for d in &def.disks {
        x.push_str("    <disk type='file' device='disk'>\n");
        x.push_str(&format!(
            "      <driver name='qemu' type='{}'/>\n",
            esc(&d.format)
        ));
        x.push_str(&format!("      <source file='{}'/>\n", esc(&d.source)));
        x.push_str(&format!("      <target dev='{}'/>\n", esc(&d.target)));
        if d.readonly {
            x.push_str("      <readonly/>\n");
        }
        x.push_str("    </disk>\n");
    }
    if let Some(p) = &def.serial_log {
        x.push_str(&format!(
            "    <serial type='file'>\n      <source path='{}'/>\n    </serial>\n",
            esc(p)
        ));
    }
    x.push_str("  </devices>\n</domain>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_defaults() {
        let d = parse("<domain type='test'><name>a</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>")
            .unwrap();
        assert_eq!(
            (d.memory_kib, d.current_memory_kib, d.vcpus),
            (65536, 65536, 1)
        );
        let again = parse(&format(&d, None)).unwrap();
        assert_eq!(again, d);
    }

    #[test]
    fn reports_libvirt_errors() {
        let e = parse("<domain type='test'><name>bad").unwrap_err();
        assert_eq!((e.code, e.domain), (35, 20));
        assert!(
            e.message.starts_with("(domain_definition):1:"),
            "{}",
            e.message
        );
        assert_eq!(
            parse("<domain type='test'><memory>1</memory></domain>")
                .unwrap_err()
                .code,
            21
        );
        let e = parse("<notdomain/>").unwrap_err();
        assert_eq!(
            e.message,
            "XML error: expecting root element of 'domain', not 'notdomain'"
        );
        assert_eq!(
            parse("<domain type='test'><name>x</name></domain>")
                .unwrap_err()
                .code,
            27
        );
        let e = parse("<domain type='test'><name>x</name><memory>1</memory></domain>").unwrap_err();
        assert_eq!(e.message, "XML error: an os <type> must be specified");
    }
}
