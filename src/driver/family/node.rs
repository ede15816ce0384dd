//! The node family (libvirt's virHypervisorDriver `node*` entries): the host as the driver sees it.

use super::domain_params::{ParamRoom, ParamsAnswer, SetParamsOrNone};
use super::forwarded::SevInfo;
use super::unsupported;
use crate::driver::NodeInfo;
use crate::error::{Error, Result, VIR_FROM_DOMAIN};

/// virNodeGetCPUMap's answer: the host's CPU count, the online ones as a bitmap (CPU n is bit
/// n % 8 of byte n / 8), and how many are online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuMap {
    pub cpus: i32,
    pub map: Vec<u8>,
    pub online: u32,
}

/// Named counters (virNodeGetCPUStats, virNodeGetMemoryStats): every one the driver has, in its
/// order, and the rule by which the C side fits them to the caller's array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStats(pub Vec<(&'static str, u64)>, pub CountRule);

/// How named counters meet the caller's count (`*nparams`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountRule {
    /// As many as the caller's array holds; with no array, how many there are.
    UpToRoom,
    /// The Linux host's strict count (boxed: its errors are large).
    Exact(Box<ExactCount>),
    /// A daemon's answer to a count of 0: how many it has, which the caller's count becomes (the
    /// counters themselves are not sent).
    Counted(i32),
}

/// The Linux host's strict count (the reference's virHostCPUGetStatsLinux and
/// virHostMemGetStatsLinux): a caller's count other than 0 (asking how many) or exactly the
/// number of counters is refused with `refusal`; past that check `deferred`, an error found while
/// reading, is the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactCount {
    pub refusal: Error,
    pub deferred: Option<Error>,
}

/// virNodeGetSecurityModel's answer: the model's name and its domain of interpretation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityModel {
    pub model: String,
    pub doi: String,
}

pub trait NodeDriver: Send + Sync {
    /// virNodeGetInfo.
    fn node_info(&self) -> Result<NodeInfo> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetInfo")
    }
    /// virNodeGetCellsFreeMemory: the memory of at most `max_cells` NUMA cells from
    /// `start_cell` on.
    fn node_cells_free_memory(&self, _start_cell: i32, _max_cells: i32) -> Result<Vec<u64>> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetCellsFreeMemory")
    }
    /// virNodeGetFreeMemory.
    fn node_free_memory(&self) -> Result<u64> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetFreeMemory")
    }
    /// virNodeGetCPUMap.
    fn node_cpu_map(&self, _flags: u32) -> Result<CpuMap> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetCPUMap")
    }
    /// virNodeGetCPUStats: `room` is the caller's count, which a daemon needs (the C side fits
    /// a local driver's counters to it).
    fn node_cpu_stats(&self, _cpu: i32, _room: ParamRoom, _flags: u32) -> Result<NodeStats> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetCPUStats")
    }
    /// virNodeGetSecurityModel.
    fn node_security_model(&self) -> Result<SecurityModel> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetSecurityModel")
    }
    /// virNodeGetMemoryStats: the host's (`cell` -1) or one NUMA cell's memory counters, in KiB;
    /// `room` as virNodeGetCPUStats'.
    fn node_memory_stats(&self, _cell: i32, _room: ParamRoom, _flags: u32) -> Result<NodeStats> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetMemoryStats")
    }
    /// virConnectGetCPUModelNames: the CPU models libvirt knows for architecture `arch`.
    fn cpu_model_names(&self, _arch: String, _flags: u32) -> Result<CpuModels> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetCPUModelNames")
    }
    /// virNodeGetFreePages: the free pages of each of `npages` sizes in `cell_count` cells from
    /// `start_cell` on, cell by cell.
    fn node_free_pages(
        &self,
        _npages: u32,
        _pages: PageSizes,
        _start_cell: i32,
        _cell_count: u32,
        _flags: u32,
    ) -> Result<FreePages> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetFreePages")
    }
    /// virConnectBaselineCPU: the guest CPU every one of the host CPUs `cpus` can run.
    fn baseline_cpu(&self, _cpus: CpuXmls, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectBaselineCPU")
    }
    /// virNodeSuspendForDuration: in seconds.
    fn node_suspend_for_duration(&self, _target: u32, _duration: u64, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virNodeSuspendForDuration")
    }
    /// virConnectCompareCPU: how the host CPU compares with the one `xml` describes.
    fn compare_cpu(&self, _xml: String, _flags: u32) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virConnectCompareCPU")
    }
    /// virConnectCompareHypervisorCPU: as virConnectCompareCPU, for the CPU a hypervisor can give.
    fn compare_hypervisor_cpu(
        &self,
        _emulator: Option<String>,
        _arch: Option<String>,
        _machine: Option<String>,
        _virttype: Option<String>,
        _xml_cpu: String,
        _flags: u32,
    ) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virConnectCompareHypervisorCPU")
    }
    /// virConnectBaselineHypervisorCPU: as virConnectBaselineCPU, for a hypervisor's guests.
    fn baseline_hypervisor_cpu(
        &self,
        _emulator: Option<String>,
        _arch: Option<String>,
        _machine: Option<String>,
        _virttype: Option<String>,
        _cpus: CpuXmls,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectBaselineHypervisorCPU")
    }
    /// virNodeGetSEVInfo.
    fn node_sev_info(&self, _flags: u32) -> Result<SevInfo> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetSEVInfo")
    }
    /// virNodeGetMemoryParameters: at most the caller's room of them.
    fn node_memory_parameters(&self, _room: ParamRoom, _flags: u32) -> Result<ParamsAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetMemoryParameters")
    }
    /// virNodeSetMemoryParameters.
    fn node_set_memory_parameters(&self, _params: SetParamsOrNone, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virNodeSetMemoryParameters")
    }
    /// virNodeAllocPages: `page_counts[i]` pages of size `page_sizes[i]` (KiB) in `cell_count`
    /// cells from `start_cell` on (-1: on the whole host).
    fn node_alloc_pages(
        &self,
        _npages: u32,
        _page_sizes: PageSizes,
        _page_counts: PageCounts,
        _start_cell: i32,
        _cell_count: u32,
        _flags: u32,
    ) -> Result<AllocatedPages> {
        unsupported(VIR_FROM_DOMAIN, "virNodeAllocPages")
    }
}

