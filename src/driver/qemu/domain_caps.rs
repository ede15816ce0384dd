//! virConnectGetDomainCapabilities on the qemu driver (issue 17): what a guest of one emulator,
//! architecture, machine type and accelerator may use, as the reference describes it. The
//! arguments default and are refused as the reference's do (its qemuConnectGetDomainCapabilities
//! and virQEMUCapsCacheLookupDefault); what depends on the host and the emulator comes from
//! qemu itself, asked once per process and accelerator (host_model::probed): the machine type
//! and its most CPUs, the CPU models qemu offers and whether each can run here, and the host
//! model (qemu's `max` CPU described against libvirt's CPU map).
//!
//! The rest is what the reference says of Debian's qemu 7.2 (the version this driver runs):
//! the loader, memory backing, device and feature lists it builds from qemu's device and QMP
//! capabilities are written here as it shows them, not derived from qemu's answers. Firmware
//! descriptors (none installed here) are not looked for; SEV and SGX are reported absent.

use super::capabilities::{parse_machines, Machine};
use super::cpu_x86::{CpuMap, CPU_MAP_DIR};
use super::host_model::{cpu_data, probed, Accel, Probe};
use crate::error::{Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_FROM_QEMU};
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

/// The call's arguments, each optional.
pub struct Request {
    pub emulator: Option<String>,
    pub arch: Option<String>,
    pub machine: Option<String>,
    pub virt_type: Option<String>,
}

/// What the arguments resolve to.
struct Target {
    emulator: String,
    arch: String,
    machine: Machine,
    kvm: bool,
    probe: Arc<Probe>,
}

fn invalid(info: String) -> Error {
    Error::with(VIR_ERR_INVALID_ARG, VIR_FROM_QEMU, info)
}

/// The domain capabilities XML; `root` is the driver's (the reference's probing qemu runs
/// under it, and its failure names a file there).
pub fn domain_capabilities(root: &Path, req: &Request) -> Result<String> {
    let t = resolve(root, req)?;
    let mut x = String::from("<domainCapabilities>\n");
    let _ = writeln!(x, "  <path>{}</path>", t.emulator);
    let _ = writeln!(
        x,
        "  <domain>{}</domain>",
        if t.kvm { "kvm" } else { "qemu" }
    );
    let _ = writeln!(x, "  <machine>{}</machine>", t.machine.name);
    let _ = writeln!(x, "  <arch>{}</arch>", t.arch);
    let _ = writeln!(x, "  <vcpu max='{}'/>", max_vcpus(&t));
    x.push_str("  <iothreads supported='yes'/>\n");
    x.push_str(OS);
    format_cpu(&mut x, &t)?;
    x.push_str(DEVICES_TO_DISK_BUS);
    if has_builtin_ide(&t.machine.name) {
        x.push_str("        <value>ide</value>\n");
    }
    x.push_str(DEVICES_AFTER_IDE);
    Ok(x)
}

/// The emulator, architecture, machine and accelerator the arguments name, in the order the
/// reference checks them.
fn resolve(root: &Path, req: &Request) -> Result<Target> {
    let virt_type = match req.virt_type.as_deref() {
        Some(t) if !crate::domain::xml::VIRT_TYPES.contains(&t) => {
            return Err(invalid(format!("unknown virttype: {t}")))
        }
        // "none" is virDomainVirtType's zero: the same as not asking.
        Some("none") | None => None,
        Some(t) => Some(t),
    };
    if let Some(a) = req.arch.as_deref() {
        if !crate::driver::testdriver::ARCHES.contains(&a) {
            return Err(invalid(format!("unknown architecture: {a}")));
        }
    }
    let host_arch = std::env::consts::ARCH;
    let arch = req.arch.clone().unwrap_or_else(|| host_arch.to_string());
    let (emulator, probe) = match &req.emulator {
        Some(binary) => {
            let probe = probe_binary(root, binary)?;
            let bin_arch = arch_of_target(&probe.target);
            if let Some(a) = req.arch.as_deref() {
                if a != bin_arch && !(is_x86(a) && is_x86(&bin_arch)) {
                    return Err(invalid(format!(
                        "architecture from emulator '{bin_arch}' doesn't match given architecture '{a}'"
                    )));
                }
            }
            (binary.clone(), probe)
        }
        None => {
            let binary = emulator_for(&arch).ok_or_else(|| {
                Error::with(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    VIR_FROM_QEMU,
                    format!("unable to find any emulator to serve '{arch}' architecture"),
                )
            })?;
            let probe = probe_binary(root, &binary)?;
            (binary, probe)
        }
    };
    let kvm_probe = || {
        super::command::kvm_usable()
            .then(|| probed(&emulator, Accel::Kvm))
            .flatten()
    };
    let machines = parse_machines(&probe.machines).unwrap_or_default();
    let machine = match req.machine.as_deref() {
        Some(m) => machines
            .into_iter()
            .find(|x| x.name == m || x.alias.as_deref() == Some(m)),
        None => machines.into_iter().next(),
    }
    .ok_or_else(|| {
        invalid(format!(
            "the machine '{}' is not supported by emulator '{emulator}'",
            req.machine.as_deref().unwrap_or("")
        ))
    })?;
    let bin_arch = arch_of_target(&probe.target);
    if arch != bin_arch && !(bin_arch == "x86_64" && arch == "i686") {
        return Err(invalid(format!(
            "Emulator '{emulator}' does not support arch '{arch}'"
        )));
    }
    let (kvm, probe) = match virt_type {
        Some("qemu") => (false, probe),
        Some("kvm") | None => match kvm_probe() {
            Some(k) => (true, k),
            None if virt_type.is_none() => (false, probe),
            None => return Err(unsupported_virt_type(&emulator, "kvm")),
        },
        Some(other) => return Err(unsupported_virt_type(&emulator, other)),
    };
    Ok(Target {
        emulator,
        arch,
        machine,
        kvm,
        probe,
    })
}

