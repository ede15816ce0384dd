//! The machine-wide options: machine type and its properties, CPU, memory, SMP, iothreads,
//! SMBIOS, display, RTC and timers, power management, ACPI and the boot menu, in the reference's
//! order.

use super::json::{optval, Args, Obj};
use super::live::is_q35;
use crate::domain::devices::Element;
use crate::domain::DomainDef;

fn extra<'a>(def: &'a DomainDef, name: &str) -> Option<&'a Element> {
    def.extras.iter().find(|e| e.name == name)
}

fn feature<'a>(def: &'a DomainDef, name: &str) -> Option<&'a Element> {
    extra(def, "features").and_then(|f| f.child(name))
}

pub fn machine(def: &DomainDef, accel: &str, a: &mut Args) {
    let mut m = format!(
        "{},usb=off",
        def.machine.clone().unwrap_or_else(|| "pc".into())
    );
    if let Some(state) = feature(def, "vmport").and_then(|v| v.attr("state")) {
        m.push_str(&format!(",vmport={state}"));
    }
    m.push_str(",dump-guest-core=off,memory-backend=pc.ram");
    a.opt("-machine", m);
    a.opt("-accel", accel);
    a.opt("-cpu", cpu(def));
    let mem_mib = def
        .current_memory_kib
        .max(def.memory_kib)
        .div_ceil(1024)
        .max(1);
    a.opt("-m", mem_mib.to_string());
    a.object(
        Obj::new()
            .s("qom-type", "memory-backend-ram")
            .s("id", "pc.ram")
            .n("size", mem_mib * 1024 * 1024),
    );
    a.opt("-smp", smp(def));
    if let Some(n) = extra(def, "iothreads").and_then(|e| e.text.parse::<u32>().ok()) {
        for i in 1..=n {
            a.object(
                Obj::new()
                    .s("qom-type", "iothread")
                    .s("id", &format!("iothread{i}")),
            );
        }
    }
}

/// `-cpu`: the model (qemu64 by default under TCG) with features and hyperv enlightenments.
fn cpu(def: &DomainDef) -> String {
    let cpu = extra(def, "cpu");
    let mut s = cpu
        .and_then(|c| c.child("model"))
        .map(|m| m.text.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "qemu64".into());
    for f in cpu.iter().flat_map(|c| c.children_named("feature")) {
        let on = !matches!(f.attr("policy"), Some("disable" | "forbid"));
        if let Some(name) = f
            .attr("name")
            .map(crate::driver::qemu::cpu_x86::qemu_feature_name)
        {
            s.push_str(&format!(",{name}={}", if on { "on" } else { "off" }));
        }
    }
    for t in extra(def, "clock")
        .iter()
        .flat_map(|c| c.children_named("timer"))
    {
        match (t.attr("name"), t.attr("present")) {
            (Some("kvmclock"), Some(present)) => {
                let on = if present == "yes" { "on" } else { "off" };
                s.push_str(&format!(",kvmclock={on}"));
            }
            (Some("hypervclock"), Some("yes")) => s.push_str(",hv-time=on"),
            (Some("tsc"), _) => {
                if let Some(hz) = t.attr("frequency").filter(|f| *f != "0") {
                    s.push_str(&format!(",tsc-frequency={hz}"));
                }
            }
            _ => {}
        }
    }
    if let Some(hv) = feature(def, "hyperv") {
        for h in &hv.children {
            if h.attr("state") != Some("on") {
                continue;
            }
            match h.name.as_str() {
                "spinlocks" => {
                    let retries: u32 = h
                        .attr("retries")
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(4095);
                    s.push_str(&format!(",hv-spinlocks={retries:#x}"));
                }
                name => s.push_str(&format!(",hv-{name}=on")),
            }
        }
    }
    if let Some(state) = feature(def, "pmu").and_then(|p| p.attr("state")) {
        s.push_str(&format!(
            ",pmu={}",
            if state == "on" { "on" } else { "off" }
        ));
    }
    s
}

/// `-smp`: the vCPUs qemu creates itself (online ones not marked hot-pluggable; those are
/// plugged once qemu runs), the maximum when it is more, and the topology.
fn smp(def: &DomainDef) -> String {
    let max = def.vcpus;
    let at_boot = match def.vcpu_states.list.len() == max as usize {
        true => def
            .vcpu_states
            .list
            .iter()
            .filter(|v| v.online && v.hotpluggable != Some(true))
            .count() as u32,
        false => max,
    };
    let mut s = at_boot.to_string();
    if at_boot != max {
        s.push_str(&format!(",maxcpus={max}"));
    }
    let topo = extra(def, "cpu").and_then(|c| c.child("topology"));
    match topo {
        Some(t) => {
            let g = |k: &str| t.attr(k).unwrap_or("1").to_string();
            let dies = if t.attr("dies").is_some() {
                format!(",dies={}", g("dies"))
            } else {
                String::new()
            };
            s.push_str(&format!(
                ",sockets={}{dies},cores={},threads={}",
                g("sockets"),
                g("cores"),
                g("threads")
            ));
        }
        None => s.push_str(&format!(",sockets={max},cores=1,threads=1")),
    }
    s
}

