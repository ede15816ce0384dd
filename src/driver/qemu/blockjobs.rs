//! Block jobs on a running guest's disks (issue 17): virDomainBlockPull (qemu's block-stream),
//! virDomainGetBlockJobInfo, virDomainBlockJobSetSpeed and virDomainBlockJobAbort, and qemu's
//! BLOCK_JOB_COMPLETED / BLOCK_JOB_CANCELLED / BLOCK_JOB_READY as libvirt's BLOCK_JOB (by the
//! disk's path) and BLOCK_JOB_2 (by its target) events; a pull that completes leaves the disk
//! without the layers it pulled in, in the live definition as in the reference's.

use super::*;
use crate::api::{
    ConnectDomainEventBlockJobStatus as JobStatus, DomainBlockJobAbortFlags,
    DomainBlockJobInfoFlags, DomainBlockJobSetSpeedFlags, DomainBlockJobType, DomainBlockPullFlags,
    DomainBlockRebaseFlags, DomainEventID,
};
use crate::domain::devices::Element;
use crate::driver::family::BlockJobInfo;
use crate::error::{VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_OVERFLOW};
use crate::event::Payload;
use serde_json::{json, Value};
use std::time::Instant;

/// Bandwidths are given in MiB/s unless the caller says bytes.
const MIB_SHIFT: u32 = 20;
/// The largest bandwidth in MiB/s whose bytes qemu's signed speed holds (the reference's bound).
const MAX_MIB_S: u64 = (i64::MAX as u64) >> MIB_SHIFT;
/// How long a synchronous abort waits for qemu to end the job.
const ABORT_DEADLINE: Duration = Duration::from_secs(30);
/// How often it looks.
const ABORT_POLL: Duration = Duration::from_millis(10);

/// A block job this process started: the guest, its disk (target and path), qemu's job id.
#[derive(Clone)]
struct BlockJob {
    uuid: [u8; 16],
    target: String,
    path: String,
    job_id: String,
    kind: DomainBlockJobType,
}

/// The running block jobs of every guest of the process (a job ends with its qemu event).
static JOBS: Mutex<Vec<BlockJob>> = Mutex::new(Vec::new());

fn jobs() -> MutexGuard<'static, Vec<BlockJob>> {
    JOBS.lock().unwrap_or_else(|p| p.into_inner())
}

fn job_of(uuid: &[u8; 16], target: &str) -> Option<BlockJob> {
    jobs()
        .iter()
        .find(|j| j.uuid == *uuid && j.target == target)
        .cloned()
}

/// The jobs of a guest that stopped: they ended with its qemu.
pub(super) fn forget(uuid: &[u8; 16]) {
    jobs().retain(|j| j.uuid != *uuid);
}

fn no_job(target: &str) -> Error {
    Error::with(
        VIR_ERR_INVALID_ARG,
        VIR_FROM_QEMU,
        format!("disk {target} does not have an active block job"),
    )
}

/// The live `<disk>` named by its target or its source path: (target, path, node index).
fn live_disk(def: &DomainDef, name: &str) -> Result<(String, String, usize)> {
    def.devices
        .iter()
        .filter(|d| d.name == "disk")
        .find_map(|d| {
            let target = d.child_attr("target", "dev")?;
            let path = d.child_attr("source", "file").unwrap_or_default();
            (target == name || (!path.is_empty() && path == name)).then(|| {
                let index = d
                    .child_attr("source", "index")
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0);
                (target.to_string(), path.to_string(), index)
            })
        })
        .ok_or_else(|| {
            Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                format!("disk '{name}' not found in domain"),
            )
        })
}

/// A bandwidth in bytes/s: given in MiB/s unless `bytes`.
fn speed_bytes(bandwidth: u64, bytes: bool) -> Result<u64> {
    if bytes {
        return Ok(bandwidth);
    }
    if bandwidth > MAX_MIB_S {
        return Err(Error::with(
            VIR_ERR_OVERFLOW,
            VIR_FROM_QEMU,
            format!("bandwidth must be less than {MAX_MIB_S}"),
        ));
    }
    Ok(bandwidth << MIB_SHIFT)
}

/// The pulled disk's live definition: no layer under its image any more.
fn drop_backing(def: &mut DomainDef, target: &str) {
    let disk = def
        .devices
        .iter_mut()
        .find(|d| d.name == "disk" && d.child_attr("target", "dev") == Some(target));
    if let Some(disk) = disk {
        if let Some(at) = disk.children.iter().position(|c| c.name == "backingStore") {
            disk.children[at] = Element::new("backingStore");
        }
    }
}

