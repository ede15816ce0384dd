//! Values of the domain family's statistics calls (issue 17): a job's progress
//! (virDomainGetJobInfo, virDomainGetJobStats) and the records of virConnectGetAllDomainStats and
//! virDomainListGetStats.

use super::domain_values::TypedParams;
use crate::domain::DomainRef;

/// virDomainJobInfo: the job's type (virDomainJobType) and its progress; the counters are all
/// zero when there is no job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobInfo {
    pub kind: i32,
    pub time_elapsed_ms: u64,
    pub time_remaining_ms: u64,
    pub data_total: u64,
    pub data_processed: u64,
    pub data_remaining: u64,
    pub mem_total: u64,
    pub mem_processed: u64,
    pub mem_remaining: u64,
    pub file_total: u64,
    pub file_processed: u64,
    pub file_remaining: u64,
}

/// virDomainGetJobStats's answer: the job's type and its typed parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobStats {
    pub kind: i32,
    pub params: TypedParams,
}

/// One domain's statistics record (virDomainStatsRecord), in the driver's order of domains.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsRecord {
    pub domain: DomainRef,
    pub params: TypedParams,
}

/// virDomainBlockStatsFlags's answer: a disk's counters as typed parameters, in order, and the
/// count a caller asking with 0 learns (the reference's count of counters qemu reported, which
/// need not be the number it hands out).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockParams {
    pub count: i32,
    pub params: TypedParams,
}
