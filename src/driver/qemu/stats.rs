//! A running guest's figures (issue 17): its vCPUs (qemu's vCPU threads, found through
//! `query-cpus-fast`, read in /proc/PID/task/TID), its balloon (`query-balloon` and the balloon
//! device's `guest-stats` property), its disks and interfaces, its control state, and the calls the
//! reference answers from cgroups, which an embedded root without cgroup controllers (the only
//! kind we run) refuses in the reference's words.

use super::*;
use crate::api::{
    DomainControlState, DomainMemoryStatTags as Tag, DomainModificationImpact, DomainVcpuFlags,
    TypedParameterFlags, VcpuState,
};
use crate::driver::family::{
    check_live_config_exclusive, check_positive, check_vcpu_pin_info_args, BlockInfo, BlockParams,
    BlockStats, ControlInfo, CpuMaps, CpuStats, InterfaceStats, MemoryStats, SchedulerType,
    TypedParams, TypedValue, VcpuInfo, Vcpus,
};
use crate::error::{VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN};
use serde_json::{json, Value};

const VCPUS_FLAGS: DomainVcpuFlags = DomainVcpuFlags::LIVE
    .union(DomainVcpuFlags::CONFIG)
    .union(DomainVcpuFlags::MAXIMUM)
    .union(DomainVcpuFlags::GUEST);
const PIN_INFO_FLAGS: DomainModificationImpact =
    DomainModificationImpact::LIVE.union(DomainModificationImpact::CONFIG);
/// The balloon device's QOM path: the live definition names it balloon0.
pub(super) const BALLOON_PATH: &str = "/machine/peripheral/balloon0";

/// One vCPU thread of a running qemu.
pub(super) struct VcpuThread {
    pub index: u32,
    pub tid: i32,
}

/// Fields of /proc/PID/task/TID/stat after the command name: (utime + stime in ns, the CPU it
/// last ran on).
fn thread_stat(pid: i32, tid: i32) -> (u64, i32) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).unwrap_or_default();
    let after = text.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    // After the name: state is field 3, so field N is f[N - 3].
    let num = |n: usize| {
        f.get(n - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let ns = 1_000_000_000 / crate::host::clock_ticks_per_second();
    ((num(14) + num(15)) * ns, num(39) as i32)
}

/// A vCPU thread's figures for the vcpu statistics group: its CPU time, the time it waited for a
/// CPU (the scheduler's `wait_sum`, in ms, present with schedstats on) and its run-queue delay
/// (schedstat's second field), all in nanoseconds.
pub(super) struct VcpuFigures {
    pub time_ns: u64,
    pub wait_ns: u64,
    pub delay_ns: u64,
}

pub(super) fn vcpu_thread_figures(pid: i32, tid: i32) -> VcpuFigures {
    let task = format!("/proc/{pid}/task/{tid}");
    let sched = std::fs::read_to_string(format!("{task}/sched")).unwrap_or_default();
    let wait_ms: f64 = sched
        .lines()
        .find(|l| {
            let key = l.split(':').next().unwrap_or("").trim();
            key == "wait_sum" || key == "se.statistics.wait_sum"
        })
        .and_then(|l| l.split(':').nth(1)?.trim().parse().ok())
        .unwrap_or(0.0);
    let schedstat = std::fs::read_to_string(format!("{task}/schedstat")).unwrap_or_default();
    let delay_ns = schedstat
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    VcpuFigures {
        time_ns: thread_stat(pid, tid).0,
        wait_ns: (wait_ms * 1_000_000.0) as u64,
        delay_ns,
    }
}

/// The CPUs a thread may run on (its `Cpus_allowed_list`), as a bitmap of `maplen` bytes.
fn thread_affinity(pid: i32, tid: i32, maplen: usize) -> Vec<u8> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).unwrap_or_default();
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap_or("");
    let mut map = vec![0u8; maplen];
    for c in host::parse_cpu_list(list) {
        if let Some(b) = map.get_mut(c as usize / 8) {
            *b |= 1 << (c % 8);
        }
    }
    map
}

