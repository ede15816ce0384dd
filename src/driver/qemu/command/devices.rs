//! The devices of a live definition on qemu's command line, family by family, in the order the
//! reference writes them: controllers, disks, NICs, serial ports and channels, input, hubs, audio,
//! graphics, video, sound, watchdog, USB redirection, balloon, rng, panic.

use super::json::{optval, Args, Obj};
use super::live::is_q35;
use super::pci::address_of;
use crate::domain::devices::Element;
use crate::domain::DomainDef;

fn alias(e: &Element) -> Option<&str> {
    e.child_attr("alias", "name")
}

/// `"bus"` and `"addr"` of a PCI device, from its address.
fn with_pci(o: Obj, d: &Element, q35: bool) -> Obj {
    let Some(a) = address_of(d) else { return o };
    let bus = match (a.bus, q35) {
        (0, true) => "pcie.0".to_string(),
        (n, _) => format!("pci.{n}"),
    };
    let addr = if a.function == 0 {
        format!("{:#x}", a.slot)
    } else {
        format!("{:#x}.{:#x}", a.slot, a.function)
    };
    let multi = d.child_attr("address", "multifunction") == Some("on");
    let o = o.s("bus", &bus);
    let o = if multi { o.b("multifunction", true) } else { o };
    o.s("addr", &addr)
}

fn usb_port(o: Obj, d: &Element) -> Obj {
    match d.child_attr("address", "port") {
        Some(p) => o.s("bus", "usb.0").s("port", p),
        None => o,
    }
}

pub fn all(def: &DomainDef, a: &mut Args) {
    let q35 = is_q35(def);
    let of = |n: &'static str| def.devices.iter().filter(move |d| d.name == n);
    let controllers: Vec<&Element> = of("controller").collect();
    for c in controllers.iter().filter(|c| c.attr("type") == Some("pci")) {
        controller(c, q35, a);
    }
    for c in controllers.iter().filter(|c| c.attr("type") != Some("pci")) {
        controller(c, q35, a);
    }
    disks(def, q35, a);
    for (i, n) in of("interface").enumerate() {
        interface(n, i, q35, boot_index(def, "network", n), a);
    }
    for s in of("serial") {
        serial(s, a);
    }
    for c in of("channel") {
        channel(c, a);
    }
    for i in of("input") {
        input(i, q35, a);
    }
    for h in of("hub") {
        a.device(usb_port(Obj::device("usb-hub").id(alias(h)), h));
    }
    for au in of("audio") {
        let driver = au.attr("type").unwrap_or("none");
        let id = format!("audio{}", au.attr("id").unwrap_or("1"));
        a.opt(
            "-audiodev",
            Obj::new().s("id", &id).s("driver", driver).text(),
        );
    }
    for g in of("graphics") {
        graphics(g, a);
    }
    for (i, v) in of("video").enumerate() {
        video(v, i == 0, q35, a);
    }
    for s in of("sound") {
        sound(s, q35, a);
    }
    for w in of("watchdog") {
        watchdog(w, q35, a);
    }
    for (i, r) in of("redirdev").enumerate() {
        let chr = format!("charredir{i}");
        a.opt("-chardev", format!("spicevmc,id={chr},name=usbredir"));
        a.device(usb_port(
            Obj::device("usb-redir").s("chardev", &chr).id(alias(r)),
            r,
        ));
    }
    for b in of("memballoon").filter(|b| b.attr("model") == Some("virtio")) {
        let mut o = Obj::device("virtio-balloon-pci").id(alias(b));
        if b.flag("autodeflate") == Some(true) {
            o = o.b("deflate-on-oom", true);
        }
        a.device(with_pci(o, b, q35));
    }
    for (i, r) in of("rng").enumerate() {
        let obj = format!("objrng{i}");
        let file = r
            .child("backend")
            .map_or("/dev/urandom", |b| b.text.as_str());
        a.object(
            Obj::new()
                .s("qom-type", "rng-random")
                .s("id", &obj)
                .s("filename", file),
        );
        let o = Obj::device("virtio-rng-pci").s("rng", &obj).id(alias(r));
        a.device(with_pci(o, r, q35));
    }
    for _ in of("panic") {
        a.device(Obj::device("pvpanic"));
    }
}

