//! vCPU counts (issue 17): virDomainSetVcpusFlags as the reference's qemu driver does it
//! (qemuDomainSetVcpusFlags, qemuDomainSetVcpusInternal). The persistent definition changes which
//! vCPUs are online or its maximum; the running guest gets vCPUs hot-plugged (device_add of the
//! slots qemu's query-hotpluggable-cpus lists) and loses the hot-plugged ones (device_del, then
//! qemu's DEVICE_DELETED, which only a guest that lets the vCPU go brings).

use super::hotplug::{forget_deleted, qemu_failed, wait_deleted};
use super::*;
use crate::api::DomainVcpuFlags;
use crate::domain::vcpus::VcpuStates;
use crate::driver::family::public_invalid_arg;
use crate::error::{VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_OPERATION_UNSUPPORTED};
use serde_json::{json, Value};

/// qemuDomainSetVcpusFlags's flags.
const SET_VCPUS_FLAGS: DomainVcpuFlags = DomainVcpuFlags::LIVE
    .union(DomainVcpuFlags::CONFIG)
    .union(DomainVcpuFlags::MAXIMUM)
    .union(DomainVcpuFlags::GUEST)
    .union(DomainVcpuFlags::HOTPLUGGABLE);

/// How long an unplug waits for the guest to let the vCPU go (the reference's 5 s on x86).
const UNPLUG_WAIT: Duration = Duration::from_secs(5);

/// Where qemu puts the devices plugged with an id (`device_add id=...`): a vCPU found there was
/// hot-plugged and may be unplugged by that id.
const PERIPHERAL: &str = "/machine/peripheral/";

/// One slot of `query-hotpluggable-cpus`, in the reference's order (by socket, die, core,
/// thread), holding `count` vCPUs from the definition's vCPU `first`.
struct Slot {
    first: usize,
    count: usize,
    /// The CPU type and topology ids, as device_add takes them.
    driver: String,
    props: serde_json::Map<String, Value>,
    /// The id it was plugged with, for a hot-plugged one.
    alias: Option<String>,
}

/// The topology key the reference sorts the slots by (a missing id counts as -1).
fn slot_key(props: &serde_json::Map<String, Value>) -> [i64; 4] {
    ["socket-id", "die-id", "core-id", "thread-id"]
        .map(|k| props.get(k).and_then(Value::as_i64).unwrap_or(-1))
}

/// The slots of `query-hotpluggable-cpus`'s answer, numbered as the definition's vCPUs.
fn slots_in(answer: &Value) -> Vec<Slot> {
    let mut raw: Vec<&Value> = answer
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    raw.sort_by_key(|s| {
        s.get("props")
            .and_then(Value::as_object)
            .map(slot_key)
            .unwrap_or([-1; 4])
    });
    let mut first = 0;
    raw.into_iter()
        .map(|s| {
            let count = s["vcpus-count"].as_u64().unwrap_or(1).max(1) as usize;
            let slot = Slot {
                first,
                count,
                driver: s["type"].as_str().unwrap_or_default().to_string(),
                props: s["props"].as_object().cloned().unwrap_or_default(),
                alias: s["qom-path"]
                    .as_str()
                    .and_then(|p| p.strip_prefix(PERIPHERAL))
                    .map(str::to_string),
            };
            first += count;
            slot
        })
        .collect()
}

fn over_max(which: &str, n: u32, max: u32) -> Error {
    Error::with(
        VIR_ERR_INVALID_ARG,
        VIR_FROM_QEMU,
        format!("requested vcpus is greater than max allowable vcpus for the {which} domain: {n} > {max}"),
    )
}

fn granularity() -> Error {
    Error::with(
        VIR_ERR_INVALID_ARG,
        VIR_FROM_QEMU,
        "target vm vcpu granularity does not allow the desired vcpu count",
    )
}

/// Which slots to plug (true) or unplug (false) to have `n` vCPUs online: the first offline ones
/// upwards, or the last hot-plugged online ones downwards (qemuDomainSelectHotplugVcpuEntities).
fn select(states: &VcpuStates, slots: &[Slot], n: u32) -> Result<(bool, Vec<usize>)> {
    let mut current = states.online();
    let raise = n > current;
    let mut chosen = Vec::new();
    let order: Vec<usize> = match raise {
        true => (0..slots.len()).collect(),
        false => (0..slots.len()).rev().collect(),
    };
    for at in order {
        if current == n {
            break;
        }
        let slot = &slots[at];
        let online = states.is_online(slot.first);
        let count = slot.count as u32;
        if raise && !online {
            current += count;
            if current > n {
                return Err(granularity());
            }
            chosen.push(at);
        } else if !raise && online && slot.alias.is_some() {
            if current < n + count {
                return Err(granularity());
            }
            current -= count;
            chosen.push(at);
        }
    }
    if current != n {
        return Err(Error::with(
            crate::error::VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            "failed to find appropriate hotpluggable vcpus to reach the desired target vcpu count",
        ));
    }
    Ok((raise, chosen))
}

