//! `<cpu mode='host-model'>` under TCG, as the reference expands it: qemu's `max` CPU (static,
//! then full model expansion, with the accelerator TCG), its features described against the CPU
//! map's models that qemu offers (`query-cpu-definitions`, with what blocks each here), written
//! as a custom CPU. Asked of qemu once per process and emulator.

use super::cpu_x86::{CpuData, CpuMap, Decoded, CPU_MAP_DIR};
use super::stdio_probe::StdioQmp;
use crate::domain::devices::Element;
use crate::error::{Error, Result, VIR_ERR_INTERNAL_ERROR, VIR_FROM_QEMU};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    let answers = {
        let mut q = StdioQmp::start(emulator, &machine, &["-no-user-config"], PROBE_TIMEOUT)?;
        let target = q.ask(&json!({"execute": "query-target"}))?;
        let machines = q.ask(&json!({"execute": "query-machines"}))?;
        let props = expand_max(&mut q, json!({"name": "max"}))?;
        let all_props = expand_max(
            &mut q,
            json!({"name": "max", "props": {"migratable": false}}),
        )?;
        let defs = q.ask(&json!({"execute": "query-cpu-definitions"}))?;
        Some((target, machines, props, all_props, defs))
    };
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

/// The properties of `model`'s full expansion, after its static expansion (the reference's
/// static-full expansion).
fn expand_max(q: &mut StdioQmp, model: Value) -> Option<serde_json::Map<String, Value>> {
    let expanded = q.ask(&json!({"execute": "query-cpu-model-expansion",
        "arguments": {"type": "static", "model": model}}))?;
    let full = q.ask(&json!({"execute": "query-cpu-model-expansion",
        "arguments": {"type": "full", "model": expanded["model"].clone()}}))?;
    full["model"]["props"].as_object().cloned()
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