/// The process's resident memory in KiB (field 24 of /proc/PID/stat, in pages).
pub(super) fn rss_kib(pid: i32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = text.rsplit_once(')')?.1;
    let pages: u64 = after.split_whitespace().nth(24 - 3)?.parse().ok()?;
    Some(pages * crate::host::page_size() / 1024)
}

/// The guest-stats keys qemu's balloon reports, the tag each becomes and the divisor that makes
/// it the reference's unit (KiB for sizes), in the reference's order.
const BALLOON_STATS: [(&str, Tag, u64); 10] = [
    ("stat-swap-in", Tag::SwapIn, 1024),
    ("stat-swap-out", Tag::SwapOut, 1024),
    ("stat-major-faults", Tag::MajorFault, 1),
    ("stat-minor-faults", Tag::MinorFault, 1),
    ("stat-free-memory", Tag::Unused, 1024),
    ("stat-total-memory", Tag::Available, 1024),
    ("stat-available-memory", Tag::Usable, 1024),
    ("stat-disk-caches", Tag::DiskCaches, 1024),
    ("stat-htlb-pgalloc", Tag::HugetlbPgalloc, 1),
    ("stat-htlb-pgfail", Tag::HugetlbPgfail, 1),
];

/// The balloon's counters from qemu's `guest-stats` (those the guest reported: qemu says -1 for
/// the others) and when the guest last reported.
pub(super) fn balloon_guest_stats(answer: &Value) -> Vec<(i32, u64)> {
    let stats = &answer["stats"];
    let mut out: Vec<(i32, u64)> = BALLOON_STATS
        .iter()
        .filter_map(|(key, tag, div)| {
            let v = stats[key].as_i64().filter(|v| *v >= 0)?;
            Some((i32::from(*tag), v as u64 / div))
        })
        .collect();
    if let Some(t) = answer["last-update"].as_u64() {
        out.push((i32::from(Tag::LastUpdate), t));
    }
    out
}

impl Command<'_> {
    fn run_args(&self, command: &str, args: Value) -> Result<Value> {
        self.mon
            .execute(command, Some(args), self.timeout)
            .map_err(|e| monitor_error(e, command, self.timeout))
    }

    /// qemu's vCPU threads, by vCPU index.
    pub(super) fn vcpu_threads(&self) -> Result<Vec<VcpuThread>> {
        Ok(vcpu_threads_in(&self.run("query-cpus-fast")?))
    }
}