/// The order the online vCPUs came online in, as the reference records it in the live
/// definition (qemuDomainVcpuPersistOrder): 1, 2, ... along the online ones.
pub(super) fn persist_order(states: &mut VcpuStates) {
    let mut seen = 0;
    for v in states.list.iter_mut() {
        v.order = match v.online {
            true => {
                seen += 1;
                seen
            }
            false => 0,
        };
    }
}

/// The persistent definition's vCPUs online set to `n` (qemuDomainSetVcpusConfig): offline ones
/// come online from the first (hot-pluggable ones when asked), online ones go from the last.
fn set_config_vcpus(states: &mut VcpuStates, n: u32, hotpluggable: bool) {
    states.clear_order();
    let mut current = states.online();
    if current < n {
        for v in states.list.iter_mut() {
            if v.online {
                // Vcpus that may not be unplugged must come first: they stay so.
                if !hotpluggable {
                    v.hotpluggable = Some(false);
                }
                continue;
            }
            v.online = true;
            v.hotpluggable = Some(hotpluggable);
            states.individual |= hotpluggable;
            current += 1;
            if current == n {
                break;
            }
        }
    } else if current > n {
        for v in states.list.iter_mut().rev().filter(|v| v.online) {
            v.online = false;
            v.hotpluggable = Some(true);
            current -= 1;
            if current == n {
                break;
            }
        }
    }
}

/// The vCPU count `<cpu><topology>` implies, if the definition has one.
fn topology_vcpus(def: &DomainDef) -> Option<u32> {
    let topo = def
        .extras
        .iter()
        .find(|e| e.name == "cpu")
        .and_then(|c| c.child("topology"))?;
    let n = |k: &str| {
        topo.attr(k)
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(1)
    };
    Some(n("sockets") * n("dies") * n("cores") * n("threads"))
}

fn unsupported(what: &str) -> Error {
    Error::with(
        crate::error::VIR_ERR_CONFIG_UNSUPPORTED,
        VIR_FROM_QEMU,
        what,
    )
}

/// The qemu driver's rules for a definition's vCPUs as written (qemuDomainDefVcpusPostParse,
/// before libvirt's common post-parse): vCPU 0 online, not hot-pluggable and first; orders on all
/// online vCPUs or none; the vCPUs qemu creates itself (not hot-pluggable) before the others and
/// in ascending order.
pub(super) fn check_definition(def: &DomainDef) -> Result<()> {
    let list = &def.vcpu_states.list;
    let Some(first) = list.first() else {
        return Ok(());
    };
    if !first.online {
        return Err(unsupported("vcpu 0 can't be offline"));
    }
    if first.hotpluggable == Some(true) {
        return Err(unsupported("vcpu0 can't be hotpluggable"));
    }
    if first.order > 1 {
        return Err(unsupported("vcpu0 must be enabled first"));
    }
    let has_order = first.order != 0;
    for pair in list.windows(2) {
        let (prev, v) = (&pair[0], &pair[1]);
        if v.online && (v.order != 0) != has_order {
            return Err(unsupported("all vcpus must have either set or unset order"));
        }
        if v.hotpluggable == Some(false) {
            if prev.hotpluggable == Some(true) {
                return Err(unsupported(
                    "online non-hotpluggable vcpus need to be ordered prior to hotpluggable vcpus",
                ));
            }
            if prev.order > v.order {
                return Err(unsupported(
                    "online non-hotpluggable vcpus must be ordered in ascending order",
                ));
            }
        }
    }
    Ok(())
}

