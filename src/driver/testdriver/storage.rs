//! The test driver's storage pools and their volumes (libvirt's test driver `StorageDriver`
//! entries): pools of every type that exist only in memory, 100 GiB each, whose volumes take
//! their allocation from the pool.

mod xml;

use super::TestDriver;
use crate::api::{
    ConnectListAllStoragePoolsFlags as ListFlags, NoFlags, StoragePoolDefineFlags,
    StoragePoolEventID, StoragePoolEventLifecycleType as Lifecycle, StoragePoolState,
};
use crate::domain::{uuid, DomainRef};
use crate::driver::family::{StoragePoolInfo, StorageVolInfo};
use crate::driver::{StorageDriver, StoragePoolRef, StorageVolRef};
use crate::error::{
    Error, Result, VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG, VIR_ERR_NO_STORAGE_POOL,
    VIR_ERR_NO_STORAGE_VOL, VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_FAILED,
    VIR_ERR_OPERATION_INVALID, VIR_FROM_NONE, VIR_FROM_STORAGE, VIR_FROM_TEST,
};
use crate::event::{Bus, Family};
use std::sync::Arc;
use std::sync::{Mutex, MutexGuard};
use xml::{PoolDef, VolDef};

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &["<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <target>
    <path>/default-pool</path>
  </target>
</pool>"];

/// Every test pool's size (the reference's defaultPoolCap, 100 GiB), nothing allocated.
const POOL_CAPACITY: u64 = 100 * 1024 * 1024 * 1024;

// The flags the reference's test driver accepts, per call.
const NO_FLAGS: NoFlags = NoFlags::empty();
const DEFINE_FLAGS: StoragePoolDefineFlags = StoragePoolDefineFlags::VALIDATE;

/// virConnectFindStoragePoolSources' answers for logical and netfs pools.
const LOGICAL_SOURCES: &str = "<sources>
  <source>
    <device path='/dev/sda20'/>
    <name>testvg1</name>
    <format type='lvm2'/>
  </source>
  <source>
    <device path='/dev/sda21'/>
    <name>testvg2</name>
    <format type='lvm2'/>
  </source>
</sources>
";

struct Pool {
    def: PoolDef,
    active: bool,
    /// libvirt's config file: a defined pool has one, a created one does not.
    persistent: bool,
    autostart: bool,
    vols: Vec<VolDef>,
}

impl Pool {
    fn pool_ref(&self) -> StoragePoolRef {
        StoragePoolRef {
            name: self.def.name.clone(),
            uuid: self.def.uuid,
        }
    }

    fn vol_ref(&self, v: &VolDef) -> StorageVolRef {
        StorageVolRef {
            pool: self.def.name.clone(),
            name: v.name.clone(),
            key: v.key.clone().unwrap_or_default(),
        }
    }

    /// testStoragePoolObjSetDefaults: the full size free, and a config file.
    fn set_defaults(&mut self) {
        set_size_defaults(&mut self.def);
        self.persistent = true;
    }

    fn vol(&self, name: &str) -> Result<&VolDef> {
        self.vols
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| no_vol(format!("no storage vol with matching name '{name}'")))
    }

    /// virStoragePoolObjAddVol: the volume's key, name and path are each unique in the pool.
    fn add_vol(&mut self, v: VolDef) -> Result<()> {
        let key = v.key.clone().unwrap_or_default();
        let path = v.path().unwrap_or_default().to_string();
        let clash = |what: &str| {
            Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_NONE,
                format!("Duplicate hash table key '{what}'"),
            )
        };
        for existing in &self.vols {
            if existing.key.as_deref().unwrap_or_default() == key {
                return Err(clash(&key));
            }
            if existing.name == v.name {
                return Err(clash(&v.name));
            }
            if existing.path().unwrap_or_default() == path {
                return Err(clash(&path));
            }
        }
        self.def.allocation += v.allocation;
        self.def.available = self.def.capacity.wrapping_sub(self.def.allocation);
        self.vols.push(v);
        Ok(())
    }

    /// The pool's own path for a volume named `name` (the test driver keys volumes by it).
    fn vol_path(&self, name: &str) -> String {
        let dir = self.def.target_path.as_deref().unwrap_or("(null)");
        format!("{dir}/{name}")
    }
}

