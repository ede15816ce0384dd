//! Saving a running guest to a file and starting it again from there (virDomainSave, Restore,
//! ManagedSave and friends): qemu's own migration stream behind libvirt's save header, so that
//! a file the reference wrote can be read here and the other way round.
//!
//! The file: a 92-byte header (`LibvirtQemudSave`, version 2, the length of what follows it up
//! to qemu's stream, whether the guest was running, no compression, where the XML ends), the
//! definition as XML with its NUL, zeros up to the stream, then qemu's migration stream. A save
//! writes a temporary file beside the target, waits (with a deadline) for qemu to finish, syncs
//! it and renames it into place: the target is never half-written, and an earlier file of that
//! name stays intact until the new one is complete. qemu reads and writes the stream through a
//! shell command of its own (`exec:`), since qemu 7.2 has no `file:` migration.

use super::*;
use crate::api::{
    DomainEventResumedDetailType, DomainEventStartedDetailType, DomainEventStoppedDetailType,
    DomainEventSuspendedDetailType, DomainSaveImageXMLFlags, DomainSaveRestoreFlags,
};
use crate::domain::StateReason;
use crate::driver::family::{public_invalid_arg, Stopped, TypedParams};
use crate::driver::Caller;
use serde_json::json;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;

const SAVE_MAGIC: &[u8; 16] = b"LibvirtQemudSave";
/// What the reference's header says while its file is still being written.
const PARTIAL_MAGIC: &[u8; 16] = b"LibvirtQemudPart";
const SAVE_VERSION: u32 = 2;
/// magic, version, data_len, was_running, compressed, cookieOffset, 14 unused words.
const HEADER_LEN: usize = 16 + 4 * 19;
/// The stream starts on this boundary (qemu writes whole pages faster).
const STREAM_ALIGN: usize = 4096;
/// The longest a save or restore may take before it is abandoned.
const MIGRATION_DEADLINE: Duration = Duration::from_secs(600);
/// How often qemu is asked whether its migration has finished.
const MIGRATION_POLL: Duration = Duration::from_millis(5);
/// Migration's bandwidth cap lifted, as the reference does for a save to a file.
const UNLIMITED_BANDWIDTH: u64 = 1 << 53;

/// qemuDomainSaveFlags's and qemuDomainManagedSave's flags.
const SAVE_FLAGS: DomainSaveRestoreFlags = DomainSaveRestoreFlags::BYPASS_CACHE
    .union(DomainSaveRestoreFlags::RUNNING)
    .union(DomainSaveRestoreFlags::PAUSED);
/// qemuDomainRestoreFlags's flags.
const RESTORE_FLAGS: DomainSaveRestoreFlags = SAVE_FLAGS.union(DomainSaveRestoreFlags::RESET_NVRAM);

/// Where a start reads a saved guest from.
pub(super) struct Incoming {
    /// The image (its stream starts at `offset`).
    path: PathBuf,
    offset: u64,
    /// Start it paused (the guest was paused when saved, or the caller asked).
    paused: bool,
    /// The caller asked for it paused (the SUSPENDED event then says PAUSED, not RESTORED).
    asked_paused: bool,
}

