//! Handles of the objects other than connections and domains (networks, interfaces, storage
//! pools and volumes, node devices, secrets, filters, snapshots, checkpoints): as handles.rs's,
//! keys into a registry, one per kind, each holding a reference on its connection (and a
//! snapshot's or checkpoint's on its domain handle), as libvirt's objects do.

use crate::domain::uuid;
use crate::driver::{
    CheckpointRef, Driver, InterfaceRef, NetworkPortRef, NetworkRef, NodeDeviceRef,
    NwFilterBindingRef, NwFilterRef, SecretRef, SnapshotRef, StoragePoolRef, StorageVolRef,
};
use crate::error::{self as e, Error};
use crate::ffi::args;
use crate::ffi::entry::fail;
use crate::ffi::generated::types::{
    virConnectPtr, virDomainCheckpoint, virDomainPtr, virDomainSnapshot, virInterface, virNWFilter,
    virNWFilterBinding, virNetwork, virNetworkPort, virNetworkPtr, virNodeDevice, virSecret,
    virStoragePool, virStorageVol,
};
use crate::ffi::handles::{self, ConnEntry, Registry};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_uchar};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

/// A kind of object handle: what its C pointer type is, how the reference reports a bad one,
/// and what C reads back from it without asking the driver.
pub(crate) trait Kind: Clone + Send + Sync + Sized + 'static {
    /// The C handle's opaque struct (virNetwork, ...): the handle is a `*mut Target`.
    type Target;
    /// The reference's error for a NULL, forged or freed handle: code, error domain and the
    /// message with `%s` for the function.
    const INVALID: (i32, i32, &'static str);
    /// Whether a handle of this kind belongs to a domain handle (snapshots, checkpoints).
    const OF_DOMAIN: bool = false;
    /// Whether a handle of this kind belongs to a network handle (network ports).
    const OF_NETWORK: bool = false;
    /// Whether this kind is the network's, which ports belong to.
    const IS_NETWORK: bool = false;
    fn registry() -> &'static Registry<Obj<Self>>;
    fn key(p: *mut Self::Target) -> usize;
    fn ptr(key: usize) -> *mut Self::Target;
    /// What virXGetName gives (a volume's or device's name; a secret's usage id).
    fn c_name(&self) -> &str;
    /// A second string C reads back: an interface's MAC (virInterfaceGetMACString), a volume's
    /// key (virStorageVolGetKey).
    fn c_extra(&self) -> &str {
        ""
    }
    /// virSecretGetUsageType.
    fn usage_type(&self) -> i32 {
        0
    }
    /// What virXGetUUID gives, for the kinds that have one.
    fn uuid(&self) -> Option<[u8; 16]> {
        None
    }
}

/// One object handle: the object as the driver named it, and its connection.
pub(crate) struct Obj<K> {
    pub obj: K,
    pub conn_entry: Arc<ConnEntry>,
    conn_key: usize,
    /// The domain handle a snapshot or checkpoint belongs to (a reference is held on it).
    pub domain_key: Option<usize>,
    /// The network handle a network port belongs to (a reference is held on it).
    pub network_key: Option<usize>,
    c_name: CString,
    c_extra: CString,
    /// A text a driver gave for the handle once and C keeps reading (virNodeDeviceGetParent's
    /// answer for a handle made without its parent's name, as libvirt caches parentName).
    pub fetched: OnceLock<CString>,
    refs: AtomicUsize,
}

impl<K> Obj<K> {
    pub fn driver(&self) -> &dyn Driver {
        &*self.conn_entry.conn.driver
    }
    pub fn conn_key(&self) -> usize {
        self.conn_key
    }
}

/// The reference's error for a bad handle of kind `K` in `function`.
pub(crate) fn invalid<K: Kind>(function: &str) -> Error {
    let (code, domain, fmt) = K::INVALID;
    let mut err = Error::with(code, domain, function);
    err.str1 = Some(fmt.to_string());
    err.message = fmt.replacen("%s", function, 1);
    err
}