/// The public layer's checks of virNodeGetCellsFreeMemory's range (libvirt-host.c), made before
/// the driver looks at its cells.
pub fn check_cells_range(start_cell: i32, max_cells: i32) -> Result<()> {
    const F: &str = "virNodeGetCellsFreeMemory";
    if max_cells <= 0 {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            F,
            "maxCells",
            format!("maxCells in {F} must be greater than zero"),
        ));
    }
    if start_cell < 0 {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            F,
            "startCell",
            format!("startCell in {F} must be zero or greater"),
        ));
    }
    Ok(())
}

/// VIR_NODE_CPU_STATS_ALL_CPUS: the only negative CPU number virNodeGetCPUStats accepts.
const ALL_CPUS: i32 = -1;

/// The public layer's check of virNodeGetCPUStats's CPU number.
pub fn check_cpu_num(cpu: i32) -> Result<()> {
    const F: &str = "virNodeGetCPUStats";
    if cpu < ALL_CPUS {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            F,
            "cpuNum",
            format!("cpuNum in {F} only accepts {ALL_CPUS} as a negative value"),
        ));
    }
    Ok(())
}

/// VIR_NODE_MEMORY_STATS_ALL_CELLS: the only negative cell virNodeGetMemoryStats accepts.
const ALL_CELLS: i32 = -1;

/// The public layer's check of virNodeGetMemoryStats's cell number (whose error names the
/// argument `cpuNum`, as the reference's does).
pub fn check_cell_num(cell: i32) -> Result<()> {
    const F: &str = "virNodeGetMemoryStats";
    if cell < ALL_CELLS {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            F,
            "cpuNum",
            format!("cellNum in {F} only accepts {ALL_CELLS} as a negative value"),
        ));
    }
    Ok(())
}

/// virConnectGetCPUModelNames' answer: the architecture's CPU models in the CPU map's order, or
/// None when its CPU driver keeps no model list (the caller's array stays NULL, the count 0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuModels(pub Option<Vec<String>>);

/// virNodeGetFreePages' answer: the counts written into the caller's array (npages x cellCount
/// of them) and the value returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreePages {
    pub counts: Vec<u64>,
    pub returned: i32,
}

/// The page sizes (KiB) virNodeGetFreePages and virNodeAllocPages are asked about, as the caller
/// gives them (`npages` of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageSizes(pub Vec<u32>);

/// How many pages of each size virNodeAllocPages is asked for (`npages` of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageCounts(pub Vec<u64>);

/// virNodeAllocPages' answer: how many pages were allocated; the public layer refuses a
/// cellCount of 0 before the driver is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocatedPages(pub i32);

/// virConnectBaselineCPU's CPUs as the caller gives them: each an XML document, or NULL (which
/// the CPU parser refuses in its turn).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuXmls(pub Vec<Option<String>>);
