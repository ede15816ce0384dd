//! Device hot-plug (issue 16): virDomainAttachDevice(Flags), DetachDevice(Flags) and
//! UpdateDeviceFlags as the reference's qemu driver does them. LIVE works on the running guest
//! over its monitor (blockdev-add / netdev_add then device_add; device_del and the wait for
//! qemu's DEVICE_DELETED; a cdrom's media through its tray), with the DEVICE_ADDED /
//! DEVICE_REMOVED events; CONFIG changes the persistent definition; CURRENT is whichever the
//! guest's state means. Disks (virtio, SCSI, USB, IDE/SATA cdrom media) and interfaces (user,
//! ethernet) are plugged; other devices are refused by name.

use super::command::devices::{disk, interface};
use super::command::json::Args;
use super::command::live::is_q35;
use super::*;
use crate::api::{DomainDeviceModifyFlags, DomainEventID};
use crate::domain::devices::Element;
use crate::error::{
    VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_DEVICE_MISSING, VIR_ERR_OPERATION_UNSUPPORTED,
    VIR_FROM_DOMAIN, VIR_FROM_STORAGE,
};
use serde_json::{json, Value};

/// How long a detach waits for qemu to say the device is gone (the reference's 5 s); after it,
/// the detach succeeds with the device still there, as the reference's "in progress".
const DETACH_WAIT: Duration = Duration::from_secs(5);

/// The flags the three calls take.
const MODIFY_FLAGS: DomainDeviceModifyFlags = DomainDeviceModifyFlags::LIVE
    .union(DomainDeviceModifyFlags::CONFIG)
    .union(DomainDeviceModifyFlags::FORCE);

/// qemu's DEVICE_DELETED events not yet taken by a detach: (guest UUID, device id).
static DELETED: Mutex<Vec<([u8; 16], String)>> = Mutex::new(Vec::new());
static DELETED_CV: Condvar = Condvar::new();
/// How many unclaimed DEVICE_DELETED events are kept (a guest may unplug on its own).
const DELETED_KEPT: usize = 64;

/// qemu's DEVICE_DELETED (events.rs hands it here): wake the detach that waits for it.
pub(super) fn device_deleted(uuid: [u8; 16], data: &Value) {
    let Some(id) = data.get("device").and_then(Value::as_str) else {
        return;
    };
    let mut d = DELETED.lock().unwrap_or_else(|p| p.into_inner());
    d.push((uuid, id.to_string()));
    if d.len() > DELETED_KEPT {
        d.remove(0);
    }
    DELETED_CV.notify_all();
}

/// Wait until qemu says the device is gone, up to the deadline.
pub(super) fn wait_deleted(uuid: [u8; 16], id: &str, wait: Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    let mut d = DELETED.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if let Some(at) = d.iter().position(|(u, i)| *u == uuid && i == id) {
            d.remove(at);
            return true;
        }
        let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
            return false;
        };
        d = DELETED_CV
            .wait_timeout(d, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

pub(super) fn forget_deleted(uuid: [u8; 16], id: &str) {
    let mut d = DELETED.lock().unwrap_or_else(|p| p.into_inner());
    d.retain(|(u, i)| !(*u == uuid && i == id));
}

/// The next block node index of each running guest (`libvirt-N-format`), by its qemu process
/// (pid and start time): the reference numbers every disk source it ever opens, empty ones
/// included, from 1. Only the latest guests are remembered; a forgotten one starts again past
/// the highest index its live definition shows.
static NODE_INDEX: Mutex<Vec<((i32, u64), usize)>> = Mutex::new(Vec::new());
/// How many guests' counters are kept.
const NODE_INDEX_KEPT: usize = 256;

fn next_node(run: &Running, live: &DomainDef) -> usize {
    let key = (run.pid, run.start_time);
    let mut all = NODE_INDEX.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, next)) = all.iter_mut().find(|(k, _)| *k == key) {
        *next += 1;
        return *next - 1;
    }
    let disks = live.devices.iter().filter(|d| d.name == "disk").count();
    let highest = live
        .devices
        .iter()
        .flat_map(|d| {
            let own = d.child_attr("source", "index").and_then(|i| i.parse().ok());
            let layers = super::command::backing::layers_of(d)
                .into_iter()
                .map(|l| l.0);
            own.into_iter().chain(layers)
        })
        .max()
        .unwrap_or(0);
    let next = disks.max(highest) + 1;
    all.push((key, next + 1));
    if all.len() > NODE_INDEX_KEPT {
        all.remove(0);
    }
    next
}