fn unsupported_virt_type(emulator: &str, t: &str) -> Error {
    invalid(format!(
        "Emulator '{emulator}' does not support virt type '{t}'"
    ))
}

fn is_x86(arch: &str) -> bool {
    matches!(arch, "i686" | "x86_64")
}

/// libvirt's name of the architecture qemu's query-target gives.
fn arch_of_target(target: &str) -> String {
    match target {
        "i386" => "i686".to_string(),
        other => other.to_string(),
    }
}

/// The emulator the reference picks for an architecture: qemu-system-<its name> in PATH (an
/// i686 guest may also use the x86_64 one). Only x86 emulators are served by this driver.
fn emulator_for(arch: &str) -> Option<String> {
    let names: &[&str] = match arch {
        "i686" => &["qemu-system-i386", "qemu-system-x86_64"],
        "x86_64" => &["qemu-system-x86_64"],
        _ => &[],
    };
    names
        .iter()
        .find_map(|n| super::capabilities::find_in_path(n))
}

/// The emulator's answers under TCG, or the reference's errors: a binary that is not there, or
/// one that does not answer as qemu (the reference then finds no pid file in the directory it
/// made for the probe; its name ends in six random characters).
fn probe_binary(root: &Path, binary: &str) -> Result<Arc<Probe>> {
    if let Err(e) = std::fs::metadata(binary) {
        return Err(Error::system(
            VIR_FROM_QEMU,
            e.raw_os_error().unwrap_or(libc::ENOENT),
            format!("Cannot check QEMU binary {binary}"),
        ));
    }
    probed(binary, Accel::Tcg).ok_or_else(|| {
        let suffix: String = crate::domain::uuid::generate()
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        Error::system(
            VIR_FROM_QEMU,
            libc::ENOENT,
            format!(
                "Failed to read pidfile {}/lib/qemu/qmp-{suffix}/qmp.pid",
                root.display()
            ),
        )
    })
}

/// The machine's most CPUs; under KVM no more than the kernel allows.
fn max_vcpus(t: &Target) -> u64 {
    let machine = t.machine.max_cpus;
    if !t.kvm {
        return machine;
    }
    match crate::host::kvm_max_vcpus() {
        Ok(k) if k > 0 => machine.min(k as u64),
        _ => machine,
    }
}

/// The machine types with an IDE controller of their own (qemuDomainMachineHasBuiltinIDE on
/// x86: the i440FX ones).
fn has_builtin_ide(machine: &str) -> bool {
    machine == "pc"
        || ["pc-0.", "pc-1.", "pc-i440fx-", "rhel"]
            .iter()
            .any(|p| machine.starts_with(p))
}

fn format_cpu(x: &mut String, t: &Target) -> Result<()> {
    let map = CpuMap::load(Path::new(CPU_MAP_DIR))?;
    x.push_str("  <cpu>\n");
    if t.kvm {
        x.push_str(
            "    <mode name='host-passthrough' supported='yes'>\n      \
             <enum name='hostPassthroughMigratable'>\n        <value>on</value>\n        \
             <value>off</value>\n      </enum>\n    </mode>\n",
        );
    } else {
        x.push_str("    <mode name='host-passthrough' supported='no'/>\n");
    }
    x.push_str(
        "    <mode name='maximum' supported='yes'>\n      <enum name='maximumMigratable'>\n        \
         <value>on</value>\n        <value>off</value>\n      </enum>\n    </mode>\n",
    );
    let p = &t.probe;
    match map.decode_all(&cpu_data(&map, &p.all_props), &p.models) {
        Some(host) => {
            x.push_str("    <mode name='host-model' supported='yes'>\n");
            let _ = writeln!(x, "      <model fallback='forbid'>{}</model>", host.model);
            if let Some(v) = &host.vendor {
                let _ = writeln!(x, "      <vendor>{v}</vendor>");
            }
            for (policy, name) in &host.features {
                let _ = writeln!(x, "      <feature policy='{policy}' name='{name}'/>");
            }
            x.push_str("    </mode>\n");
        }
        None => x.push_str("    <mode name='host-model' supported='no'/>\n"),
    }
    x.push_str("    <mode name='custom' supported='yes'>\n");
    for (name, blockers) in &p.models {
        // Only the models libvirt's CPU map knows (not qemu's versions, `max`, `host`, `base`).
        let Some(vendor) = map.model_vendor(name) else {
            continue;
        };
        let _ = writeln!(
            x,
            "      <model usable='{}' vendor='{}'>{name}</model>",
            if blockers.is_empty() { "yes" } else { "no" },
            vendor.unwrap_or("unknown")
        );
    }
    x.push_str("    </mode>\n  </cpu>\n");
    Ok(())
}

