//! The test driver's domain devices as the reference's parser completes them and its formatter
//! writes them (libvirt's domain_conf.c with the test driver's callbacks): generated MAC addresses
//! and `testnetN` interface names, the console a serial port implies (and the other way round),
//! the video card graphics imply, default buses, listen elements and video sizes, the canonical
//! order of devices and of their attributes and children, and PCI addresses written in full.

use super::domain_extras::DefExtras;
use crate::domain::devices::{device_rank, Element};
use crate::domain::{uuid, DomainDef};

const DISK_CHILDREN: &[&str] = &[
    "driver",
    "source",
    "backingStore",
    "target",
    "iotune",
    "boot",
    "readonly",
    "shareable",
    "transient",
    "serial",
    "wwn",
    "vendor",
    "product",
    "encryption",
    "alias",
    "address",
];

const INTERFACE_CHILDREN: &[&str] = &[
    "mac",
    "source",
    "bandwidth",
    "virtualport",
    "ip",
    "route",
    "script",
    "downscript",
    "backenddomain",
    "target",
    "guest",
    "model",
    "driver",
    "backend",
    "filterref",
    "tune",
    "teaming",
    "link",
    "mtu",
    "coalesce",
    "boot",
    "rom",
    "alias",
    "address",
];

/// The attributes of `<graphics type='vnc'>` in the formatter's order.
const VNC_ATTRS: &[&str] = &[
    "type",
    "socket",
    "port",
    "autoport",
    "websocket",
    "sharePolicy",
    "listen",
    "keymap",
    "passwd",
    "passwdValidTo",
    "connected",
    "powerControl",
];

/// The prefix of the interface names the test driver gives (testDomainGenerateIfname).
const IFNAME_PREFIX: &str = "testnet";
/// The video memory (KiB) libvirt gives a cirrus or VGA card that names none.
const DEFAULT_VRAM_KIB: &str = "16384";

fn rank(order: &[&str], name: &str) -> usize {
    order.iter().position(|n| *n == name).unwrap_or(order.len())
}

/// The children in `order` (unknown ones last), a stable sort.
fn sort_children(e: &mut Element, order: &[&str]) {
    e.children.sort_by_key(|c| rank(order, &c.name));
}

/// The attributes in `order` (unknown ones after, as written).
fn sort_attrs(e: &mut Element, order: &[&str]) {
    e.attrs.sort_by_key(|(k, _)| rank(order, k));
}

/// A random MAC address in the range libvirt generates (52:54:00, qemu's prefix).
fn random_mac() -> String {
    let r = uuid::generate();
    format!("52:54:00:{:02x}:{:02x}:{:02x}", r[0], r[1], r[2])
}

/// What the reference's parse adds to a definition's devices, once, before it is kept: a MAC
/// address for each interface without one and a `testnetN` name (the lowest free N) for each
/// without a target device (testDomainGenerateIfnames).
pub(super) fn prepare(def: &mut DomainDef) {
    for dev in def.devices.iter_mut().filter(|d| d.name == "interface") {
        if dev.child("mac").is_none() {
            let mac = Element::new("mac").with_attr("address", &random_mac());
            dev.children.insert(0, mac);
        }
    }
    let count = def.devices.len();
    for i in 0..count {
        let d = &def.devices[i];
        if d.name != "interface" || d.child_attr("target", "dev").is_some() {
            continue;
        }
        let taken = |name: &str| {
            def.devices
                .iter()
                .any(|n| n.name == "interface" && n.child_attr("target", "dev") == Some(name))
        };
        let name = (0..)
            .map(|n| format!("{IFNAME_PREFIX}{n}"))
            .find(|n| !taken(n))
            .unwrap_or_default();
        def.devices[i].ensure_child("target").set_attr("dev", &name);
    }
}

/// The interfaces of a definition as (target device, MAC, network name for `type='network'`).
pub(super) fn interfaces(def: &DomainDef) -> Vec<(String, String, Option<String>)> {
    def.devices
        .iter()
        .filter(|d| d.name == "interface")
        .map(|d| {
            let network = match d.attr("type") {
                Some("network") => d.child_attr("source", "network").map(str::to_string),
                _ => None,
            };
            (
                d.child_attr("target", "dev")
                    .unwrap_or_default()
                    .to_string(),
                d.child_attr("mac", "address")
                    .unwrap_or_default()
                    .to_string(),
                network,
            )
        })
        .collect()
}