/// Where a call acts.
struct Affect {
    live: bool,
    config: bool,
}

fn parse_device(xml: &str) -> Result<Element> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        crate::domain::xml::not_well_formed("(device_definition)", VIR_FROM_DOMAIN, xml, &e)
    })?;
    Ok(Element::from_node(doc.root_element()))
}

/// What the reference refuses of a device whatever the call.
fn validate(dev: &Element) -> Result<()> {
    if dev.name == "video" {
        let model = dev.child_attr("model", "type").unwrap_or("");
        if matches!(
            model,
            "vga" | "cirrus" | "vmvga" | "bochs" | "ramfb" | "qxl"
        ) {
            return Err(Error::with(
                VIR_ERR_CONFIG_UNSUPPORTED,
                VIR_FROM_QEMU,
                format!("video type '{model}' is only valid as primary video device"),
            ));
        }
    }
    Ok(())
}

fn unsupported_device(what: &str, dev: &Element) -> Error {
    Error::with(
        VIR_ERR_OPERATION_UNSUPPORTED,
        VIR_FROM_QEMU,
        format!("{what} of device '{}' is not supported", dev.name),
    )
}

fn target_of(d: &Element) -> Option<&str> {
    d.child_attr("target", "dev")
}

fn mac_of(d: &Element) -> Option<&str> {
    d.child_attr("mac", "address")
}

/// The index libvirt's virDiskNameToIndex gives a target name (`vdb` -> 1, `sdaa` -> 26).
fn disk_index(dev: &str) -> usize {
    let letters = dev.trim_start_matches(|c: char| c.is_ascii_lowercase() && "hsv".contains(c));
    let letters = letters.strip_prefix('d').unwrap_or(letters);
    letters
        .bytes()
        .filter(u8::is_ascii_lowercase)
        .fold(0usize, |n, b| n * 26 + usize::from(b - b'a') + 1)
        .saturating_sub(1)
}

fn no_such_interface(mac: &str) -> Error {
    Error::with(
        VIR_ERR_DEVICE_MISSING,
        VIR_FROM_DOMAIN,
        format!(
            "no device found at address '(<null>)' matching MAC address '{mac}' and alias '(<null>)'"
        ),
    )
}

pub(super) fn qemu_failed(command: &str, e: QmpError, timeout: Duration) -> Error {
    match e {
        QmpError::Command { desc, .. } => Error::internal(
            VIR_FROM_QEMU,
            format!("unable to execute QEMU command '{command}': {desc}"),
        ),
        other => monitor_error(other, command, timeout),
    }
}

/// A source file the guest cannot open is refused before qemu is asked (the reference's
/// storage access check).
fn check_source(dev: &Element) -> Result<()> {
    if let Some(file) = dev.child_attr("source", "file") {
        if let Err(e) = std::fs::metadata(file) {
            return Err(Error::system(
                VIR_FROM_STORAGE,
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("Cannot access storage file '{file}'"),
            ));
        }
    }
    Ok(())
}

/// Insert a disk where the reference's virDomainDiskInsert puts it: before the first disk of
/// the same bus with a higher target, else after the last of its bus, else after all disks.
fn insert_disk(def: &mut DomainDef, dev: Element) {
    let bus = dev.child_attr("target", "bus").map(str::to_string);
    let index = disk_index(target_of(&dev).unwrap_or(""));
    let disks: Vec<usize> = (0..def.devices.len())
        .filter(|i| def.devices[*i].name == "disk")
        .collect();
    let mut at = None;
    for &i in disks.iter().rev() {
        let d = &def.devices[i];
        if d.child_attr("target", "bus").map(str::to_string) != bus {
            continue;
        }
        if disk_index(target_of(d).unwrap_or("")) > index {
            at = Some(i);
        } else if at.is_none() {
            at = Some(i + 1);
        }
    }
    let at = at.unwrap_or_else(|| disks.last().map_or(0, |l| l + 1));
    def.devices.insert(at, dev);
}

