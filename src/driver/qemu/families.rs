//! The qemu driver's entries in the API families it serves (the others are empty: not
//! supported).

use super::*;
use crate::api::DomainEventDefinedDetailType;
use crate::api::DomainEventUndefinedDetailType;
use crate::domain::StateReason;
use crate::driver::family::{
    BlockInfo, BlockStats, ControlInfo, CpuMaps, CpuStats, DiskErrors, InterfaceStats, MemoryBytes,
    MemoryStats, SchedulerType, TypedParams, Vcpus,
};
use crate::driver::{DomainCheckpointDriver, DomainSnapshotDriver};

impl ConnectDriver for QemuDriver {
    fn kind(&self) -> &'static str {
        "QEMU"
    }

    fn type_name(&self) -> &'static std::ffi::CStr {
        c"QEMU"
    }

    fn error_domain(&self) -> i32 {
        VIR_FROM_QEMU
    }

    fn hostname(&self) -> Result<String> {
        crate::host::local_hostname()
    }

    /// Of the features the public layer asks, string parameters (this driver does not migrate).
    fn supports_feature(&self, feature: i32) -> Result<bool> {
        Ok(feature == crate::driver::family::feature::TYPED_PARAM_STRING)
    }

    fn process_kill_harness(&self) -> Option<&dyn ProcessKillHarness> {
        Some(self)
    }

    fn hypervisor_version(&self) -> Result<u64> {
        // qemu's version as major * 1,000,000 + minor * 1,000 + micro, from the default emulator.
        let out = std::process::Command::new("qemu-system-x86_64")
            .arg("--version")
            .output();
        let text = out
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let v = text
            .split_whitespace()
            .skip_while(|w| *w != "version")
            .nth(1)
            .unwrap_or("0.0.0")
            .to_string();
        let mut parts = v
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|p| p.parse::<u64>().ok());
        let (a, b, c) = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        Ok(a * 1_000_000 + b * 1000 + c)
    }

    fn capabilities(&self) -> Result<String> {
        Ok(capabilities::capabilities(&self.layout.root))
    }

    fn max_vcpus(&self, guest_type: Option<String>) -> Result<i32> {
        // qemuConnectGetMaxVcpus: TCG's fixed limit, KVM's from the kernel.
        const TCG_MAX_VCPUS: i32 = 16;
        match guest_type.as_deref() {
            None => Ok(TCG_MAX_VCPUS),
            Some(t) if t.eq_ignore_ascii_case("qemu") => Ok(TCG_MAX_VCPUS),
            Some(t) if t.eq_ignore_ascii_case("kvm") => crate::host::kvm_max_vcpus().map_err(|e| {
                Error::system(
                    VIR_FROM_NONE,
                    e.raw_os_error().unwrap_or(libc::EIO),
                    "Unable to open /dev/kvm",
                )
            }),
            Some(t) => Err(Error::with(
                crate::error::VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!("unknown type '{t}'"),
            )),
        }
    }

    fn sysinfo(&self, flags: u32) -> Result<String> {
        check_flags(flags, NoFlags::empty(), "qemuConnectGetSysinfo")?;
        // The reference reads the host's SMBIOS through dmidecode once, at start; where that
        // fails (no SMBIOS tables, as on most virtual machines) it has nothing to tell. Formatting
        // a host's SMBIOS tables is not done yet: there the call says so rather than pretend.
        let readable = std::process::Command::new("dmidecode")
            .args(["-q", "-t", "0,1,2,3,4,11,17"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if readable {
            return Err(Error::no_support(VIR_FROM_QEMU, "virConnectGetSysinfo"));
        }
        Err(Error::with(
            crate::error::VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            "Host SMBIOS information is not available",
        ))
    }

    fn connection_closed(&self, caller: Caller) {
        // VIR_DOMAIN_START_AUTODESTROY: the guests this connection started go with it.
        for vm in self.domain_list() {
            let mine = vm.lock().autodestroy == Some(caller.conn_id);
            if mine {
                let r = vm.domain_ref();
                let _ = self.destroy_flags(&r, DomainDestroyFlags::DEFAULT.bits());
            }
        }
    }

    fn domain_capabilities(
        &self,
        emulatorbin: Option<String>,
        arch: Option<String>,
        machine: Option<String>,
        virttype: Option<String>,
        flags: u32,
    ) -> Result<String> {
        // libvirt 9.0 has no flag for this call yet.
        check_flags(flags, NoFlags::empty(), "qemuConnectGetDomainCapabilities")?;
        let request = domain_caps::Request {
            emulator: emulatorbin,
            arch,
            machine,
            virt_type: virttype,
        };
        domain_caps::domain_capabilities(&self.layout.root, &request)
    }
}

impl NodeDriver for QemuDriver {
    fn node_info(&self) -> Result<crate::driver::NodeInfo> {
        host::Host::default().node_info()
    }

    fn node_cells_free_memory(&self, start_cell: i32, max_cells: i32) -> Result<Vec<u64>> {
        host::Host::default().cells_free_memory(start_cell, max_cells)
    }

    fn node_free_memory(&self) -> Result<u64> {
        host::Host::default().free_memory()
    }

    fn node_cpu_map(&self, flags: u32) -> Result<crate::driver::family::CpuMap> {
        crate::api::check_flags("virHostCPUGetMap", flags, NoFlags::empty(), VIR_FROM_NONE)?;
        host::Host::default().cpu_map()
    }

    fn node_cpu_stats(
        &self,
        cpu: i32,
        _room: crate::driver::family::ParamRoom,
        flags: u32,
    ) -> Result<crate::driver::family::NodeStats> {
        crate::api::check_flags("virHostCPUGetStats", flags, NoFlags::empty(), VIR_FROM_NONE)?;
        host::Host::default().cpu_stats(cpu)
    }

    fn node_memory_stats(
        &self,
        cell: i32,
        _room: crate::driver::family::ParamRoom,
        flags: u32,
    ) -> Result<crate::driver::family::NodeStats> {
        crate::api::check_flags("virHostMemGetStats", flags, NoFlags::empty(), VIR_FROM_NONE)?;
        host::Host::default().memory_stats(cell)
    }
}

impl DomainEventDriver for QemuDriver {
    fn domain_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }

    fn qemu_monitor_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }
}

