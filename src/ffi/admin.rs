//! libvirt-admin.so.0's entry points (link/libvirt-admin.c hands each virAdm* function here, to
//! libvirt.so.0's private node OXVIRT_LIBS_0.1.0, where the last error lives). Each makes the
//! reference's public checks (src/admin/libvirt-admin.c: a bad handle of any kind is "invalid
//! connection pointer" under VIR_FROM_ADMIN, as its virCheckAdm*Return report it), then asks the
//! admin client (driver::remote::admin).
//!
//! Handles are keys in registries, as libvirt.so.0's own. As the reference's objects, a server
//! handle holds a reference on its connection and a client handle one on its server: closing
//! the connection while servers live answers 1, and the daemon hears CONNECT_CLOSE when the last
//! reference goes.

use crate::driver::family::{TypedParams, TypedValue};
use crate::driver::remote::admin::{self, AdminConn, ClientId};
use crate::error::{Error, Result, VIR_ERR_INVALID_CONN, VIR_ERR_OPERATION_INVALID};
use crate::error::{VIR_FROM_ADMIN, VIR_FROM_NONE};
use crate::ffi::args;
use crate::ffi::entry::{self, On};
use crate::ffi::generated::types::virTypedParameterPtr;
use crate::ffi::glue::admin_params::{params_from_c, params_to_c};
use crate::ffi::handles::{new_key, Registry};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_longlong, c_uint, c_ulonglong, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// libvirt 9.0's version number, which virAdmGetVersion reports.
const LIB_VERSION: c_ulonglong = 9_000_000;

/// The opaque C types of the handles (virAdmConnectPtr, virAdmServerPtr, virAdmClientPtr).
type AdmConnectPtr = *mut c_void;
type AdmServerPtr = *mut c_void;
type AdmClientPtr = *mut c_void;
/// virAdmConnectCloseFunc and virFreeCallback.
type CloseFunc = Option<unsafe extern "C" fn(AdmConnectPtr, c_int, *mut c_void)>;
type FreeFunc = Option<unsafe extern "C" fn(*mut c_void)>;

/// A registered close callback: C's function pointers and its opaque data.
#[derive(Clone, Copy)]
struct CloseCallback {
    cb: CloseFunc,
    opaque: *mut c_void,
    free: FreeFunc,
}

// SAFETY: the callback and its data are the application's, which libvirt's contract lets any
// thread (the connection's reader, the caller) call with them.
unsafe impl Send for CloseCallback {}

struct ConnEntry {
    conn: AdminConn,
    refs: AtomicUsize,
    close_cb: Mutex<Option<CloseCallback>>,
}

struct ServerEntry {
    conn_key: usize,
    conn: Arc<ConnEntry>,
    /// The name, for virAdmServerGetName's pointer that lives as long as the handle.
    name: CString,
    refs: AtomicUsize,
}

struct ClientEntry {
    server_key: usize,
    server: Arc<ServerEntry>,
    id: ClientId,
}

static CONNS: LazyLock<Registry<ConnEntry>> = LazyLock::new(Registry::new);
static SERVERS: LazyLock<Registry<ServerEntry>> = LazyLock::new(Registry::new);
static CLIENTS: LazyLock<Registry<ClientEntry>> = LazyLock::new(Registry::new);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn invalid(function: &str) -> Error {
    Error::with(VIR_ERR_INVALID_CONN, VIR_FROM_ADMIN, function)
}

fn conn_of(c: AdmConnectPtr, function: &str) -> Result<Arc<ConnEntry>> {
    CONNS.get(c as usize).ok_or_else(|| invalid(function))
}

fn server_of(s: AdmServerPtr, function: &str) -> Result<Arc<ServerEntry>> {
    SERVERS.get(s as usize).ok_or_else(|| invalid(function))
}

fn client_of(c: AdmClientPtr, function: &str) -> Result<Arc<ClientEntry>> {
    CLIENTS.get(c as usize).ok_or_else(|| invalid(function))
}

fn null_arg(function: &str, arg: &str) -> Error {
    Error::null_arg(VIR_FROM_ADMIN, function, arg)
}

fn negative_arg(function: &str, arg: &str) -> Error {
    Error::invalid_arg(
        VIR_FROM_ADMIN,
        function,
        arg,
        format!("{arg} in {function} must be zero or greater"),
    )
}