/// Put `child` before the device's address (aliases and addresses close the element).
fn add_before_address(d: &mut Element, child: Element) {
    let at = d
        .children
        .iter()
        .position(|c| c.name == "address")
        .unwrap_or(d.children.len());
    d.children.insert(at, child);
}

/// The lowest PCI slot of bus 0 no device of the guest holds (slot 0 is the host bridge's).
fn free_pci_slot(def: &DomainDef) -> u32 {
    let used: Vec<u32> = def
        .devices
        .iter()
        .filter(|d| d.child_attr("address", "type") == Some("pci"))
        .filter_map(|d| {
            let slot = d.child_attr("address", "slot")?;
            u32::from_str_radix(slot.trim_start_matches("0x"), 16).ok()
        })
        .collect();
    (1..32).find(|s| !used.contains(s)).unwrap_or(31)
}

fn pci_address(slot: u32) -> Element {
    Element::new("address")
        .with_attr("type", "pci")
        .with_attr("domain", "0x0000")
        .with_attr("bus", "0x00")
        .with_attr("slot", &format!("{slot:#04x}"))
        .with_attr("function", "0x0")
}

/// The first port of the USB controller no device holds.
fn free_usb_port(def: &DomainDef) -> u32 {
    let used: Vec<u32> = def
        .devices
        .iter()
        .filter(|d| d.child_attr("address", "type") == Some("usb"))
        .filter_map(|d| d.child_attr("address", "port")?.parse().ok())
        .collect();
    (1..).find(|p| !used.contains(p)).unwrap_or(1)
}

/// A disk as the running guest shows it: alias, address, source index and backing store.
fn prepare_disk(live: &DomainDef, dev: &mut Element, node: usize) -> String {
    let dst = target_of(dev).unwrap_or("").to_string();
    let index = disk_index(&dst);
    let bus = dev.child_attr("target", "bus").unwrap_or("ide").to_string();
    let alias = match bus.as_str() {
        "virtio" => format!("virtio-disk{index}"),
        "ide" => format!("ide0-{}-{}", index / 2, index % 2),
        "sata" => format!("sata0-0-{index}"),
        "scsi" => format!("scsi0-0-0-{index}"),
        other => format!("{other}-disk{index}"),
    };
    set_source_index(dev, node);
    add_before_address(dev, Element::new("alias").with_attr("name", &alias));
    if dev.child("address").is_none() {
        let address = match bus.as_str() {
            "virtio" => pci_address(free_pci_slot(live)),
            "usb" => Element::new("address")
                .with_attr("type", "usb")
                .with_attr("bus", "0")
                .with_attr("port", &free_usb_port(live).to_string()),
            _ => Element::new("address")
                .with_attr("type", "drive")
                .with_attr("controller", "0")
                .with_attr(
                    "bus",
                    &(if bus == "ide" { index / 2 } else { 0 }).to_string(),
                )
                .with_attr("target", "0")
                .with_attr(
                    "unit",
                    &(if bus == "ide" { index % 2 } else { index }).to_string(),
                ),
        };
        dev.children.push(address);
    }
    alias
}

/// `<source ... index='N'/>` followed by `<backingStore/>` for a file; `<source index='N'/>` alone
/// for an empty drive.
fn set_source_index(dev: &mut Element, node: usize) {
    dev.children.retain(|c| c.name != "backingStore");
    let file = dev.child_attr("source", "file").map(str::to_string);
    let at = match dev.children.iter().position(|c| c.name == "source") {
        Some(at) => at,
        None => {
            let at = dev
                .children
                .iter()
                .position(|c| c.name == "target")
                .unwrap_or(dev.children.len());
            dev.children.insert(at, Element::new("source"));
            at
        }
    };
    dev.children[at].set_attr("index", &node.to_string());
    if file.is_some() {
        dev.children.insert(at + 1, Element::new("backingStore"));
    }
}