impl QemuDriver {
    pub(super) fn set_vcpus_of(&self, d: &DomainRef, n: u32, flags: u32) -> Result<()> {
        // The public layer's rule, before the driver's.
        let raw = DomainVcpuFlags::from_bits_retain(flags);
        if raw.contains(DomainVcpuFlags::MAXIMUM) && !raw.contains(DomainVcpuFlags::CONFIG) {
            return Err(public_invalid_arg(
                "virDomainSetVcpusFlags",
                "ctl",
                "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'"
                    .into(),
            ));
        }
        let f = check_flags(flags, SET_VCPUS_FLAGS, "qemuDomainSetVcpusFlags")?;
        let vm = self.vm_of(d)?;
        let _job = vm.job.begin(self.cfg.job_timeout)?;
        let (live, config) = metadata::affected(&vm.lock(), flags)?;
        if f.contains(DomainVcpuFlags::GUEST) {
            // The agent is asked only of a running guest (qemuDomainSetVcpusAgent).
            if !vm.is_active() {
                return Err(Error::with(
                    crate::error::VIR_ERR_OPERATION_INVALID,
                    VIR_FROM_QEMU,
                    "domain is not running",
                ));
            }
            return Err(Error::with(
                crate::error::VIR_ERR_ARGUMENT_UNSUPPORTED,
                VIR_FROM_QEMU,
                "QEMU guest agent is not configured",
            ));
        }
        if f.contains(DomainVcpuFlags::MAXIMUM) {
            return self.set_max_vcpus(&vm, live, n);
        }
        {
            let mut i = vm.lock();
            if live && n > i.def.vcpus {
                return Err(over_max("live", n, i.def.vcpus));
            }
            let config_max = i.persistent_def_mut().vcpus;
            if config && n > config_max {
                return Err(over_max("persistent", n, config_max));
            }
        }
        if live {
            self.set_live_vcpus(&vm, n)?;
        }
        if config {
            let hotpluggable = f.contains(DomainVcpuFlags::HOTPLUGGABLE);
            let mut def = vm.lock().persistent_def_mut().clone();
            set_config_vcpus(&mut def.vcpu_states, n, hotpluggable);
            self.save_config(&def)?;
            *vm.lock().persistent_def_mut() = def;
        }
        Ok(())
    }

