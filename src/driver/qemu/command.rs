//! The qemu command line for a domain definition, in the reference's shape: started paused (-S),
//! the monitor on an inherited listening socket (fd 3), no defaults, nothing the XML did not ask for.

use crate::domain::{uuid, DomainDef};
use crate::error::{Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_FROM_QEMU};

/// The fd number the monitor's listening socket has in qemu.
pub(crate) const MONITOR_FD: i32 = 3;

/// Refuse what we cannot create, by name, instead of dropping it silently.
pub fn check_supported(def: &DomainDef) -> Result<()> {
    check_virt_type(def)?;
    if let Some(el) = def.unsupported_elements.first() {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            format!("{el} is not supported by this driver"),
        ));
    }
    if let Some(dev) = def.unknown_devices.first() {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            format!("device <{dev}> is not supported by this driver"),
        ));
    }
    if def.os_type != "hvm" {
        return Err(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            format!("OS type '{}' is not supported", def.os_type),
        ));
    }
    Ok(())
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

/// Is KVM usable here? (`/dev/kvm` opens read-write.)
pub fn kvm_usable() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok()
}

pub fn args(def: &DomainDef) -> Result<Vec<String>> {
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
    let mem_mib = def
        .current_memory_kib
        .max(def.memory_kib)
        .div_ceil(1024)
        .max(1);
    let mut a = vec![
        "-name".to_string(),
        format!("guest={},debug-threads=on", def.name.replace(',', ",,")),
        "-S".into(),
        "-machine".into(),
        def.machine.clone().unwrap_or_else(|| "pc".into()),
        "-accel".into(),
        accel.into(),
        "-m".into(),
        mem_mib.to_string(),
        "-smp".into(),
        def.vcpus.to_string(),
        "-uuid".into(),
        uuid::format(&def.uuid),
        "-display".into(),
        "none".into(),
        "-no-user-config".into(),
        "-nodefaults".into(),
        "-chardev".into(),
        format!("socket,id=charmonitor,fd={MONITOR_FD},server=on,wait=off"),
        "-mon".into(),
        "chardev=charmonitor,id=monitor,mode=control".into(),
        "-rtc".into(),
        "base=utc".into(),
        "-boot".into(),
        "strict=on".into(),
    ];
    for (i, d) in def.disks.iter().enumerate() {
        let mut drive = format!(
            "file={},format={},if=virtio,index={i}",
            d.source.replace(',', ",,"),
            d.format
        );
        if d.readonly {
            drive.push_str(",readonly=on");
        }
        a.push("-drive".into());
        a.push(drive);
    }
    if let Some(path) = &def.serial_log {
        a.push("-chardev".into());
        a.push(format!(
            "file,id=charserial0,path={}",
            path.replace(',', ",,")
        ));
        a.push("-serial".into());
        a.push("chardev:charserial0".into());
    }
    Ok(a)
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
        check_supported(&parse(&xml).unwrap())
            .err()
            .map(|e| (e.code, e.message).1)
    }

    #[test]
    fn what_would_change_the_guest_is_refused_by_name() {
        assert_eq!(refused(""), None);
        assert_eq!(
            refused("<features><acpi/><apic/></features><clock offset='utc'/>"),
            None
        );
        let cpu = refused("<cpu mode='host-passthrough'/>").unwrap();
        assert!(cpu.contains("<cpu>"), "{cpu}");
        let kernel = refused("<features><hyperv/></features>").unwrap();
        assert!(kernel.contains("<features><hyperv>"), "{kernel}");
        let nic = refused("<devices><interface type='network'/></devices>").unwrap();
        assert!(nic.contains("interface"), "{nic}");
        assert!(refused("<clock offset='localtime'/>").is_some());
    }
}