fn controller(c: &Element, q35: bool, a: &mut Args) {
    let index: u32 = c.attr("index").and_then(|i| i.parse().ok()).unwrap_or(0);
    let id = alias(c);
    let o = match (c.attr("type"), c.attr("model")) {
        (Some("pci"), Some("pci-bridge")) => Obj::device("pci-bridge")
            .n("chassis_nr", index.into())
            .id(id),
        (Some("pci"), Some("pcie-root-port")) => {
            let at = address_of(c).map_or(0, |p| p.slot * 8 + p.function);
            Obj::device("pcie-root-port")
                .n("port", at.into())
                .n("chassis", index.into())
                .id(id)
        }
        (Some("pci"), Some("pcie-to-pci-bridge")) => Obj::device("pcie-pci-bridge").id(id),
        (Some("usb"), Some("piix3-uhci") | None) if !q35 => Obj::device("piix3-usb-uhci").id(id),
        (Some("usb"), Some("qemu-xhci") | None) => {
            let mut o = Obj::device("qemu-xhci");
            if let Some(p) = c.attr("ports").and_then(|p| p.parse::<u64>().ok()) {
                o = o.n("p2", p).n("p3", p);
            }
            o.id(id)
        }
        (Some("usb"), Some("nec-xhci")) => Obj::device("nec-usb-xhci").id(id),
        (Some("usb"), Some("ich9-ehci1")) => Obj::device("ich9-usb-ehci1").id(id),
        (Some("usb"), Some(m)) if m.starts_with("ich9-uhci") => {
            let n: u64 = m[9..].parse().unwrap_or(1);
            Obj::device(&format!("ich9-usb-uhci{n}"))
                .s("masterbus", "usb.0")
                .n("firstport", (n - 1) * 2)
        }
        (Some("scsi"), Some("virtio-scsi")) => Obj::device("virtio-scsi-pci").id(id),
        (Some("scsi"), _) => Obj::device("lsi").id(id),
        (Some("virtio-serial"), _) => {
            let mut o = Obj::device("virtio-serial-pci").id(id);
            if let Some(p) = c.attr("ports").and_then(|p| p.parse::<u64>().ok()) {
                o = o.n("max_ports", p);
            }
            o
        }
        (Some("sata"), _) if !(q35 && index == 0) => Obj::device("ich9-ahci").id(id),
        _ => return,
    };
    a.device(with_pci(o, c, q35));
}

/// The bootindex of a device: the position of its kind in `<os><boot>` (hd by default), given to
/// the first device of that kind.
fn boot_index(def: &DomainDef, kind: &str, dev: &Element) -> Option<u64> {
    let order: Vec<&str> = def
        .os_extras
        .iter()
        .filter(|e| e.name == "boot")
        .filter_map(|e| e.attr("dev"))
        .collect();
    let order = if order.is_empty() { vec!["hd"] } else { order };
    let pos = order.iter().position(|k| *k == kind)? as u64 + 1;
    let first = def.devices.iter().find(|d| match kind {
        "network" => d.name == "interface",
        "hd" => d.name == "disk" && d.attr("device").unwrap_or("disk") == "disk",
        "cdrom" => d.name == "disk" && d.attr("device") == Some("cdrom"),
        _ => false,
    })?;
    std::ptr::eq(first, dev).then_some(pos)
}

fn disks(def: &DomainDef, q35: bool, a: &mut Args) {
    let disks: Vec<&Element> = def.devices.iter().filter(|d| d.name == "disk").collect();
    let with_source = disks
        .iter()
        .filter(|d| d.child_attr("source", "file").is_some())
        .count();
    let mut node = with_source;
    for d in disks {
        let n = node;
        if d.child_attr("source", "file").is_some() {
            node -= 1;
        }
        let cdrom = d.attr("device") == Some("cdrom");
        let boot = boot_index(def, if cdrom { "cdrom" } else { "hd" }, d);
        disk(d, n, q35, boot, a);
    }
}

