//! Secrets of a starting guest, kept where only its owner can read them (issue 19): never on
//! qemu's command line (every local user reads `/proc/PID/cmdline`) nor in a log.
//!
//! - The master key: 32 random bytes in `master-key.aes` (0600) in the guest's private directory,
//!   given to qemu as the `masterKey0` secret object, as the reference does for every guest.
//! - Graphics passwords: `-vnc ...,password=on` (or SPICE with tickets on), then `set_password`
//!   and `expire_password` over the monitor while the CPUs are still stopped.

use super::*;
use crate::domain::graphics_auth;
use serde_json::json;
use std::io::Read;

/// The length of libvirt's master key (an AES-256 key).
const MASTER_KEY_LEN: usize = 32;

/// Write a fresh master key for a guest (0600, atomically).
pub(super) fn write_master_key(path: &Path) -> std::io::Result<()> {
    let mut key = [0u8; MASTER_KEY_LEN];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
    layout::write_atomic(path, &key)
}

/// When a graphics password stops working, as `expire_password` takes it: its validity time
/// (`now` once passed), else `never`; an empty password never lets anyone in.
fn expire_time(g: &domain::devices::Element, password: &str, now: i64) -> String {
    match g.attr("passwdValidTo") {
        Some(text) => {
            // Checked when the definition was parsed.
            let until = graphics_auth::parse_valid_to(text).unwrap_or(0);
            if until <= now {
                "now".into()
            } else {
                until.to_string()
            }
        }
        None if password.is_empty() => "now".into(),
        None => "never".into(),
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl QemuDriver {
    /// Give qemu every graphics password of the live definition, before the guest runs.
    pub(super) fn set_graphics_passwords(&self, def: &DomainDef, mon: &Monitor) -> Result<()> {
        let timeout = self.cfg.monitor_timeout;
        let run = |command: &str, args: serde_json::Value| {
            mon.execute(command, Some(args), timeout)
                .map(|_| ())
                .map_err(|e| monitor_error(e, command, timeout))
        };
        for (protocol, g) in graphics_auth::password_graphics(def) {
            let password = g.attr("passwd").unwrap_or("");
            let connected = g.attr("connected").unwrap_or("keep");
            run(
                "set_password",
                json!({ "protocol": protocol, "password": password, "connected": connected }),
            )?;
            let time = expire_time(g, password, unix_now());
            run(
                "expire_password",
                json!({ "protocol": protocol, "time": time }),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::expire_time;
    use crate::domain::devices::Element;

    #[test]
    fn expiry_as_the_reference_asks_it() {
        let g = Element::new("graphics");
        assert_eq!(expire_time(&g, "pw", 100), "never");
        assert_eq!(expire_time(&g, "", 100), "now");
        let until = g.clone().with_attr("passwdValidTo", "2030-01-01T00:00:00");
        assert_eq!(expire_time(&until, "pw", 100), "1893456000");
        assert_eq!(expire_time(&until, "pw", 1893456000), "now");
    }
}
