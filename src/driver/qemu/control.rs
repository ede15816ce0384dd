//! Controlling a guest beyond start and stop (issue 17): autostart, memory (the balloon),
//! reset, NMI, keys and screenshots, each with the reference's checks and errors.

use super::*;
use crate::api::{DomainMemoryModFlags, KeycodeSet};
use crate::domain::keycode;
use crate::driver::family::{check_send_key, Screenshot};
use crate::driver::Caller;
use serde_json::json;

/// qemuDomainSetMemoryFlags's flags.
const MEMORY_FLAGS: DomainMemoryModFlags = DomainMemoryModFlags::LIVE
    .union(DomainMemoryModFlags::CONFIG)
    .union(DomainMemoryModFlags::MAXIMUM);
/// The marker the reference's embedded driver leaves under run/qemu once it has autostarted the
/// root's guests: later opens of the root start nothing.
const AUTOSTARTED_MARKER: &str = "autostarted";
/// What a screenshot is (qemu writes PNG when asked to, as the reference asks it).
const SCREENSHOT_MIME: &str = "image/png";

impl Command<'_> {
    /// A monitor command with arguments.
    pub(super) fn run_with(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.mon
            .execute(command, Some(args), self.timeout)
            .map_err(|e| monitor_error(e, command, self.timeout))
    }
}

impl Layout {
    /// The link that marks a persistent domain to be started when the root is first opened.
    pub fn autostart_link(&self, name: &str) -> PathBuf {
        self.config_dir().join(format!("autostart/{name}.xml"))
    }
}

impl QemuDriver {
    // ---- autostart ----------------------------------------------------------------------

    pub(super) fn autostart_of(&self, d: &DomainRef) -> Result<bool> {
        let vm = self.vm_of(d)?;
        let name = vm.name();
        Ok(self.layout.autostart_link(&name).symlink_metadata().is_ok())
    }

