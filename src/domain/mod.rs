//! Domains as drivers keep them: definitions parsed from XML, states and reasons, UUIDs.

pub mod uuid;
pub mod xml;
mod xml_diag;

pub use xml::DomainDef;

/// What a domain handle records about its domain (libvirt's virDomain: name, UUID, id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainRef {
    pub name: String,
    pub uuid: [u8; 16],
    pub id: i32,
}

/// libvirt's virDomainState values.
#[allow(dead_code)]
pub(crate) mod state {
    pub(crate) const NOSTATE: i32 = 0;
    pub(crate) const RUNNING: i32 = 1;
    pub(crate) const BLOCKED: i32 = 2;
    pub(crate) const PAUSED: i32 = 3;
    pub(crate) const SHUTDOWN: i32 = 4;
    pub(crate) const SHUTOFF: i32 = 5;
    pub(crate) const CRASHED: i32 = 6;
    pub(crate) const PMSUSPENDED: i32 = 7;
}

/// Reasons (virDomainRunningReason, virDomainPausedReason, virDomainShutoffReason).
#[allow(dead_code)]
pub(crate) mod reason {
    pub(crate) const RUNNING_BOOTED: i32 = 1;
    pub(crate) const RUNNING_UNPAUSED: i32 = 5;
    pub(crate) const PAUSED_USER: i32 = 1;
    pub(crate) const PAUSED_STARTING_UP: i32 = 11;
    pub(crate) const SHUTOFF_UNKNOWN: i32 = 0;
    pub(crate) const SHUTOFF_SHUTDOWN: i32 = 1;
    pub(crate) const SHUTOFF_DESTROYED: i32 = 2;
    pub(crate) const SHUTOFF_CRASHED: i32 = 3;
    pub(crate) const SHUTOFF_FAILED: i32 = 6;
}

/// A snapshot of one domain's public facts, for info/state calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainInfo {
    pub state: i32,
    pub reason: i32,
    pub max_mem_kib: u64,
    pub memory_kib: u64,
    pub vcpus: u32,
    pub cpu_time_ns: u64,
}
