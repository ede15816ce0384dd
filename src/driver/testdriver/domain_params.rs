//! The test driver's typed-parameter functions (blkio, memory, NUMA, interface and block I/O tune
//! parameters, perf events) as the reference's test driver answers them (src/test/test_driver.c),
//! and the tunables they keep in each definition (live and persistent apart).

mod tune_xml;

use super::domain_extras::{affected, test_invalid_arg, test_operation_invalid};
use super::{check_flags, Dom, TestDriver};
use crate::api::{DomainMemoryFlags, DomainModificationImpact, TypedParameterFlags};
use crate::domain::DomainRef;
use crate::driver::family::{
    check_live_config_exclusive, public_invalid_arg, MemoryBytes, ParamRoom, ParamsAnswer,
    SetParams, TypedParams, TypedValue,
};
use crate::error::{
    Error, Result, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG,
    VIR_FROM_DOMAIN, VIR_FROM_TEST,
};

/// libvirt's "no limit" for the memory tunables (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED).
const UNLIMITED: u64 = 9_007_199_254_740_991;
/// The largest block I/O throttle the test driver takes (TEST_BLOCK_IOTUNE_MAX).
const IOTUNE_MAX: u64 = 1_000_000_000_000_000;
/// NUMA memory modes: strict, preferred, interleave, restrictive.
const NUMA_MODES: i32 = 4;
/// The highest CPU or node number a bitmap may name, plus one (VIR_DOMAIN_CPUMASK_LEN).
const BITMAP_LEN: u32 = 1024;

const MEMORY_NAMES: [&str; 3] = ["hard_limit", "soft_limit", "swap_hard_limit"];
const NUMA_MODE: &str = "numa_mode";
const NUMA_NODESET: &str = "numa_nodeset";
const BLKIO_WEIGHT: &str = "weight";
/// The blkio per-device lists, in the getter's order.
const BLKIO_DEVICE_NAMES: [&str; 5] = [
    "device_weight",
    "device_read_iops_sec",
    "device_write_iops_sec",
    "device_read_bytes_sec",
    "device_write_bytes_sec",
];
const BANDWIDTH_NAMES: [&str; 7] = [
    "inbound.average",
    "inbound.peak",
    "inbound.burst",
    "inbound.floor",
    "outbound.average",
    "outbound.peak",
    "outbound.burst",
];
/// The block I/O tune values in the getter's order; the group name comes after the 13th.
const IOTUNE_NAMES: [&str; 19] = [
    "total_bytes_sec",
    "read_bytes_sec",
    "write_bytes_sec",
    "total_iops_sec",
    "read_iops_sec",
    "write_iops_sec",
    "total_bytes_sec_max",
    "read_bytes_sec_max",
    "write_bytes_sec_max",
    "total_iops_sec_max",
    "read_iops_sec_max",
    "write_iops_sec_max",
    "size_iops_sec",
    "total_bytes_sec_max_length",
    "read_bytes_sec_max_length",
    "write_bytes_sec_max_length",
    "total_iops_sec_max_length",
    "read_iops_sec_max_length",
    "write_iops_sec_max_length",
];
const IOTUNE_GROUP: &str = "group_name";
/// Where the group name sits among the getter's parameters.
const IOTUNE_GROUP_AT: usize = 13;
const PERF_EVENTS: [&str; 22] = [
    "cmt",
    "mbmt",
    "mbml",
    "cpu_cycles",
    "instructions",
    "cache_references",
    "cache_misses",
    "branch_instructions",
    "branch_misses",
    "bus_cycles",
    "stalled_cycles_frontend",
    "stalled_cycles_backend",
    "ref_cpu_cycles",
    "cpu_clock",
    "task_clock",
    "page_faults",
    "context_switches",
    "cpu_migrations",
    "page_faults_min",
    "page_faults_maj",
    "alignment_faults",
    "emulation_faults",
];

/// One device's blkio tunables (0 is unset).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct BlkioDevice {
    path: String,
    /// weight, read iops, write iops, read bytes/s, write bytes/s: BLKIO_DEVICE_NAMES' order.
    values: [u64; 5],
}

