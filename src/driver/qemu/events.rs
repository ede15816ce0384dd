//! qemu's own events (QMP) as state changes and libvirt lifecycle events.

use super::*;
use crate::api::DomainEventResumedDetailType;
use crate::api::DomainEventShutdownDetailType;
use crate::api::DomainEventSuspendedDetailType;
use crate::domain::StateReason;

impl QemuDriver {
    /// Hand qemu's events to the domain: state changes and the lifecycle events they mean.
    pub(super) fn event_handler(&self, uuid: [u8; 16]) -> qmp::EventHandler {
        let me = self.me.clone();
        Box::new(move |ev: &QmpEvent| {
            if let Some(d) = me.upgrade() {
                d.on_qmp_event(uuid, ev);
            }
        })
    }

    pub(super) fn on_qmp_event(&self, uuid: [u8; 16], ev: &QmpEvent) {
        let Some(vm) = self.vm(&uuid) else { return };
        // Every event, before what it means to us, as the reference queues them.
        self.emit_monitor_event(&vm, ev);
        let emit = {
            let mut i = vm.lock();
            if i.run.is_none() {
                return;
            }
            match ev.name.as_str() {
                "SHUTDOWN" => {
                    let guest = ev
                        .data
                        .get("guest")
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false);
                    if let Some(r) = &i.run {
                        r.guest_shutdown.store(true, Ordering::Relaxed);
                    }
                    Some(Lifecycle::Shutdown(if guest {
                        DomainEventShutdownDetailType::Guest
                    } else {
                        DomainEventShutdownDetailType::Host
                    }))
                }
                // The watchdog's or a disk error's pause was raised with its own reason by the
                // event before this one (guest_events.rs).
                "STOP"
                    if matches!(
                        i.state,
                        StateReason::Paused(
                            DomainPausedReason::Watchdog | DomainPausedReason::Ioerror
                        )
                    ) =>
                {
                    None
                }
                "STOP" => {
                    i.state = StateReason::Paused(DomainPausedReason::User);
                    Some(Lifecycle::Suspended(DomainEventSuspendedDetailType::Paused))
                }
                "DEVICE_DELETED" => {
                    super::hotplug::device_deleted(uuid, &ev.data);
                    None
                }
                "RESUME" => {
                    let detail = super::save::resumed_detail(i.state);
                    if detail == DomainEventResumedDetailType::Unpaused {
                        i.state = StateReason::Running(DomainRunningReason::Unpaused);
                    }
                    Some(Lifecycle::Resumed(detail))
                }
                _ => None,
            }
        };
        if let Some(event) = emit {
            self.bus.emit(&vm.domain_ref(), event);
        }
        self.on_guest_event(&vm, ev);
        if ev.name.starts_with("BLOCK_JOB_") {
            self.on_block_job_event(&vm, &ev.name, &ev.data);
        }
    }

    /// qemu's event as libvirt-qemu's callbacks get it: its data as compact JSON in qemu's
    /// order, none without data.
    fn emit_monitor_event(&self, vm: &Vm, ev: &QmpEvent) {
        let details = ev.has_data.then(|| ev.data.to_string());
        let event = crate::event::MonitorEvent {
            event: ev.name.clone(),
            seconds: ev.timestamp.0,
            micros: ev.timestamp.1,
            details,
            daemon_id: None,
        };
        let id = crate::event::Family::QemuMonitor.bus_id(0);
        let payload = crate::event::Payload::QemuMonitor(Box::new(event));
        self.bus.emit_payload(id, &vm.domain_ref(), payload);
    }
}
