//! The event families (libvirt's `connectDomainEvent*`, `connectNetworkEvent*`, ... entries).

use super::unsupported;
use crate::error::{Result, VIR_FROM_DOMAIN, VIR_FROM_NETWORK};
use crate::event::Bus;
use std::sync::Arc;

pub trait DomainEventDriver: Send + Sync {
    /// The bus this driver raises domain events on; `function` is the public call that asks
    /// (virConnectDomainEventRegisterAny, ...), named in the error of a driver without one.
    fn domain_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_DOMAIN, function)
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
