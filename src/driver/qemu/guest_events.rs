//! qemu's events beyond the lifecycle as libvirt's (issue 17): RESET as the reboot event,
//! RTC_CHANGE, WATCHDOG, BLOCK_IO_ERROR (with and without its reason), BALLOON_CHANGE (which
//! also moves the live memory figure), SUSPEND/SUSPEND_DISK/WAKEUP as the PM events with their
//! lifecycle events (DEVICE_DELETED is hotplug.rs's), with the reference's ids and
//! arguments. events.rs hands every event here after its own (lifecycle) handling.

use super::command::backing::layers_of;
use super::*;
use crate::api::{
    DomainEventID, DomainEventPMSuspendedDetailType, DomainEventStartedDetailType,
    DomainEventSuspendedDetailType, DomainPMSuspendedReason,
};
use crate::domain::devices::Element;
use crate::domain::StateReason;
use crate::event::Payload;
use serde_json::Value;

/// libvirt's watchdog action `pause` (VIR_DOMAIN_EVENT_WATCHDOG_PAUSE): the guest is paused.
const WATCHDOG_PAUSE: i32 = 1;
/// libvirt's I/O error action `pause` (VIR_DOMAIN_EVENT_IO_ERROR_PAUSE): the guest is paused.
const IO_ERROR_PAUSE: i32 = 1;

/// libvirt's watchdog actions (virDomainEventWatchdogAction) by qemu's names.
fn watchdog_action(action: &str) -> i32 {
    match action {
        "pause" => WATCHDOG_PAUSE,
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
        "stop" => IO_ERROR_PAUSE,
        "report" => 2,
        _ => 0,
    }
}

/// The disk whose block node is `libvirt-N-format` (or `-storage`): the one whose source, or a
/// layer of whose backing chain, the live definition numbers N (numbered at start, hot-plug and
/// block jobs alike), as the reference looks a node name up in its disks' chains.
fn disk_by_node<'a>(def: &'a DomainDef, node: &str) -> Option<&'a Element> {
    let n: usize = node
        .strip_prefix("libvirt-")?
        .split('-')
        .next()?
        .parse()
        .ok()?;
    def.devices.iter().filter(|d| d.name == "disk").find(|d| {
        let own = d.child_attr("source", "index").and_then(|i| i.parse().ok());
        own == Some(n) || layers_of(d).iter().any(|l| l.0 == n)
    })
}

