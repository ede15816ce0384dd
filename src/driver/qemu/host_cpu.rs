//! The host's CPU in the capabilities (issue 17), found as the reference's virCPUx86GetHost finds
//! it: the CPU's own CPUID leaves (and the IA32_ARCH_CAPABILITIES register when the CPU has one)
//! described against libvirt's CPU map, the microcode version and physical address width from
//! /proc/cpuinfo, and the TSC's frequency from KVM when the TSC is invariant. Found once per
//! process, as the reference's driver keeps it.

use super::cpu_x86::{CpuMap, HostCpu, RawCpu, CPU_MAP_DIR};
use crate::host::cpuid;
use std::fmt::Write;
use std::path::Path;
use std::sync::OnceLock;

/// The first leaf of the basic and of the extended CPUID ranges.
const CPUID_BASIC: u32 = 0;
const CPUID_EXTENDED: u32 = 0x8000_0000;
/// IA32_ARCH_CAPABILITIES, read when CPUID says the CPU has it.
const MSR_ARCH_CAPABILITIES: u32 = 0x10a;
/// How much of /proc/cpuinfo the reference reads for the microcode version.
const MICROCODE_HEADER: usize = 4096;

/// Everything the capabilities say of the host CPU besides its architecture and topology.
#[derive(Clone, Debug, Default)]
pub struct HostCpuInfo {
    pub decoded: Option<HostCpu>,
    pub microcode: u32,
    /// TSC frequency in Hz and whether KVM scales it.
    pub tsc: Option<(u64, bool)>,
    pub phys_bits: Option<u32>,
}

/// The host CPU, probed once per process.
pub fn host_cpu() -> &'static HostCpuInfo {
    static INFO: OnceLock<HostCpuInfo> = OnceLock::new();
    INFO.get_or_init(probe)
}

fn probe() -> HostCpuInfo {
    let Some(mut raw) = read_cpuid() else {
        return HostCpuInfo::default();
    };
    let Ok(map) = CpuMap::load(Path::new(CPU_MAP_DIR)) else {
        return HostCpuInfo::default();
    };
    if map.raw_has_feature(&raw, "arch-capabilities") {
        if let Some(value) = crate::host::host_msr(MSR_ARCH_CAPABILITIES) {
            raw.msrs.push((MSR_ARCH_CAPABILITIES, value));
        }
    }
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    HostCpuInfo {
        decoded: map.decode_host(&raw),
        microcode: microcode_version(&cpuinfo),
        tsc: if map.raw_has_feature(&raw, "invtsc") {
            crate::host::kvm_tsc()
        } else {
            None
        },
        phys_bits: phys_address_bits(&cpuinfo),
    }
}

/// Both CPUID ranges with the sub-leaves each leaf has, as the reference's cpuidSet reads them.
fn read_cpuid() -> Option<RawCpu> {
    let mut raw = RawCpu::default();
    for base in [CPUID_BASIC, CPUID_EXTENDED] {
        let max = cpuid(base, 0)?[0];
        for leaf in base..=max {
            read_leaf(&mut raw, leaf);
        }
    }
    Some(raw)
}

/// Adds `leaf` with its valid sub-leaves.
fn read_leaf(raw: &mut RawCpu, leaf: u32) {
    let Some(sub0) = cpuid(leaf, 0) else {
        return;
    };
    let add = |raw: &mut RawCpu, subleaf: u32| -> Option<[u32; 4]> {
        let regs = cpuid(leaf, subleaf)?;
        raw.leaves.push((leaf, subleaf, regs));
        Some(regs)
    };
    let [eax, ebx, _, edx] = sub0;
    match leaf {
        // Deterministic cache parameters: up to the first sub-leaf with no cache type.
        0x4 => {
            raw.leaves.push((leaf, 0, sub0));
            let mut regs = sub0;
            let mut sub = 0;
            while regs[0] & 0x1f != 0 {
                sub += 1;
                let Some(r) = add(raw, sub) else { break };
                regs = r;
            }
        }
        // Structured extended features, sub-leaf 14 (processor trace), sub-leaf 17 (SoC
        // vendor, from eax 3 on): sub-leaf 0's eax is the last sub-leaf.
        0x7 | 0x14 | 0x17 => {
            if leaf == 0x17 && eax < 3 {
                return;
            }
            raw.leaves.push((leaf, 0, sub0));
            for sub in 1..=eax {
                add(raw, sub);
            }
        }
        // Extended topology: while the level type is not 0.
        0xb => {
            let mut regs = sub0;
            let mut sub = 0;
            while regs[2] & 0xff00 != 0 {
                raw.leaves.push((leaf, sub, regs));
                sub += 1;
                let Some(r) = cpuid(leaf, sub) else { break };
                regs = r;
            }
        }
        0xd => read_xsave_leaf(raw, sub0),
        // RDT monitoring and allocation: the resources sub-leaf 0 names (edx, ebx).
        0xf | 0x10 => {
            raw.leaves.push((leaf, 0, sub0));
            let resources = if leaf == 0xf { edx } else { ebx };
            for sub in (1..32).filter(|s| resources & (1 << s) != 0) {
                add(raw, sub);
            }
        }
        // SGX: only when leaf 7 says the CPU has it; sub-leaves from 2 while they name a section.
        0x12 => {
            let sgx = raw
                .leaves
                .iter()
                .any(|(l, s, r)| (*l, *s) == (7, 0) && r[1] & (1 << 2) != 0);
            if !sgx {
                return;
            }
            raw.leaves.push((leaf, 0, sub0));
            add(raw, 1);
            let mut sub = 2;
            while let Some(regs) = cpuid(leaf, sub).filter(|r| r[0] & 0xf != 0) {
                raw.leaves.push((leaf, sub, regs));
                sub += 1;
            }
        }
        _ => raw.leaves.push((leaf, 0, sub0)),
    }
}