/// Whether `p` is a live handle of kind `K`.
pub(crate) fn exists<K: Kind>(p: *mut K::Target) -> bool {
    get::<K>(p).is_some()
}

pub(crate) fn get<K: Kind>(p: *mut K::Target) -> Option<Arc<Obj<K>>> {
    K::registry().get(K::key(p))
}

/// The handle's object, or the reference's error for a bad handle.
pub(crate) fn require<K: Kind>(p: *mut K::Target, function: &str) -> Result<Arc<Obj<K>>, Error> {
    get::<K>(p).ok_or_else(|| invalid::<K>(function))
}

/// A new handle for `obj` on the connection `ce` (handle `conn_key`), holding a reference on
/// it, and on its parent handle `parent_key`: the domain of a snapshot or checkpoint, the
/// network of a port.
pub(crate) fn new_handle<K: Kind>(
    conn_key: usize,
    ce: &Arc<ConnEntry>,
    obj: K,
    parent_key: Option<usize>,
) -> *mut K::Target {
    handles::ref_connection(ce);
    let domain_key = parent_key.filter(|_| K::OF_DOMAIN);
    if let Some(d) = domain_key.and_then(|k| handles::domain(k as virDomainPtr)) {
        handles::ref_domain(&d);
    }
    let network_key = parent_key.filter(|_| K::OF_NETWORK);
    if let Some(n) = network_key.and_then(|k| get::<NetworkRef>(k as virNetworkPtr)) {
        n.refs.fetch_add(1, Ordering::AcqRel);
    }
    let key = handles::new_key();
    let c_name = args::c_string(obj.c_name());
    let c_extra = args::c_string(obj.c_extra());
    K::registry().insert(
        key,
        Arc::new(Obj {
            obj,
            conn_entry: ce.clone(),
            conn_key,
            domain_key,
            network_key,
            c_name,
            c_extra,
            fetched: OnceLock::new(),
            refs: AtomicUsize::new(1),
        }),
    );
    K::ptr(key)
}

/// The connection whose error function hears about a call on handle `key` of kind `K`.
pub(crate) fn connection_of<K: Kind>(key: usize) -> Option<Arc<ConnEntry>> {
    K::registry().get(key).map(|e| e.conn_entry.clone())
}

macro_rules! kind {
    ($kind:ty, $target:ty, $invalid:expr, name: $name:ident, uuid: $uuid:expr $(, $extra:ident: $value:tt)*) => {
        impl Kind for $kind {
            type Target = $target;
            const INVALID: (i32, i32, &'static str) = $invalid;
            $(kind!(@extra $extra $value);)*
            fn registry() -> &'static Registry<Obj<Self>> {
                static REGISTRY: LazyLock<Registry<Obj<$kind>>> = LazyLock::new(Registry::new);
                &REGISTRY
            }
            fn key(p: *mut $target) -> usize {
                p as usize
            }
            fn ptr(key: usize) -> *mut $target {
                key as *mut $target
            }
            fn c_name(&self) -> &str {
                &self.$name
            }
            fn uuid(&self) -> Option<[u8; 16]> {
                let uuid: fn(&Self) -> Option<[u8; 16]> = $uuid;
                uuid(self)
            }
        }
    };
    (@extra of_domain $value:tt) => {
        const OF_DOMAIN: bool = $value;
    };
    (@extra is_network $value:tt) => {
        const IS_NETWORK: bool = $value;
    };
    (@extra extra_opt $field:ident) => {
        fn c_extra(&self) -> &str {
            self.$field.as_deref().unwrap_or_default()
        }
    };
    (@extra extra $field:ident) => {
        fn c_extra(&self) -> &str {
            &self.$field
        }
    };
    (@extra usage_type $field:ident) => {
        fn usage_type(&self) -> i32 {
            self.$field
        }
    };
}

