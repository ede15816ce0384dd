//! The test driver's calls on a domain's disks, interfaces and file systems: disk errors, block
//! information and statistics, interface statistics and file-system information, with the
//! reference's fixed or clock-derived numbers.

use super::domain_extras::test_invalid_arg;
use super::{check_active, check_flags, TestDriver};
use crate::api::TypedParameterFlags;
use crate::api::{DomainDiskErrorCode, NoFlags};
use crate::domain::DomainRef;
use crate::driver::family::public_invalid_arg;
use crate::driver::family::{
    BlockInfo, BlockStats, CpuStats, DiskErrors, FsInfo, FsInfos, InterfaceStats, TypedValue,
};
use crate::error::{
    Error, Result, VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_UNSUPPORTED, VIR_FROM_DOMAIN,
    VIR_FROM_TEST,
};

/// testDomainGetBlockInfo's fixed sizes (bytes).
const BLOCK_CAPACITY: u64 = 1_099_506_450_432;
const BLOCK_ALLOCATION: u64 = 1_099_511_627_776;
/// The file systems the reference's guest has on its first disk: (mount point, partition).
const FILE_SYSTEMS: [(&str, u32); 2] = [("/", 1), ("/boot", 2)];
const FS_TYPE: &str = "ext4";

/// The reference's fixed CPU times (ns): the domain's total, user and system time.
const TOTAL_CPU_TIME: u64 = 48_772_617_035;
const USER_TIME: u64 = 5_540_000_000;
const SYSTEM_TIME: u64 = 6_460_000_000;
/// The offset of a CPU's vcpu time below its CPU time.
const VCPU_TIME_OFFSET: u64 = 1_234_567_890;

/// Parameters at their places in the caller's array, and the count the driver answers.
type PlacedStats = (Vec<(usize, String, TypedValue)>, i32);

/// The public layer's checks of virDomainGetCPUStats's CPU range.
fn check_cpu_range(start_cpu: i32, ncpus: u32) -> Result<()> {
    const F: &str = "virDomainGetCPUStats";
    if start_cpu == -1 && ncpus != 1 {
        return Err(public_invalid_arg(
            F,
            "start_cpu",
            "ncpus must be 1 when start_cpu is -1".into(),
        ));
    }
    if start_cpu < -1 {
        return Err(public_invalid_arg(
            F,
            "start_cpu",
            format!("start_cpu in {F} must be zero or greater"),
        ));
    }
    Ok(())
}

/// testDomainGetDomainTotalCpuStats: up to three times, or how many there are.
fn total_cpu_stats(nparams: u32) -> PlacedStats {
    let all = [
        ("cpu_time", TOTAL_CPU_TIME),
        ("user_time", USER_TIME),
        ("system_time", SYSTEM_TIME),
    ];
    if nparams == 0 {
        return (Vec::new(), all.len() as i32);
    }
    let n = (nparams as usize).min(all.len());
    let slots = all[..n]
        .iter()
        .enumerate()
        .map(|(i, (name, v))| (i, (*name).to_string(), TypedValue::ULLong(*v)))
        .collect();
    (slots, n as i32)
}

/// testDomainGetPercpuStats over `total` host CPUs: each CPU's time and vcpu time.
fn percpu_stats(nparams: u32, start: i32, ncpus: u32, total: i32) -> Result<PlacedStats> {
    if nparams == 0 && ncpus != 0 {
        return Ok((Vec::new(), 2));
    }
    if ncpus == 0 {
        return Ok((Vec::new(), total));
    }
    if start >= total {
        return Err(test_invalid_arg(format!(
            "start_cpu {start} larger than maximum of {}",
            total - 1
        )));
    }
    let per_cpu = TOTAL_CPU_TIME / total.max(1) as u64;
    let end = total.min(start.saturating_add(ncpus.min(i32::MAX as u32) as i32));
    let mut slots = Vec::new();
    for cpu in start..end {
        let base = (cpu - start) as usize * nparams as usize;
        let t = per_cpu + cpu as u64;
        slots.push((base, "cpu_time".to_string(), TypedValue::ULLong(t)));
        if nparams > 1 {
            let vt = t.wrapping_sub(VCPU_TIME_OFFSET);
            slots.push((base + 1, "vcpu_time".to_string(), TypedValue::ULLong(vt)));
        }
    }
    Ok((slots, if nparams > 1 { 2 } else { 1 }))
}

/// The time of day in microseconds: the reference's statistics are fractions of it.
fn statbase() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.as_micros() as i64)
}

/// Whether `s` is a MAC address (six hexadecimal pairs separated by colons).
fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// virDomainDiskByName: a disk named by its target or its source.
fn find_disk<'a>(disks: &'a [(String, String)], name: &str) -> Option<&'a (String, String)> {
    disks
        .iter()
        .find(|(target, source)| target == name || source == name)
}

impl TestDriver {
    pub(super) fn disk_errors(&self, d: &DomainRef, flags: u32) -> Result<DiskErrors> {
        check_flags(flags, NoFlags::empty(), "testDomainGetDiskErrors")?;
        // The reference cycles through the error codes after "none".
        let codes = DomainDiskErrorCode::LAST - 1;
        self.with_dom(d, |dom| {
            check_active(dom)?;
            Ok(DiskErrors(
                dom.extras
                    .disks
                    .iter()
                    .enumerate()
                    .map(|(i, (target, _))| (target.clone(), (i as i32 % codes) + 1))
                    .collect(),
                None,
            ))
        })
    }

