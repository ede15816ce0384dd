//! virConnectBaselineCPU on the test driver (testConnectBaselineCPU): the host CPUs parsed as
//! libvirt's CPU parser reads them, then the baseline of libvirt's CPU driver for the first one's
//! architecture: for x86 the CPUID bits all of them have, named by the model of Debian's CPU map
//! (/usr/share/libvirt/cpu_map) that needs the fewest extra or disabled features (the model they
//! all name wins); ppc64 wants one model; arm takes the first CPU's.

use super::cpu_models::{self, CpuDriver, ARCHES, CPU_MAP_DIR};
use super::{check_flags, TestDriver};
use crate::api::ConnectBaselineCPUFlags;
use crate::driver::family::CpuXmls;
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT,
    VIR_ERR_OPERATION_FAILED, VIR_ERR_XML_ERROR, VIR_FROM_CPU,
};
use std::collections::BTreeSet;
use std::path::Path;

/// Where a CPU's documents come from, in the parser's messages.
const SOURCE: &str = "(CPU_definition)";

/// One CPUID or MSR bit: (0 for CPUID or 1 for an MSR, leaf or index, sub-leaf, register, bit).
type Bit = (u8, u32, u32, u8, u8);
type Bits = BTreeSet<Bit>;

/// A host CPU as the caller describes it.
struct HostCpu {
    arch: String,
    model: String,
    vendor: Option<String>,
    features: Vec<String>,
}

fn xml_error(text: &str) -> Error {
    Error::with(VIR_ERR_XML_ERROR, VIR_FROM_CPU, text)
}

fn failed(text: String) -> Error {
    Error::with(VIR_ERR_OPERATION_FAILED, VIR_FROM_CPU, text)
}

/// virCPUDefParseXML for a host CPU.
fn parse_cpu(text: Option<&str>) -> Result<HostCpu> {
    let text =
        text.ok_or_else(|| xml_error(&format!("failed to parse xml document '{SOURCE}'")))?;
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| crate::domain::xml::not_well_formed(SOURCE, VIR_FROM_CPU, text, &e))?;
    let root = doc.root_element();
    if root.tag_name().name() != "cpu" {
        return Err(xml_error("XML does not contain expected 'cpu' element"));
    }
    if root.attribute("mode").is_some() {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_CPU,
            "Attribute mode is only allowed for guest CPU",
        ));
    }
    let child_text = |name: &str| {
        root.children()
            .find(|c| c.has_tag_name(name))
            .map(|c| c.text().unwrap_or("").trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let arch = child_text("arch").ok_or_else(|| xml_error("Missing CPU architecture"))?;
    if !ARCHES.contains(&arch.as_str()) {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_CPU,
            format!("Unknown architecture {arch}"),
        ));
    }
    let model = child_text("model").ok_or_else(|| xml_error("Missing CPU model name"))?;
    let mut features: Vec<String> = Vec::new();
    for f in root.children().filter(|c| c.has_tag_name("feature")) {
        let name = f
            .attribute("name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| xml_error("Invalid CPU feature name"))?;
        if features.iter().any(|known| known == name) {
            return Err(xml_error(&format!(
                "CPU feature '{name}' specified more than once"
            )));
        }
        features.push(name.to_string());
    }
    Ok(HostCpu {
        arch,
        model,
        vendor: child_text("vendor"),
        features,
    })
}