/// The block nodes (`libvirt-N-storage` and `-format`, N the node index) of a disk with a
/// source file, after those of the layers under it (its live `<backingStore>`s), bottom up.
pub fn disk_nodes(d: &Element, n: usize, a: &mut Args) -> Option<String> {
    let cdrom = d.attr("device") == Some("cdrom");
    let file = d.child_attr("source", "file")?;
    let mut backing = None;
    for (index, path, format) in super::backing::layers_of(d).iter().rev() {
        backing = Some(layer_nodes(path, format, *index, true, backing, a));
    }
    let ro = cdrom || d.child("readonly").is_some();
    let fmt = d.child_attr("driver", "type").unwrap_or("raw");
    Some(layer_nodes(file, fmt, n, ro, backing, a))
}

/// One image's storage and format nodes; the format node's name. A qcow2 image takes its
/// `backing` (null: none, not probed).
fn layer_nodes(
    file: &str,
    fmt: &str,
    n: usize,
    ro: bool,
    backing: Option<String>,
    a: &mut Args,
) -> String {
    let storage = format!("libvirt-{n}-storage");
    let format = format!("libvirt-{n}-format");
    a.opt(
        "-blockdev",
        Obj::new()
            .s("driver", "file")
            .s("filename", file)
            .s("node-name", &storage)
            .b("auto-read-only", true)
            .s("discard", "unmap")
            .text(),
    );
    let node = Obj::new()
        .s("node-name", &format)
        .b("read-only", ro)
        .s("driver", fmt)
        .s("file", &storage);
    let node = match (fmt, backing) {
        (_, Some(b)) => node.s("backing", &b),
        ("qcow2", None) => node.null("backing"),
        _ => node,
    };
    a.opt("-blockdev", node.text());
    format
}

/// A disk: its block nodes (index `n`) and its device.
pub fn disk(d: &Element, n: usize, q35: bool, boot: Option<u64>, a: &mut Args) {
    let cdrom = d.attr("device") == Some("cdrom");
    let drive = disk_nodes(d, n, a);
    let target = d.child_attr("target", "dev").unwrap_or("");
    let unit = target
        .bytes()
        .last()
        .map_or(0, |b| u64::from(b.wrapping_sub(b'a')));
    let id = alias(d).unwrap_or("");
    let mut o = match d.child_attr("target", "bus").unwrap_or("ide") {
        "virtio" => with_pci(Obj::device("virtio-blk-pci"), d, q35),
        "ide" if cdrom => Obj::device("ide-cd")
            .s("bus", &format!("ide.{}", unit / 2))
            .n("unit", unit % 2),
        "ide" => Obj::device("ide-hd")
            .s("bus", &format!("ide.{}", unit / 2))
            .n("unit", unit % 2),
        "sata" => {
            Obj::device(if cdrom { "ide-cd" } else { "ide-hd" }).s("bus", &format!("ide.{unit}"))
        }
        "usb" => usb_port(Obj::device("usb-storage"), d),
        _ => Obj::device(if cdrom { "scsi-cd" } else { "scsi-hd" })
            .s("bus", "scsi0.0")
            .n("channel", 0)
            .n("scsi-id", 0)
            .n("lun", unit)
            .s("device_id", &format!("drive-{id}")),
    };
    if let Some(drive) = &drive {
        o = o.s("drive", drive);
    }
    o = o.s("id", id);
    if d.child_attr("target", "bus") == Some("usb") {
        o = o.b("removable", false);
    }
    if let Some(b) = boot {
        o = o.n("bootindex", b);
    }
    a.device(error_policies(d, o));
}

/// `<driver error_policy= rerror_policy=>`: what qemu does on a write and a read error. A read
/// error follows error_policy unless that is `enospace` (which only a write can meet), as the
/// reference's qemuBuildDiskFrontendAttributeErrorPolicy.
fn error_policies(d: &Element, o: Obj) -> Obj {
    let qemu_name = |p: &str| if p == "enospace" { "enospc" } else { p }.to_string();
    let write = d.child_attr("driver", "error_policy");
    let read = d
        .child_attr("driver", "rerror_policy")
        .or(write.filter(|p| *p != "enospace"));
    let o = match write {
        Some(p) => o.s("werror", &qemu_name(p)),
        None => o,
    };
    match read {
        Some(p) => o.s("rerror", &qemu_name(p)),
        None => o,
    }
}