/// Drop one reference on the connection `key`: the last one says goodbye to the daemon and
/// frees a close callback's data. Whether references remain.
fn release_conn(key: usize) -> bool {
    match CONNS.release(key, |e| &e.refs) {
        Some(Some(last)) => {
            last.conn.close();
            if let Some(cb) = lock(&last.close_cb).take() {
                free_close_data(cb);
            }
            false
        }
        Some(None) => true,
        None => false,
    }
}

fn release_server(key: usize) {
    if let Some(Some(last)) = SERVERS.release(key, |e| &e.refs) {
        release_conn(last.conn_key);
    }
}

fn free_close_data(cb: CloseCallback) {
    if let Some(free) = cb.free {
        // SAFETY: the application's free function with its own data, once.
        unsafe { free(cb.opaque) };
    }
}

/// A new server handle on the connection `conn_key`.
fn new_server(conn_key: usize, conn: &Arc<ConnEntry>, name: &str) -> AdmServerPtr {
    conn.refs.fetch_add(1, Ordering::AcqRel);
    let key = new_key();
    let entry = ServerEntry {
        conn_key,
        conn: conn.clone(),
        name: args::c_string(name),
        refs: AtomicUsize::new(1),
    };
    SERVERS.insert(key, Arc::new(entry));
    key as AdmServerPtr
}

fn new_client(server_key: usize, server: &Arc<ServerEntry>, id: ClientId) -> AdmClientPtr {
    server.refs.fetch_add(1, Ordering::AcqRel);
    let key = new_key();
    let entry = ClientEntry {
        server_key,
        server: server.clone(),
        id,
    };
    CLIENTS.insert(key, Arc::new(entry));
    key as AdmClientPtr
}

/// A NULL-terminated C array of `items` made into handles by `make`.
fn handle_array<T>(items: Vec<T>, make: impl Fn(T) -> *mut c_void) -> Result<*mut *mut c_void> {
    // SAFETY: calloc of n + 1 zeroed pointers (the last stays NULL).
    let arr = unsafe { libc::calloc(items.len() + 1, std::mem::size_of::<*mut c_void>()) }
        as *mut *mut c_void;
    if arr.is_null() {
        return Err(Error::system(
            VIR_FROM_ADMIN,
            libc::ENOMEM,
            "cannot allocate memory",
        ));
    }
    for (i, item) in items.into_iter().enumerate() {
        // SAFETY: the array holds n + 1 pointers and i < n.
        unsafe { arr.add(i).write(make(item)) };
    }
    Ok(arr)
}

/// Run the body of `function`, reporting its error as the reference's public layer does
/// (virDispatchError(NULL)).
fn run<R: entry::Failure>(function: &'static str, body: impl FnOnce() -> Result<R>) -> R {
    entry::run(function, true, On::Nothing, || {
        body().unwrap_or_else(entry::fail)
    })
}

/// Write a typed-parameter answer to the caller's `params` and `nparams`.
///
/// # Safety
/// `params` is non-NULL and writable; `nparams` is NULL or writable.
unsafe fn answer_params(
    list: &TypedParams,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    function: &str,
) -> Result<c_int> {
    if nparams.is_null() {
        return Err(null_arg(function, "nparams"));
    }
    let (arr, n) = params_to_c(list, VIR_FROM_ADMIN)?;
    // SAFETY: both checked non-NULL; writable by the C contract.
    unsafe {
        params.write(arr);
        nparams.write(n);
    }
    Ok(0)
}

/// virAdmInitialize.
#[no_mangle]
pub extern "C" fn oxvirtAdmInitialize() -> c_int {
    0
}

/// virAdmGetVersion.
///
/// # Safety
/// `lib_ver` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmGetVersion(lib_ver: *mut c_ulonglong) -> c_int {
    run("virAdmGetVersion", || {
        if lib_ver.is_null() {
            return Err(Error::unknown_cause());
        }
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { lib_ver.write(LIB_VERSION) };
        Ok(0)
    })
}

