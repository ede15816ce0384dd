//! The node_device family: virNodeDevice* and virNodeListDevices (libvirt's virNodeDeviceDriver).

/// No driver serves this family yet: its exports are "not supported" stubs under VIR_FROM_NODEDEV, the
/// error domain the reference's public layer uses for it. A driver that comes to serve it adds
/// the method here, with a default body returning `super::unsupported(VIR_FROM_NODEDEV, "virFunctionName")`
/// as those stubs do, and the export calls it.
pub trait NodeDeviceDriver: Send + Sync {}
