//! `<root>/etc/qemu.conf`: libvirt's `key = value` syntax (strings in double quotes, integers,
//! lists in brackets, `#` comments). We read our own kill-engine keys; the reference's keys are
//! accepted and ignored.

use crate::process::KillTimeouts;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Our keys (milliseconds), with the reference's defaults.
pub(crate) const GRACEFUL_KEY: &str = "oxvirt_graceful_timeout_ms"; // 15000
pub(crate) const GRACE_BEFORE_SIGKILL_KEY: &str = "oxvirt_grace_before_sigkill_ms"; // 10000
pub(crate) const AFTER_SIGKILL_KEY: &str = "oxvirt_after_sigkill_ms"; // 30000
pub(crate) const PER_HOSTDEV_KEY: &str = "oxvirt_per_hostdev_ms"; // 2000
/// How long a starting (or reconnected) qemu may take to answer on its monitor.
pub(crate) const MONITOR_TIMEOUT_KEY: &str = "oxvirt_monitor_timeout_ms"; // 30000
/// How long a call waits for the domain's job (the reference's fixed 30 s, `VIR_JOB_WAIT_TIME`).
pub(crate) const JOB_TIMEOUT_KEY: &str = "oxvirt_job_timeout_ms"; // 30000
/// How long a command waits for qemu's answer on the monitor (the reference waits for ever).
pub(crate) const MONITOR_REPLY_TIMEOUT_KEY: &str = "oxvirt_monitor_reply_timeout_ms"; // 30000

/// The reference's job wait.
const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(30);
/// Ours (the reference has none): as long as a starting qemu may take to answer.
const DEFAULT_MONITOR_REPLY_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MONITOR_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub kill: KillTimeouts,
    /// How long a starting qemu may take to answer on its monitor.
    pub monitor_timeout: Duration,
    /// How long a call waits for another call's job on the same domain.
    pub job_timeout: Duration,
    /// How long a command of a running guest waits for qemu's answer.
    pub monitor_reply_timeout: Duration,
}

/// Parse the file's values; unknown keys are kept too (callers ignore them).
pub fn parse(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        out.insert(k.trim().to_string(), v);
    }
    out
}

pub fn load(root: &Path) -> Config {
    let text = std::fs::read_to_string(root.join("etc/qemu.conf")).unwrap_or_default();
    let kv = parse(&text);
    let ms = |key: &str, default: Duration| {
        kv.get(key)
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or(default)
    };
    let d = KillTimeouts::default();
    Config {
        kill: KillTimeouts {
            graceful: ms(GRACEFUL_KEY, d.graceful),
            grace_before_sigkill: ms(GRACE_BEFORE_SIGKILL_KEY, d.grace_before_sigkill),
            after_sigkill: ms(AFTER_SIGKILL_KEY, d.after_sigkill),
            per_hostdev: ms(PER_HOSTDEV_KEY, d.per_hostdev),
        },
        monitor_timeout: ms(MONITOR_TIMEOUT_KEY, DEFAULT_MONITOR_TIMEOUT),
        job_timeout: ms(JOB_TIMEOUT_KEY, DEFAULT_JOB_TIMEOUT),
        monitor_reply_timeout: ms(MONITOR_REPLY_TIMEOUT_KEY, DEFAULT_MONITOR_REPLY_TIMEOUT),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_libvirt_syntax_and_our_keys() {
        let kv = super::parse(
            "user = \"root\"  # who\nnamespaces = []\noxvirt_graceful_timeout_ms = 250\n",
        );
        assert_eq!(kv["user"], "root");
        assert_eq!(kv["oxvirt_graceful_timeout_ms"], "250");
    }

    #[test]
    fn deadlines_default_to_the_references_job_wait_and_are_configurable() {
        let dir = std::env::temp_dir().join(format!("oxvirt-conf-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        let d = super::load(&dir);
        assert_eq!(d.job_timeout, std::time::Duration::from_secs(30));
        assert_eq!(d.monitor_reply_timeout, std::time::Duration::from_secs(30));
        std::fs::write(
            dir.join("etc/qemu.conf"),
            "oxvirt_job_timeout_ms = 1500\noxvirt_monitor_reply_timeout_ms = 2500\n",
        )
        .unwrap();
        let c = super::load(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(c.job_timeout, std::time::Duration::from_millis(1500));
        assert_eq!(
            c.monitor_reply_timeout,
            std::time::Duration::from_millis(2500)
        );
    }
}