/// A save image's header and definition.
struct Image {
    xml: String,
    was_running: bool,
    stream_offset: u64,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_image(path: &Path) -> Result<Image> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| sys_err(&e, format!("Failed to open file '{}'", path.display())))?;
    let failed = |what: &str| Error::with(VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, what);
    let mut header = [0u8; HEADER_LEN];
    f.read_exact(&mut header)
        .map_err(|_| failed("failed to read qemu header"))?;
    if &header[..16] != SAVE_MAGIC {
        if &header[..16] == PARTIAL_MAGIC {
            return Err(failed("save image is incomplete"));
        }
        return Err(failed("image magic is incorrect"));
    }
    let version = u32_at(&header, 16);
    if version != SAVE_VERSION {
        return Err(failed(&format!(
            "image version is not supported ({version} > {SAVE_VERSION})"
        )));
    }
    let data_len = u32_at(&header, 20) as usize;
    let was_running = u32_at(&header, 24) != 0;
    let compressed = u32_at(&header, 28);
    let cookie_offset = u32_at(&header, 32) as usize;
    if compressed != 0 {
        return Err(Error::with(
            crate::error::VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            "compressed save images are not supported by this driver",
        ));
    }
    let mut data = vec![0u8; data_len];
    f.read_exact(&mut data)
        .map_err(|_| failed("failed to read domain XML"))?;
    let xml_end = if cookie_offset > 0 {
        cookie_offset.min(data_len)
    } else {
        data_len
    };
    let xml = &data[..xml_end];
    let xml = &xml[..xml.iter().position(|&b| b == 0).unwrap_or(xml.len())];
    Ok(Image {
        xml: String::from_utf8_lossy(xml).into_owned(),
        was_running,
        stream_offset: (HEADER_LEN + data_len) as u64,
    })
}

/// The header and definition of a new image, padded to where qemu's stream starts.
fn image_head(xml: &str, was_running: bool) -> Vec<u8> {
    let xml_len = xml.len() + 1;
    let total = (HEADER_LEN + xml_len).div_ceil(STREAM_ALIGN) * STREAM_ALIGN;
    let data_len = (total - HEADER_LEN) as u32;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(SAVE_MAGIC);
    // No migration cookie follows the XML (cookieOffset 0): readers, the reference's too, then
    // take the XML up to its NUL.
    for word in [SAVE_VERSION, data_len, was_running as u32, 0, 0] {
        out.extend_from_slice(&word.to_ne_bytes());
    }
    out.resize(HEADER_LEN, 0);
    out.extend_from_slice(xml.as_bytes());
    out.resize(total, 0);
    out
}

/// A path as one word of a shell command.
fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn fsync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) {
            let _ = d.sync_all();
        }
    }
}

