//! C handles (`virConnectPtr`, `virDomainPtr`) are keys into a registry, never pointers to
//! memory: a NULL, forged or freed handle is always detected (keys are never reused), and no
//! Rust object is ever reached through a C pointer.

use crate::conn::Connection;
use crate::domain::DomainRef;
use crate::error::{Error, VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN};
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr};
use rustc_hash::FxHashMap as HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, RwLock};

/// A connection handle: the references the application holds (virConnectRef/Close) plus one per
/// live domain handle, as libvirt's domains keep their connection alive.
pub(crate) struct ConnEntry {
    pub conn: Arc<Connection>,
    /// The connection's own last error (virConnGetLastError), freed with the handle.
    pub last_error: crate::ffi::error::ConnError,
    refs: AtomicUsize,
}

/// A domain handle: what libvirt's virDomain holds (name, UUID, id), plus its connection.
pub(crate) struct DomainEntry {
    pub conn: Arc<Connection>,
    conn_entry: Arc<ConnEntry>,
    conn_key: usize,
    name: HandleName,
    /// The names a rename gave the handle since, the last one current (the reference's remote
    /// client renames the caller's handle). All stay allocated for the handle's life, so that a
    /// pointer virDomainGetName gave before a rename stays valid.
    renamed: Mutex<Vec<CString>>,
    /// The current name when a rename gave one: it points into `renamed`; null: `name`.
    current: AtomicPtr<c_char>,
    pub uuid: [u8; 16],
    pub id: AtomicI32,
    refs: AtomicUsize,
}

impl DomainEntry {
    /// The handle's name as C reads it (virDomainGetName).
    pub fn name(&self) -> &CStr {
        let p = self.current.load(Ordering::Acquire);
        if p.is_null() {
            return self.name.as_c_str();
        }
        // SAFETY: a non-null `current` points at the text of a CString in `renamed`, which only
        // grows while the handle lives; a CString's buffer stays where it is when the Vec
        // moves it, and the borrow of `self` bounds the result's life.
        unsafe { CStr::from_ptr(p) }
    }

    /// The handle takes the name `new` (virDomainRename through a daemon).
    pub fn rename(&self, new: &str) {
        let text = super::args::c_string(new);
        let p = text.as_ptr();
        let mut renamed = self.renamed.lock().unwrap_or_else(|p| p.into_inner());
        renamed.push(text);
        self.current.store(p.cast_mut(), Ordering::Release);
    }

    pub fn domain_ref(&self) -> DomainRef {
        DomainRef {
            name: crate::ctext::decode(self.name().to_bytes()).into_owned(),
            uuid: self.uuid,
            id: self.id.load(Ordering::Relaxed),
        }
    }
}

/// A domain handle's name as C reads it (`virDomainGetName`): short names (nearly all) live in
/// the handle itself, so making a handle costs one allocation, not two.
pub(crate) enum HandleName {
    Inline([u8; 64]),
    Heap(std::ffi::CString),
}

impl HandleName {
    fn new(name: &str) -> HandleName {
        let bytes = name.as_bytes();
        if bytes.len() < 64 && !bytes.contains(&0) {
            let mut buf = [0u8; 64];
            buf[..bytes.len()].copy_from_slice(bytes);
            return HandleName::Inline(buf);
        }
        HandleName::Heap(super::args::c_string(name))
    }

    pub fn as_c_str(&self) -> &std::ffi::CStr {
        match self {
            HandleName::Inline(buf) => {
                std::ffi::CStr::from_bytes_until_nul(buf).unwrap_or_default()
            }
            HandleName::Heap(c) => c,
        }
    }
}

pub(crate) struct Registry<T> {
    map: RwLock<HashMap<usize, Arc<T>>>,
}

impl<T> Registry<T> {
    pub(crate) fn new() -> Self {
        Registry {
            map: RwLock::new(HashMap::default()),
        }
    }
    pub(crate) fn get(&self, key: usize) -> Option<Arc<T>> {
        self.map
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    }
    pub(crate) fn insert(&self, key: usize, v: Arc<T>) {
        self.map
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, v);
    }
    /// Drop one of the references `refs` counts on `key`'s entry, under one write lock: None when
    /// there is no such entry, else the entry when that was its last reference.
    pub(crate) fn release(
        &self,
        key: usize,
        refs: impl Fn(&T) -> &AtomicUsize,
    ) -> Option<Option<Arc<T>>> {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        let last = refs(map.get(&key)?).fetch_sub(1, Ordering::AcqRel) == 1;
        Some(if last { map.remove(&key) } else { None })
    }
    pub(crate) fn remove(&self, key: usize) -> Option<Arc<T>> {
        self.map
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key)
    }
}

