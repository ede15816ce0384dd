//! libvirt-domain: domain lookups, lifecycle and state, in the order of checks libvirt's public
//! layer makes (handle, read-only, required arguments) before the driver is asked.

use crate::api::{
    DomainDefineFlags, DomainDestroyFlags, DomainShutdownFlags, DomainUndefineFlags, DomainXMLFlags,
};
use crate::domain::{uuid, DomainRef};
use crate::error::{Error, Result, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, VIR_FROM_DOMAIN};
use crate::ffi::args;
use crate::ffi::connect::fail;
use crate::ffi::generated::types::{virConnectPtr, virDomainInfo, virDomainInfoPtr, virDomainPtr};
use crate::ffi::handles::{self, conn_of, ConnEntry, DomainEntry};
use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_ulong};
use std::ptr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn writable_conn(c: virConnectPtr, function: &str) -> Result<Arc<ConnEntry>> {
    let e = conn_of(c, function)?;
    if e.conn.read_only {
        return Err(Error::read_only(function));
    }
    Ok(e)
}

fn dom_of(d: virDomainPtr, function: &str) -> Result<Arc<DomainEntry>> {
    handles::domain(d).ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, function))
}

fn writable_dom(d: virDomainPtr, function: &str) -> Result<Arc<DomainEntry>> {
    let e = dom_of(d, function)?;
    if e.conn.read_only {
        return Err(Error::read_only(function));
    }
    Ok(e)
}

/// A new handle for `r` on the connection `c` (a reference on the connection, as libvirt).
fn new_handle(c: virConnectPtr, e: &Arc<ConnEntry>, r: &DomainRef) -> virDomainPtr {
    handles::new_domain(c as usize, e, r)
}

fn int_result(r: Result<c_int>) -> c_int {
    r.unwrap_or_else(|e| fail(e, -1))
}

fn ptr_result(r: Result<virDomainPtr>) -> virDomainPtr {
    r.unwrap_or_else(|e| fail(e, ptr::null_mut()))
}

// ---- lookups -------------------------------------------------------------------------------

pub(crate) unsafe fn virDomainLookupByName(c: virConnectPtr, name: *const c_char) -> virDomainPtr {
    ptr_result((|| {
        let e = conn_of(c, "virDomainLookupByName")?;
        // SAFETY: `name` is NULL or a C string, by the C contract.
        let name =
            unsafe { args::required_str(name, VIR_FROM_DOMAIN, "virDomainLookupByName", "name") }?;
        let r = e.conn.driver.domain().lookup_by_name(&name)?;
        Ok(new_handle(c, &e, &r))
    })())
}

pub(crate) unsafe fn virDomainLookupByID(c: virConnectPtr, id: c_int) -> virDomainPtr {
    ptr_result((|| {
        let e = conn_of(c, "virDomainLookupByID")?;
        if id < 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                "virDomainLookupByID",
                "id",
                "id in virDomainLookupByID must be zero or greater".into(),
            ));
        }
        let r = e.conn.driver.domain().lookup_by_id(id)?;
        Ok(new_handle(c, &e, &r))
    })())
}

pub(crate) unsafe fn virDomainLookupByUUID(c: virConnectPtr, raw: *const c_uchar) -> virDomainPtr {
    ptr_result((|| {
        let e = conn_of(c, "virDomainLookupByUUID")?;
        if raw.is_null() {
            return Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virDomainLookupByUUID",
                "uuid",
            ));
        }
        let mut u = [0u8; 16];
        // SAFETY: non-NULL, and by the C contract VIR_UUID_BUFLEN (16) readable bytes.
        unsafe { ptr::copy_nonoverlapping(raw, u.as_mut_ptr(), 16) };
        let r = e.conn.driver.domain().lookup_by_uuid(&u)?;
        Ok(new_handle(c, &e, &r))
    })())
}

