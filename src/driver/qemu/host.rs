//! The host as the qemu driver reports it (virNodeGetInfo, GetCPUStats, GetMemoryStats,
//! GetFreeMemory, GetCellsFreeMemory, GetCPUMap, virConnectGetMaxVcpus): read from /proc and
//! sysfs each time, as the reference's virhostcpu.c and virhostmem.c do, with their words for
//! the errors. Paths hang off a root so that tests can give a made-up host.

use crate::driver::family::{check_cell_num, check_cells_range, check_cpu_num, ExactCount};
use crate::driver::family::{CountRule, CpuMap, NodeStats};
use crate::driver::NodeInfo;
use crate::error::{Error, Result, VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the host's files are: `/` but in tests.
pub struct Host {
    root: PathBuf,
}

impl Default for Host {
    fn default() -> Host {
        Host::at("/")
    }
}

/// The CPU counters' names, in the reference's order (virHostCPUGetStatsLinux).
const CPU_FIELDS: [&str; 4] = ["kernel", "user", "idle", "iowait"];
/// The host's memory counters and the /proc/meminfo keys they come from (virHostMemGetStatsLinux).
const MEM_FIELDS: [(&str, &str); 4] = [
    ("total", "MemTotal"),
    ("free", "MemFree"),
    ("buffers", "Buffers"),
    ("cached", "Cached"),
];
/// The counters of one NUMA cell.
const CELL_MEM_FIELDS: usize = 2;

impl Host {
    pub fn at(root: impl AsRef<Path>) -> Host {
        Host {
            root: root.as_ref().to_path_buf(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    fn read(&self, rel: &str) -> Result<String> {
        std::fs::read_to_string(self.path(rel)).map_err(|e| {
            Error::system(
                VIR_FROM_NONE,
                e.raw_os_error().unwrap_or(0),
                format!("cannot read {rel}"),
            )
        })
    }

    /// A CPU list file (`0-3,5`), or none when it is missing.
    fn cpu_list(&self, rel: &str) -> Option<BTreeSet<u32>> {
        std::fs::read_to_string(self.path(rel))
            .ok()
            .map(|s| parse_cpu_list(&s))
    }

    fn online_cpus(&self) -> BTreeSet<u32> {
        self.cpu_list("sys/devices/system/cpu/online")
            .unwrap_or_default()
    }

    /// The NUMA nodes with their CPUs; none when the host has no NUMA sysfs.
    fn nodes(&self) -> BTreeMap<u32, BTreeSet<u32>> {
        let online = self
            .cpu_list("sys/devices/system/node/online")
            .unwrap_or_default();
        online
            .into_iter()
            .map(|n| {
                let cpus = self
                    .cpu_list(&format!("sys/devices/system/node/node{n}/cpulist"))
                    .unwrap_or_default();
                (n, cpus)
            })
            .collect()
    }

    fn cpu_topology(&self, cpu: u32, what: &str) -> u32 {
        std::fs::read_to_string(
            self.path(&format!("sys/devices/system/cpu/cpu{cpu}/topology/{what}")),
        )
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
    }

    fn thread_siblings(&self, cpu: u32) -> usize {
        self.cpu_list(&format!(
            "sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list"
        ))
        .map_or(1, |s| s.len().max(1))
    }

    /// The last `cpu MHz` of /proc/cpuinfo, its fraction dropped (0 when there is none).
    fn mhz(&self) -> u32 {
        self.read("proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .rev()
            .filter(|l| l.starts_with("cpu MHz"))
            .filter_map(|l| l.split(':').nth(1))
            .find_map(|v| v.trim().split('.').next()?.parse().ok())
            .unwrap_or(0)
    }

    /// virNodeGetInfo: sockets, cores and threads counted per NUMA node from sysfs; when their
    /// product is not the CPU count, the reference's flat fallback (1 node, 1 socket, a core per
    /// CPU, 1 thread).
    pub fn node_info(&self) -> Result<NodeInfo> {
        let online = self.online_cpus();
        let mut nodes = self.nodes();
        if nodes.is_empty() {
            nodes.insert(0, online.clone());
        }
        let (mut sockets, mut cores, mut threads) = (0u32, 0u32, 0u32);
        for cpus in nodes.values() {
            let mut per_socket: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            for &cpu in cpus.iter().filter(|c| online.contains(c)) {
                let socket = self.cpu_topology(cpu, "physical_package_id");
                let core = self.cpu_topology(cpu, "core_id");
                per_socket.entry(socket).or_default().insert(core);
                threads = threads.max(self.thread_siblings(cpu) as u32);
            }
            sockets = sockets.max(per_socket.len() as u32);
            cores = cores.max(
                per_socket
                    .values()
                    .map(|c| c.len() as u32)
                    .max()
                    .unwrap_or(0),
            );
        }
        let cpus = online.len() as u32;
        let mut n = nodes.len() as u32;
        if n * sockets * cores * threads != cpus {
            (n, sockets, cores, threads) = (1, 1, cpus, 1);
        }
        Ok(NodeInfo {
            model: std::env::consts::ARCH.to_string(),
            memory_kib: self.total_memory_kib()?,
            cpus,
            mhz: self.mhz(),
            nodes: n,
            sockets,
            cores,
            threads,
        })
    }

    /// `Key: value kB` lines (a node's file prefixes them with `Node N`), values in KiB.
    fn meminfo(&self, rel: &str) -> Result<BTreeMap<String, u64>> {
        let text = self.read(rel)?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let (key, rest) = l.split_once(':')?;
                let key = key.split_whitespace().last()?.to_string();
                let value = rest.split_whitespace().next()?.parse().ok()?;
                Some((key, value))
            })
            .collect())
    }

    /// The host's memory as the reference counts it: its NUMA nodes' (which may be less than
    /// /proc/meminfo's total), or /proc/meminfo's without NUMA.
    fn total_memory_kib(&self) -> Result<u64> {
        let nodes: Vec<u32> = self.nodes().keys().copied().collect();
        if nodes.is_empty() {
            return Ok(self
                .meminfo("proc/meminfo")?
                .get("MemTotal")
                .copied()
                .unwrap_or(0));
        }
        nodes.into_iter().try_fold(0u64, |sum, n| {
            let file = format!("sys/devices/system/node/node{n}/meminfo");
            Ok(sum + self.meminfo(&file)?.get("MemTotal").copied().unwrap_or(0))
        })
    }

    /// The highest NUMA node's number (0 without NUMA sysfs).
    fn max_node(&self) -> u32 {
        self.nodes().keys().last().copied().unwrap_or(0)
    }

    /// One NUMA node's free memory in bytes; the host's when it has no NUMA sysfs.
    fn node_free_bytes(&self, node: u32) -> Result<u64> {
        let rel = format!("sys/devices/system/node/node{node}/meminfo");
        let (file, key) = match self.path(&rel).exists() {
            true => (rel, "MemFree"),
            false => ("proc/meminfo".to_string(), "MemFree"),
        };
        Ok(self.meminfo(&file)?.get(key).copied().unwrap_or(0) * 1024)
    }

    /// virNodeGetFreeMemory: the free memory of every node, in bytes.
    pub fn free_memory(&self) -> Result<u64> {
        let nodes: Vec<u32> = match self.nodes().keys().copied().collect::<Vec<_>>() {
            n if n.is_empty() => vec![0],
            n => n,
        };
        nodes
            .into_iter()
            .try_fold(0u64, |sum, n| Ok(sum + self.node_free_bytes(n)?))
    }

    /// virNodeGetCellsFreeMemory: cells `start..` up to the last, at most `max` of them.
    pub fn cells_free_memory(&self, start: i32, max: i32) -> Result<Vec<u64>> {
        check_cells_range(start, max)?;
        let last = self.max_node() as i32;
        if start > last {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_NONE,
                format!("start cell {start} out of range (0-{last})"),
            ));
        }
        let end = last.min(start.saturating_add(max - 1));
        (start..=end)
            .map(|n| self.node_free_bytes(n as u32))
            .collect()
    }

    /// virNodeGetCPUMap: the present CPUs' count and the online ones.
    pub fn cpu_map(&self) -> Result<CpuMap> {
        let present = self
            .cpu_list("sys/devices/system/cpu/present")
            .unwrap_or_default();
        let cpus = present.iter().last().map_or(0, |l| l + 1);
        let online = self.online_cpus();
        let mut map = vec![0u8; (cpus as usize).div_ceil(8)];
        for &c in online.iter().filter(|c| **c < cpus) {
            map[c as usize / 8] |= 1 << (c % 8);
        }
        Ok(CpuMap {
            cpus: cpus as i32,
            map,
            online: online.iter().filter(|c| **c < cpus).count() as u32,
        })
    }

    /// virNodeGetCPUStats: the host's (`cpu` -1) or one CPU's times in nanoseconds, from
    /// /proc/stat's ticks.
    pub fn cpu_stats(&self, cpu: i32) -> Result<NodeStats> {
        check_cpu_num(cpu)?;
        const F: &str = "virHostCPUGetStatsLinux";
        let refusal = Error::invalid_arg(
            VIR_FROM_NONE,
            F,
            "*nparams",
            format!("nparams in {F} must be equal to {}", CPU_FIELDS.len()),
        );
        let line = match cpu {
            -1 => "cpu".to_string(),
            n => format!("cpu{n}"),
        };
        let stat = self.read("proc/stat")?;
        let ticks: Option<Vec<u64>> = stat
            .lines()
            .find(|l| l.split_whitespace().next() == Some(line.as_str()))
            .map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .map(|v| v.parse().unwrap_or(0))
                    .collect()
            });
        let Some(t) = ticks else {
            let deferred =
                Error::invalid_arg(VIR_FROM_NONE, F, "cpuNum", format!("Invalid cpuNum in {F}"));
            let zero = CPU_FIELDS.iter().map(|f| (*f, 0)).collect();
            return Ok(NodeStats(
                zero,
                CountRule::Exact(Box::new(ExactCount {
                    refusal,
                    deferred: Some(deferred),
                })),
            ));
        };
        let at = |i: usize| t.get(i).copied().unwrap_or(0);
        // user nice system idle iowait irq softirq
        let ns = 1_000_000_000 / crate::host::clock_ticks_per_second();
        let values = [at(2) + at(5) + at(6), at(0) + at(1), at(3), at(4)];
        Ok(NodeStats(
            CPU_FIELDS
                .iter()
                .zip(values)
                .map(|(f, v)| (*f, v * ns))
                .collect(),
            CountRule::Exact(Box::new(ExactCount {
                refusal,
                deferred: None,
            })),
        ))
    }

    /// virNodeGetMemoryStats: the host's counters from /proc/meminfo, or a cell's total and free
    /// from its sysfs meminfo, in KiB.
    pub fn memory_stats(&self, cell: i32) -> Result<NodeStats> {
        check_cell_num(cell)?;
        let last = self.max_node() as i32;
        if cell > last {
            const F: &str = "virHostMemGetStats";
            return Err(Error::invalid_arg(
                VIR_FROM_NONE,
                F,
                "cellNum",
                format!("cellNum in {F} must be less than or equal to {last}"),
            ));
        }
        let (file, fields) = match cell {
            -1 => ("proc/meminfo".to_string(), &MEM_FIELDS[..]),
            n => (
                format!("sys/devices/system/node/node{n}/meminfo"),
                &MEM_FIELDS[..CELL_MEM_FIELDS],
            ),
        };
        let info = self.meminfo(&file)?;
        const F: &str = "virHostMemGetStatsLinux";
        // Unlike the CPU counters' refusal, this one names `nparams` itself.
        let refusal = Error::invalid_arg(
            VIR_FROM_NONE,
            F,
            "nparams",
            format!("nparams in {F} must be {}", fields.len()),
        );
        Ok(NodeStats(
            fields
                .iter()
                .map(|(name, key)| (*name, info.get(*key).copied().unwrap_or(0)))
                .collect(),
            CountRule::Exact(Box::new(ExactCount {
                refusal,
                deferred: None,
            })),
        ))
    }
}