/// One direction of an interface's bandwidth: average, peak, burst, floor.
type Rate = [u32; 4];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Bandwidth {
    inbound: Option<Rate>,
    outbound: Option<Rate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct IoTune {
    values: [u64; 19],
    group: Option<String>,
}

/// What one definition holds of the tunables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tunables {
    /// hard, soft and swap-hard limits (KiB).
    memory: [u64; 3],
    /// The NUMA mode once set, and the node set.
    numa_mode: Option<i32>,
    numa_nodeset: Option<Vec<u32>>,
    blkio_weight: u32,
    blkio_devices: Vec<BlkioDevice>,
    /// By interface name.
    bandwidth: Vec<(String, Bandwidth)>,
    /// By disk target.
    iotune: Vec<(String, IoTune)>,
    perf: [bool; 22],
    /// Which perf events were ever set (the XML shows those, enabled or not).
    perf_set: [bool; 22],
}

super::sparse::shared_default!(Tunables);

impl Default for Tunables {
    fn default() -> Tunables {
        Tunables {
            memory: [UNLIMITED; 3],
            numa_mode: None,
            numa_nodeset: None,
            blkio_weight: 0,
            blkio_devices: Vec::new(),
            bandwidth: Vec::new(),
            iotune: Vec::new(),
            perf: [false; 22],
            perf_set: [false; 22],
        }
    }
}

/// The type a parameter must have, by name (virTypedParamsValidate's table).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    UInt,
    ULLong,
    Boolean,
    String,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Int => "int",
        Kind::UInt => "uint",
        Kind::ULLong => "ullong",
        Kind::Boolean => "boolean",
        Kind::String => "string",
    }
}

fn kind_of(v: &TypedValue) -> &'static str {
    match v {
        TypedValue::Int(_) => "int",
        TypedValue::UInt(_) => "uint",
        TypedValue::LLong(_) => "llong",
        TypedValue::ULLong(_) => "ullong",
        TypedValue::Double(_) => "double",
        TypedValue::Boolean(_) => "boolean",
        TypedValue::String(_) => "string",
    }
}

/// virTypedParamsValidate: every parameter known, of its type, and given once; the parameters are
/// looked at in name order, as libvirt sorts them.
fn validate(params: &TypedParams, keys: &[(&str, Kind)]) -> Result<()> {
    let mut sorted: Vec<&(String, TypedValue)> = params.0.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut prev: Option<&str> = None;
    for (name, value) in sorted {
        let Some((_, kind)) = keys.iter().find(|(k, _)| k == name) else {
            return Err(Error::with(
                VIR_ERR_ARGUMENT_UNSUPPORTED,
                0,
                format!("parameter '{name}' not supported"),
            ));
        };
        if prev == Some(name.as_str()) {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                0,
                format!("parameter '{name}' occurs multiple times"),
            ));
        }
        if kind_of(value) != kind_name(*kind) {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                0,
                format!(
                    "invalid type '{}' for parameter '{name}', expected '{}'",
                    kind_of(value),
                    kind_name(*kind)
                ),
            ));
        }
        prev = Some(name);
    }
    Ok(())
}

/// virDomainObjGetOneDefState: exactly one definition; true for the live one.
fn one_def(dom: &Dom, flags: u32) -> Result<bool> {
    let f = DomainModificationImpact::from_bits_truncate(flags);
    if f.contains(DomainModificationImpact::LIVE | DomainModificationImpact::CONFIG) {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            "virDomainObjGetOneDefState",
            "flags",
            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
                .into(),
        ));
    }
    Ok(affected(dom, flags)?.0)
}

/// A getter's flags: LIVE, CONFIG and the string flag the public layer adds.
fn check_get_flags(flags: u32, function: &str) -> Result<()> {
    let impact = flags & !TypedParameterFlags::OKAY.bits();
    check_flags(impact, DomainModificationImpact::all(), function).map(|_| ())
}

fn check_set_flags(flags: u32, function: &str) -> Result<()> {
    check_flags(flags, DomainModificationImpact::all(), function).map(|_| ())
}

/// The first `room` of `params`, as a getter answers.
fn answer(room: ParamRoom, params: Vec<(String, TypedValue)>) -> ParamsAnswer {
    ParamsAnswer::Params(TypedParams(params.into_iter().take(room.0).collect()))
}

