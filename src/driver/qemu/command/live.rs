//! The live definition of a guest about to start, as libvirt 9.0 makes it for qemu 7.2: the
//! machine type expanded, the devices it adds implicitly (USB and PCI root controllers, PS/2
//! input, memory balloon, audio, the serial behind a console), aliases, PCI and USB addresses,
//! virtio-serial ports, generated socket paths and MACs, VNC and SPICE ports. The command line is
//! built from it, and it is what virDomainGetXMLDesc shows while the guest runs.

use super::pci;
use crate::domain::devices::Element;
use crate::domain::DomainDef;
use std::path::PathBuf;

/// What the live definition needs to know about where the guest runs.
pub struct Context {
    /// The directory of generated channel sockets (`<root>/lib/qemu/channel/target/domain-...`).
    pub channel_dir: PathBuf,
    /// What `<cpu mode='host-model'>` stands for here (command::host_cpu), if the guest has it.
    pub host_cpu: Option<crate::driver::qemu::cpu_x86::Decoded>,
}

pub fn is_q35(def: &DomainDef) -> bool {
    def.machine
        .as_deref()
        .is_some_and(|m| m == "q35" || m.starts_with("pc-q35"))
}

/// The expanded machine type: qemu 7.2's current i440fx and q35 versions for the aliases.
fn expand_machine(machine: Option<&str>) -> String {
    match machine {
        None | Some("pc") => "pc-i440fx-7.2".into(),
        Some("q35") => "pc-q35-7.2".into(),
        Some(m) => m.into(),
    }
}

pub fn expand(def: &DomainDef, ctx: &Context) -> DomainDef {
    let mut live = def.clone();
    live.machine = Some(expand_machine(def.machine.as_deref()));
    live.arch = Some(def.arch.clone().unwrap_or_else(|| "x86_64".into()));
    let q35 = is_q35(&live);
    controller_indexes(&mut live);
    console_serials(&mut live);
    implicit_devices(&mut live, q35);
    interface_macs(&mut live);
    graphics_ports(&mut live);
    video_defaults(&mut live);
    if let Some(host) = &ctx.host_cpu {
        let cpu = live.extras.iter_mut().find(|e| e.name == "cpu");
        if let Some(cpu) = cpu.filter(|c| c.attr("mode") == Some("host-model")) {
            crate::driver::qemu::host_model::apply(cpu, host);
        }
    }
    top_level_defaults(&mut live);
    // Stable: controllers stay in document order, the implicit ones after them.
    live.devices
        .sort_by_key(|e| crate::domain::devices::device_rank(&e.name));
    assign_aliases(&mut live);
    chardev_defaults(&mut live, ctx);
    pci::assign(&mut live, q35);
    controller_details(&mut live);
    disk_details(&mut live);
    assign_usb_ports(&mut live);
    live
}

fn devices_named<'a>(def: &'a DomainDef, name: &'a str) -> impl Iterator<Item = &'a Element> {
    def.devices.iter().filter(move |d| d.name == name)
}

fn has_controller(def: &DomainDef, kind: &str, index: &str) -> bool {
    devices_named(def, "controller")
        .any(|c| c.attr("type") == Some(kind) && c.attr("index").unwrap_or("0") == index)
}

/// A controller written without an index takes the lowest its type does not use yet.
fn controller_indexes(def: &mut DomainDef) {
    let mut used: Vec<(String, u32)> = devices_named(def, "controller")
        .filter_map(|c| Some((c.attr("type")?.to_string(), c.attr("index")?.parse().ok()?)))
        .collect();
    for c in def.devices.iter_mut().filter(|d| d.name == "controller") {
        if c.attr("index").is_some() {
            continue;
        }
        let kind = c.attr("type").unwrap_or("").to_string();
        if c.attr("model").is_some_and(|m| m.starts_with("ich9-uhci")) {
            // A companion shares its EHCI master's index.
            c.attrs.insert(1, ("index".into(), "0".into()));
            continue;
        }
        let index = (0..)
            .find(|i| !used.iter().any(|(k, n)| *k == kind && n == i))
            .unwrap_or(0);
        used.push((kind, index));
        c.attrs.insert(1, ("index".into(), index.to_string()));
    }
}