/// virAdmConnectOpen.
///
/// # Safety
/// `name` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectOpen(name: *const c_char, flags: c_uint) -> AdmConnectPtr {
    run("virAdmConnectOpen", || {
        // SAFETY: NULL or a C string, by the C contract.
        let name = unsafe { args::optional_str(name) };
        let conn = admin::open(name.as_deref(), flags)?;
        let key = new_key();
        let entry = ConnEntry {
            conn,
            refs: AtomicUsize::new(1),
            close_cb: Mutex::new(None),
        };
        CONNS.insert(key, Arc::new(entry));
        Ok(key as AdmConnectPtr)
    })
}

/// virAdmConnectClose: 1 while other references (virAdmConnectRef, servers) remain.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectClose(conn: AdmConnectPtr) -> c_int {
    const F: &str = "virAdmConnectClose";
    run(F, || {
        if conn.is_null() {
            return Ok(0);
        }
        conn_of(conn, F)?;
        Ok(release_conn(conn as usize) as c_int)
    })
}

/// virAdmConnectRef.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectRef(conn: AdmConnectPtr) -> c_int {
    const F: &str = "virAdmConnectRef";
    run(F, || {
        conn_of(conn, F)?.refs.fetch_add(1, Ordering::AcqRel);
        Ok(0)
    })
}

/// virAdmConnectIsAlive.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectIsAlive(conn: AdmConnectPtr) -> c_int {
    const F: &str = "virAdmConnectIsAlive";
    run(F, || {
        if conn.is_null() {
            return Ok(0);
        }
        Ok(conn_of(conn, F)?.conn.is_alive() as c_int)
    })
}

/// virAdmConnectGetURI.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectGetURI(conn: AdmConnectPtr) -> *mut c_char {
    const F: &str = "virAdmConnectGetURI";
    run(F, || Ok(args::malloc_str(&conn_of(conn, F)?.conn.uri())))
}

/// virAdmConnectGetLibVersion.
///
/// # Safety
/// `lib_ver` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectGetLibVersion(
    conn: AdmConnectPtr,
    lib_ver: *mut c_ulonglong,
) -> c_int {
    const F: &str = "virAdmConnectGetLibVersion";
    run(F, || {
        let e = conn_of(conn, F)?;
        if lib_ver.is_null() {
            return Err(null_arg(F, "libVer"));
        }
        let v = e.conn.lib_version()?;
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { lib_ver.write(v) };
        Ok(0)
    })
}

/// virAdmConnectRegisterCloseCallback: the callback hears the connection's end, with its
/// reason, unless it is unregistered first.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectRegisterCloseCallback(
    conn: AdmConnectPtr,
    cb: CloseFunc,
    opaque: *mut c_void,
    freecb: FreeFunc,
) -> c_int {
    const F: &str = "virAdmConnectRegisterCloseCallback";
    run(F, || {
        let e = conn_of(conn, F)?;
        if cb.is_none() {
            return Err(null_arg(F, "cb"));
        }
        let mut slot = lock(&e.close_cb);
        if slot.is_some() {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_ADMIN,
                "A close callback is already registered",
            ));
        }
        *slot = Some(CloseCallback {
            cb,
            opaque,
            free: freecb,
        });
        drop(slot);
        let key = conn as usize;
        e.conn.on_close(Box::new(move |reason| {
            let cb = CONNS.get(key).and_then(|e| *lock(&e.close_cb));
            if let Some(CloseCallback {
                cb: Some(f),
                opaque,
                ..
            }) = cb
            {
                // SAFETY: the application's callback with its own data, as registered.
                unsafe { f(key as AdmConnectPtr, reason, opaque) };
            }
        }));
        Ok(0)
    })
}

/// virAdmConnectUnregisterCloseCallback.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectUnregisterCloseCallback(
    conn: AdmConnectPtr,
    cb: CloseFunc,
) -> c_int {
    const F: &str = "virAdmConnectUnregisterCloseCallback";
    run(F, || {
        let e = conn_of(conn, F)?;
        if cb.is_none() {
            return Err(null_arg(F, "cb"));
        }
        let mut slot = lock(&e.close_cb);
        let registered = slot.map(|c| c.cb.map(|f| f as usize));
        if registered != Some(cb.map(|f| f as usize)) {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_NONE,
                "A different callback was requested",
            ));
        }
        let old = slot.take();
        drop(slot);
        if let Some(old) = old {
            free_close_data(old);
        }
        Ok(0)
    })
}

