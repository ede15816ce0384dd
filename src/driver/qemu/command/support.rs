//! What this driver can start, checked before anything happens: everything else is refused by
//! name (never dropped), with the reference's own error where it refuses the same thing.

use crate::domain::devices::Element;
use crate::domain::DomainDef;
use crate::error::{Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_QEMU, VIR_FROM_RPC};

fn unsupported(what: String) -> Error {
    Error::with(
        VIR_ERR_CONFIG_UNSUPPORTED,
        VIR_FROM_QEMU,
        format!("{what} is not supported by this driver"),
    )
}

fn one_of(v: Option<&str>, allowed: &[&str]) -> bool {
    v.is_some_and(|v| allowed.contains(&v))
}

/// `<name attr='value'>` for messages.
fn named(e: &Element, attr: &str) -> String {
    match e.attr(attr) {
        Some(v) => format!("<{} {attr}='{v}'>", e.name),
        None => format!("<{}>", e.name),
    }
}

/// What cannot be defined. A start checks more (`check_startable`).
pub fn check(def: &DomainDef) -> Result<()> {
    check_os(def)?;
    for e in &def.extras {
        check_top(e, def)?;
    }
    for d in &def.devices {
        check_device(d)?;
    }
    Ok(())
}

fn has_acpi(def: &DomainDef) -> bool {
    def.extras
        .iter()
        .any(|e| e.name == "features" && e.child("acpi").is_some())
}

fn check_os(def: &DomainDef) -> Result<()> {
    if let Some(fw) = &def.os_firmware {
        if fw == "efi" && !has_acpi(def) {
            return Err(Error::with(
                VIR_ERR_CONFIG_UNSUPPORTED,
                VIR_FROM_QEMU,
                "UEFI requires ACPI on this architecture",
            ));
        }
        return Err(unsupported(format!("<os firmware='{fw}'>")));
    }
    for e in &def.os_extras {
        let ok = match e.name.as_str() {
            "boot" => one_of(e.attr("dev"), &["hd", "cdrom", "network", "fd"]),
            "bootmenu" => true,
            // Direct boot of a kernel file (qemu's -kernel, -initrd, -append).
            "kernel" | "initrd" | "cmdline" => true,
            "smbios" => e.attr("mode") == Some("sysinfo"),
            _ => false,
        };
        if !ok {
            return Err(unsupported(format!("<os><{}>", e.name)));
        }
    }
    Ok(())
}

fn check_top(e: &Element, def: &DomainDef) -> Result<()> {
    match e.name.as_str() {
        "title" | "description" | "metadata" | "iothreads" | "pm" => Ok(()),
        // What a live XML carries back (the reference's own output defines as it is).
        "resource" => Ok(()),
        "seclabel" if one_of(e.attr("type"), &["none", "dynamic"]) => Ok(()),
        "sysinfo" if e.attr("type") == Some("smbios") => Ok(()),
        "features" => {
            for f in &e.children {
                let ok = match f.name.as_str() {
                    "acpi" | "apic" | "pae" | "vmport" | "pmu" => true,
                    "hyperv" => f.children.iter().all(|h| {
                        one_of(
                            Some(h.name.as_str()),
                            &[
                                "relaxed",
                                "vapic",
                                "spinlocks",
                                "vpindex",
                                "runtime",
                                "synic",
                                "reset",
                                "frequencies",
                            ],
                        )
                    }),
                    _ => false,
                };
                if !ok {
                    return Err(unsupported(format!("<features><{}>", f.name)));
                }
            }
            Ok(())
        }
        "clock" => {
            if !one_of(
                e.attr("offset").or(Some("utc")),
                &["utc", "localtime", "variable"],
            ) {
                return Err(unsupported(named(e, "offset")));
            }
            for t in &e.children {
                if !one_of(
                    t.attr("name"),
                    &["rtc", "pit", "hpet", "kvmclock", "hypervclock", "tsc"],
                ) {
                    return Err(unsupported(format!(
                        "<clock><timer name='{}'>",
                        t.attr("name").unwrap_or("")
                    )));
                }
            }
            Ok(())
        }
        "cpu" => check_cpu(e, def),
        _ => Err(unsupported(format!("<{}>", e.name))),
    }
}

