//! virConnectGetCapabilities on the qemu driver (issue 17): the host as the reference describes it
//! (its CPU's architecture, model, vendor, signature, TSC, topology, features and page sizes,
//! migration transports, NUMA cells, L3 caches and security models), then a guest per x86
//! emulator installed, with the machine types qemu itself lists (`query-machines`, asked once per
//! process and emulator).

use super::config;
use super::host::{parse_cpu_list, Host};
use super::host_cpu;
use std::fmt::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The emulators the reference looks for, with the guest architecture and word size of each.
const EMULATORS: [(&str, &str, u32); 2] = [
    ("qemu-system-i386", "i686", 32),
    ("qemu-system-x86_64", "x86_64", 64),
];
/// How long qemu may take to list its machine types.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// One machine type: its name, the alias qemu gives it, the most CPUs and whether deprecated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Machine {
    pub(super) name: String,
    pub(super) alias: Option<String>,
    pub(super) max_cpus: u64,
    deprecated: bool,
    default: bool,
}

/// The capabilities XML of a root (its qemu.conf chooses the security models).
pub fn capabilities(root: &Path) -> String {
    let host = Host::default();
    let mut x = String::from("<capabilities>\n\n  <host>\n");
    if let Some(uuid) = host_uuid() {
        let _ = writeln!(x, "    <uuid>{uuid}</uuid>");
    }
    x.push_str("    <cpu>\n");
    let _ = writeln!(x, "      <arch>{}</arch>", std::env::consts::ARCH);
    let cpu = host_cpu::host_cpu();
    host_cpu::format_identity(&mut x, cpu);
    if let Ok(info) = host.node_info() {
        let _ = writeln!(
            x,
            "      <topology sockets='{}' dies='1' cores='{}' threads='{}'/>",
            info.sockets, info.cores, info.threads
        );
    }
    host_cpu::format_features(&mut x, cpu);
    let sizes = page_sizes();
    for size in &sizes {
        let _ = writeln!(x, "      <pages unit='KiB' size='{size}'/>");
    }
    x.push_str("    </cpu>\n    <power_management/>\n");
    let iommu = std::fs::read_dir("/sys/kernel/iommu_groups").is_ok_and(|mut d| d.next().is_some());
    let _ = writeln!(
        x,
        "    <iommu support='{}'/>",
        if iommu { "yes" } else { "no" }
    );
    x.push_str(
        "    <migration_features>\n      <live/>\n      <uri_transports>\n        \
         <uri_transport>tcp</uri_transport>\n        <uri_transport>rdma</uri_transport>\n      \
         </uri_transports>\n    </migration_features>\n",
    );
    format_cells(&mut x, &sizes);
    format_caches(&mut x);
    format_secmodels(&mut x, root);
    x.push_str("  </host>\n\n");
    for (binary, arch, wordsize) in EMULATORS {
        if let Some(path) = find_in_path(binary) {
            format_guest(&mut x, &path, arch, wordsize);
        }
    }
    x.push_str("</capabilities>\n");
    x
}

/// The host's UUID: SMBIOS's when the host has one, else one made up for this process (as the
/// reference does when it finds none).
fn host_uuid() -> Option<String> {
    static UUID: OnceLock<Option<String>> = OnceLock::new();
    UUID.get_or_init(|| {
        let smbios = std::fs::read_to_string("/sys/class/dmi/id/product_uuid")
            .ok()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| s.len() == 36);
        smbios.or_else(|| Some(crate::domain::uuid::format(&crate::domain::uuid::generate())))
    })
    .clone()
}

/// The page sizes in KiB: the base page, then the huge page sizes the kernel offers, smallest
/// first.
fn page_sizes() -> Vec<u64> {
    let mut huge: Vec<u64> = std::fs::read_dir("/sys/kernel/mm/hugepages")
        .map(|d| {
            d.filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_prefix("hugepages-")?
                    .strip_suffix("kB")?
                    .parse()
                    .ok()
            })
            .collect()
        })
        .unwrap_or_default();
    huge.sort_unstable();
    let mut sizes = vec![crate::host::page_size() / 1024];
    sizes.extend(huge);
    sizes
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn read_u64(path: &str) -> Option<u64> {
    read_trimmed(path)?.parse().ok()
}

