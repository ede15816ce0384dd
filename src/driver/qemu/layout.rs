//! Where a domain's files live under the driver's root (the reference's embedded layout).

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The modes the reference gives what it makes for a guest, whatever the umask: a guest's files
/// (log, status, definition) for its owner only, its runtime directory for the owner and group,
/// the monitor socket as libvirt binds it.
pub(crate) const PRIVATE_FILE: u32 = 0o600;
pub(crate) const DOMAIN_DIR: u32 = 0o750;
pub(crate) const MONITOR_SOCKET: u32 = 0o775;

/// Give `path` exactly `mode` (the umask only ever narrows what a create asks for).
pub fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }
    pub fn run_dir(&self) -> PathBuf {
        self.root.join("run/qemu")
    }
    pub fn pid_file(&self, name: &str) -> PathBuf {
        self.run_dir().join(format!("{name}.pid"))
    }
    /// The live status of a running domain (pid, start time, monitor, state, definition).
    pub fn status_file(&self, name: &str) -> PathBuf {
        self.run_dir().join(format!("{name}.xml"))
    }
    /// The guest's private directory: libvirt's short name keeps 20 characters of its name.
    pub fn domain_dir(&self, id: i32, name: &str) -> PathBuf {
        self.root
            .join(format!("lib/qemu/domain-{id}-{}", short_name(name)))
    }
    /// The guest's master key (random bytes qemu reads through its `masterKey0` secret object).
    pub fn master_key(&self, id: i32, name: &str) -> PathBuf {
        self.domain_dir(id, name).join("master-key.aes")
    }
    pub fn monitor_socket(&self, id: i32, name: &str) -> PathBuf {
        self.domain_dir(id, name).join("monitor.sock")
    }
    /// Generated channel sockets: libvirt's short name keeps 20 characters of the guest's name.
    pub fn channel_dir(&self, id: i32, name: &str) -> PathBuf {
        self.root.join(format!(
            "lib/qemu/channel/target/domain-{id}-{}",
            short_name(name)
        ))
    }
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("log/qemu")
    }
    pub fn log_file(&self, name: &str) -> PathBuf {
        self.log_dir().join(format!("{name}.log"))
    }
    pub fn snapshot_dir(&self, name: &str) -> PathBuf {
        self.root.join(format!("lib/qemu/snapshot/{name}"))
    }
    /// Persistent definitions.
    pub fn config_dir(&self) -> PathBuf {
        self.root.join("etc/qemu")
    }
    pub fn config_file(&self, name: &str) -> PathBuf {
        self.config_dir().join(format!("{name}.xml"))
    }
}

/// libvirt's short name of a guest in its directories' names: its first 20 characters.
fn short_name(name: &str) -> String {
    name.chars().take(20).collect()
}

/// Write a file atomically: a temporary file beside it, fsync, rename. Readable by its owner only
/// (0600, as the reference's status files and saved definitions): definitions carry secrets.
pub fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // Unique per call: two threads of one process writing the same file never share a temporary.
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = path.with_extension(format!(
        "tmp.{}.{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_FILE)
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // Nothing half-written stays behind, whichever step failed.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
