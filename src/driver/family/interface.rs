//! The interface family: virInterface* and virConnect*Interface* (libvirt's virInterfaceDriver).
//! A default body is what a driver that lacks the call answers.

/// What a virInterfacePtr names, as libvirt's virInterface holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceRef {
    pub name: String,
    pub mac: String,
}

pub trait InterfaceDriver: Send + Sync {}
