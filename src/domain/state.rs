//! A domain's state together with the reason it is in it, typed: libvirt gives each state its own
//! reason enum (`virDomainRunningReason`, `virDomainShutoffReason`, ...), so the pair is one enum
//! whose variant is the state and whose payload is that state's reason. Drivers keep this; the C
//! boundary and the wire see the two integers.

use crate::api::{
    DomainBlockedReason, DomainCrashedReason, DomainNostateReason, DomainPMSuspendedReason,
    DomainPausedReason, DomainRunningReason, DomainShutdownReason, DomainShutoffReason,
    DomainState,
};

/// A domain's state and why it is in it (libvirt's `virDomainGetState` pair).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateReason {
    Nostate(DomainNostateReason),
    Running(DomainRunningReason),
    Blocked(DomainBlockedReason),
    Paused(DomainPausedReason),
    Shutdown(DomainShutdownReason),
    Shutoff(DomainShutoffReason),
    Crashed(DomainCrashedReason),
    Pmsuspended(DomainPMSuspendedReason),
}

impl StateReason {
    /// The state alone.
    pub fn state(self) -> DomainState {
        match self {
            Self::Nostate(_) => DomainState::Nostate,
            Self::Running(_) => DomainState::Running,
            Self::Blocked(_) => DomainState::Blocked,
            Self::Paused(_) => DomainState::Paused,
            Self::Shutdown(_) => DomainState::Shutdown,
            Self::Shutoff(_) => DomainState::Shutoff,
            Self::Crashed(_) => DomainState::Crashed,
            Self::Pmsuspended(_) => DomainState::Pmsuspended,
        }
    }

    /// The reason as libvirt's integer for this state's reason enum.
    pub fn reason_code(self) -> i32 {
        match self {
            Self::Nostate(r) => r.into(),
            Self::Running(r) => r.into(),
            Self::Blocked(r) => r.into(),
            Self::Paused(r) => r.into(),
            Self::Shutdown(r) => r.into(),
            Self::Shutoff(r) => r.into(),
            Self::Crashed(r) => r.into(),
            Self::Pmsuspended(r) => r.into(),
        }
    }

    /// The pair as libvirt's integers (C's `virDomainGetState`, the wire, status files).
    pub fn codes(self) -> (i32, i32) {
        (self.state().into(), self.reason_code())
    }

    /// The pair from libvirt's integers; `None` when the state or its reason is not one libvirt
    /// 9.0 knows.
    pub fn from_codes(state: i32, reason: i32) -> Option<StateReason> {
        fn r<T: TryFrom<i32>>(reason: i32) -> Option<T> {
            T::try_from(reason).ok()
        }
        Some(match DomainState::try_from(state).ok()? {
            DomainState::Nostate => Self::Nostate(r(reason)?),
            DomainState::Running => Self::Running(r(reason)?),
            DomainState::Blocked => Self::Blocked(r(reason)?),
            DomainState::Paused => Self::Paused(r(reason)?),
            DomainState::Shutdown => Self::Shutdown(r(reason)?),
            DomainState::Shutoff => Self::Shutoff(r(reason)?),
            DomainState::Crashed => Self::Crashed(r(reason)?),
            DomainState::Pmsuspended => Self::Pmsuspended(r(reason)?),
        })
    }

    /// The pair from a peer that may be newer than libvirt 9.0 (a remote daemon): an unknown
    /// reason reads as its state's "unknown" reason, an unknown state as no state.
    pub fn from_codes_lenient(state: i32, reason: i32) -> StateReason {
        Self::from_codes(state, reason)
            .or_else(|| Self::from_codes(state, 0))
            .unwrap_or(Self::Nostate(DomainNostateReason::Unknown))
    }

    pub fn is_shutoff(self) -> bool {
        matches!(self, Self::Shutoff(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for state in 0..DomainState::LAST {
            for reason in 0..20 {
                if let Some(s) = StateReason::from_codes(state, reason) {
                    assert_eq!(s.codes(), (state, reason));
                }
            }
        }
        assert_eq!(
            StateReason::from_codes(5, 2),
            Some(StateReason::Shutoff(DomainShutoffReason::Destroyed))
        );
        assert_eq!(StateReason::from_codes(8, 0), None);
        assert_eq!(StateReason::from_codes(1, 99), None);
    }

    #[test]
    fn lenient_for_newer_peers() {
        assert_eq!(
            StateReason::from_codes_lenient(1, 99),
            StateReason::Running(DomainRunningReason::Unknown)
        );
        assert_eq!(
            StateReason::from_codes_lenient(42, 0),
            StateReason::Nostate(DomainNostateReason::Unknown)
        );
    }
}