/// virBitmapParse: "0-3,^2,7"; None when the text is not one.
fn parse_bitmap(text: &str) -> Option<Vec<u32>> {
    let mut set = std::collections::BTreeSet::new();
    for item in text.split(',').map(str::trim) {
        let (neg, item) = match item.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        let (lo, hi) = match item.split_once('-') {
            Some((a, b)) if !neg => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            _ => {
                let n = item.parse::<u32>().ok()?;
                (n, n)
            }
        };
        if lo > hi || hi >= BITMAP_LEN {
            return None;
        }
        for n in lo..=hi {
            match neg {
                true => set.remove(&n),
                false => set.insert(n),
            };
        }
    }
    Some(set.into_iter().collect())
}

/// virBitmapFormat: ranges, "0-2,5".
pub(super) fn format_bitmap(bits: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < bits.len() {
        let start = bits[i];
        while i + 1 < bits.len() && bits[i + 1] == bits[i] + 1 {
            i += 1;
        }
        out.push(match bits[i] == start {
            true => start.to_string(),
            false => format!("{start}-{}", bits[i]),
        });
        i += 1;
    }
    out.join(",")
}

/// virDomainNetFind: an interface by MAC address or by name.
fn find_net(dom: &Dom, device: &str) -> Result<String> {
    let by_mac = device.len() == 17 && device.split(':').count() == 6;
    dom.extras
        .nets
        .iter()
        .find(|(name, mac)| match by_mac {
            true => mac.eq_ignore_ascii_case(device),
            false => name == device,
        })
        .map(|(name, _)| name.clone())
        .ok_or_else(|| {
            Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_DOMAIN,
                format!("'{device}' is not a known interface"),
            )
        })
}

/// virDomainDiskByName: a disk by target or source path; its target.
fn find_disk(dom: &Dom, disk: &str) -> Option<String> {
    dom.extras
        .disks
        .iter()
        .find(|(target, source)| target == disk || source == disk)
        .map(|(target, _)| target.clone())
}

/// "path,value,path,value": the blkio device list the setter takes.
fn parse_blkio_devices(field: &str, text: &str, at: usize) -> Result<Vec<BlkioDevice>> {
    let bad = || {
        Error::with(
            VIR_ERR_INVALID_ARG,
            VIR_FROM_DOMAIN,
            format!("unable to parse blkio device '{field}' '{text}'"),
        )
    };
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() % 2 != 0 {
        return Err(bad());
    }
    parts
        .chunks(2)
        .map(|pair| {
            let value: u64 = pair[1].parse().map_err(|_| bad())?;
            let mut values = [0; 5];
            values[at] = value;
            Ok(BlkioDevice {
                path: pair[0].to_string(),
                values,
            })
        })
        .collect()
}

impl TestDriver {
    /// The tunables of the definition `flags` names (checked as virDomainObjGetOneDefState).
    fn with_tunables<T>(
        &self,
        d: &DomainRef,
        flags: u32,
        f: impl FnOnce(&mut Dom, bool) -> Result<T>,
    ) -> Result<T> {
        self.with_dom(d, |dom| {
            let live = one_def(dom, flags)?;
            f(dom, live)
        })
    }

    pub(super) fn memory_parameters(
        &self,
        d: &DomainRef,
        room: ParamRoom,
        flags: u32,
    ) -> Result<ParamsAnswer> {
        check_live_config_exclusive("virDomainGetMemoryParameters", flags)?;
        check_get_flags(flags, "testDomainGetMemoryParameters")?;
        if room.count_only() {
            return Ok(ParamsAnswer::Count(MEMORY_NAMES.len() as i32));
        }
        self.with_tunables(d, flags, |dom, live| {
            let t = &dom.extras_ref(live).tune;
            let list = MEMORY_NAMES
                .iter()
                .zip(t.memory)
                .map(|(n, v)| (n.to_string(), TypedValue::ULLong(v)))
                .collect();
            Ok(answer(room, list))
        })
    }