/// A baseline: its model, whether it may fall back to another, its vendor and features as
/// (policy, name).
struct Baseline {
    model: String,
    forbid_fallback: bool,
    vendor: Option<String>,
    features: Vec<(&'static str, String)>,
}

const REQUIRE: &str = "require";
const DISABLE: &str = "disable";

impl Baseline {
    /// virCPUDefFormat of the guest CPU.
    fn format(&self) -> String {
        let fallback = if self.forbid_fallback {
            "forbid"
        } else {
            "allow"
        };
        let esc = crate::domain::xml::esc;
        let mut x = String::from("<cpu mode='custom' match='exact'>\n");
        x.push_str(&format!(
            "  <model fallback='{fallback}'>{}</model>\n",
            esc(&self.model)
        ));
        if let Some(v) = &self.vendor {
            x.push_str(&format!("  <vendor>{}</vendor>\n", esc(v)));
        }
        for (policy, name) in &self.features {
            x.push_str(&format!(
                "  <feature policy='{policy}' name='{}'/>\n",
                esc(name)
            ));
        }
        x.push_str("</cpu>\n");
        x
    }
}

/// A model of the x86 map: its vendor, CPUID bits, and whether it may name a guest CPU.
struct Model {
    name: String,
    vendor: Option<String>,
    data: Bits,
    decode_guest: bool,
}

/// libvirt's x86 CPU map: vendors, features (in the map's order) and models.
#[derive(Default)]
struct X86Map {
    vendors: Vec<String>,
    features: Vec<(String, Bits)>,
    models: Vec<Model>,
}

fn hex(n: roxmltree::Node, attr: &str) -> u32 {
    let v = n.attribute(attr).unwrap_or("0");
    let v = v.trim_start_matches("0x").trim_start_matches("0X");
    u32::from_str_radix(v, 16).unwrap_or(0)
}

/// The bits of one `<cpuid>` or `<msr>` element.
fn element_bits(n: roxmltree::Node, out: &mut Bits) {
    let (kind, leaf, sub, regs): (u8, u32, u32, &[&str]) = match n.tag_name().name() {
        "cpuid" => (
            0,
            hex(n, "eax_in"),
            hex(n, "ecx_in"),
            &["eax", "ebx", "ecx", "edx"],
        ),
        "msr" => (1, hex(n, "index"), 0, &["eax", "edx"]),
        _ => return,
    };
    for (r, reg) in regs.iter().enumerate() {
        let v = hex(n, reg);
        for bit in (0..32).filter(|b| v & (1 << b) != 0) {
            out.insert((kind, leaf, sub, r as u8, bit as u8));
        }
    }
}

impl X86Map {
    fn load() -> Result<X86Map> {
        let dir = Path::new(CPU_MAP_DIR);
        let mut map = X86Map::default();
        for file in cpu_models::map_files(dir, "x86")? {
            let text = cpu_models::read_map_file(dir, &file)?;
            let doc = cpu_models::parse_map_file(&text, &file)?;
            for n in doc.root_element().children().filter(|n| n.is_element()) {
                let name = n.attribute("name").unwrap_or_default().to_string();
                match n.tag_name().name() {
                    "vendor" => map.vendors.push(name),
                    "feature" => {
                        let mut bits = Bits::new();
                        n.children().for_each(|c| element_bits(c, &mut bits));
                        map.features.push((name, bits));
                    }
                    "model" => {
                        let model = map.parse_model(n, name)?;
                        map.models.push(model);
                    }
                    _ => {}
                }
            }
        }
        Ok(map)
    }

    fn parse_model(&self, n: roxmltree::Node, name: String) -> Result<Model> {
        let mut model = Model {
            name,
            vendor: None,
            data: Bits::new(),
            decode_guest: true,
        };
        for c in n.children().filter(|c| c.is_element()) {
            let attr = c.attribute("name").unwrap_or_default();
            match c.tag_name().name() {
                "model" => {
                    let parent = self.model(attr)?;
                    model.vendor = parent.vendor.clone();
                    model.data = parent.data.clone();
                }
                "vendor" => model.vendor = Some(attr.to_string()),
                // A feature the model once had is listed as removed, and is not part of it.
                "feature" if c.attribute("removed") == Some("yes") => {}
                "feature" => model.data.extend(self.feature(attr)?.iter().copied()),
                "decode" => model.decode_guest = c.attribute("guest") != Some("off"),
                _ => {}
            }
        }
        Ok(model)
    }

