//! virConnectGetAllDomainStats and virDomainListGetStats on the qemu driver (issue 17): each
//! domain's groups in the reference's order and with its field names (qemu_driver.c's
//! qemuDomainGetStats*), and the job calls, which see no job here (no migration, save or dump runs
//! as a job yet).

use super::qmp::Asked;
use super::stats::{
    balloon_guest_stats, rss_kib, vcpu_thread_figures, vcpu_threads_in, virtio_balloon,
    BALLOON_PATH,
};
use super::vm::JobGuard;
use super::*;
use crate::api::{
    ConnectGetAllDomainStatsFlags as StatsFlags, DomainGetJobStatsFlags as JobFlags, DomainJobType,
    DomainMemoryStatTags as Tag, DomainStatsTypes as Group,
};
use crate::driver::family::{JobInfo, JobStats, StatsRecord, TypedParams, TypedValue};

/// The flags qemuConnectGetAllDomainStats accepts.
const ALL_STATS_FLAGS: StatsFlags = StatsFlags::all();

/// The balloon counters' names in the balloon group (qemuDomainGetStatsBalloon's switch; the
/// actual balloon is `balloon.current` instead).
fn balloon_field(tag: i32) -> Option<&'static str> {
    const NAMES: [(Tag, &str); 12] = [
        (Tag::SwapIn, "swap_in"),
        (Tag::SwapOut, "swap_out"),
        (Tag::MajorFault, "major_fault"),
        (Tag::MinorFault, "minor_fault"),
        (Tag::Unused, "unused"),
        (Tag::Available, "available"),
        (Tag::Rss, "rss"),
        (Tag::LastUpdate, "last-update"),
        (Tag::Usable, "usable"),
        (Tag::DiskCaches, "disk_caches"),
        (Tag::HugetlbPgalloc, "hugetlb_pgalloc"),
        (Tag::HugetlbPgfail, "hugetlb_pgfail"),
    ];
    NAMES
        .iter()
        .find(|(t, _)| i32::from(*t) == tag)
        .map(|(_, n)| *n)
}

/// (utime, stime) in ns of /proc/PID/stat, or of this process when `pid` is 0 (what the
/// reference reads for a domain that is not running).
fn process_times(pid: i32) -> (u64, u64) {
    let path = match pid {
        0 => "/proc/self/stat".to_string(),
        p => format!("/proc/{p}/stat"),
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let after = text.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let ns = 1_000_000_000 / crate::host::clock_ticks_per_second();
    let at = |n: usize| f.get(n - 3).copied().unwrap_or(0);
    (at(14) * ns, at(15) * ns)
}

struct Params(Vec<(String, TypedValue)>);

impl Params {
    fn add(&mut self, name: impl Into<String>, v: TypedValue) {
        self.0.push((name.into(), v));
    }
}

/// What a record is made of, taken under the guest's lock at once.
struct Snapshot {
    state: (i32, i32),
    def: DomainDef,
    run: Option<Arc<Running>>,
}

impl Snapshot {
    fn of(vm: &Vm) -> Snapshot {
        let i = vm.lock();
        Snapshot {
            state: i.state.codes(),
            def: i.def.clone(),
            run: i.run.clone(),
        }
    }
}

/// The commands sent to one running guest's monitor for its record, answers still to come, and
/// the guest's job, held until the record is written.
struct Questions<'a> {
    _job: JobGuard<'a>,
    mon: Arc<Monitor>,
    balloon: Option<Asked>,
    guest_stats: Option<Asked>,
    vcpus: Option<Asked>,
    dirty_rate: Option<Asked>,
}

impl QemuDriver {
    pub(super) fn list_stats(
        &self,
        doms: Option<Vec<DomainRef>>,
        stats: u32,
        flags: u32,
    ) -> Result<Vec<StatsRecord>> {
        let flags = check_flags(flags, ALL_STATS_FLAGS, "qemuConnectGetAllDomainStats")?;
        let groups = match stats {
            0 => Group::all(),
            s => Group::from_bits_retain(s),
        };
        let list_bits = flags.bits() & LIST_ALL_FLAGS.bits();
        let list_flags = ConnectListAllDomainsFlags::from_bits_retain(list_bits);
        let mut vms: Vec<Arc<Vm>> = match doms {
            Some(refs) => refs.iter().filter_map(|r| self.vm(&r.uuid)).collect(),
            None => self.domain_list(),
        };
        vms.retain(|vm| {
            let i = vm.lock();
            crate::driver::list_filter(list_flags, i.run.is_some(), i.persistent, i.state.state())
        });
        // The reference's records come in descending UUID order (measured with three domains).
        vms.sort_by_key(|vm| std::cmp::Reverse(vm.uuid));
        // Every guest's questions go to its qemu first, all at once; the records are then
        // written in order, each waiting only for what its qemu has not answered yet.
        let snaps: Vec<Snapshot> = vms.iter().map(|vm| Snapshot::of(vm)).collect();
        let asked: Vec<Option<Questions>> = vms
            .iter()
            .zip(&snaps)
            .map(|(vm, snap)| self.ask(vm, snap, groups))
            .collect();
        Ok(vms
            .iter()
            .zip(snaps)
            .zip(asked)
            .map(|((vm, snap), questions)| StatsRecord {
                domain: vm.domain_ref(),
                params: TypedParams(self.record(snap, questions, groups).0),
            })
            .collect())
    }