pub(crate) unsafe fn virDomainLookupByUUIDString(
    c: virConnectPtr,
    text: *const c_char,
) -> virDomainPtr {
    const F: &str = "virDomainLookupByUUIDString";
    ptr_result((|| {
        let e = conn_of(c, F)?;
        // SAFETY: `text` is NULL or a C string, by the C contract.
        let text = unsafe { args::required_str(text, VIR_FROM_DOMAIN, F, "uuidstr") }?;
        let u = uuid::parse(&text).ok_or_else(|| {
            Error::invalid_arg(VIR_FROM_DOMAIN, F, "uuidstr", "Invalid UUID".into())
        })?;
        let r = e.conn.driver.domain().lookup_by_uuid(&u)?;
        Ok(new_handle(c, &e, &r))
    })())
}

// ---- listing -------------------------------------------------------------------------------

pub(crate) unsafe fn virConnectListAllDomains(
    c: virConnectPtr,
    domains: *mut *mut virDomainPtr,
    flags: c_uint,
) -> c_int {
    int_result((|| {
        let e = conn_of(c, "virConnectListAllDomains")?;
        if domains.is_null() {
            return e.conn.driver.domain().count_all(flags);
        }
        let list = e.conn.driver.domain().list_all(flags)?;
        // SAFETY: calloc for n+1 pointers (the array ends with NULL, as libvirt's); freed by
        // the caller with free(3).
        let arr = unsafe { libc::calloc(list.len() + 1, std::mem::size_of::<virDomainPtr>()) }
            as *mut virDomainPtr;
        if arr.is_null() {
            return Err(Error::system(
                VIR_FROM_DOMAIN,
                libc::ENOMEM,
                "cannot allocate memory",
            ));
        }
        for (i, r) in list.iter().enumerate() {
            // SAFETY: `arr` has list.len() + 1 slots; i < list.len().
            unsafe { arr.add(i).write(new_handle(c, &e, r)) };
        }
        // SAFETY: `domains` is non-NULL and writable by the C contract.
        unsafe { domains.write(arr) };
        Ok(list.len() as c_int)
    })())
}

fn check_max(function: &str, arg: &str, max: c_int, array_null: bool) -> Result<()> {
    if max < 0 {
        return Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            function,
            arg,
            format!("{arg} in {function} must be zero or greater"),
        ));
    }
    if array_null && max > 0 {
        let array = if arg == "maxids" { "ids" } else { "names" };
        return Err(Error::null_arg(VIR_FROM_DOMAIN, function, array));
    }
    Ok(())
}

pub(crate) unsafe fn virConnectListDomains(
    c: virConnectPtr,
    ids: *mut c_int,
    maxids: c_int,
) -> c_int {
    int_result((|| {
        let e = conn_of(c, "virConnectListDomains")?;
        check_max("virConnectListDomains", "maxids", maxids, ids.is_null())?;
        let mut list = e.conn.driver.domain().active_ids()?;
        list.sort_unstable();
        let n = list.len().min(maxids as usize);
        for (i, id) in list.iter().take(n).enumerate() {
            // SAFETY: the caller gave `maxids` writable ints at `ids`; i < n <= maxids.
            unsafe { ids.add(i).write(*id) };
        }
        Ok(n as c_int)
    })())
}

pub(crate) unsafe fn virConnectNumOfDomains(c: virConnectPtr) -> c_int {
    int_result(
        conn_of(c, "virConnectNumOfDomains")
            .and_then(|e| e.conn.driver.domain().domain_count_active()),
    )
}

pub(crate) unsafe fn virConnectListDefinedDomains(
    c: virConnectPtr,
    names: *mut *mut c_char,
    maxnames: c_int,
) -> c_int {
    int_result((|| {
        let e = conn_of(c, "virConnectListDefinedDomains")?;
        check_max(
            "virConnectListDefinedDomains",
            "maxnames",
            maxnames,
            names.is_null(),
        )?;
        let mut list = e.conn.driver.domain().defined_names()?;
        list.sort();
        let n = list.len().min(maxnames as usize);
        for (i, name) in list.iter().take(n).enumerate() {
            // SAFETY: the caller gave `maxnames` writable slots at `names`; i < n <= maxnames.
            unsafe { names.add(i).write(args::malloc_str(name)) };
        }
        Ok(n as c_int)
    })())
}

pub(crate) unsafe fn virConnectNumOfDefinedDomains(c: virConnectPtr) -> c_int {
    int_result(
        conn_of(c, "virConnectNumOfDefinedDomains")
            .and_then(|e| e.conn.driver.domain().domain_count_defined()),
    )
}

