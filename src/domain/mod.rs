//! Domains as drivers keep them: definitions parsed from XML, states and reasons, UUIDs.

pub mod devices;
pub mod graphics_auth;
pub mod keycode;
#[rustfmt::skip]
mod keycode_maps;
mod state;
pub mod uuid;
pub mod vcpus;
pub mod xml;
mod xml_diag;

pub use state::StateReason;
pub use xml::DomainDef;

/// What a domain handle records about its domain (libvirt's virDomain: name, UUID, id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainRef {
    pub name: String,
    pub uuid: [u8; 16],
    pub id: i32,
}

/// A snapshot of one domain's public facts, for info/state calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainInfo {
    pub state: crate::api::DomainState,
    pub max_mem_kib: u64,
    pub memory_kib: u64,
    pub vcpus: u32,
    pub cpu_time_ns: u64,
}