/// The monitor commands of a device's command-line arguments: `-blockdev` is blockdev-add,
/// `-netdev` netdev_add, `-device` device_add.
fn commands_of(a: &Args) -> Vec<(&'static str, Value)> {
    a.0.chunks(2)
        .filter_map(|pair| {
            let command = match pair.first()?.as_str() {
                "-blockdev" => "blockdev-add",
                "-netdev" => "netdev_add",
                "-device" => "device_add",
                _ => return None,
            };
            Some((command, serde_json::from_str(pair.get(1)?).ok()?))
        })
        .collect()
}

/// What undoes a command that succeeded, if a later one fails.
fn undo_of(command: &str, args: &Value) -> Option<(&'static str, Value)> {
    match command {
        "blockdev-add" => Some((
            "blockdev-del",
            json!({"node-name": args.get("node-name")?.clone()}),
        )),
        "netdev_add" => Some(("netdev_del", json!({"id": args.get("id")?.clone()}))),
        _ => None,
    }
}

impl QemuDriver {
    fn affect(&self, vm: &Vm, flags: u32, function: &str) -> Result<Affect> {
        let flags = check_flags(flags, MODIFY_FLAGS, function)?;
        let (active, persistent) = {
            let i = vm.lock();
            (i.run.is_some(), i.persistent)
        };
        let mut a = Affect {
            live: flags.contains(DomainDeviceModifyFlags::LIVE),
            config: flags.contains(DomainDeviceModifyFlags::CONFIG),
        };
        if !a.live && !a.config {
            a.live = active;
            a.config = !active;
        }
        if a.live && !active {
            return Err(not_running());
        }
        if a.config && !persistent {
            return Err(Error::operation_invalid(
                "transient domains do not have any persistent config",
            ));
        }
        Ok(a)
    }

    /// The persistent definition, changed by `change` and written to disk only if it succeeds.
    fn change_config(
        &self,
        vm: &Vm,
        change: impl FnOnce(&mut DomainDef) -> Result<()>,
    ) -> Result<()> {
        let mut i = vm.lock();
        let running = i.run.is_some();
        let current = match (&i.next_def, running) {
            (Some(next), true) => next.clone(),
            _ => i.def.clone(),
        };
        let mut def = current;
        change(&mut def)?;
        let text = domain::devices::format_full(&def, None);
        layout::write_atomic(&self.layout.config_file(&def.name), text.as_bytes())
            .map_err(|e| sys_err(&e, format!("cannot write definition of '{}'", def.name)))?;
        if running {
            i.next_def = Some(def);
        } else {
            i.def = def;
        }
        Ok(())
    }

    /// virDomainAttachDeviceFlags.
    pub(super) fn attach_device(&self, d: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        let affect = self.affect(&vm, flags, "qemuDomainAttachDeviceFlags")?;
        let dev = parse_device(xml)?;
        validate(&dev)?;
        if affect.config && !matches!(dev.name.as_str(), "disk" | "interface") {
            return Err(unsupported_device("persistent attach", &dev));
        }
        if affect.live && !matches!(dev.name.as_str(), "disk" | "interface") {
            return Err(unsupported_device("live attach", &dev));
        }
        // The reference checks the persistent change first and applies it after the live one.
        if affect.config {
            let mut probe = {
                let i = vm.lock();
                match (&i.next_def, i.run.is_some()) {
                    (Some(next), true) => next.clone(),
                    _ => i.def.clone(),
                }
            };
            config_attach(&mut probe, dev.clone())?;
        }
        if affect.live {
            self.attach_live(&vm, dev.clone())?;
        }
        if affect.config {
            self.change_config(&vm, |def| config_attach(def, dev))?;
        }
        let _ = self.write_status(&vm);
        Ok(())
    }

