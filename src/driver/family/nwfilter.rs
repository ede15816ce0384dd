//! The nwfilter family: virNWFilter* and virConnect*NWFilter* (libvirt's virNWFilterDriver).
//! A default body is what a driver that lacks the call answers.

/// What a virNWFilterPtr names, as libvirt's virNWFilter holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NwFilterRef {
    pub name: String,
    pub uuid: [u8; 16],
}

pub trait NwFilterDriver: Send + Sync {}
