//! Domain events: drivers raise them on a bus; connections that registered callbacks get them
//! delivered from the event loop, never inside the API call that caused them.

use crate::domain::DomainRef;
use std::sync::{Arc, Mutex, Weak};

/// One lifecycle event (virDomainEventType and its detail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainEvent {
    pub domain: DomainRef,
    pub event: i32,
    pub detail: i32,
}

/// Someone who wants a driver's events (a connection's event queue).
pub trait Subscriber: Send + Sync {
    fn deliver(&self, ev: &DomainEvent);
}

/// A driver's event bus: subscribers are held weakly, so a closed connection falls away.
#[derive(Default)]
pub struct Bus {
    subscribers: Mutex<Vec<Weak<dyn Subscriber>>>,
}

impl Bus {
    pub fn new() -> Arc<Bus> {
        Arc::new(Bus::default())
    }

    pub fn subscribe(&self, s: Weak<dyn Subscriber>) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|w| w.strong_count() > 0);
        subs.push(s);
    }

    pub fn emit(&self, domain: &DomainRef, event: i32, detail: i32) {
        let live: Vec<Arc<dyn Subscriber>> = {
            let subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
            subs.iter().filter_map(Weak::upgrade).collect()
        };
        if live.is_empty() {
            return;
        }
        let ev = DomainEvent {
            domain: domain.clone(),
            event,
            detail,
        };
        for s in live {
            s.deliver(&ev);
        }
    }
}

/// virDomainEventType values and the details drivers raise.
#[allow(dead_code)]
pub(crate) mod kind {
    pub(crate) const DEFINED: i32 = 0;
    pub(crate) const UNDEFINED: i32 = 1;
    pub(crate) const STARTED: i32 = 2;
    pub(crate) const SUSPENDED: i32 = 3;
    pub(crate) const RESUMED: i32 = 4;
    pub(crate) const STOPPED: i32 = 5;
    pub(crate) const SHUTDOWN: i32 = 6;

    pub(crate) const DEFINED_ADDED: i32 = 0;
    pub(crate) const DEFINED_UPDATED: i32 = 1;
    pub(crate) const UNDEFINED_REMOVED: i32 = 0;
    pub(crate) const STARTED_BOOTED: i32 = 0;
    pub(crate) const SUSPENDED_PAUSED: i32 = 0;
    pub(crate) const RESUMED_UNPAUSED: i32 = 0;
    pub(crate) const STOPPED_SHUTDOWN: i32 = 0;
    pub(crate) const STOPPED_DESTROYED: i32 = 1;
    pub(crate) const STOPPED_FAILED: i32 = 5;
    pub(crate) const SHUTDOWN_FINISHED: i32 = 0;
    pub(crate) const SHUTDOWN_HOST: i32 = 2;
}