kind!(NetworkRef, virNetwork, (e::VIR_ERR_INVALID_NETWORK, e::VIR_FROM_NETWORK, "invalid network pointer in %s"),
      name: name, uuid: |o| Some(o.uuid), is_network: true);
kind!(InterfaceRef, virInterface, (e::VIR_ERR_INVALID_INTERFACE, e::VIR_FROM_INTERFACE, "invalid interface pointer in %s"),
      name: name, uuid: |_| None, extra: mac);
kind!(StoragePoolRef, virStoragePool, (e::VIR_ERR_INVALID_STORAGE_POOL, e::VIR_FROM_STORAGE, "invalid storage pool pointer in %s"),
      name: name, uuid: |o| Some(o.uuid));
kind!(StorageVolRef, virStorageVol, (e::VIR_ERR_INVALID_STORAGE_VOL, e::VIR_FROM_STORAGE, "invalid storage volume pointer in %s"),
      name: name, uuid: |_| None, extra: key);
kind!(NodeDeviceRef, virNodeDevice, (e::VIR_ERR_INVALID_NODE_DEVICE, e::VIR_FROM_NODEDEV, "invalid node device pointer in %s"),
      name: name, uuid: |_| None, extra_opt: parent);
kind!(SecretRef, virSecret, (e::VIR_ERR_INVALID_SECRET, e::VIR_FROM_SECRET, "Invalid secret: %s"),
      name: usage_id, uuid: |o| Some(o.uuid), usage_type: usage_type);
kind!(NwFilterRef, virNWFilter, (e::VIR_ERR_INVALID_NWFILTER, e::VIR_FROM_NWFILTER, "Invalid network filter: %s"),
      name: name, uuid: |o| Some(o.uuid));
kind!(NwFilterBindingRef, virNWFilterBinding, (e::VIR_ERR_INVALID_NWFILTER_BINDING, e::VIR_FROM_NWFILTER, "Invalid network filter binding: %s"),
      name: portdev, uuid: |_| None, extra: filtername);
kind!(SnapshotRef, virDomainSnapshot, (e::VIR_ERR_INVALID_DOMAIN_SNAPSHOT, e::VIR_FROM_DOMAIN_SNAPSHOT, "Invalid domain snapshot: %s"),
      name: name, uuid: |_| None, of_domain: true);
kind!(CheckpointRef, virDomainCheckpoint, (e::VIR_ERR_INVALID_DOMAIN_CHECKPOINT, e::VIR_FROM_DOMAIN_CHECKPOINT, "Invalid domain checkpoint: %s"),
      name: name, uuid: |_| None, of_domain: true);

/// A network port has no name: it is its UUID, in its network.
impl Kind for NetworkPortRef {
    type Target = virNetworkPort;
    const INVALID: (i32, i32, &'static str) = (
        e::VIR_ERR_INVALID_NETWORK_PORT,
        e::VIR_FROM_NETWORK,
        "Invalid network port pointer: %s",
    );
    const OF_NETWORK: bool = true;
    fn registry() -> &'static Registry<Obj<Self>> {
        static REGISTRY: LazyLock<Registry<Obj<NetworkPortRef>>> = LazyLock::new(Registry::new);
        &REGISTRY
    }
    fn key(p: *mut virNetworkPort) -> usize {
        p as usize
    }
    fn ptr(key: usize) -> *mut virNetworkPort {
        key as *mut virNetworkPort
    }
    fn c_name(&self) -> &str {
        ""
    }
    fn uuid(&self) -> Option<[u8; 16]> {
        Some(self.uuid)
    }
}

// ---- what C reads back from a handle (the generator's HANDLE_ACCESSORS) ---------------------

/// virXGetName (and virSecretGetUsageID): a string that lives as long as the handle.
pub(crate) fn name<K: Kind>(function: &str, p: *mut K::Target) -> *const c_char {
    match require::<K>(p, function) {
        Ok(o) => o.c_name.as_ptr(),
        Err(e) => fail(e),
    }
}