/// `<os>`: no firmware descriptors, the loader types and options qemu 7.2 allows.
const OS: &str = r#"  <os supported='yes'>
    <enum name='firmware'/>
    <loader supported='yes'>
      <enum name='type'>
        <value>rom</value>
        <value>pflash</value>
      </enum>
      <enum name='readonly'>
        <value>yes</value>
        <value>no</value>
      </enum>
      <enum name='secure'>
        <value>no</value>
      </enum>
    </loader>
  </os>
"#;

/// From `<memoryBacking>` to the disk buses before IDE.
const DEVICES_TO_DISK_BUS: &str = r#"  <memoryBacking supported='yes'>
    <enum name='sourceType'>
      <value>file</value>
      <value>anonymous</value>
      <value>memfd</value>
    </enum>
  </memoryBacking>
  <devices>
    <disk supported='yes'>
      <enum name='diskDevice'>
        <value>disk</value>
        <value>cdrom</value>
        <value>floppy</value>
        <value>lun</value>
      </enum>
      <enum name='bus'>
"#;

/// The disk buses after IDE, the other devices and the features.
const DEVICES_AFTER_IDE: &str = r#"        <value>fdc</value>
        <value>scsi</value>
        <value>virtio</value>
        <value>usb</value>
        <value>sata</value>
      </enum>
      <enum name='model'>
        <value>virtio</value>
        <value>virtio-transitional</value>
        <value>virtio-non-transitional</value>
      </enum>
    </disk>
    <graphics supported='yes'>
      <enum name='type'>
        <value>sdl</value>
        <value>vnc</value>
        <value>spice</value>
        <value>egl-headless</value>
        <value>dbus</value>
      </enum>
    </graphics>
    <video supported='yes'>
      <enum name='modelType'>
        <value>vga</value>
        <value>cirrus</value>
        <value>vmvga</value>
        <value>qxl</value>
        <value>virtio</value>
        <value>none</value>
        <value>bochs</value>
        <value>ramfb</value>
      </enum>
    </video>
    <hostdev supported='yes'>
      <enum name='mode'>
        <value>subsystem</value>
      </enum>
      <enum name='startupPolicy'>
        <value>default</value>
        <value>mandatory</value>
        <value>requisite</value>
        <value>optional</value>
      </enum>
      <enum name='subsysType'>
        <value>usb</value>
        <value>pci</value>
        <value>scsi</value>
      </enum>
      <enum name='capsType'/>
      <enum name='pciBackend'/>
    </hostdev>
    <rng supported='yes'>
      <enum name='model'>
        <value>virtio</value>
        <value>virtio-transitional</value>
        <value>virtio-non-transitional</value>
      </enum>
      <enum name='backendModel'>
        <value>random</value>
        <value>egd</value>
        <value>builtin</value>
      </enum>
    </rng>
    <filesystem supported='yes'>
      <enum name='driverType'>
        <value>path</value>
        <value>handle</value>
        <value>virtiofs</value>
      </enum>
    </filesystem>
    <tpm supported='yes'>
      <enum name='model'>
        <value>tpm-tis</value>
        <value>tpm-crb</value>
      </enum>
      <enum name='backendModel'>
        <value>passthrough</value>
      </enum>
    </tpm>
    <redirdev supported='yes'>
      <enum name='bus'>
        <value>usb</value>
      </enum>
    </redirdev>
    <channel supported='yes'>
      <enum name='type'>
        <value>pty</value>
        <value>unix</value>
        <value>spicevmc</value>
      </enum>
    </channel>
  </devices>
  <features>
    <gic supported='no'/>
    <vmcoreinfo supported='yes'/>
    <genid supported='yes'/>
    <backingStoreInput supported='yes'/>
    <backup supported='yes'/>
    <sev supported='no'/>
    <sgx supported='no'/>
    <hyperv supported='yes'>
      <enum name='features'>
        <value>spinlocks</value>
        <value>vendor_id</value>
      </enum>
    </hyperv>
  </features>
</domainCapabilities>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_i440fx_machines_have_their_own_ide() {
        assert!(has_builtin_ide("pc-i440fx-7.2"));
        assert!(has_builtin_ide("pc"));
        assert!(!has_builtin_ide("pc-q35-7.2"));
        assert!(!has_builtin_ide("isapc"));
        assert!(!has_builtin_ide("microvm"));
    }

    #[test]
    fn qemu_s_i386_target_is_libvirt_s_i686() {
        assert_eq!(arch_of_target("i386"), "i686");
        assert_eq!(arch_of_target("x86_64"), "x86_64");
    }
}
