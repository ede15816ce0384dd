//! The test driver's calls on a domain's disks, interfaces and file systems: disk errors, block
//! information and statistics, interface statistics and file-system information, with the
//! reference's fixed or clock-derived numbers.

use super::domain_extras::test_invalid_arg;
use super::{check_active, check_flags, TestDriver};
use crate::api::{DomainDiskErrorCode, NoFlags};
use crate::domain::DomainRef;
use crate::driver::family::{BlockInfo, BlockStats, DiskErrors, FsInfo, FsInfos, InterfaceStats};
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
    fn macs_and_disks() {
        assert!(is_mac("aa:bb:cc:dd:ee:ff") && !is_mac("testnet0") && !is_mac("eth9"));
        let disks = vec![("vda".to_string(), "/guest/diskimage1".to_string())];
        assert!(find_disk(&disks, "/guest/diskimage1").is_some());
        assert!(find_disk(&disks, "vdz").is_none());
    }
}