/// The disk behind qemu's device name (`drive-<alias>`, `<alias>`) or, with -blockdev where the
/// device name is empty, its node name: its source path and alias, empty where the definition
/// does not say (as the reference's qemuProcessHandleIOError).
fn disk_of(def: &DomainDef, device: &str, node: &str) -> (String, String) {
    let alias = device.strip_prefix("drive-").unwrap_or(device);
    let disk = match alias {
        "" => disk_by_node(def, node),
        _ => def
            .devices
            .iter()
            .filter(|d| d.name == "disk")
            .find(|d| d.child_attr("alias", "name") == Some(alias)),
    };
    disk.map(|d| {
        let src = ["file", "dev", "name"]
            .iter()
            .find_map(|k| d.child_attr("source", k))
            .unwrap_or_default();
        let alias = d.child_attr("alias", "name").unwrap_or_default();
        (src.to_string(), alias.to_string())
    })
    .unwrap_or_default()
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
            "WATCHDOG" => {
                let action = watchdog_action(str_of("action"));
                self.bus
                    .emit_payload(id(DomainEventID::Watchdog), &r, Payload::Int(action));
                if action == WATCHDOG_PAUSE {
                    self.paused_by_guest(vm, DomainPausedReason::Watchdog);
                }
            }
            "BLOCK_IO_ERROR" => {
                let (src_path, dev_alias) =
                    disk_of(&vm.lock().def, str_of("device"), str_of("node-name"));
                let nospace = data.get("nospace").and_then(Value::as_bool) == Some(true);
                let action = io_error_action(str_of("action"));
                let payload = Payload::IoError {
                    src_path,
                    dev_alias,
                    action,
                    reason: if nospace { "enospc" } else { "" }.to_string(),
                };
                self.bus
                    .emit_payload(id(DomainEventID::IoError), &r, payload.clone());
                self.bus
                    .emit_payload(id(DomainEventID::IoErrorReason), &r, payload);
                if action == IO_ERROR_PAUSE {
                    self.paused_by_guest(vm, DomainPausedReason::Ioerror);
                }
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
            // A save's copy of memory (save.rs turns qemu's migration events on).
            "MIGRATION_PASS" => {
                let pass = data.get("pass").and_then(Value::as_i64).unwrap_or(0);
                let pass = i32::try_from(pass).unwrap_or(i32::MAX);
                self.bus.emit_payload(
                    id(DomainEventID::MigrationIteration),
                    &r,
                    Payload::Int(pass),
                );
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

impl QemuDriver {
    /// virDomainPMWakeup: qemu refuses a guest that is not suspended (its error named after the
    /// command, as the reference's); its WAKEUP event then moves the state.
    pub(super) fn pm_wakeup_of(&self, d: &DomainRef, flags: u32) -> Result<()> {
        const COMMAND: &str = "system_wakeup";
        check_flags(flags, NoFlags::empty(), "qemuDomainPMWakeup")?;
        self.with_job(d, |_, cmd| {
            cmd.mon
                .execute(COMMAND, None, cmd.timeout)
                .map(drop)
                .map_err(|e| match e {
                    QmpError::Command { desc, .. } => Error::internal(
                        VIR_FROM_QEMU,
                        format!("unable to execute QEMU command '{COMMAND}': {desc}"),
                    ),
                    other => monitor_error(other, COMMAND, cmd.timeout),
                })
        })
    }

    /// qemu pauses a running guest for its watchdog or a disk error: the state says why and the
    /// suspended event is raised here, before qemu's STOP, which then changes nothing
    /// (events.rs), as the reference's qemuProcessHandleWatchdog and qemuProcessHandleIOError.
    fn paused_by_guest(&self, vm: &Arc<Vm>, why: DomainPausedReason) {
        {
            let mut i = vm.lock();
            if i.state.state() != DomainState::Running {
                return;
            }
            i.state = StateReason::Paused(why);
        }
        let detail = match why {
            DomainPausedReason::Watchdog => DomainEventSuspendedDetailType::Watchdog,
            _ => DomainEventSuspendedDetailType::Ioerror,
        };
        self.bus
            .emit(&vm.domain_ref(), Lifecycle::Suspended(detail));
        let _ = self.write_status(vm);
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

    #[test]
    fn a_node_name_finds_its_disk() {
        let def = crate::domain::xml::parse(
            "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
             <devices><disk type='file' device='cdrom'><target dev='hdc'/></disk>\
             <disk type='file'><source file='/a' index='2'/><target dev='hda'/></disk>\
             <disk type='file'><source file='/b' index='1'/><target dev='hdb'/></disk>\
             <disk type='file'><source file='/top' index='4'/><backingStore type='file' index='3'>\
             <format type='raw'/><source file='/base'/></backingStore><target dev='vda'/></disk>\
             <disk type='file'><source file='/plugged' index='5'/><target dev='vdb'/></disk>\
             </devices></domain>",
        )
        .unwrap();
        let src = |node| disk_by_node(&def, node).and_then(|d| d.child_attr("source", "file"));
        assert_eq!(src("libvirt-2-format"), Some("/a"));
        assert_eq!(src("libvirt-1-storage"), Some("/b"));
        // A backing layer's node is its disk's; a hot-plugged disk's node is its own.
        assert_eq!(src("libvirt-3-format"), Some("/top"));
        assert_eq!(src("libvirt-5-format"), Some("/plugged"));
        assert_eq!(src("libvirt-6-format"), None);
        assert_eq!(src("other"), None);
    }
}
