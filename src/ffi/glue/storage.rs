//! The storage family's C shapes: virStoragePoolInfo and virStorageVolInfo written through the
//! caller's pointer, and virConnectListAllStoragePools' count without an array.

use super::{Cx, Out, Reply};
use crate::driver::family::{StoragePoolInfo, StoragePoolListing, StorageVolInfo};
use crate::error::Result;
use crate::ffi::generated::types::{virStoragePool, virStoragePoolInfo, virStorageVolInfo};
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

/// virConnectListAllStoragePools: the matching pools into a new array; without an array, the
/// number of all pools (libvirt's virStoragePoolObjListExport ignores the flags then).
impl Reply<c_int, (Out<*mut *mut *mut virStoragePool>,)> for StoragePoolListing {
    unsafe fn reply(self, outs: (Out<*mut *mut *mut virStoragePool>,), cx: &Cx) -> Result<c_int> {
        if outs.0 .0.is_null() {
            return Ok(self.total as c_int);
        }
        // SAFETY: handed on under the caller's promise (a writable array pointer).
        unsafe { self.matching.reply(outs, cx) }
    }
}