/// virAdmConnectListServers: the count, and when `servers` is given a NULL-terminated array.
///
/// # Safety
/// `servers` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectListServers(
    conn: AdmConnectPtr,
    servers: *mut *mut *mut c_void,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmConnectListServers";
    run(F, || {
        if !servers.is_null() {
            // SAFETY: non-NULL, writable by the C contract.
            unsafe { servers.write(std::ptr::null_mut()) };
        }
        let e = conn_of(conn, F)?;
        let listed = e.conn.list_servers(!servers.is_null(), flags)?;
        if !servers.is_null() {
            let key = conn as usize;
            let arr = handle_array(listed.items, |name| new_server(key, &e, &name))?;
            // SAFETY: as above.
            unsafe { servers.write(arr) };
        }
        Ok(listed.count as c_int)
    })
}

/// virAdmConnectLookupServer.
///
/// # Safety
/// `name` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectLookupServer(
    conn: AdmConnectPtr,
    name: *const c_char,
    flags: c_uint,
) -> AdmServerPtr {
    const F: &str = "virAdmConnectLookupServer";
    run(F, || {
        let e = conn_of(conn, F)?;
        // SAFETY: NULL or a C string, by the C contract.
        let name = unsafe { args::optional_str(name) }.ok_or_else(|| null_arg(F, "name"))?;
        let found = e.conn.lookup_server(&name, flags)?;
        Ok(new_server(conn as usize, &e, &found))
    })
}

/// virAdmServerGetName: the name lives as long as the handle.
#[no_mangle]
pub extern "C" fn oxvirtAdmServerGetName(srv: AdmServerPtr) -> *const c_char {
    const F: &str = "virAdmServerGetName";
    run(F, || Ok(server_of(srv, F)?.name.as_ptr()))
}

/// virAdmServerFree.
#[no_mangle]
pub extern "C" fn oxvirtAdmServerFree(srv: AdmServerPtr) -> c_int {
    const F: &str = "virAdmServerFree";
    run(F, || {
        if srv.is_null() {
            return Ok(0);
        }
        server_of(srv, F)?;
        release_server(srv as usize);
        Ok(0)
    })
}

/// virAdmServerGetThreadPoolParameters.
///
/// # Safety
/// `params` and `nparams` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmServerGetThreadPoolParameters(
    srv: AdmServerPtr,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmServerGetThreadPoolParameters";
    run(F, || {
        let s = server_of(srv, F)?;
        if params.is_null() {
            return Err(null_arg(F, "params"));
        }
        let list = s.conn.conn.threadpool_params(&name_of(&s), flags)?;
        // SAFETY: `params` checked non-NULL; `nparams` checked there.
        unsafe { answer_params(&list, params, nparams, F) }
    })
}

fn name_of(s: &ServerEntry) -> String {
    s.name.to_string_lossy().into_owned()
}

/// The setters' checks and conversion: `params` given, `nparams` not negative; what goes to the
/// daemon.
///
/// # Safety
/// `params` is NULL or points to `nparams` readable parameters.
unsafe fn set_params(
    params: virTypedParameterPtr,
    nparams: c_int,
    function: &'static str,
) -> Result<TypedParams> {
    if params.is_null() {
        return Err(null_arg(function, "params"));
    }
    if nparams < 0 {
        return Err(negative_arg(function, "nparams"));
    }
    // SAFETY: as the caller promises.
    let TypedParams(list) = unsafe { params_from_c(params, nparams, function, VIR_FROM_ADMIN) }?;
    // The reference's client serializes without VIR_TYPED_PARAM_STRING_OKAY, which leaves the
    // string parameters out of what the daemon hears.
    let sent = list
        .into_iter()
        .filter(|(_, v)| !matches!(v, TypedValue::String(_)))
        .collect();
    Ok(TypedParams(sent))
}

/// virAdmServerSetThreadPoolParameters.
///
/// # Safety
/// `params` is NULL or points to `nparams` readable parameters.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmServerSetThreadPoolParameters(
    srv: AdmServerPtr,
    params: virTypedParameterPtr,
    nparams: c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmServerSetThreadPoolParameters";
    run(F, || {
        let s = server_of(srv, F)?;
        // SAFETY: as the caller promises.
        let list = unsafe { set_params(params, nparams, F) }?;
        s.conn
            .conn
            .set_threadpool_params(&name_of(&s), &list, flags)?;
        Ok(0)
    })
}