fn set_size_defaults(def: &mut PoolDef) {
    def.capacity = POOL_CAPACITY;
    def.allocation = 0;
    def.available = POOL_CAPACITY;
}

fn no_pool(info: String) -> Error {
    Error::with(VIR_ERR_NO_STORAGE_POOL, VIR_FROM_TEST, info)
}

fn no_vol(info: String) -> Error {
    Error::with(VIR_ERR_NO_STORAGE_VOL, VIR_FROM_TEST, info)
}

fn invalid(info: String) -> Error {
    Error::with(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, info)
}

fn check_flags<F: bitflags::Flags<Bits = u32>>(
    flags: u32,
    accepted: F,
    function: &str,
) -> Result<F> {
    crate::api::check_flags(function, flags, accepted, VIR_FROM_TEST)
}

/// The storage pools and their volumes of one test connection.
#[derive(Default)]
pub(super) struct Storage {
    pools: Mutex<Vec<Pool>>,
}

/// Whether two pools' sources are the same storage (libvirt's
/// virStoragePoolObjSourceFindDuplicateCb): `a` is an existing pool, `b` the new definition.
fn same_source(a: &PoolDef, b: &PoolDef) -> bool {
    use xml::{DEVICE_KINDS, DIR, GLUSTER, ISCSI, MPATH, NETFS, SCSI, SHEEPDOG, VSTORAGE};
    if a.name == b.name {
        return false;
    }
    let same_kind = a.kind == b.kind;
    match a.kind {
        DIR if same_kind => a.target_path == b.target_path,
        NETFS if same_kind => {
            a.source.dir == b.source.dir && a.source.matches_single_host(&b.source)
        }
        GLUSTER if same_kind => {
            a.source.name == b.source.name
                && a.source.dir == b.source.dir
                && a.source.matches_single_host(&b.source)
        }
        SCSI if same_kind => a.source.same_adapter(&b.source),
        ISCSI if b.kind == ISCSI => {
            a.source.shares_device(&b.source) && a.source.same_initiator(&b.source)
        }
        k if DEVICE_KINDS.contains(&k) && DEVICE_KINDS.contains(&b.kind) && b.kind != ISCSI => {
            a.source.shares_device(&b.source)
        }
        SHEEPDOG if same_kind => a.source.matches_single_host(&b.source),
        MPATH => same_kind,
        VSTORAGE if same_kind => a.source.name == b.source.name,
        _ => false,
    }
}

impl Storage {
    /// From the XML text of each object a node file (or the default node) defines: the pools
    /// run, persistent, each with the `<volume>`s it holds.
    pub(super) fn load(docs: &[String]) -> Result<Storage> {
        let storage = Storage::default();
        for text in docs {
            let doc = xml::parse_doc(text, "(storage_pool_definition)", "pool")?;
            let root = doc.root_element();
            let def = xml::parse_pool_element(root)?;
            let mut pools = storage.lock();
            let at = add(&mut pools, def, false)?;
            let pool = &mut pools[at];
            pool.set_defaults();
            pool.active = true;
            for node in root
                .children()
                .filter(|c| c.is_element() && c.has_tag_name("volume"))
            {
                let mut vol = xml::parse_volume_element(pool.def.kind, node)?;
                if vol.path().is_none() {
                    vol.set_path(pool.vol_path(&vol.name));
                }
                if vol.key.is_none() {
                    vol.key = vol.path().map(str::to_string);
                }
                pool.add_vol(vol)?;
            }
        }
        Ok(storage)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Pool>> {
        self.pools.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// virStoragePoolObjListAdd: a new pool, or the definition of the one with the same name and
/// UUID replaced (kept aside while it runs); `live` refuses a running one. Its index.
fn add(pools: &mut Vec<Pool>, def: PoolDef, live: bool) -> Result<usize> {
    let failed = |info: String| Error::with(VIR_ERR_OPERATION_FAILED, VIR_FROM_STORAGE, info);
    if let Some(p) = pools.iter().find(|p| same_source(&p.def, &def)) {
        return Err(failed(format!(
            "Storage source conflict with pool: '{}'",
            p.def.name
        )));
    }
    if let Some(i) = pools.iter().position(|p| p.def.uuid == def.uuid) {
        let p = &mut pools[i];
        if p.def.name != def.name {
            return Err(failed(format!(
                "pool '{}' is already defined with uuid {}",
                p.def.name,
                uuid::format(&p.def.uuid)
            )));
        }
        if live && p.active {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_STORAGE,
                format!("pool is already active as '{}'", p.def.name),
            ));
        }
        // A running pool keeps showing its definition (the new one waits, unused by the test
        // driver, as libvirt's newDef).
        if !p.active {
            p.def = def;
        }
        return Ok(i);
    }
    if let Some(p) = pools.iter().find(|p| p.def.name == def.name) {
        return Err(failed(format!(
            "pool '{}' already exists with uuid {}",
            def.name,
            uuid::format(&p.def.uuid)
        )));
    }
    pools.push(Pool {
        def,
        active: false,
        persistent: false,
        autostart: false,
        vols: Vec::new(),
    });
    Ok(pools.len() - 1)
}

fn find<'p>(pools: &'p mut [Pool], name: &str) -> Result<&'p mut Pool> {
    pools
        .iter_mut()
        .find(|p| p.def.name == name)
        .ok_or_else(|| no_pool(format!("no storage pool with matching name '{name}'")))
}