/// A console of type serial (the default on x86) with no serial to stand for: libvirt adds the
/// serial port it is shown on.
fn console_serials(def: &mut DomainDef) {
    let has_serial = def.devices.iter().any(|d| d.name == "serial");
    let Some(first) = def.devices.iter().position(|d| d.name == "console") else {
        // A serial port and no console: the first serial port is the console too.
        if let Some(serial) = def.devices.iter().find(|d| d.name == "serial") {
            let mut console = serial.clone();
            console.name = "console".into();
            console
                .children
                .retain(|c| c.name != "target" && c.name != "address");
            console.children.push(
                Element::new("target")
                    .with_attr("type", "serial")
                    .with_attr("port", "0"),
            );
            def.devices.push(console);
        }
        return;
    };
    let console = &mut def.devices[first];
    let target = console.ensure_child("target");
    if target.attr("type").is_none() {
        target.set_attr("type", "serial");
    }
    if target.attr("type") != Some("serial") {
        return;
    }
    if target.attr("port").is_none() {
        target.set_attr("port", "0");
    }
    if !has_serial {
        let mut serial = def.devices[first].clone();
        serial.name = "serial".into();
        serial.children.retain(|c| c.name != "target");
        serial
            .children
            .push(Element::new("target").with_attr("port", "0"));
        def.devices.push(serial);
    }
}

fn implicit_devices(def: &mut DomainDef, q35: bool) {
    let mut add = Vec::new();
    if !has_controller(def, "usb", "0") {
        let model = if q35 { "qemu-xhci" } else { "piix3-uhci" };
        add.push(
            Element::new("controller")
                .with_attr("type", "usb")
                .with_attr("index", "0")
                .with_attr("model", model),
        );
    }
    if q35 && !has_controller(def, "sata", "0") {
        // The chipset's AHCI.
        add.push(
            Element::new("controller")
                .with_attr("type", "sata")
                .with_attr("index", "0"),
        );
    }
    if !has_controller(def, "pci", "0") {
        let model = if q35 { "pcie-root" } else { "pci-root" };
        add.push(
            Element::new("controller")
                .with_attr("type", "pci")
                .with_attr("index", "0")
                .with_attr("model", model),
        );
    }
    let disk_bus =
        |bus: &str| devices_named(def, "disk").any(|d| d.child_attr("target", "bus") == Some(bus));
    if !q35 && disk_bus("ide") && !has_controller(def, "ide", "0") {
        add.push(
            Element::new("controller")
                .with_attr("type", "ide")
                .with_attr("index", "0"),
        );
    }
    if disk_bus("scsi") && !has_controller(def, "scsi", "0") {
        add.push(
            Element::new("controller")
                .with_attr("type", "scsi")
                .with_attr("index", "0")
                .with_attr("model", "lsilogic"),
        );
    }
    let virtio_port = def.devices.iter().any(|d| {
        (d.name == "channel" || d.name == "console")
            && d.child_attr("target", "type") == Some("virtio")
    });
    if virtio_port && !has_controller(def, "virtio-serial", "0") {
        add.push(
            Element::new("controller")
                .with_attr("type", "virtio-serial")
                .with_attr("index", "0"),
        );
    }
    for (kind, bus) in [("mouse", "ps2"), ("keyboard", "ps2")] {
        let present = devices_named(def, "input")
            .any(|i| i.attr("type") == Some(kind) && i.attr("bus") == Some(bus));
        if !present {
            add.push(
                Element::new("input")
                    .with_attr("type", kind)
                    .with_attr("bus", bus),
            );
        }
    }
    let spice = devices_named(def, "graphics").any(|g| g.attr("type") == Some("spice"));
    let graphics = devices_named(def, "graphics").next().is_some();
    if graphics && devices_named(def, "video").next().is_none() {
        let model = if spice { "qxl" } else { "vga" };
        add.push(Element {
            name: "video".into(),
            children: vec![Element::new("model").with_attr("type", model)],
            ..Element::default()
        });
    }
    if devices_named(def, "audio").next().is_none() {
        let kind = if spice { "spice" } else { "none" };
        add.push(
            Element::new("audio")
                .with_attr("id", "1")
                .with_attr("type", kind),
        );
    }
    if devices_named(def, "memballoon").next().is_none() {
        add.push(Element::new("memballoon").with_attr("model", "virtio"));
    }
    def.devices.extend(add);
}

