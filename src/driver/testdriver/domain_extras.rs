//! The test driver's domain functions beyond the lifecycle (autostart, metadata, vcpus and pinning,
//! memory, scheduler), as the reference's test driver answers them (src/test/test_driver.c), and
//! the per-domain state they keep beside the definition.

use super::sparse::{shared_default, Sparse};
use super::{check_flags, Dom, TestDriver};
use crate::api::{
    DomainMemoryModFlags, DomainMetadataType, DomainModificationImpact, DomainVcpuFlags, NoFlags,
    TypedParameterFlags, VcpuState,
};
use crate::domain::xml::Shown;
use crate::domain::{DomainDef, DomainRef};
use crate::driver::family::{
    check_get_metadata_args, check_live_config_exclusive, check_positive, check_set_metadata_args,
    check_vcpu_pin_info_args, public_invalid_arg, CpuMaps, SchedulerType, TypedParams, TypedValue,
    VcpuInfo, Vcpus,
};
use crate::error::{
    Error, Result, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_ERR_NO_DOMAIN_METADATA,
    VIR_FROM_DOMAIN, VIR_FROM_TEST,
};

/// What a definition holds that our DomainDef does not: vcpu counts, and the details and tunables
/// most definitions never set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DefExtras {
    max_vcpus: u32,
    vcpus: u32,
    details: Sparse<DefDetails>,
    /// The typed-parameter tunables (domain_params.rs).
    pub(super) tune: Sparse<super::domain_params::Tunables>,
}

/// Title, description, metadata elements and pinning.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct DefDetails {
    title: Option<String>,
    description: Option<String>,
    /// (namespace URI, prefix, the element as text), in the order they were set.
    elements: Vec<(String, String, String)>,
    /// Each vcpu's pinning (a CPU bitmap), when set.
    vcpu_pins: Vec<Option<Vec<u8>>>,
    emulator_pin: Option<Vec<u8>>,
}
shared_default!(DefDetails);

impl DefExtras {
    pub(super) fn of(def: &DomainDef) -> DefExtras {
        let text = |name: &str| {
            def.extras
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.text.clone())
                .filter(|t| !t.is_empty())
        };
        let (title, description) = (text("title"), text("description"));
        let mut x = DefExtras {
            max_vcpus: def.vcpus,
            vcpus: def.vcpus,
            ..Default::default()
        };
        if title.is_some() || description.is_some() {
            x.details.title = title;
            x.details.description = description;
        }
        x
    }
}

/// A domain's state beyond its definition: the live and persistent extras, autostart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extras {
    autostart: bool,
    /// The guest's clock (virDomainGetTime/SetTime), which also drives the fake control state.
    pub(super) time: (i64, u32),
    /// Whether "/" and "/boot" are frozen (virDomainFSFreeze).
    pub(super) frozen: [bool; 2],
    pub(super) managed_save: bool,
    /// Whether the definition has a memory balloon (virDomainMemoryStats needs one).
    pub(super) memballoon: bool,
    /// The disks as (target, source), for the statistics and block calls.
    pub(super) disks: Vec<(String, String)>,
    /// The network interfaces as (device name, MAC address).
    pub(super) nets: Vec<(String, String)>,
    config: DefExtras,
    /// While the domain runs: the live definition's extras (a copy of the persistent ones at start).
    live: Option<DefExtras>,
}

impl Extras {
    pub fn new(def: &DomainDef) -> Extras {
        Extras {
            autostart: false,
            time: (INITIAL_TIME, 0),
            frozen: [false; 2],
            managed_save: false,
            memballoon: def.unknown_devices.iter().any(|d| d == "memballoon"),
            disks: disks_of(def),
            nets: nets_of(def),
            config: DefExtras::of(def),
            live: None,
        }
    }
    /// A domain created running.
    pub fn running(def: &DomainDef) -> Extras {
        let mut x = Extras::new(def);
        x.start();
        x
    }
    pub fn start(&mut self) {
        self.managed_save = false;
        self.live = Some(self.config.clone());
    }
    pub fn stop(&mut self) {
        self.live = None;
    }
    /// A new persistent definition replaces the old one.
    pub fn define(&mut self, def: &DomainDef) {
        self.config = DefExtras::of(def);
        self.disks = disks_of(def);
        self.nets = nets_of(def);
    }
    /// A running domain runs `def` (a definition it was started with, not its persistent one).
    pub fn run(&mut self, def: &DomainDef) {
        self.live = Some(DefExtras::of(def));
        self.disks = disks_of(def);
        self.nets = nets_of(def);
    }
    /// The definition virDomainGetInfo reads: the live one while running.
    pub fn current(&self) -> &DefExtras {
        self.live.as_ref().unwrap_or(&self.config)
    }
    pub fn current_vcpus(&self) -> u32 {
        self.current().vcpus
    }
}