static CONNS: LazyLock<Registry<ConnEntry>> = LazyLock::new(Registry::new);
static DOMAINS: LazyLock<Registry<DomainEntry>> = LazyLock::new(Registry::new);
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// Keys look like aligned addresses in a range no allocator uses, and are never reused.
pub(crate) fn new_key() -> usize {
    const BASE: usize = 0x0bad_0000_0000;
    BASE + (NEXT_KEY.fetch_add(1, Ordering::Relaxed) as usize) * 16
}

pub(crate) fn connection(c: virConnectPtr) -> Option<Arc<ConnEntry>> {
    CONNS.get(c as usize)
}

/// The connection behind a handle, or libvirt's `invalid connection pointer in <function>`
/// (VIR_ERR_INVALID_CONN under `from`) for a NULL, forged or closed one: the public layer's
/// `virCheckConnectReturn`, the one place a `virConnectPtr` becomes a connection or that error.
pub(crate) fn require_connection(
    c: virConnectPtr,
    from: i32,
    function: &str,
) -> Result<Arc<ConnEntry>, Error> {
    connection(c).ok_or_else(|| Error::with(VIR_ERR_INVALID_CONN, from, function))
}

/// [`require_connection`] under VIR_FROM_DOMAIN, where libvirt's public layer reports it for the
/// connection and domain calls.
pub(crate) fn conn_of(c: virConnectPtr, function: &str) -> Result<Arc<ConnEntry>, Error> {
    require_connection(c, VIR_FROM_DOMAIN, function)
}

pub(crate) fn domain(d: virDomainPtr) -> Option<Arc<DomainEntry>> {
    DOMAINS.get(d as usize)
}

pub(crate) fn new_connection(conn: Arc<Connection>) -> virConnectPtr {
    let key = new_key();
    CONNS.insert(
        key,
        Arc::new(ConnEntry {
            conn,
            last_error: crate::ffi::error::ConnError::new(crate::ffi::error::OwnedError::new()),
            refs: AtomicUsize::new(1),
        }),
    );
    key as virConnectPtr
}

pub(crate) fn ref_connection(e: &ConnEntry) {
    e.refs.fetch_add(1, Ordering::AcqRel);
}

/// Drop one reference; returns how many remain. At zero the connection is closed.
pub(crate) fn unref_connection(key: usize) -> usize {
    match CONNS.get(key) {
        Some(e) => release_connection(key, &e),
        None => 0,
    }
}

pub(crate) fn release_connection(key: usize, e: &ConnEntry) -> usize {
    let left = e.refs.fetch_sub(1, Ordering::AcqRel) - 1;
    if left == 0 && CONNS.remove(key).is_some() {
        crate::ffi::event::forget_close_callback(key);
        e.conn.close();
    }
    left
}

/// A new domain handle on the connection `ce` (whose handle is `conn_key`): it holds a reference
/// on the connection, as libvirt's domains do.
pub(crate) fn new_domain(conn_key: usize, ce: &Arc<ConnEntry>, d: &DomainRef) -> virDomainPtr {
    ref_connection(ce);
    let key = new_key();
    let name = HandleName::new(&d.name);
    DOMAINS.insert(
        key,
        Arc::new(DomainEntry {
            conn: ce.conn.clone(),
            conn_entry: ce.clone(),
            conn_key,
            name,
            renamed: Mutex::new(Vec::new()),
            current: AtomicPtr::new(std::ptr::null_mut()),
            uuid: d.uuid,
            id: AtomicI32::new(d.id),
            refs: AtomicUsize::new(1),
        }),
    );
    key as virDomainPtr
}

pub(crate) fn ref_domain(e: &DomainEntry) {
    e.refs.fetch_add(1, Ordering::AcqRel);
}

/// Drop one reference on a domain handle; false when there is no such handle.
pub(crate) fn unref_domain(key: usize) -> bool {
    let Some(removed) = DOMAINS.release(key, |e| &e.refs) else {
        return false;
    };
    if let Some(e) = removed {
        release_connection(e.conn_key, &e.conn_entry);
    }
    true
}

impl DomainEntry {
    pub fn conn_key(&self) -> usize {
        self.conn_key
    }

    /// The connection handle this domain handle keeps alive.
    pub fn conn_entry(&self) -> &Arc<ConnEntry> {
        &self.conn_entry
    }
}
