//! C handles (`virConnectPtr`, `virDomainPtr`) are keys into a registry, never pointers to
//! memory: a NULL, forged or freed handle is always detected (keys are never reused), and no
//! Rust object is ever reached through a C pointer.

use crate::conn::Connection;
use crate::domain::DomainRef;
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

/// A connection handle: the references the application holds (virConnectRef/Close) plus one per
/// live domain handle, as libvirt's domains keep their connection alive.
pub(crate) struct ConnEntry {
    pub conn: Arc<Connection>,
    refs: AtomicUsize,
}

/// A domain handle: what libvirt's virDomain holds (name, UUID, id), plus its connection.
pub(crate) struct DomainEntry {
    pub conn: Arc<Connection>,
    conn_key: usize,
    pub name: std::ffi::CString,
    pub uuid: [u8; 16],
    pub id: AtomicI32,
    refs: AtomicUsize,
}

impl DomainEntry {
    pub fn domain_ref(&self) -> DomainRef {
        DomainRef {
            name: self.name.to_string_lossy().into_owned(),
            uuid: self.uuid,
            id: self.id.load(Ordering::Relaxed),
        }
    }
}

struct Registry<T> {
    map: RwLock<HashMap<usize, Arc<T>>>,
}

impl<T> Registry<T> {
    fn new() -> Self {
        Registry {
            map: RwLock::new(HashMap::new()),
        }
    }
    fn get(&self, key: usize) -> Option<Arc<T>> {
        self.map
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    }
    fn insert(&self, key: usize, v: Arc<T>) {
        self.map
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, v);
    }
    fn remove(&self, key: usize) -> Option<Arc<T>> {
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
fn new_key() -> usize {
    const BASE: usize = 0x0bad_0000_0000;
    BASE + (NEXT_KEY.fetch_add(1, Ordering::Relaxed) as usize) * 16
}

pub(crate) fn connection(c: virConnectPtr) -> Option<Arc<ConnEntry>> {
    CONNS.get(c as usize)
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
    let Some(e) = CONNS.get(key) else { return 0 };
    let left = e.refs.fetch_sub(1, Ordering::AcqRel) - 1;
    if left == 0 {
        if let Some(e) = CONNS.remove(key) {
            e.conn.close();
        }
    }
    left
}

pub(crate) fn new_domain(conn_key: usize, conn: &Arc<Connection>, d: &DomainRef) -> virDomainPtr {
    let Some(ce) = CONNS.get(conn_key) else {
        return std::ptr::null_mut();
    };
    ref_connection(&ce);
    let key = new_key();
    let name = std::ffi::CString::new(d.name.as_str()).unwrap_or_default();
    DOMAINS.insert(
        key,
        Arc::new(DomainEntry {
            conn: conn.clone(),
            conn_key,
            name,
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

pub(crate) fn unref_domain(key: usize) {
    let Some(e) = DOMAINS.get(key) else { return };
    if e.refs.fetch_sub(1, Ordering::AcqRel) == 1 {
        if let Some(e) = DOMAINS.remove(key) {
            unref_connection(e.conn_key);
        }
    }
}

impl DomainEntry {
    pub fn conn_key(&self) -> usize {
        self.conn_key
    }
}