/// The guest clock a domain starts with in the reference (seconds).
const INITIAL_TIME: i64 = 627_319_920;

/// The network interfaces as (target device name, MAC address).
fn nets_of(def: &DomainDef) -> Vec<(String, String)> {
    let attr = |e: Option<&crate::domain::devices::Element>, name: &str| {
        e.and_then(|e| e.attrs.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    def.devices
        .iter()
        .filter(|d| d.name == "interface")
        .map(|d| {
            let child = |name: &str| d.children.iter().find(|c| c.name == name);
            (attr(child("target"), "dev"), attr(child("mac"), "address"))
        })
        .collect()
}

fn disks_of(def: &DomainDef) -> Vec<(String, String)> {
    def.disks
        .iter()
        .map(|d| (d.target.clone(), d.source.clone()))
        .collect()
}

/// The host CPUs the reference counts for default pinning: all of the node's topology.
fn host_cpus(d: &TestDriver) -> u32 {
    let n = &d.node_info;
    n.nodes
        .wrapping_mul(n.sockets)
        .wrapping_mul(n.cores)
        .wrapping_mul(n.threads)
}

/// A bitmap of `maplen` bytes from `bits` (CPU n is bit n % 8 of byte n / 8), cut or zero-padded.
fn map_bytes(bits: &[u8], maplen: i32) -> Vec<u8> {
    let mut m = bits.to_vec();
    m.resize(usize::try_from(maplen).unwrap_or(0), 0);
    m
}

/// Every one of `n` CPUs.
fn all_cpus(n: u32) -> Vec<u8> {
    let mut m = vec![0u8; (n as usize).div_ceil(8)];
    for cpu in 0..n as usize {
        m[cpu / 8] |= 1 << (cpu % 8);
    }
    m
}

fn last_set_bit(map: &[u8]) -> i32 {
    (0..map.len() * 8)
        .rev()
        .find(|&b| map[b / 8] & (1 << (b % 8)) != 0)
        .map_or(-1, |b| b as i32)
}

fn not_running() -> Error {
    Error::operation_invalid("domain is not running")
}

fn no_persistent_config() -> Error {
    Error::operation_invalid("transient domains do not have any persistent config")
}

pub(super) fn test_operation_invalid(text: &str) -> Error {
    Error::with(crate::error::VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, text)
}

pub(super) fn test_invalid_arg(text: String) -> Error {
    Error::with(VIR_ERR_INVALID_ARG, VIR_FROM_TEST, text)
}

/// virDomainObjUpdateModificationImpact: which of the live and persistent definitions `flags`
/// (LIVE, CONFIG, or neither for the current one) reach, or why it cannot.
pub(super) fn affected(dom: &Dom, flags: u32) -> Result<(bool, bool)> {
    let f = DomainModificationImpact::from_bits_truncate(flags);
    let (mut live, mut config) = (
        f.contains(DomainModificationImpact::LIVE),
        f.contains(DomainModificationImpact::CONFIG),
    );
    if !live && !config {
        live = dom.active();
        config = !live;
    }
    if live && !dom.active() {
        return Err(not_running());
    }
    if config && !dom.persistent {
        return Err(no_persistent_config());
    }
    Ok((live, config))
}

/// virDomainObjGetOneDef: exactly one definition; true for the live one.
fn one_def(dom: &Dom, flags: u32) -> Result<bool> {
    let f = DomainModificationImpact::from_bits_truncate(flags);
    if f.contains(DomainModificationImpact::LIVE | DomainModificationImpact::CONFIG) {
        return Err(Error::with(
            VIR_ERR_INVALID_ARG,
            VIR_FROM_DOMAIN,
            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
        ));
    }
    Ok(affected(dom, flags)?.0)
}

impl Dom {
    pub(super) fn extras_of(&mut self, live: bool) -> &mut DefExtras {
        match (&mut self.extras.live, live) {
            (Some(l), true) => l,
            _ => &mut self.extras.config,
        }
    }
    pub(super) fn extras_ref(&self, live: bool) -> &DefExtras {
        match (&self.extras.live, live) {
            (Some(l), true) => l,
            _ => &self.extras.config,
        }
    }
    /// The definition (memory sizes) `live` names: the persistent one of a running domain is kept
    /// apart once it is changed.
    pub(super) fn def_of(&mut self, live: bool) -> &mut DomainDef {
        if live && self.active() && self.persistent && self.next_def.is_none() {
            // The live definition changes alone: the persistent one is kept apart first.
            self.next_def = Some(Box::new(self.def.clone()));
        }
        if live || !self.active() {
            return &mut self.def;
        }
        let running = self.def.clone();
        self.next_def.get_or_insert_with(|| Box::new(running))
    }
}

// The flags the reference's test driver accepts, per call.
const METADATA_FLAGS: DomainModificationImpact = DomainModificationImpact::all();
const VCPUS_FLAGS: DomainVcpuFlags = DomainVcpuFlags::LIVE
    .union(DomainVcpuFlags::CONFIG)
    .union(DomainVcpuFlags::MAXIMUM);
const PIN_FLAGS: DomainModificationImpact = DomainModificationImpact::all();
const MEMORY_FLAGS: DomainMemoryModFlags = DomainMemoryModFlags::all();

/// The reference's scheduler: one parameter, its fixed value.
const SCHEDULER: &str = "fair";
const SCHEDULER_WEIGHT: &str = "weight";
const WEIGHT: u32 = 50;

/// virTypedParamsValidate against the only parameter the test driver's scheduler takes.
fn validate_weight(params: &TypedParams) -> Result<()> {
    let mut seen = false;
    for (name, value) in &params.0 {
        if name != SCHEDULER_WEIGHT {
            return Err(Error::with(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                0,
                format!("parameter '{name}' not supported"),
            ));
        }
        if seen {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                0,
                format!("parameter '{name}' occurs multiple times"),
            ));
        }
        seen = true;
        if !matches!(value, TypedValue::UInt(_)) {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                0,
                format!(
                    "invalid type '{}' for parameter '{name}', expected 'uint'",
                    type_name(value)
                ),
            ));
        }
    }
    Ok(())
}