    /// Send a running guest's monitor the commands the groups need, under the guest's job
    /// (held until its record is written); `None` when it needs none or is not running.
    fn ask<'a>(&self, vm: &'a Vm, snap: &Snapshot, groups: Group) -> Option<Questions<'a>> {
        let run = snap.run.as_ref()?;
        let balloon = groups.contains(Group::BALLOON) && virtio_balloon(&snap.def).is_some();
        let vcpu = groups.contains(Group::VCPU);
        let dirty = groups.contains(Group::DIRTYRATE);
        if !(balloon || vcpu || dirty) {
            return None;
        }
        let job = vm.job.begin(self.cfg.job_timeout).ok()?;
        if vm.running().is_none_or(|r| !Arc::ptr_eq(&r, run)) {
            return None;
        }
        let mon = run.monitor()?;
        let ask = |wanted: bool, command: &str, args: Option<serde_json::Value>| {
            wanted.then(|| mon.ask(command, args).ok()).flatten()
        };
        let guest_stats = serde_json::json!({ "path": BALLOON_PATH, "property": "guest-stats" });
        Some(Questions {
            _job: job,
            balloon: ask(balloon, "query-balloon", None),
            guest_stats: ask(balloon, "qom-get", Some(guest_stats)),
            vcpus: ask(vcpu, "query-cpus-fast", None),
            dirty_rate: ask(dirty, "query-dirty-rate", None),
            mon,
        })
    }

    fn record(&self, snap: Snapshot, mut questions: Option<Questions>, groups: Group) -> Params {
        let mut p = Params(Vec::new());
        let Snapshot {
            state: (state, reason),
            def,
            run,
        } = snap;
        let timeout = self.cfg.monitor_reply_timeout;
        // The answer to one of the questions sent, if it came in time.
        let mut answer = |pick: fn(&mut Questions) -> Option<Asked>| {
            let q = questions.as_mut()?;
            let asked = pick(q)?;
            q.mon.answer(asked, timeout).ok()
        };
        if groups.contains(Group::STATE) {
            p.add("state.state", TypedValue::Int(state));
            p.add("state.reason", TypedValue::Int(reason));
        }
        if groups.contains(Group::CPU_TOTAL) {
            let (user, system) = process_times(run.as_ref().map_or(0, |r| r.pid));
            p.add("cpu.time", TypedValue::ULLong(user + system));
            p.add("cpu.user", TypedValue::ULLong(user));
            p.add("cpu.system", TypedValue::ULLong(system));
            if run.is_some() {
                p.add("cpu.cache.monitor.count", TypedValue::UInt(0));
                p.add("cpu.haltpoll.success.time", TypedValue::ULLong(0));
                p.add("cpu.haltpoll.fail.time", TypedValue::ULLong(0));
            }
        }
        if groups.contains(Group::BALLOON) {
            p.add(
                "balloon.current",
                TypedValue::ULLong(def.current_memory_kib),
            );
            p.add("balloon.maximum", TypedValue::ULLong(def.memory_kib));
            // As virDomainMemoryStats: nothing unless both questions were answered.
            let balloon = answer(|q| q.balloon.take());
            let guest = answer(|q| q.guest_stats.take());
            if let (Some(run), Some(_), Some(guest)) = (&run, balloon, guest) {
                let rss = rss_kib(run.pid).map(|kib| (i32::from(Tag::Rss), kib));
                for (tag, v) in balloon_guest_stats(&guest).into_iter().chain(rss) {
                    if let Some(name) = balloon_field(tag) {
                        p.add(format!("balloon.{name}"), TypedValue::ULLong(v));
                    }
                }
            }
        }
        if groups.contains(Group::VCPU) {
            p.add("vcpu.current", TypedValue::UInt(def.online_vcpus()));
            p.add("vcpu.maximum", TypedValue::UInt(def.vcpus));
            if let Some(run) = &run {
                let threads = answer(|q| q.vcpus.take()).map(|a| vcpu_threads_in(&a));
                for t in threads.unwrap_or_default() {
                    let f = vcpu_thread_figures(run.pid, t.tid);
                    let n = t.index;
                    p.add(
                        format!("vcpu.{n}.state"),
                        TypedValue::Int(crate::api::VcpuState::Running.into()),
                    );
                    p.add(format!("vcpu.{n}.time"), TypedValue::ULLong(f.time_ns));
                    p.add(format!("vcpu.{n}.wait"), TypedValue::ULLong(f.wait_ns));
                    p.add(format!("vcpu.{n}.delay"), TypedValue::ULLong(f.delay_ns));
                }
            }
        }
        if groups.contains(Group::INTERFACE) && run.is_some() {
            // Only user-mode networking runs here, which has no host device to count on.
            let nets = def.devices.iter().filter(|e| e.name == "interface").count();
            p.add("net.count", TypedValue::UInt(nets as u32));
        }
        if groups.contains(Group::BLOCK) {
            p.add("block.count", TypedValue::UInt(def.disks.len() as u32));
            for (i, disk) in def.disks.iter().enumerate() {
                p.add(
                    format!("block.{i}.name"),
                    TypedValue::String(disk.target.clone()),
                );
                if !disk.source.is_empty() {
                    p.add(
                        format!("block.{i}.path"),
                        TypedValue::String(disk.source.clone()),
                    );
                }
            }
        }
        if groups.contains(Group::DIRTYRATE) && run.is_some() {
            if let Some(rate) = answer(|q| q.dirty_rate.take()) {
                add_dirty_rate(&mut p, &rate);
            }
        }
        p
    }

    pub(super) fn job_info_of(&self, d: &DomainRef) -> Result<JobInfo> {
        self.lifecycle_check(d)?;
        Ok(JobInfo {
            kind: DomainJobType::None.into(),
            ..JobInfo::default()
        })
    }

    pub(super) fn job_stats_of(&self, d: &DomainRef, flags: u32) -> Result<JobStats> {
        let keep = JobFlags::KEEP_COMPLETED.bits();
        if flags & keep != 0 && flags & JobFlags::COMPLETED.bits() == 0 {
            return Err(crate::driver::family::public_invalid_arg(
                "virDomainGetJobStats",
                "ctl",
                "Flag 'VIR_DOMAIN_JOB_STATS_COMPLETED' is required by flag \
                 'VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED'"
                    .into(),
            ));
        }
        let flags = check_flags(flags, JobFlags::all(), "qemuDomainGetJobStats")?;
        let vm = self.vm_of(d)?;
        // A completed job's figures are kept past the guest's stop; there are none yet.
        if !flags.contains(JobFlags::COMPLETED) && !vm.is_active() {
            return Err(not_running());
        }
        Ok(JobStats {
            kind: DomainJobType::None.into(),
            params: TypedParams::default(),
        })
    }
}