// ---- create, define, undefine ----------------------------------------------------------------

unsafe fn create_xml(
    c: virConnectPtr,
    xml: *const c_char,
    flags: c_uint,
    function: &str,
) -> virDomainPtr {
    ptr_result((|| {
        let e = writable_conn(c, function)?;
        // SAFETY: `xml` is NULL or a C string, by the C contract.
        let xml = unsafe { args::required_str(xml, VIR_FROM_DOMAIN, function, "xmlDesc") }?;
        let r = e
            .conn
            .driver
            .domain()
            .create_xml(e.conn.caller(), &xml, flags)?;
        Ok(new_handle(c, &e, &r))
    })())
}

pub(crate) unsafe fn virDomainCreateXML(
    c: virConnectPtr,
    xml: *const c_char,
    flags: c_uint,
) -> virDomainPtr {
    // SAFETY: handed on unchanged.
    unsafe { create_xml(c, xml, flags, "virDomainCreateXML") }
}

pub(crate) unsafe fn virDomainCreateLinux(
    c: virConnectPtr,
    xml: *const c_char,
    flags: c_uint,
) -> virDomainPtr {
    // SAFETY: handed on unchanged; libvirt's old name for virDomainCreateXML.
    unsafe { create_xml(c, xml, flags, "virDomainCreateXML") }
}

unsafe fn define_xml(
    c: virConnectPtr,
    xml: *const c_char,
    flags: c_uint,
    function: &str,
) -> virDomainPtr {
    ptr_result((|| {
        let e = writable_conn(c, function)?;
        // SAFETY: `xml` is NULL or a C string, by the C contract.
        let xml = unsafe { args::required_str(xml, VIR_FROM_DOMAIN, function, "xml") }?;
        let r = e.conn.driver.domain().define_xml(&xml, flags)?;
        Ok(new_handle(c, &e, &r))
    })())
}

pub(crate) unsafe fn virDomainDefineXML(c: virConnectPtr, xml: *const c_char) -> virDomainPtr {
    // SAFETY: handed on unchanged.
    unsafe {
        define_xml(
            c,
            xml,
            DomainDefineFlags::empty().bits(),
            "virDomainDefineXML",
        )
    }
}

pub(crate) unsafe fn virDomainDefineXMLFlags(
    c: virConnectPtr,
    xml: *const c_char,
    flags: c_uint,
) -> virDomainPtr {
    // SAFETY: handed on unchanged.
    unsafe { define_xml(c, xml, flags, "virDomainDefineXMLFlags") }
}

/// A changing call on a domain: handle, read-only, then the driver.
fn change(
    d: virDomainPtr,
    function: &str,
    op: impl FnOnce(&DomainEntry, &DomainRef) -> Result<()>,
) -> c_int {
    int_result(writable_dom(d, function).and_then(|e| {
        op(&e, &e.domain_ref())?;
        Ok(0)
    }))
}

pub(crate) unsafe fn virDomainUndefine(d: virDomainPtr) -> c_int {
    change(d, "virDomainUndefine", |e, r| {
        e.conn
            .driver
            .domain()
            .undefine(r, DomainUndefineFlags::empty().bits())
    })
}

pub(crate) unsafe fn virDomainUndefineFlags(d: virDomainPtr, flags: c_uint) -> c_int {
    change(d, "virDomainUndefineFlags", |e, r| {
        e.conn.driver.domain().undefine(r, flags)
    })
}

fn start(d: virDomainPtr, flags: c_uint, function: &str) -> c_int {
    change(d, function, |e, r| {
        let started = e.conn.driver.domain().create(e.conn.caller(), r, flags)?;
        e.id.store(started.id, Ordering::Relaxed);
        Ok(())
    })
}

pub(crate) unsafe fn virDomainCreate(d: virDomainPtr) -> c_int {
    change(d, "virDomainCreate", |e, r| {
        let driver = e.conn.driver.domain();
        let started = driver.domain_create_no_flags(e.conn.caller(), r)?;
        e.id.store(started.id, Ordering::Relaxed);
        Ok(())
    })
}

pub(crate) unsafe fn virDomainCreateWithFlags(d: virDomainPtr, flags: c_uint) -> c_int {
    start(d, flags, "virDomainCreateWithFlags")
}