    pub(super) fn set_memory_parameters(
        &self,
        d: &DomainRef,
        params: SetParams,
        flags: u32,
    ) -> Result<()> {
        check_set_flags(flags, "testDomainSetMemoryParameters")?;
        let keys: Vec<(&str, Kind)> = MEMORY_NAMES.iter().map(|n| (*n, Kind::ULLong)).collect();
        validate(&params.0, &keys)?;
        let mut new: [Option<u64>; 3] = [None; 3];
        for (name, value) in &params.0 .0 {
            if let (Some(i), TypedValue::ULLong(v)) =
                (MEMORY_NAMES.iter().position(|n| n == name), value)
            {
                new[i] = Some(*v);
            }
        }
        self.with_tunables(d, flags, |dom, live| {
            // The reference compares with the domain's current definition, whichever is changed.
            let current = dom.extras_ref(dom.active()).tune.memory;
            if new[0].is_some() || new[2].is_some() {
                let hard = new[0].unwrap_or(current[0]);
                let swap = new[2].unwrap_or(current[2]);
                if hard > swap {
                    return Err(test_invalid_arg(
                        "memory hard_limit tunable value must be lower than or equal to swap_hard_limit"
                            .into(),
                    ));
                }
            }
            let t = &mut dom.extras_of(live).tune;
            for (slot, v) in t.memory.iter_mut().zip(new) {
                if let Some(v) = v {
                    *slot = v;
                }
            }
            Ok(())
        })
    }

    pub(super) fn numa_parameters(
        &self,
        d: &DomainRef,
        room: ParamRoom,
        flags: u32,
    ) -> Result<ParamsAnswer> {
        check_get_flags(flags, "testDomainGetNumaParameters")?;
        if room.count_only() {
            return Ok(ParamsAnswer::Count(2));
        }
        self.with_tunables(d, flags, |dom, live| {
            let t = &dom.extras_ref(live).tune;
            let nodeset = t.numa_nodeset.as_deref().map(format_bitmap);
            Ok(answer(
                room,
                vec![
                    (NUMA_MODE.into(), TypedValue::Int(t.numa_mode.unwrap_or(0))),
                    (
                        NUMA_NODESET.into(),
                        TypedValue::String(nodeset.unwrap_or_default()),
                    ),
                ],
            ))
        })
    }

    pub(super) fn set_numa_parameters(
        &self,
        d: &DomainRef,
        params: SetParams,
        flags: u32,
    ) -> Result<()> {
        check_set_flags(flags, "testDomainSetNumaParameters")?;
        validate(
            &params.0,
            &[(NUMA_MODE, Kind::Int), (NUMA_NODESET, Kind::String)],
        )?;
        self.with_tunables(d, flags, |dom, live| {
            let (mut mode, mut nodeset) = (None, None);
            for (name, value) in &params.0 .0 {
                match (name.as_str(), value) {
                    (NUMA_MODE, TypedValue::Int(m)) => {
                        if !(0..NUMA_MODES).contains(m) {
                            return Err(test_invalid_arg(format!(
                                "unsupported numatune mode: '{m}'"
                            )));
                        }
                        mode = Some(*m);
                    }
                    (NUMA_NODESET, TypedValue::String(s)) => {
                        let bits = parse_bitmap(s).ok_or_else(|| {
                            Error::with(
                                VIR_ERR_INVALID_ARG,
                                0,
                                format!("Failed to parse bitmap '{s}'"),
                            )
                        })?;
                        if bits.is_empty() {
                            return Err(test_operation_invalid(&format!(
                                "Invalid nodeset of 'numatune': {s}"
                            )));
                        }
                        nodeset = Some(bits);
                    }
                    _ => {}
                }
            }
            let t = &dom.extras_ref(live).tune;
            if live && mode.is_some() && t.numa_mode.is_some() && t.numa_mode != mode {
                return Err(test_operation_invalid(
                    "can't change numatune mode for running domain",
                ));
            }
            if mode.is_none() && nodeset.is_none() {
                return Ok(());
            }
            if nodeset.is_none() && t.numa_nodeset.is_none() {
                return Err(Error::with(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    VIR_FROM_DOMAIN,
                    "nodeset for NUMA memory tuning must be set if 'placement' is 'static'",
                ));
            }
            let t = &mut dom.extras_of(live).tune;
            t.numa_mode = Some(mode.or(t.numa_mode).unwrap_or(0));
            if nodeset.is_some() {
                t.numa_nodeset = nodeset;
            }
            Ok(())
        })
    }