fn type_name(v: &TypedValue) -> &'static str {
    match v {
        TypedValue::Int(_) => "int",
        TypedValue::UInt(_) => "uint",
        TypedValue::LLong(_) => "llong",
        TypedValue::ULLong(_) => "ullong",
        TypedValue::Double(_) => "double",
        TypedValue::Boolean(_) => "boolean",
        TypedValue::String(_) => "string",
    }
}

fn unknown_metadata_type(kind: i32) -> Error {
    Error::with(
        VIR_ERR_INVALID_ARG,
        VIR_FROM_DOMAIN,
        format!("unknown metadata type '{kind}'"),
    )
}

fn metadata_not_found() -> Error {
    Error::with(
        VIR_ERR_NO_DOMAIN_METADATA,
        VIR_FROM_DOMAIN,
        "Requested metadata element is not present",
    )
}

/// The metadata element `xml` as libxml2 writes the node back: double-quoted attributes, empty
/// elements closed in place, without the namespace it is stored under.
fn normalize_element(xml: &str) -> Result<String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        crate::domain::xml::not_well_formed("(metadata_xml)", VIR_FROM_DOMAIN, xml, &e)
    })?;
    let mut out = String::new();
    write_node(&mut out, doc.root_element());
    Ok(out)
}

fn escape(s: &str, attr: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' if attr => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

fn write_node(out: &mut String, n: roxmltree::Node) {
    if n.is_text() {
        out.push_str(&escape(n.text().unwrap_or(""), false));
        return;
    }
    if !n.is_element() {
        return;
    }
    let name = n.tag_name().name();
    out.push('<');
    out.push_str(name);
    for a in n.attributes() {
        out.push_str(&format!(" {}=\"{}\"", a.name(), escape(a.value(), true)));
    }
    if n.children().next().is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in n.children() {
        write_node(out, c);
    }
    out.push_str(&format!("</{name}>"));
}

impl DefExtras {
    /// What the definition's XML shows of these (xml::format_shown).
    pub(super) fn shown(&self) -> Shown {
        let cpuset = |map: &[u8]| {
            let bits: Vec<u32> = (0..map.len() * 8)
                .filter(|&b| map[b / 8] & (1 << (b % 8)) != 0)
                .map(|b| b as u32)
                .collect();
            super::domain_params::format_bitmap(&bits)
        };
        let mut cputune: Vec<String> = self
            .details
            .vcpu_pins
            .iter()
            .enumerate()
            .filter_map(|(i, pin)| pin.as_ref().map(|m| (i, m)))
            .map(|(i, m)| format!("    <vcpupin vcpu='{i}' cpuset='{}'/>\n", cpuset(m)))
            .collect();
        if let Some(m) = &self.details.emulator_pin {
            cputune.push(format!("    <emulatorpin cpuset='{}'/>\n", cpuset(m)));
        }
        Shown {
            title: self.details.title.clone(),
            description: self.details.description.clone(),
            metadata: self
                .details
                .elements
                .iter()
                .map(|(uri, prefix, text)| metadata_element(uri, prefix, text))
                .collect(),
            max_vcpus: Some(self.max_vcpus),
            current_vcpus: Some(self.vcpus),
            cputune,
            default_arch: Some(DEFAULT_ARCH.into()),
            boot_and_clock: true,
            devices: None,
            after_memory: self.tune.after_memory_xml(),
            after_cputune: self.tune.numatune_xml(),
            after_os: String::new(),
            after_lifecycle: self.tune.perf_xml(),
        }
    }
}

/// The architecture the reference's test driver gives a definition that names none.
const DEFAULT_ARCH: &str = "i686";

/// A metadata element as libvirt shows it inside `<metadata>`: in its namespace under its
/// prefix, one element a line where it has only elements inside.
fn metadata_element(uri: &str, prefix: &str, text: &str) -> String {
    let mut out = String::new();
    if let Ok(doc) = roxmltree::Document::parse(text) {
        let ns = format!(" xmlns:{prefix}=\"{}\"", escape(uri, true));
        write_pretty(&mut out, doc.root_element(), prefix, &ns, 4);
    }
    out
}

fn write_pretty(out: &mut String, n: roxmltree::Node, prefix: &str, ns: &str, indent: usize) {
    let name = format!("{prefix}:{}", n.tag_name().name());
    out.push_str(&" ".repeat(indent));
    out.push_str(&format!("<{name}{ns}"));
    for a in n.attributes() {
        out.push_str(&format!(" {}=\"{}\"", a.name(), escape(a.value(), true)));
    }
    let children: Vec<roxmltree::Node> = n.children().collect();
    if children.is_empty() {
        out.push_str("/>\n");
    } else if children.iter().all(|c| c.is_element()) {
        out.push_str(">\n");
        for c in children {
            write_pretty(out, c, prefix, "", indent + 2);
        }
        out.push_str(&format!("{}</{name}>\n", " ".repeat(indent)));
    } else {
        out.push('>');
        for c in children {
            write_inline(out, c, prefix);
        }
        out.push_str(&format!("</{name}>\n"));
    }
}

fn write_inline(out: &mut String, n: roxmltree::Node, prefix: &str) {
    if n.is_text() {
        out.push_str(&escape(n.text().unwrap_or(""), false));
        return;
    }
    if !n.is_element() {
        return;
    }
    let name = format!("{prefix}:{}", n.tag_name().name());
    out.push_str(&format!("<{name}"));
    for a in n.attributes() {
        out.push_str(&format!(" {}=\"{}\"", a.name(), escape(a.value(), true)));
    }
    if n.children().next().is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in n.children() {
        write_inline(out, c, prefix);
    }
    out.push_str(&format!("</{name}>"));
}

impl TestDriver {
    /// Run `f` on the domain behind `d`.
    pub(super) fn with_dom<T>(
        &self,
        d: &DomainRef,
        f: impl FnOnce(&mut Dom) -> Result<T>,
    ) -> Result<T> {
        let mut st = self.lock();
        f(st.get(d)?)
    }

    pub(super) fn autostart(&self, d: &DomainRef) -> Result<bool> {
        self.with_dom(d, |dom| Ok(dom.extras.autostart))
    }

    pub(super) fn set_autostart(&self, d: &DomainRef, on: bool) -> Result<()> {
        self.with_dom(d, |dom| {
            dom.extras.autostart = on;
            Ok(())
        })
    }

    pub(super) fn metadata(
        &self,
        d: &DomainRef,
        kind: i32,
        uri: Option<String>,
        flags: u32,
    ) -> Result<String> {
        check_get_metadata_args(kind, &uri, flags)?;
        check_flags(flags, METADATA_FLAGS, "testDomainGetMetadata")?;
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            let x = dom.extras_ref(live);
            let found = match DomainMetadataType::try_from(kind) {
                Ok(DomainMetadataType::Title) => x.details.title.clone(),
                Ok(DomainMetadataType::Description) => x.details.description.clone(),
                Ok(DomainMetadataType::Element) => x
                    .details
                    .elements
                    .iter()
                    .find(|(u, _, _)| Some(u) == uri.as_ref())
                    .map(|(_, _, text)| text.clone()),
                _ => return Err(unknown_metadata_type(kind)),
            };
            found.ok_or_else(metadata_not_found)
        })
    }

    pub(super) fn set_metadata(
        &self,
        d: &DomainRef,
        kind: i32,
        metadata: Option<String>,
        key: Option<String>,
        uri: Option<String>,
        flags: u32,
    ) -> Result<()> {
        check_set_metadata_args(kind, &metadata, &key, &uri)?;
        check_flags(flags, METADATA_FLAGS, "testDomainSetMetadata")?;
        let kind = DomainMetadataType::try_from(kind).map_err(|_| unknown_metadata_type(kind))?;
        // An element is parsed once, before anything changes.
        let element = match (kind, &metadata) {
            (DomainMetadataType::Element, Some(m)) => Some(normalize_element(m)?),
            _ => None,
        };
        self.with_dom(d, |dom| {
            let (live, config) = affected(dom, flags)?;
            let targets = [(live, true), (config, false)];
            for (_, which) in targets.into_iter().filter(|(on, _)| *on) {
                let x = dom.extras_of(which);
                let text = metadata.clone().filter(|m| !m.is_empty());
                match kind {
                    DomainMetadataType::Title => x.details.title = text,
                    DomainMetadataType::Description => x.details.description = text,
                    _ => {
                        let uri = uri.clone().unwrap_or_default();
                        let at = x.details.elements.iter().position(|(u, _, _)| *u == uri);
                        match (&element, at) {
                            (Some(e), Some(i)) => {
                                x.details.elements[i] =
                                    (uri, key.clone().unwrap_or_default(), e.clone())
                            }
                            (Some(e), None) => x.details.elements.push((
                                uri,
                                key.clone().unwrap_or_default(),
                                e.clone(),
                            )),
                            (None, Some(i)) => {
                                x.details.elements.remove(i);
                            }
                            (None, None) => {}
                        }
                    }
                }
            }
            Ok(())
        })
    }

    pub(super) fn vcpus_flags(&self, d: &DomainRef, flags: u32) -> Result<i32> {
        check_live_config_exclusive("virDomainGetVcpusFlags", flags)?;
        let f = check_flags(flags, VCPUS_FLAGS, "testDomainGetVcpusFlags")?;
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            let x = dom.extras_ref(live);
            let n = match f.contains(DomainVcpuFlags::MAXIMUM) {
                true => x.max_vcpus,
                false => x.vcpus,
            };
            Ok(n as i32)
        })
    }

    pub(super) fn set_vcpus_flags(&self, d: &DomainRef, n: u32, flags: u32) -> Result<()> {
        let f = DomainVcpuFlags::from_bits_truncate(flags);
        if f.contains(DomainVcpuFlags::MAXIMUM) && !f.contains(DomainVcpuFlags::CONFIG) {
            return Err(public_invalid_arg(
                "virDomainSetVcpusFlags",
                "ctl",
                "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'"
                    .into(),
            ));
        }
        let f = check_flags(flags, VCPUS_FLAGS, "testDomainSetVcpusFlags")?;
        let max = super::host::MAX_VCPUS as u32;
        if n > max {
            return Err(test_invalid_arg(format!(
                "requested cpu amount exceeds maximum supported amount ({n} > {max})"
            )));
        }
        let maximum = f.contains(DomainVcpuFlags::MAXIMUM);
        self.with_dom(d, |dom| {
            let (live, config) = affected(dom, flags)?;
            let over = |x: &DefExtras| {
                test_invalid_arg(format!(
                    "requested cpu amount exceeds maximum ({n} > {})",
                    x.max_vcpus
                ))
            };
            if live && dom.extras_ref(true).max_vcpus < n {
                return Err(over(dom.extras_ref(true)));
            }
            if config && !maximum && dom.extras_ref(false).max_vcpus < n {
                return Err(over(dom.extras_ref(false)));
            }
            if live {
                dom.extras_of(true).vcpus = n;
            }
            if config {
                let x = dom.extras_of(false);
                if maximum {
                    x.max_vcpus = n;
                    x.vcpus = x.vcpus.min(n);
                    x.details.vcpu_pins.truncate(n as usize);
                } else {
                    x.vcpus = n;
                }
            }
            Ok(())
        })
    }

    pub(super) fn vcpus(&self, d: &DomainRef, maxinfo: i32, maplen: i32) -> Result<Vcpus> {
        check_positive("virDomainGetVcpus", "maxinfo", i64::from(maxinfo))?;
        let all = all_cpus(host_cpus(self));
        self.with_dom(d, |dom| {
            if !dom.active() {
                return Err(test_operation_invalid(
                    "cannot list vcpus for an inactive domain",
                ));
            }
            let x = dom.extras_ref(true);
            let n = (maxinfo as u32).min(x.vcpus);
            // The reference's fake, increasing CPU time: the time of day in tenths of a µs.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |t| t.as_micros() as u64);
            let mut out = Vcpus {
                info: Vec::new(),
                maps: Vec::new(),
                maplen,
            };
            for i in 0..n as usize {
                let map = x
                    .details
                    .vcpu_pins
                    .get(i)
                    .cloned()
                    .flatten()
                    .unwrap_or(all.clone());
                out.info.push(VcpuInfo {
                    number: i as u32,
                    state: VcpuState::Running,
                    cpu_time_ns: now / 10,
                    cpu: last_set_bit(&map),
                });
                out.maps.push(map_bytes(&map, maplen));
            }
            Ok(out)
        })
    }

    pub(super) fn pin_vcpu(
        &self,
        d: &DomainRef,
        vcpu: u32,
        map: Vec<u8>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainPinVcpuFlags")?;
        self.with_dom(d, |dom| {
            if !dom.active() {
                return Err(test_operation_invalid(
                    "cannot pin vcpus on an inactive domain",
                ));
            }
            let x = dom.extras_of(true);
            if vcpu >= x.vcpus {
                return Err(test_invalid_arg(format!(
                    "requested vcpu '{vcpu}' is not present in the domain"
                )));
            }
            if x.details.vcpu_pins.len() <= vcpu as usize {
                x.details.vcpu_pins.resize(vcpu as usize + 1, None);
            }
            x.details.vcpu_pins[vcpu as usize] = Some(map);
            Ok(())
        })
    }

    pub(super) fn vcpu_pin_info(
        &self,
        d: &DomainRef,
        ncpumaps: i32,
        maplen: i32,
        flags: u32,
    ) -> Result<CpuMaps> {
        check_vcpu_pin_info_args(ncpumaps, maplen, flags)?;
        let all = all_cpus(host_cpus(self));
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            let x = dom.extras_ref(live);
            let n = (ncpumaps as u32).min(x.max_vcpus) as usize;
            Ok(CpuMaps(
                (0..n)
                    .map(|i| {
                        let pin = x.details.vcpu_pins.get(i).cloned().flatten();
                        map_bytes(&pin.unwrap_or(all.clone()), maplen)
                    })
                    .collect(),
            ))
        })
    }

    pub(super) fn pin_emulator(&self, d: &DomainRef, map: Vec<u8>, flags: u32) -> Result<()> {
        check_flags(flags, PIN_FLAGS, "testDomainPinEmulator")?;
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            if map.iter().all(|&b| b == 0) {
                return Err(test_invalid_arg("Empty cpu list for pinning".into()));
            }
            dom.extras_of(live).details.emulator_pin = Some(map);
            Ok(())
        })
    }

    pub(super) fn emulator_pin_info(
        &self,
        d: &DomainRef,
        maplen: i32,
        flags: u32,
    ) -> Result<CpuMaps> {
        const F: &str = "virDomainGetEmulatorPinInfo";
        check_positive(F, "maplen", i64::from(maplen))?;
        check_live_config_exclusive(F, flags)?;
        check_flags(flags, PIN_FLAGS, "testDomainGetEmulatorPinInfo")?;
        let all = all_cpus(host_cpus(self));
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            let pin = dom.extras_ref(live).details.emulator_pin.clone();
            Ok(CpuMaps(vec![map_bytes(&pin.unwrap_or(all), maplen)]))
        })
    }

    pub(super) fn set_memory_flags(&self, d: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        let f = check_flags(flags, MEMORY_FLAGS, "testDomainSetMemoryFlags")?;
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            let def = dom.def_of(live);
            if f.contains(DomainMemoryModFlags::MAXIMUM) {
                if live {
                    return Err(test_operation_invalid(
                        "cannot resize the maximum memory on an active domain",
                    ));
                }
                def.memory_kib = kib;
                def.current_memory_kib = def.current_memory_kib.min(kib);
            } else {
                if kib > def.memory_kib {
                    return Err(test_invalid_arg(
                        "cannot set memory higher than max memory".into(),
                    ));
                }
                def.current_memory_kib = kib;
            }
            Ok(())
        })
    }

    /// `flags` None for virDomainGetSchedulerParameters, which has none.
    pub(super) fn scheduler_parameters(
        &self,
        d: &DomainRef,
        flags: Option<u32>,
    ) -> Result<TypedParams> {
        if let Some(flags) = flags {
            // The public layer adds VIR_TYPED_PARAM_STRING_OKAY for a driver that takes string
            // parameters, and the reference's test driver then refuses it: the Flags variant
            // always fails there. We answer the same.
            let with_strings = flags | TypedParameterFlags::OKAY.bits();
            check_flags(
                with_strings,
                NoFlags::empty(),
                "testDomainGetSchedulerParametersFlags",
            )?;
        }
        self.with_dom(d, |_| Ok(()))?;
        Ok(TypedParams(vec![(
            SCHEDULER_WEIGHT.into(),
            TypedValue::UInt(WEIGHT),
        )]))
    }

    pub(super) fn set_scheduler_parameters(
        &self,
        d: &DomainRef,
        params: TypedParams,
        flags: u32,
    ) -> Result<()> {
        check_flags(
            flags,
            NoFlags::empty(),
            "testDomainSetSchedulerParametersFlags",
        )?;
        validate_weight(&params)?;
        // The reference accepts the weight and keeps nothing of it.
        self.with_dom(d, |_| Ok(()))
    }

    pub(super) fn set_memory_stats_period(
        &self,
        d: &DomainRef,
        period: i32,
        flags: u32,
    ) -> Result<()> {
        if period < 0 {
            return Err(public_invalid_arg(
                "virDomainSetMemoryStatsPeriod",
                "period",
                "period in virDomainSetMemoryStatsPeriod must be zero or greater".into(),
            ));
        }
        check_flags(flags, METADATA_FLAGS, "testDomainSetMemoryStatsPeriod")?;
        self.with_dom(d, |dom| {
            one_def(dom, flags)?;
            // The period lives in the balloon's definition, which ours does not format.
            match dom.extras.memballoon {
                true => Ok(()),
                false => Err(Error::internal(
                    VIR_FROM_TEST,
                    "No memory balloon device configured, can not set the collection period",
                )),
            }
        })
    }

    pub(super) fn scheduler_type(&self) -> SchedulerType {
        SchedulerType {
            name: SCHEDULER.into(),
            nparams: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_elements_are_written_back_as_libxml2_does() {
        assert_eq!(
            normalize_element("<foo a='1'>bar<b/></foo>").unwrap(),
            "<foo a=\"1\">bar<b/></foo>"
        );
        assert!(normalize_element("<a>").is_err());
    }

    #[test]
    fn cpu_maps() {
        assert_eq!(all_cpus(16), vec![0xff, 0xff]);
        assert_eq!(map_bytes(&[0xff, 0xff], 3), vec![0xff, 0xff, 0]);
        assert_eq!(last_set_bit(&[0x06]), 2);
    }
}
