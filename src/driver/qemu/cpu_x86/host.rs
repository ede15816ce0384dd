//! The host's own CPU described against the map, as the reference's virCPUx86GetHost describes
//! it in the capabilities: the newest model of the CPU's vendor whose every feature the CPU has
//! (the one its signature names first), with the features the CPU adds to it.

use super::{Bit, Bits, CpuMap, Model};

/// What a CPU says about itself: CPUID leaves (leaf, sub-leaf, eax, ebx, ecx, edx) and the
/// model-specific registers read.
#[derive(Clone, Debug, Default)]
pub struct RawCpu {
    pub leaves: Vec<(u32, u32, [u32; 4])>,
    pub msrs: Vec<(u32, u64)>,
}

/// The host CPU as the capabilities describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCpu {
    pub model: String,
    pub vendor: Option<String>,
    /// Family, model and stepping from CPUID leaf 1; None when the CPU has no leaf 1.
    pub signature: Option<(u32, u32, u32)>,
    /// The features beyond the model's, in the map's order.
    pub features: Vec<String>,
}

/// The bits of CPUID leaf 1's eax that identify a CPU (the reserved ones and the processor type
/// left out).
const SIGNATURE_MASK: u32 = 0x0fff_3fff;
/// Intel CPUs whose TSX is broken: family 6, these models (and model 63 before stepping 4).
const BROKEN_TSX_MODELS: [u32; 3] = [60, 69, 70];

impl RawCpu {
    fn leaf(&self, leaf: u32, subleaf: u32) -> Option<[u32; 4]> {
        self.leaves
            .iter()
            .find(|(l, s, _)| *l == leaf && *s == subleaf)
            .map(|(_, _, regs)| *regs)
    }

    /// Every bit set, as the map's features name bits.
    fn bits(&self) -> Bits {
        let mut bits = Bits::new();
        for (leaf, subleaf, regs) in &self.leaves {
            for (reg, value) in regs.iter().enumerate() {
                for bit in (0..32u8).filter(|b| value & (1 << b) != 0) {
                    bits.insert(Bit::Cpuid {
                        leaf: *leaf,
                        subleaf: *subleaf,
                        reg: reg as u8,
                        bit,
                    });
                }
            }
        }
        for (index, value) in &self.msrs {
            for (reg, half) in [(0u8, *value as u32), (1, (*value >> 32) as u32)] {
                for bit in (0..32u8).filter(|b| half & (1 << b) != 0) {
                    bits.insert(Bit::Msr {
                        index: *index,
                        reg,
                        bit,
                    });
                }
            }
        }
        bits
    }

    /// The vendor string of leaf 0 (ebx, edx, ecx).
    fn vendor_string(&self) -> Option<String> {
        let [_, ebx, ecx, edx] = self.leaf(0, 0)?;
        let bytes: Vec<u8> = [ebx, edx, ecx]
            .iter()
            .flat_map(|r| r.to_le_bytes())
            .collect();
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Family, model and stepping from leaf 1 (the extended fields added in).
    fn signature(&self) -> Option<(u32, u32, u32)> {
        let eax = self.leaf(1, 0)?[0] & SIGNATURE_MASK;
        let family = ((eax >> 20) & 0xff) + ((eax >> 8) & 0xf);
        let model = ((eax >> 12) & 0xf0) + ((eax >> 4) & 0xf);
        Some((family, model, eax & 0xf)).filter(|_| eax != 0)
    }
}

impl CpuMap {
    /// Whether `raw` has every bit of the map's feature `name`.
    pub fn raw_has_feature(&self, raw: &RawCpu, name: &str) -> bool {
        self.feature(name)
            .is_some_and(|f| !f.bits.is_empty() && f.bits.is_subset(&raw.bits()))
    }

    /// The host CPU described against the map, or None when no model fits.
    pub fn decode_host(&self, raw: &RawCpu) -> Option<HostCpu> {
        let vendor = raw
            .vendor_string()
            .and_then(|s| self.vendor_by_string(&s))
            .map(|v| v.name.clone());
        let signature = raw.signature();
        let mut data = raw.bits();
        if vendor.as_deref() == Some("Intel") {
            self.drop_broken_tsx(&mut data, signature);
        }
        let mut best: Option<(&Model, Vec<String>)> = None;
        for candidate in self.models.iter().rev() {
            if matches!((&vendor, &candidate.vendor), (Some(v), Some(c)) if v != c) {
                continue;
            }
            let Some(features) = self.host_features(&data, candidate) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some((current, current_features)) => {
                    let matches = |m: &Model| {
                        signature.is_some_and(|(f, m_, s)| {
                            m.signatures.iter().any(|sig| sig.matches(f, m_, Some(s)))
                        })
                    };
                    match (matches(current), matches(candidate)) {
                        (true, false) => false,
                        (false, true) => true,
                        _ => features.len() < current_features.len(),
                    }
                }
            };
            if better {
                best = Some((candidate, features));
            }
        }
        let (model, features) = best?;
        Some(HostCpu {
            model: model.name.clone(),
            vendor,
            signature,
            features,
        })
    }

