//! The test driver's host: its NUMA cells, the capabilities XML built from them, and the node and
//! connection facts the reference's test driver answers with fixed values (src/test/test_driver.c:
//! testBuildCapabilities, testOpenDefault's cells, testNode*, testConnectGetMaxVcpus/Sysinfo).

use super::{check_flags, TestDriver};
use crate::api::NoFlags;
use crate::driver::family::{
    check_cells_range, check_cpu_num, CountRule, CpuMap, CpuModels, CpuXmls, FreePages, NodeStats,
    PageSizes, ParamRoom, SecurityModel,
};
use crate::driver::{NodeDriver, NodeInfo};
use crate::error::{Error, Result, VIR_ERR_INVALID_ARG, VIR_FROM_TEST};
use std::fmt::Write;

/// One NUMA cell of the host: its memory and free memory (KiB) and its CPUs' ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub memory_kib: u64,
    pub free_kib: u64,
    /// (id, socket, core) of each CPU; each is its own only sibling.
    pub cpus: Vec<(u32, u32, u32)>,
}

/// testOpenDefault's host: two cells of 8 CPUs (one socket each), with 2 and 4 GiB, 1 and 2 GiB
/// free. A node file's host has no cells (the reference builds none for it).
pub fn default_cells() -> Vec<Cell> {
    (0..2u32)
        .map(|i| Cell {
            memory_kib: u64::from(i + 1) * 2048 * 1024,
            free_kib: u64::from(i + 1) * 1024 * 1024,
            cpus: (0..8).map(|c| (i * 8 + c, i, c)).collect(),
        })
        .collect()
}

/// The page sizes (KiB) the reference's host offers.
const PAGE_SIZES: [u64; 4] = [4, 8, 2048, 1024 * 1024];
const SECURITY_MODEL: &str = "testSecurity";
const EMULATOR: &str = "/usr/bin/test-hv";
/// testConnectGetMaxVcpus, whatever the guest type.
pub(super) const MAX_VCPUS: i32 = 32;

const SYSINFO: &str = "<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>LENOVO</entry>
    <entry name='version'>G4ETA1WW (2.61 )</entry>
    <entry name='date'>05/07/2014</entry>
    <entry name='release'>2.61</entry>
  </bios>
</sysinfo>
";

/// testNodeGetCPUStats's fixed counters (nanoseconds), whatever the CPU asked for.
const CPU_STATS: [(&str, u64); 4] = [
    ("user", 9_797_400_000),
    ("kernel", 34_678_723_400_000),
    ("idle", 87_264_900_000),
    ("iowait", 763_600_000),
];

/// virCapabilitiesFormatXML for the test driver's capabilities.
pub fn capabilities(cells: &[Cell]) -> String {
    let mut x = String::from("<capabilities>\n\n  <host>\n    <cpu>\n      <arch>i686</arch>\n");
    x.push_str("      <features>\n        <pae/>\n        <nonpae/>\n      </features>\n");
    for size in PAGE_SIZES {
        let _ = writeln!(x, "      <pages unit='KiB' size='{size}'/>");
    }
    x.push_str("    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n");
    let _ = writeln!(x, "    <topology>\n      <cells num='{}'>", cells.len());
    for (i, cell) in cells.iter().enumerate() {
        format_cell(&mut x, i, cell);
    }
    x.push_str("      </cells>\n    </topology>\n");
    let _ = writeln!(
        x,
        "    <secmodel>\n      <model>{SECURITY_MODEL}</model>\n      <doi></doi>\n    </secmodel>"
    );
    x.push_str("  </host>\n\n");
    for os_type in ["hvm", "xen"] {
        let _ = write!(
            x,
            "  <guest>\n    <os_type>{os_type}</os_type>\n    <arch name='i686'>\n      \
             <wordsize>32</wordsize>\n      <emulator>{EMULATOR}</emulator>\n      \
             <domain type='test'/>\n    </arch>\n    <features>\n      <pae/>\n      \
             <nonpae/>\n    </features>\n  </guest>\n\n"
        );
    }
    x.push_str("</capabilities>\n");
    x
}

