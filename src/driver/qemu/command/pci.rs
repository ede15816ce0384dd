//! PCI addresses as libvirt 9.0 assigns them for qemu 7.2. On i440fx slot 1 is the PIIX3 (IDE
//! at function 1, the PIIX3 USB controller at 2), the primary video takes slot 2, then devices
//! take the next free slot in libvirt's order (bridges, NICs, sound, controllers, virtio disks,
//! balloon, rng, watchdog, other video, virtio input). On q35 the primary video is at slot 1, the
//! ICH9 sound at 0x1b, the AHCI at 0x1f.2, and PCI Express devices sit behind pcie-root-ports
//! (added as needed, one spare).

use crate::domain::devices::Element;
use crate::domain::DomainDef;

/// A device's PCI address: bus index, slot, function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addr {
    pub bus: u32,
    pub slot: u32,
    pub function: u32,
}

pub fn address_element(a: Addr, multifunction: bool) -> Element {
    let mut e = Element::new("address")
        .with_attr("type", "pci")
        .with_attr("domain", "0x0000")
        .with_attr("bus", &format!("0x{:02x}", a.bus))
        .with_attr("slot", &format!("0x{:02x}", a.slot))
        .with_attr("function", &format!("0x{:x}", a.function));
    if multifunction {
        e.set_attr("multifunction", "on");
    }
    e
}