/// The whole definition as the test driver's GetXMLDesc writes it.
pub(super) fn format(def: &DomainDef, id: Option<i32>, extras: &DefExtras) -> String {
    let mut shown = extras.shown();
    let mut tuned = def.clone();
    for d in &mut tuned.devices {
        let tune = match d.name.as_str() {
            "disk" => d
                .child_attr("target", "dev")
                .and_then(|t| extras.tune.iotune_element(t)),
            "interface" => d
                .child_attr("target", "dev")
                .and_then(|n| extras.tune.bandwidth_element(n)),
            _ => None,
        };
        if let Some(t) = tune {
            d.children.retain(|c| c.name != t.name);
            d.children.push(t);
        }
    }
    shown.devices = Some(devices(&tuned));
    // The top-level elements kept as written: features and cpu after <os>, pm after <on_crash>.
    let written = |names: &[&str]| {
        let mut out = String::new();
        for e in def
            .extras
            .iter()
            .filter(|e| names.contains(&e.name.as_str()))
        {
            e.write(&mut out, 2);
        }
        out
    };
    shown.after_os = written(&["features", "cpu"]);
    shown.after_lifecycle = written(&["pm"]) + &shown.after_lifecycle;
    crate::domain::xml::format_shown(def, id, &shown)
}

/// The children of `<devices>` (but `<emulator>`), completed and in the formatter's order,
/// each indented by four spaces.
pub(super) fn devices(def: &DomainDef) -> String {
    let mut devs: Vec<Element> = def.devices.iter().map(complete).collect();
    add_drive_addresses(&mut devs);
    add_console_compat(&mut devs);
    add_default_video(def, &mut devs);
    for (i, d) in devs.iter_mut().filter(|d| d.name == "video").enumerate() {
        complete_video(d, i == 0);
    }
    devs.sort_by_key(|d| device_rank(&d.name));
    let mut out = String::new();
    for d in &devs {
        d.write(&mut out, 4);
    }
    out
}

/// One device with the defaults the parser fills in and in the formatter's order.
fn complete(d: &Element) -> Element {
    let mut d = d.clone();
    for a in d.children.iter_mut().filter(|c| c.name == "address") {
        complete_address(a);
    }
    match d.name.as_str() {
        "disk" => complete_disk(&mut d),
        "interface" => complete_interface(&mut d),
        "graphics" => complete_graphics(&mut d),
        "watchdog" if d.attr("action").is_none() => d.set_attr("action", "reset"),
        _ => {}
    }
    d
}

/// `<address type='pci'>` with each number in libvirt's width.
fn complete_address(a: &mut Element) {
    if a.attr("type") != Some("pci") {
        return;
    }
    let widths = [("domain", 4), ("bus", 2), ("slot", 2), ("function", 1)];
    for (name, width) in widths {
        let value = a.attr(name).map_or(Some(0), parse_number);
        if let Some(v) = value {
            a.set_attr(name, &format!("0x{v:0width$x}"));
        }
    }
    sort_attrs(
        a,
        &["type", "domain", "bus", "slot", "function", "multifunction"],
    );
}

/// A number as libvirt's address parser reads it: hexadecimal with 0x, else decimal.
fn parse_number(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The bus a disk's target name implies (virDomainDiskDefAssignAddress's defaults).
fn default_disk_bus(dev: &str) -> Option<&'static str> {
    [
        ("vd", "virtio"),
        ("xvd", "xen"),
        ("hd", "ide"),
        ("sd", "scsi"),
        ("fd", "fdc"),
        ("ubd", "uml"),
    ]
    .iter()
    .find(|(prefix, _)| dev.starts_with(prefix))
    .map(|(_, bus)| *bus)
}

fn complete_disk(d: &mut Element) {
    if d.attr("type").is_none() {
        d.set_attr("type", "file");
    }
    if d.attr("device").is_none() {
        d.set_attr("device", "disk");
    }
    sort_attrs(d, &["type", "device"]);
    if let Some(t) = d.child_mut("target") {
        if t.attr("bus").is_none() {
            if let Some(bus) = t.attr("dev").and_then(default_disk_bus) {
                t.set_attr("bus", bus);
            }
        }
        sort_attrs(t, &["dev", "bus", "tray", "removable", "rotation_rate"]);
    }
    if let Some(drv) = d.child_mut("driver") {
        sort_attrs(drv, &["name", "type", "cache", "error_policy", "io"]);
    }
    sort_children(d, DISK_CHILDREN);
}