    fn attach_live(&self, vm: &Arc<Vm>, mut dev: Element) -> Result<()> {
        let run = vm.running().ok_or_else(not_running)?;
        let mon = run.monitor().ok_or_else(not_running)?;
        let live = vm.lock().def.clone();
        let q35 = is_q35(&live);
        let mut a = Args::default();
        let alias = match dev.name.as_str() {
            "disk" => {
                let dst = target_of(&dev).unwrap_or("").to_string();
                if live
                    .devices
                    .iter()
                    .any(|x| x.name == "disk" && target_of(x) == Some(&dst))
                {
                    return Err(Error::with(
                        VIR_ERR_OPERATION_INVALID,
                        VIR_FROM_QEMU,
                        format!("target {dst} already exists"),
                    ));
                }
                check_source(&dev)?;
                let node = next_node(&run, &live);
                let alias = prepare_disk(&live, &mut dev, node);
                disk(&dev, node, q35, None, &mut a);
                alias
            }
            _ => {
                let used: Vec<&str> = live
                    .devices
                    .iter()
                    .filter(|x| x.name == "interface")
                    .filter_map(|x| x.child_attr("alias", "name"))
                    .collect();
                let n = (0..)
                    .find(|n| !used.contains(&format!("net{n}").as_str()))
                    .unwrap_or(0);
                let alias = format!("net{n}");
                if mac_of(&dev).is_none() {
                    let mac = Element::new("mac").with_attr("address", &random_mac());
                    dev.children.insert(0, mac);
                }
                add_before_address(&mut dev, Element::new("alias").with_attr("name", &alias));
                if dev.child("address").is_none() {
                    dev.children.push(pci_address(free_pci_slot(&live)));
                }
                interface(&dev, n, q35, None, &mut a);
                alias
            }
        };
        let timeout = self.cfg.monitor_reply_timeout;
        let mut done: Vec<(&'static str, Value)> = Vec::new();
        for (command, args) in commands_of(&a) {
            if let Err(e) = mon.execute(command, Some(args.clone()), timeout) {
                for (undo, undo_args) in done.iter().rev().filter_map(|(c, a)| undo_of(c, a)) {
                    let _ = mon.execute(undo, Some(undo_args), timeout);
                }
                return Err(qemu_failed(command, e, timeout));
            }
            done.push((command, args));
        }
        {
            let mut i = vm.lock();
            if dev.name == "disk" {
                insert_disk(&mut i.def, dev);
            } else {
                let at = i
                    .def
                    .devices
                    .iter()
                    .rposition(|x| {
                        x.name == "interface"
                            || x.name == "disk"
                            || x.name == "controller"
                            || x.name == "filesystem"
                    })
                    .map_or(0, |p| p + 1);
                i.def.devices.insert(at, dev);
            }
        }
        self.bus
            .emit_device(DomainEventID::DeviceAdded as i32, &vm.domain_ref(), &alias);
        Ok(())
    }

    /// virDomainDetachDeviceFlags.
    pub(super) fn detach_device(&self, d: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        let affect = self.affect(&vm, flags, "qemuDomainDetachDeviceFlags")?;
        let dev = parse_device(xml)?;
        if !matches!(dev.name.as_str(), "disk" | "interface") {
            let what = if affect.live {
                "live detach"
            } else {
                "persistent detach"
            };
            return Err(unsupported_device(what, &dev));
        }
        if affect.config {
            let mut probe = {
                let i = vm.lock();
                match (&i.next_def, i.run.is_some()) {
                    (Some(next), true) => next.clone(),
                    _ => i.def.clone(),
                }
            };
            config_detach(&mut probe, &dev)?;
        }
        if affect.live {
            self.detach_live(&vm, &dev)?;
        }
        if affect.config {
            self.change_config(&vm, |def| config_detach(def, &dev))?;
        }
        let _ = self.write_status(&vm);
        Ok(())
    }

    fn detach_live(&self, vm: &Arc<Vm>, dev: &Element) -> Result<()> {
        let run = vm.running().ok_or_else(not_running)?;
        let mon = run.monitor().ok_or_else(not_running)?;
        let found = {
            let i = vm.lock();
            find_device(&i.def, dev).map(|at| i.def.devices[at].clone())
        };
        let Some(found) = found else {
            return Err(missing_live(dev));
        };
        let Some(alias) = found.child_attr("alias", "name").map(str::to_string) else {
            return Err(missing_live(dev));
        };
        let timeout = self.cfg.monitor_reply_timeout;
        forget_deleted(vm.uuid, &alias);
        mon.execute("device_del", Some(json!({"id": alias})), timeout)
            .map_err(|e| qemu_failed("device_del", e, timeout))?;
        if !wait_deleted(vm.uuid, &alias, DETACH_WAIT) {
            // Still there: qemu finishes when the guest lets go; the reference answers 0.
            return Ok(());
        }
        if let Some(n) = found.child_attr("source", "index") {
            for node in [
                format!("libvirt-{n}-format"),
                format!("libvirt-{n}-storage"),
            ] {
                let _ = mon.execute("blockdev-del", Some(json!({"node-name": node})), timeout);
            }
        }
        if found.name == "interface" {
            let net = alias.trim_start_matches("net");
            let _ = mon.execute(
                "netdev_del",
                Some(json!({"id": format!("hostnet{net}")})),
                timeout,
            );
        }
        {
            let mut i = vm.lock();
            if let Some(at) = find_device(&i.def, dev) {
                i.def.devices.remove(at);
            }
        }
        self.bus.emit_device(
            DomainEventID::DeviceRemoved as i32,
            &vm.domain_ref(),
            &alias,
        );
        Ok(())
    }

    /// virDomainUpdateDeviceFlags: a cdrom's or floppy's media.
    pub(super) fn update_device(&self, d: &DomainRef, xml: &str, flags: u32) -> Result<()> {
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        let affect = self.affect(&vm, flags, "qemuDomainUpdateDeviceFlags")?;
        let dev = parse_device(xml)?;
        if dev.name != "disk" {
            let what = if affect.live {
                "live update"
            } else {
                "persistent update"
            };
            return Err(unsupported_device(what, &dev));
        }
        if affect.live {
            self.change_media(&vm, &dev)?;
        }
        if affect.config {
            self.change_config(&vm, |def| config_update(def, &dev))?;
        }
        let _ = self.write_status(&vm);
        Ok(())
    }

    fn change_media(&self, vm: &Arc<Vm>, dev: &Element) -> Result<()> {
        let run = vm.running().ok_or_else(not_running)?;
        let mon = run.monitor().ok_or_else(not_running)?;
        let dst = target_of(dev).unwrap_or("").to_string();
        let (live, old) = {
            let i = vm.lock();
            let old = i
                .def
                .devices
                .iter()
                .find(|x| x.name == "disk" && target_of(x) == Some(&dst))
                .cloned();
            (i.def.clone(), old)
        };
        let Some(old) = old else {
            return Err(Error::internal(
                VIR_FROM_QEMU,
                format!("disk '{dst}' not found"),
            ));
        };
        if !matches!(old.attr("device"), Some("cdrom" | "floppy")) {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_QEMU,
                format!(
                    "disk bus '{}' cannot be updated.",
                    old.child_attr("target", "bus").unwrap_or("")
                ),
            ));
        }
        check_source(dev)?;
        let id = old.child_attr("alias", "name").unwrap_or("").to_string();
        let timeout = self.cfg.monitor_reply_timeout;
        let run_cmd = |command: &'static str, args: Value| {
            mon.execute(command, Some(args), timeout)
                .map_err(|e| qemu_failed(command, e, timeout))
        };
        run_cmd("blockdev-open-tray", json!({"id": id, "force": true}))?;
        run_cmd("blockdev-remove-medium", json!({"id": id}))?;
        let node = next_node(&run, &live);
        let mut a = Args::default();
        if let Some(format) = super::command::devices::disk_nodes(dev, node, &mut a) {
            for (command, args) in commands_of(&a) {
                run_cmd(command, args)?;
            }
            run_cmd(
                "blockdev-insert-medium",
                json!({"id": id, "node-name": format}),
            )?;
        }
        run_cmd("blockdev-close-tray", json!({"id": id}))?;
        if let Some(n) = old.child_attr("source", "index") {
            for node in [
                format!("libvirt-{n}-format"),
                format!("libvirt-{n}-storage"),
            ] {
                let _ = mon.execute("blockdev-del", Some(json!({"node-name": node})), timeout);
            }
        }
        let mut i = vm.lock();
        if let Some(d) = i
            .def
            .devices
            .iter_mut()
            .find(|x| x.name == "disk" && target_of(x) == Some(&dst))
        {
            if let Some(driver) = dev.child("driver") {
                match d.children.iter().position(|c| c.name == "driver") {
                    Some(at) => d.children[at] = driver.clone(),
                    None => d.children.insert(0, driver.clone()),
                }
            }
            d.children.retain(|c| c.name != "source");
            if let Some(source) = dev.child("source") {
                let at = d
                    .children
                    .iter()
                    .position(|c| c.name == "target")
                    .unwrap_or(0);
                d.children.insert(at, source.clone());
            }
            set_source_index(d, node);
        }
        Ok(())
    }
}