/// The NUMA cells: memory, pages of each size, distances and CPUs.
fn format_cells(x: &mut String, sizes: &[u64]) {
    let nodes = read_trimmed("/sys/devices/system/node/online")
        .map(|s| parse_cpu_list(&s))
        .unwrap_or_default();
    if nodes.is_empty() {
        return;
    }
    let _ = writeln!(x, "    <topology>\n      <cells num='{}'>", nodes.len());
    for n in &nodes {
        let dir = format!("/sys/devices/system/node/node{n}");
        let _ = writeln!(x, "        <cell id='{n}'>");
        let mem = std::fs::read_to_string(format!("{dir}/meminfo"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.contains("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(3)?.parse::<u64>().ok())
            .unwrap_or(0);
        let _ = writeln!(x, "          <memory unit='KiB'>{mem}</memory>");
        let huge: Vec<(u64, u64)> = sizes[1..]
            .iter()
            .map(|s| {
                let nr = read_u64(&format!("{dir}/hugepages/hugepages-{s}kB/nr_hugepages"));
                (*s, nr.unwrap_or(0))
            })
            .collect();
        let in_huge: u64 = huge.iter().map(|(s, nr)| s * nr).sum();
        let _ = writeln!(
            x,
            "          <pages unit='KiB' size='{}'>{}</pages>",
            sizes[0],
            mem.saturating_sub(in_huge) / sizes[0].max(1)
        );
        for (s, nr) in huge {
            let _ = writeln!(x, "          <pages unit='KiB' size='{s}'>{nr}</pages>");
        }
        let distances = read_trimmed(&format!("{dir}/distance")).unwrap_or_default();
        if !distances.is_empty() {
            x.push_str("          <distances>\n");
            for (id, d) in nodes.iter().zip(distances.split_whitespace()) {
                let _ = writeln!(x, "            <sibling id='{id}' value='{d}'/>");
            }
            x.push_str("          </distances>\n");
        }
        let cpus = read_trimmed(&format!("{dir}/cpulist"))
            .map(|s| parse_cpu_list(&s))
            .unwrap_or_default();
        let _ = writeln!(x, "          <cpus num='{}'>", cpus.len());
        for c in cpus {
            let topo = format!("/sys/devices/system/cpu/cpu{c}/topology");
            let id = |f: &str| read_u64(&format!("{topo}/{f}")).unwrap_or(0);
            let siblings = read_trimmed(&format!("{topo}/thread_siblings_list"))
                .unwrap_or_else(|| c.to_string());
            let _ = writeln!(
                x,
                "            <cpu id='{c}' socket_id='{}' die_id='{}' core_id='{}' siblings='{siblings}'/>",
                id("physical_package_id"),
                id("die_id"),
                id("core_id")
            );
        }
        x.push_str("          </cpus>\n        </cell>\n");
    }
    x.push_str("      </cells>\n    </topology>\n");
}

/// The level 3 caches (the reference describes no others), one bank per cache id.
fn format_caches(x: &mut String) {
    let mut banks: Vec<(u64, String, u64, String)> = Vec::new();
    let cpus = read_trimmed("/sys/devices/system/cpu/online")
        .map(|s| parse_cpu_list(&s))
        .unwrap_or_default();
    for c in cpus {
        let Ok(entries) = std::fs::read_dir(format!("/sys/devices/system/cpu/cpu{c}/cache")) else {
            continue;
        };
        for e in entries.flatten() {
            let dir = e.path().display().to_string();
            if read_u64(&format!("{dir}/level")) != Some(3) {
                continue;
            }
            let id = read_u64(&format!("{dir}/id")).unwrap_or(0);
            if banks.iter().any(|b| b.0 == id) {
                continue;
            }
            let kind = match read_trimmed(&format!("{dir}/type")).as_deref() {
                Some("Data") => "data",
                Some("Instruction") => "instruction",
                _ => "both",
            };
            let size_kib = read_trimmed(&format!("{dir}/size"))
                .and_then(|s| s.trim_end_matches('K').parse().ok())
                .unwrap_or(0);
            let shared = read_trimmed(&format!("{dir}/shared_cpu_list")).unwrap_or_default();
            banks.push((id, kind.into(), size_kib, shared));
        }
    }
    if banks.is_empty() {
        return;
    }
    x.push_str("    <cache>\n");
    for (id, kind, kib, cpus) in banks {
        let (size, unit) = pretty_kib(kib);
        let _ = writeln!(
            x,
            "      <bank id='{id}' level='3' type='{kind}' size='{size}' unit='{unit}' cpus='{cpus}'/>"
        );
    }
    x.push_str("    </cache>\n");
}

/// A size in the largest unit that divides it (virFormatIntPretty).
fn pretty_kib(kib: u64) -> (u64, &'static str) {
    let bytes = kib * 1024;
    for (div, unit) in [
        (1u64 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ] {
        if bytes >= div && bytes % div == 0 {
            return (bytes / div, unit);
        }
    }
    (bytes, "B")
}

/// The security models: "none" when qemu.conf turns them off, then DAC with the user and group
/// qemu runs as.
fn format_secmodels(x: &mut String, root: &Path) {
    let text = std::fs::read_to_string(root.join("etc/qemu.conf")).unwrap_or_default();
    let entries = config::parse(&text, "qemu.conf").unwrap_or_default();
    let str_of = |k: &str| match entries.get(k) {
        Some(config::Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    if str_of("security_driver").as_deref() == Some("none") {
        x.push_str(
            "    <secmodel>\n      <model>none</model>\n      <doi>0</doi>\n    </secmodel>\n",
        );
    }
    let privileged = crate::host::effective_uid_is_root();
    let user = str_of("user").unwrap_or_else(|| {
        if privileged {
            "libvirt-qemu".into()
        } else {
            String::new()
        }
    });
    let group = str_of("group").unwrap_or_else(|| {
        if privileged {
            "kvm".into()
        } else {
            String::new()
        }
    });
    let uid = id_of("/etc/passwd", &user).unwrap_or_else(|| crate::host::ids().0);
    let gid = id_of("/etc/group", &group).unwrap_or_else(|| crate::host::ids().1);
    let _ = write!(
        x,
        "    <secmodel>\n      <model>dac</model>\n      <doi>0</doi>\n      \
         <baselabel type='kvm'>+{uid}:+{gid}</baselabel>\n      \
         <baselabel type='qemu'>+{uid}:+{gid}</baselabel>\n    </secmodel>\n"
    );
}

/// A user's or group's number: `+N` as written, or its entry in `file` (passwd or group).
fn id_of(file: &str, name: &str) -> Option<u32> {
    if let Some(n) = name.strip_prefix('+') {
        return n.parse().ok();
    }
    std::fs::read_to_string(file)
        .ok()?
        .lines()
        .find(|l| l.split(':').next() == Some(name))
        .and_then(|l| l.split(':').nth(2)?.parse().ok())
}

pub(super) fn find_in_path(binary: &str) -> Option<String> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    path.split(':')
        .map(|d| Path::new(d).join(binary))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

fn format_guest(x: &mut String, emulator: &str, arch: &str, wordsize: u32) {
    let _ = write!(
        x,
        "  <guest>\n    <os_type>hvm</os_type>\n    <arch name='{arch}'>\n      \
         <wordsize>{wordsize}</wordsize>\n      <emulator>{emulator}</emulator>\n"
    );
    for m in machines(emulator) {
        let deprecated = if m.deprecated {
            " deprecated='yes'"
        } else {
            ""
        };
        let _ = writeln!(
            x,
            "      <machine maxCpus='{}'{deprecated}>{}</machine>",
            m.max_cpus, m.name
        );
        if let Some(alias) = &m.alias {
            let _ = writeln!(
                x,
                "      <machine canonical='{}' maxCpus='{}'{deprecated}>{alias}</machine>",
                m.name, m.max_cpus
            );
        }
    }
    x.push_str("      <domain type='qemu'/>\n");
    if super::command::kvm_usable() {
        x.push_str("      <domain type='kvm'/>\n");
    }
    x.push_str("    </arch>\n    <features>\n");
    if wordsize == 32 {
        x.push_str("      <pae/>\n      <nonpae/>\n");
    }
    x.push_str(
        "      <acpi default='on' toggle='yes'/>\n      <apic default='on' toggle='no'/>\n      \
         <cpuselection/>\n      <deviceboot/>\n      <disksnapshot default='on' toggle='no'/>\n    \
         </features>\n  </guest>\n\n",
    );
}

/// The machine types of `emulator` as qemu lists them, the default one first; asked once per
/// process.
fn machines(emulator: &str) -> Vec<Machine> {
    static CACHE: Mutex<Vec<(String, Vec<Machine>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, m)) = cache.iter().find(|(e, _)| e == emulator) {
        return m.clone();
    }
    let list = probe_machines(emulator).unwrap_or_default();
    cache.push((emulator.to_string(), list.clone()));
    list
}

/// query-machines through a qemu that runs nothing (`-machine none`), on its stdio.
fn probe_machines(emulator: &str) -> Option<Vec<Machine>> {
    let mut q = super::stdio_probe::StdioQmp::start(emulator, "none", &[], PROBE_TIMEOUT)?;
    parse_machines(&q.ask(&serde_json::json!({"execute": "query-machines"}))?)
}

/// query-machines' answer without the `none` machine, the default one first.
pub(super) fn parse_machines(v: &serde_json::Value) -> Option<Vec<Machine>> {
    let mut list: Vec<Machine> = v
        .as_array()?
        .iter()
        .filter(|m| m["name"].as_str() != Some("none"))
        .filter_map(|m| {
            Some(Machine {
                name: m["name"].as_str()?.to_string(),
                alias: m["alias"].as_str().map(str::to_string),
                max_cpus: m["cpu-max"].as_u64().unwrap_or(1),
                deprecated: m["deprecated"].as_bool().unwrap_or(false),
                default: m["is-default"].as_bool().unwrap_or(false),
            })
        })
        .collect();
    if let Some(i) = list.iter().position(|m| m.default) {
        let d = list.remove(i);
        list.insert(0, d);
    }
    Some(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_in_the_largest_unit_that_divides_them() {
        assert_eq!(pretty_kib(49152), (48, "MiB"));
        assert_eq!(pretty_kib(1536), (1536, "KiB"));
        assert_eq!(pretty_kib(1024 * 1024), (1, "GiB"));
    }
}
