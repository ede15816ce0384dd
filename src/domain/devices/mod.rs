//! The parts of a domain definition kept as written (devices and the elements around them), and
//! the whole definition formatted with them: what a driver that runs guests shows and records.

mod element;

pub use element::Element;

use crate::domain::xml::esc;
use crate::domain::{uuid, DomainDef};

/// libvirt's order of the top-level elements it formats; unknown ones go last, in their order.
const TOP_ORDER: &[&str] = &[
    "title",
    "description",
    "metadata",
    "maxMemory",
    "memory",
    "currentMemory",
    "blkiotune",
    "memtune",
    "memoryBacking",
    "vcpu",
    "vcpus",
    "iothreads",
    "iothreadids",
    "cputune",
    "numatune",
    "resource",
    "sysinfo",
    "bootloader",
    "os",
    "features",
    "cpu",
    "clock",
    "on_poweroff",
    "on_reboot",
    "on_crash",
    "pm",
    "perf",
    "devices",
    "seclabel",
];

fn rank(name: &str) -> usize {
    TOP_ORDER
        .iter()
        .position(|n| *n == name)
        .unwrap_or(TOP_ORDER.len())
}

/// The extras that go after `from` and before `to` in libvirt's order (unknown ones at the end).
fn extras_between<'a>(def: &'a DomainDef, from: &str, to: &str) -> Vec<&'a Element> {
    // "" is before everything, "~end" after everything.
    let lo = if from.is_empty() { 0 } else { rank(from) + 1 };
    let hi = rank(to);
    let mut v: Vec<&Element> = def
        .extras
        .iter()
        .filter(|e| {
            let r = rank(&e.name);
            r >= lo && (r < hi || to == "~end")
        })
        .collect();
    v.sort_by_key(|e| rank(&e.name));
    v
}

/// libvirt's order of the device kinds inside `<devices>` (virDomainDefFormatInternal), by
/// element name: the test driver's formatter and the qemu driver's live definition both sort by it.
pub(crate) const DEVICE_ORDER: &[&str] = &[
    "disk",
    "controller",
    "lease",
    "filesystem",
    "interface",
    "smartcard",
    "serial",
    "parallel",
    "console",
    "channel",
    "input",
    "tpm",
    "graphics",
    "sound",
    "audio",
    "video",
    "hostdev",
    "redirdev",
    "redirfilter",
    "hub",
    "watchdog",
    "memballoon",
    "rng",
    "nvram",
    "panic",
    "shmem",
    "memory",
    "iommu",
    "vsock",
    "crypto",
];

/// A device kind's place in [`DEVICE_ORDER`]; unknown kinds go last (a stable sort keeps their order).
pub fn device_rank(name: &str) -> usize {
    DEVICE_ORDER
        .iter()
        .position(|n| *n == name)
        .unwrap_or(DEVICE_ORDER.len())
}

/// The whole definition, devices and all; `id` is the live id (None when inactive).
pub fn format_full(def: &DomainDef, id: Option<i32>) -> String {
    let mut x = String::new();
    let t = esc(&def.virt_type);
    match id {
        Some(id) => x.push_str(&format!("<domain type='{t}' id='{id}'>\n")),
        None => x.push_str(&format!("<domain type='{t}'>\n")),
    }
    x.push_str(&format!("  <name>{}</name>\n", esc(&def.name)));
    x.push_str(&format!("  <uuid>{}</uuid>\n", uuid::format(&def.uuid)));
    for e in extras_between(def, "", "memory") {
        e.write(&mut x, 2);
    }
    x.push_str(&format!(
        "  <memory unit='KiB'>{}</memory>\n",
        def.memory_kib
    ));
    x.push_str(&format!(
        "  <currentMemory unit='KiB'>{}</currentMemory>\n",
        def.current_memory_kib
    ));
    for e in extras_between(def, "currentMemory", "vcpu") {
        e.write(&mut x, 2);
    }
    def.write_vcpus(&mut x);
    for e in extras_between(def, "vcpus", "os") {
        e.write(&mut x, 2);
    }
    format_os(def, &mut x);
    for e in extras_between(def, "os", "on_poweroff") {
        e.write(&mut x, 2);
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
    for e in extras_between(def, "on_crash", "devices") {
        e.write(&mut x, 2);
    }
    x.push_str("  <devices>\n");
    if let Some(e) = &def.emulator {
        x.push_str(&format!("    <emulator>{}</emulator>\n", esc(e)));
    }
    for d in &def.devices {
        d.write(&mut x, 4);
    }
    x.push_str("  </devices>\n");
    for e in extras_between(def, "devices", "~end") {
        e.write(&mut x, 2);
    }
    x.push_str("</domain>\n");
    x
}

fn format_os(def: &DomainDef, x: &mut String) {
    match &def.os_firmware {
        Some(f) => x.push_str(&format!("  <os firmware='{}'>\n    <type", esc(f))),
        None => x.push_str("  <os>\n    <type"),
    }
    if let Some(a) = &def.arch {
        x.push_str(&format!(" arch='{}'", esc(a)));
    }
    if let Some(m) = &def.machine {
        x.push_str(&format!(" machine='{}'", esc(m)));
    }
    x.push_str(&format!(">{}</type>\n", esc(&def.os_type)));
    for e in &def.os_extras {
        e.write(x, 4);
    }
    x.push_str("  </os>\n");
}

#[cfg(test)]
mod tests {
    use crate::domain::xml::parse;

    #[test]
    fn everything_written_is_read_back() {
        let text = "<domain type='qemu'><name>g</name><memory unit='MiB'>64</memory>\
            <os firmware='efi'><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\
            <features><acpi/></features><clock offset='utc'><timer name='rtc'/></clock>\
            <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>\
            <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\
            <console type='pty'/></devices></domain>";
        let def = parse(text).unwrap();
        assert_eq!(def.devices.len(), 2);
        assert_eq!(def.extras.len(), 2);
        let again = parse(&super::format_full(&def, Some(3))).unwrap();
        assert_eq!(again, def);
    }
}
