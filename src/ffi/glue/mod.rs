//! The generated exports' bodies (gen/generate.py, `glue!` rows of src/ffi/generated/exports.rs):
//! the public layer's checks, the C arguments turned into the Rust values the family method takes,
//! and its answer turned back into C. A driver method's parameter and return types choose the
//! conversion ([`FromC`], [`Reply`]), so adding a function is a generator row and driver methods;
//! a new C type shape is one impl here (or in a file of its own beside this one), for every
//! function that has it.

pub(crate) mod admin_params;
mod block_job;
mod cpu;
mod domain;
mod forwarded;
pub(crate) use domain::c_param;
pub(crate) mod domain_stats;
mod iface_addrs;
mod leases;
mod moments;
mod node;
mod node_stats;
mod pages;
mod params;
mod scalar_out;
mod secret;
mod storage;

use crate::domain::{uuid, DomainRef};
use crate::driver::Driver;
use crate::driver::NetworkRef;
use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_ERR_NO_SUPPORT, VIR_FROM_DOM};
use crate::ffi::args;
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr, virNetwork};
use crate::ffi::handles::{self, ConnEntry, DomainEntry};
use crate::ffi::objects::{self, Kind, Obj};
use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_ulonglong};
use std::sync::Arc;

/// One public call: its name, the error domain its file reports argument errors under, and the
/// connection its receiver belongs to (where new handles go).
pub(crate) struct Cx {
    pub function: &'static str,
    pub from: i32,
    conn: Option<(usize, Arc<ConnEntry>)>,
    /// The domain handle of a call on a domain, a snapshot or a checkpoint: the one new snapshot
    /// and checkpoint handles belong to.
    domain_key: Option<usize>,
    /// The network handle of a call on a network or a port: the one new port handles belong to.
    network_key: Option<usize>,
}

/// The receiver of a call on a domain: its handle and what it names.
pub(crate) struct DomainArg {
    pub entry: Arc<DomainEntry>,
    pub domain: DomainRef,
}

impl DomainArg {
    pub fn driver(&self) -> &dyn Driver {
        &*self.entry.conn.driver
    }
}

impl Cx {
    pub fn new(function: &'static str, from: i32) -> Cx {
        Cx {
            function,
            from,
            conn: None,
            domain_key: None,
            network_key: None,
        }
    }

    /// The driver of the call's connection, once its receiver is known.
    pub fn driver(&self) -> Option<Arc<dyn Driver>> {
        self.conn.as_ref().map(|(_, e)| e.conn.driver.clone())
    }

    /// A connection receiver; `from` is the error domain of the reference's invalid-connection
    /// error for this function.
    pub fn connect(&mut self, c: virConnectPtr, from: i32) -> Result<Arc<dyn Driver>> {
        let e = handles::require_connection(c, from, self.function)?;
        let driver = e.conn.driver.clone();
        self.conn = Some((c as usize, e));
        Ok(driver)
    }

