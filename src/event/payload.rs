//! Domain events beyond the lifecycle (reboot, RTC change, watchdog, I/O error, balloon change,
//! PM suspend and wake-up, device removed, metadata change): what each hands its callback, and
//! how a driver raises one. The C boundary (`ffi::event_payload`) calls each event id's callback
//! type with these values.

use super::{Bus, DomainEvent};
use crate::domain::DomainRef;

/// An event's arguments, as its callback type takes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Payload {
    /// The lifecycle event's (event, detail) pair, or an event with no arguments (reboot).
    #[default]
    None,
    /// One `int` (watchdog action, PM reason).
    Int(i32),
    /// One `long long` (RTC offset in seconds).
    LongLong(i64),
    /// One `unsigned long long` (the balloon's size in KiB).
    ULongLong(u64),
    /// One string (a device's alias).
    Text(String),
    /// An I/O error: the disk's source, its alias, the action taken, and why (for the
    /// IO_ERROR_REASON callback).
    IoError {
        src_path: String,
        dev_alias: String,
        action: i32,
        reason: String,
    },
    /// A metadata change: its type and namespace (NULL for title and description).
    Metadata { kind: i32, nsuri: Option<String> },
    /// Typed parameters (a completed job's statistics).
    Params(crate::driver::family::TypedParams),
    /// Two `int`s (the guest agent's state and reason).
    TwoInts(i32, i32),
    /// A graphics client connected, authenticated or went away.
    Graphics(Box<Graphics>),
    /// A block job ended or changed: the disk (its path for BLOCK_JOB, its target for
    /// BLOCK_JOB_2), the job's type and its status.
    BlockJob {
        disk: String,
        kind: i32,
        status: i32,
    },
    /// A disk's medium changed (DISK_CHANGE).
    DiskChange {
        old_src: Option<String>,
        new_src: Option<String>,
        dev_alias: String,
        reason: i32,
    },
    /// A device and an `int` (TRAY_CHANGE: the tray's alias and why).
    TextInt(String, i32),
    /// A block device crossed its write threshold.
    BlockThreshold {
        dev: String,
        path: Option<String>,
        threshold: u64,
        excess: u64,
    },
    /// A memory failure: who got it, the action taken, its flags.
    MemoryFailure {
        recipient: i32,
        action: i32,
        flags: u32,
    },
    /// A device and an `unsigned long long` (MEMORY_DEVICE_SIZE_CHANGE: the alias and size).
    TextULongLong(String, u64),
    /// One of qemu's own monitor events (libvirt-qemu's callbacks).
    QemuMonitor(Box<super::MonitorEvent>),
}

/// One end of a graphics connection (virDomainEventGraphicsAddress).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphicsAddress {
    pub family: i32,
    pub node: String,
    pub service: String,
}

/// A GRAPHICS event's arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graphics {
    pub phase: i32,
    pub local: GraphicsAddress,
    pub remote: GraphicsAddress,
    pub auth_scheme: String,
    /// The client's identity: (type, name) pairs.
    pub subject: Vec<(String, String)>,
}

impl Bus {
    /// Raise the domain event `event_id` with its arguments.
    pub fn emit_payload(&self, event_id: i32, domain: &DomainRef, payload: Payload) {
        let mut st = self.lock();
        let Some(timer) = st.timer else { return };
        st.queue.push_back(DomainEvent {
            domain: domain.clone(),
            event: 0,
            detail: 0,
            event_id,
            payload,
        });
        if st.queue.len() == 1 {
            super::hooks::update_timeout(timer, 0);
        }
    }
}