/// The files are the driver's to use; the test driver ignores them, as its reference does.
pub(crate) unsafe fn virDomainCreateWithFiles(
    d: virDomainPtr,
    _nfiles: c_uint,
    _files: *mut c_int,
    flags: c_uint,
) -> c_int {
    change(d, "virDomainCreateWithFiles", |e, r| {
        let driver = e.conn.driver.domain();
        let started = driver.domain_create_with_files(e.conn.caller(), r, flags)?;
        e.id.store(started.id, Ordering::Relaxed);
        Ok(())
    })
}

/// As virDomainCreateXML, the files handed to the driver (which the test driver ignores).
pub(crate) unsafe fn virDomainCreateXMLWithFiles(
    c: virConnectPtr,
    xml: *const c_char,
    _nfiles: c_uint,
    _files: *mut c_int,
    flags: c_uint,
) -> virDomainPtr {
    const F: &str = "virDomainCreateXMLWithFiles";
    ptr_result((|| {
        let e = writable_conn(c, F)?;
        // SAFETY: `xml` is NULL or a C string, by the C contract.
        let xml = unsafe { args::required_str(xml, VIR_FROM_DOMAIN, F, "xmlDesc") }?;
        let driver = e.conn.driver.domain();
        let r = driver.domain_create_xml_with_files(e.conn.caller(), &xml, flags)?;
        Ok(new_handle(c, &e, &r))
    })())
}

// ---- lifecycle -------------------------------------------------------------------------------

fn destroy(d: virDomainPtr, flags: c_uint, function: &str) -> c_int {
    change(d, function, |e, r| {
        e.conn.driver.domain().destroy(r, flags)?;
        // libvirt clears the id of the handle the destroy went through.
        e.id.store(-1, Ordering::Relaxed);
        Ok(())
    })
}

pub(crate) unsafe fn virDomainDestroy(d: virDomainPtr) -> c_int {
    destroy(d, DomainDestroyFlags::DEFAULT.bits(), "virDomainDestroy")
}

pub(crate) unsafe fn virDomainDestroyFlags(d: virDomainPtr, flags: c_uint) -> c_int {
    destroy(d, flags, "virDomainDestroyFlags")
}

fn shutdown(d: virDomainPtr, flags: c_uint, function: &str) -> c_int {
    change(d, function, |e, r| {
        e.conn.driver.domain().shutdown(r, flags)?;
        if !e.conn.driver.domain().is_active(r).unwrap_or(false) {
            e.id.store(-1, Ordering::Relaxed);
        }
        Ok(())
    })
}

pub(crate) unsafe fn virDomainShutdown(d: virDomainPtr) -> c_int {
    shutdown(d, DomainShutdownFlags::DEFAULT.bits(), "virDomainShutdown")
}

pub(crate) unsafe fn virDomainShutdownFlags(d: virDomainPtr, flags: c_uint) -> c_int {
    shutdown(d, flags, "virDomainShutdownFlags")
}

// ---- handles and facts -----------------------------------------------------------------------

pub(crate) unsafe fn virDomainRef(d: virDomainPtr) -> c_int {
    int_result(dom_of(d, "virDomainRef").map(|e| {
        handles::ref_domain(&e);
        0
    }))
}

pub(crate) unsafe fn virDomainFree(d: virDomainPtr) -> c_int {
    if handles::unref_domain(d as usize) {
        0
    } else {
        fail(
            Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, "virDomainFree"),
            -1,
        )
    }
}

