//! virDomainQemuMonitorCommand (libvirt-qemu.so.0) on the qemu driver: a caller's QMP command
//! passed to the guest's monitor, or, with the HMP flag, a human monitor command line wrapped in
//! `human-monitor-command`. Like the reference, a QMP reply is handed back whole, errors included,
//! as compact JSON: `{"return":...,"id":"libvirt-N"}` or `{"id":"libvirt-N","error":{...}}`.

use super::*;
use serde_json::{json, Value};
use std::os::fd::BorrowedFd;

/// VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP.
const HMP: u32 = 1;

impl QemuDriver {
    /// The command with the caller's descriptors (virDomainQemuMonitorCommandWithFiles): qemu
    /// takes one with a command, attached to its line on the monitor's socket.
    pub(super) fn monitor_passthrough_with_files(
        &self,
        d: &DomainRef,
        cmd: &str,
        fds: &[BorrowedFd<'_>],
        flags: u32,
    ) -> Result<String> {
        crate::api::check_bits(
            "qemuDomainQemuMonitorCommandWithFiles",
            flags,
            HMP,
            VIR_FROM_QEMU,
        )?;
        if fds.len() > 1 {
            return Err(Error::with(
                crate::error::VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                "at most 1 fd can be passed to qemu along with a command",
            ));
        }
        self.monitor_passthrough(d, cmd, fds, flags)
    }

    pub(super) fn monitor_passthrough(
        &self,
        d: &DomainRef,
        cmd: &str,
        fds: &[BorrowedFd<'_>],
        flags: u32,
    ) -> Result<String> {
        crate::api::check_bits(
            "qemuDomainQemuMonitorCommandWithFiles",
            flags,
            HMP,
            VIR_FROM_QEMU,
        )?;
        let (vm, _) = self.lifecycle_check(d)?;
        let name = vm.name();
        self.note(
            &name,
            "custom monitor command: the domain is tainted (custom-monitor)",
        );
        if flags & HMP != 0 {
            let args = json!({ "command-line": cmd });
            return self.with_job(d, |_, mon| {
                let out = mon
                    .mon
                    .execute_with_fds("human-monitor-command", Some(args), fds, mon.timeout)
                    .map_err(|e| monitor_error(e, "human-monitor-command", mon.timeout))?;
                Ok(out.as_str().unwrap_or_default().to_string())
            });
        }
        let request: Value = serde_json::from_str(cmd).map_err(|_| {
            Error::internal(
                VIR_FROM_NONE,
                format!("cannot parse json {cmd}: syntax error"),
            )
        })?;
        let Some(command) = request["execute"].as_str().map(str::to_string) else {
            return Err(Error::internal(
                VIR_FROM_QEMU,
                "cannot parse the command: it names no 'execute'",
            ));
        };
        let args = request.get("arguments").cloned();
        self.with_job(d, |_, mon| {
            let id = format!(
                "libvirt-{}",
                PASSTHROUGH_IDS.fetch_add(1, Ordering::Relaxed)
            );
            match mon.mon.execute_with_fds(&command, args, fds, mon.timeout) {
                Ok(ret) => Ok(format!("{{\"return\":{ret},\"id\":\"{id}\"}}")),
                Err(QmpError::Command { class, desc }) => {
                    let error = json!({ "class": class, "desc": desc });
                    Ok(format!("{{\"id\":\"{id}\",\"error\":{error}}}"))
                }
                Err(e) => Err(monitor_error(e, &command, mon.timeout)),
            }
        })
    }
}

/// The ids the replies name (the reference numbers its own monitor commands).
static PASSTHROUGH_IDS: AtomicI32 = AtomicI32::new(1);
