//! A domain lifecycle event as drivers raise it, typed: libvirt gives each event type its own
//! detail enum (`virDomainEventStoppedDetailType`, ...), so the pair is one enum whose variant is
//! the event type and whose payload is its detail. Callbacks receive the two integers.

use crate::api::{
    DomainEventCrashedDetailType, DomainEventDefinedDetailType, DomainEventPMSuspendedDetailType,
    DomainEventResumedDetailType, DomainEventShutdownDetailType, DomainEventStartedDetailType,
    DomainEventStoppedDetailType, DomainEventSuspendedDetailType, DomainEventType,
    DomainEventUndefinedDetailType,
};

/// One `VIR_DOMAIN_EVENT_ID_LIFECYCLE` event: its type and detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    Defined(DomainEventDefinedDetailType),
    Undefined(DomainEventUndefinedDetailType),
    Started(DomainEventStartedDetailType),
    Suspended(DomainEventSuspendedDetailType),
    Resumed(DomainEventResumedDetailType),
    Stopped(DomainEventStoppedDetailType),
    Shutdown(DomainEventShutdownDetailType),
    Pmsuspended(DomainEventPMSuspendedDetailType),
    Crashed(DomainEventCrashedDetailType),
}

impl Lifecycle {
    /// The event type and detail as libvirt's integers, as callbacks receive them.
    pub fn codes(self) -> (i32, i32) {
        let (kind, detail) = match self {
            Self::Defined(d) => (DomainEventType::Defined, d.into()),
            Self::Undefined(d) => (DomainEventType::Undefined, d.into()),
            Self::Started(d) => (DomainEventType::Started, d.into()),
            Self::Suspended(d) => (DomainEventType::Suspended, d.into()),
            Self::Resumed(d) => (DomainEventType::Resumed, d.into()),
            Self::Stopped(d) => (DomainEventType::Stopped, d.into()),
            Self::Shutdown(d) => (DomainEventType::Shutdown, d.into()),
            Self::Pmsuspended(d) => (DomainEventType::Pmsuspended, d.into()),
            Self::Crashed(d) => (DomainEventType::Crashed, d.into()),
        };
        (kind.into(), detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_libvirts() {
        let stopped = Lifecycle::Stopped(DomainEventStoppedDetailType::Destroyed);
        assert_eq!(stopped.codes(), (5, 1));
        let defined = Lifecycle::Defined(DomainEventDefinedDetailType::Renamed);
        assert_eq!(defined.codes(), (0, 2));
    }
}
