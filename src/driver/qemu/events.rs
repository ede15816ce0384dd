//! qemu's own events (QMP) as state changes and libvirt lifecycle events.

use super::*;

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
                    Some((kind::SHUTDOWN, if guest { 1 } else { kind::SHUTDOWN_HOST }))
                }
                "STOP" => {
                    i.state = DomainState::Paused as i32;
                    i.reason = DomainPausedReason::User as i32;
                    Some((kind::SUSPENDED, kind::SUSPENDED_PAUSED))
                }
                "RESUME" => {
                    i.state = DomainState::Running as i32;
                    i.reason = DomainRunningReason::Unpaused as i32;
                    Some((kind::RESUMED, kind::RESUMED_UNPAUSED))
                }
                _ => None,
            }
        };
        if let Some((e, detail)) = emit {
            self.bus.emit(&vm.domain_ref(), e, detail);
        }
    }
}
