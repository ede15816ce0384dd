//! The test driver's guest-facing domain calls, as the reference's test driver fakes them: hostname,
//! clock, control state, reset, NMI, keys, signals, passwords, file systems, security label,
//! messages, memory statistics and lifecycle actions.

use super::domain_extras::{affected, test_invalid_arg, test_operation_invalid};
use super::{check_active, check_flags, Dom, TestDriver};
use crate::api::{
    DomainControlErrorReason, DomainControlState, DomainLifecycle, DomainLifecycleAction,
    DomainMemoryStatTags as Tag, DomainMessageType, DomainModificationImpact, DomainProcessSignal,
    DomainSetTimeFlags, DomainSetUserPasswordFlags, DomainState, KeycodeSet, NoFlags,
};
use crate::domain::{keycode, DomainRef};
use crate::driver::family::{
    check_send_key, ControlInfo, GuestTime, MemoryStats, Messages, SecurityLabel,
};
use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN,
};

/// The label a running test domain carries.
const SECURITY_LABEL: &str = "libvirt-test";
/// The mount points the reference's guest has: "/" and "/boot".
const MOUNT_POINTS: [&str; 2] = ["/", "/boot"];
/// The only process the reference lets a signal reach.
const INIT_PID: i64 = 1;
/// The fake memory statistics' "last update" stamp.
const STATS_LAST_UPDATE: u64 = 627_319_920;
/// The highest key code of the Linux code set's table.
fn mount_point_not_found(m: &str) -> Error {
    test_operation_invalid(&format!("mount point not found: {m}"))
}

/// Which of the guest's file systems the mount points name (all when none are given).
fn mount_indexes(mountpoints: &[String]) -> Result<Vec<usize>> {
    if mountpoints.is_empty() {
        return Ok(vec![0, 1]);
    }
    mountpoints
        .iter()
        .map(|m| {
            MOUNT_POINTS
                .iter()
                .position(|p| p == m)
                .ok_or_else(|| mount_point_not_found(m))
        })
        .collect()
}

/// testDomainGetControlInfo: the guest clock's seconds pick a state, for tests to drive it.
fn control_info(seconds: i64) -> ControlInfo {
    let (state, details, time) = match seconds {
        1..=9_999 => (DomainControlState::Job, 0, seconds),
        10_000..=29_999 => (DomainControlState::Occupied, 0, seconds - 10_000),
        30_000..=59_999 => {
            let reason = match seconds % 4 {
                1 => DomainControlErrorReason::Unknown,
                2 => DomainControlErrorReason::Monitor,
                3 => DomainControlErrorReason::Internal,
                _ => DomainControlErrorReason::None,
            };
            (
                DomainControlState::Error,
                i32::from(reason),
                seconds - 30_000,
            )
        }
        _ => (DomainControlState::Ok, 0, 0),
    };
    ControlInfo {
        state: i32::from(state) as u32,
        details: details as u32,
        state_time_ms: time as u64,
    }
}

/// The lifecycle event and action names of the domain XML.
fn lifecycle_event_name(kind: DomainLifecycle) -> &'static str {
    match kind {
        DomainLifecycle::Poweroff => "poweroff",
        DomainLifecycle::Reboot => "reboot",
        DomainLifecycle::Crash => "crash",
    }
}

fn lifecycle_action_name(action: DomainLifecycleAction) -> &'static str {
    match action {
        DomainLifecycleAction::Destroy => "destroy",
        DomainLifecycleAction::Restart => "restart",
        DomainLifecycleAction::RestartRename => "rename-restart",
        DomainLifecycleAction::Preserve => "preserve",
        DomainLifecycleAction::CoredumpDestroy => "coredump-destroy",
        DomainLifecycleAction::CoredumpRestart => "coredump-restart",
    }
}

impl TestDriver {
    /// `f` on a running domain (virDomainObjCheckActive first).
    fn with_active<T>(&self, d: &DomainRef, f: impl FnOnce(&mut Dom) -> Result<T>) -> Result<T> {
        self.with_dom(d, |dom| {
            check_active(dom)?;
            f(dom)
        })
    }

    pub(super) fn hostname_of(&self, d: &DomainRef, flags: u32) -> Result<String> {
        check_flags(flags, NoFlags::empty(), "testDomainGetHostname")?;
        self.with_active(d, |_| Ok(format!("{}host", d.name)))
    }

