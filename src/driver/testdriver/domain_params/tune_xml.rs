//! The tunables as the domain XML shows them (libvirt's virDomainDefFormat): `<blkiotune>` and
//! `<memtune>` after the memory sizes, `<numatune>` after `<cputune>`, `<perf>` after the
//! lifecycle actions, and each disk's `<iotune>` and each interface's `<bandwidth>`.

use super::{
    format_bitmap, Rate, Tunables, BLKIO_DEVICE_NAMES, IOTUNE_GROUP_AT, IOTUNE_NAMES, MEMORY_NAMES,
    PERF_EVENTS, UNLIMITED,
};
use crate::domain::devices::Element;
use crate::domain::xml::esc;
use std::fmt::Write;

/// libvirt's names of the NUMA memory modes (virDomainNumatuneMemMode).
const NUMA_MODE_NAMES: [&str; 4] = ["strict", "preferred", "interleave", "restrictive"];
/// The element names of a blkio device's values, in BLKIO_DEVICE_NAMES' order.
const BLKIO_DEVICE_ELEMENTS: [&str; 5] = [
    "weight",
    "read_iops_sec",
    "write_iops_sec",
    "read_bytes_sec",
    "write_bytes_sec",
];
const RATE_ATTRS: [&str; 4] = ["average", "peak", "burst", "floor"];

fn element(name: &str, text: String) -> Element {
    let mut e = Element::new(name);
    e.text = text;
    e
}

fn rate(name: &str, r: &Rate) -> Element {
    let mut e = Element::new(name);
    for (attr, v) in RATE_ATTRS.iter().zip(r).filter(|(_, v)| **v != 0) {
        e.set_attr(attr, &v.to_string());
    }
    e
}

impl Tunables {
    /// `<blkiotune>` and `<memtune>`, when anything is set.
    pub(in crate::driver::testdriver) fn after_memory_xml(&self) -> String {
        debug_assert_eq!(BLKIO_DEVICE_NAMES.len(), BLKIO_DEVICE_ELEMENTS.len());
        let mut out = String::new();
        let devices: Vec<_> = self
            .blkio_devices
            .iter()
            .filter(|d| d.values.iter().any(|v| *v != 0))
            .collect();
        if self.blkio_weight != 0 || !devices.is_empty() {
            out.push_str("  <blkiotune>\n");
            if self.blkio_weight != 0 {
                let _ = writeln!(out, "    <weight>{}</weight>", self.blkio_weight);
            }
            for d in devices {
                let _ = writeln!(out, "    <device>\n      <path>{}</path>", esc(&d.path));
                for (name, v) in BLKIO_DEVICE_ELEMENTS.iter().zip(d.values) {
                    if v != 0 {
                        let _ = writeln!(out, "      <{name}>{v}</{name}>");
                    }
                }
                out.push_str("    </device>\n");
            }
            out.push_str("  </blkiotune>\n");
        }
        let limits: Vec<(&str, u64)> = MEMORY_NAMES
            .iter()
            .zip(self.memory)
            .filter(|(_, v)| *v != UNLIMITED)
            .map(|(n, v)| (*n, v))
            .collect();
        if !limits.is_empty() {
            out.push_str("  <memtune>\n");
            for (name, v) in limits {
                let _ = writeln!(out, "    <{name} unit='KiB'>{v}</{name}>");
            }
            out.push_str("  </memtune>\n");
        }
        out
    }

    /// `<numatune>`, once a mode and node set are given.
    pub(in crate::driver::testdriver) fn numatune_xml(&self) -> String {
        let (Some(mode), Some(nodes)) = (self.numa_mode, &self.numa_nodeset) else {
            return String::new();
        };
        let mode = NUMA_MODE_NAMES
            .get(mode as usize)
            .copied()
            .unwrap_or("strict");
        format!(
            "  <numatune>\n    <memory mode='{mode}' nodeset='{}'/>\n  </numatune>\n",
            format_bitmap(nodes)
        )
    }

    /// `<perf>`: every event once set, enabled or not.
    pub(in crate::driver::testdriver) fn perf_xml(&self) -> String {
        let events: Vec<String> = PERF_EVENTS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.perf_set[*i])
            .map(|(i, name)| {
                let on = if self.perf[i] { "yes" } else { "no" };
                format!("    <event name='{name}' enabled='{on}'/>\n")
            })
            .collect();
        if events.is_empty() {
            return String::new();
        }
        format!("  <perf>\n{}  </perf>\n", events.concat())
    }

    /// The `<iotune>` of the disk with target `target`, when one is set.
    pub(in crate::driver::testdriver) fn iotune_element(&self, target: &str) -> Option<Element> {
        let (_, tune) = self.iotune.iter().find(|(t, _)| t == target)?;
        let mut e = Element::new("iotune");
        for (i, (name, v)) in IOTUNE_NAMES.iter().zip(tune.values).enumerate() {
            if i == IOTUNE_GROUP_AT {
                if let Some(g) = &tune.group {
                    e.children.push(element("group_name", g.clone()));
                }
            }
            if v != 0 {
                e.children.push(element(name, v.to_string()));
            }
        }
        (!e.children.is_empty()).then_some(e)
    }

    /// The `<bandwidth>` of the interface named `name`, when one is set.
    pub(in crate::driver::testdriver) fn bandwidth_element(&self, name: &str) -> Option<Element> {
        let (_, b) = self.bandwidth.iter().find(|(n, _)| n == name)?;
        let mut e = Element::new("bandwidth");
        if let Some(r) = &b.inbound {
            e.children.push(rate("inbound", r));
        }
        if let Some(r) = &b.outbound {
            e.children.push(rate("outbound", r));
        }
        (!e.children.is_empty()).then_some(e)
    }
}
