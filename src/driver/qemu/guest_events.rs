//! qemu's events beyond the lifecycle as libvirt's (issue 17): RESET as the reboot event,
//! RTC_CHANGE, WATCHDOG, BLOCK_IO_ERROR (with and without its reason), BALLOON_CHANGE (which
//! also moves the live memory figure), SUSPEND/SUSPEND_DISK/WAKEUP as the PM events with their
//! lifecycle events (DEVICE_DELETED is hotplug.rs's), with the reference's ids and
//! arguments. events.rs hands every event here after its own (lifecycle) handling.

use super::*;
use crate::api::{
    DomainEventID, DomainEventPMSuspendedDetailType, DomainEventStartedDetailType,
    DomainPMSuspendedReason,
};
use crate::domain::StateReason;
use crate::event::Payload;
use serde_json::Value;

/// libvirt's watchdog actions (virDomainEventWatchdogAction) by qemu's names.
fn watchdog_action(action: &str) -> i32 {
    match action {
        "pause" => 1,
        "reset" => 2,
        "poweroff" => 3,
        "shutdown" => 4,
        "debug" => 5,
        "inject-nmi" => 6,
        _ => 0,
    }
}

/// libvirt's I/O error actions (virDomainEventIOErrorAction) by qemu's names.
fn io_error_action(action: &str) -> i32 {
    match action {
        "stop" => 1,
        "report" => 2,
        _ => 0,
    }
}

/// The disk behind qemu's device name (`drive-<alias>`, `<alias>` or a node name): its source
/// path and alias, empty where the definition does not say.
fn disk_of(def: &DomainDef, device: &str) -> (String, String) {
    let alias = device.strip_prefix("drive-").unwrap_or(device);
    def.devices
        .iter()
        .filter(|d| d.name == "disk")
        .find(|d| d.child_attr("alias", "name") == Some(alias))
        .map(|d| {
            let src = ["file", "dev", "name"]
                .iter()
                .find_map(|k| d.child_attr("source", k))
                .unwrap_or_default();
            (src.to_string(), alias.to_string())
        })
        .unwrap_or_else(|| (String::new(), alias.to_string()))
}

fn id(e: DomainEventID) -> i32 {
    e as i32
}

impl QemuDriver {
    /// qemu's event `ev` for the running domain `vm`, beyond the lifecycle ones.
    pub(super) fn on_guest_event(&self, vm: &Arc<Vm>, ev: &QmpEvent) {
        let data = &ev.data;
        let str_of = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or("");
        let r = vm.domain_ref();
        match ev.name.as_str() {
            "RESET" => self
                .bus
                .emit_payload(id(DomainEventID::Reboot), &r, Payload::None),
            "RTC_CHANGE" => {
                let offset = data.get("offset").and_then(Value::as_i64).unwrap_or(0);
                self.bus
                    .emit_payload(id(DomainEventID::RtcChange), &r, Payload::LongLong(offset))
            }
            "WATCHDOG" => self.bus.emit_payload(
                id(DomainEventID::Watchdog),
                &r,
                Payload::Int(watchdog_action(str_of("action"))),
            ),
            "BLOCK_IO_ERROR" => {
                let device = match str_of("device") {
                    "" => str_of("node-name"),
                    d => d,
                };
                let (src_path, dev_alias) = disk_of(&vm.lock().def, device);
                let nospace = data.get("nospace").and_then(Value::as_bool) == Some(true);
                let payload = Payload::IoError {
                    src_path,
                    dev_alias,
                    action: io_error_action(str_of("action")),
                    reason: if nospace { "enospc" } else { "" }.to_string(),
                };
                self.bus
                    .emit_payload(id(DomainEventID::IoError), &r, payload.clone());
                self.bus
                    .emit_payload(id(DomainEventID::IoErrorReason), &r, payload);
            }
            "BALLOON_CHANGE" => {
                let kib = data.get("actual").and_then(Value::as_u64).unwrap_or(0) / 1024;
                vm.lock().def.current_memory_kib = kib;
                self.bus.emit_payload(
                    id(DomainEventID::BalloonChange),
                    &r,
                    Payload::ULongLong(kib),
                );
            }
            "SUSPEND" | "SUSPEND_DISK" => {
                let (event, detail) = match ev.name.as_str() {
                    "SUSPEND" => (
                        DomainEventID::Pmsuspend,
                        DomainEventPMSuspendedDetailType::Memory,
                    ),
                    _ => (
                        DomainEventID::PmsuspendDisk,
                        DomainEventPMSuspendedDetailType::Disk,
                    ),
                };
                vm.lock().state = StateReason::Pmsuspended(DomainPMSuspendedReason::Unknown);
                self.bus.emit_payload(id(event), &r, Payload::Int(0));
                self.bus.emit(&r, Lifecycle::Pmsuspended(detail));
            }
            "WAKEUP" => {
                vm.lock().state = StateReason::Running(DomainRunningReason::Wakeup);
                self.bus
                    .emit_payload(id(DomainEventID::Pmwakeup), &r, Payload::Int(0));
                self.bus
                    .emit(&r, Lifecycle::Started(DomainEventStartedDetailType::Wakeup));
            }
            // DEVICE_DELETED is hotplug.rs's: the detach that waits for it removes the device
            // from the live definition and raises device removed, once.
            _ => {}
        }
        if matches!(
            ev.name.as_str(),
            "BALLOON_CHANGE" | "SUSPEND" | "SUSPEND_DISK" | "WAKEUP"
        ) {
            let _ = self.write_status(vm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_as_libvirt_numbers_them() {
        assert_eq!(watchdog_action("inject-nmi"), 6);
        assert_eq!(watchdog_action("none"), 0);
        assert_eq!(io_error_action("report"), 2);
        assert_eq!(io_error_action("ignore"), 0);
    }
}