fn set_alias(e: &mut Element, name: &str) {
    if e.child("alias").is_none() {
        // The alias comes before a companion controller's <master> and any address.
        let at = e
            .children
            .iter()
            .position(|c| c.name == "master" || c.name == "address")
            .unwrap_or(e.children.len());
        e.children
            .insert(at, Element::new("alias").with_attr("name", name));
    }
}

/// libvirt's alias of a controller.
fn controller_alias(c: &Element, q35: bool) -> Option<String> {
    let index = c.attr("index").unwrap_or("0");
    let alias = match c.attr("type")? {
        "usb" if index == "0" => "usb".to_string(),
        "pci" if c.attr("model") == Some("pcie-root") => "pcie.0".to_string(),
        "usb" => format!("usb{index}"),
        "pci" => format!("pci.{index}"),
        "ide" if index == "0" => "ide".to_string(),
        "sata" if q35 && index == "0" => "ide".to_string(),
        kind => format!("{kind}{index}"),
    };
    Some(alias)
}

/// The alias of a disk from its bus and target (hdc is ide0-1-0, sda on sata is sata0-0-0).
fn disk_alias(d: &Element, counters: &mut [u32; 3]) -> String {
    let dev = d.child_attr("target", "dev").unwrap_or("");
    let index = dev
        .bytes()
        .last()
        .map_or(0, |b| b.wrapping_sub(b'a') as u32);
    match d.child_attr("target", "bus").unwrap_or("ide") {
        "virtio" => {
            counters[0] += 1;
            format!("virtio-disk{index}")
        }
        "ide" => format!("ide0-{}-{}", index / 2, index % 2),
        "sata" => format!("sata0-0-{index}"),
        "scsi" => format!("scsi0-0-0-{index}"),
        "usb" => format!("usb-disk{index}"),
        other => format!("{other}-disk{index}"),
    }
}

fn assign_aliases(def: &mut DomainDef) {
    let q35 = is_q35(def);
    let mut n: std::collections::HashMap<&'static str, u32> = Default::default();
    let mut next = |k: &'static str| {
        let c = n.entry(k).or_insert(0);
        *c += 1;
        *c - 1
    };
    let mut disk_counters = [0u32; 3];
    let serial_count = def.devices.iter().filter(|d| d.name == "serial").count();
    for d in def.devices.iter_mut() {
        let alias = match d.name.as_str() {
            "disk" => Some(disk_alias(d, &mut disk_counters)),
            "controller" => controller_alias(d, q35),
            "interface" => Some(format!("net{}", next("net"))),
            "serial" => Some(format!("serial{}", next("serial"))),
            "console" if d.child_attr("target", "type") == Some("serial") => Some(format!(
                "serial{}",
                d.child_attr("target", "port").unwrap_or("0")
            )),
            "console" => Some(format!(
                "console{}",
                next("console") as usize + serial_count
            )),
            "channel" => Some(format!("channel{}", next("channel"))),
            "input" => Some(format!("input{}", next("input"))),
            "sound" => Some(format!("sound{}", next("sound"))),
            "video" => Some(format!("video{}", next("video"))),
            "redirdev" => Some(format!("redir{}", next("redir"))),
            "hub" => Some(format!("hub{}", next("hub"))),
            "watchdog" => Some(format!("watchdog{}", next("watchdog"))),
            "memballoon" if d.attr("model") != Some("none") => Some("balloon0".into()),
            "rng" => Some(format!("rng{}", next("rng"))),
            _ => None,
        };
        if let Some(a) = alias {
            set_alias(d, &a);
        }
    }
}