    /// VIR_DOMAIN_VCPU_MAXIMUM: the persistent definition's maximum (qemuDomainSetVcpusMax).
    fn set_max_vcpus(&self, vm: &Vm, live: bool, n: u32) -> Result<()> {
        if live {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_QEMU,
                "maximum vcpu count of a live domain can't be modified",
            ));
        }
        let mut def = vm.lock().persistent_def_mut().clone();
        if topology_vcpus(&def).is_some_and(|t| t != n) {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_QEMU,
                "CPU topology doesn't match the desired vcpu count",
            ));
        }
        def.vcpu_states.clear_order();
        def.set_max_vcpus(n);
        self.save_config(&def)?;
        *vm.lock().persistent_def_mut() = def;
        Ok(())
    }

    /// The running guest's vCPUs plugged or unplugged one slot at a time until `n` are online.
    fn set_live_vcpus(&self, vm: &Arc<Vm>, n: u32) -> Result<()> {
        let run = vm.running().ok_or_else(not_running)?;
        let mon = run.monitor().ok_or_else(not_running)?;
        let timeout = self.cfg.monitor_reply_timeout;
        let answer = mon
            .execute("query-hotpluggable-cpus", None, timeout)
            .map_err(|e| qemu_failed("query-hotpluggable-cpus", e, timeout))?;
        let slots = slots_in(&answer);
        let (raise, chosen) = select(&vm.lock().def.vcpu_states, &slots, n)?;
        for at in chosen {
            match raise {
                true => self.plug_vcpu(vm, &mon, &slots[at])?,
                false => self.unplug_vcpu(vm, &mon, &slots[at])?,
            }
        }
        Ok(())
    }

    /// device_add of one slot, named `vcpuN` after its first vCPU (qemuDomainHotplugAddVcpu).
    fn plug_vcpu(&self, vm: &Vm, mon: &Monitor, slot: &Slot) -> Result<()> {
        let timeout = self.cfg.monitor_reply_timeout;
        let mut args = serde_json::Map::new();
        args.insert("driver".into(), json!(slot.driver));
        args.insert("id".into(), json!(format!("vcpu{}", slot.first)));
        args.extend(slot.props.clone());
        mon.execute("device_add", Some(Value::Object(args)), timeout)
            .map_err(|e| qemu_failed("device_add", e, timeout))?;
        {
            let mut i = vm.lock();
            let states = &mut i.def.vcpu_states;
            // From now on the live definition shows its vCPUs one by one, so that which of them
            // may be unplugged is kept.
            states.individual = true;
            for v in states.list.iter_mut().skip(slot.first).take(slot.count) {
                v.online = true;
            }
            persist_order(states);
        }
        self.write_status(vm)
    }

    /// device_del of one hot-plugged slot and the wait for the guest to let it go
    /// (qemuDomainHotplugDelVcpu).
    fn unplug_vcpu(&self, vm: &Vm, mon: &Monitor, slot: &Slot) -> Result<()> {
        let timeout = self.cfg.monitor_reply_timeout;
        let Some(alias) = &slot.alias else {
            return Err(Error::with(
                VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_QEMU,
                format!("vcpu '{}' can't be unplugged", slot.first),
            ));
        };
        forget_deleted(vm.uuid, alias);
        mon.execute("device_del", Some(json!({ "id": alias })), timeout)
            .map_err(|e| qemu_failed("device_del", e, timeout))?;
        if !wait_deleted(vm.uuid, alias, UNPLUG_WAIT) {
            return Err(Error::with(
                VIR_ERR_OPERATION_TIMEOUT,
                VIR_FROM_QEMU,
                "vcpu unplug request timed out. Unplug result must be manually inspected in the domain",
            ));
        }
        {
            let mut i = vm.lock();
            let states = &mut i.def.vcpu_states;
            for v in states.list.iter_mut().skip(slot.first).take(slot.count) {
                v.online = false;
            }
            persist_order(states);
        }
        self.write_status(vm)
    }

    /// At start, before the guest runs: the online vCPUs marked hot-pluggable plugged (qemu
    /// created only the others), and the order they came online in recorded
    /// (qemuProcessSetupHotpluggableVcpus, qemuDomainVcpuPersistOrder).
    pub(super) fn start_vcpus(&self, vm: &Vm, mon: &Monitor) -> Result<()> {
        let wanted: Vec<usize> = {
            let i = vm.lock();
            let states = &i.def.vcpu_states;
            (0..states.list.len())
                .filter(|at| {
                    let v = &states.list[*at];
                    v.online && v.hotpluggable == Some(true)
                })
                .collect()
        };
        if !wanted.is_empty() {
            let timeout = self.cfg.monitor_reply_timeout;
            let answer = mon
                .execute("query-hotpluggable-cpus", None, timeout)
                .map_err(|e| qemu_failed("query-hotpluggable-cpus", e, timeout))?;
            for slot in slots_in(&answer)
                .iter()
                .filter(|s| wanted.contains(&s.first))
            {
                let mut args = serde_json::Map::new();
                args.insert("driver".into(), json!(slot.driver));
                args.insert("id".into(), json!(format!("vcpu{}", slot.first)));
                args.extend(slot.props.clone());
                mon.execute("device_add", Some(Value::Object(args)), timeout)
                    .map_err(|e| qemu_failed("device_add", e, timeout))?;
            }
        }
        persist_order(&mut vm.lock().def.vcpu_states);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(online: &[bool], plugged: &[bool]) -> Vec<Slot> {
        online
            .iter()
            .zip(plugged)
            .enumerate()
            .map(|(i, (_, p))| Slot {
                first: i,
                count: 1,
                driver: "qemu64-x86_64-cpu".into(),
                props: serde_json::Map::new(),
                alias: p.then(|| format!("vcpu{i}")),
            })
            .collect()
    }

    #[test]
    fn slots_are_sorted_by_topology_and_know_their_aliases() {
        let answer = json!([
            {"type": "t", "vcpus-count": 1, "props": {"socket-id": 2, "core-id": 0, "thread-id": 0}},
            {"type": "t", "vcpus-count": 1, "qom-path": "/machine/peripheral/vcpu1",
             "props": {"socket-id": 1, "core-id": 0, "thread-id": 0}},
            {"type": "t", "vcpus-count": 1, "qom-path": "/machine/unattached/device[0]",
             "props": {"socket-id": 0, "core-id": 0, "thread-id": 0}}
        ]);
        let s = slots_in(&answer);
        assert_eq!(
            s.iter().map(|s| s.alias.clone()).collect::<Vec<_>>(),
            [None, Some("vcpu1".to_string()), None]
        );
        assert_eq!(s[2].props["socket-id"], json!(2));
        assert_eq!(s[2].first, 2);
    }

    #[test]
    fn raising_takes_the_first_offline_and_lowering_the_last_plugged() {
        let states = VcpuStates::new(4, 1);
        let s = slots(&[true, false, false, false], &[false; 4]);
        assert_eq!(select(&states, &s, 3).unwrap(), (true, vec![1, 2]));
        let mut states = VcpuStates::new(4, 3);
        states.list[1].hotpluggable = Some(true);
        let s = slots(&[true; 4], &[false, true, true, false]);
        assert_eq!(select(&states, &s, 1).unwrap(), (false, vec![2, 1]));
        let e = select(&VcpuStates::new(2, 2), &slots(&[true; 2], &[false; 2]), 1).unwrap_err();
        assert_eq!(e.code, crate::error::VIR_ERR_CONFIG_UNSUPPORTED);
    }

    #[test]
    fn config_changes_online_vcpus_from_the_ends() {
        let mut s = VcpuStates::new(4, 1);
        set_config_vcpus(&mut s, 3, false);
        assert_eq!(s.online(), 3);
        assert!(!s.individual);
        set_config_vcpus(&mut s, 2, false);
        assert_eq!((s.online(), s.list[2].hotpluggable), (2, Some(true)));
        set_config_vcpus(&mut s, 4, true);
        assert!(s.individual);
        assert_eq!(s.list[3].hotpluggable, Some(true));
    }
}