fn random_mac() -> String {
    let mut b = [0u8; 3];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut b);
    }
    format!("52:54:00:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2])
}

/// The device of the definition the XML names: a disk by its target, an interface by its MAC.
fn find_device(def: &DomainDef, dev: &Element) -> Option<usize> {
    def.devices.iter().position(|x| {
        x.name == dev.name
            && match dev.name.as_str() {
                "disk" => target_of(x).is_some() && target_of(x) == target_of(dev),
                _ => mac_of(x).is_some() && mac_of(x) == mac_of(dev),
            }
    })
}

fn missing_live(dev: &Element) -> Error {
    match dev.name.as_str() {
        "disk" => Error::with(
            VIR_ERR_DEVICE_MISSING,
            VIR_FROM_QEMU,
            format!("disk {} not found", target_of(dev).unwrap_or("")),
        ),
        _ => no_such_interface(mac_of(dev).unwrap_or("")),
    }
}

fn config_attach(def: &mut DomainDef, dev: Element) -> Result<()> {
    if dev.name == "disk" {
        let dst = target_of(&dev).unwrap_or("").to_string();
        if def
            .devices
            .iter()
            .any(|x| x.name == "disk" && target_of(x) == Some(&dst))
        {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                format!("target {dst} already exists"),
            ));
        }
        insert_disk(def, dev);
    } else {
        def.devices.push(dev);
    }
    Ok(())
}