/// query-dirty-rate as the dirtyrate group (qemuDomainGetStatsDirtyRate).
fn add_dirty_rate(p: &mut Params, rate: &serde_json::Value) {
    let status = match rate["status"].as_str() {
        Some("measuring") => 1,
        Some("measured") => 2,
        _ => 0,
    };
    p.add("dirtyrate.calc_status", TypedValue::Int(status));
    p.add(
        "dirtyrate.calc_start_time",
        TypedValue::LLong(rate["start-time"].as_i64().unwrap_or(0)),
    );
    p.add(
        "dirtyrate.calc_period",
        TypedValue::Int(rate["calc-time"].as_i64().unwrap_or(0) as i32),
    );
    if let Some(mode) = rate["mode"].as_str() {
        p.add("dirtyrate.calc_mode", TypedValue::String(mode.to_string()));
    }
    if status == 2 {
        if let Some(v) = rate["dirty-rate"].as_i64() {
            p.add("dirtyrate.megabytes_per_second", TypedValue::LLong(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_fresh_guests_dirty_rate_is_unstarted_page_sampling() {
        let mut p = Params(Vec::new());
        add_dirty_rate(
            &mut p,
            &json!({"status": "unstarted", "start-time": 0, "calc-time": 0, "mode": "page-sampling"}),
        );
        let names: Vec<&str> = p.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "dirtyrate.calc_status",
                "dirtyrate.calc_start_time",
                "dirtyrate.calc_period",
                "dirtyrate.calc_mode"
            ]
        );
        assert_eq!(
            balloon_field(i32::from(Tag::LastUpdate)),
            Some("last-update")
        );
        assert_eq!(balloon_field(i32::from(Tag::ActualBalloon)), None);
    }
}