/// One `<cell>`: the reference gives cell 1 the second page size (8 KiB) as its base pages and
/// every other cell the first (4 KiB), all of its memory in base pages, and no huge pages.
fn format_cell(x: &mut String, id: usize, cell: &Cell) {
    let _ = writeln!(x, "        <cell id='{id}'>");
    let _ = writeln!(
        x,
        "          <memory unit='KiB'>{}</memory>",
        cell.memory_kib
    );
    let base = if id == 1 {
        PAGE_SIZES[1]
    } else {
        PAGE_SIZES[0]
    };
    let _ = writeln!(
        x,
        "          <pages unit='KiB' size='{base}'>{}</pages>",
        cell.memory_kib / base
    );
    for size in &PAGE_SIZES[2..] {
        let _ = writeln!(x, "          <pages unit='KiB' size='{size}'>0</pages>");
    }
    let _ = writeln!(x, "          <cpus num='{}'>", cell.cpus.len());
    for (cpu, socket, core) in &cell.cpus {
        let _ = writeln!(
            x,
            "            <cpu id='{cpu}' socket_id='{socket}' die_id='0' core_id='{core}' siblings='{cpu}'/>"
        );
    }
    x.push_str("          </cpus>\n        </cell>\n");
}

pub fn sysinfo(flags: u32) -> Result<String> {
    check_flags(flags, NoFlags::empty(), "testConnectGetSysinfo")?;
    Ok(SYSINFO.to_string())
}

impl NodeDriver for TestDriver {
    fn cpu_model_names(&self, arch: String, flags: u32) -> Result<CpuModels> {
        TestDriver::cpu_model_names(self, &arch, flags)
    }
    fn baseline_cpu(&self, cpus: CpuXmls, flags: u32) -> Result<String> {
        TestDriver::baseline_cpu(self, cpus, flags)
    }

    fn node_free_pages(
        &self,
        npages: u32,
        _pages: PageSizes,
        _start_cell: i32,
        cell_count: u32,
        flags: u32,
    ) -> Result<FreePages> {
        check_flags(flags, NoFlags::empty(), "testNodeGetFreePages")?;
        Ok(fake_free_pages(npages as usize * cell_count as usize))
    }

    fn node_info(&self) -> Result<NodeInfo> {
        Ok(self.node_info.clone())
    }

    fn node_cells_free_memory(&self, start_cell: i32, max_cells: i32) -> Result<Vec<u64>> {
        check_cells_range(start_cell, max_cells)?;
        // The reference reports each cell's whole memory here, not its free memory.
        let start = usize::try_from(start_cell).unwrap_or(usize::MAX);
        if start >= self.cells.len() {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_TEST,
                "Range exceeds available cells",
            ));
        }
        let max = usize::try_from(max_cells).unwrap_or(0);
        Ok(self.cells[start..]
            .iter()
            .take(max)
            .map(|c| c.memory_kib)
            .collect())
    }

    fn node_free_memory(&self) -> Result<u64> {
        // The reference sums into an unsigned int.
        let sum = self
            .cells
            .iter()
            .fold(0u32, |s, c| s.wrapping_add(c.free_kib as u32));
        Ok(u64::from(sum))
    }

    fn node_cpu_map(&self, flags: u32) -> Result<CpuMap> {
        check_flags(flags, NoFlags::empty(), "testNodeGetCPUMap")?;
        // testNodeGetCPUMap: 8 CPUs, of which 0, 2 and 4 are online.
        Ok(CpuMap {
            cpus: 8,
            map: vec![0x15],
            online: 3,
        })
    }

    fn node_cpu_stats(&self, cpu: i32, _room: ParamRoom, flags: u32) -> Result<NodeStats> {
        check_cpu_num(cpu)?;
        check_flags(flags, NoFlags::empty(), "testNodeGetCPUStats")?;
        Ok(NodeStats(CPU_STATS.to_vec(), CountRule::UpToRoom))
    }

    fn node_security_model(&self) -> Result<SecurityModel> {
        Ok(SecurityModel {
            model: SECURITY_MODEL.into(),
            doi: String::new(),
        })
    }
}

/// testNodeGetFreePages' fake counts: whatever the page sizes and cells, the n-th is the next of
/// an `int` sequence from 6 (each twice the last plus 7, wrapping as C's int, sign-extended into
/// the unsigned long long); the reference returns 0, not the count written.
fn fake_free_pages(n: usize) -> FreePages {
    let mut v: i32 = 6;
    let counts = (0..n)
        .map(|_| {
            v = v.wrapping_mul(2).wrapping_add(7);
            i64::from(v) as u64
        })
        .collect();
    FreePages {
        counts,
        returned: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_cells_are_the_references() {
        let c = default_cells();
        assert_eq!(c.len(), 2);
        assert_eq!((c[1].memory_kib, c[1].free_kib), (4_194_304, 2_097_152));
        assert_eq!(c[1].cpus[7], (15, 1, 7));
        let x = capabilities(&c);
        assert!(
            x.contains("<pages unit='KiB' size='8'>524288</pages>"),
            "{x}"
        );
        assert!(capabilities(&[]).contains("<cells num='0'>\n      </cells>"));
    }
}
