//! The storage family: virStoragePool*, virStorageVol* and virConnect*StoragePool* (libvirt's virStorageDriver).

/// No driver serves this family yet: its exports are "not supported" stubs under VIR_FROM_STORAGE, the
/// error domain the reference's public layer uses for it. A driver that comes to serve it adds
/// the method here, with a default body returning `super::unsupported(VIR_FROM_STORAGE, "virFunctionName")`
/// as those stubs do, and the export calls it.
pub trait StorageDriver: Send + Sync {}