fn config_detach(def: &mut DomainDef, dev: &Element) -> Result<()> {
    match find_device(def, dev) {
        Some(at) => {
            def.devices.remove(at);
            Ok(())
        }
        None if dev.name == "disk" => Err(Error::with(
            VIR_ERR_DEVICE_MISSING,
            VIR_FROM_QEMU,
            format!("no target device {}", target_of(dev).unwrap_or("")),
        )),
        None => Err(no_such_interface(mac_of(dev).unwrap_or(""))),
    }
}

/// The persistent disk takes the new source (the reference changes only the source).
fn config_update(def: &mut DomainDef, dev: &Element) -> Result<()> {
    let dst = target_of(dev).unwrap_or("").to_string();
    let Some(d) = def
        .devices
        .iter_mut()
        .find(|x| x.name == "disk" && target_of(x) == Some(&dst))
    else {
        return Err(Error::with(
            crate::error::VIR_ERR_INVALID_ARG,
            VIR_FROM_QEMU,
            format!("target {dst} doesn't exist."),
        ));
    };
    d.children.retain(|c| c.name != "source");
    if let Some(source) = dev.child("source") {
        let at = d
            .children
            .iter()
            .position(|c| c.name == "target")
            .unwrap_or(0);
        d.children.insert(at, source.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_names_index_as_libvirt_s() {
        assert_eq!(disk_index("vda"), 0);
        assert_eq!(disk_index("vdb"), 1);
        assert_eq!(disk_index("hdc"), 2);
        assert_eq!(disk_index("sdaa"), 26);
    }
}