pub fn interface(n: &Element, i: usize, q35: bool, boot: Option<u64>, a: &mut Args) {
    let netdev = format!("hostnet{i}");
    let nd = match n.attr("type") {
        Some("ethernet") => {
            let mut o = Obj::new().s("type", "tap");
            if let Some(dev) = n.child_attr("target", "dev") {
                o = o.s("ifname", dev);
            }
            o.s("script", "no").s("downscript", "no").s("id", &netdev)
        }
        _ => Obj::new().s("type", "user").s("id", &netdev),
    };
    a.opt("-netdev", nd.text());
    let driver = match n.child_attr("model", "type").unwrap_or("rtl8139") {
        "virtio" => "virtio-net-pci",
        other => other,
    };
    let mut o = Obj::device(driver).s("netdev", &netdev).id(alias(n));
    if let Some(mac) = n.child_attr("mac", "address") {
        o = o.s("mac", mac);
    }
    o = with_pci(o, n, q35);
    if let Some(b) = boot {
        o = o.n("bootindex", b);
    }
    a.device(o);
}

/// `-chardev` of a serial port, console or channel, with the reference's id.
fn chardev(d: &Element, id: &str) -> Option<String> {
    let src = d.child("source");
    let sa = |k: &str| src.and_then(|s| s.attr(k));
    let bind = sa("mode").unwrap_or("bind") == "bind";
    let server = if bind { ",server=on,wait=off" } else { "" };
    Some(match d.attr("type")? {
        "pty" => format!("pty,id={id}"),
        "file" => {
            let append = if sa("append") == Some("on") {
                ",append=on"
            } else {
                ""
            };
            format!("file,id={id},path={}{append}", optval(sa("path")?))
        }
        "unix" => format!("socket,id={id},path={}{server}", optval(sa("path")?)),
        "tcp" => {
            let telnet = if d.child_attr("protocol", "type") == Some("telnet") {
                ",telnet=on"
            } else {
                ""
            };
            format!(
                "socket,id={id},host={},port={}{telnet}{server}",
                sa("host").unwrap_or("127.0.0.1"),
                sa("service")?
            )
        }
        "spicevmc" => format!("spicevmc,id={id},name=vdagent"),
        _ => return None,
    })
}

fn serial(s: &Element, a: &mut Args) {
    let Some(id) = alias(s) else { return };
    let chr = format!("char{id}");
    if let Some(c) = chardev(s, &chr) {
        a.opt("-chardev", c);
    }
    let index: u64 = s
        .child_attr("target", "port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    a.device(
        Obj::device("isa-serial")
            .s("chardev", &chr)
            .s("id", id)
            .n("index", index),
    );
}