    pub(super) fn interface_parameters(
        &self,
        d: &DomainRef,
        device: Option<String>,
        room: ParamRoom,
        flags: u32,
    ) -> Result<ParamsAnswer> {
        check_get_flags(flags, "testDomainGetInterfaceParameters")?;
        if room.count_only() {
            return Ok(ParamsAnswer::Count(BANDWIDTH_NAMES.len() as i32));
        }
        self.with_tunables(d, flags, |dom, live| {
            let name = find_net(dom, device.as_deref().unwrap_or_default())?;
            let bw = dom
                .extras_ref(live)
                .tune
                .bandwidth
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            let values = bw
                .inbound
                .unwrap_or_default()
                .into_iter()
                .chain(bw.outbound.unwrap_or_default().into_iter().take(3));
            let list = BANDWIDTH_NAMES
                .iter()
                .zip(values)
                .map(|(n, v)| (n.to_string(), TypedValue::UInt(v)))
                .collect();
            Ok(answer(room, list))
        })
    }

    pub(super) fn set_interface_parameters(
        &self,
        d: &DomainRef,
        device: Option<String>,
        params: SetParams,
        flags: u32,
    ) -> Result<()> {
        check_set_flags(flags, "testDomainSetInterfaceParameters")?;
        let keys: Vec<(&str, Kind)> = BANDWIDTH_NAMES.iter().map(|n| (*n, Kind::UInt)).collect();
        validate(&params.0, &keys)?;
        self.with_tunables(d, flags, |dom, live| {
            let name = find_net(dom, device.as_deref().unwrap_or_default())?;
            let (mut inbound, mut outbound): (Rate, Rate) = ([0; 4], [0; 4]);
            let (mut in_given, mut out_given) = (false, false);
            for (field, value) in &params.0 .0 {
                let (Some(i), TypedValue::UInt(v)) =
                    (BANDWIDTH_NAMES.iter().position(|n| n == field), value)
                else {
                    continue;
                };
                match i {
                    0..=3 => inbound[i] = *v,
                    _ => outbound[i - 4] = *v,
                }
                // Average or floor inbound, average outbound: what asks for a direction's change.
                in_given |= i == 0 || i == 3;
                out_given |= i == 4;
            }
            // Average or floor make an inbound rate, average an outbound one.
            let inbound = (inbound[0] != 0 || inbound[3] != 0).then_some(inbound);
            let outbound = (outbound[0] != 0).then_some(outbound);
            let list = &mut dom.extras_of(live).tune.bandwidth;
            let at = match list.iter().position(|(n, _)| *n == name) {
                Some(at) => at,
                None => {
                    list.push((name, Bandwidth::default()));
                    list.len() - 1
                }
            };
            let bw = &mut list[at].1;
            if inbound.is_some() || in_given {
                bw.inbound = inbound;
            }
            if outbound.is_some() || out_given {
                bw.outbound = outbound;
            }
            Ok(())
        })
    }

    pub(super) fn blkio_parameters(
        &self,
        d: &DomainRef,
        room: ParamRoom,
        flags: u32,
    ) -> Result<ParamsAnswer> {
        check_live_config_exclusive("virDomainGetBlkioParameters", flags)?;
        check_get_flags(flags, "testDomainGetBlkioParameters")?;
        if room.count_only() {
            return Ok(ParamsAnswer::Count(1 + BLKIO_DEVICE_NAMES.len() as i32));
        }
        // The reference zeroes the caller's count before it looks the domain up.
        let found = self.with_tunables(d, flags, |dom, live| {
            let t = &dom.extras_ref(live).tune;
            let mut list = vec![(BLKIO_WEIGHT.into(), TypedValue::UInt(t.blkio_weight))];
            for (at, name) in BLKIO_DEVICE_NAMES.iter().enumerate() {
                let text: Vec<String> = t
                    .blkio_devices
                    .iter()
                    .filter(|dev| dev.values[at] != 0)
                    .map(|dev| format!("{},{}", dev.path, dev.values[at]))
                    .collect();
                list.push((name.to_string(), TypedValue::String(text.join(","))));
            }
            Ok(answer(room, list))
        });
        Ok(found.unwrap_or_else(ParamsAnswer::FailedAfterZeroing))
    }