impl QemuDriver {
    /// virDomainBlockPull: qemu streams the layers under the disk's image into it.
    pub(super) fn block_pull_of(
        &self,
        d: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        let flags = check_flags(flags, DomainBlockPullFlags::BYTES, "qemuDomainBlockPull")?;
        let speed = speed_bytes(bandwidth, flags.contains(DomainBlockPullFlags::BYTES))?;
        self.with_job(d, |vm, cmd| {
            let (uuid, (target, path, index)) = {
                let i = vm.lock();
                (i.def.uuid, live_disk(&i.def, disk)?)
            };
            if job_of(&uuid, &target).is_some() {
                return Err(Error::with(
                    VIR_ERR_OPERATION_UNSUPPORTED,
                    VIR_FROM_QEMU,
                    format!("disk '{target}' already in active block job"),
                ));
            }
            let node = format!("libvirt-{index}-format");
            let job_id = format!("pull-{target}-{node}");
            let mut args = json!({ "job-id": job_id, "device": node });
            if speed > 0 {
                args["speed"] = json!(speed);
            }
            // Recorded first: qemu may end the job before it answers.
            jobs().push(BlockJob {
                uuid,
                target: target.clone(),
                path,
                job_id: job_id.clone(),
                kind: DomainBlockJobType::Pull,
            });
            cmd.run_with("block-stream", args)
                .map(drop)
                .inspect_err(|_| {
                    jobs().retain(|j| j.job_id != job_id || j.uuid != uuid);
                })
        })
    }

    /// virDomainBlockRebase: without a copy and without a base it is a pull of the whole chain
    /// (the reference's qemuDomainBlockRebase hands it to its pull); a base to stop at and the
    /// copies are not done here yet.
    pub(super) fn block_rebase_of(
        &self,
        d: &DomainRef,
        disk: &str,
        base: Option<&str>,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        let flags = check_flags(
            flags,
            DomainBlockRebaseFlags::all(),
            "qemuDomainBlockRebase",
        )?;
        if base.is_some()
            || flags.difference(DomainBlockRebaseFlags::BANDWIDTH_BYTES)
                != DomainBlockRebaseFlags::empty()
        {
            return Err(Error::no_support(VIR_FROM_QEMU, "virDomainBlockRebase"));
        }
        let pull_flags = match flags.contains(DomainBlockRebaseFlags::BANDWIDTH_BYTES) {
            true => DomainBlockPullFlags::BYTES,
            false => DomainBlockPullFlags::empty(),
        };
        self.block_pull_of(d, disk, bandwidth, pull_flags.bits())
    }

    /// virDomainGetBlockJobInfo: qemu's figures of the disk's job, if it runs one.
    pub(super) fn block_job_info_of(
        &self,
        d: &DomainRef,
        disk: &str,
        flags: u32,
    ) -> Result<Option<BlockJobInfo>> {
        let flags = check_flags(
            flags,
            DomainBlockJobInfoFlags::BYTES,
            "qemuDomainGetBlockJobInfo",
        )?;
        self.with_job(d, |vm, cmd| {
            let (uuid, (target, _, _)) = {
                let i = vm.lock();
                (i.def.uuid, live_disk(&i.def, disk)?)
            };
            let Some(job) = job_of(&uuid, &target) else {
                return Ok(None);
            };
            let all = cmd.run("query-block-jobs")?;
            let entry = all
                .as_array()
                .and_then(|a| a.iter().find(|j| j["device"] == job.job_id.as_str()));
            let Some(entry) = entry else { return Ok(None) };
            let speed = entry["speed"].as_u64().unwrap_or(0);
            Ok(Some(BlockJobInfo {
                kind: job.kind as i32,
                bandwidth: match flags.contains(DomainBlockJobInfoFlags::BYTES) {
                    true => speed,
                    false => speed >> MIB_SHIFT,
                },
                cur: entry["offset"].as_u64().unwrap_or(0),
                end: entry["len"].as_u64().unwrap_or(0),
            }))
        })
    }