    pub(super) fn block_info(&self, d: &DomainRef, disk: &str, flags: u32) -> Result<BlockInfo> {
        check_flags(flags, NoFlags::empty(), "testDomainGetBlockInfo")?;
        self.with_dom(d, |dom| {
            let (_, source) = find_disk(&dom.extras.disks, disk).ok_or_else(|| {
                test_invalid_arg(format!("invalid path {disk} not assigned to domain"))
            })?;
            if source.is_empty() {
                return Err(test_invalid_arg(format!(
                    "disk '{disk}' does not currently have a source assigned"
                )));
            }
            Ok(BlockInfo {
                capacity: BLOCK_CAPACITY,
                allocation: BLOCK_ALLOCATION,
                physical: BLOCK_ALLOCATION,
            })
        })
    }

    pub(super) fn block_stats(&self, d: &DomainRef, disk: &str) -> Result<BlockStats> {
        if disk.is_empty() {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_TEST,
                "summary statistics are not supported yet",
            ));
        }
        self.with_dom(d, |dom| {
            check_active(dom)?;
            if find_disk(&dom.extras.disks, disk).is_none() {
                return Err(test_invalid_arg(format!("invalid path: {disk}")));
            }
            let base = statbase();
            Ok(BlockStats {
                rd_req: base / 10,
                rd_bytes: base / 20,
                wr_req: base / 30,
                wr_bytes: base / 40,
                errs: base / 2_000_000,
            })
        })
    }

    pub(super) fn interface_stats(&self, d: &DomainRef, device: &str) -> Result<InterfaceStats> {
        self.with_dom(d, |dom| {
            check_active(dom)?;
            let by_mac = is_mac(device);
            let found = dom.extras.nets.iter().any(|(name, mac)| match by_mac {
                true => mac.eq_ignore_ascii_case(device),
                false => name == device,
            });
            if !found {
                return Err(Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_DOMAIN,
                    format!("'{device}' is not a known interface"),
                ));
            }
            let base = statbase();
            Ok(InterfaceStats {
                rx_bytes: base / 10,
                rx_packets: base / 100,
                rx_errs: base / 1_000_000,
                rx_drop: base / 2_000_000,
                tx_bytes: base / 20,
                tx_packets: base / 110,
                tx_errs: base / 3_000_000,
                tx_drop: base / 4_000_000,
            })
        })
    }

    pub(super) fn cpu_stats(
        &self,
        d: &DomainRef,
        nparams: u32,
        start_cpu: i32,
        ncpus: u32,
        flags: u32,
    ) -> Result<CpuStats> {
        check_cpu_range(start_cpu, ncpus)?;
        // The public layer adds VIR_TYPED_PARAM_STRING_OKAY, which this driver accepts.
        let flags = flags | TypedParameterFlags::OKAY.bits();
        check_flags(flags, TypedParameterFlags::OKAY, "testDomainGetCPUStats")?;
        // The reference counts the host's cores per socket as its CPUs here.
        let total = self.node_info.cores as i32;
        self.with_dom(d, |dom| {
            check_active(dom)?;
            let (slots, count) = match start_cpu {
                -1 => total_cpu_stats(nparams),
                _ => percpu_stats(nparams, start_cpu, ncpus, total)?,
            };
            Ok(CpuStats {
                slots,
                count,
                nparams,
                ncpus,
            })
        })
    }

    pub(super) fn fs_info(&self, d: &DomainRef, flags: u32) -> Result<FsInfos> {
        check_flags(flags, NoFlags::empty(), "testDomainGetFSInfo")?;
        self.with_dom(d, |dom| {
            check_active(dom)?;
            // The first disk carries the guest's two file systems.
            let Some((target, _)) = dom.extras.disks.first() else {
                return Ok(FsInfos::default());
            };
            Ok(FsInfos(
                FILE_SYSTEMS
                    .iter()
                    .map(|(mountpoint, part)| FsInfo {
                        mountpoint: (*mountpoint).into(),
                        name: format!("{target}{part}"),
                        fstype: FS_TYPE.into(),
                        dev_aliases: vec![target.clone()],
                    })
                    .collect(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_stats_are_the_references() {
        assert_eq!(total_cpu_stats(0).1, 3);
        assert_eq!(total_cpu_stats(5).0.len(), 3);
        let (slots, n) = percpu_stats(2, 0, 2, 2).unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            slots[2],
            (2, "cpu_time".into(), TypedValue::ULLong(24_386_308_518))
        );
        assert!(percpu_stats(2, 9, 1, 2).is_err());
    }

    #[test]
    fn macs_and_disks() {
        assert!(is_mac("aa:bb:cc:dd:ee:ff") && !is_mac("testnet0") && !is_mac("eth9"));
        let disks = vec![("vda".to_string(), "/guest/diskimage1".to_string())];
        assert!(find_disk(&disks, "/guest/diskimage1").is_some());
        assert!(find_disk(&disks, "vdz").is_none());
    }
}
