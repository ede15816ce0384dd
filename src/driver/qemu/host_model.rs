//! `<cpu mode='host-model'>` under TCG, as the reference expands it: qemu's `max` CPU (static,
//! then full model expansion, with the accelerator TCG), its features described against the CPU
//! map's models that qemu offers (`query-cpu-definitions`, with what blocks each here), written
//! as a custom CPU. Asked of qemu once per process and emulator.

use super::cpu_x86::{CpuData, CpuMap, Decoded, CPU_MAP_DIR};
use crate::domain::devices::Element;
use crate::error::{Error, Result, VIR_ERR_INTERNAL_ERROR, VIR_FROM_QEMU};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the probing qemu may take to answer all its questions.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The host model of `emulator` under TCG, probed once per process.
pub fn host_model(emulator: &str) -> Result<Decoded> {
    static CACHE: Mutex<Vec<(String, Decoded)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, d)) = cache.iter().find(|(e, _)| e == emulator) {
        return Ok(d.clone());
    }
    let map = CpuMap::load(Path::new(CPU_MAP_DIR))?;
    let probe = probed(emulator, Accel::Tcg).ok_or_else(|| {
        Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_QEMU,
            format!("failed to probe the host CPU model of {emulator} under TCG"),
        )
    })?;
    let decoded = map
        .decode(&cpu_data(&map, &probe.props), &probe.models)
        .ok_or_else(no_suitable_model)?;
    cache.push((emulator.to_string(), decoded.clone()));
    Ok(decoded)
}

pub fn no_suitable_model() -> Error {
    Error::internal(
        VIR_FROM_QEMU,
        "Cannot find suitable CPU model for given data",
    )
}

/// The accelerator a probing qemu runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    Tcg,
    Kvm,
}

impl Accel {
    fn name(self) -> &'static str {
        match self {
            Accel::Tcg => "tcg",
            Accel::Kvm => "kvm",
        }
    }
}

/// What `emulator` says under `accel`, asked once per process (a failed probe is asked again
/// next time).
pub fn probed(emulator: &str, accel: Accel) -> Option<Arc<Probe>> {
    static CACHE: Mutex<Vec<(String, Accel, Arc<Probe>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, p)) = cache.iter().find(|(e, a, _)| e == emulator && *a == accel) {
        return Some(p.clone());
    }
    let p = Arc::new(probe(emulator, accel)?);
    cache.push((emulator.to_string(), accel, p.clone()));
    Some(p)
}

/// Rewrite a `<cpu mode='host-model'>` element as the custom CPU the host model is; features
/// the element names change the policy of the same feature or are added after the others.
pub fn apply(cpu: &mut Element, host: &Decoded) {
    let mut features: Vec<(String, String)> = host
        .features
        .iter()
        .map(|(p, n)| (p.to_string(), n.clone()))
        .collect();
    for f in cpu.children_named("feature") {
        let (Some(policy), Some(name)) = (f.attr("policy"), f.attr("name")) else {
            continue;
        };
        match features.iter_mut().find(|(_, n)| n == name) {
            Some(existing) => existing.0 = policy.to_string(),
            None => features.push((policy.to_string(), name.to_string())),
        }
    }
    cpu.children
        .retain(|c| !matches!(c.name.as_str(), "feature" | "model" | "vendor"));
    let mut model = Element::new("model");
    model.text = host.model.clone();
    cpu.children.push(model);
    if let Some(v) = &host.vendor {
        let mut vendor = Element::new("vendor");
        vendor.text = v.clone();
        cpu.children.push(vendor);
    }
    for (policy, name) in features {
        cpu.children.push(
            Element::new("feature")
                .with_attr("policy", &policy)
                .with_attr("name", &name),
        );
    }
    cpu.set_attr("mode", "custom");
}

/// What qemu says of itself: its target, machine types, its `max` CPU (the properties of the
/// migratable expansion, and of the expansion with every feature) and the models it offers
/// with their blockers, in its order.
pub struct Probe {
    pub target: String,
    pub machines: Value,
    pub props: serde_json::Map<String, Value>,
    pub all_props: serde_json::Map<String, Value>,
    pub models: Vec<(String, Vec<String>)>,
}

/// The CPU data the reference builds from the expansion: the true boolean properties that name
/// a feature of the map, the vendor string and the family and model numbers.
pub fn cpu_data(map: &CpuMap, props: &serde_json::Map<String, Value>) -> CpuData {
    let mut features = Vec::new();
    for (name, value) in props {
        if value.as_bool() == Some(true) {
            if let Some(f) = map.feature_from_qemu(name) {
                features.push(f.name.clone());
            }
        }
    }
    let number = |k: &str| props.get(k).and_then(Value::as_u64).unwrap_or(0) as u32;
    CpuData {
        features,
        vendor: props
            .get("vendor")
            .and_then(Value::as_str)
            .map(str::to_string),
        family: number("family"),
        model: number("model"),
    }
}