/// Serial targets, generated channel paths, virtio-serial port numbers.
fn chardev_defaults(def: &mut DomainDef, ctx: &Context) {
    let mut port = 0;
    let mut serial_port = 0;
    for d in def.devices.iter_mut() {
        if d.attr("type") == Some("tcp") {
            if let Some(src) = d.child_mut("source") {
                if src.attr("tls").is_none() {
                    src.set_attr("tls", "no");
                }
            }
        }
        match d.name.as_str() {
            "serial" => {
                let t = d.ensure_child("target");
                if t.attr("port").is_none() {
                    t.set_attr("port", &serial_port.to_string());
                }
                serial_port += 1;
                if t.attr("type").is_none() {
                    t.attrs.insert(0, ("type".into(), "isa-serial".into()));
                }
                if t.child("model").is_none() {
                    t.children
                        .push(Element::new("model").with_attr("name", "isa-serial"));
                }
            }
            "channel" if d.child_attr("target", "type") == Some("virtio") => {
                port += 1;
                if let Some(t) = d.child_mut("target") {
                    if t.attr("state").is_none() {
                        t.set_attr("state", "disconnected");
                    }
                }
                if d.attr("type") == Some("unix") {
                    let name = d.child_attr("target", "name").unwrap_or("").to_string();
                    if d.child("source").is_none() {
                        d.children.insert(0, Element::new("source"));
                    }
                    let src = d.ensure_child("source");
                    if src.attr("mode").is_none() {
                        src.set_attr("mode", "bind");
                    }
                    if src.attr("path").is_none() {
                        let path = ctx.channel_dir.join(&name).display().to_string();
                        src.set_attr("path", &path);
                    }
                }
                if d.child("address").is_none() {
                    d.children.push(
                        Element::new("address")
                            .with_attr("type", "virtio-serial")
                            .with_attr("controller", "0")
                            .with_attr("bus", "0")
                            .with_attr("port", &port.to_string()),
                    );
                }
            }
            _ => {}
        }
    }
}

/// USB devices on the first controller's root ports, numbered in order.
fn assign_usb_ports(def: &mut DomainDef) {
    let usb_none = devices_named(def, "controller")
        .any(|c| c.attr("type") == Some("usb") && c.attr("model") == Some("none"));
    if usb_none {
        return;
    }
    let mut port = 0;
    for d in def.devices.iter_mut() {
        let on_usb = match d.name.as_str() {
            "input" => d.attr("bus") == Some("usb"),
            "hub" | "redirdev" => true,
            "disk" => d.child_attr("target", "bus") == Some("usb"),
            _ => false,
        };
        if on_usb && d.child("address").is_none() {
            port += 1;
            d.children.push(
                Element::new("address")
                    .with_attr("type", "usb")
                    .with_attr("bus", "0")
                    .with_attr("port", &port.to_string()),
            );
        }
    }
}

/// The first port from `from` nobody listens on at `addr` and this guest has not taken yet (what
/// libvirt's port allocator gives); it is then taken.
fn free_port(addr: &str, from: u16, taken: &mut Vec<u16>) -> u16 {
    let port = (from..from.saturating_add(100))
        .filter(|p| !taken.contains(p))
        .find(|p| std::net::TcpListener::bind((addr, *p)).is_ok())
        .unwrap_or(from);
    taken.push(port);
    port
}

/// Does the graphics device ask for a port chosen for it?
fn auto_port(g: &Element) -> bool {
    g.attr("autoport") == Some("yes") || g.attr("port").is_none_or(|p| p == "-1")
}