/// The vCPU threads `query-cpus-fast` answered, by vCPU index.
pub(super) fn vcpu_threads_in(answer: &Value) -> Vec<VcpuThread> {
    let mut threads: Vec<VcpuThread> = answer
        .as_array()
        .map(|cpus| {
            cpus.iter()
                .filter_map(|c| {
                    Some(VcpuThread {
                        index: c["cpu-index"].as_u64()? as u32,
                        tid: c["thread-id"].as_i64()? as i32,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    threads.sort_by_key(|t| t.index);
    threads
}

/// The most vCPUs the definition allows (`<vcpu>`'s value; `current` is what runs).
fn max_vcpus(def: &DomainDef) -> u32 {
    def.vcpus
}

/// The `<memballoon>` of a definition that has a working (virtio) balloon.
pub(super) fn virtio_balloon(def: &DomainDef) -> Option<&crate::domain::devices::Element> {
    def.devices
        .iter()
        .find(|d| d.name == "memballoon" && d.attr("model") == Some("virtio"))
}

/// `<stats period='N'/>` of the balloon, if any.
pub(super) fn balloon_period(def: &DomainDef) -> Option<i64> {
    virtio_balloon(def)?
        .child_attr("stats", "period")?
        .parse()
        .ok()
}

/// The reference's refusal when a cgroup controller it reads is not there (the embedded driver
/// here never has cgroups).
fn no_cgroup(controller: &str) -> Error {
    Error::with(
        VIR_ERR_OPERATION_INVALID,
        VIR_FROM_QEMU,
        format!("cgroup {controller} controller is not mounted"),
    )
}

impl QemuDriver {
    /// Ask the balloon to collect the guest's statistics every `period` seconds (at start, when
    /// the definition says so; qemu refuses nothing we would act on, so a failure is only noted).
    pub(super) fn set_balloon_period(&self, name: &str, mon: &Monitor, period: i64) {
        let args = json!({
            "path": BALLOON_PATH,
            "property": "guest-stats-polling-interval",
            "value": period,
        });
        if let Err(e) = mon.execute("qom-set", Some(args), self.cfg.monitor_timeout) {
            self.note(
                name,
                &format!("cannot set the balloon's stats period: {e:?}"),
            );
        }
    }

    /// The definition `flags` (VIR_DOMAIN_AFFECT_*) choose, as virDomainObjGetDefs: the live one
    /// (true) or the persistent one (false).
    fn chosen_def(vm: &Vm, flags: u32) -> Result<(bool, DomainDef)> {
        let i = vm.lock();
        let active = i.run.is_some();
        let live_bit = flags & DomainModificationImpact::LIVE.bits() != 0;
        let config_bit = flags & DomainModificationImpact::CONFIG.bits() != 0;
        let live = live_bit || (!config_bit && active);
        if live && !active {
            return Err(not_running());
        }
        if config_bit && !i.persistent {
            return Err(Error::operation_invalid(
                "transient domains do not have any persistent config",
            ));
        }
        let def = match (&i.next_def, live) {
            (Some(next), false) => next.clone(),
            _ => i.def.clone(),
        };
        Ok((live, def))
    }

    pub(super) fn vcpus_flags_of(&self, d: &DomainRef, flags: u32) -> Result<i32> {
        check_live_config_exclusive("virDomainGetVcpusFlags", flags)?;
        let f = check_flags(flags, VCPUS_FLAGS, "qemuDomainGetVcpusFlags")?;
        let vm = self.vm_of(d)?;
        let (live, def) = Self::chosen_def(&vm, flags)?;
        if f.contains(DomainVcpuFlags::GUEST) && !live {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                "vCPU count provided by the guest agent can only be requested for live domains",
            ));
        }
        if f.contains(DomainVcpuFlags::GUEST) {
            return Err(Error::with(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                VIR_FROM_QEMU,
                "QEMU guest agent is not configured",
            ));
        }
        Ok(match f.contains(DomainVcpuFlags::MAXIMUM) {
            true => max_vcpus(&def),
            false => def.online_vcpus(),
        } as i32)
    }

    pub(super) fn vcpus_of(&self, d: &DomainRef, maxinfo: i32, maplen: i32) -> Result<Vcpus> {
        check_positive("virDomainGetVcpus", "maxinfo", i64::from(maxinfo))?;
        let vm = self.vm_of(d)?;
        let Some(run) = vm.running() else {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_QEMU,
                "cannot retrieve vcpu information for inactive domain",
            ));
        };
        let threads = self.with_job(d, |_, mon| mon.vcpu_threads())?;
        let mut out = Vcpus {
            info: Vec::new(),
            maps: Vec::new(),
            maplen,
        };
        for t in threads.iter().take(maxinfo as usize) {
            let (time, cpu) = thread_stat(run.pid, t.tid);
            out.info.push(VcpuInfo {
                number: t.index,
                state: VcpuState::Running,
                cpu_time_ns: time,
                cpu,
            });
            out.maps
                .push(thread_affinity(run.pid, t.tid, maplen.max(0) as usize));
        }
        Ok(out)
    }

    pub(super) fn vcpu_pin_info_of(
        &self,
        d: &DomainRef,
        ncpumaps: i32,
        maplen: i32,
        flags: u32,
    ) -> Result<CpuMaps> {
        check_vcpu_pin_info_args(ncpumaps, maplen, flags)?;
        check_flags(flags, PIN_INFO_FLAGS, "qemuDomainGetVcpuPinInfo")?;
        let vm = self.vm_of(d)?;
        let (_, def) = Self::chosen_def(&vm, flags)?;
        // No <cputune> pins are honoured yet: every vCPU may run on every online host CPU.
        let online = host::Host::default().cpu_map()?.map;
        let map: Vec<u8> = (0..maplen as usize)
            .map(|i| online.get(i).copied().unwrap_or(0))
            .collect();
        let n = (ncpumaps as u32).min(max_vcpus(&def)) as usize;
        Ok(CpuMaps(vec![map; n]))
    }

    pub(super) fn cpu_stats_of(&self, d: &DomainRef, flags: u32) -> Result<CpuStats> {
        check_flags(flags, TypedParameterFlags::OKAY, "qemuDomainGetCPUStats")?;
        let vm = self.vm_of(d)?;
        if !vm.is_active() {
            return Err(not_running());
        }
        Err(no_cgroup("CPUACCT"))
    }

    pub(super) fn scheduler_type_of(&self, d: &DomainRef) -> Result<SchedulerType> {
        let vm = self.vm_of(d)?;
        if !vm.is_active() {
            // No cgroups while stopped: the reference names the scheduler and its parameters.
            return Ok(SchedulerType {
                name: "posix".into(),
                nparams: SCHEDULER_PARAMS,
            });
        }
        Err(no_cgroup("CPU"))
    }

    pub(super) fn scheduler_parameters_of(
        &self,
        d: &DomainRef,
        flags: Option<u32>,
    ) -> Result<TypedParams> {
        let flags = flags.unwrap_or(0);
        let accepted = PIN_INFO_FLAGS.bits() | TypedParameterFlags::OKAY.bits();
        crate::api::check_bits(
            "qemuDomainGetSchedulerParametersFlags",
            flags,
            accepted,
            VIR_FROM_QEMU,
        )?;
        let vm = self.vm_of(d)?;
        let (live, _) = Self::chosen_def(&vm, flags)?;
        if live {
            return Err(no_cgroup("CPU"));
        }
        // The persistent definition's <cputune>, which we do not keep: all unset.
        Ok(TypedParams(
            SCHEDULER_PARAM_NAMES
                .iter()
                .map(|(name, signed)| {
                    let v = match signed {
                        true => TypedValue::LLong(0),
                        false => TypedValue::ULLong(0),
                    };
                    (name.to_string(), v)
                })
                .collect(),
        ))
    }

    pub(super) fn memory_stats_of(
        &self,
        d: &DomainRef,
        nr_stats: u32,
        flags: u32,
    ) -> Result<MemoryStats> {
        check_flags(flags, NoFlags::empty(), "qemuDomainMemoryStats")?;
        let (vm, run) = self.lifecycle_check(d)?;
        if virtio_balloon(&vm.lock().def).is_none() {
            return Ok(MemoryStats::default());
        }
        let mut stats = self.with_job(d, |_, mon| {
            let mut out = Vec::new();
            let balloon = mon.run("query-balloon")?;
            if let Some(actual) = balloon["actual"].as_u64() {
                out.push((i32::from(Tag::ActualBalloon), actual / 1024));
            }
            let guest = mon.run_args(
                "qom-get",
                json!({ "path": BALLOON_PATH, "property": "guest-stats" }),
            )?;
            out.extend(balloon_guest_stats(&guest));
            Ok(out)
        })?;
        stats.truncate(nr_stats as usize);
        if stats.len() < nr_stats as usize {
            if let Some(rss) = rss_kib(run.pid) {
                stats.push((i32::from(Tag::Rss), rss));
            }
        }
        Ok(MemoryStats(stats))
    }

    /// A disk of the live definition by target name or source path.
    fn find_disk(&self, vm: &Vm, path: &str) -> Option<crate::domain::xml::Disk> {
        let i = vm.lock();
        i.def
            .disks
            .iter()
            .find(|d| d.target == path || (!d.source.is_empty() && d.source == path))
            .cloned()
    }

    pub(super) fn block_stats_of(&self, d: &DomainRef, disk: &str) -> Result<BlockStats> {
        let (vm, _) = self.lifecycle_check(d)?;
        if disk.is_empty() {
            // Every disk's together; a guest without disks has all zeros.
            let disks = vm.lock().def.disks.len();
            if disks == 0 {
                // qemu keeps no error count: -1, "not available".
                return Ok(BlockStats {
                    errs: -1,
                    ..BlockStats::default()
                });
            }
        } else if self.find_disk(&vm, disk).is_none() {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!("invalid path: {disk}"),
            ));
        }
        // Disks' counters (query-blockstats) are not read yet.
        Err(Error::no_support(VIR_FROM_QEMU, "virDomainBlockStats"))
    }

    pub(super) fn block_stats_flags_of(
        &self,
        d: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<BlockParams> {
        check_flags(
            flags,
            TypedParameterFlags::OKAY,
            "qemuDomainBlockStatsFlags",
        )?;
        // The same disks and refusals as virDomainBlockStats. A guest without disks counts no
        // counters when asked how many, yet fills in the caller's array with zeros, as the
        // reference does.
        let s = self.block_stats_of(d, disk)?;
        let fields = [
            ("wr_bytes", s.wr_bytes),
            ("wr_operations", s.wr_req),
            ("rd_bytes", s.rd_bytes),
            ("rd_operations", s.rd_req),
            ("flush_operations", 0),
            ("wr_total_times", 0),
            ("rd_total_times", 0),
            ("flush_total_times", 0),
        ];
        Ok(BlockParams {
            count: 0,
            params: TypedParams(
                fields
                    .iter()
                    .map(|(name, v)| (name.to_string(), TypedValue::LLong(*v)))
                    .collect(),
            ),
        })
    }

    pub(super) fn block_info_of(&self, d: &DomainRef, disk: &str, flags: u32) -> Result<BlockInfo> {
        check_flags(flags, NoFlags::empty(), "qemuDomainGetBlockInfo")?;
        let vm = self.vm_of(d)?;
        if self.find_disk(&vm, disk).is_none() {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!("invalid path {disk} not assigned to domain"),
            ));
        }
        // Disks' sizes (query-blockstats, the image's allocation) are not read yet.
        Err(Error::no_support(VIR_FROM_QEMU, "virDomainGetBlockInfo"))
    }

    pub(super) fn interface_stats_of(&self, d: &DomainRef, device: &str) -> Result<InterfaceStats> {
        let (vm, _) = self.lifecycle_check(d)?;
        let known = vm.lock().def.devices.iter().any(|n| {
            n.name == "interface"
                && (n.child_attr("target", "dev") == Some(device)
                    || n.child_attr("mac", "address") == Some(device))
        });
        if !known {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_DOMAIN,
                format!("'{device}' is not a known interface"),
            ));
        }
        // Only user-mode networking runs here: it has no host device to count on.
        Err(Error::no_support(VIR_FROM_QEMU, "virDomainInterfaceStats"))
    }

    pub(super) fn control_info_of(&self, d: &DomainRef, flags: u32) -> Result<ControlInfo> {
        check_flags(flags, NoFlags::empty(), "qemuDomainGetControlInfo")?;
        let (vm, _) = self.lifecycle_check(d)?;
        let busy = *vm.job.busy.lock().unwrap_or_else(|p| p.into_inner());
        Ok(ControlInfo {
            state: if busy {
                i32::from(DomainControlState::Job) as u32
            } else {
                i32::from(DomainControlState::Ok) as u32
            },
            details: 0,
            state_time_ms: 0,
        })
    }
}

/// The scheduler parameters the reference's qemu driver names, and whether each is signed.
const SCHEDULER_PARAM_NAMES: [(&str, bool); 9] = [
    ("cpu_shares", false),
    ("vcpu_period", false),
    ("vcpu_quota", true),
    ("emulator_period", false),
    ("emulator_quota", true),
    ("global_period", false),
    ("global_quota", true),
    ("iothread_period", false),
    ("iothread_quota", true),
];
const SCHEDULER_PARAMS: i32 = SCHEDULER_PARAM_NAMES.len() as i32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balloon_stats_keep_what_the_guest_reported() {
        let answer = json!({
            "stats": {"stat-swap-in": -1, "stat-free-memory": 2048, "stat-major-faults": 3},
            "last-update": 0
        });
        assert_eq!(
            balloon_guest_stats(&answer),
            vec![
                (i32::from(Tag::MajorFault), 3),
                (i32::from(Tag::Unused), 2),
                (i32::from(Tag::LastUpdate), 0)
            ]
        );
    }
}