/// virInterfaceGetMACString, virStorageVolGetKey.
pub(crate) fn extra<K: Kind>(function: &str, p: *mut K::Target) -> *const c_char {
    match require::<K>(p, function) {
        Ok(o) => o.c_extra.as_ptr(),
        Err(e) => fail(e),
    }
}

/// virSecretGetUsageType.
pub(crate) fn usage_type<K: Kind>(function: &str, p: *mut K::Target) -> c_int {
    require::<K>(p, function).map_or_else(fail, |o| o.obj.usage_type())
}

/// virXGetUUID.
///
/// # Safety
/// `out` is NULL or VIR_UUID_BUFLEN writable bytes.
pub(crate) unsafe fn uuid<K: Kind>(function: &str, p: *mut K::Target, out: *mut c_uchar) -> c_int {
    let written = require::<K>(p, function).and_then(|o| {
        let u = o.obj.uuid().unwrap_or_default();
        // SAFETY: NULL or VIR_UUID_BUFLEN writable bytes, by the caller's promise.
        match unsafe { args::write_bytes(out, &u) } {
            true => Ok(0),
            false => Err(Error::null_arg(K::INVALID.1, function, "uuid")),
        }
    });
    written.unwrap_or_else(fail)
}

/// virXGetUUIDString.
///
/// # Safety
/// `buf` is NULL or VIR_UUID_STRING_BUFLEN writable bytes.
pub(crate) unsafe fn uuid_string<K: Kind>(
    function: &str,
    p: *mut K::Target,
    buf: *mut c_char,
) -> c_int {
    let written = require::<K>(p, function).and_then(|o| {
        let mut text = [0u8; 37];
        text[..36].copy_from_slice(uuid::format(&o.obj.uuid().unwrap_or_default()).as_bytes());
        // SAFETY: NULL or VIR_UUID_STRING_BUFLEN writable bytes, by the caller's promise.
        match unsafe { args::write_bytes(buf.cast(), &text) } {
            true => Ok(0),
            false => Err(Error::null_arg(K::INVALID.1, function, "buf")),
        }
    });
    written.unwrap_or_else(fail)
}

/// virXGetConnect: the connection handle, without a new reference (as libvirt).
pub(crate) fn connect<K: Kind>(function: &str, p: *mut K::Target) -> virConnectPtr {
    require::<K>(p, function).map_or_else(fail, |o| o.conn_key as virConnectPtr)
}

/// virDomainSnapshotGetDomain, virDomainCheckpointGetDomain: without a new reference.
pub(crate) fn domain<K: Kind>(function: &str, p: *mut K::Target) -> virDomainPtr {
    require::<K>(p, function)
        .map_or_else(fail, |o| o.domain_key.unwrap_or_default() as virDomainPtr)
}

/// virNetworkPortGetNetwork: the network handle, without a new reference (as libvirt).
pub(crate) fn network<K: Kind>(function: &str, p: *mut K::Target) -> virNetworkPtr {
    require::<K>(p, function)
        .map_or_else(fail, |o| o.network_key.unwrap_or_default() as virNetworkPtr)
}

/// virXRef.
pub(crate) fn add_ref<K: Kind>(function: &str, p: *mut K::Target) -> c_int {
    require::<K>(p, function).map_or_else(fail, |o| {
        o.refs.fetch_add(1, Ordering::AcqRel);
        0
    })
}

/// virXFree: drop one reference; at the last one the handle goes, with its references on the
/// connection and its parent (domain or network).
pub(crate) fn free<K: Kind>(function: &str, p: *mut K::Target) -> c_int {
    let Some(removed) = K::registry().release(K::key(p), |e| &e.refs) else {
        return fail(invalid::<K>(function));
    };
    if let Some(e) = removed {
        if let Some(d) = e.domain_key {
            handles::unref_domain(d);
        }
        if let Some(n) = e.network_key {
            free::<NetworkRef>(function, n as virNetworkPtr);
        }
        handles::release_connection(e.conn_key, &e.conn_entry);
    }
    0
}