    pub(super) fn set_autostart_of(&self, d: &DomainRef, on: bool) -> Result<()> {
        let vm = self.vm_of(d)?;
        let (name, persistent) = {
            let i = vm.lock();
            (i.def.name.clone(), i.persistent)
        };
        if !persistent {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                "cannot set autostart for transient domain",
            ));
        }
        let link = self.layout.autostart_link(&name);
        if link.symlink_metadata().is_ok() == on {
            return Ok(());
        }
        if on {
            let dir = self.layout.config_dir().join("autostart");
            mkdir(&dir)?;
            std::os::unix::fs::symlink(self.layout.config_file(&name), &link).map_err(|e| {
                sys_err(
                    &e,
                    format!(
                        "Failed to create symlink '{}' to '{}'",
                        link.display(),
                        self.layout.config_file(&name).display()
                    ),
                )
            })
        } else {
            std::fs::remove_file(&link)
                .map_err(|e| sys_err(&e, format!("Failed to delete symlink '{}'", link.display())))
        }
    }

    /// The first open of a root (no marker yet under run/qemu) starts the persistent guests
    /// marked for autostart, as the reference's embedded driver does when it initialises; the
    /// marker is left so that later opens start nothing. A guest that fails to start is noted
    /// in its log and left shut off.
    pub(super) fn autostart_all(&self) {
        let marker = self.layout.run_dir().join(AUTOSTARTED_MARKER);
        let first = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&marker)
            .is_ok();
        if !first {
            return;
        }
        let _ = layout::set_mode(&marker, layout::PRIVATE_FILE);
        for vm in self.domain_list() {
            let name = vm.name();
            let wanted = vm.lock().persistent
                && !vm.is_active()
                && self.layout.autostart_link(&name).symlink_metadata().is_ok();
            if !wanted {
                continue;
            }
            let started = vm.job.begin(self.cfg.job_timeout).and_then(|_job| {
                self.start_or_restore(&vm, DomainCreateFlags::empty(), Caller { conn_id: 0 })
            });
            if let Err(e) = started {
                self.note(&name, &format!("autostart failed: {}", e.message));
            }
        }
    }

    // ---- memory -------------------------------------------------------------------------

    pub(super) fn set_memory_of(&self, d: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        let f = check_flags(flags, MEMORY_FLAGS, "qemuDomainSetMemoryFlags")?;
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        let (live, config, persistent, max_kib) = {
            let mut i = vm.lock();
            let (live, config) = metadata::affected(&i, flags)?;
            let live_max = live.then_some(i.def.memory_kib);
            let persistent = config.then(|| i.persistent_def_mut().clone());
            let config_max = persistent.as_ref().map(|p| p.memory_kib);
            let max = match (live_max, config_max) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).unwrap_or(0),
            };
            (live, config, persistent, max)
        };
        if f.contains(DomainMemoryModFlags::MAXIMUM) {
            if live {
                return Err(Error::with(
                    VIR_ERR_OPERATION_INVALID,
                    VIR_FROM_QEMU,
                    "cannot resize the maximum memory on an active domain",
                ));
            }
            if let Some(mut def) = persistent {
                def.memory_kib = kib;
                def.current_memory_kib = def.current_memory_kib.min(kib);
                self.save_config(&def)?;
                *vm.lock().persistent_def_mut() = def;
            }
            return Ok(());
        }
        if kib > max_kib {
            return Err(Error::with(
                crate::error::VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                "cannot set memory higher than max memory",
            ));
        }
        if live {
            self.balloon(&vm, kib)?;
        }
        if let (true, Some(mut def)) = (config, persistent) {
            def.current_memory_kib = kib;
            self.save_config(&def)?;
            *vm.lock().persistent_def_mut() = def;
        }
        Ok(())
    }

    /// Ask the guest's balloon for `kib`; the live figure moves when the guest's balloon driver
    /// answers (qemu's BALLOON_CHANGE), as the reference's.
    fn balloon(&self, vm: &Arc<Vm>, kib: u64) -> Result<()> {
        let has_balloon = vm
            .lock()
            .def
            .devices
            .iter()
            .any(|d| d.name == "memballoon" && d.attr("model").is_some_and(|m| m != "none"));
        if !has_balloon {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                "Unable to change memory of active domain without the balloon device and guest OS balloon driver",
            ));
        }
        let run = vm.running().ok_or_else(not_running)?;
        let mon = run.monitor().ok_or_else(not_running)?;
        let cmd = Command {
            mon: &mon,
            timeout: self.cfg.monitor_reply_timeout,
        };
        cmd.run_with("balloon", json!({ "value": kib * 1024 }))?;
        Ok(())
    }

    /// At start, as the reference: a guest defined with less current memory than its maximum
    /// has its balloon set to that, and the live figure is what the balloon then holds (all of
    /// it while no guest driver answers); without a balloon, the maximum.
    pub(super) fn refresh_balloon(&self, vm: &Arc<Vm>, mon: &Monitor) {
        let (has_balloon, current, max) = {
            let i = vm.lock();
            let has =
                i.def.devices.iter().any(|d| {
                    d.name == "memballoon" && d.attr("model").is_some_and(|m| m != "none")
                });
            (has, i.def.current_memory_kib, i.def.memory_kib)
        };
        if !has_balloon {
            vm.lock().def.current_memory_kib = max;
            return;
        }
        let cmd = Command {
            mon,
            timeout: self.cfg.monitor_reply_timeout,
        };
        if current < max {
            let _ = cmd.run_with("balloon", json!({ "value": current * 1024 }));
        }
        if let Ok(b) = cmd.run("query-balloon") {
            if let Some(actual) = b.get("actual").and_then(|a| a.as_u64()) {
                vm.lock().def.current_memory_kib = actual / 1024;
            }
        }
    }

    // ---- reset, NMI, keys ---------------------------------------------------------------

    pub(super) fn reset_of(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "qemuDomainReset")?;
        self.with_job(d, |_, mon| mon.run("system_reset").map(|_| ()))
    }

    pub(super) fn inject_nmi_of(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "qemuDomainInjectNMI")?;
        self.with_job(d, |_, mon| mon.run("inject-nmi").map(|_| ()))
    }

    pub(super) fn send_key_of(
        &self,
        d: &DomainRef,
        codeset: u32,
        holdtime: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        check_send_key(codeset, keycodes.len())?;
        check_flags(flags, NoFlags::empty(), "qemuDomainSendKey")?;
        let set = i32::try_from(codeset)
            .ok()
            .and_then(|c| KeycodeSet::try_from(c).ok())
            .unwrap_or(KeycodeSet::Linux); // known: checked above
        let qnums = keycodes
            .iter()
            .map(|&k| {
                keycode_to_qnum(set, k).ok_or_else(|| {
                    Error::internal(
                        VIR_FROM_QEMU,
                        format!(
                            "cannot translate keycode {k} of {} codeset to qnum keycode",
                            keycode::set_name(set)
                        ),
                    )
                })
            })
            .collect::<Result<Vec<u32>>>()?;
        let keys: Vec<serde_json::Value> = qnums
            .iter()
            .map(|q| json!({ "type": "number", "data": q }))
            .collect();
        let mut args = json!({ "keys": keys });
        if holdtime > 0 {
            args["hold-time"] = json!(holdtime);
        }
        self.with_job(d, |_, mon| mon.run_with("send-key", args).map(|_| ()))
    }

    // ---- screenshot ---------------------------------------------------------------------

    pub(super) fn screenshot_of(
        &self,
        d: &DomainRef,
        screen: u32,
        flags: u32,
    ) -> Result<Screenshot> {
        check_flags(flags, NoFlags::empty(), "qemuDomainScreenshot")?;
        let dir = self.layout.root.join("cache/qemu");
        self.with_job(d, |vm, mon| {
            let heads: Vec<(Option<String>, u32)> = vm
                .lock()
                .def
                .devices
                .iter()
                .filter(|e| e.name == "video")
                .map(|v| {
                    let alias = v.child_attr("alias", "name").map(str::to_string);
                    let heads = v
                        .child_attr("model", "heads")
                        .and_then(|h| h.parse().ok())
                        .unwrap_or(1);
                    (alias, heads)
                })
                .collect();
            if heads.is_empty() {
                return Err(Error::with(
                    VIR_ERR_OPERATION_INVALID,
                    VIR_FROM_QEMU,
                    "no screens to take screenshot from",
                ));
            }
            let mut args = json!({ "format": "png" });
            if screen > 0 {
                let mut left = screen;
                let found = heads.iter().find_map(|(alias, n)| {
                    if left < *n {
                        Some(alias.clone())
                    } else {
                        left -= n;
                        None
                    }
                });
                let Some(alias) = found else {
                    return Err(Error::with(
                        VIR_ERR_OPERATION_INVALID,
                        VIR_FROM_QEMU,
                        "no such screen ID",
                    ));
                };
                if let Some(a) = alias {
                    args["device"] = json!(a);
                }
                args["head"] = json!(left);
            }
            mkdir(&dir)?;
            let tmp = tempfile_in(&dir, "qemu.screendump")?;
            args["filename"] = json!(tmp.display().to_string());
            let shot = mon.run_with("screendump", args).and_then(|_| {
                std::fs::File::open(&tmp)
                    .map_err(|e| sys_err(&e, format!("unable to open {}", tmp.display())))
            });
            // The stream reads the open file; its name goes now, whatever happened.
            let _ = std::fs::remove_file(&tmp);
            Ok(Screenshot {
                mime: SCREENSHOT_MIME.into(),
                body: shot?.into(),
            })
        })
    }
}

/// A new empty file with a unique name in `dir`, private to its owner.
fn tempfile_in(dir: &Path, stem: &str) -> Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let path = dir.join(format!(
        "{stem}.{}.{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(layout::PRIVATE_FILE)
        .open(&path)
        .map_err(|e| sys_err(&e, format!("cannot create '{}'", path.display())))?;
    Ok(path)
}

/// The qnum code qemu's send-key takes for a code of a set: qnum codes as they are, the others
/// translated as libvirt translates them.
fn keycode_to_qnum(set: KeycodeSet, k: u32) -> Option<u32> {
    match set {
        KeycodeSet::Qnum => Some(k),
        _ => keycode::to_qnum(set, k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qnum_codes_pass_as_they_are() {
        assert_eq!(keycode_to_qnum(KeycodeSet::Qnum, 0x7f), Some(0x7f));
        assert_eq!(keycode_to_qnum(KeycodeSet::Linux, 103), Some(0xc8));
        assert_eq!(keycode_to_qnum(KeycodeSet::Linux, 999), None);
    }
}