/// Extended state: sub-leaves 0 and 1, then each state component sub-leaf 0 or 1 names.
fn read_xsave_leaf(raw: &mut RawCpu, sub0: [u32; 4]) {
    raw.leaves.push((0xd, 0, sub0));
    let Some(sub1) = cpuid(0xd, 1) else {
        return;
    };
    raw.leaves.push((0xd, 1, sub1));
    for sub in 2..64u32 {
        let named = if sub < 32 {
            sub0[0] & (1 << sub) != 0 || sub1[2] & (1 << sub) != 0
        } else {
            sub0[3] & (1 << (sub - 32)) != 0 || sub1[3] & (1 << (sub - 32)) != 0
        };
        if let Some(regs) = cpuid(0xd, sub).filter(|_| named) {
            raw.leaves.push((0xd, sub, regs));
        }
    }
}

/// The microcode revision of the first CPU /proc/cpuinfo lists (0 when it says none), read from
/// the file's first 4 KiB as the reference reads it.
fn microcode_version(cpuinfo: &str) -> u32 {
    let head = &cpuinfo.as_bytes()[..cpuinfo.len().min(MICROCODE_HEADER)];
    let head = String::from_utf8_lossy(head);
    let Some(rest) = head
        .find("microcode")
        .and_then(|i| head[i..].split_once(':'))
        .map(|(_, rest)| rest.trim_start())
    else {
        return 0;
    };
    let (digits, radix) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (rest, 10),
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    u32::from_str_radix(&digits[..end], radix).unwrap_or(0)
}

/// The physical address width /proc/cpuinfo gives first ("address sizes : 46 bits physical").
fn phys_address_bits(cpuinfo: &str) -> Option<u32> {
    let line = cpuinfo.lines().find(|l| l.starts_with("address sizes"))?;
    let rest = line.split_once(':')?.1.trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The host CPU's elements before the topology: model, vendor, microcode, signature, counter.
pub fn format_identity(x: &mut String, info: &HostCpuInfo) {
    if let Some(d) = &info.decoded {
        let _ = writeln!(x, "      <model>{}</model>", d.model);
        if let Some(vendor) = &d.vendor {
            let _ = writeln!(x, "      <vendor>{vendor}</vendor>");
        }
    }
    if info.microcode != 0 {
        let _ = writeln!(x, "      <microcode version='{}'/>", info.microcode);
    }
    if let Some((family, model, stepping)) = info.decoded.as_ref().and_then(|d| d.signature) {
        let _ = writeln!(
            x,
            "      <signature family='{family}' model='{model}' stepping='{stepping}'/>"
        );
    }
    if let Some((frequency, scaling)) = info.tsc {
        let scaling = if scaling { "yes" } else { "no" };
        let _ = writeln!(
            x,
            "      <counter name='tsc' frequency='{frequency}' scaling='{scaling}'/>"
        );
    }
}

/// The host CPU's elements after the topology: the physical address width and the features.
pub fn format_features(x: &mut String, info: &HostCpuInfo) {
    if let Some(bits) = info.phys_bits {
        let _ = writeln!(x, "      <maxphysaddr mode='emulate' bits='{bits}'/>");
    }
    for f in info.decoded.iter().flat_map(|d| &d.features) {
        let _ = writeln!(x, "      <feature name='{f}'/>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_microcode_version_is_read_in_hex_or_decimal() {
        assert_eq!(
            microcode_version("processor\t: 0\nmicrocode\t: 0x2b000461\n"),
            0x2b00_0461
        );
        assert_eq!(microcode_version("microcode\t: 240\n"), 240);
        assert_eq!(microcode_version("processor\t: 0\n"), 0);
        let late = format!("{}microcode\t: 0x1\n", "x".repeat(MICROCODE_HEADER));
        assert_eq!(microcode_version(&late), 0);
    }

    #[test]
    fn the_physical_address_width_is_the_first_one_listed() {
        let text = "address sizes\t: 46 bits physical, 57 bits virtual\naddress sizes\t: 39 bits";
        assert_eq!(phys_address_bits(text), Some(46));
        assert_eq!(phys_address_bits("flags\t: fpu\n"), None);
    }

    #[test]
    fn the_host_cpu_is_described_in_the_reference_s_order() {
        let info = HostCpuInfo {
            decoded: Some(HostCpu {
                model: "Icelake-Server".into(),
                vendor: Some("Intel".into()),
                signature: Some((6, 106, 6)),
                features: vec!["ss".into(), "invtsc".into()],
            }),
            microcode: 1,
            tsc: Some((2_793_436_000, false)),
            phys_bits: Some(46),
        };
        let mut x = String::new();
        format_identity(&mut x, &info);
        format_features(&mut x, &info);
        assert_eq!(
            x,
            "      <model>Icelake-Server</model>\n      <vendor>Intel</vendor>\n      \
             <microcode version='1'/>\n      <signature family='6' model='106' stepping='6'/>\n      \
             <counter name='tsc' frequency='2793436000' scaling='no'/>\n      \
             <maxphysaddr mode='emulate' bits='46'/>\n      <feature name='ss'/>\n      \
             <feature name='invtsc'/>\n"
        );
    }
}