/// A finished save's statistics, as the reference's job-completed event gives them
/// (qemuDomainJobDataToParams for a migration to a file): qemu's last query-migrate and the
/// job's time.
fn save_job_params(st: &serde_json::Value, elapsed: Duration) -> TypedParams {
    use crate::driver::family::TypedValue::{Int, ULLong};
    /// qemu gives the copy's rate in megabits per second; libvirt in bytes.
    const MBPS_TO_BPS: f64 = 1000.0 * 1000.0 / 8.0;
    let ram = &st["ram"];
    let n = |v: &serde_json::Value| ULLong(v.as_u64().unwrap_or(0));
    let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    let bps = (ram["mbps"].as_f64().unwrap_or(0.0) * MBPS_TO_BPS) as u64;
    let p = vec![
        (
            "operation",
            Int(crate::api::DomainJobOperation::Save as i32),
        ),
        ("time_elapsed", ULLong(elapsed_ms)),
        ("downtime", n(&st["downtime"])),
        ("setup_time", n(&st["setup-time"])),
        ("data_total", n(&ram["total"])),
        ("data_processed", n(&ram["transferred"])),
        ("data_remaining", n(&ram["remaining"])),
        ("memory_total", n(&ram["total"])),
        ("memory_processed", n(&ram["transferred"])),
        ("memory_remaining", n(&ram["remaining"])),
        ("memory_constant", n(&ram["duplicate"])),
        ("memory_normal", n(&ram["normal"])),
        ("memory_normal_bytes", n(&ram["normal-bytes"])),
        ("memory_dirty_rate", n(&ram["dirty-pages-rate"])),
        ("memory_iteration", n(&ram["dirty-sync-count"])),
        ("memory_postcopy_requests", n(&ram["postcopy-requests"])),
        ("memory_page_size", n(&ram["page-size"])),
    ];
    let mut p: Vec<_> = p.into_iter().collect();
    // The reference gives the rate only when qemu measured one.
    if bps > 0 {
        let after_remaining = 1 + p
            .iter()
            .position(|(k, _)| *k == "memory_remaining")
            .unwrap_or(0);
        p.insert(after_remaining, ("memory_bps", ULLong(bps)));
    }
    TypedParams(p.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Wait (up to the deadline) for qemu's migration to finish: its last status once completed.
fn wait_migration(cmd: &Command<'_>) -> Result<serde_json::Value> {
    let deadline = std::time::Instant::now() + MIGRATION_DEADLINE;
    loop {
        let st = cmd.run("query-migrate")?;
        match st.get("status").and_then(|s| s.as_str()).unwrap_or("") {
            "completed" => return Ok(st),
            "failed" | "cancelled" => {
                let why = st
                    .get("error-desc")
                    .and_then(|s| s.as_str())
                    .unwrap_or("unknown error");
                return Err(Error::with(
                    VIR_ERR_OPERATION_FAILED,
                    VIR_FROM_QEMU,
                    format!("migration out of memory state failed: {why}"),
                ));
            }
            _ => {}
        }
        if std::time::Instant::now() >= deadline {
            let _ = cmd.run("migrate_cancel");
            return Err(Error::with(
                crate::error::VIR_ERR_OPERATION_TIMEOUT,
                VIR_FROM_QEMU,
                format!(
                    "qemu did not finish its migration within {} s",
                    MIGRATION_DEADLINE.as_secs()
                ),
            ));
        }
        std::thread::sleep(MIGRATION_POLL);
    }
}

/// The public layer's rule on the RUNNING and PAUSED flags.
fn check_running_paused(function: &str, flags: u32) -> Result<()> {
    let both = DomainSaveRestoreFlags::RUNNING | DomainSaveRestoreFlags::PAUSED;
    if DomainSaveRestoreFlags::from_bits_retain(flags).contains(both) {
        return Err(public_invalid_arg(
            function,
            "ctl",
            "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive"
                .into(),
        ));
    }
    Ok(())
}

impl Layout {
    /// The managed save image of a persistent domain.
    pub fn managed_save_file(&self, name: &str) -> PathBuf {
        self.root.join(format!("lib/qemu/save/{name}.save"))
    }
}

impl QemuDriver {
    pub(super) fn save_to(
        &self,
        d: &DomainRef,
        to: &Path,
        dxml: Option<&str>,
        flags: u32,
        function: &str,
    ) -> Result<Stopped> {
        check_running_paused(
            if function.contains("Managed") {
                "virDomainManagedSave"
            } else {
                "virDomainSaveFlags"
            },
            flags,
        )?;
        check_flags(flags, SAVE_FLAGS, function)?;
        let (vm, run) = self.lifecycle_check(d)?;
        let job = vm.job.begin(self.cfg.job_timeout)?;
        let began = std::time::Instant::now();
        if vm.running().is_none_or(|r| !Arc::ptr_eq(&r, &run)) {
            return Err(not_running());
        }
        let mon = run.monitor().ok_or_else(not_running)?;
        let cmd = Command {
            mon: &mon,
            timeout: self.cfg.monitor_reply_timeout,
        };
        let (def, was_running) = {
            let i = vm.lock();
            (i.def.clone(), i.state.state() == DomainState::Running)
        };
        let def = match dxml {
            Some(x) => {
                let alt = domain::xml::parse(x)?;
                if alt.uuid != def.uuid || alt.name != def.name {
                    return Err(Error::with(
                        crate::error::VIR_ERR_INVALID_ARG,
                        VIR_FROM_QEMU,
                        "new xml must not change the name or uuid of the saved domain",
                    ));
                }
                alt
            }
            None => def,
        };
        let resume_after = !DomainSaveRestoreFlags::from_bits_retain(flags)
            .contains(DomainSaveRestoreFlags::PAUSED)
            && (was_running
                || DomainSaveRestoreFlags::from_bits_retain(flags)
                    .contains(DomainSaveRestoreFlags::RUNNING));
        let xml = domain::devices::format_full(&def, None);
        let tmp = to.with_file_name(format!(
            ".{}.oxvirt-save.{}",
            to.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id()
        ));
        // Paused first, as the reference: a save that then fails runs the guest on.
        if was_running {
            cmd.run("stop")?;
            vm.lock().state = StateReason::Paused(DomainPausedReason::Save);
        }
        let written = (|| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(layout::PRIVATE_FILE)
                .open(&tmp)?;
            f.write_all(&image_head(&xml, resume_after))?;
            f.sync_all()
        })();
        let migrated = written
            .map_err(|e| sys_err(&e, format!("Failed to create file '{}'", to.display())))
            .and_then(|_| {
                cmd.run_with(
                    "migrate-set-parameters",
                    json!({ "max-bandwidth": UNLIMITED_BANDWIDTH }),
                )
            })
            // qemu's MIGRATION_PASS events are the reference's migration-iteration events.
            .and_then(|_| {
                cmd.run_with(
                    "migrate-set-capabilities",
                    json!({ "capabilities": [{ "capability": "events", "state": true }] }),
                )
            })
            .and_then(|_| {
                cmd.run_with(
                    "migrate",
                    json!({ "uri": format!("exec:cat >> {}", shell_quote(&tmp)) }),
                )
            })
            .and_then(|_| wait_migration(&cmd))
            .and_then(|st| {
                let f = std::fs::File::open(&tmp)
                    .and_then(|f| f.sync_all())
                    .and_then(|_| std::fs::rename(&tmp, to));
                f.map_err(|e| sys_err(&e, format!("unable to write '{}'", to.display())))?;
                Ok(st)
            });
        let last_status = match migrated {
            Ok(st) => st,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                if was_running && cmd.run("cont").is_ok() {
                    vm.lock().state = StateReason::Running(DomainRunningReason::SaveCanceled);
                }
                let _ = self.write_status(&vm);
                return Err(e);
            }
        };
        fsync_dir(to);
        self.bus.emit_payload(
            crate::api::DomainEventID::JobCompleted as i32,
            &vm.domain_ref(),
            crate::event::Payload::Params(save_job_params(&last_status, began.elapsed())),
        );
        drop(job);
        self.stop_saved(&vm, &run);
        Ok(Stopped(true))
    }

    /// The guest is in its image: qemu goes (SIGKILL, as the reference's stop after a save) and
    /// the domain is shut off, reason SAVED.
    fn stop_saved(&self, vm: &Arc<Vm>, run: &Arc<Running>) {
        run.destroying.fetch_add(1, Ordering::SeqCst);
        // SIGKILL at once (no SIGTERM first: qemu would report a SHUTDOWN the reference's save
        // does not show), then its exit, awaited up to the kill engine's deadline.
        let _ = process::kill(
            &run.pidfd,
            KillFlags {
                force: true,
                nowait: true,
            },
            &self.cfg.kill,
            0,
        );
        let _ = run.pidfd.wait_exit(Some(self.cfg.kill.after_sigkill));
        self.stop(
            vm,
            run,
            DomainShutoffReason::Saved,
            DomainEventStoppedDetailType::Saved,
            false,
        );
        run.destroying.fetch_sub(1, Ordering::SeqCst);
    }

    pub(super) fn restore_from(
        &self,
        caller: Caller,
        from: &Path,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_running_paused("virDomainRestoreFlags", flags)?;
        let f = check_flags(flags, RESTORE_FLAGS, "qemuDomainRestoreInternal")?;
        let image = read_image(from)?;
        let def = domain::xml::parse_with(dxml.unwrap_or(&image.xml), vcpus::check_definition)?;
        command::check_supported(&def)?;
        let vm = {
            let mut doms = self.doms_mut();
            if let Some(existing) = doms.by_uuid.get(&def.uuid) {
                if existing.is_active() {
                    return Err(Error::operation_invalid(&format!(
                        "domain '{}' is already active",
                        def.name
                    )));
                }
            }
            match Self::check_clash(&doms, &def, false)? {
                Some(existing) => {
                    let mut i = existing.lock();
                    let persistent_def = std::mem::replace(&mut i.def, def);
                    i.next_def = Some(persistent_def);
                    drop(i);
                    existing
                }
                None => {
                    let vm = Self::new_vm(def, false);
                    Self::insert_locked(&mut doms, vm.clone());
                    vm
                }
            }
        };
        let paused = f.contains(DomainSaveRestoreFlags::PAUSED)
            || (!image.was_running && !f.contains(DomainSaveRestoreFlags::RUNNING));
        let incoming = Incoming {
            path: from.to_path_buf(),
            offset: image.stream_offset,
            paused,
            asked_paused: f.contains(DomainSaveRestoreFlags::PAUSED),
        };
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        if let Err(e) = self.start_with(&vm, DomainCreateFlags::empty(), caller, Some(&incoming)) {
            self.undo_failed_start(&vm);
            return Err(e);
        }
        Ok(())
    }

    /// The tail of a start from an image (start.rs calls it once qemu waits, paused, with
    /// `-incoming defer`): qemu reads the stream, the guest is restored (STARTED/RESTORED) and
    /// runs on where it was, unless it is to stay paused.
    pub(super) fn finish_restore(&self, vm: &Arc<Vm>, mon: &Monitor, inc: &Incoming) -> Result<()> {
        let cmd = Command {
            mon,
            timeout: self.cfg.monitor_reply_timeout,
        };
        vm.lock().state = StateReason::Paused(DomainPausedReason::Migration);
        let uri = format!(
            "exec:tail -c +{} {}",
            inc.offset + 1,
            shell_quote(&inc.path)
        );
        cmd.run_with("migrate-incoming", json!({ "uri": uri }))?;
        wait_migration(&cmd)?;
        self.write_status(vm)?;
        let r = vm.domain_ref();
        self.bus.emit(
            &r,
            Lifecycle::Started(DomainEventStartedDetailType::Restored),
        );
        if inc.paused {
            let detail = match inc.asked_paused {
                true => DomainEventSuspendedDetailType::Paused,
                false => DomainEventSuspendedDetailType::Restored,
            };
            self.bus.emit(&r, Lifecycle::Suspended(detail));
            return Ok(());
        }
        // qemu's RESUME is told as the reference tells a restored guest's (events.rs).
        vm.lock().state = StateReason::Running(DomainRunningReason::Restored);
        cmd.run("cont")?;
        self.write_status(vm)
    }

    /// virDomainCreate of a domain with a managed save image starts it from there (and the image
    /// goes once the guest runs), unless FORCE_BOOT asks for a fresh boot (then it goes first).
    pub(super) fn start_or_restore(
        &self,
        vm: &Arc<Vm>,
        flags: DomainCreateFlags,
        caller: Caller,
    ) -> Result<()> {
        let image = self.layout.managed_save_file(&vm.name());
        if !image.exists() {
            return self.start(vm, flags, caller);
        }
        if flags.contains(DomainCreateFlags::START_FORCE_BOOT) {
            std::fs::remove_file(&image).map_err(|e| {
                sys_err(
                    &e,
                    format!("cannot remove managed save file {}", image.display()),
                )
            })?;
            return self.start(vm, flags, caller);
        }
        let header = read_image(&image)?;
        let paused = flags.contains(DomainCreateFlags::START_PAUSED) || !header.was_running;
        let inc = Incoming {
            path: image.clone(),
            offset: header.stream_offset,
            paused,
            asked_paused: flags.contains(DomainCreateFlags::START_PAUSED),
        };
        // The definition the guest was saved with runs; the persistent one comes back at stop.
        let saved_def = domain::xml::parse(&header.xml)?;
        {
            let mut i = vm.lock();
            let persistent_def = std::mem::replace(&mut i.def, saved_def);
            i.next_def = Some(persistent_def);
        }
        match self.start_with(vm, flags, caller, Some(&inc)) {
            Ok(()) => {
                let _ = std::fs::remove_file(&image);
                Ok(())
            }
            Err(e) => {
                let mut i = vm.lock();
                if i.run.is_none() {
                    if let Some(p) = i.next_def.take() {
                        i.def = p;
                    }
                }
                Err(e)
            }
        }
    }

    pub(super) fn managed_save_of(&self, d: &DomainRef, flags: u32) -> Result<Stopped> {
        let vm = self.vm_of(d)?;
        let (name, persistent, active) = {
            let i = vm.lock();
            (i.def.name.clone(), i.persistent, i.run.is_some())
        };
        if active && !persistent {
            check_running_paused("virDomainManagedSave", flags)?;
            check_flags(flags, SAVE_FLAGS, "qemuDomainManagedSave")?;
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                "cannot do managed save for transient domain",
            ));
        }
        let path = self.layout.managed_save_file(&name);
        if let Some(dir) = path.parent() {
            mkdir(dir)?;
        }
        self.save_to(d, &path, None, flags, "qemuDomainManagedSave")
    }

    /// Undefine: a managed save image stays unless the caller asks for it to go with the
    /// definition (the reference refuses otherwise); the autostart link goes.
    pub(super) fn undefine_saved_state(&self, name: &str, flags: u32) -> Result<()> {
        let image = self.layout.managed_save_file(name);
        if image.exists() {
            if flags & crate::api::DomainUndefineFlags::MANAGED_SAVE.bits() == 0 {
                return Err(Error::with(
                    VIR_ERR_OPERATION_INVALID,
                    VIR_FROM_QEMU,
                    "Refusing to undefine while domain managed save image exists",
                ));
            }
            std::fs::remove_file(&image).map_err(|e| {
                sys_err(
                    &e,
                    format!(
                        "Failed to remove domain managed save image {}",
                        image.display()
                    ),
                )
            })?;
        }
        let _ = std::fs::remove_file(self.layout.autostart_link(name));
        Ok(())
    }

    pub(super) fn has_managed_save_of(&self, d: &DomainRef, flags: u32) -> Result<bool> {
        check_flags(flags, NoFlags::empty(), "qemuDomainHasManagedSaveImage")?;
        let vm = self.vm_of(d)?;
        Ok(self.layout.managed_save_file(&vm.name()).exists())
    }

    pub(super) fn managed_save_remove_of(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "qemuDomainManagedSaveRemove")?;
        let vm = self.vm_of(d)?;
        let path = self.layout.managed_save_file(&vm.name());
        std::fs::remove_file(&path).map_err(|e| {
            sys_err(
                &e,
                format!("Failed to remove managed save file '{}'", path.display()),
            )
        })
    }

    pub(super) fn save_image_xml_of(&self, file: &Path, flags: u32) -> Result<String> {
        let f = check_flags(
            flags,
            DomainSaveImageXMLFlags::SECURE,
            "qemuDomainSaveImageGetXMLDesc",
        )?;
        let image = read_image(file)?;
        let mut def = domain::xml::parse(&image.xml)?;
        if !f.contains(DomainSaveImageXMLFlags::SECURE) {
            domain::graphics_auth::hide_passwords(&mut def);
        }
        Ok(domain::devices::format_full(&def, None))
    }
}

/// The detail of the RESUMED event qemu's RESUME makes for a guest in state `from` (the reference
/// tells a restored guest's resume as FROM_SNAPSHOT's).
pub(super) fn resumed_detail(state: StateReason) -> DomainEventResumedDetailType {
    match state {
        StateReason::Running(DomainRunningReason::Restored) => {
            DomainEventResumedDetailType::FromSnapshot
        }
        _ => DomainEventResumedDetailType::Unpaused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let dir = std::env::temp_dir().join(format!("oxvirt-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("img");
        let mut head = image_head("<domain/>", true);
        assert_eq!(head.len() % STREAM_ALIGN, 0);
        head.extend_from_slice(b"QEVM");
        std::fs::write(&p, &head).unwrap();
        let img = read_image(&p).unwrap();
        assert_eq!(img.xml, "<domain/>");
        assert!(img.was_running);
        assert_eq!(img.stream_offset as usize, head.len() - 4);
        std::fs::write(&p, b"garbage that is long enough to be a header of a save image file, yes indeed, it is long enough").unwrap();
        assert!(read_image(&p).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
