//! The storage family: virStoragePool*, virStorageVol* and virConnect*StoragePool* (libvirt's
//! virStorageDriver). A default body is what a driver that lacks the call answers.

/// What a virStoragePoolPtr names, as libvirt's virStoragePool holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoragePoolRef {
    pub name: String,
    pub uuid: [u8; 16],
}

/// What a virStorageVolPtr names, as libvirt's virStorageVol holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageVolRef {
    /// The pool's name.
    pub pool: String,
    pub name: String,
    pub key: String,
}

pub trait StorageDriver: Send + Sync {}