pub(crate) unsafe fn virDomainGetConnect(d: virDomainPtr) -> virConnectPtr {
    match dom_of(d, "virDomainGetConnect") {
        Ok(e) => e.conn_key() as virConnectPtr,
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virDomainGetName(d: virDomainPtr) -> *const c_char {
    match dom_of(d, "virDomainGetName") {
        // The string lives as long as the handle, as libvirt's dom->name.
        Ok(e) => e.name().as_ptr(),
        Err(e) => fail(e, ptr::null()),
    }
}

pub(crate) unsafe fn virDomainGetID(d: virDomainPtr) -> c_uint {
    match dom_of(d, "virDomainGetID") {
        Ok(e) => e.id.load(Ordering::Relaxed) as c_uint,
        Err(e) => fail(e, c_uint::MAX),
    }
}

pub(crate) unsafe fn virDomainGetUUID(d: virDomainPtr, out: *mut c_uchar) -> c_int {
    int_result(dom_of(d, "virDomainGetUUID").and_then(|e| {
        // SAFETY: NULL or VIR_UUID_BUFLEN writable bytes, by the C contract.
        if unsafe { args::write_bytes(out, &e.uuid) } {
            Ok(0)
        } else {
            Err(Error::null_arg(VIR_FROM_DOMAIN, "virDomainGetUUID", "uuid"))
        }
    }))
}

pub(crate) unsafe fn virDomainGetUUIDString(d: virDomainPtr, buf: *mut c_char) -> c_int {
    int_result(dom_of(d, "virDomainGetUUIDString").and_then(|e| {
        let mut text = [0u8; 37];
        text[..36].copy_from_slice(uuid::format(&e.uuid).as_bytes());
        // SAFETY: NULL or VIR_UUID_STRING_BUFLEN (37) writable bytes, by the C contract.
        if unsafe { args::write_bytes(buf.cast(), &text) } {
            Ok(0)
        } else {
            Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virDomainGetUUIDString",
                "buf",
            ))
        }
    }))
}

pub(crate) unsafe fn virDomainGetXMLDesc(d: virDomainPtr, flags: c_uint) -> *mut c_char {
    match dom_of(d, "virDomainGetXMLDesc").and_then(|e| {
        // VIR_DOMAIN_XML_SECURE needs a read-write connection.
        if flags & DomainXMLFlags::SECURE.bits() != 0 && e.conn.read_only {
            return Err(Error::with(
                crate::error::VIR_ERR_OPERATION_DENIED,
                VIR_FROM_DOMAIN,
                "virDomainGetXMLDesc with secure flag",
            ));
        }
        e.conn.driver.domain().xml_desc(&e.domain_ref(), flags)
    }) {
        Ok(s) => args::malloc_str(&s),
        Err(e) => fail(e, ptr::null_mut()),
    }
}

pub(crate) unsafe fn virDomainGetInfo(d: virDomainPtr, info: virDomainInfoPtr) -> c_int {
    int_result(dom_of(d, "virDomainGetInfo").and_then(|e| {
        if info.is_null() {
            return Err(Error::null_arg(VIR_FROM_DOMAIN, "virDomainGetInfo", "info"));
        }
        let i = e.conn.driver.domain().info(&e.domain_ref())?;
        let out = virDomainInfo {
            state: i32::from(i.state) as u8,
            maxMem: i.max_mem_kib as c_ulong,
            memory: i.memory_kib as c_ulong,
            nrVirtCpu: i.vcpus as u16,
            cpuTime: i.cpu_time_ns,
        };
        // SAFETY: non-NULL and writable by the C contract.
        unsafe { args::write_out(info, out) };
        Ok(0)
    }))
}

pub(crate) unsafe fn virDomainGetState(
    d: virDomainPtr,
    state: *mut c_int,
    reason: *mut c_int,
    flags: c_uint,
) -> c_int {
    int_result(dom_of(d, "virDomainGetState").and_then(|e| {
        if state.is_null() {
            return Err(Error::null_arg(
                VIR_FROM_DOMAIN,
                "virDomainGetState",
                "state",
            ));
        }
        // The driver makes its own virCheckFlags(0, -1), named after its function.
        let (s, r) = e
            .conn
            .driver
            .domain()
            .state(&e.domain_ref(), flags)?
            .codes();
        // SAFETY: `state` is non-NULL, `reason` NULL or writable, by the C contract.
        unsafe {
            args::write_out(state, s);
            args::write_out(reason, r);
        }
        Ok(0)
    }))
}

pub(crate) unsafe fn virDomainGetMaxMemory(d: virDomainPtr) -> c_ulong {
    match dom_of(d, "virDomainGetMaxMemory")
        .and_then(|e| e.conn.driver.domain().domain_max_memory(&e.domain_ref()))
    {
        Ok(kib) => kib as c_ulong,
        Err(e) => fail(e, 0),
    }
}