    pub(super) fn set_blkio_parameters(
        &self,
        d: &DomainRef,
        params: SetParams,
        flags: u32,
    ) -> Result<()> {
        check_set_flags(flags, "testDomainSetBlkioParameters")?;
        let mut keys = vec![(BLKIO_WEIGHT, Kind::UInt)];
        keys.extend(BLKIO_DEVICE_NAMES.iter().map(|n| (*n, Kind::String)));
        validate(&params.0, &keys)?;
        self.with_tunables(d, flags, |dom, live| {
            let t = &mut dom.extras_of(live).tune;
            let mut next = t.clone();
            for (name, value) in &params.0 .0 {
                match (name.as_str(), value) {
                    (BLKIO_WEIGHT, TypedValue::UInt(w)) => next.blkio_weight = *w,
                    (field, TypedValue::String(text)) => {
                        let at = BLKIO_DEVICE_NAMES
                            .iter()
                            .position(|n| *n == field)
                            .unwrap_or_default();
                        for dev in parse_blkio_devices(field, text, at)? {
                            match next.blkio_devices.iter_mut().find(|d| d.path == dev.path) {
                                Some(old) => old.values[at] = dev.values[at],
                                None => next.blkio_devices.push(dev),
                            }
                        }
                    }
                    _ => {}
                }
            }
            *t = next;
            Ok(())
        })
    }

    pub(super) fn block_io_tune(
        &self,
        d: &DomainRef,
        disk: Option<String>,
        room: ParamRoom,
        flags: u32,
    ) -> Result<ParamsAnswer> {
        check_live_config_exclusive("virDomainGetBlockIoTune", flags)?;
        check_get_flags(flags, "testDomainGetBlockIoTune")?;
        if room.count_only() {
            return Ok(ParamsAnswer::Count(IOTUNE_NAMES.len() as i32 + 1));
        }
        let Some(disk) = disk else {
            return Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virDomainGetBlockIoTune",
                "disk",
            ));
        };
        self.with_tunables(d, flags, |dom, live| {
            let target = find_disk(dom, &disk).ok_or_else(|| {
                test_invalid_arg(format!("disk '{disk}' was not found in the domain config"))
            })?;
            let tune = iotune_of(&dom.extras_ref(live).tune, &target);
            let mut list: Vec<(String, TypedValue)> = IOTUNE_NAMES
                .iter()
                .zip(tune.values)
                .map(|(n, v)| (n.to_string(), TypedValue::ULLong(v)))
                .collect();
            list.insert(
                IOTUNE_GROUP_AT,
                (
                    IOTUNE_GROUP.into(),
                    TypedValue::String(tune.group.unwrap_or_default()),
                ),
            );
            Ok(answer(room, list))
        })
    }

    pub(super) fn set_block_io_tune(
        &self,
        d: &DomainRef,
        disk: String,
        params: SetParams,
        flags: u32,
    ) -> Result<()> {
        check_set_flags(flags, "testDomainSetBlockIoTune")?;
        let mut keys: Vec<(&str, Kind)> = IOTUNE_NAMES.iter().map(|n| (*n, Kind::ULLong)).collect();
        keys.push((IOTUNE_GROUP, Kind::String));
        validate(&params.0, &keys)?;
        self.with_tunables(d, flags, |dom, live| {
            let target = find_disk(dom, &disk).ok_or_else(|| {
                test_invalid_arg(format!(
                    "missing persistent configuration for disk '{disk}'"
                ))
            })?;
            let mut tune = iotune_of(&dom.extras_ref(live).tune, &target);
            for (name, value) in &params.0 .0 {
                match value {
                    TypedValue::ULLong(v) => {
                        if *v > IOTUNE_MAX {
                            return Err(Error::with(
                                VIR_ERR_ARGUMENT_UNSUPPORTED,
                                VIR_FROM_TEST,
                                format!(
                                    "block I/O throttle limit value must be no more than {IOTUNE_MAX}"
                                ),
                            ));
                        }
                        if let Some(i) = IOTUNE_NAMES.iter().position(|n| n == name) {
                            tune.values[i] = *v;
                        }
                    }
                    TypedValue::String(s) => tune.group = Some(s.clone()),
                    _ => {}
                }
            }
            check_iotune(&tune)?;
            let list = &mut dom.extras_of(live).tune.iotune;
            list.retain(|(t, _)| *t != target);
            list.push((target, tune));
            Ok(())
        })
    }

    pub(super) fn perf_events(&self, d: &DomainRef, flags: u32) -> Result<TypedParams> {
        check_get_flags(flags, "testDomainGetPerfEvents")?;
        self.with_tunables(d, flags, |dom, live| {
            let t = &dom.extras_ref(live).tune;
            Ok(TypedParams(
                PERF_EVENTS
                    .iter()
                    .zip(t.perf)
                    .map(|(n, on)| (n.to_string(), TypedValue::Boolean(on)))
                    .collect(),
            ))
        })
    }

    pub(super) fn set_perf_events(
        &self,
        d: &DomainRef,
        params: SetParams,
        flags: u32,
    ) -> Result<()> {
        check_set_flags(flags, "testDomainSetPerfEvents")?;
        let keys: Vec<(&str, Kind)> = PERF_EVENTS.iter().map(|n| (*n, Kind::Boolean)).collect();
        validate(&params.0, &keys)?;
        self.with_tunables(d, flags, |dom, live| {
            let t = &mut dom.extras_of(live).tune;
            for (name, value) in &params.0 .0 {
                if let (Some(i), TypedValue::Boolean(on)) =
                    (PERF_EVENTS.iter().position(|n| n == name), value)
                {
                    t.perf[i] = *on;
                    t.perf_set[i] = true;
                }
            }
            Ok(())
        })
    }
}

