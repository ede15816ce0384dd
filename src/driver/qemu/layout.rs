//! Where a domain's files live under the driver's root (the reference's embedded layout).

use std::path::{Path, PathBuf};
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
    pub fn domain_dir(&self, id: i32, name: &str) -> PathBuf {
        self.root.join(format!("lib/qemu/domain-{id}-{name}"))
    }
    pub fn monitor_socket(&self, id: i32, name: &str) -> PathBuf {
        self.domain_dir(id, name).join("monitor.sock")
    }
    /// Generated channel sockets: libvirt's short name keeps 20 characters of the guest's name.
    pub fn channel_dir(&self, id: i32, name: &str) -> PathBuf {
        let short: String = name.chars().take(20).collect();
        self.root
            .join(format!("lib/qemu/channel/target/domain-{id}-{short}"))
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

/// Write a file atomically: a temporary file beside it, fsync, rename.
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
        let mut f = std::fs::File::create(&tmp)?;
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