fn find_active<'p>(pools: &'p mut [Pool], name: &str) -> Result<&'p mut Pool> {
    let p = find(pools, name)?;
    match p.active {
        true => Ok(p),
        false => Err(invalid(format!("storage pool '{name}' is not active"))),
    }
}

fn find_inactive<'p>(pools: &'p mut [Pool], name: &str) -> Result<&'p mut Pool> {
    let p = find(pools, name)?;
    match p.active {
        true => Err(invalid(format!("storage pool '{name}' is active"))),
        false => Ok(p),
    }
}

fn find_by_uuid<'p>(pools: &'p mut [Pool], u: &[u8; 16]) -> Result<&'p mut Pool> {
    pools.iter_mut().find(|p| p.def.uuid == *u).ok_or_else(|| {
        no_pool(format!(
            "no storage pool with matching uuid '{}'",
            uuid::format(u)
        ))
    })
}

/// virStoragePoolObjMatch: each group of filters given keeps the pools that match one of them.
fn matches(p: &Pool, f: ListFlags) -> bool {
    let group = |yes: ListFlags, no: ListFlags, value: bool| {
        !f.intersects(yes | no) || (f.contains(yes) && value) || (f.contains(no) && !value)
    };
    let types = [
        ListFlags::DIR,
        ListFlags::FS,
        ListFlags::NETFS,
        ListFlags::LOGICAL,
        ListFlags::DISK,
        ListFlags::ISCSI,
        ListFlags::ISCSI_DIRECT,
        ListFlags::SCSI,
        ListFlags::MPATH,
        ListFlags::RBD,
        ListFlags::SHEEPDOG,
        ListFlags::GLUSTER,
        ListFlags::ZFS,
        ListFlags::VSTORAGE,
    ];
    let any_type = types.iter().fold(ListFlags::empty(), |a, t| a | *t);
    group(ListFlags::ACTIVE, ListFlags::INACTIVE, p.active)
        && group(ListFlags::PERSISTENT, ListFlags::TRANSIENT, p.persistent)
        && group(ListFlags::AUTOSTART, ListFlags::NO_AUTOSTART, p.autostart)
        && (!f.intersects(any_type) || f.contains(types[p.def.kind]))
}

impl TestDriver {
    /// A pool's lifecycle event, to the callbacks registered for it.
    fn pool_event(&self, pool: &StoragePoolRef, event: Lifecycle) {
        self.pool_event_of(pool, StoragePoolEventID::Lifecycle, event as i32);
    }

    fn pool_event_of(&self, pool: &StoragePoolRef, id: StoragePoolEventID, event: i32) {
        let object = DomainRef {
            name: pool.name.clone(),
            uuid: pool.uuid,
            id: -1,
        };
        self.bus
            .emit_for(Family::StoragePool.bus_id(id as i32), &object, event, 0);
    }