    /// The features `data` adds to `model`, or None when the model may not describe a host or
    /// has a feature `data` lacks.
    fn host_features(&self, data: &Bits, model: &Model) -> Option<Vec<String>> {
        if !model.decode_host {
            return None;
        }
        let mut missing: Bits = model.bits.difference(data).copied().collect();
        if !self.features_of(&mut missing).is_empty() {
            return None;
        }
        let mut extra: Bits = data.difference(&model.bits).copied().collect();
        Some(self.features_of(&mut extra))
    }

    /// The reference ignores TSX (hle, rtm) on the Intel CPUs where it is broken.
    fn drop_broken_tsx(&self, data: &mut Bits, signature: Option<(u32, u32, u32)>) {
        let Some((6, model, stepping)) = signature else {
            return;
        };
        if !(BROKEN_TSX_MODELS.contains(&model) || (model == 63 && stepping < 4)) {
            return;
        }
        for name in ["hle", "rtm"] {
            if let Some(f) = self.feature(name) {
                data.retain(|b| !f.bits.contains(b));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::CPU_MAP_DIR;
    use super::*;
    use std::path::Path;

    fn map() -> Option<CpuMap> {
        CpuMap::load(Path::new(CPU_MAP_DIR)).ok()
    }

    /// A CPU whose CPUID has exactly the bits of `names`, with a vendor and a leaf 1 signature.
    fn raw_with(m: &CpuMap, vendor: &[u8; 12], eax1: u32, names: &[&str]) -> RawCpu {
        let word = |i: usize| u32::from_le_bytes(vendor[i..i + 4].try_into().unwrap());
        let mut raw = RawCpu::default();
        raw.leaves.push((0, 0, [0xd, word(0), word(8), word(4)]));
        raw.leaves.push((1, 0, [eax1, 0, 0, 0]));
        for name in names {
            for b in &m.feature(name).unwrap().bits {
                match *b {
                    Bit::Cpuid {
                        leaf,
                        subleaf,
                        reg,
                        bit,
                    } => {
                        let i = match raw
                            .leaves
                            .iter()
                            .position(|(l, s, _)| (*l, *s) == (leaf, subleaf))
                        {
                            Some(i) => i,
                            None => {
                                raw.leaves.push((leaf, subleaf, [0; 4]));
                                raw.leaves.len() - 1
                            }
                        };
                        raw.leaves[i].2[reg as usize] |= 1 << bit;
                    }
                    Bit::Msr { index, reg, bit } => {
                        raw.msrs
                            .push((index, 1u64 << (u32::from(reg) * 32 + u32::from(bit))));
                    }
                }
            }
        }
        raw
    }

    fn model_features(m: &CpuMap, name: &str) -> Vec<String> {
        let model = m.models.iter().find(|x| x.name == name).unwrap();
        m.features_of(&mut model.bits.clone())
    }

    #[test]
    fn a_host_with_a_model_s_features_and_more_is_that_model_plus_the_rest() {
        let Some(m) = map() else {
            eprintln!("SKIP: no CPU map at {CPU_MAP_DIR}");
            return;
        };
        let mut names = model_features(&m, "Icelake-Server");
        names.push("invtsc".into());
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        // Family 6, model 106, stepping 6: an Ice Lake server.
        let raw = raw_with(&m, b"GenuineIntel", 0x606a6, &names);
        let host = m.decode_host(&raw).unwrap();
        assert_eq!(host.model, "Icelake-Server");
        assert_eq!(host.vendor.as_deref(), Some("Intel"));
        assert_eq!(host.signature, Some((6, 106, 6)));
        assert_eq!(host.features, vec!["invtsc".to_string()]);
        assert!(m.raw_has_feature(&raw, "invtsc"));
        assert!(!m.raw_has_feature(&raw, "svm"));
    }

    #[test]
    fn a_model_with_a_feature_the_host_lacks_is_never_chosen() {
        let Some(m) = map() else {
            eprintln!("SKIP: no CPU map at {CPU_MAP_DIR}");
            return;
        };
        let names: Vec<String> = model_features(&m, "Icelake-Server")
            .into_iter()
            .filter(|n| n != "avx512f")
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let raw = raw_with(&m, b"GenuineIntel", 0x606a6, &names);
        let host = m.decode_host(&raw).unwrap();
        assert_ne!(host.model, "Icelake-Server");
        assert!(!host.features.iter().any(|f| f == "avx512f"));
    }

    #[test]
    fn broken_tsx_is_ignored_on_the_cpus_that_have_it() {
        let Some(m) = map() else {
            eprintln!("SKIP: no CPU map at {CPU_MAP_DIR}");
            return;
        };
        let mut names = model_features(&m, "Haswell-noTSX");
        names.extend(["hle".to_string(), "rtm".to_string()]);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        // Family 6, model 60 (0x3c): a Haswell whose TSX the reference does not trust.
        let raw = raw_with(&m, b"GenuineIntel", 0x306c3, &names);
        let host = m.decode_host(&raw).unwrap();
        assert_eq!(host.model, "Haswell-noTSX");
        assert!(host.features.is_empty(), "{:?}", host.features);
    }

    #[test]
    fn steppings_are_read_as_lists_of_ranges() {
        assert_eq!(super::super::parse_steppings("5-7"), 0b1110_0000);
        assert_eq!(super::super::parse_steppings("0,3-4"), 0b1_1001);
    }
}