impl DomainDriver for QemuDriver {
    fn lookup_by_name(&self, name: &str) -> Result<DomainRef> {
        let uuid = self.doms().by_name.get(name).copied();
        uuid.and_then(|u| self.vm(&u))
            .map(|vm| vm.domain_ref())
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_NO_DOMAIN,
                    VIR_FROM_QEMU,
                    format!("no domain with matching name '{name}'"),
                )
            })
    }

    fn lookup_by_uuid(&self, uuid: &[u8; 16]) -> Result<DomainRef> {
        self.vm(uuid).map(|vm| vm.domain_ref()).ok_or_else(|| {
            Error::with(
                VIR_ERR_NO_DOMAIN,
                VIR_FROM_QEMU,
                format!(
                    "no domain with matching uuid '{}'",
                    domain::uuid::format(uuid)
                ),
            )
        })
    }

    fn lookup_by_id(&self, id: i32) -> Result<DomainRef> {
        let uuid = self.doms().by_id.get(&id).copied();
        uuid.and_then(|u| self.vm(&u))
            .filter(|vm| vm.lock().id == id)
            .map(|vm| vm.domain_ref())
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_NO_DOMAIN,
                    VIR_FROM_QEMU,
                    format!("no domain with matching id {id}"),
                )
            })
    }

    fn list_all(&self, flags: u32) -> Result<Vec<DomainRef>> {
        let flags = check_flags(flags, LIST_ALL_FLAGS, "qemuConnectListAllDomains")?;
        Ok(self
            .domain_list()
            .iter()
            .filter(|vm| {
                let i = vm.lock();
                crate::driver::list_filter(flags, i.run.is_some(), i.persistent, i.state.state())
            })
            .map(|vm| vm.domain_ref())
            .collect())
    }

    fn active_ids(&self) -> Result<Vec<i32>> {
        Ok(self
            .domain_list()
            .iter()
            .filter_map(|vm| vm.running().map(|r| r.id))
            .collect())
    }

    fn defined_names(&self) -> Result<Vec<String>> {
        Ok(self
            .domain_list()
            .iter()
            .filter(|vm| !vm.is_active())
            .map(|vm| vm.name())
            .collect())
    }

    fn create_xml(&self, caller: Caller, xml: &str, flags: u32) -> Result<DomainRef> {
        let flags = check_flags(flags, CREATE_XML_FLAGS, "qemuDomainCreateXML")?;
        let def = domain::xml::parse_with(xml, vcpus::check_definition)?;
        command::check_supported(&def)?;
        let vm = {
            let mut doms = self.doms_mut();
            match Self::check_clash(&doms, &def, false)? {
                Some(existing) => {
                    // Started with this XML; the persistent definition comes back at stop.
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
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        if let Err(e) = self.start(&vm, flags, caller) {
            self.undo_failed_start(&vm);
            return Err(e);
        }
        Ok(vm.domain_ref())
    }

    fn define_xml(&self, xml: &str, flags: u32) -> Result<DomainRef> {
        check_flags(flags, DEFINE_FLAGS, "qemuDomainDefineXMLFlags")?;
        let def = domain::xml::parse_with(xml, vcpus::check_definition)?;
        command::check_supported(&def)?;
        // Checked, written and recorded under one lock: nothing on disk or in memory changes
        // unless every check passed, and no other define can slip in between.
        let (vm, updated) = {
            let mut doms = self.doms_mut();
            let existing = Self::check_clash(&doms, &def, true)?;
            let text = domain::devices::format_full(&def, None);
            layout::write_atomic(&self.layout.config_file(&def.name), text.as_bytes())
                .map_err(|e| sys_err(&e, format!("cannot write definition of '{}'", def.name)))?;
            match existing {
                Some(existing) => {
                    let mut i = existing.lock();
                    if i.run.is_some() {
                        i.next_def = Some(def);
                    } else {
                        i.def = def;
                    }
                    i.persistent = true;
                    drop(i);
                    (existing, true)
                }
                None => {
                    let vm = Self::new_vm(def, true);
                    Self::insert_locked(&mut doms, vm.clone());
                    (vm, false)
                }
            }
        };
        // The guest runs on either way; a stale record only costs a reconnect the latest state.
        let _ = self.write_status(&vm);
        let r = vm.domain_ref();
        self.bus.emit(
            &r,
            Lifecycle::Defined(if updated {
                DomainEventDefinedDetailType::Updated
            } else {
                DomainEventDefinedDetailType::Added
            }),
        );
        Ok(r)
    }

    fn undefine(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, UNDEFINE_FLAGS, "qemuDomainUndefineFlags")?;
        let vm = self.vm_of(d)?;
        let (name, active, persistent) = {
            let i = vm.lock();
            (i.def.name.clone(), i.run.is_some(), i.persistent)
        };
        if !persistent {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                "cannot undefine transient domain",
            ));
        }
        self.undefine_saved_state(&name, flags)?;
        let _ = std::fs::remove_file(self.layout.config_file(&name));
        let _ = std::fs::remove_dir_all(self.layout.snapshot_dir(&name));
        if active {
            let mut i = vm.lock();
            i.persistent = false;
            i.next_def = None;
            drop(i);
            // The guest runs on either way; a stale record only costs a reconnect the latest state.
            let _ = self.write_status(&vm);
        } else {
            self.remove(&vm);
        }
        self.bus.emit(
            &vm.domain_ref(),
            Lifecycle::Undefined(DomainEventUndefinedDetailType::Removed),
        );
        Ok(())
    }

    fn create(&self, caller: Caller, d: &DomainRef, flags: u32) -> Result<DomainRef> {
        let flags = check_flags(flags, CREATE_FLAGS, "qemuDomainCreateWithFlags")?;
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        if vm.is_active() {
            return Err(already_running());
        }
        self.start_or_restore(&vm, flags, caller)?;
        Ok(vm.domain_ref())
    }

    fn destroy(&self, d: &DomainRef, flags: u32) -> Result<()> {
        self.destroy_flags(d, flags)
    }

    fn domain_pm_wakeup(&self, d: &DomainRef, flags: u32) -> Result<()> {
        self.pm_wakeup_of(d, flags)
    }

    fn suspend(&self, d: &DomainRef) -> Result<()> {
        self.with_job(d, |vm, mon| {
            match vm.lock().state.state() {
                DomainState::Paused => return Ok(()),
                DomainState::Pmsuspended => return Err(pm_suspended()),
                _ => {}
            }
            mon.run("stop")?;
            let mut i = vm.lock();
            i.state = StateReason::Paused(DomainPausedReason::User);
            Ok(())
        })
    }

    fn resume(&self, d: &DomainRef) -> Result<()> {
        self.with_job(d, |vm, mon| {
            match vm.lock().state.state() {
                DomainState::Paused => {}
                DomainState::Pmsuspended => return Err(pm_suspended()),
                _ => return Err(already_running()),
            }
            mon.run("cont")?;
            let mut i = vm.lock();
            i.state = StateReason::Running(DomainRunningReason::Unpaused);
            Ok(())
        })
    }

    fn shutdown(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, SHUTDOWN_FLAGS, "qemuDomainShutdownFlags")?;
        self.with_job(d, |_, mon| {
            mon.run("system_powerdown")?;
            Ok(())
        })
    }

    fn reboot(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, REBOOT_FLAGS, "qemuDomainReboot")?;
        self.with_job(d, |_, mon| {
            mon.run("system_reset")?;
            Ok(())
        })
    }

    fn state(&self, d: &DomainRef, flags: u32) -> Result<StateReason> {
        check_flags(flags, GET_STATE_FLAGS, "qemuDomainGetState")?;
        let vm = self.vm_of(d)?;
        let i = vm.lock();
        Ok(i.state)
    }

    fn info(&self, d: &DomainRef) -> Result<DomainInfo> {
        let vm = self.vm_of(d)?;
        let i = vm.lock();
        Ok(DomainInfo {
            state: i.state.state(),
            max_mem_kib: i.def.memory_kib,
            memory_kib: i.def.current_memory_kib,
            vcpus: i.def.online_vcpus(),
            cpu_time_ns: i.run.as_ref().map_or(0, |r| r.cpu_time_ns()),
        })
    }

    fn xml_desc(&self, d: &DomainRef, flags: u32) -> Result<String> {
        let flags = check_flags(flags, XML_DESC_FLAGS, "qemuDomainGetXMLDesc")?;
        let vm = self.vm_of(d)?;
        let i = vm.lock();
        let inactive = flags.contains(DomainXMLFlags::INACTIVE);
        let id = (i.run.is_some() && !inactive).then_some(i.id);
        let def = match &i.next_def {
            Some(next) if inactive => next,
            _ => &i.def,
        };
        if flags.contains(DomainXMLFlags::SECURE) {
            return Ok(domain::devices::format_full(def, id));
        }
        let mut shown = def.clone();
        domain::graphics_auth::hide_passwords(&mut shown);
        Ok(domain::devices::format_full(&shown, id))
    }

    fn os_type(&self, d: &DomainRef) -> Result<String> {
        Ok(self.vm_of(d)?.lock().def.os_type.clone())
    }

    fn is_active(&self, d: &DomainRef) -> Result<bool> {
        Ok(self.vm_of(d)?.is_active())
    }

    fn is_persistent(&self, d: &DomainRef) -> Result<bool> {
        Ok(self.vm_of(d)?.lock().persistent)
    }

    fn is_updated(&self, _d: &DomainRef) -> Result<bool> {
        Ok(false)
    }

    // A running guest's figures (stats.rs).
    fn domain_max_vcpus(&self, d: &DomainRef) -> Result<i32> {
        let flags = crate::api::DomainVcpuFlags::LIVE | crate::api::DomainVcpuFlags::MAXIMUM;
        self.vcpus_flags_of(d, flags.bits())
    }
    fn domain_vcpus_flags(&self, d: &DomainRef, flags: u32) -> Result<i32> {
        self.vcpus_flags_of(d, flags)
    }
    fn domain_vcpus(&self, d: &DomainRef, maxinfo: i32, maplen: i32) -> Result<Vcpus> {
        self.vcpus_of(d, maxinfo, maplen)
    }
    fn domain_vcpu_pin_info(
        &self,
        d: &DomainRef,
        ncpumaps: i32,
        maplen: i32,
        flags: u32,
    ) -> Result<CpuMaps> {
        self.vcpu_pin_info_of(d, ncpumaps, maplen, flags)
    }
    fn domain_cpu_stats(
        &self,
        d: &DomainRef,
        _nparams: u32,
        _start_cpu: i32,
        _ncpus: u32,
        flags: u32,
    ) -> Result<CpuStats> {
        self.cpu_stats_of(d, flags)
    }
    fn domain_scheduler_type(&self, d: &DomainRef) -> Result<SchedulerType> {
        self.scheduler_type_of(d)
    }
    fn domain_scheduler_parameters(&self, d: &DomainRef) -> Result<TypedParams> {
        self.scheduler_parameters_of(d, None)
    }
    fn domain_scheduler_parameters_flags(&self, d: &DomainRef, flags: u32) -> Result<TypedParams> {
        self.scheduler_parameters_of(d, Some(flags))
    }
    fn domain_memory_stats(&self, d: &DomainRef, nr_stats: u32, flags: u32) -> Result<MemoryStats> {
        self.memory_stats_of(d, nr_stats, flags)
    }
    fn domain_block_stats(&self, d: &DomainRef, disk: String) -> Result<BlockStats> {
        self.block_stats_of(d, &disk)
    }
    fn domain_block_stats_flags(
        &self,
        d: &DomainRef,
        disk: String,
        flags: u32,
    ) -> Result<crate::driver::family::BlockParams> {
        self.block_stats_flags_of(d, &disk, flags)
    }
    fn domain_block_info(&self, d: &DomainRef, disk: String, flags: u32) -> Result<BlockInfo> {
        self.block_info_of(d, &disk, flags)
    }
    fn domain_disk_errors(&self, d: &DomainRef, _maxerrors: u32, flags: u32) -> Result<DiskErrors> {
        self.disk_errors_of(d, flags)
    }
    fn domain_block_pull(
        &self,
        d: &DomainRef,
        disk: String,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.block_pull_of(d, &disk, bandwidth, flags)
    }
    fn domain_block_rebase(
        &self,
        d: &DomainRef,
        disk: String,
        base: Option<String>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.block_rebase_of(d, &disk, base.as_deref(), bandwidth, flags)
    }
    fn domain_block_job_info(
        &self,
        d: &DomainRef,
        disk: String,
        flags: u32,
    ) -> Result<Option<crate::driver::family::BlockJobInfo>> {
        self.block_job_info_of(d, &disk, flags)
    }
    fn domain_block_job_set_speed(
        &self,
        d: &DomainRef,
        disk: String,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        self.block_job_set_speed_of(d, &disk, bandwidth, flags)
    }
    fn domain_block_job_abort(&self, d: &DomainRef, disk: String, flags: u32) -> Result<()> {
        self.block_job_abort_of(d, &disk, flags)
    }
    fn domain_block_peek(
        &self,
        d: &DomainRef,
        disk: String,
        offset: u64,
        size: u64,
        flags: u32,
    ) -> Result<MemoryBytes> {
        self.block_peek_of(d, &disk, offset, size, flags)
    }
    fn domain_interface_stats(&self, d: &DomainRef, device: String) -> Result<InterfaceStats> {
        self.interface_stats_of(d, &device)
    }
    fn domain_control_info(&self, d: &DomainRef, flags: u32) -> Result<ControlInfo> {
        self.control_info_of(d, flags)
    }
    fn domain_job_info(&self, d: &DomainRef) -> Result<crate::driver::family::JobInfo> {
        self.job_info_of(d)
    }
    fn domain_job_stats(
        &self,
        d: &DomainRef,
        flags: u32,
    ) -> Result<crate::driver::family::JobStats> {
        self.job_stats_of(d, flags)
    }
    fn domain_list_stats(
        &self,
        doms: Option<Vec<DomainRef>>,
        stats: u32,
        flags: u32,
    ) -> Result<Vec<crate::driver::family::StatsRecord>> {
        self.list_stats(doms, stats, flags)
    }
    fn domain_qemu_monitor_command(
        &self,
        d: &DomainRef,
        cmd: String,
        flags: u32,
    ) -> Result<String> {
        self.monitor_passthrough(d, &cmd, &[], flags)
    }
    fn domain_qemu_monitor_command_with_files(
        &self,
        d: &DomainRef,
        cmd: String,
        fds: &[std::os::fd::BorrowedFd<'_>],
        flags: u32,
    ) -> Result<(String, Vec<std::os::fd::OwnedFd>)> {
        let out = self.monitor_passthrough_with_files(d, &cmd, fds, flags)?;
        Ok((out, Vec::new()))
    }
    fn domain_open_graphics(
        &self,
        d: &DomainRef,
        idx: u32,
        fd: std::os::fd::BorrowedFd<'_>,
        flags: u32,
    ) -> Result<()> {
        self.open_graphics(d, idx, fd, flags)
    }
    fn domain_open_graphics_fd(
        &self,
        d: &DomainRef,
        idx: u32,
        flags: u32,
    ) -> Result<std::os::fd::OwnedFd> {
        self.open_graphics_fd(d, idx, flags)
    }
    fn domain_fd_associate(
        &self,
        d: &DomainRef,
        name: String,
        fds: &[std::os::fd::BorrowedFd<'_>],
        flags: u32,
    ) -> Result<()> {
        self.fd_associate(d, name, fds, flags)
    }
    // Guest control (control.rs, metadata.rs) and saves (save.rs).
    fn domain_autostart(&self, d: &DomainRef) -> Result<bool> {
        self.autostart_of(d)
    }
    fn domain_set_autostart(&self, d: &DomainRef, autostart: bool) -> Result<()> {
        self.set_autostart_of(d, autostart)
    }
    fn domain_metadata(
        &self,
        d: &DomainRef,
        kind: i32,
        uri: Option<String>,
        flags: u32,
    ) -> Result<String> {
        self.metadata_of(d, kind, uri, flags)
    }
    fn domain_set_metadata(
        &self,
        d: &DomainRef,
        kind: i32,
        metadata: Option<String>,
        key: Option<String>,
        uri: Option<String>,
        flags: u32,
    ) -> Result<()> {
        self.set_metadata_of(d, kind, metadata, key, uri, flags)
    }
    fn domain_set_memory(&self, d: &DomainRef, kib: u64) -> Result<()> {
        self.set_memory_of(d, kib, crate::api::DomainMemoryModFlags::LIVE.bits())
    }
    fn domain_set_max_memory(&self, d: &DomainRef, kib: u64) -> Result<()> {
        self.set_memory_of(d, kib, crate::api::DomainMemoryModFlags::MAXIMUM.bits())
    }
    fn domain_set_memory_flags(&self, d: &DomainRef, kib: u64, flags: u32) -> Result<()> {
        self.set_memory_of(d, kib, flags)
    }
    fn domain_set_vcpus(&self, d: &DomainRef, n: u32) -> Result<()> {
        self.set_vcpus_of(d, n, crate::api::DomainVcpuFlags::LIVE.bits())
    }
    fn domain_set_vcpus_flags(&self, d: &DomainRef, n: u32, flags: u32) -> Result<()> {
        self.set_vcpus_of(d, n, flags)
    }
    fn domain_reset(&self, d: &DomainRef, flags: u32) -> Result<()> {
        self.reset_of(d, flags)
    }
    fn domain_inject_nmi(&self, d: &DomainRef, flags: u32) -> Result<()> {
        self.inject_nmi_of(d, flags)
    }
    fn domain_send_key(
        &self,
        d: &DomainRef,
        codeset: u32,
        holdtime: u32,
        keycodes: Vec<u32>,
        flags: u32,
    ) -> Result<()> {
        self.send_key_of(d, codeset, holdtime, &keycodes, flags)
    }
    fn domain_save(&self, d: &DomainRef, to: String) -> Result<crate::driver::family::Stopped> {
        self.save_to(d, Path::new(&to), None, 0, "qemuDomainSaveFlags")
    }
    fn domain_save_flags(
        &self,
        d: &DomainRef,
        to: String,
        dxml: Option<String>,
        flags: u32,
    ) -> Result<crate::driver::family::Stopped> {
        self.save_to(
            d,
            Path::new(&to),
            dxml.as_deref(),
            flags,
            "qemuDomainSaveFlags",
        )
    }
    fn domain_restore(&self, from: String) -> Result<()> {
        self.restore_from(Caller { conn_id: 0 }, Path::new(&from), None, 0)
    }
    fn domain_restore_flags(&self, from: String, dxml: Option<String>, flags: u32) -> Result<()> {
        self.restore_from(
            Caller { conn_id: 0 },
            Path::new(&from),
            dxml.as_deref(),
            flags,
        )
    }
    fn domain_managed_save(
        &self,
        d: &DomainRef,
        flags: u32,
    ) -> Result<crate::driver::family::Stopped> {
        self.managed_save_of(d, flags)
    }
    fn domain_has_managed_save(&self, d: &DomainRef, flags: u32) -> Result<bool> {
        self.has_managed_save_of(d, flags)
    }
    fn domain_managed_save_remove(&self, d: &DomainRef, flags: u32) -> Result<()> {
        self.managed_save_remove_of(d, flags)
    }
    fn domain_save_image_xml_desc(&self, file: String, flags: u32) -> Result<String> {
        self.save_image_xml_of(Path::new(&file), flags)
    }
    fn domain_attach_device(&self, d: &DomainRef, xml: String) -> Result<()> {
        self.attach_device(d, &xml, crate::api::DomainDeviceModifyFlags::LIVE.bits())
    }
    fn domain_attach_device_flags(&self, d: &DomainRef, xml: String, flags: u32) -> Result<()> {
        self.attach_device(d, &xml, flags)
    }
    fn domain_detach_device(&self, d: &DomainRef, xml: String) -> Result<()> {
        self.detach_device(d, &xml, crate::api::DomainDeviceModifyFlags::LIVE.bits())
    }
    fn domain_detach_device_flags(&self, d: &DomainRef, xml: String, flags: u32) -> Result<()> {
        self.detach_device(d, &xml, flags)
    }
    fn domain_update_device_flags(&self, d: &DomainRef, xml: String, flags: u32) -> Result<()> {
        self.update_device(d, &xml, flags)
    }
    fn domain_qemu_agent_command(
        &self,
        d: &DomainRef,
        _cmd: String,
        _timeout: i32,
        flags: u32,
    ) -> Result<String> {
        check_flags(flags, NoFlags::empty(), "qemuDomainQemuAgentCommand")?;
        self.lifecycle_check(d)?;
        // No guest agent channel is set up by this driver.
        Err(Error::with(
            crate::error::VIR_ERR_ARGUMENT_UNSUPPORTED,
            VIR_FROM_QEMU,
            "QEMU guest agent is not configured",
        ))
    }
}

impl NetworkDriver for QemuDriver {}

impl NetworkEventDriver for QemuDriver {}

impl InterfaceDriver for QemuDriver {}

impl StorageDriver for QemuDriver {}

impl NodeDeviceDriver for QemuDriver {}

impl SecretDriver for QemuDriver {}

impl NwFilterDriver for QemuDriver {}

impl StreamDriver for QemuDriver {
    fn stream_screenshot(
        &self,
        dom: &DomainRef,
        screen: u32,
        flags: u32,
    ) -> Result<crate::driver::family::Screenshot> {
        self.screenshot_of(dom, screen, flags)
    }
}
impl DomainSnapshotDriver for QemuDriver {}
impl DomainCheckpointDriver for QemuDriver {}
