//! The storage family: virStoragePool*, virStorageVol* and virConnect*StoragePool* (libvirt's
//! virStorageDriver). A default body is what a driver that lacks the call answers.

use super::unsupported;
use crate::api::StoragePoolState;
use crate::error::{Result, VIR_FROM_STORAGE};
use crate::event::Bus;
use std::sync::Arc;

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

/// virStoragePoolInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoragePoolInfo {
    pub state: StoragePoolState,
    pub capacity: u64,
    pub allocation: u64,
    pub available: u64,
}

/// virStorageVolInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageVolInfo {
    /// A virStorageVolType.
    pub kind: i32,
    pub capacity: u64,
    pub allocation: u64,
}

pub trait StorageDriver: Send + Sync {
    /// The bus this driver raises storage pool events on (virConnectStoragePoolEventRegisterAny
    /// and DeregisterAny); `function` is the public call that asks.
    fn pool_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_STORAGE, function)
    }
    /// virStoragePoolLookupByName.
    fn pool_lookup_by_name(&self, _name: String) -> Result<StoragePoolRef> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolLookupByName")
    }
    /// virStoragePoolLookupByUUID (and virStoragePoolLookupByUUIDString).
    fn pool_lookup_by_uuid(&self, _uuid: [u8; 16]) -> Result<StoragePoolRef> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolLookupByUUID")
    }
    /// virStoragePoolLookupByVolume.
    fn pool_lookup_by_volume(&self, _vol: &StorageVolRef) -> Result<StoragePoolRef> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolLookupByVolume")
    }
    /// virConnectListStoragePools (and virConnectNumOfStoragePools): the active pools' names.
    fn pool_active_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_STORAGE, "virConnectListStoragePools")
    }
    /// virConnectListDefinedStoragePools (and virConnectNumOfDefinedStoragePools).
    fn pool_defined_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_STORAGE, "virConnectListDefinedStoragePools")
    }
    /// virConnectListAllStoragePools.
    fn pool_list_all(&self, _flags: u32) -> Result<Vec<StoragePoolRef>> {
        unsupported(VIR_FROM_STORAGE, "virConnectListAllStoragePools")
    }
    /// virConnectListAllStoragePools with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn pool_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.pool_list_all(flags)?.len() as i32)
    }
    /// virConnectFindStoragePoolSources.
    fn pool_find_sources(
        &self,
        _kind: String,
        _spec: Option<String>,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_STORAGE, "virConnectFindStoragePoolSources")
    }
    /// virStoragePoolCreateXML: a transient pool, started.
    fn pool_create_xml(&self, _xml: String, _flags: u32) -> Result<StoragePoolRef> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolCreateXML")
    }
    /// virStoragePoolDefineXML.
    fn pool_define_xml(&self, _xml: String, _flags: u32) -> Result<StoragePoolRef> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolDefineXML")
    }
    /// virStoragePoolBuild.
    fn pool_build(&self, _pool: &StoragePoolRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolBuild")
    }
    /// virStoragePoolUndefine.
    fn pool_undefine(&self, _pool: &StoragePoolRef) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolUndefine")
    }
    /// virStoragePoolCreate.
    fn pool_create(&self, _pool: &StoragePoolRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolCreate")
    }
    /// virStoragePoolDestroy.
    fn pool_destroy(&self, _pool: &StoragePoolRef) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolDestroy")
    }
    /// virStoragePoolDelete.
    fn pool_delete(&self, _pool: &StoragePoolRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolDelete")
    }
    /// virStoragePoolRefresh.
    fn pool_refresh(&self, _pool: &StoragePoolRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolRefresh")
    }
    /// virStoragePoolGetInfo.
    fn pool_info(&self, _pool: &StoragePoolRef) -> Result<StoragePoolInfo> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolGetInfo")
    }
    /// virStoragePoolGetXMLDesc.
    fn pool_xml_desc(&self, _pool: &StoragePoolRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolGetXMLDesc")
    }
    /// virStoragePoolGetAutostart.
    fn pool_autostart(&self, _pool: &StoragePoolRef) -> Result<bool> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolGetAutostart")
    }
    /// virStoragePoolSetAutostart.
    fn pool_set_autostart(&self, _pool: &StoragePoolRef, _autostart: bool) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolSetAutostart")
    }
    /// virStoragePoolListVolumes (and virStoragePoolNumOfVolumes).
    fn pool_volume_names(&self, _pool: &StoragePoolRef) -> Result<Vec<String>> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolListVolumes")
    }
    /// virStoragePoolListAllVolumes.
    fn pool_list_all_volumes(
        &self,
        _pool: &StoragePoolRef,
        _flags: u32,
    ) -> Result<Vec<StorageVolRef>> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolListAllVolumes")
    }
    /// virStoragePoolListAllVolumes with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn pool_count_all_volumes(&self, pool: &StoragePoolRef, flags: u32) -> Result<i32> {
        Ok(self.pool_list_all_volumes(pool, flags)?.len() as i32)
    }
    /// virStoragePoolIsActive.
    fn pool_is_active(&self, _pool: &StoragePoolRef) -> Result<bool> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolIsActive")
    }
    /// virStoragePoolIsPersistent.
    fn pool_is_persistent(&self, _pool: &StoragePoolRef) -> Result<bool> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolIsPersistent")
    }
    /// virStorageVolLookupByName.
    fn vol_lookup_by_name(&self, _pool: &StoragePoolRef, _name: String) -> Result<StorageVolRef> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolLookupByName")
    }
    /// virStorageVolLookupByKey.
    fn vol_lookup_by_key(&self, _key: String) -> Result<StorageVolRef> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolLookupByKey")
    }
    /// virStorageVolLookupByPath.
    fn vol_lookup_by_path(&self, _path: String) -> Result<StorageVolRef> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolLookupByPath")
    }
    /// virStorageVolCreateXML.
    fn vol_create_xml(
        &self,
        _pool: &StoragePoolRef,
        _xml: String,
        _flags: u32,
    ) -> Result<StorageVolRef> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolCreateXML")
    }
    /// virStorageVolCreateXMLFrom.
    fn vol_create_xml_from(
        &self,
        _pool: &StoragePoolRef,
        _xml: String,
        _clone: StorageVolRef,
        _flags: u32,
    ) -> Result<StorageVolRef> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolCreateXMLFrom")
    }
    /// virStorageVolDelete.
    fn vol_delete(&self, _vol: &StorageVolRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolDelete")
    }
    /// virStorageVolGetInfo.
    fn vol_info(&self, _vol: &StorageVolRef) -> Result<StorageVolInfo> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolGetInfo")
    }
    /// virStorageVolGetXMLDesc.
    fn vol_xml_desc(&self, _vol: &StorageVolRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolGetXMLDesc")
    }
    /// virStorageVolGetPath.
    fn vol_path(&self, _vol: &StorageVolRef) -> Result<String> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolGetPath")
    }
    /// virStorageVolWipe.
    fn vol_wipe(&self, _vol: &StorageVolRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolWipe")
    }
    /// virStorageVolWipePattern.
    fn vol_wipe_pattern(&self, _vol: &StorageVolRef, _algorithm: u32, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolWipePattern")
    }
    /// virStorageVolResize.
    fn vol_resize(&self, _vol: &StorageVolRef, _capacity: u64, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolResize")
    }
    /// virStoragePoolLookupByTargetPath.
    fn pool_lookup_by_target_path(&self, _path: String) -> Result<StoragePoolRef> {
        unsupported(VIR_FROM_STORAGE, "virStoragePoolLookupByTargetPath")
    }
    /// virConnectGetStoragePoolCapabilities.
    fn pool_capabilities(&self, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_STORAGE, "virConnectGetStoragePoolCapabilities")
    }
    /// virStorageVolGetInfoFlags.
    fn vol_info_flags(&self, _vol: &StorageVolRef, _flags: u32) -> Result<StorageVolInfo> {
        unsupported(VIR_FROM_STORAGE, "virStorageVolGetInfoFlags")
    }

    /// virConnectNumOfStoragePools: by default the length of the listing; a daemon counts itself.
    fn pool_count_active(&self) -> Result<i32> {
        Ok(self.pool_active_names()?.len() as i32)
    }
    /// virConnectNumOfDefinedStoragePools: as pool_count_active, for the inactive pools.
    fn pool_count_defined(&self) -> Result<i32> {
        Ok(self.pool_defined_names()?.len() as i32)
    }
    /// virStoragePoolNumOfVolumes: as pool_count_active, for the pool's volumes.
    fn pool_volume_count(&self, pool: &StoragePoolRef) -> Result<i32> {
        Ok(self.pool_volume_names(pool)?.len() as i32)
    }
}