fn channel(c: &Element, a: &mut Args) {
    let Some(id) = alias(c) else { return };
    let chr = format!("char{id}");
    if let Some(ch) = chardev(c, &chr) {
        a.opt("-chardev", ch);
    }
    let port: u64 = c
        .child_attr("address", "port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let mut o = Obj::device("virtserialport")
        .s("bus", "virtio-serial0.0")
        .n("nr", port)
        .s("chardev", &chr)
        .s("id", id);
    if let Some(name) = c.child_attr("target", "name") {
        o = o.s("name", name);
    }
    a.device(o);
}

fn input(i: &Element, q35: bool, a: &mut Args) {
    let kind = i.attr("type").unwrap_or("mouse");
    match i.attr("bus").unwrap_or("ps2") {
        "usb" => {
            let driver = match kind {
                "tablet" => "usb-tablet",
                "keyboard" => "usb-kbd",
                _ => "usb-mouse",
            };
            a.device(usb_port(Obj::device(driver).id(alias(i)), i));
        }
        "virtio" => {
            let driver = format!("virtio-{kind}-pci");
            a.device(with_pci(Obj::device(&driver).id(alias(i)), i, q35));
        }
        _ => {}
    }
}

fn listen_address(g: &Element) -> String {
    g.attr("listen")
        .or_else(|| g.child_attr("listen", "address"))
        .unwrap_or("127.0.0.1")
        .to_string()
}

fn graphics(g: &Element, a: &mut Args) {
    let addr = listen_address(g);
    let port: u32 = g.attr("port").and_then(|p| p.parse().ok()).unwrap_or(5900);
    match g.attr("type") {
        Some("vnc") => {
            let mut v = format!("{addr}:{}", port.saturating_sub(5900));
            if let Some(ws) = g.attr("websocket") {
                v.push_str(&format!(",websocket={ws}"));
            }
            // The password itself goes over the monitor (set_password) before the guest runs:
            // /proc/PID/cmdline is readable by every local user.
            if g.attr("passwd").is_some() {
                v.push_str(",password=on");
            }
            v.push_str(",audiodev=audio1");
            a.opt("-vnc", v);
        }
        Some("spice") => {
            let mut s = format!("port={port},addr={addr}");
            // With a password, tickets stay on and the password comes over the monitor.
            if g.attr("passwd").is_none() {
                s.push_str(",disable-ticketing=on");
            }
            if g.child_attr("image", "compression") == Some("off") {
                s.push_str(",image-compression=off");
            }
            s.push_str(",seamless-migration=on");
            a.opt("-spice", s);
        }
        _ => {}
    }
}

fn kib_attr(m: Option<&Element>, k: &str, default: u64) -> u64 {
    m.and_then(|m| m.attr(k))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn video(v: &Element, primary: bool, q35: bool, a: &mut Args) {
    let m = v.child("model");
    let heads = kib_attr(m, "heads", 1);
    let o = match m.and_then(|m| m.attr("type")).unwrap_or("vga") {
        "vga" => Obj::device("VGA")
            .id(alias(v))
            .n("vgamem_mb", kib_attr(m, "vgamem", 16384) / 1024),
        "cirrus" => Obj::device("cirrus-vga").id(alias(v)),
        "bochs" => Obj::device("bochs-display")
            .id(alias(v))
            .n("vgamem", kib_attr(m, "vgamem", 16384) * 1024),
        "qxl" => Obj::device(if primary { "qxl-vga" } else { "qxl" })
            .id(alias(v))
            .n("max_outputs", heads)
            .n("ram_size", kib_attr(m, "ram", 65536) * 1024)
            .n("vram_size", kib_attr(m, "vram", 65536) * 1024)
            .n("vram64_size_mb", 0)
            .n("vgamem_mb", kib_attr(m, "vgamem", 16384) / 1024),
        "virtio" => Obj::device(if primary {
            "virtio-vga"
        } else {
            "virtio-gpu-pci"
        })
        .id(alias(v))
        .n("max_outputs", heads),
        _ => return,
    };
    a.device(with_pci(o, v, q35));
}

fn sound(s: &Element, q35: bool, a: &mut Args) {
    let id = alias(s).unwrap_or("sound0");
    match s.attr("model") {
        Some("ac97") => {
            a.device(with_pci(
                Obj::device("AC97").s("id", id).s("audiodev", "audio1"),
                s,
                q35,
            ));
        }
        Some(m) => {
            let hda = if m == "ich9" {
                "ich9-intel-hda"
            } else {
                "intel-hda"
            };
            a.device(with_pci(Obj::device(hda).s("id", id), s, q35));
            a.device(
                Obj::device("hda-duplex")
                    .s("id", &format!("{id}-codec0"))
                    .s("bus", &format!("{id}.0"))
                    .n("cad", 0)
                    .s("audiodev", "audio1"),
            );
        }
        None => {}
    }
}

fn watchdog(w: &Element, q35: bool, a: &mut Args) {
    let model = w.attr("model").unwrap_or("i6300esb");
    a.device(with_pci(Obj::device(model).id(alias(w)), w, q35));
    a.opt("-watchdog-action", w.attr("action").unwrap_or("reset"));
}