/// VNC and SPICE: the listen address shown both ways, automatic ports chosen.
pub fn graphics_ports(def: &mut DomainDef) {
    // Two graphics with automatic ports (VNC and SPICE) get two ports, as in the reference.
    let mut taken: Vec<u16> = def
        .devices
        .iter()
        .filter(|d| d.name == "graphics")
        .flat_map(|g| {
            [
                g.attr("port").filter(|_| !auto_port(g)),
                g.attr("websocket"),
            ]
        })
        .filter_map(|p| p?.parse().ok())
        .collect();
    for g in def.devices.iter_mut().filter(|d| d.name == "graphics") {
        let addr = g
            .attr("listen")
            .or_else(|| g.child_attr("listen", "address"))
            .unwrap_or("127.0.0.1")
            .to_string();
        if auto_port(g) {
            let port = free_port(&addr, 5900, &mut taken);
            g.set_attr("port", &port.to_string());
            g.set_attr("autoport", "yes");
        }
        if g.attr("websocket") == Some("-1") {
            let ws = free_port(&addr, 5700, &mut taken);
            g.set_attr("websocket", &ws.to_string());
        }
        if g.attr("tlsPort") == Some("-1") {
            // No TLS port is opened without TLS certificates: the reference does not show it.
            g.attrs.retain(|(k, _)| k != "tlsPort");
        }
        g.set_attr("listen", &addr);
        let rank = |k: &str| match k {
            "type" => 0,
            "port" => 1,
            "autoport" => 2,
            "websocket" => 3,
            "listen" => 4,
            // The password's attributes come last, as the reference writes them.
            "passwd" => 6,
            "passwdValidTo" => 7,
            "connected" => 8,
            _ => 5,
        };
        g.attrs.sort_by_key(|(k, _)| rank(k));
        if g.child("listen").is_none() {
            g.children.insert(
                0,
                Element::new("listen")
                    .with_attr("type", "address")
                    .with_attr("address", &addr),
            );
        }
    }
}

/// The first `vnetN` no interface of the host has (libvirt's name for the taps it makes).
fn free_tap_name(taken: &[String]) -> String {
    (0..)
        .map(|i| format!("vnet{i}"))
        .find(|n| !taken.contains(n) && !std::path::Path::new("/sys/class/net").join(n).exists())
        .unwrap_or_else(|| "vnet0".into())
}

/// A NIC without a MAC gets one in qemu's locally administered range, as libvirt does; an
/// ethernet NIC without a target gets the tap name qemu will create.
pub fn interface_macs(def: &mut DomainDef) {
    let mut taps = Vec::new();
    for n in def.devices.iter_mut().filter(|d| d.name == "interface") {
        if n.attr("type") == Some("ethernet") && n.child_attr("target", "dev").is_none() {
            let name = free_tap_name(&taps);
            taps.push(name.clone());
            let at = n
                .children
                .iter()
                .position(|c| c.name == "model")
                .unwrap_or(n.children.len());
            n.children
                .insert(at, Element::new("target").with_attr("dev", &name));
        }
        if n.child("mac").is_none() {
            let r = crate::domain::uuid::generate();
            let mac = format!("52:54:00:{:02x}:{:02x}:{:02x}", r[0], r[1], r[2]);
            n.children
                .insert(0, Element::new("mac").with_attr("address", &mac));
        }
    }
}

fn has_extra(def: &DomainDef, name: &str) -> bool {
    def.extras.iter().any(|e| e.name == name)
}

/// What the reference shows of a running guest beyond its devices: the resource partition, the
/// boot device, the CPU qemu64 stands for under TCG, the clock, and the DAC label it runs with.
fn top_level_defaults(def: &mut DomainDef) {
    if !has_extra(def, "resource") {
        let mut r = Element::new("resource");
        let mut p = Element::new("partition");
        p.text = "/machine".into();
        r.children.push(p);
        def.extras.push(r);
    }
    if !def.os_extras.iter().any(|e| e.name == "boot") {
        // After a direct boot's kernel, initrd and command line, as the reference formats <os>.
        let at = def
            .os_extras
            .iter()
            .take_while(|e| matches!(e.name.as_str(), "kernel" | "initrd" | "cmdline"))
            .count();
        def.os_extras
            .insert(at, Element::new("boot").with_attr("dev", "hd"));
    }
    match def.extras.iter_mut().find(|e| e.name == "cpu") {
        Some(cpu) => custom_cpu_defaults(cpu),
        None => {
            let mut cpu = Element::new("cpu");
            custom_cpu_defaults(&mut cpu);
            def.extras.push(cpu);
        }
    }
    if let Some(hv) = def
        .extras
        .iter_mut()
        .filter(|e| e.name == "features")
        .find_map(|f| f.child_mut("hyperv"))
    {
        if hv.attr("mode").is_none() {
            hv.set_attr("mode", "custom");
        }
    }
    if !has_extra(def, "clock") {
        def.extras
            .push(Element::new("clock").with_attr("offset", "utc"));
    }
    if !has_extra(def, "seclabel") {
        let mut s = Element::new("seclabel")
            .with_attr("type", "dynamic")
            .with_attr("model", "dac")
            .with_attr("relabel", "yes");
        for name in ["label", "imagelabel"] {
            let mut l = Element::new(name);
            l.text = "+0:+0".into();
            s.children.push(l);
        }
        def.extras.push(s);
    }
}

