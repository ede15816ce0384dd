//! The test driver's network lifecycle events. They travel on an event bus of their own
//! (src/event/), shaped as the domain bus's events: the network's name and UUID in the object
//! reference, the virNetworkEventLifecycleType as the event, no detail (the reference's are 0).

use crate::api::NetworkEventLifecycleType;
use crate::domain::DomainRef;
use crate::driver::NetworkRef;
use crate::event::Bus;
use std::sync::Arc;

/// The detail of every network lifecycle event the reference raises.
const NO_DETAIL: i32 = 0;

pub(in crate::driver::testdriver) struct NetworkEvents {
    bus: Arc<Bus>,
}

impl Default for NetworkEvents {
    fn default() -> Self {
        NetworkEvents { bus: Bus::new() }
    }
}

impl NetworkEvents {
    pub(in crate::driver::testdriver) fn bus(&self) -> &Arc<Bus> {
        &self.bus
    }

    /// Queue `event` about `net` for the callbacks registered (delivered from the event loop).
    pub(super) fn emit(&self, net: &NetworkRef, event: NetworkEventLifecycleType) {
        let object = DomainRef {
            name: net.name.clone(),
            uuid: net.uuid,
            id: -1,
        };
        self.bus.emit(&object, event as i32, NO_DETAIL);
    }
}
