//! The node device family: virNodeDevice* and virNodeListDevices (libvirt's virNodeDeviceDriver).
//! A default body is what a driver that lacks the call answers.

/// What a virNodeDevicePtr names, as libvirt's virNodeDevice holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDeviceRef {
    pub name: String,
}

pub trait NodeDeviceDriver: Send + Sync {}