/// A qemu that runs nothing, under `accel`, asked on its stdio.
fn probe(emulator: &str, accel: Accel) -> Option<Probe> {
    let machine = format!("none,accel={}", accel.name());
    let mut child = std::process::Command::new(emulator)
        .args([
            "-machine",
            &machine,
            "-nodefaults",
            "-nographic",
            "-no-user-config",
            "-S",
            "-qmp",
            "stdio",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let answers = child
        .stdin
        .take()
        .zip(child.stdout.take())
        .and_then(|(stdin, stdout)| {
            let mut q = Qmp::new(stdin, stdout);
            q.greeted()?;
            q.ask(json!({"execute": "qmp_capabilities"}))?;
            let target = q.ask(json!({"execute": "query-target"}))?;
            let machines = q.ask(json!({"execute": "query-machines"}))?;
            let props = q.expand_max(json!({"name": "max"}))?;
            let all_props = q.expand_max(json!({"name": "max", "props": {"migratable": false}}))?;
            let defs = q.ask(json!({"execute": "query-cpu-definitions"}))?;
            let _ = q.ask(json!({"execute": "quit"}));
            Some((target, machines, props, all_props, defs))
        });
    let _ = child.kill();
    let _ = child.wait();
    let (target, machines, props, mut all_props, defs) = answers?;
    // A feature on in either expansion is the host's (the reference marks the ones only the
    // non-migratable expansion has as not migratable, and reports them).
    for (k, v) in &props {
        if v.as_bool() == Some(true) {
            all_props.insert(k.clone(), v.clone());
        }
    }
    let models = defs
        .as_array()?
        .iter()
        .filter_map(|d| {
            let blockers = d["unavailable-features"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            Some((d["name"].as_str()?.to_string(), blockers))
        })
        .collect();
    Some(Probe {
        target: target["arch"].as_str()?.to_string(),
        machines,
        props,
        all_props,
        models,
    })
}

/// One question at a time over qemu's stdio, every answer within the probe's deadline.
struct Qmp {
    stdin: std::process::ChildStdin,
    lines: std::sync::mpsc::Receiver<String>,
    deadline: Instant,
}

impl Qmp {
    fn new(stdin: std::process::ChildStdin, stdout: std::process::ChildStdout) -> Qmp {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Qmp {
            stdin,
            lines: rx,
            deadline: Instant::now() + PROBE_TIMEOUT,
        }
    }

    /// Whether qemu greeted: nothing is written to a program that is not qemu, or has gone
    /// (a write to its closed pipe would raise SIGPIPE in the caller's process).
    fn greeted(&mut self) -> Option<()> {
        loop {
            let left = self.deadline.checked_duration_since(Instant::now())?;
            let line = self.lines.recv_timeout(left).ok()?;
            if serde_json::from_str::<Value>(&line).is_ok_and(|v| v.get("QMP").is_some()) {
                return Some(());
            }
        }
    }

    /// The properties of `model`'s full expansion, after its static expansion (the
    /// reference's static-full expansion).
    fn expand_max(&mut self, model: Value) -> Option<serde_json::Map<String, Value>> {
        let expanded = self.ask(json!({"execute": "query-cpu-model-expansion",
            "arguments": {"type": "static", "model": model}}))?;
        let full = self.ask(json!({"execute": "query-cpu-model-expansion",
            "arguments": {"type": "full", "model": expanded["model"].clone()}}))?;
        full["model"]["props"].as_object().cloned()
    }

    /// The command's `return` value; None on an error answer, a closed pipe or the deadline.
    fn ask(&mut self, command: Value) -> Option<Value> {
        writeln!(self.stdin, "{command}").ok()?;
        loop {
            let left = self.deadline.checked_duration_since(Instant::now())?;
            let line = self.lines.recv_timeout(left).ok()?;
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if v.get("error").is_some() {
                return None;
            }
            if let Some(r) = v.get("return") {
                return Some(r.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_model_features_replace_the_element_s() {
        let host = Decoded {
            model: "EPYC".into(),
            vendor: Some("AMD".into()),
            features: vec![("require", "acpi".into()), ("disable", "vme".into())],
        };
        let mut cpu = Element::new("cpu").with_attr("mode", "host-model");
        cpu.children.push(
            Element::new("feature")
                .with_attr("policy", "require")
                .with_attr("name", "vme"),
        );
        apply(&mut cpu, &host);
        assert_eq!(cpu.attr("mode"), Some("custom"));
        let names: Vec<_> = cpu
            .children
            .iter()
            .map(|c| format!("{} {}", c.name, c.attr("policy").unwrap_or(&c.text)))
            .collect();
        assert_eq!(
            names,
            [
                "model EPYC",
                "vendor AMD",
                "feature require",
                "feature require"
            ]
        );
    }
}
