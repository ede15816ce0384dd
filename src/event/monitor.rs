//! qemu's raw monitor events (libvirt-qemu's virConnectDomainQemuMonitorEventRegister): what one
//! carries, and which of them a callback wants.
//!
//! They travel on the driver's bus as the domain events do (their callback ids are numbered
//! with the domain events', as the reference's share one event state), under
//! [`Family::QemuMonitor`](super::Family). Unlike a domain event id, a registration's filter is
//! its own: an event name, matched exactly, case-insensitively or as a regular expression; or,
//! on a daemon's client, the daemon's registration whose events it receives (the daemon did the
//! matching, and sends each event once per registration it matched).

use crate::error::{Error, Result, VIR_ERR_INVALID_ARG, VIR_FROM_NONE};

/// VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX.
pub(crate) const REGISTER_REGEX: u32 = 1 << 0;
/// VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE.
pub(crate) const REGISTER_NOCASE: u32 = 1 << 1;

/// One event qemu sent on a domain's monitor.
#[derive(Clone, Debug, PartialEq)]
pub struct MonitorEvent {
    /// qemu's name for it (`STOP`, `SHUTDOWN`, ...).
    pub event: String,
    /// qemu's timestamp: seconds and microseconds since the epoch (-1 and 0 without one).
    pub seconds: i64,
    pub micros: u32,
    /// Its `data` member as compact JSON, in qemu's key order; none without data.
    pub details: Option<String>,
    /// The daemon's registration it came through (a daemon's client only).
    pub daemon_id: Option<i32>,
}

/// Which monitor events a registration wants.
#[derive(Clone, Debug)]
pub enum MonitorFilter {
    /// Every event.
    Any,
    /// Events of this name.
    Name(String),
    /// Events of this name in any case.
    NameNoCase(String),
    /// Events whose name the expression matches (anywhere in it, as GLib's regex match does).
    /// ASCII semantics (`\w`, case folding): QMP's event names are ASCII.
    Pattern(regex::bytes::Regex),
    /// The events a daemon sends for its registration of this number (-1: not made yet).
    Daemon(i32),
}

impl MonitorFilter {
    /// The filter of a registration for `event` (none: every event) with `flags`, checked as
    /// the reference's local drivers check them.
    pub fn compile(event: Option<&str>, flags: u32, function: &str) -> Result<MonitorFilter> {
        let unknown = flags & !(REGISTER_REGEX | REGISTER_NOCASE);
        if unknown != 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_NONE,
                function,
                "flags",
                format!("unsupported flags (0x{unknown:x}) in function {function}"),
            ));
        }
        let Some(event) = event else {
            return Ok(MonitorFilter::Any);
        };
        let nocase = flags & REGISTER_NOCASE != 0;
        if flags & REGISTER_REGEX == 0 {
            return Ok(match nocase {
                true => MonitorFilter::NameNoCase(event.to_string()),
                false => MonitorFilter::Name(event.to_string()),
            });
        }
        regex::bytes::RegexBuilder::new(event)
            .unicode(false)
            .case_insensitive(nocase)
            .build()
            .map(MonitorFilter::Pattern)
            .map_err(|e| {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or_default().trim();
                Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_NONE,
                    format!("failed to compile regex '{event}': {why}"),
                )
            })
    }

    /// Whether an event passes.
    pub fn accepts(&self, ev: &MonitorEvent) -> bool {
        match (self, ev.daemon_id) {
            (MonitorFilter::Daemon(id), Some(from)) => *id == from,
            (MonitorFilter::Daemon(_), None) | (_, Some(_)) => false,
            (MonitorFilter::Any, None) => true,
            (MonitorFilter::Name(n), None) => *n == ev.event,
            (MonitorFilter::NameNoCase(n), None) => n.eq_ignore_ascii_case(&ev.event),
            (MonitorFilter::Pattern(r), None) => r.is_match(ev.event.as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &str) -> MonitorEvent {
        MonitorEvent {
            event: name.into(),
            seconds: 1,
            micros: 2,
            details: None,
            daemon_id: None,
        }
    }

    #[test]
    fn filters_match_as_the_reference_does() {
        let f = |e: Option<&str>, flags| MonitorFilter::compile(e, flags, "f").unwrap();
        assert!(f(None, 0).accepts(&local("STOP")));
        assert!(f(Some("STOP"), 0).accepts(&local("STOP")));
        assert!(!f(Some("stop"), 0).accepts(&local("STOP")));
        assert!(f(Some("stop"), REGISTER_NOCASE).accepts(&local("STOP")));
        assert!(f(Some("^S.*N$"), REGISTER_REGEX).accepts(&local("SHUTDOWN")));
        assert!(f(Some("TO"), REGISTER_REGEX).accepts(&local("STOP")));
        assert!(!f(Some("^s"), REGISTER_REGEX).accepts(&local("STOP")));
        assert!(f(Some("^s"), REGISTER_REGEX | REGISTER_NOCASE).accepts(&local("STOP")));
        let e = MonitorFilter::compile(None, 4, "virX").unwrap_err();
        assert_eq!(e.message, "unsupported flags (0x4) in function virX");
        assert!(MonitorFilter::compile(Some("("), REGISTER_REGEX, "f").is_err());
    }

    #[test]
    fn a_daemons_event_goes_only_to_its_registration() {
        let mut ev = local("STOP");
        ev.daemon_id = Some(3);
        assert!(MonitorFilter::Daemon(3).accepts(&ev));
        assert!(!MonitorFilter::Daemon(4).accepts(&ev));
        assert!(!MonitorFilter::Any.accepts(&ev));
        assert!(!MonitorFilter::Daemon(3).accepts(&local("STOP")));
    }
}