impl TestDriver {
    /// The reference's fake guest memory: each byte is the low byte of its address.
    pub(super) fn memory_peek(
        &self,
        d: &DomainRef,
        start: u64,
        size: u64,
        flags: u32,
    ) -> Result<MemoryBytes> {
        let f = DomainMemoryFlags::from_bits_truncate(flags);
        if f.contains(DomainMemoryFlags::VIRTUAL | DomainMemoryFlags::PHYSICAL) {
            return Err(public_invalid_arg(
                "virDomainMemoryPeek",
                "ctl",
                "Flags 'VIR_MEMORY_VIRTUAL' and 'VIR_MEMORY_PHYSICAL' are mutually exclusive"
                    .into(),
            ));
        }
        check_flags(flags, DomainMemoryFlags::all(), "testDomainMemoryPeek")?;
        if f.is_empty() {
            return Err(test_invalid_arg(
                "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL".into(),
            ));
        }
        self.with_dom(d, |dom| {
            if !dom.active() {
                return Err(Error::operation_invalid("domain is not running"));
            }
            Ok(MemoryBytes(
                (0..size).map(|i| start.wrapping_add(i) as u8).collect(),
            ))
        })
    }
}

fn iotune_of(t: &Tunables, target: &str) -> IoTune {
    t.iotune
        .iter()
        .find(|(n, _)| n == target)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The test driver's checks of a disk's new throttles: a total excludes its read and write
/// parts, and no value is above its maximum.
fn check_iotune(t: &IoTune) -> Result<()> {
    let v = |name: &str| {
        IOTUNE_NAMES
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| t.values[i])
    };
    for kind in ["bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"] {
        let total = v(&format!("total_{kind}"));
        if total != 0 && (v(&format!("read_{kind}")) != 0 || v(&format!("write_{kind}")) != 0) {
            return Err(test_invalid_arg(format!(
                "total and read/write of {kind} cannot be set at the same time"
            )));
        }
    }
    for unit in ["bytes_sec", "iops_sec"] {
        for dir in ["total", "read", "write"] {
            let (field, max) = (format!("{dir}_{unit}"), format!("{dir}_{unit}_max"));
            if v(&field) > v(&max) {
                return Err(test_invalid_arg(format!(
                    "{field} cannot be set higher than {max} "
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmaps_parse_and_format_as_libvirt() {
        assert_eq!(parse_bitmap("0-3,^2,7"), Some(vec![0, 1, 3, 7]));
        assert_eq!(parse_bitmap("x"), None);
        assert_eq!(format_bitmap(&[0, 1, 2, 5]), "0-2,5");
    }

    #[test]
    fn parameters_are_validated_in_name_order() {
        let p = TypedParams(vec![
            ("zz".into(), TypedValue::UInt(1)),
            ("hard_limit".into(), TypedValue::UInt(1)),
        ]);
        let e = validate(&p, &[("hard_limit", Kind::ULLong)]).unwrap_err();
        assert!(e.message.contains("invalid type 'uint'"), "{}", e.message);
    }
}
