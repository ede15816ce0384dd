//! The event families (libvirt's `connectDomainEvent*`, `connectNetworkEvent*`, ... entries).

use super::unsupported;
use crate::error::{Result, VIR_FROM_DOMAIN};
use crate::event::Bus;
use std::sync::Arc;

pub trait DomainEventDriver: Send + Sync {
    /// The bus this driver raises domain events on; `function` is the public call that asks
    /// (virConnectDomainEventRegisterAny, ...), named in the error of a driver without one.
    fn domain_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_DOMAIN, function)
    }
}

/// virConnectNetworkEventRegisterAny and the other network events: no driver raises any yet.
/// Their exports are "not supported" stubs (error domain VIR_FROM_NETWORK) until one does.
pub trait NetworkEventDriver: Send + Sync {}