    fn pools(&self) -> MutexGuard<'_, Vec<Pool>> {
        self.storage.lock()
    }

    fn pool_names(&self, active: bool) -> Vec<String> {
        self.pools()
            .iter()
            .filter(|p| p.active == active)
            .map(|p| p.def.name.clone())
            .collect()
    }

    /// The volume of an active pool that `pick` chooses, as a handle.
    fn find_vol(&self, pick: impl Fn(&VolDef) -> bool) -> Option<StorageVolRef> {
        let pools = self.pools();
        pools
            .iter()
            .filter(|p| p.active)
            .find_map(|p| p.vols.iter().find(|v| pick(v)).map(|v| p.vol_ref(v)))
    }

    /// A new volume in `pool` from `xml`, its size taken from the pool (CreateXML and
    /// CreateXMLFrom; `clone` must be a volume of the same pool).
    fn new_volume(
        &self,
        pool: &StoragePoolRef,
        xml: &str,
        clone: Option<&StorageVolRef>,
    ) -> Result<StorageVolRef> {
        let mut pools = self.pools();
        let p = find_active(&mut pools, &pool.name)?;
        let mut vol = xml::parse_volume(p.def.kind, xml)?;
        if p.vols.iter().any(|v| v.name == vol.name) {
            return Err(Error::with(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_TEST,
                "storage vol already exists",
            ));
        }
        if let Some(c) = clone {
            p.vol(&c.name)?;
        }
        if p.def.allocation.wrapping_add(vol.allocation) > p.def.capacity {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_TEST,
                format!("Not enough free space in pool for volume '{}'", vol.name),
            ));
        }
        let path = p.vol_path(&vol.name);
        vol.key = Some(path.clone());
        vol.set_path(path);
        let r = p.vol_ref(&vol);
        p.add_vol(vol)?;
        Ok(r)
    }

    /// Run `f` on the definition of the volume behind `vol` and its pool's.
    fn with_vol<T>(
        &self,
        vol: &StorageVolRef,
        f: impl FnOnce(&PoolDef, &VolDef) -> T,
    ) -> Result<T> {
        let mut pools = self.pools();
        let p = find_active(&mut pools, &vol.pool)?;
        let v = p.vol(&vol.name)?;
        Ok(f(&p.def, v))
    }
}

impl StorageDriver for TestDriver {
    fn pool_events(&self, _function: &str) -> Result<&Arc<Bus>> {
        Ok(&self.bus)
    }

    fn pool_lookup_by_name(&self, name: String) -> Result<StoragePoolRef> {
        Ok(find(&mut self.pools(), &name)?.pool_ref())
    }

    fn pool_lookup_by_uuid(&self, uuid: [u8; 16]) -> Result<StoragePoolRef> {
        Ok(find_by_uuid(&mut self.pools(), &uuid)?.pool_ref())
    }

    fn pool_lookup_by_volume(&self, vol: &StorageVolRef) -> Result<StoragePoolRef> {
        Ok(find(&mut self.pools(), &vol.pool)?.pool_ref())
    }

    fn pool_active_names(&self) -> Result<Vec<String>> {
        Ok(self.pool_names(true))
    }

    fn pool_defined_names(&self) -> Result<Vec<String>> {
        Ok(self.pool_names(false))
    }

    fn pool_list_all(&self, flags: u32) -> Result<Vec<StoragePoolRef>> {
        let f = check_flags(flags, ListFlags::all(), "testConnectListAllStoragePools")?;
        Ok(self
            .pools()
            .iter()
            .filter(|p| matches(p, f))
            .map(Pool::pool_ref)
            .collect())
    }

    /// libvirt's virStoragePoolObjListExport counts every pool when it is given no array,
    /// whatever the flags.
    fn pool_count_all(&self, flags: u32) -> Result<i32> {
        check_flags(flags, ListFlags::all(), "testConnectListAllStoragePools")?;
        Ok(self.pools().len() as i32)
    }