fn complete_interface(d: &mut Element) {
    if d.attr("type") == Some("network") {
        // A network interface keeps the network's name (and port group) only.
        if let Some(src) = d.child_mut("source") {
            src.attrs
                .retain(|(k, _)| k == "network" || k == "portgroup");
        }
    }
    sort_children(d, INTERFACE_CHILDREN);
}

fn complete_graphics(d: &mut Element) {
    let listen = d.attr("listen").map(str::to_string);
    match d.attr("type") {
        Some("vnc") => {
            if d.attr("port").is_none() || d.attr("port") == Some("-1") {
                d.set_attr("port", "-1");
                d.set_attr("autoport", "yes");
            }
            if d.child("listen").is_none() {
                let mut l = Element::new("listen").with_attr("type", "address");
                if let Some(addr) = &listen {
                    l.set_attr("address", addr);
                }
                d.children.insert(0, l);
            }
            sort_attrs(d, VNC_ATTRS);
        }
        Some("spice") if d.child("listen").is_none() => {
            let l = match &listen {
                Some(addr) => Element::new("listen")
                    .with_attr("type", "address")
                    .with_attr("address", addr),
                None => Element::new("listen").with_attr("type", "none"),
            };
            d.children.insert(0, l);
        }
        _ => {}
    }
}

/// How drive addresses are laid out on a disk bus (virDomainDiskDefAssignAddress): the
/// controller type, and the units per bus and buses per controller.
fn drive_layout(bus: &str) -> Option<(&'static str, usize, usize)> {
    match bus {
        "scsi" => Some(("scsi", 7, 1)),
        "ide" => Some(("ide", 2, 2)),
        "sata" => Some(("sata", 6, 1)),
        _ => None,
    }
}

/// The index a disk's target name gives (virDiskNameToIndex): hda 0, hdz 25, hdaa 26.
fn disk_index(dev: &str) -> Option<usize> {
    let suffix = ["xvd", "ubd", "hd", "sd", "vd", "fd"]
        .iter()
        .find_map(|p| dev.strip_prefix(p))?;
    let mut idx = 0usize;
    for (i, c) in suffix.chars().enumerate() {
        if !c.is_ascii_lowercase() {
            return None;
        }
        let v = (c as usize) - ('a' as usize);
        idx = if i == 0 { v } else { (idx + 1) * 26 + v };
    }
    (!suffix.is_empty()).then_some(idx)
}

/// Disks on IDE, SCSI and SATA buses get a drive address, and each controller they name is
/// added when the definition has none (in the reference's order: SCSI, IDE, SATA); channels
/// on virtio get their virtio-serial controller.
fn add_drive_addresses(devs: &mut Vec<Element>) {
    let mut needed: Vec<(&'static str, usize)> = Vec::new();
    for d in devs.iter_mut().filter(|d| d.name == "disk") {
        let Some(bus) = d.child_attr("target", "bus").and_then(drive_layout) else {
            continue;
        };
        let Some(idx) = d.child_attr("target", "dev").and_then(disk_index) else {
            continue;
        };
        let (kind, units, buses) = bus;
        let controller = idx / (units * buses);
        if d.child("address").is_none() {
            let a = Element::new("address")
                .with_attr("type", "drive")
                .with_attr("controller", &controller.to_string())
                .with_attr("bus", &((idx % (units * buses)) / units).to_string())
                .with_attr("target", "0")
                .with_attr("unit", &(idx % units).to_string());
            d.children.push(a);
            sort_children(d, DISK_CHILDREN);
        }
        // Every controller up to the highest index a disk names (virDomainDefAddDiskControllersForType).
        for index in 0..=controller {
            if !needed.contains(&(kind, index)) {
                needed.push((kind, index));
            }
        }
    }
    let virtio_channel = devs
        .iter()
        .any(|d| d.name == "channel" && d.child_attr("target", "type") == Some("virtio"));
    if virtio_channel {
        needed.push(("virtio-serial", 0));
    }
    let order = ["scsi", "fdc", "ide", "sata", "virtio-serial"];
    needed.sort_by_key(|(kind, index)| (rank(&order, kind), *index));
    for (kind, index) in needed {
        let index = index.to_string();
        let exists = devs.iter().any(|d| {
            d.name == "controller"
                && d.attr("type") == Some(kind)
                && d.attr("index") == Some(&index)
        });
        if !exists {
            let c = Element::new("controller")
                .with_attr("type", kind)
                .with_attr("index", &index);
            devs.push(c);
        }
    }
}

/// A serial port implies a console on it, and a console a serial port (virDomainDefAddConsoleCompat).
fn add_console_compat(devs: &mut Vec<Element>) {
    let first_console = devs.iter().position(|d| d.name == "console");
    let has_serial = devs.iter().any(|d| d.name == "serial");
    match (first_console, has_serial) {
        (None, true) => {
            let serial = devs.iter().find(|d| d.name == "serial").cloned();
            if let Some(mut console) = serial {
                console.name = "console".into();
                console
                    .children
                    .retain(|c| c.name != "target" && c.name != "address");
                devs.push(console);
            }
        }
        (Some(i), false) => {
            let console = &devs[i];
            if console.attr("type").is_some()
                && console
                    .child_attr("target", "type")
                    .is_none_or(|t| t == "serial")
            {
                let mut serial = console.clone();
                serial.name = "serial".into();
                serial.children.retain(|c| c.name != "target");
                devs.push(serial);
            }
        }
        _ => {}
    }
    for (port, d) in devs.iter_mut().filter(|d| d.name == "serial").enumerate() {
        if d.child("target").is_none() {
            d.children
                .push(Element::new("target").with_attr("port", &port.to_string()));
        }
    }
    if let Some(c) = devs.iter_mut().find(|d| d.name == "console") {
        let t = c.ensure_child("target");
        if t.attr("type").is_none() {
            t.set_attr("type", "serial");
        }
        if t.attr("port").is_none() {
            t.set_attr("port", "0");
        }
        sort_attrs(t, &["type", "port"]);
    }
}

/// Graphics without a video card get the default card.
fn add_default_video(def: &DomainDef, devs: &mut Vec<Element>) {
    let graphics = devs.iter().any(|d| d.name == "graphics");
    if graphics && !devs.iter().any(|d| d.name == "video") {
        let model = Element::new("model").with_attr("type", default_video_type(def));
        let mut video = Element::new("video");
        video.children.push(model);
        devs.push(video);
    }
}

/// testDomainDevicesDefPostParse: xen for Xen and Linux guests, cirrus otherwise (i686).
fn default_video_type(def: &DomainDef) -> &'static str {
    match def.os_type.as_str() {
        "xen" | "linux" => "xen",
        _ => "cirrus",
    }
}