/// `0-3,5,7-8` as the set of CPU numbers.
pub fn parse_cpu_list(s: &str) -> BTreeSet<u32> {
    let mut set = BTreeSet::new();
    for part in s.trim().split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
            set.extend(a..=b);
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_host() -> (tempfile_dir::Dir, Host) {
        let d = tempfile_dir::Dir::new();
        d.write("sys/devices/system/cpu/online", "0-3\n");
        d.write("sys/devices/system/cpu/present", "0-3\n");
        d.write("sys/devices/system/node/online", "0\n");
        d.write("sys/devices/system/node/node0/cpulist", "0-3\n");
        d.write(
            "sys/devices/system/node/node0/meminfo",
            "Node 0 MemTotal:       1000 kB\nNode 0 MemFree:         400 kB\n",
        );
        for c in 0..4 {
            d.write(
                &format!("sys/devices/system/cpu/cpu{c}/topology/physical_package_id"),
                "0\n",
            );
            d.write(
                &format!("sys/devices/system/cpu/cpu{c}/topology/core_id"),
                &format!("{}\n", c / 2),
            );
            d.write(
                &format!("sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list"),
                &format!("{}-{}\n", c / 2 * 2, c / 2 * 2 + 1),
            );
        }
        d.write(
            "proc/meminfo",
            "MemTotal:       1000 kB\nMemFree:         500 kB\nBuffers: 10 kB\nCached: 20 kB\n",
        );
        d.write("proc/cpuinfo", "cpu MHz\t\t: 2793.436\n");
        d.write("proc/stat", "cpu  1 2 3 4 5 6 7\ncpu0 1 0 0 0 0 0 0\n");
        let h = Host::at(d.path());
        (d, h)
    }

    /// A throwaway directory (no crate for it here).
    mod tempfile_dir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let p = std::env::temp_dir().join(format!(
                    "oxvirt-host-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                let _ = std::fs::remove_dir_all(&p);
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
            pub fn write(&self, rel: &str, text: &str) {
                let p = self.0.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn node_info_counts_sockets_cores_and_threads_from_sysfs() {
        let (_d, h) = fake_host();
        let i = h.node_info().unwrap();
        assert_eq!(
            (i.cpus, i.nodes, i.sockets, i.cores, i.threads),
            (4, 1, 1, 2, 2)
        );
        assert_eq!((i.memory_kib, i.mhz), (1000, 2793));
    }

    #[test]
    fn memory_and_cpu_counters_have_the_references_names_and_units() {
        let (_d, h) = fake_host();
        let m = h.memory_stats(-1).unwrap();
        assert_eq!(
            m.0,
            vec![
                ("total", 1000),
                ("free", 500),
                ("buffers", 10),
                ("cached", 20)
            ]
        );
        assert_eq!(
            h.memory_stats(0).unwrap().0,
            vec![("total", 1000), ("free", 400)]
        );
        assert!(h.memory_stats(1).is_err());
        let ns = 1_000_000_000 / crate::host::clock_ticks_per_second();
        let c = h.cpu_stats(-1).unwrap();
        assert_eq!(
            c.0,
            vec![
                ("kernel", 16 * ns),
                ("user", 3 * ns),
                ("idle", 4 * ns),
                ("iowait", 5 * ns)
            ]
        );
        assert!(matches!(
            h.cpu_stats(7).unwrap().1,
            CountRule::Exact(e) if e.deferred.is_some()
        ));
        assert_eq!(h.free_memory().unwrap(), 400 * 1024);
        assert_eq!(h.cells_free_memory(0, 5).unwrap(), vec![400 * 1024]);
        assert!(h.cells_free_memory(1, 5).is_err());
        let map = h.cpu_map().unwrap();
        assert_eq!((map.cpus, map.map, map.online), (4, vec![0x0f], 4));
    }

    #[test]
    fn cpu_lists_parse() {
        assert_eq!(
            parse_cpu_list("0-2,5\n").into_iter().collect::<Vec<_>>(),
            vec![0, 1, 2, 5]
        );
    }
}
