//! A guest's disks read from outside (issue 17): virDomainBlockPeek reads a raw disk's file
//! itself, running or not, as the reference's qemuDomainBlockPeek; virDomainGetDiskErrors asks
//! qemu (`query-block`) which disks met an I/O error.

use super::*;
use crate::api::DomainDiskErrorCode;
use crate::driver::family::{DiskErrors, MemoryBytes};
use crate::error::{
    VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_UNSUPPORTED, VIR_FROM_DOMAIN, VIR_FROM_STORAGE,
};
use serde_json::Value;
use std::io::{Read, Seek, SeekFrom};

/// The only format whose bytes are the guest's disk bytes, which a peek can read from the file.
const RAW: &str = "raw";

/// The disk named by its target (`vda`) or its source path.
fn disk_named(def: &DomainDef, name: &str) -> Result<crate::domain::xml::Disk> {
    def.disks
        .iter()
        .find(|d| d.target == name || (!d.source.is_empty() && d.source == name))
        .cloned()
        .ok_or_else(|| {
            Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!("disk '{name}' not found in domain"),
            )
        })
}

/// `size` bytes of `path` from `offset`, or fewer where the file ends; the reference's errors
/// for a seek it cannot make and a read of nothing (it asks for at least one byte).
fn read_at(path: &str, offset: u64, size: usize) -> Result<Vec<u8>> {
    let system = |what: &str, e: std::io::Error| {
        Error::system(
            VIR_FROM_STORAGE,
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("{what} '{path}'"),
        )
    };
    let mut f = std::fs::File::open(path).map_err(|e| system("cannot open", e))?;
    // An offset past what a signed file offset holds is the kernel's EINVAL, as lseek's.
    let start = i64::try_from(offset)
        .map(|_| offset)
        .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL));
    start
        .and_then(|o| f.seek(SeekFrom::Start(o)))
        .map_err(|e| system("cannot seek into", e))?;
    if size == 0 {
        return Err(system(
            "cannot read header",
            std::io::Error::from_raw_os_error(libc::EINVAL),
        ));
    }
    let mut buf = Vec::with_capacity(size);
    f.take(size as u64)
        .read_to_end(&mut buf)
        .map_err(|e| system("cannot read header", e))?;
    Ok(buf)
}

/// The libvirt disk error of qemu's `io-status`.
fn io_status_error(status: &str) -> DomainDiskErrorCode {
    match status {
        "nospace" => DomainDiskErrorCode::NoSpace,
        "failed" => DomainDiskErrorCode::Unspec,
        _ => DomainDiskErrorCode::None,
    }
}

/// Whether `query-block`'s entry is the device whose alias is `alias` (its qdev is the alias, or
/// a path under it for a virtio device).
fn block_is_device(entry: &Value, alias: &str) -> bool {
    let qdev = entry.get("qdev").and_then(Value::as_str).unwrap_or("");
    !alias.is_empty()
        && (qdev == alias || qdev.starts_with(&format!("/machine/peripheral/{alias}/")))
}

/// Every disk by target with its error (none for most), from `query-block`'s answer and the live
/// definition.
fn disks_in_error(def: &DomainDef, blocks: &Value) -> Vec<(String, i32)> {
    let entries = blocks.as_array().map(Vec::as_slice).unwrap_or_default();
    def.devices
        .iter()
        .filter(|d| d.name == "disk")
        .map(|d| {
            let alias = d.child_attr("alias", "name").unwrap_or_default();
            let status = entries
                .iter()
                .find(|e| block_is_device(e, alias))
                .and_then(|e| e.get("io-status").and_then(Value::as_str))
                .unwrap_or_default();
            let target = d.child_attr("target", "dev").unwrap_or_default();
            (target.to_string(), io_status_error(status) as i32)
        })
        .collect()
}

impl QemuDriver {
    /// virDomainBlockPeek: the bytes of a raw disk's file, read here (qemu is not asked).
    pub(super) fn block_peek_of(
        &self,
        d: &DomainRef,
        name: &str,
        offset: u64,
        size: u64,
        flags: u32,
    ) -> Result<MemoryBytes> {
        if name.is_empty() {
            // The public layer's check (virCheckNonEmptyStringArg), which the glue does not make.
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                "virDomainBlockPeek",
                "disk",
                "string disk in virDomainBlockPeek must not be empty".into(),
            ));
        }
        check_flags(flags, NoFlags::empty(), "qemuDomainBlockPeek")?;
        let vm = self.vm_of(d)?;
        let disk = disk_named(&vm.lock().def, name)?;
        let format = if disk.format.is_empty() {
            RAW
        } else {
            disk.format.as_str()
        };
        if format != RAW {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_QEMU,
                format!("peeking is only supported for disk with 'raw' format not '{format}'"),
            ));
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let bytes = read_at(&disk.source, offset, size)?;
        if bytes.len() < size {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!(
                    "'{name}' starting from {offset} has only {} bytes available",
                    bytes.len()
                ),
            ));
        }
        Ok(MemoryBytes(bytes))
    }

    /// virDomainGetDiskErrors: every disk with the error qemu met on it, if any (the caller asking
    /// for no array learns how many disks there are, as from the reference).
    pub(super) fn disk_errors_of(&self, d: &DomainRef, flags: u32) -> Result<DiskErrors> {
        check_flags(flags, NoFlags::empty(), "qemuDomainGetDiskErrors")?;
        let blocks = self.with_job(d, |_, cmd| cmd.run("query-block"))?;
        let vm = self.vm_of(d)?;
        let def = &vm.lock().def;
        Ok(DiskErrors(disks_in_error(def, &blocks), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_failed_disks_are_errors() {
        let def = crate::domain::xml::parse(
            "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
             <devices><disk type='file'><source file='/a'/><target dev='vda' bus='virtio'/>\
             <alias name='virtio-disk0'/></disk>\
             <disk type='file'><source file='/b'/><target dev='hda'/><alias name='ide0-0-0'/>\
             </disk></devices></domain>",
        )
        .unwrap();
        let blocks = json!([
            {"qdev": "/machine/peripheral/virtio-disk0/virtio-backend", "io-status": "nospace"},
            {"qdev": "ide0-0-0", "io-status": "ok"},
        ]);
        assert_eq!(
            disks_in_error(&def, &blocks),
            vec![("vda".to_string(), 2), ("hda".to_string(), 0)]
        );
    }
}