fn hex(v: Option<&str>) -> Option<u32> {
    let v = v?;
    match v.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The PCI address a device carries, if any.
pub fn address_of(e: &Element) -> Option<Addr> {
    let a = e.child("address")?;
    if a.attr("type") != Some("pci") {
        return None;
    }
    Some(Addr {
        bus: hex(a.attr("bus")).unwrap_or(0),
        slot: hex(a.attr("slot"))?,
        function: hex(a.attr("function")).unwrap_or(0),
    })
}

/// Which devices are PCI devices (and so get an address), in this definition.
pub fn is_pci_device(e: &Element, q35: bool) -> bool {
    let attr = |k| e.attr(k);
    match e.name.as_str() {
        "controller" => match (attr("type"), attr("model")) {
            (Some("pci"), Some("pci-root" | "pcie-root")) => false,
            (Some("pci"), _) => true,
            (Some("usb"), Some("none")) => false,
            (Some("usb"), _) => true,
            (Some("scsi" | "virtio-serial"), _) => true,
            (Some("sata"), _) => true,
            (Some("ide"), _) => !q35,
            _ => false,
        },
        "interface" => true,
        "sound" => matches!(attr("model"), Some("ich6" | "ich9" | "ac97")),
        "disk" => e.child_attr("target", "bus") == Some("virtio"),
        "memballoon" => attr("model") == Some("virtio"),
        "rng" => true,
        "watchdog" => attr("model") == Some("i6300esb"),
        "video" => e.child_attr("model", "type") != Some("none"),
        "input" => attr("bus") == Some("virtio"),
        _ => false,
    }
}

/// libvirt's assignment order: lower goes first; the primary video is placed before all.
fn pass(e: &Element) -> u32 {
    match e.name.as_str() {
        "controller" if e.attr("type") == Some("pci") => 0,
        "interface" => 1,
        "sound" => 2,
        "controller" => 3,
        "disk" => 4,
        "memballoon" => 5,
        "rng" => 6,
        "watchdog" => 7,
        "video" => 8,
        "input" => 9,
        _ => 10,
    }
}

struct Bus {
    used: std::collections::HashSet<(u32, u32)>,
}

impl Bus {
    fn take(&mut self, slot: u32, function: u32) {
        self.used.insert((slot, function));
    }
    fn free_slot(&self, from: u32) -> Option<u32> {
        (from..32).find(|s| !(0..8).any(|f| self.used.contains(&(*s, f))))
    }
}

pub fn assign(def: &mut DomainDef, q35: bool) {
    let mut root = Bus {
        used: Default::default(),
    };
    root.take(0, 0);
    for d in &def.devices {
        if let Some(a) = address_of(d).filter(|a| a.bus == 0) {
            root.take(a.slot, a.function);
        }
    }
    if q35 {
        assign_q35(def, &mut root);
    } else {
        assign_i440fx(def, &mut root);
    }
}

fn set(d: &mut Element, a: Addr, multifunction: bool) {
    d.children.retain(|c| c.name != "address");
    d.children.push(address_element(a, multifunction));
}

fn on_root(slot: u32, function: u32) -> Addr {
    Addr {
        bus: 0,
        slot,
        function,
    }
}

fn assign_i440fx(def: &mut DomainDef, root: &mut Bus) {
    // The PIIX3 functions.
    for f in 0..4 {
        root.take(1, f);
    }
    for d in def.devices.iter_mut() {
        if d.child("address").is_some() {
            continue;
        }
        let piix3 = match (d.name.as_str(), d.attr("type"), d.attr("model")) {
            ("controller", Some("usb"), Some("piix3-uhci")) => Some(2),
            ("controller", Some("ide"), _) => Some(1),
            _ => None,
        };
        if let Some(f) = piix3 {
            set(d, on_root(1, f), false);
        }
    }
    place_primary_video(def, root, 2);
    place_in_order(def, root, false);
}

fn place_primary_video(def: &mut DomainDef, root: &mut Bus, slot: u32) {
    let primary = def
        .devices
        .iter()
        .position(|d| d.name == "video" && is_pci_device(d, false));
    if let Some(i) = primary {
        if def.devices[i].child("address").is_none() && root.free_slot(slot) == Some(slot) {
            root.take(slot, 0);
            set(&mut def.devices[i], on_root(slot, 0), false);
        }
    }
}

/// The ICH9/EHCI USB family takes one slot: the EHCI at function 7, companions at 0, 1, 2.
fn usb_companion_function(d: &Element) -> Option<u32> {
    match d.attr("model")? {
        "ich9-ehci1" => Some(7),
        "ich9-uhci1" => Some(0),
        "ich9-uhci2" => Some(1),
        "ich9-uhci3" => Some(2),
        _ => None,
    }
}

fn place_in_order(def: &mut DomainDef, root: &mut Bus, q35: bool) {
    let mut order: Vec<usize> = (0..def.devices.len())
        .filter(|i| {
            let d = &def.devices[*i];
            d.child("address").is_none() && is_pci_device(d, q35)
        })
        .collect();
    order.sort_by_key(|i| pass(&def.devices[*i]));
    let mut usb_slot: Option<u32> = None;
    for i in order {
        let d = &mut def.devices[i];
        if d.name == "controller" && d.attr("type") == Some("usb") {
            if let Some(f) = usb_companion_function(d) {
                let slot = *usb_slot.get_or_insert_with(|| root.free_slot(1).unwrap_or(31));
                root.take(slot, f);
                set(d, on_root(slot, f), f == 0);
                continue;
            }
        }
        let Some(slot) = root.free_slot(1) else {
            continue;
        };
        root.take(slot, 0);
        set(d, on_root(slot, 0), false);
    }
}

/// What goes on pcie.0 itself in libvirt's q35 layout.
fn q35_fixed(d: &Element) -> Option<(u32, u32)> {
    match (d.name.as_str(), d.attr("type"), d.attr("model")) {
        ("sound", _, Some("ich9")) => Some((0x1b, 0)),
        ("controller", Some("sata"), _) if d.attr("index").unwrap_or("0") == "0" => Some((0x1f, 2)),
        _ => None,
    }
}

/// Conventional PCI devices: on q35 libvirt puts them behind a pcie-to-pci-bridge.
fn conventional_pci(d: &Element) -> bool {
    match d.name.as_str() {
        "interface" => matches!(
            d.child_attr("model", "type"),
            Some("e1000" | "rtl8139") | None
        ),
        "watchdog" => true,
        "sound" => matches!(d.attr("model"), Some("ac97" | "ich6")),
        "controller" => {
            matches!(
                d.attr("model"),
                Some("lsilogic" | "pci-bridge" | "piix3-uhci")
            ) || (d.attr("type") == Some("scsi") && d.attr("model").is_none())
        }
        _ => false,
    }
}

fn new_controller(index: u32, model: &str) -> Element {
    let mut c = Element::new("controller")
        .with_attr("type", "pci")
        .with_attr("index", &index.to_string())
        .with_attr("model", model);
    c.children
        .push(Element::new("alias").with_attr("name", &format!("pci.{index}")));
    c
}

fn assign_q35(def: &mut DomainDef, root: &mut Bus) {
    for d in def.devices.iter_mut() {
        if d.child("address").is_some() {
            continue;
        }
        if let Some((s, f)) = q35_fixed(d) {
            root.take(s, f);
            set(d, on_root(s, f), false);
        }
    }
    place_primary_video(def, root, 1);
    let unplaced = |d: &Element| {
        d.child("address").is_none()
            && is_pci_device(d, true)
            && !(d.name == "controller" && d.attr("model") == Some("pcie-root-port"))
    };
    let mut legacy: Vec<usize> = (0..def.devices.len())
        .filter(|i| unplaced(&def.devices[*i]) && conventional_pci(&def.devices[*i]))
        .collect();
    legacy.sort_by_key(|i| pass(&def.devices[*i]));
    let mut next_index = def
        .devices
        .iter()
        .filter(|d| d.name == "controller" && d.attr("type") == Some("pci"))
        .filter_map(|d| d.attr("index")?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let explicit_ports = def
        .devices
        .iter()
        .any(|d| d.name == "controller" && d.attr("model") == Some("pcie-root-port"));
    // Conventional PCI devices: a root port and a pcie-to-pci-bridge, as libvirt adds them.
    let mut bridge_bus = None;
    if !legacy.is_empty() {
        def.devices
            .push(new_controller(next_index, "pcie-root-port"));
        def.devices
            .push(new_controller(next_index + 1, "pcie-to-pci-bridge"));
        bridge_bus = Some(next_index + 1);
        next_index += 2;
    }
    // Everything else that is not placed yet sits on a root port of its own.
    let mut needing: Vec<usize> = (0..def.devices.len())
        .filter(|i| {
            let d = &def.devices[*i];
            unplaced(d) && !legacy.contains(i)
        })
        .collect();
    needing.sort_by_key(|i| pass(&def.devices[*i]));
    let mut ports: Vec<u32> = def
        .devices
        .iter()
        .filter(|d| d.name == "controller" && d.attr("model") == Some("pcie-root-port"))
        .filter_map(|d| d.attr("index")?.parse().ok())
        .collect();
    let spare = usize::from(!explicit_ports && !needing.is_empty());
    while ports.len() < needing.len() + spare {
        def.devices
            .push(new_controller(next_index, "pcie-root-port"));
        ports.push(next_index);
        next_index += 1;
    }
    place_root_ports(def, root);
    // Ports are taken in index order.
    ports.sort_unstable();
    // The bridge first (a PCI controller), then the rest in libvirt's order.
    for (k, i) in needing.into_iter().enumerate() {
        let Some(port) = ports.get(k) else { break };
        set(
            &mut def.devices[i],
            Addr {
                bus: *port,
                slot: 0,
                function: 0,
            },
            false,
        );
    }
    if let Some(bus) = bridge_bus {
        for (k, i) in legacy.into_iter().enumerate() {
            set(
                &mut def.devices[i],
                Addr {
                    bus,
                    slot: k as u32 + 1,
                    function: 0,
                },
                false,
            );
        }
    }
    group_new_controllers(def);
}

/// Root ports without an address: the free functions of slots that hold root ports already,
/// then new slots, eight functions a slot (function 0 marked multifunction when others follow).
fn place_root_ports(def: &mut DomainDef, root: &mut Bus) {
    let is_port = |d: &Element| d.name == "controller" && d.attr("model") == Some("pcie-root-port");
    let mut port_slots: Vec<u32> = def
        .devices
        .iter()
        .filter(|d| is_port(d))
        .filter_map(address_of)
        .filter(|a| a.bus == 0)
        .map(|a| a.slot)
        .collect();
    port_slots.dedup();
    for i in 0..def.devices.len() {
        if !is_port(&def.devices[i]) || def.devices[i].child("address").is_some() {
            continue;
        }
        let free_in_port_slot = port_slots.iter().find_map(|s| {
            (0..8)
                .find(|f| !root.used.contains(&(*s, *f)))
                .map(|f| (*s, f))
        });
        let (s, f) = match free_in_port_slot {
            Some(at) => at,
            None => match root.free_slot(1) {
                Some(s) => {
                    port_slots.push(s);
                    (s, 0)
                }
                None => break,
            },
        };
        root.take(s, f);
        set(&mut def.devices[i], on_root(s, f), false);
    }
    // Function 0 of a slot with more functions in use is multifunction.
    for d in def.devices.iter_mut().filter(|d| is_port(d)) {
        let Some(a) = address_of(d).filter(|a| a.bus == 0 && a.function == 0) else {
            continue;
        };
        if root.used.contains(&(a.slot, 1)) {
            if let Some(addr) = d.child_mut("address") {
                addr.set_attr("multifunction", "on");
            }
        }
    }
}

/// Controllers added here go after the other controllers (libvirt appends them).
fn group_new_controllers(def: &mut DomainDef) {
    let (controllers, others): (Vec<Element>, Vec<Element>) =
        def.devices.drain(..).partition(|d| d.name == "controller");
    let at = others
        .iter()
        .position(|d| d.name != "disk")
        .unwrap_or(others.len());
    let mut out = others;
    let tail = out.split_off(at);
    out.extend(controllers);
    out.extend(tail);
    def.devices = out;
}
