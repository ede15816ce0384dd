//! libvirt-qemu's monitor events through a daemon (qemu_protocol.x), as the reference's client
//! has them: each callback has a daemon registration of its own, made after the callback is on
//! our bus and named by the daemon's number; the daemon matches the event name and sends each
//! event tagged with that number, which picks the callback.

use super::convert::{FromWire, ToWire};
use super::RemoteDriver;
use crate::domain::DomainRef;
use crate::error::Result;
use crate::event::{Bus, Family, MonitorEvent, MonitorFilter, Payload};
use oxvirt_rpc::protocol::{self, qemu_proc};
use oxvirt_rpc::xdr::{Dec, Xdr};

/// One message of the qemu program onto `bus`; what we cannot read is dropped.
pub(super) fn deliver(bus: &Bus, procedure: i32, body: &[u8]) {
    if procedure != qemu_proc::DOMAIN_MONITOR_EVENT {
        return;
    }
    let Ok(m) = protocol::QemuDomainMonitorEventMsg::decode(&mut Dec::new(body)) else {
        return;
    };
    let Ok(dom) = DomainRef::from_wire(m.dom) else {
        return;
    };
    let event = MonitorEvent {
        event: m.event,
        seconds: m.seconds,
        micros: m.micros,
        details: m.details,
        daemon_id: Some(m.callbackID),
    };
    let id = Family::QemuMonitor.bus_id(0);
    bus.emit_payload(id, &dom, Payload::QemuMonitor(Box::new(event)));
}

/// The daemon checks the flags and the pattern; the callback takes the daemon's events.
pub(super) fn filter() -> MonitorFilter {
    MonitorFilter::Daemon(-1)
}

/// Ask the daemon for the events of the callback `id`.
pub(super) fn subscribe(
    d: &RemoteDriver,
    id: i32,
    dom: Option<&DomainRef>,
    event: Option<&str>,
    flags: u32,
) -> Result<()> {
    let args = protocol::QemuConnectDomainMonitorEventRegisterArgs {
        dom: dom.map(|d| Box::new(d.to_wire())),
        event: event.map(str::to_string),
        flags,
    };
    let r: protocol::QemuConnectDomainMonitorEventRegisterRet =
        d.rpc_qemu(qemu_proc::CONNECT_DOMAIN_MONITOR_EVENT_REGISTER, &args)?;
    d.bus
        .set_monitor_filter(id, MonitorFilter::Daemon(r.callbackID));
    Ok(())
}

/// The callback that had `filter` went: so does its daemon registration.
pub(super) fn unsubscribe(d: &RemoteDriver, filter: &MonitorFilter) -> Result<()> {
    let MonitorFilter::Daemon(daemon_id @ 0..) = *filter else {
        return Ok(());
    };
    let args = protocol::QemuConnectDomainMonitorEventDeregisterArgs {
        callbackID: daemon_id,
    };
    d.rpc_qemu(qemu_proc::CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER, &args)
}