/// `-smbios` from `<sysinfo type='smbios'>` when `<os><smbios mode='sysinfo'/>` asks for it.
pub fn smbios(def: &DomainDef, a: &mut Args) {
    let wanted = def
        .os_extras
        .iter()
        .any(|e| e.name == "smbios" && e.attr("mode") == Some("sysinfo"));
    let Some(sys) = extra(def, "sysinfo").filter(|_| wanted) else {
        return;
    };
    for (section, kind) in [("bios", 0), ("system", 1)] {
        let Some(sec) = sys.child(section) else {
            continue;
        };
        let mut s = format!("type={kind}");
        for e in sec.children_named("entry") {
            if let Some(name) = e.attr("name") {
                s.push_str(&format!(",{name}={}", optval(&e.text)));
            }
        }
        a.opt("-smbios", s);
    }
}

/// `-rtc`, the timer globals, the power-management globals, `-no-acpi` and `-boot`.
pub fn clock_pm_boot(def: &DomainDef, a: &mut Args) {
    let clock = extra(def, "clock");
    let mut rtc = match clock.and_then(|c| c.attr("offset")) {
        Some("localtime") => "base=localtime".to_string(),
        Some("variable") => {
            let adj: i64 = clock
                .and_then(|c| c.attr("adjustment"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            format!(
                "base={}",
                crate::domain::graphics_auth::format_utc(now_secs() + adj)
            )
        }
        _ => "base=utc".to_string(),
    };
    let timers: Vec<&Element> = clock
        .map(|c| c.children_named("timer").collect())
        .unwrap_or_default();
    let timer = |n: &str| timers.iter().find(|t| t.attr("name") == Some(n));
    if timer("rtc").and_then(|t| t.attr("tickpolicy")) == Some("catchup") {
        rtc.push_str(",driftfix=slew");
    }
    a.opt("-rtc", rtc);
    if let Some(p) = timer("pit").and_then(|t| t.attr("tickpolicy")) {
        a.opt("-global", format!("kvm-pit.lost_tick_policy={p}"));
    }
    if timer("hpet").and_then(|t| t.attr("present")) == Some("no") {
        a.flag("-no-hpet");
    }
    if feature(def, "acpi").is_none() {
        a.flag("-no-acpi");
    }
    let lpc = if is_q35(def) { "ICH9-LPC" } else { "PIIX4_PM" };
    if let Some(pm) = extra(def, "pm") {
        for (el, n) in [("suspend-to-mem", 3), ("suspend-to-disk", 4)] {
            if let Some(en) = pm.child(el).and_then(|e| e.attr("enabled")) {
                let disable = u8::from(en == "no");
                a.opt("-global", format!("{lpc}.disable_s{n}={disable}"));
            }
        }
    }
    let mut boot = String::new();
    if let Some(menu) = def.os_extras.iter().find(|e| e.name == "bootmenu") {
        let on = menu.attr("enable") == Some("yes");
        boot.push_str(if on { "menu=on," } else { "menu=off," });
        if let Some(t) = menu.attr("timeout").filter(|_| on) {
            boot.push_str(&format!("splash-time={t},"));
        }
    }
    boot.push_str("strict=on");
    a.opt("-boot", boot);
    direct_boot(def, a);
}

/// `<os><kernel>`, `<initrd>` and `<cmdline>`: qemu loads the kernel itself (after `-boot`, as
/// the reference's qemuBuildBootCommandLine).
fn direct_boot(def: &DomainDef, a: &mut Args) {
    for (el, opt) in [
        ("kernel", "-kernel"),
        ("initrd", "-initrd"),
        ("cmdline", "-append"),
    ] {
        if let Some(e) = def.os_extras.iter().find(|e| e.name == el) {
            a.opt(opt, e.text.clone());
        }
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_datetime_is_civil() {
        assert_eq!(
            crate::domain::graphics_auth::format_utc(0),
            "1970-01-01T00:00:00"
        );
        assert_eq!(
            crate::domain::graphics_auth::format_utc(1_709_210_096),
            "2024-02-29T12:34:56"
        );
    }
}
