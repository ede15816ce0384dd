//! The x86 CPU map Debian's libvirt ships (/usr/share/libvirt/cpu_map: vendors, features as
//! CPUID and MSR bits, named models) and the reference's way of describing a set of CPU features
//! as the closest named model plus the features to add and to take away (libvirt's x86Decode).
//! The qemu driver uses it for `<cpu mode='host-model'>`: what qemu's `max` CPU offers under
//! TCG, written as a custom CPU.

mod host;

pub use host::{HostCpu, RawCpu};

use crate::error::{Error, Result, VIR_FROM_CPU};
use std::collections::BTreeSet;
use std::path::Path;

/// Where libvirt's CPU map lives (its package data directory).
pub const CPU_MAP_DIR: &str = "/usr/share/libvirt/cpu_map";

/// One bit of CPU identification: a CPUID register bit (leaf, sub-leaf, register) or an MSR bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bit {
    Cpuid {
        leaf: u32,
        subleaf: u32,
        reg: u8,
        bit: u8,
    },
    Msr {
        index: u32,
        reg: u8,
        bit: u8,
    },
}

type Bits = BTreeSet<Bit>;

pub struct Feature {
    pub name: String,
    bits: Bits,
    migratable: bool,
    /// The names qemu gives it besides its own (the map's `<alias source='qemu'>`).
    qemu_aliases: Vec<String>,
}

struct Model {
    name: String,
    vendor: Option<String>,
    /// The real CPUs the model stands for.
    signatures: Vec<Signature>,
    decode_host: bool,
    decode_guest: bool,
    bits: Bits,
    /// The features qemu took out of the model (`removed='yes'`), always named when the model
    /// describes a guest CPU.
    removed: Vec<String>,
}

/// A real CPU a model stands for: its family and model, and the steppings when only some are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Signature {
    family: u32,
    model: u32,
    /// One bit per stepping (0 to 15); None for every stepping.
    steppings: Option<u16>,
}

impl Signature {
    fn matches(&self, family: u32, model: u32, stepping: Option<u32>) -> bool {
        let stepping_ok = match (self.steppings, stepping) {
            (Some(mask), Some(s)) => s < 16 && mask & (1 << s) != 0,
            _ => true,
        };
        self.family == family && self.model == model && stepping_ok
    }
}

/// A stepping list as the map writes it (`5-7`, `0,3-4`), one bit per stepping.
fn parse_steppings(list: &str) -> u16 {
    let mut mask = 0u16;
    for part in list.split(',') {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        let (Ok(first), Ok(last)) = (first.trim().parse::<u32>(), last.trim().parse::<u32>())
        else {
            continue;
        };
        for s in first..=last.min(15) {
            mask |= 1 << s;
        }
    }
    mask
}

pub struct Vendor {
    pub name: String,
    /// The CPUID vendor string (`AuthenticAMD`).
    pub string: String,
}

/// The `<arch name='x86'>` part of the map, in the index's order.
pub struct CpuMap {
    vendors: Vec<Vendor>,
    features: Vec<Feature>,
    models: Vec<Model>,
}

/// The CPU to describe: its feature names (the map's), vendor string and signature.
pub struct CpuData {
    pub features: Vec<String>,
    pub vendor: Option<String>,
    pub family: u32,
    pub model: u32,
}

/// A named model with the features to require and to disable on top of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub model: String,
    pub vendor: Option<String>,
    /// (policy, name) in the reference's order: required ones first, then disabled, each in the
    /// map's feature order.
    pub features: Vec<(&'static str, String)>,
}

/// The libvirt feature names that qemu spells differently (the reference's translation table
/// for x86: libvirt name, qemu name).
const QEMU_NAMES: [(&str, &str); 11] = [
    ("cmp_legacy", "cmp-legacy"),
    ("ds_cpl", "ds-cpl"),
    ("fxsr_opt", "fxsr-opt"),
    ("kvm_pv_eoi", "kvm-pv-eoi"),
    ("kvm_pv_unhalt", "kvm-pv-unhalt"),
    ("lahf_lm", "lahf-lm"),
    ("nodeid_msr", "nodeid-msr"),
    ("pclmuldq", "pclmulqdq"),
    ("perfctr_core", "perfctr-core"),
    ("perfctr_nb", "perfctr-nb"),
    ("tsc_adjust", "tsc-adjust"),
];

/// The name qemu's `-cpu` option takes for a libvirt feature name.
pub fn qemu_feature_name(name: &str) -> &str {
    QEMU_NAMES
        .iter()
        .find(|(l, _)| *l == name)
        .map_or(name, |(_, q)| q)
}

fn parse_u32(s: &str) -> u32 {
    match s.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).unwrap_or(0),
        None => s.parse().unwrap_or(0),
    }
}