    /// virDomainBlockJobSetSpeed.
    pub(super) fn block_job_set_speed_of(
        &self,
        d: &DomainRef,
        disk: &str,
        bandwidth: u64,
        flags: u32,
    ) -> Result<()> {
        let flags = check_flags(
            flags,
            DomainBlockJobSetSpeedFlags::BYTES,
            "qemuDomainBlockJobSetSpeed",
        )?;
        let speed = speed_bytes(
            bandwidth,
            flags.contains(DomainBlockJobSetSpeedFlags::BYTES),
        )?;
        self.with_job(d, |vm, cmd| {
            let (uuid, (target, _, _)) = {
                let i = vm.lock();
                (i.def.uuid, live_disk(&i.def, disk)?)
            };
            let job = job_of(&uuid, &target).ok_or_else(|| no_job(&target))?;
            let args = json!({ "device": job.job_id, "speed": speed });
            cmd.run_with("block-job-set-speed", args).map(drop)
        })
    }

    /// virDomainBlockJobAbort: qemu cancels the job; unless asked not to, the call returns once
    /// it ended (its event raised).
    pub(super) fn block_job_abort_of(&self, d: &DomainRef, disk: &str, flags: u32) -> Result<()> {
        let flags = check_flags(
            flags,
            DomainBlockJobAbortFlags::ASYNC | DomainBlockJobAbortFlags::PIVOT,
            "qemuDomainBlockJobAbort",
        )?;
        let job = self.with_job(d, |vm, cmd| {
            let (uuid, (target, _, _)) = {
                let i = vm.lock();
                (i.def.uuid, live_disk(&i.def, disk)?)
            };
            let job = job_of(&uuid, &target).ok_or_else(|| no_job(&target))?;
            if flags.contains(DomainBlockJobAbortFlags::PIVOT) {
                return Err(Error::with(
                    VIR_ERR_OPERATION_INVALID,
                    VIR_FROM_QEMU,
                    format!("block job '{}' not ready for pivot yet", job.target),
                ));
            }
            cmd.run_with("block-job-cancel", json!({ "device": job.job_id }))?;
            Ok(job)
        })?;
        if flags.contains(DomainBlockJobAbortFlags::ASYNC) {
            return Ok(());
        }
        let end = Instant::now() + ABORT_DEADLINE;
        while job_of(&job.uuid, &job.target).is_some() {
            if Instant::now() >= end {
                return Err(Error::with(
                    VIR_ERR_OPERATION_FAILED,
                    VIR_FROM_QEMU,
                    format!("block job on disk '{}' did not end in time", job.target),
                ));
            }
            std::thread::sleep(ABORT_POLL);
        }
        Ok(())
    }

    /// qemu's end (or readiness) of a block job: libvirt's two block job events; a completed
    /// pull's disk loses its layers in the live definition.
    pub(super) fn on_block_job_event(&self, vm: &Arc<Vm>, name: &str, data: &Value) {
        let id = data["device"].as_str().unwrap_or_default();
        let uuid = vm.lock().def.uuid;
        let status = match name {
            "BLOCK_JOB_COMPLETED" if data.get("error").is_some() => JobStatus::Failed,
            "BLOCK_JOB_COMPLETED" => JobStatus::Completed,
            "BLOCK_JOB_CANCELLED" => JobStatus::Canceled,
            "BLOCK_JOB_READY" => JobStatus::Ready,
            _ => return,
        };
        let job = {
            let mut all = jobs();
            let Some(at) = all.iter().position(|j| j.uuid == uuid && j.job_id == id) else {
                return;
            };
            match status {
                JobStatus::Ready => all[at].clone(),
                _ => all.remove(at),
            }
        };
        if status == JobStatus::Completed && job.kind == DomainBlockJobType::Pull {
            drop_backing(&mut vm.lock().def, &job.target);
            let _ = self.write_status(vm);
        }
        let r = vm.domain_ref();
        let (kind, status) = (job.kind as i32, status as i32);
        for (event, disk) in [
            (DomainEventID::BlockJob, job.path),
            (DomainEventID::BlockJob2, job.target),
        ] {
            let payload = Payload::BlockJob { disk, kind, status };
            self.bus.emit_payload(event as i32, &r, payload);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidths_in_mib_have_a_bound() {
        assert_eq!(speed_bytes(2, false).unwrap(), 2 << 20);
        assert_eq!(speed_bytes(7, true).unwrap(), 7);
        assert!(speed_bytes(MAX_MIB_S + 1, false).is_err());
    }
}
