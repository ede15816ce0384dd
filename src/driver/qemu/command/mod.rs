//! The qemu command line for a domain definition, in the reference's shape: started paused (-S),
//! the monitor on an inherited listening socket (fd 3), no defaults, nothing the XML did not ask for.

pub mod backing;
pub mod devices;
pub mod json;
pub mod live;
mod machine;
mod pci;
mod support;

use crate::domain::{uuid, DomainDef};
use crate::error::{Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_FROM_QEMU};
use std::path::Path;

/// The fd number the monitor's listening socket has in qemu.
pub(crate) const MONITOR_FD: i32 = 3;
/// The id of the secret object holding the guest's master key (the reference's name).
const MASTER_KEY_ALIAS: &str = "masterKey0";

/// Refuse what we cannot create, by name, instead of dropping it silently.
pub fn check_supported(def: &DomainDef) -> Result<()> {
    check_virt_type(def)?;
    if def.os_type != "hvm" {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            format!("OS type '{}' is not supported", def.os_type),
        ));
    }
    support::check(def)
}

/// Refuse a TSC frequency the host cannot give (checked before the start takes an id).
pub fn check_tsc(def: &DomainDef) -> Result<()> {
    support::check_tsc(def)
}

/// Refuse what is defined but cannot start here (after check_supported).
pub fn check_startable(def: &DomainDef) -> Result<()> {
    support::check_startable(def)
}

/// The reference asks the emulator's capabilities: only TCG (`qemu`) and, where /dev/kvm is
/// usable, `kvm` are there; `hvf` has no machine at all on Linux, any other type is not offered.
fn check_virt_type(def: &DomainDef) -> Result<()> {
    let offered = match def.virt_type.as_str() {
        "qemu" => true,
        "kvm" => kvm_usable(),
        "hvf" => {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!(
                    "could not get preferred machine for {} type=hvf",
                    emulator_path(def)
                ),
            ))
        }
        _ => false,
    };
    if offered {
        return Ok(());
    }
    Err(Error::with(
        VIR_ERR_CONFIG_UNSUPPORTED,
        VIR_FROM_QEMU,
        format!(
            "Emulator '{}' does not support virt type '{}'",
            emulator_path(def),
            def.virt_type
        ),
    ))
}

/// The emulator as the reference names it in messages: the XML's path, else the default
/// binary's full path found on PATH.
fn emulator_path(def: &DomainDef) -> String {
    let bin = emulator(def);
    if def.emulator.is_some() || bin.contains('/') {
        return bin;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&bin))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
        .unwrap_or(bin)
}

pub fn arch(def: &DomainDef) -> String {
    def.arch.clone().unwrap_or_else(|| "x86_64".to_string())
}

/// The emulator binary: the XML's `<emulator>`, else `qemu-system-<arch>` found on PATH.
pub fn emulator(def: &DomainDef) -> String {
    def.emulator
        .clone()
        .unwrap_or_else(|| format!("qemu-system-{}", arch(def)))
}

/// The host model a `<cpu mode='host-model'>` stands for (probed of the emulator), if the
/// definition has one.
pub fn host_cpu(def: &DomainDef) -> Result<Option<super::cpu_x86::Decoded>> {
    let host_model = def
        .extras
        .iter()
        .any(|e| e.name == "cpu" && e.attr("mode") == Some("host-model"));
    if !host_model {
        return Ok(None);
    }
    super::host_model::host_model(&emulator_path(def)).map(Some)
}

/// Is KVM usable here? (`/dev/kvm` opens read-write.)
pub fn kvm_usable() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok()
}

/// The command line of a live definition (live::expand): the reference's options in its order.
/// `master_key` is the guest's key file (libvirt's `masterKey0`, for secrets qemu is given).
pub fn args(def: &DomainDef, master_key: &Path) -> Result<Vec<String>> {
    let accel = if def.virt_type == "kvm" {
        if !kvm_usable() {
            return Err(Error::with(
                VIR_ERR_CONFIG_UNSUPPORTED,
                VIR_FROM_QEMU,
                "KVM is not available: /dev/kvm cannot be opened (use <domain type='qemu'> for TCG)",
            ));
        }
        "kvm"
    } else {
        "tcg"
    };
    let mut a = json::Args::default();
    a.opt(
        "-name",
        format!("guest={},debug-threads=on", json::optval(&def.name)),
    );
    a.flag("-S");
    a.object(
        json::Obj::new()
            .s("qom-type", "secret")
            .s("id", MASTER_KEY_ALIAS)
            .s("format", "raw")
            .s("file", &master_key.display().to_string()),
    );
    machine::machine(def, accel, &mut a);
    a.opt("-uuid", uuid::format(&def.uuid));
    machine::smbios(def, &mut a);
    if !def.devices.iter().any(|d| d.name == "graphics") {
        a.opt("-display", "none");
    }
    a.flag("-no-user-config");
    a.flag("-nodefaults");
    a.opt(
        "-chardev",
        format!("socket,id=charmonitor,fd={MONITOR_FD},server=on,wait=off"),
    );
    a.opt("-mon", "chardev=charmonitor,id=monitor,mode=control");
    machine::clock_pm_boot(def, &mut a);
    devices::all(def, &mut a);
    Ok(a.0)
}

#[cfg(test)]
mod tests {
    use super::check_supported;
    use crate::domain::xml::parse;

    fn refused(extra: &str) -> Option<String> {
        let xml = format!(
            "<domain type='qemu'><name>g</name><memory unit='MiB'>64</memory>{extra}\
             <os><type arch='x86_64'>hvm</type></os></domain>"
        );
        let def = parse(&xml).unwrap();
        check_supported(&def)
            .and_then(|()| super::check_startable(&def))
            .err()
            .map(|e| (e.code, e.message).1)
    }

    #[test]
    fn what_would_change_the_guest_is_refused_by_name() {
        assert_eq!(refused(""), None);
        assert_eq!(
            refused("<features><acpi/><apic/><vmport state='off'/></features><clock offset='localtime'/>"),
            None
        );
        assert_eq!(refused("<cpu mode='host-model'/>"), None);
        let passthrough = refused("<cpu mode='host-passthrough'/>").unwrap();
        assert!(
            passthrough.contains("not supported by hypervisor"),
            "{passthrough}"
        );
        let smm = refused("<features><smm/></features>").unwrap();
        assert!(smm.contains("<features><smm>"), "{smm}");
        let nic = refused("<devices><interface type='network'/></devices>").unwrap();
        assert!(nic.contains("virtnetworkd-sock"), "{nic}");
        let luks = refused(
            "<devices><disk type='file' device='disk'><source file='/d.qcow2'>\
             <encryption format='luks'><secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/>\
             </encryption></source><target dev='vda' bus='virtio'/></disk></devices>",
        )
        .unwrap();
        assert!(luks.contains("virtsecretd-sock"), "{luks}");
        let hostdev = refused("<devices><hostdev mode='subsystem' type='pci'/></devices>").unwrap();
        assert!(hostdev.contains("<hostdev type='pci'>"), "{hostdev}");
        let efi = refused("").is_none()
            && parse_refused("<os firmware='efi'><type arch='x86_64'>hvm</type></os>")
                .is_some_and(|m| m.contains("UEFI requires ACPI"));
        assert!(efi);
    }

    fn parse_refused(os: &str) -> Option<String> {
        let xml = format!(
            "<domain type='qemu'><name>g</name><memory unit='MiB'>64</memory>{os}</domain>"
        );
        let def = parse(&xml).unwrap();
        check_supported(&def)
            .and_then(|()| super::check_startable(&def))
            .err()
            .map(|e| e.message)
    }
}