/// The bits of a `<cpuid>` or `<msr>` element.
fn element_bits(n: roxmltree::Node, bits: &mut Bits) {
    let attr = |a: &str| n.attribute(a).map(parse_u32).unwrap_or(0);
    let mut add = |reg: u8, mask: u32, make: &dyn Fn(u8, u8) -> Bit| {
        for bit in 0..32u8 {
            if mask & (1 << bit) != 0 {
                bits.insert(make(reg, bit));
            }
        }
    };
    if n.has_tag_name("cpuid") {
        let (leaf, subleaf) = (attr("eax_in"), attr("ecx_in"));
        let make = |reg, bit| Bit::Cpuid {
            leaf,
            subleaf,
            reg,
            bit,
        };
        for (reg, name) in ["eax", "ebx", "ecx", "edx"].iter().enumerate() {
            add(reg as u8, attr(name), &make);
        }
    } else if n.has_tag_name("msr") {
        let index = attr("index");
        let make = |reg, bit| Bit::Msr { index, reg, bit };
        add(0, attr("eax"), &make);
        add(1, attr("edx"), &make);
    }
}

fn read(dir: &Path, file: &str) -> Result<String> {
    let path = dir.join(file);
    std::fs::read_to_string(&path).map_err(|e| {
        Error::system(
            VIR_FROM_CPU,
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("failed to read file '{}'", path.display()),
        )
    })
}

fn parse<'a>(text: &'a str, file: &str) -> Result<roxmltree::Document<'a>> {
    roxmltree::Document::parse(text)
        .map_err(|_| Error::internal(VIR_FROM_CPU, format!("cannot parse CPU map file '{file}'")))
}

impl CpuMap {
    /// The map from its directory: the files the index's `<arch name='x86'>` includes.
    pub fn load(dir: &Path) -> Result<CpuMap> {
        let index = read(dir, "index.xml")?;
        let doc = parse(&index, "index.xml")?;
        let mut map = CpuMap {
            vendors: Vec::new(),
            features: Vec::new(),
            models: Vec::new(),
        };
        let includes = doc
            .descendants()
            .filter(|n| n.has_tag_name("arch") && n.attribute("name") == Some("x86"))
            .flat_map(|a| a.children())
            .filter(|n| n.has_tag_name("include"))
            .filter_map(|n| n.attribute("filename"));
        for file in includes {
            let text = read(dir, file)?;
            map.add_file(&parse(&text, file)?);
        }
        Ok(map)
    }

    fn add_file(&mut self, doc: &roxmltree::Document) {
        for n in doc.root_element().children().filter(|n| n.is_element()) {
            let Some(name) = n.attribute("name") else {
                continue;
            };
            match n.tag_name().name() {
                "vendor" => self.vendors.push(Vendor {
                    name: name.to_string(),
                    string: n.attribute("string").unwrap_or("").to_string(),
                }),
                "feature" => self.features.push(parse_feature(n, name)),
                "model" => {
                    let model = self.parse_model(n, name);
                    self.models.push(model);
                }
                _ => {}
            }
        }
    }

    fn parse_model(&self, n: roxmltree::Node, name: &str) -> Model {
        let child = |tag: &'static str| n.children().filter(move |c| c.has_tag_name(tag));
        let mut bits = Bits::new();
        // A feature qemu removed from the model is not part of it (the map keeps it named).
        for f in child("feature").filter(|f| f.attribute("removed") != Some("yes")) {
            if let Some(feature) = f.attribute("name").and_then(|f| self.feature(f)) {
                bits.extend(feature.bits.iter().copied());
            }
        }
        Model {
            name: name.to_string(),
            vendor: child("vendor")
                .find_map(|v| v.attribute("name"))
                .map(str::to_string),
            signatures: child("signature")
                .map(|s| {
                    let a = |k| s.attribute(k).map(parse_u32).unwrap_or(0);
                    Signature {
                        family: a("family"),
                        model: a("model"),
                        steppings: s.attribute("stepping").map(parse_steppings),
                    }
                })
                .collect(),
            decode_host: child("decode")
                .find_map(|d| d.attribute("host"))
                .is_none_or(|h| h == "on"),
            decode_guest: child("decode")
                .find_map(|d| d.attribute("guest"))
                .is_none_or(|g| g == "on"),
            bits,
            removed: child("feature")
                .filter(|f| f.attribute("removed") == Some("yes"))
                .filter_map(|f| f.attribute("name"))
                .map(str::to_string)
                .collect(),
        }
    }

    fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.name == name)
    }

    /// The map's name of a feature qemu names `qemu_name`.
    pub fn feature_from_qemu(&self, qemu_name: &str) -> Option<&Feature> {
        let name = QEMU_NAMES
            .iter()
            .find(|(_, q)| *q == qemu_name)
            .map_or(qemu_name, |(l, _)| l);
        self.feature(name).or_else(|| {
            self.features
                .iter()
                .find(|f| f.qemu_aliases.iter().any(|a| a == qemu_name))
        })
    }

    /// Whether the map names a model `name`, and then its vendor (None for a model of any).
    pub fn model_vendor(&self, name: &str) -> Option<Option<&str>> {
        self.models
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.vendor.as_deref())
    }

    pub fn vendor_by_string(&self, string: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.string == string)
    }

    /// The map's features whose bits are all in `bits`, each taken out of `bits` once named.
    fn features_of(&self, bits: &mut Bits) -> Vec<String> {
        let mut names = Vec::new();
        for f in &self.features {
            if !f.bits.is_empty() && f.bits.is_subset(bits) {
                names.push(f.name.clone());
                bits.retain(|b| !f.bits.contains(b));
            }
        }
        names
    }

    fn bits_of(&self, names: &[String]) -> Bits {
        names
            .iter()
            .filter_map(|n| self.feature(n))
            .flat_map(|f| f.bits.iter().copied())
            .collect()
    }

    /// The closest model the hypervisor knows (`offered`: its model names and, per model, the
    /// features that keep it from running here), newest first, as libvirt's x86Decode picks it
    /// for a guest CPU, without the features that cannot migrate.
    pub fn decode(&self, cpu: &CpuData, offered: &[(String, Vec<String>)]) -> Option<Decoded> {
        let mut decoded = self.decode_all(cpu, offered)?;
        decoded
            .features
            .retain(|(_, name)| self.feature(name).is_none_or(|f| f.migratable));
        Some(decoded)
    }

    /// The same with every feature, migratable or not: the host model domain capabilities
    /// report.
    pub fn decode_all(&self, cpu: &CpuData, offered: &[(String, Vec<String>)]) -> Option<Decoded> {
        let data = self.bits_of(&cpu.features);
        let vendor = cpu
            .vendor
            .as_deref()
            .and_then(|s| self.vendor_by_string(s))
            .map(|v| v.name.clone());
        let mut best: Option<(&Model, Vec<(&'static str, String)>)> = None;
        for candidate in self.models.iter().rev() {
            let Some((_, blockers)) = offered.iter().find(|(n, _)| *n == candidate.name) else {
                continue;
            };
            if matches!((&vendor, &candidate.vendor), (Some(v), Some(c)) if v != c) {
                continue;
            }
            if !candidate.decode_guest {
                continue;
            }
            let features = self.candidate_features(&data, candidate, blockers);
            let better = match &best {
                None => true,
                Some((current, current_features)) => {
                    let matches = |m: &Model| {
                        m.signatures
                            .iter()
                            .any(|s| s.matches(cpu.family, cpu.model, None))
                    };
                    let (current_match, candidate_match) = (matches(current), matches(candidate));
                    if current_match != candidate_match {
                        candidate_match
                    } else {
                        guest_cost(&features) < guest_cost(current_features)
                    }
                }
            };
            if better {
                best = Some((candidate, features));
            }
        }
        let (model, features) = best?;
        Some(Decoded {
            model: model.name.clone(),
            vendor,
            features,
        })
    }

    /// What `data` adds to a model (required) and what the model has that `data` lacks or the
    /// hypervisor cannot give (disabled).
    fn candidate_features(
        &self,
        data: &Bits,
        model: &Model,
        blockers: &[String],
    ) -> Vec<(&'static str, String)> {
        let mut extra: Bits = data.difference(&model.bits).copied().collect();
        let mut missing: Bits = model.bits.difference(data).copied().collect();
        for b in blockers.iter().filter_map(|b| self.feature_from_qemu(b)) {
            if !b.bits.is_subset(&extra) {
                missing.extend(b.bits.iter().copied());
            }
        }
        let mut out: Vec<(&'static str, String)> = self
            .features_of(&mut extra)
            .into_iter()
            .map(|n| ("require", n))
            .collect();
        out.extend(
            self.features_of(&mut missing)
                .into_iter()
                .map(|n| ("disable", n)),
        );
        // virCPUx86DisableRemovedFeatures: what qemu removed is disabled unless named already.
        for name in &model.removed {
            if !out.iter().any(|(_, n)| n == name) {
                out.push(("disable", name.clone()));
            }
        }
        out
    }
}

/// What describing a guest CPU as a model costs, as the reference's
/// virCPUx86CompareCandidateFeatureList weighs it: the features to name, a feature to disable
/// counting for more than the one before (2, 3, 4...), then the weight of the disabled ones
/// alone. The reference walks the list while the index is below the count of enabled features,
/// a count it lowers at each disabled feature; the disabled features coming last, only the first
/// half of them (rounded up) is weighed, and so here.
fn guest_cost(features: &[(&'static str, String)]) -> (usize, usize) {
    const BASE_PENALTY: usize = 2;
    let mut enabled = features.len();
    let (mut disabled, mut penalty) = (0, BASE_PENALTY);
    let mut i = 0;
    while i < enabled {
        if features[i].0 == "disable" {
            enabled -= 1;
            disabled += penalty;
            penalty += 1;
        }
        i += 1;
    }
    (enabled + disabled, disabled)
}

fn parse_feature(n: roxmltree::Node, name: &str) -> Feature {
    let mut bits = Bits::new();
    for c in n.children().filter(|c| c.is_element()) {
        element_bits(c, &mut bits);
    }
    Feature {
        name: name.to_string(),
        bits,
        migratable: n.attribute("migratable") != Some("no"),
        qemu_aliases: n
            .children()
            .filter(|c| c.has_tag_name("alias") && c.attribute("source") == Some("qemu"))
            .filter_map(|c| c.attribute("name"))
            .map(str::to_string)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> Option<CpuMap> {
        CpuMap::load(Path::new(CPU_MAP_DIR)).ok()
    }

    #[test]
    fn qemu_names_translate_both_ways() {
        assert_eq!(qemu_feature_name("fxsr_opt"), "fxsr-opt");
        assert_eq!(qemu_feature_name("sse4.1"), "sse4.1");
        let Some(m) = map() else {
            eprintln!("SKIP: no CPU map at {CPU_MAP_DIR}");
            return;
        };
        assert_eq!(m.feature_from_qemu("pclmulqdq").unwrap().name, "pclmuldq");
        assert_eq!(m.feature_from_qemu("sse4-1").unwrap().name, "sse4.1");
    }

    #[test]
    fn a_model_s_own_features_decode_to_the_model() {
        let Some(m) = map() else {
            eprintln!("SKIP: no CPU map at {CPU_MAP_DIR}");
            return;
        };
        let epyc = m.models.iter().find(|x| x.name == "EPYC").unwrap();
        let features = m.features_of(&mut epyc.bits.clone());
        let cpu = CpuData {
            features,
            vendor: Some("AuthenticAMD".into()),
            family: 23,
            model: 1,
        };
        let offered = vec![("EPYC".to_string(), vec![]), ("qemu64".to_string(), vec![])];
        let d = m.decode(&cpu, &offered).unwrap();
        assert_eq!(d.model, "EPYC");
        assert_eq!(d.vendor.as_deref(), Some("AMD"));
        // What qemu removed from the model (EPYC's monitor) is named, disabled.
        assert_eq!(d.features, vec![("disable", "monitor".to_string())]);
        // A blocker of the model is disabled.
        let offered = vec![("EPYC".to_string(), vec!["fxsr-opt".to_string()])];
        let d = m.decode(&cpu, &offered).unwrap();
        assert_eq!(
            d.features,
            vec![
                ("disable", "fxsr_opt".to_string()),
                ("disable", "monitor".to_string())
            ]
        );
    }

    #[test]
    fn disabled_features_cost_more_the_more_there_are() {
        let f = |p: &'static str| (p, "x".to_string());
        let list = |required: usize, disabled: usize| {
            let mut v = vec![f("require"); required];
            v.extend(vec![f("disable"); disabled]);
            v
        };
        assert_eq!(guest_cost(&list(2, 0)), (2, 0));
        assert_eq!(guest_cost(&list(0, 1)), (2, 2));
        // Of ten disabled features the first five weigh 2 to 6.
        assert_eq!(guest_cost(&list(18, 10)), (43, 20));
        // What the reference makes of qemu's `max` CPU under TCG: EPYC (18 to add, 10 to take
        // away) over Opteron_G3 (43 to add, 1 to take away); for qemu-system-i386, Opteron_G2
        // (46, 2) over kvm32 (51, 0).
        assert!(guest_cost(&list(18, 10)) < guest_cost(&list(43, 1)));
        assert!(guest_cost(&list(46, 2)) < guest_cost(&list(51, 0)));
    }

    #[test]
    fn a_removed_feature_the_cpu_has_is_required_once() {
        let Some(m) = map() else {
            eprintln!("SKIP: no CPU map at {CPU_MAP_DIR}");
            return;
        };
        let epyc = m.models.iter().find(|x| x.name == "EPYC").unwrap();
        let mut features = m.features_of(&mut epyc.bits.clone());
        features.push("monitor".into());
        let cpu = CpuData {
            features,
            vendor: Some("AuthenticAMD".into()),
            family: 23,
            model: 1,
        };
        let d = m.decode(&cpu, &[("EPYC".to_string(), vec![])]).unwrap();
        assert_eq!(d.features, vec![("require", "monitor".to_string())]);
    }
}