fn check_cpu(e: &Element, def: &DomainDef) -> Result<()> {
    match e.attr("mode").unwrap_or("custom") {
        "custom" => {}
        // Expanded at start from what qemu's `max` CPU offers under TCG (host_model.rs).
        "host-model" if def.virt_type == "qemu" => {}
        "host-passthrough" | "maximum" if def.virt_type == "qemu" => {
            return Err(Error::with(
                VIR_ERR_CONFIG_UNSUPPORTED,
                VIR_FROM_QEMU,
                format!(
                    "CPU mode '{}' for x86_64 qemu domain on x86_64 host is not supported by hypervisor",
                    e.attr("mode").unwrap_or("")
                ),
            ))
        }
        other => return Err(unsupported(format!("<cpu mode='{other}'>"))),
    }
    for c in &e.children {
        if !matches!(c.name.as_str(), "model" | "topology" | "feature" | "vendor") {
            return Err(unsupported(format!("<cpu><{}>", c.name)));
        }
    }
    Ok(())
}

fn check_device(d: &Element) -> Result<()> {
    let t = d.attr("type");
    let m = d.attr("model");
    let ok = match d.name.as_str() {
        "controller" => match t {
            Some("usb") => {
                m.is_none()
                    || one_of(
                        m,
                        &[
                            "piix3-uhci",
                            "ich9-ehci1",
                            "ich9-uhci1",
                            "ich9-uhci2",
                            "ich9-uhci3",
                            "qemu-xhci",
                            "nec-xhci",
                            "none",
                        ],
                    )
            }
            Some("pci") => one_of(
                m,
                &["pci-root", "pcie-root", "pcie-root-port", "pci-bridge"],
            ),
            Some("scsi") => m.is_none() || one_of(m, &["virtio-scsi", "lsilogic"]),
            Some("ide" | "sata" | "virtio-serial" | "fdc") => true,
            _ => false,
        },
        "input" => {
            one_of(t, &["mouse", "tablet", "keyboard"])
                && one_of(d.attr("bus").or(Some("ps2")), &["ps2", "usb", "virtio"])
        }
        "memballoon" => one_of(m, &["virtio", "none"]),
        "serial" | "console" => one_of(t, &["pty", "file", "unix", "tcp"]),
        "channel" => {
            one_of(t, &["unix", "pty", "spicevmc"])
                && d.child_attr("target", "type") == Some("virtio")
        }
        "video" => one_of(
            d.child_attr("model", "type"),
            &["vga", "cirrus", "virtio", "qxl", "bochs", "none"],
        ),
        "graphics" => one_of(t, &["vnc", "spice"]),
        "interface" => return check_interface(d),
        "rng" => m == Some("virtio") && d.child_attr("backend", "model") == Some("random"),
        "sound" => one_of(m, &["ich6", "ich9", "ac97"]),
        "watchdog" => one_of(m, &["i6300esb", "ib700"]),
        "panic" => m.is_none() || m == Some("isa"),
        "hub" => t == Some("usb"),
        "redirdev" => d.attr("bus") == Some("usb") && t == Some("spicevmc"),
        "audio" => one_of(t, &["none", "spice"]),
        "disk" => check_disk(d),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let what = match d.name.as_str() {
        "video" => format!(
            "<video><model type='{}'>",
            d.child_attr("model", "type").unwrap_or("")
        ),
        "controller" => match m {
            Some(m) => format!("<controller type='{}' model='{m}'>", t.unwrap_or("")),
            None => named(d, "type"),
        },
        "memballoon" | "sound" | "watchdog" | "rng" | "panic" => named(d, "model"),
        _ => named(d, "type"),
    };
    Err(unsupported(format!("device {what}")))
}

fn check_disk(d: &Element) -> bool {
    let device = d.attr("device").unwrap_or("disk");
    let format_ok = one_of(
        d.child_attr("driver", "type").or(Some("raw")),
        &["raw", "qcow2"],
    );
    let bus_ok = one_of(
        d.child_attr("target", "bus").or(Some("ide")),
        &["virtio", "ide", "sata", "scsi"],
    );
    let source_ok = d.child_attr("source", "file").is_some() || device == "cdrom";
    d.attr("type") == Some("file")
        && one_of(Some(device), &["disk", "cdrom"])
        && format_ok
        && bus_ok
        && source_ok
}

fn check_interface(d: &Element) -> Result<()> {
    match d.attr("type") {
        Some("network") => Ok(()),
        Some("user" | "ethernet")
            if one_of(
                d.child_attr("model", "type").or(Some("rtl8139")),
                &["virtio", "e1000", "e1000e", "rtl8139"],
            ) =>
        {
            Ok(())
        }
        _ => Err(unsupported(format!("device {}", named(d, "type")))),
    }
}

/// What is defined but cannot start here: a NIC on a libvirt network needs the network daemon,
/// which an embedded driver does not have; the reference fails the start the same way.
pub fn check_startable(def: &DomainDef) -> Result<()> {
    let network = def
        .devices
        .iter()
        .any(|d| d.name == "interface" && d.attr("type") == Some("network"));
    if network {
        return Err(daemon_missing("virtnetworkd"));
    }
    // A disk's encryption passphrase or login lives in a libvirt secret, which the secret daemon
    // keeps; the reference fails the start the same way without it.
    if def.devices.iter().any(needs_secret) {
        return Err(daemon_missing("virtsecretd"));
    }
    Ok(())
}

/// A TSC frequency the guest asks for must be the host's (within 250 ppm) unless KVM can scale
/// the TSC (the reference's qemuProcessStartValidateTSC, even under TCG), the host's TSC being
/// the one its capabilities report; a host with no such TSC accepts any.
pub fn check_tsc(def: &DomainDef) -> Result<()> {
    /// The tolerance around the host's frequency, in parts per million.
    const TOLERANCE_PPM: u64 = 250;
    let wanted = def
        .extras
        .iter()
        .filter(|e| e.name == "clock")
        .flat_map(|c| c.children_named("timer"))
        .filter(|t| t.attr("name") == Some("tsc"))
        .find_map(|t| t.attr("frequency")?.parse::<u64>().ok().filter(|f| *f > 0));
    let Some(freq) = wanted else {
        return Ok(());
    };
    let Some((host, scaling)) = crate::driver::qemu::host_cpu::host_cpu().tsc else {
        return Ok(());
    };
    let tolerance = host * TOLERANCE_PPM / 1_000_000;
    let (min, max) = (host - tolerance, host + tolerance);
    if (min..=max).contains(&freq) || scaling {
        return Ok(());
    }
    Err(Error::with(
        VIR_ERR_CONFIG_UNSUPPORTED,
        VIR_FROM_QEMU,
        format!(
            "Requested TSC frequency {freq} Hz is outside tolerance range ([{min}, {max}] Hz) \
             around host frequency {host} Hz and TSC scaling is not supported by the host CPU"
        ),
    ))
}

/// The reference's error when it cannot reach one of libvirt's daemons (errno ENOENT in int1).
fn daemon_missing(daemon: &str) -> Error {
    Error::system(
        VIR_FROM_RPC,
        libc::ENOENT,
        format!("Failed to connect socket to '/var/run/libvirt/{daemon}-sock'"),
    )
}

/// A disk whose encryption or authentication refers to a libvirt secret.
fn needs_secret(d: &Element) -> bool {
    let refers = |e: &Element| e.child("encryption").is_some() || e.child("auth").is_some();
    d.name == "disk" && (refers(d) || d.child("source").is_some_and(refers))
}