/// virAdmServerListClients: the count, and when `clients` is given a NULL-terminated array.
///
/// # Safety
/// `clients` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmServerListClients(
    srv: AdmServerPtr,
    clients: *mut *mut *mut c_void,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmServerListClients";
    run(F, || {
        if !clients.is_null() {
            // SAFETY: non-NULL, writable by the C contract.
            unsafe { clients.write(std::ptr::null_mut()) };
        }
        let s = server_of(srv, F)?;
        let listed = s
            .conn
            .conn
            .list_clients(&name_of(&s), !clients.is_null(), flags)?;
        if !clients.is_null() {
            let key = srv as usize;
            let arr = handle_array(listed.items, |id| new_client(key, &s, id))?;
            // SAFETY: as above.
            unsafe { clients.write(arr) };
        }
        Ok(listed.count as c_int)
    })
}

/// virAdmServerLookupClient.
#[no_mangle]
pub extern "C" fn oxvirtAdmServerLookupClient(
    srv: AdmServerPtr,
    id: c_ulonglong,
    flags: c_uint,
) -> AdmClientPtr {
    const F: &str = "virAdmServerLookupClient";
    run(F, || {
        let s = server_of(srv, F)?;
        let found = s.conn.conn.lookup_client(&name_of(&s), id, flags)?;
        Ok(new_client(srv as usize, &s, found))
    })
}

/// virAdmClientGetID: (unsigned long long)-1 for a bad handle.
#[no_mangle]
pub extern "C" fn oxvirtAdmClientGetID(client: AdmClientPtr) -> c_ulonglong {
    const F: &str = "virAdmClientGetID";
    entry::call(F, c_ulonglong::MAX, true, On::Nothing, || {
        client_of(client, F)
            .map(|c| c.id.id)
            .unwrap_or_else(|e| entry::fail::<c_int>(e) as c_ulonglong)
    })
}

/// virAdmClientGetTimestamp.
#[no_mangle]
pub extern "C" fn oxvirtAdmClientGetTimestamp(client: AdmClientPtr) -> c_longlong {
    const F: &str = "virAdmClientGetTimestamp";
    entry::call(F, -1, true, On::Nothing, || {
        client_of(client, F)
            .map(|c| c.id.timestamp)
            .unwrap_or_else(|e| entry::fail::<c_int>(e) as c_longlong)
    })
}

/// virAdmClientGetTransport.
#[no_mangle]
pub extern "C" fn oxvirtAdmClientGetTransport(client: AdmClientPtr) -> c_int {
    const F: &str = "virAdmClientGetTransport";
    run(F, || Ok(client_of(client, F)?.id.transport))
}

/// virAdmClientFree.
#[no_mangle]
pub extern "C" fn oxvirtAdmClientFree(client: AdmClientPtr) -> c_int {
    const F: &str = "virAdmClientFree";
    run(F, || {
        if client.is_null() {
            return Ok(0);
        }
        client_of(client, F)?;
        if let Some(c) = CLIENTS.remove(client as usize) {
            release_server(c.server_key);
        }
        Ok(0)
    })
}

/// virAdmClientGetInfo.
///
/// # Safety
/// `params` and `nparams` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmClientGetInfo(
    client: AdmClientPtr,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmClientGetInfo";
    run(F, || {
        let c = client_of(client, F)?;
        if params.is_null() {
            return Err(null_arg(F, "params"));
        }
        let list = c.server.conn.conn.client_info(&c.id, flags)?;
        // SAFETY: `params` checked non-NULL; `nparams` checked there.
        unsafe { answer_params(&list, params, nparams, F) }
    })
}

/// virAdmClientClose.
#[no_mangle]
pub extern "C" fn oxvirtAdmClientClose(client: AdmClientPtr, flags: c_uint) -> c_int {
    const F: &str = "virAdmClientClose";
    run(F, || {
        let c = client_of(client, F)?;
        c.server.conn.conn.client_close(&c.id, flags)?;
        Ok(0)
    })
}

