//! The storage family's C shapes: virStoragePoolInfo and virStorageVolInfo written through the
//! caller's pointer.

use super::{Cx, Out, Reply};
use crate::driver::family::{StoragePoolInfo, StorageVolInfo};
use crate::error::Result;
use crate::ffi::generated::types::{virStoragePoolInfo, virStorageVolInfo};
use std::os::raw::c_int;

/// virStoragePoolGetInfo: the public layer has checked `info` (not NULL) before the call.
impl Reply<c_int, (Out<*mut virStoragePoolInfo>,)> for StoragePoolInfo {
    unsafe fn reply(self, outs: (Out<*mut virStoragePoolInfo>,), _: &Cx) -> Result<c_int> {
        let info = virStoragePoolInfo {
            state: self.state.into(),
            capacity: self.capacity,
            allocation: self.allocation,
            available: self.available,
        };
        // SAFETY: checked non-NULL by the generated export; writable by the C contract.
        unsafe { outs.0 .0.write(info) };
        Ok(0)
    }
}

/// virStorageVolGetInfo: `info` checked as above.
impl Reply<c_int, (Out<*mut virStorageVolInfo>,)> for StorageVolInfo {
    unsafe fn reply(self, outs: (Out<*mut virStorageVolInfo>,), _: &Cx) -> Result<c_int> {
        let info = virStorageVolInfo {
            r#type: self.kind,
            capacity: self.capacity,
            allocation: self.allocation,
        };
        // SAFETY: checked non-NULL by the generated export; writable by the C contract.
        unsafe { outs.0 .0.write(info) };
        Ok(0)
    }
}