    pub(super) fn time(&self, d: &DomainRef, flags: u32) -> Result<GuestTime> {
        check_flags(flags, NoFlags::empty(), "testDomainGetTime")?;
        self.with_dom(d, |dom| {
            // Paused is not running here.
            if dom.state.state() != DomainState::Running {
                return Err(test_operation_invalid("domain is not running"));
            }
            let (seconds, nseconds) = dom.extras.time;
            Ok(GuestTime { seconds, nseconds })
        })
    }

    pub(super) fn set_time(
        &self,
        d: &DomainRef,
        seconds: i64,
        nseconds: u32,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, DomainSetTimeFlags::SYNC, "testDomainSetTime")?;
        self.with_active(d, |dom| {
            dom.extras.time = (seconds, nseconds);
            Ok(())
        })
    }

    pub(super) fn control_info(&self, d: &DomainRef, flags: u32) -> Result<ControlInfo> {
        check_flags(flags, NoFlags::empty(), "testDomainGetControlInfo")?;
        self.with_active(d, |dom| Ok(control_info(dom.extras.time.0)))
    }

    /// Reset and NMI: a running domain, and nothing happens.
    pub(super) fn poke(&self, d: &DomainRef, flags: u32, function: &str) -> Result<()> {
        check_flags(flags, NoFlags::empty(), function)?;
        self.with_active(d, |_| Ok(()))
    }

    pub(super) fn send_key(
        &self,
        d: &DomainRef,
        codeset: u32,
        keycodes: &[u32],
        flags: u32,
    ) -> Result<()> {
        check_send_key(codeset, keycodes.len())?;
        check_flags(flags, NoFlags::empty(), "testDomainSendKey")?;
        self.with_active(d, |_| {
            // Every code must be one of its set's (as libvirt's test driver checks by
            // translating it to a Linux key code).
            let set = i32::try_from(codeset)
                .ok()
                .and_then(|c| KeycodeSet::try_from(c).ok());
            match keycodes
                .iter()
                .find(|&&k| set.and_then(|s| keycode::to_linux(s, k)).is_none())
            {
                Some(k) => Err(Error::internal(
                    crate::error::VIR_FROM_TEST,
                    format!(
                        "invalid keycode {k} of {} codeset",
                        set.map_or("(null)", keycode::set_name)
                    ),
                )),
                None => Ok(()),
            }
        })
    }

    pub(super) fn send_process_signal(
        &self,
        d: &DomainRef,
        pid: i64,
        signum: u32,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainSendProcessSignal")?;
        if pid != INIT_PID {
            return Err(test_invalid_arg(
                "only sending a signal to pid 1 is supported".into(),
            ));
        }
        if signum >= DomainProcessSignal::LAST as u32 {
            return Err(test_invalid_arg(format!(
                "signum value {signum} is out of range"
            )));
        }
        self.with_dom(d, |_| Ok(()))
    }

    pub(super) fn set_user_password(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(
            flags,
            DomainSetUserPasswordFlags::ENCRYPTED,
            "testDomainSetUserPassword",
        )?;
        self.with_active(d, |_| Ok(()))
    }

    /// Freeze (true) or thaw the named file systems; how many changed.
    pub(super) fn fs_freeze(
        &self,
        d: &DomainRef,
        mountpoints: &[String],
        freeze: bool,
        flags: u32,
    ) -> Result<i32> {
        let function = if freeze {
            "testDomainFSFreeze"
        } else {
            "testDomainFSThaw"
        };
        check_flags(flags, NoFlags::empty(), function)?;
        self.with_active(d, |dom| {
            let which = mount_indexes(mountpoints)?;
            let mut changed = 0;
            for i in which {
                if dom.extras.frozen[i] != freeze {
                    dom.extras.frozen[i] = freeze;
                    changed += 1;
                }
            }
            Ok(changed)
        })
    }

    pub(super) fn fs_trim(
        &self,
        d: &DomainRef,
        mountpoint: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainFSTrim")?;
        self.with_active(d, |_| match mountpoint {
            Some(m) if !MOUNT_POINTS.contains(&m) => Err(mount_point_not_found(m)),
            _ => Ok(()),
        })
    }

    pub(super) fn security_label(&self, d: &DomainRef) -> Result<SecurityLabel> {
        self.with_dom(d, |dom| {
            Ok(match dom.active() {
                true => SecurityLabel {
                    label: SECURITY_LABEL.into(),
                    enforcing: true,
                },
                false => SecurityLabel::default(),
            })
        })
    }

    pub(super) fn messages(&self, d: &DomainRef, flags: u32) -> Result<Messages> {
        let accepted = u32::try_from(i32::from(DomainMessageType::Deprecation)).unwrap_or(0)
            | u32::try_from(i32::from(DomainMessageType::Tainting)).unwrap_or(0);
        crate::api::check_bits(
            "testDomainGetMessages",
            flags,
            accepted,
            crate::error::VIR_FROM_TEST,
        )?;
        // Our test domains carry no taint and use nothing deprecated.
        self.with_dom(d, |_| Ok(Messages::default()))
    }

    pub(super) fn memory_stats(
        &self,
        d: &DomainRef,
        nr_stats: u32,
        flags: u32,
    ) -> Result<MemoryStats> {
        check_flags(flags, NoFlags::empty(), "testDomainMemoryStats")?;
        self.with_active(d, |dom| {
            if !dom.extras.memballoon {
                return Ok(MemoryStats::default());
            }
            let cur = dom.def.current_memory_kib;
            let all = [
                (Tag::ActualBalloon, cur),
                (Tag::SwapIn, 0),
                (Tag::SwapOut, 0),
                (Tag::MajorFault, 0),
                (Tag::MinorFault, 0),
                (Tag::Unused, cur / 2),
                (Tag::Available, cur),
                (Tag::Usable, cur / 2),
                (Tag::LastUpdate, STATS_LAST_UPDATE),
                (Tag::DiskCaches, cur / 8),
                (Tag::HugetlbPgalloc, 0),
                (Tag::HugetlbPgfail, 0),
                (Tag::Rss, cur / 2),
            ];
            Ok(MemoryStats(
                all.iter()
                    .take(nr_stats as usize)
                    .map(|(t, v)| (i32::from(*t), *v))
                    .collect(),
            ))
        })
    }

    pub(super) fn set_lifecycle_action(
        &self,
        d: &DomainRef,
        kind: u32,
        action: u32,
        flags: u32,
    ) -> Result<()> {
        let kind = i32::try_from(kind)
            .ok()
            .and_then(|k| DomainLifecycle::try_from(k).ok())
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_DOMAIN,
                    format!("invalid lifecycle type '{kind}'"),
                )
            })?;
        let action = i32::try_from(action)
            .ok()
            .and_then(|a| DomainLifecycleAction::try_from(a).ok())
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_DOMAIN,
                    format!("invalid lifecycle action '{action}'"),
                )
            })?;
        check_flags(
            flags,
            DomainModificationImpact::all(),
            "testDomainSetLifecycleAction",
        )?;
        let coredump = matches!(
            action,
            DomainLifecycleAction::CoredumpDestroy | DomainLifecycleAction::CoredumpRestart
        );
        if coredump && kind != DomainLifecycle::Crash {
            return Err(Error::with(
                VIR_ERR_CONFIG_UNSUPPORTED,
                VIR_FROM_DOMAIN,
                format!(
                    "Lifecycle event '{}' doesn't support '{}' action",
                    lifecycle_event_name(kind),
                    lifecycle_action_name(action)
                ),
            ));
        }
        self.with_dom(d, |dom| {
            let (live, config) = affected(dom, flags)?;
            for which in [live.then_some(true), config.then_some(false)]
                .into_iter()
                .flatten()
            {
                let def = dom.def_of(which);
                let slot = match kind {
                    DomainLifecycle::Poweroff => &mut def.on_poweroff,
                    DomainLifecycle::Reboot => &mut def.on_reboot,
                    DomainLifecycle::Crash => &mut def.on_crash,
                };
                *slot = lifecycle_action_name(action).into();
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_state_follows_the_clock() {
        assert_eq!(control_info(627_319_920).state, 0);
        assert_eq!(
            (control_info(1).state, control_info(1).state_time_ms),
            (1, 1)
        );
        let e = control_info(30_001);
        assert_eq!((e.state, e.details, e.state_time_ms), (3, 1, 1));
    }

    #[test]
    fn mount_points() {
        assert_eq!(mount_indexes(&[]).unwrap(), vec![0, 1]);
        assert!(mount_indexes(&["/x".into()]).is_err());
    }
}