/// virAdmServerGetClientLimits.
///
/// # Safety
/// `params` and `nparams` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmServerGetClientLimits(
    srv: AdmServerPtr,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmServerGetClientLimits";
    run(F, || {
        let s = server_of(srv, F)?;
        if params.is_null() {
            return Err(null_arg(F, "params"));
        }
        let list = s.conn.conn.client_limits(&name_of(&s), flags)?;
        // SAFETY: `params` checked non-NULL; `nparams` checked there.
        unsafe { answer_params(&list, params, nparams, F) }
    })
}

/// virAdmServerSetClientLimits.
///
/// # Safety
/// `params` is NULL or points to `nparams` readable parameters.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmServerSetClientLimits(
    srv: AdmServerPtr,
    params: virTypedParameterPtr,
    nparams: c_int,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmServerSetClientLimits";
    run(F, || {
        let s = server_of(srv, F)?;
        // SAFETY: as the caller promises.
        let list = unsafe { set_params(params, nparams, F) }?;
        s.conn.conn.set_client_limits(&name_of(&s), &list, flags)?;
        Ok(0)
    })
}

/// virAdmServerUpdateTlsFiles.
#[no_mangle]
pub extern "C" fn oxvirtAdmServerUpdateTlsFiles(srv: AdmServerPtr, flags: c_uint) -> c_int {
    const F: &str = "virAdmServerUpdateTlsFiles";
    run(F, || {
        let s = server_of(srv, F)?;
        s.conn.conn.update_tls_files(&name_of(&s), flags)?;
        Ok(0)
    })
}

/// virAdmConnectGetLoggingOutputs: the count, and the outputs when `outputs` is given.
///
/// # Safety
/// `outputs` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectGetLoggingOutputs(
    conn: AdmConnectPtr,
    outputs: *mut *mut c_char,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmConnectGetLoggingOutputs";
    run(F, || {
        let (text, n) = conn_of(conn, F)?.conn.logging_outputs(flags)?;
        if !outputs.is_null() {
            // SAFETY: non-NULL, writable by the C contract.
            unsafe { outputs.write(args::malloc_str(&text)) };
        }
        Ok(n as c_int)
    })
}

/// virAdmConnectGetLoggingFilters: the count, and the filters (NULL for none) when asked.
///
/// # Safety
/// `filters` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectGetLoggingFilters(
    conn: AdmConnectPtr,
    filters: *mut *mut c_char,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmConnectGetLoggingFilters";
    run(F, || {
        let (text, n) = conn_of(conn, F)?.conn.logging_filters(flags)?;
        if !filters.is_null() {
            let p = text.map_or(std::ptr::null_mut(), |t| args::malloc_str(&t));
            // SAFETY: non-NULL, writable by the C contract.
            unsafe { filters.write(p) };
        }
        Ok(n as c_int)
    })
}

/// virAdmConnectSetLoggingOutputs.
///
/// # Safety
/// `outputs` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectSetLoggingOutputs(
    conn: AdmConnectPtr,
    outputs: *const c_char,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmConnectSetLoggingOutputs";
    run(F, || {
        let e = conn_of(conn, F)?;
        // SAFETY: NULL or a C string, by the C contract.
        let outputs = unsafe { args::optional_str(outputs) }.map(|s| s.into_owned());
        e.conn.set_logging_outputs(outputs, flags)?;
        Ok(0)
    })
}

/// virAdmConnectSetLoggingFilters.
///
/// # Safety
/// `filters` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn oxvirtAdmConnectSetLoggingFilters(
    conn: AdmConnectPtr,
    filters: *const c_char,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmConnectSetLoggingFilters";
    run(F, || {
        let e = conn_of(conn, F)?;
        // SAFETY: NULL or a C string, by the C contract.
        let filters = unsafe { args::optional_str(filters) }.map(|s| s.into_owned());
        e.conn.set_logging_filters(filters, flags)?;
        Ok(0)
    })
}

/// virAdmConnectSetDaemonTimeout.
#[no_mangle]
pub extern "C" fn oxvirtAdmConnectSetDaemonTimeout(
    conn: AdmConnectPtr,
    timeout: c_uint,
    flags: c_uint,
) -> c_int {
    const F: &str = "virAdmConnectSetDaemonTimeout";
    run(F, || {
        conn_of(conn, F)?.conn.set_daemon_timeout(timeout, flags)?;
        Ok(0)
    })
}