    fn model(&self, name: &str) -> Result<&Model> {
        self.models
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| Error::internal(VIR_FROM_CPU, format!("Unknown CPU model {name}")))
    }

    fn feature(&self, name: &str) -> Result<&Bits> {
        self.features
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b)
            .ok_or_else(|| Error::internal(VIR_FROM_CPU, format!("Unknown CPU feature {name}")))
    }

    fn known_vendor(&self, name: &str) -> Result<()> {
        match self.vendors.iter().any(|v| v == name) {
            true => Ok(()),
            false => Err(failed(format!("Unknown CPU vendor {name}"))),
        }
    }

    /// x86ModelFromCPU: the model's bits with the CPU's features.
    fn cpu_data(&self, cpu: &HostCpu) -> Result<(Bits, &Model)> {
        let model = self.model(&cpu.model)?;
        let mut data = model.data.clone();
        for f in &cpu.features {
            data.extend(self.feature(f)?.iter().copied());
        }
        Ok((data, model))
    }

    /// x86DataToCPUFeatures: the map's features `bits` hold, in the map's order, each taking
    /// its bits.
    fn names(&self, mut bits: Bits, policy: &'static str) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (name, f) in &self.features {
            if !f.is_empty() && f.is_subset(&bits) {
                bits.retain(|b| !f.contains(b));
                out.push((policy, name.clone()));
            }
        }
        out
    }

    /// x86Decode for a guest CPU: the model of the vendor with the shortest list of features to
    /// add and remove (the oldest of equals, as the reference picks), unless the preferred one
    /// fits.
    fn decode(
        &self,
        data: &Bits,
        vendor: Option<&str>,
        preferred: Option<&str>,
    ) -> Result<(String, Vec<(&'static str, String)>)> {
        let mut best: Option<(&Model, Vec<(&'static str, String)>)> = None;
        for m in &self.models {
            if matches!((vendor, &m.vendor), (Some(v), Some(mv)) if v != mv) || !m.decode_guest {
                continue;
            }
            let mut features = self.names(data - &m.data, REQUIRE);
            features.extend(self.names(&m.data - data, DISABLE));
            if preferred == Some(m.name.as_str()) {
                best = Some((m, features));
                break;
            }
            if best.as_ref().is_none_or(|(_, b)| b.len() > features.len()) {
                best = Some((m, features));
            }
        }
        best.map(|(m, f)| (m.name.clone(), f)).ok_or_else(|| {
            Error::internal(
                VIR_FROM_CPU,
                "Cannot find suitable CPU model for given data",
            )
        })
    }

    /// virCPUx86Baseline.
    fn baseline(&self, cpus: &[HostCpu]) -> Result<Baseline> {
        let (mut base, _) = self.cpu_data(&cpus[0])?;
        let mut output_vendor = cpus[0].vendor.is_some();
        let mut vendor = cpus[0].vendor.clone();
        if let Some(v) = &vendor {
            self.known_vendor(v)?;
        }
        let mut model_name = Some(cpus[0].model.clone());
        for cpu in &cpus[1..] {
            if model_name.as_ref().is_some_and(|n| *n != cpu.model) {
                model_name = None;
            }
            let (data, model) = self.cpu_data(cpu)?;
            if let (Some(cv), Some(mv)) = (&cpu.vendor, &model.vendor) {
                if cv != mv {
                    return Err(failed(format!(
                        "CPU vendor {mv} of model {} differs from vendor {cv}",
                        model.name
                    )));
                }
            }
            let named = match &cpu.vendor {
                Some(v) => Some(v),
                None => {
                    output_vendor = false;
                    model.vendor.as_ref()
                }
            };
            match (named, &vendor) {
                (Some(n), None) => {
                    self.known_vendor(n)?;
                    vendor = Some(n.clone());
                }
                (Some(n), Some(v)) if n != v => {
                    return Err(failed("CPU vendors do not match".into()))
                }
                _ => {}
            }
            base.retain(|b| data.contains(b));
        }
        if base.is_empty() {
            return Err(failed("CPUs are incompatible".into()));
        }
        let (model, features) = self.decode(&base, vendor.as_deref(), model_name.as_deref())?;
        Ok(Baseline {
            forbid_fallback: model_name.as_deref() == Some(model.as_str()),
            model,
            vendor: vendor.filter(|_| output_vendor),
            features,
        })
    }

    /// virCPUx86ExpandFeatures, then sorted by name: every feature of the model, with the
    /// baseline's own features' policies.
    fn expand(&self, b: &mut Baseline) -> Result<()> {
        let mut all = self.names(self.model(&b.model)?.data.clone(), REQUIRE);
        for (policy, name) in b.features.drain(..) {
            match all.iter_mut().find(|(_, n)| *n == name) {
                Some(f) => f.0 = policy,
                None => all.push((policy, name)),
            }
        }
        all.sort_by(|a, b| a.1.cmp(&b.1));
        b.features = all;
        Ok(())
    }
}

/// virCPUppc64Baseline: every CPU names the first one's model, which the map knows.
fn baseline_ppc64(cpus: &[HostCpu]) -> Result<Baseline> {
    let dir = Path::new(CPU_MAP_DIR);
    let mut models = Vec::new();
    for file in cpu_models::map_files(dir, "ppc64")? {
        let text = cpu_models::read_map_file(dir, &file)?;
        let doc = cpu_models::parse_map_file(&text, &file)?;
        models.extend(
            doc.root_element()
                .children()
                .filter(|n| n.has_tag_name("model"))
                .filter_map(|n| n.attribute("name").map(str::to_string)),
        );
    }
    for cpu in cpus {
        if !models.contains(&cpu.model) {
            return Err(Error::internal(
                VIR_FROM_CPU,
                format!("Unknown CPU model {}", cpu.model),
            ));
        }
        if cpu.model != cpus[0].model {
            return Err(failed("CPUs are incompatible".into()));
        }
    }
    Ok(Baseline {
        model: cpus[0].model.clone(),
        forbid_fallback: true,
        vendor: None,
        features: Vec::new(),
    })
}

impl TestDriver {
    pub(super) fn baseline_cpu(&self, cpus: CpuXmls, flags: u32) -> Result<String> {
        let flags = check_flags(
            flags,
            ConnectBaselineCPUFlags::EXPAND_FEATURES,
            "testConnectBaselineCPU",
        )?;
        if cpus.0.is_empty() {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_CPU,
                "no CPUs given",
            ));
        }
        let cpus = cpus
            .0
            .iter()
            .map(|x| parse_cpu(x.as_deref()))
            .collect::<Result<Vec<HostCpu>>>()?;
        let arch = cpus[0].arch.as_str();
        let unsupported = |what: String| Err(Error::with(VIR_ERR_NO_SUPPORT, VIR_FROM_CPU, what));
        let baseline = match (arch, cpu_models::cpu_driver(arch)) {
            ("i686" | "x86_64", _) => {
                let map = X86Map::load()?;
                let mut b = map.baseline(&cpus)?;
                if flags.contains(ConnectBaselineCPUFlags::EXPAND_FEATURES) {
                    map.expand(&mut b)?;
                }
                b
            }
            (_, Some(CpuDriver::Map(_))) => baseline_ppc64(&cpus)?,
            ("s390" | "s390x", _) => {
                return unsupported(format!(
                    "cannot compute baseline CPU of {arch} architecture"
                ))
            }
            (_, Some(CpuDriver::NoModels)) => Baseline {
                model: cpus[0].model.clone(),
                forbid_fallback: false,
                vendor: None,
                features: Vec::new(),
            },
            (_, None) => {
                return unsupported(format!(
                    "'{arch}' architecture is not supported by CPU driver"
                ))
            }
        };
        Ok(baseline.format())
    }
}