fn complete_video(v: &mut Element, primary: bool) {
    let default_type = "cirrus";
    let m = v.ensure_child("model");
    if m.attr("type").is_none() {
        m.set_attr("type", default_type);
    }
    let kind = m.attr("type").unwrap_or(default_type).to_string();
    if matches!(kind.as_str(), "cirrus" | "vga" | "xen") && m.attr("vram").is_none() {
        m.set_attr("vram", DEFAULT_VRAM_KIB);
    }
    if m.attr("heads").is_none() {
        m.set_attr("heads", "1");
    }
    if primary && m.attr("primary").is_none() {
        m.set_attr("primary", "yes");
    }
    sort_attrs(
        m,
        &[
            "type", "ram", "vram", "vram64", "vgamem", "heads", "primary",
        ],
    );
    sort_children(v, &["driver", "model", "alias", "address"]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(devices: &str) -> DomainDef {
        let mut d = crate::domain::xml::parse(&format!(
            "<domain type='test'><name>t</name><memory>1024</memory>\
             <os><type>hvm</type></os><devices>{devices}</devices></domain>"
        ))
        .unwrap();
        prepare(&mut d);
        d
    }

    #[test]
    fn interfaces_get_the_lowest_free_name() {
        let d = def(
            "<interface type='network'><mac address='52:54:00:00:00:01'/>\
             <source network='default' bridge='virbr0'/></interface>\
             <interface type='user'><target dev='testnet0'/></interface>",
        );
        let nets = interfaces(&d);
        assert_eq!(nets[0].0, "testnet1");
        assert_eq!(nets[0].2.as_deref(), Some("default"));
        assert!(nets[1].1.starts_with("52:54:00:"));
        assert!(devices(&d).contains("<source network='default'/>"));
    }

    #[test]
    fn implied_devices_and_defaults() {
        let d = def("<console type='pty'/><graphics type='vnc'/>\
             <memballoon model='virtio'><address type='pci' slot='0x2'/></memballoon>");
        let x = devices(&d);
        assert!(x.starts_with("    <serial type='pty'>\n      <target port='0'/>\n"));
        assert!(x.contains("<model type='cirrus' vram='16384' heads='1' primary='yes'/>"));
        assert!(x.contains("domain='0x0000' bus='0x00' slot='0x02' function='0x0'"));
        assert!(x.contains("<graphics type='vnc' port='-1' autoport='yes'>"));
    }
}