    pub fn domain(&mut self, d: virDomainPtr) -> Result<DomainArg> {
        let entry = handles::domain(d)
            .ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, self.function))?;
        self.conn = Some((entry.conn_key(), entry.conn_entry().clone()));
        self.domain_key = Some(d as usize);
        let domain = entry.domain_ref();
        Ok(DomainArg { entry, domain })
    }

    pub fn object<K: Kind>(&mut self, p: *mut K::Target) -> Result<Arc<Obj<K>>> {
        let o = objects::require::<K>(p, self.function)?;
        self.conn = Some((o.conn_key(), o.conn_entry.clone()));
        if K::IS_NETWORK {
            self.network_key = Some(K::key(p));
        }
        Ok(o)
    }

    /// The public layer's refusal of a call that changes state on a read-only connection.
    pub fn writable(&self, domain: i32) -> Result<()> {
        match &self.conn {
            Some((_, e)) if e.conn.read_only => Err(Error::read_only_in(domain, self.function)),
            _ => Ok(()),
        }
    }

    fn conn(&self) -> Result<&(usize, Arc<ConnEntry>)> {
        self.conn
            .as_ref()
            .ok_or_else(|| Error::internal(self.from, "a call without a connection"))
    }

    /// A new handle of kind `K` on the call's connection.
    pub fn new_handle<K: Kind>(&self, obj: K) -> Result<*mut K::Target> {
        let (key, e) = self.conn()?;
        let parent_key = match (K::OF_DOMAIN, K::OF_NETWORK) {
            (true, _) => self.domain_key,
            (_, true) => self.network_key,
            _ => None,
        };
        Ok(objects::new_handle(*key, e, obj, parent_key))
    }

    /// One of the public layer's argument checks (as the stubs make them, src/ffi/entry.rs).
    pub fn check(&self, c: crate::ffi::entry::Handle) -> Result<()> {
        crate::ffi::entry::check(self.function, &c)
    }

    /// The domain a snapshot or checkpoint belongs to (new handles of its kind go to it too).
    // Generated glue calls it for the snapshot and checkpoint rows.
    #[allow(dead_code)]
    pub fn parent_domain<K: Kind>(&mut self, o: &Obj<K>) -> Result<DomainArg> {
        let key = o.domain_key.unwrap_or_default();
        self.domain(key as virDomainPtr)
    }

    /// The network a port belongs to (new port handles go to it too).
    // Generated glue calls it for the network port rows.
    #[allow(dead_code)]
    pub fn parent_network<K: Kind>(&mut self, o: &Obj<K>) -> Result<Arc<Obj<NetworkRef>>> {
        let key = o.network_key.unwrap_or_default();
        self.object::<NetworkRef>(key as *mut virNetwork)
    }

    /// A family method's default answers for the function it is named after; a public function
    /// that shares the method (virConnectNumOfNetworks and virConnectListNetworks) is named in
    /// its own "not supported", as the reference's.
    /// A driver's own "not supported" with its reason (not a function's name) stays as it is.
    pub fn named(&self, e: Error) -> Error {
        let names_a_function = e.str2.as_deref().is_some_and(|s| s.starts_with("vir"));
        match e.code {
            VIR_ERR_NO_SUPPORT if names_a_function => Error::no_support(e.domain, self.answering()),
            _ => e,
        }
    }

    /// The public function whose "not supported" the caller sees: virXLookupByUUIDString parses
    /// its argument and calls virXLookupByUUID, which answers.
    fn answering(&self) -> &'static str {
        match self.function.strip_suffix("String") {
            Some(f) if f.ends_with("LookupByUUID") => f,
            _ => self.function,
        }
    }

    fn null_arg(&self, arg: &str) -> Error {
        Error::null_arg(self.from, self.function, arg)
    }
}