/// A custom CPU as the reference shows it running under TCG: qemu64 by default, checked in
/// full, fallback forbidden, with the features qemu64 adds on this host.
fn custom_cpu_defaults(cpu: &mut Element) {
    if cpu.attr("mode").unwrap_or("custom") != "custom" {
        return;
    }
    if cpu.child("model").is_none() {
        let mut m = Element::new("model");
        m.text = "qemu64".into();
        cpu.children.insert(0, m);
    }
    if let Some(m) = cpu.child_mut("model") {
        m.set_attr("fallback", "forbid");
    }
    if cpu.child("model").is_some_and(|m| m.text == "qemu64") {
        for f in ["hypervisor", "lahf_lm"] {
            let present = cpu
                .children_named("feature")
                .any(|e| e.attr("name") == Some(f));
            if !present {
                cpu.children.push(
                    Element::new("feature")
                        .with_attr("policy", "require")
                        .with_attr("name", f),
                );
            }
        }
    }
    let rank = |e: &Element| match e.name.as_str() {
        "model" => 0,
        "vendor" => 1,
        "topology" => 2,
        _ => 3,
    };
    cpu.children.sort_by_key(rank);
    let mut attrs = vec![
        ("mode".to_string(), "custom".to_string()),
        (
            "match".to_string(),
            cpu.attr("match").unwrap_or("exact").to_string(),
        ),
        (
            "check".to_string(),
            cpu.attr("check").unwrap_or("full").to_string(),
        ),
    ];
    attrs.extend(
        cpu.attrs
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "mode" | "match" | "check"))
            .cloned(),
    );
    cpu.attrs = attrs;
}

/// Video models with the sizes and heads the reference fills in; the first is the primary.
fn video_defaults(def: &mut DomainDef) {
    let mut first = true;
    for v in def.devices.iter_mut().filter(|d| d.name == "video") {
        let m = v.ensure_child("model");
        let kind = m.attr("type").unwrap_or("vga").to_string();
        let sizes: &[(&str, &str)] = match kind.as_str() {
            "qxl" => &[("ram", "65536"), ("vram", "65536"), ("vgamem", "16384")],
            "vga" | "cirrus" | "bochs" => &[("vram", "16384")],
            _ => &[],
        };
        for (k, v) in sizes {
            if m.attr(k).is_none() {
                m.set_attr(k, v);
            }
        }
        if kind != "none" && m.attr("heads").is_none() {
            m.set_attr("heads", "1");
        }
        if first && kind != "none" {
            m.set_attr("primary", "yes");
            first = false;
        }
    }
}

/// The pty paths qemu chose (query-chardev: label `charserial0`, filename `pty:/dev/pts/N`)
/// shown on the serial ports, consoles and channels they belong to.
pub fn apply_pty_paths(def: &mut DomainDef, ptys: &[(String, String)]) {
    for d in def.devices.iter_mut() {
        if d.attr("type") != Some("pty") {
            continue;
        }
        let Some(alias) = d.child_attr("alias", "name").map(str::to_string) else {
            continue;
        };
        let label = format!("char{alias}");
        let Some((_, path)) = ptys.iter().find(|(l, _)| *l == label) else {
            continue;
        };
        if d.name == "console" {
            d.set_attr("tty", path);
        }
        d.children.retain(|c| c.name != "source");
        d.children
            .insert(0, Element::new("source").with_attr("path", path));
    }
}

