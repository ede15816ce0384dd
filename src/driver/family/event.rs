//! The event families (libvirt's `connectDomainEvent*`, `connectNetworkEvent*`, ... entries).

use super::unsupported;
use crate::domain::DomainRef;
use crate::error::{Result, VIR_FROM_DOMAIN, VIR_FROM_NETWORK, VIR_FROM_NONE};
use crate::event::Bus;
use std::sync::Arc;

pub trait DomainEventDriver: Send + Sync {
    /// The bus this driver raises domain events on; `function` is the public call that asks
    /// (virConnectDomainEventRegisterAny, ...), named in the error of a driver without one.
    fn domain_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_DOMAIN, function)
    }

    /// The bus of libvirt-qemu's monitor event callbacks (the domain events', whose callback
    /// ids they share); `function` is the public call that asks.
    fn qemu_monitor_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_NONE, function)
    }

    /// Which events a new monitor callback for `event` (none: all) with `flags` gets: the
    /// reference's checks of the two. A daemon's client leaves them to its daemon.
    fn qemu_monitor_filter(
        &self,
        event: Option<&str>,
        flags: u32,
    ) -> Result<crate::event::MonitorFilter> {
        crate::event::MonitorFilter::compile(
            event,
            flags,
            "virDomainQemuMonitorEventStateRegisterID",
        )
    }

    /// The monitor callback `id` is on the bus: a daemon's client asks its daemon for the
    /// events now (and the registration is withdrawn if that fails).
    fn qemu_monitor_subscribe(
        &self,
        _id: i32,
        _dom: Option<&DomainRef>,
        _event: Option<&str>,
        _flags: u32,
    ) -> Result<()> {
        Ok(())
    }

    /// The monitor callback that had `filter` is gone.
    fn qemu_monitor_unsubscribe(&self, _filter: &crate::event::MonitorFilter) -> Result<()> {
        Ok(())
    }
}

/// virConnectNetworkEventRegisterAny and virConnectNetworkEventDeregisterAny.
pub trait NetworkEventDriver: Send + Sync {
    /// The bus this driver raises network lifecycle events on (events shaped as the domain
    /// bus's: the network's name and UUID, the virNetworkEventLifecycleType, detail 0);
    /// `function` is the public call that asks.
    fn network_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_NETWORK, function)
    }
}