/// A C argument as the Rust value a family method takes; the parameter's type chooses (a
/// `String` is required, an `Option<String>` may be NULL).
pub(crate) trait FromC<C>: Sized {
    /// # Safety
    /// `c` is what the C caller passed for `arg`, valid as libvirt's documentation says.
    unsafe fn from_c(c: C, cx: &Cx, arg: &'static str) -> Result<Self>;
}

/// Convert argument `arg`; its type comes from the method it is passed to.
///
/// # Safety
/// As [`FromC::from_c`].
pub(crate) unsafe fn arg<C, T: FromC<C>>(cx: &Cx, c: C, name: &'static str) -> Result<T> {
    // SAFETY: handed on under the caller's promise.
    unsafe { T::from_c(c, cx, name) }
}

impl FromC<*const c_char> for String {
    unsafe fn from_c(c: *const c_char, cx: &Cx, arg: &'static str) -> Result<Self> {
        // SAFETY: NULL or a C string, by the C contract.
        match unsafe { args::optional_str(c) } {
            Some(s) => Ok(s.into_owned()),
            None => Err(cx.null_arg(arg)),
        }
    }
}

impl FromC<*const c_char> for Option<String> {
    unsafe fn from_c(c: *const c_char, _cx: &Cx, _arg: &'static str) -> Result<Self> {
        // SAFETY: NULL or a C string, by the C contract.
        Ok(unsafe { args::optional_str(c) }.map(|s| s.into_owned()))
    }
}

/// A raw UUID (VIR_UUID_BUFLEN bytes), required.
impl FromC<*const c_uchar> for [u8; 16] {
    unsafe fn from_c(c: *const c_uchar, cx: &Cx, arg: &'static str) -> Result<Self> {
        if c.is_null() {
            return Err(cx.null_arg(arg));
        }
        let mut u = [0u8; 16];
        // SAFETY: non-NULL, and by the C contract VIR_UUID_BUFLEN readable bytes.
        unsafe { std::ptr::copy_nonoverlapping(c, u.as_mut_ptr(), 16) };
        Ok(u)
    }
}

/// A UUID as text (virNetworkLookupByUUIDString), required.
impl FromC<*const c_char> for [u8; 16] {
    unsafe fn from_c(c: *const c_char, cx: &Cx, arg: &'static str) -> Result<Self> {
        // SAFETY: NULL or a C string, by the C contract.
        let text: String = unsafe { FromC::from_c(c, cx, arg) }?;
        // Only virDomainLookupByUUIDString says "Invalid UUID"; the other families name the call.
        let message = || format!("{arg} in {} must be a valid UUID", cx.function);
        uuid::parse(&text).ok_or_else(|| Error::invalid_arg(cx.from, cx.function, arg, message()))
    }
}

/// An object handle as a further argument (virStorageVolCreateXMLFrom's `clonevol`): what it
/// names, or the reference's error for a bad handle.
impl<K: Kind> FromC<*mut K::Target> for K {
    unsafe fn from_c(c: *mut K::Target, cx: &Cx, _arg: &'static str) -> Result<Self> {
        Ok(objects::require::<K>(c, cx.function)?.obj.clone())
    }
}

macro_rules! plain {
    ($($c:ty => $r:ty),*) => {$(
        impl FromC<$c> for $r {
            unsafe fn from_c(c: $c, _cx: &Cx, _arg: &'static str) -> Result<Self> {
                Ok(c as $r)
            }
        }
    )*};
}
// Flags stay u32: each driver checks them against what it accepts (crate::api::check_flags).
plain!(c_uint => u32, c_int => i32, c_ulonglong => u64);

impl FromC<c_int> for bool {
    unsafe fn from_c(c: c_int, _cx: &Cx, _arg: &'static str) -> Result<Self> {
        Ok(c != 0)
    }
}

/// An output argument and its name (for the public layer's NULL check).
#[derive(Clone, Copy)]
pub(crate) struct Out<P>(pub P, pub &'static str);

/// A family method's answer handed to C: the C return value `R`, and the outputs `O` (a tuple
/// of [`Out`]s, or `()`).
pub(crate) trait Reply<R, O>: Sized {
    /// The public layer's checks of the outputs, made before the driver is asked.
    fn check(_outs: &O, _cx: &Cx) -> Result<()> {
        Ok(())
    }
    /// The answer the public layer gives without asking the driver, if any (virDomainMemoryStats
    /// with no array).
    fn early(_outs: &O) -> Option<R> {
        None
    }
    /// # Safety
    /// Every output is NULL or points to what the C prototype says, writable.
    unsafe fn reply(self, outs: O, cx: &Cx) -> Result<R>;
}

/// The output checks, the driver's call, its answer in C.
pub(crate) fn answer<T: Reply<R, O>, R, O>(
    cx: &Cx,
    outs: O,
    driver_call: impl FnOnce() -> Result<T>,
) -> Result<R> {
    T::check(&outs, cx)?;
    if let Some(r) = T::early(&outs) {
        return Ok(r);
    }
    let value = driver_call()?;
    // SAFETY: the outputs are what the C caller passed, as the prototype says.
    unsafe { value.reply(outs, cx) }
}

impl Reply<c_int, ()> for () {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<c_int> {
        Ok(0)
    }
}

impl Reply<c_int, ()> for bool {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<c_int> {
        Ok(self as c_int)
    }
}

impl Reply<c_int, ()> for i32 {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<c_int> {
        Ok(self)
    }
}

/// A count (virConnectNumOfNetworks from the names a driver lists).
impl Reply<c_int, ()> for Vec<String> {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<c_int> {
        Ok(self.len() as c_int)
    }
}

/// A string the caller frees.
impl Reply<*mut c_char, ()> for String {
    unsafe fn reply(self, _: (), _: &Cx) -> Result<*mut c_char> {
        Ok(args::malloc_str(&self))
    }
}

/// An object: a new handle on the call's connection.
impl<K: Kind> Reply<*mut K::Target, ()> for K {
    unsafe fn reply(self, _: (), cx: &Cx) -> Result<*mut K::Target> {
        cx.new_handle(self)
    }
}

/// One value through an `int *` (virNetworkGetAutostart).
impl<T: Into<c_int>> Reply<c_int, (Out<*mut c_int>,)> for T {
    fn check(outs: &(Out<*mut c_int>,), cx: &Cx) -> Result<()> {
        match outs.0 .0.is_null() {
            true => Err(cx.null_arg(outs.0 .1)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut c_int>,), _: &Cx) -> Result<c_int> {
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.0 .0.write(self.into()) };
        Ok(0)
    }
}

/// Names into the caller's array of `max` (virConnectListNetworks): at most `max`, each a string
/// the caller frees; the count written.
impl Reply<c_int, (Out<*mut *mut c_char>, c_int)> for Vec<String> {
    fn check(outs: &(Out<*mut *mut c_char>, c_int), cx: &Cx) -> Result<()> {
        let (Out(names, arg), max) = *outs;
        if max < 0 {
            return Err(Error::invalid_arg(
                cx.from,
                cx.function,
                "maxnames",
                format!("maxnames in {} must be zero or greater", cx.function),
            ));
        }
        match names.is_null() && max > 0 {
            true => Err(cx.null_arg(arg)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut *mut c_char>, c_int), _: &Cx) -> Result<c_int> {
        let (Out(names, _), max) = outs;
        let n = self.len().min(max as usize);
        for (i, name) in self.iter().take(n).enumerate() {
            // SAFETY: `max` writable slots at `names` (checked non-NULL when max > 0); i < n <= max.
            unsafe { names.add(i).write(args::malloc_str(name)) };
        }
        Ok(n as c_int)
    }
}

/// Objects into a new array the caller frees (virConnectListAllNetworks): NULL-terminated, each
/// a new handle; a NULL output asks for the count only.
impl<K: Kind> Reply<c_int, (Out<*mut *mut *mut K::Target>,)> for Vec<K> {
    unsafe fn reply(self, outs: (Out<*mut *mut *mut K::Target>,), cx: &Cx) -> Result<c_int> {
        let list = outs.0 .0;
        let n = self.len();
        if !list.is_null() {
            // SAFETY: calloc for n+1 pointers (NULL-terminated, as libvirt's); the caller frees it.
            let arr = unsafe { libc::calloc(n + 1, std::mem::size_of::<*mut K::Target>()) }
                as *mut *mut K::Target;
            if arr.is_null() {
                return Err(Error::system(
                    cx.from,
                    libc::ENOMEM,
                    "cannot allocate memory",
                ));
            }
            for (i, obj) in self.into_iter().enumerate() {
                // SAFETY: `arr` has n + 1 slots; i < n.
                unsafe { arr.add(i).write(cx.new_handle(obj)?) };
            }
            // SAFETY: non-NULL and writable by the C contract.
            unsafe { list.write(arr) };
        }
        Ok(n as c_int)
    }
}