/// What the reference shows of a controller once placed: the qemu model of PCI controllers with
/// their chassis and port, a companion USB controller's start port.
fn controller_details(def: &mut DomainDef) {
    for c in def.devices.iter_mut().filter(|d| d.name == "controller") {
        let index = c.attr("index").unwrap_or("0").to_string();
        let model = c.attr("model").unwrap_or("").to_string();
        let at = c
            .children
            .iter()
            .position(|e| e.name == "alias")
            .unwrap_or(c.children.len());
        let mut add = Vec::new();
        match (c.attr("type"), model.as_str()) {
            (Some("pci"), "pci-bridge") if c.child("model").is_none() => {
                add.push(Element::new("model").with_attr("name", "pci-bridge"));
                add.push(Element::new("target").with_attr("chassisNr", &index));
            }
            (Some("pci"), "pcie-root-port") if c.child("model").is_none() => {
                let port = pci::address_of(c).map_or(0, |a| a.slot * 8 + a.function);
                add.push(Element::new("model").with_attr("name", "pcie-root-port"));
                add.push(
                    Element::new("target")
                        .with_attr("chassis", &index)
                        .with_attr("port", &format!("{port:#x}")),
                );
            }
            (Some("pci"), "pcie-to-pci-bridge") if c.child("model").is_none() => {
                add.push(Element::new("model").with_attr("name", "pcie-pci-bridge"));
            }
            (Some("usb"), m) if m.starts_with("ich9-uhci") && c.child("master").is_none() => {
                let n: u32 = m[9..].parse().unwrap_or(1);
                let master =
                    Element::new("master").with_attr("startport", &((n - 1) * 2).to_string());
                // Shown after the alias.
                c.children.insert((at + 1).min(c.children.len()), master);
            }
            _ => {}
        }
        for (k, e) in add.into_iter().enumerate() {
            c.children.insert(at + k, e);
        }
    }
}

/// Disks as the reference shows them running: the source's index and its (empty) backing
/// chain, an empty cdrom's driver without a format, the drive address of IDE, SATA and SCSI disks.
fn disk_details(def: &mut DomainDef) {
    let with_source = def
        .devices
        .iter()
        .filter(|d| d.name == "disk" && d.child_attr("source", "file").is_some())
        .count();
    let mut index = with_source;
    // The layers under the disks' images are numbered after every disk's own.
    let mut next_backing = with_source + 1;
    for d in def.devices.iter_mut().filter(|d| d.name == "disk") {
        let bus = d.child_attr("target", "bus").unwrap_or("ide").to_string();
        let unit = d
            .child_attr("target", "dev")
            .and_then(|t| t.bytes().last())
            .map_or(0, |b| u32::from(b.wrapping_sub(b'a')));
        match d.children.iter().position(|c| c.name == "source") {
            Some(at) if d.children[at].attr("file").is_some() => {
                d.children[at].set_attr("index", &index.to_string());
                index = index.saturating_sub(1);
                if d.child("backingStore").is_none() {
                    let file = d.children[at].attr("file").unwrap_or_default();
                    let format = d.child_attr("driver", "type").unwrap_or("raw");
                    let layers = super::backing::chain(file, format);
                    let store = super::backing::backing_store(&layers, next_backing);
                    next_backing += layers.len();
                    d.children.insert(at + 1, store);
                }
            }
            _ => match d.child_mut("driver") {
                Some(drv) => drv.attrs.retain(|(k, _)| k != "type"),
                None => d
                    .children
                    .insert(0, Element::new("driver").with_attr("name", "qemu")),
            },
        }
        let (bus_no, unit_no) = match bus.as_str() {
            "ide" => (unit / 2, unit % 2),
            "sata" | "scsi" => (0, unit),
            _ => continue,
        };
        if d.child("address").is_none() {
            d.children.push(
                Element::new("address")
                    .with_attr("type", "drive")
                    .with_attr("controller", "0")
                    .with_attr("bus", &bus_no.to_string())
                    .with_attr("target", "0")
                    .with_attr("unit", &unit_no.to_string()),
            );
        }
    }
}