    fn pool_find_sources(&self, kind: String, spec: Option<String>, flags: u32) -> Result<String> {
        check_flags(flags, NO_FLAGS, "testConnectFindStoragePoolSources")?;
        let index = xml::POOL_TYPES.iter().position(|t| *t == kind);
        // The reference takes type 0 (dir) for an unknown one here.
        if index == Some(xml::DIR) {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_TEST,
                format!("unknown storage pool type {kind}"),
            ));
        }
        let source = match &spec {
            Some(text) => Some(xml::parse_source_spec(text, index)?),
            None => None,
        };
        match index {
            Some(xml::LOGICAL) => Ok(LOGICAL_SOURCES.to_string()),
            Some(xml::NETFS) => match source.as_ref().and_then(|s| s.first_host()) {
                Some(host) => Ok(format!(
                    "<sources>\n  <source>\n    <host name='{host}'/>\n    <dir path='/testshare'/>\n    <format type='nfs'/>\n  </source>\n</sources>\n"
                )),
                None => Err(Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_TEST,
                    "hostname must be specified for netfs sources",
                )),
            },
            _ => Err(Error::with(
                VIR_ERR_NO_SUPPORT,
                VIR_FROM_TEST,
                format!("pool type '{kind}' does not support source discovery"),
            )),
        }
    }

    fn pool_create_xml(&self, xml: String, flags: u32) -> Result<StoragePoolRef> {
        check_flags(flags, NO_FLAGS, "testStoragePoolCreateXML")?;
        let def = xml::parse_pool(&xml)?;
        let mut pools = self.pools();
        let at = add(&mut pools, def, true)?;
        let p = &mut pools[at];
        set_size_defaults(&mut p.def);
        // A created pool is transient, even one that was defined before.
        p.persistent = false;
        p.active = true;
        let r = p.pool_ref();
        drop(pools);
        self.pool_event(&r, Lifecycle::Started);
        Ok(r)
    }

    fn pool_define_xml(&self, xml: String, flags: u32) -> Result<StoragePoolRef> {
        check_flags(flags, DEFINE_FLAGS, "testStoragePoolDefineXML")?;
        let def = xml::parse_pool(&xml)?;
        let mut pools = self.pools();
        let at = add(&mut pools, def, false)?;
        let p = &mut pools[at];
        p.set_defaults();
        let r = p.pool_ref();
        drop(pools);
        self.pool_event(&r, Lifecycle::Defined);
        Ok(r)
    }

    fn pool_build(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testStoragePoolBuild")?;
        find_inactive(&mut self.pools(), &pool.name)?;
        self.pool_event(pool, Lifecycle::Created);
        Ok(())
    }

    fn pool_undefine(&self, pool: &StoragePoolRef) -> Result<()> {
        let mut pools = self.pools();
        find_inactive(&mut pools, &pool.name)?;
        pools.retain(|p| p.def.name != pool.name);
        drop(pools);
        self.pool_event(pool, Lifecycle::Undefined);
        Ok(())
    }

    fn pool_create(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testStoragePoolCreate")?;
        find_inactive(&mut self.pools(), &pool.name)?.active = true;
        self.pool_event(pool, Lifecycle::Started);
        Ok(())
    }

    fn pool_destroy(&self, pool: &StoragePoolRef) -> Result<()> {
        let mut pools = self.pools();
        let p = find_active(&mut pools, &pool.name)?;
        p.active = false;
        // The event names the pool as it is, not as the handle does.
        let r = p.pool_ref();
        if !p.persistent {
            pools.retain(|p| p.def.name != pool.name);
        }
        drop(pools);
        self.pool_event(&r, Lifecycle::Stopped);
        Ok(())
    }

    fn pool_delete(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testStoragePoolDelete")?;
        find_inactive(&mut self.pools(), &pool.name)?;
        self.pool_event(pool, Lifecycle::Deleted);
        Ok(())
    }

    fn pool_refresh(&self, pool: &StoragePoolRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testStoragePoolRefresh")?;
        find_active(&mut self.pools(), &pool.name)?;
        self.pool_event_of(pool, StoragePoolEventID::Refresh, 0);
        Ok(())
    }

    fn pool_info(&self, pool: &StoragePoolRef) -> Result<StoragePoolInfo> {
        let mut pools = self.pools();
        let p = find(&mut pools, &pool.name)?;
        let state = match p.active {
            true => StoragePoolState::Running,
            false => StoragePoolState::Inactive,
        };
        Ok(StoragePoolInfo {
            state,
            capacity: p.def.capacity,
            allocation: p.def.allocation,
            available: p.def.available,
        })
    }

    fn pool_xml_desc(&self, pool: &StoragePoolRef, flags: u32) -> Result<String> {
        check_flags(flags, NO_FLAGS, "testStoragePoolGetXMLDesc")?;
        Ok(xml::format_pool(&find(&mut self.pools(), &pool.name)?.def))
    }

    fn pool_autostart(&self, pool: &StoragePoolRef) -> Result<bool> {
        let mut pools = self.pools();
        let p = find(&mut pools, &pool.name)?;
        Ok(p.persistent && p.autostart)
    }

    fn pool_set_autostart(&self, pool: &StoragePoolRef, autostart: bool) -> Result<()> {
        let mut pools = self.pools();
        let p = find(&mut pools, &pool.name)?;
        if !p.persistent {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_TEST,
                "pool has no config file",
            ));
        }
        p.autostart = autostart;
        Ok(())
    }

    fn pool_volume_names(&self, pool: &StoragePoolRef) -> Result<Vec<String>> {
        let mut pools = self.pools();
        let p = find_active(&mut pools, &pool.name)?;
        Ok(p.vols.iter().map(|v| v.name.clone()).collect())
    }

    fn pool_list_all_volumes(
        &self,
        pool: &StoragePoolRef,
        flags: u32,
    ) -> Result<Vec<StorageVolRef>> {
        check_flags(flags, NO_FLAGS, "testStoragePoolListAllVolumes")?;
        let mut pools = self.pools();
        let p = find_by_uuid(&mut pools, &pool.uuid)?;
        if !p.active {
            return Err(invalid("storage pool is not active".into()));
        }
        Ok(p.vols.iter().map(|v| p.vol_ref(v)).collect())
    }

    fn pool_is_active(&self, pool: &StoragePoolRef) -> Result<bool> {
        Ok(find_by_uuid(&mut self.pools(), &pool.uuid)?.active)
    }

    fn pool_is_persistent(&self, pool: &StoragePoolRef) -> Result<bool> {
        Ok(find_by_uuid(&mut self.pools(), &pool.uuid)?.persistent)
    }

    fn vol_lookup_by_name(&self, pool: &StoragePoolRef, name: String) -> Result<StorageVolRef> {
        let mut pools = self.pools();
        let p = find_active(&mut pools, &pool.name)?;
        Ok(p.vol_ref(p.vol(&name)?))
    }

    fn vol_lookup_by_key(&self, key: String) -> Result<StorageVolRef> {
        self.find_vol(|v| v.key.as_deref() == Some(key.as_str()))
            .ok_or_else(|| no_vol(format!("no storage vol with matching key '{key}'")))
    }

    fn vol_lookup_by_path(&self, path: String) -> Result<StorageVolRef> {
        self.find_vol(|v| v.path() == Some(path.as_str()))
            .ok_or_else(|| no_vol(format!("no storage vol with matching path '{path}'")))
    }

    fn vol_create_xml(
        &self,
        pool: &StoragePoolRef,
        xml: String,
        flags: u32,
    ) -> Result<StorageVolRef> {
        check_flags(flags, NO_FLAGS, "testStorageVolCreateXML")?;
        self.new_volume(pool, &xml, None)
    }

    fn vol_create_xml_from(
        &self,
        pool: &StoragePoolRef,
        xml: String,
        clone: StorageVolRef,
        flags: u32,
    ) -> Result<StorageVolRef> {
        check_flags(flags, NO_FLAGS, "testStorageVolCreateXMLFrom")?;
        self.new_volume(pool, &xml, Some(&clone))
    }

    fn vol_delete(&self, vol: &StorageVolRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testStorageVolDelete")?;
        let mut pools = self.pools();
        let p = find_active(&mut pools, &vol.pool)?;
        let allocation = p.vol(&vol.name)?.allocation;
        p.def.allocation = p.def.allocation.wrapping_sub(allocation);
        p.def.available = p.def.capacity.wrapping_sub(p.def.allocation);
        p.vols.retain(|v| v.name != vol.name);
        Ok(())
    }

    fn vol_info(&self, vol: &StorageVolRef) -> Result<StorageVolInfo> {
        self.with_vol(vol, |pool, v| StorageVolInfo {
            kind: xml::volume_type_for_pool(pool.kind),
            capacity: v.capacity,
            allocation: v.allocation,
        })
    }

    fn vol_xml_desc(&self, vol: &StorageVolRef, flags: u32) -> Result<String> {
        check_flags(flags, NO_FLAGS, "testStorageVolGetXMLDesc")?;
        self.with_vol(vol, |pool, v| xml::format_volume(pool.kind, v))
    }

    fn vol_path(&self, vol: &StorageVolRef) -> Result<String> {
        self.with_vol(vol, |_, v| v.path().unwrap_or_default().to_string())
    }
}
