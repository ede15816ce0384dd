//! Streams (virStream*): handles that hold their connection, served once a driver opens them on a
//! local file (libvirt's fd stream: virDomainScreenshot on the test driver) or serves them itself
//! (the remote driver's streams over RPC), with libvirt's public layer's checks and its quirks:
//! errors of the *All helpers are told twice (the inner call's and their own), some argument
//! errors are left set and not told at all.

use crate::domain::DomainRef;
use crate::driver::family::{StorageVolRef, StreamBody, StreamChannel, RECV_AT_HOLE};
use crate::error::{
    self as e, Error, VIR_ERR_INVALID_DOMAIN, VIR_ERR_INVALID_STREAM, VIR_ERR_OPERATION_INVALID,
    VIR_FROM_DOM, VIR_FROM_DOMAIN, VIR_FROM_STORAGE, VIR_FROM_STREAMS,
};
use crate::ffi::args;
use crate::ffi::entry::{self, On};
use crate::ffi::generated::types::{
    virConnectPtr, virDomainPtr, virFreeCallback, virStorageVolPtr, virStream,
    virStreamEventCallback, virStreamPtr, virStreamSinkFunc, virStreamSinkHoleFunc,
    virStreamSourceFunc, virStreamSourceHoleFunc, virStreamSourceSkipFunc, VIR_STREAM_NONBLOCK,
    VIR_STREAM_RECV_STOP_AT_HOLE,
};
use crate::ffi::handles::{self, ConnEntry, Registry};
use crate::ffi::objects;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::raw::{c_char, c_int, c_longlong, c_uint, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

/// How much the *All helpers move at a time (libvirt's 64 KiB).
const CHUNK: usize = 64 * 1024;
/// libvirt clamps one read or write to INT_MAX bytes.
const MAX_IO: usize = i32::MAX as usize;

/// What serves a stream (libvirt's st->driver and its private data).
enum Backend {
    /// No driver opened it: every call but Abort is "not supported".
    Unserved,
    /// An fd stream over a file; `None` once finished or aborted.
    File {
        file: Option<File>,
        /// libvirt's fdst->watch: 0 without a callback, -1 after a registration that failed.
        watch: i32,
    },
    /// A stream its driver serves (the remote driver's).
    Channel(Arc<dyn StreamChannel>),
}

impl From<StreamBody> for Backend {
    fn from(body: StreamBody) -> Backend {
        match body {
            StreamBody::File(file) => Backend::File {
                file: Some(file),
                watch: 0,
            },
            StreamBody::Channel(c) => Backend::Channel(c),
        }
    }
}

struct Stream {
    conn_key: usize,
    conn_entry: Arc<ConnEntry>,
    nonblock: bool,
    refs: AtomicUsize,
    backend: Mutex<Backend>,
}

impl Stream {
    fn lock(&self) -> MutexGuard<'_, Backend> {
        self.backend.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The driver's stream, when a driver serves this one (its calls may wait on the daemon: the
    /// backend's lock is not held through them).
    fn channel(&self) -> Option<Arc<dyn StreamChannel>> {
        match &*self.lock() {
            Backend::Channel(c) => Some(c.clone()),
            _ => None,
        }
    }
}

static STREAMS: LazyLock<Registry<Stream>> = LazyLock::new(Registry::new);

/// The connection a stream handle's errors are told to (generated exports' dispatch target).
pub(crate) fn connection_of(key: usize) -> Option<Arc<ConnEntry>> {
    STREAMS.get(key).map(|s| s.conn_entry.clone())
}

fn invalid_stream(function: &str) -> Error {
    let fmt = "invalid stream pointer in %s";
    let mut err = Error::with(VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, function);
    err.str1 = Some(fmt.to_string());
    err.message = fmt.replacen("%s", function, 1);
    err
}

fn require(st: virStreamPtr, function: &str) -> Result<Arc<Stream>, Error> {
    STREAMS
        .get(st as usize)
        .ok_or_else(|| invalid_stream(function))
}

fn not_open() -> Error {
    Error::internal(VIR_FROM_STREAMS, "stream is not open")
}

fn unsupported(function: &str) -> Error {
    Error::no_support(VIR_FROM_STREAMS, function)
}

/// Tell the stream's connection (or the global function) of the last error now, as a public
/// call the helper makes would.
fn tell(st: virStreamPtr) {
    entry::dispatch(&On::Object(connection_of, st as usize));
}

/// A result as C's int, the error raised.
fn answer(r: Result<c_int, Error>) -> c_int {
    r.unwrap_or_else(entry::fail)
}

pub(crate) unsafe fn virStreamNew(conn: virConnectPtr, flags: c_uint) -> virStreamPtr {
    match handles::require_connection(conn, VIR_FROM_STREAMS, "virStreamNew") {
        Ok(ce) => {
            handles::ref_connection(&ce);
            let key = handles::new_key();
            STREAMS.insert(
                key,
                Arc::new(Stream {
                    conn_key: conn as usize,
                    conn_entry: ce,
                    nonblock: flags & VIR_STREAM_NONBLOCK != 0,
                    refs: AtomicUsize::new(1),
                    backend: Mutex::new(Backend::Unserved),
                }),
            );
            key as *mut virStream
        }
        Err(err) => entry::fail(err),
    }
}

pub(crate) unsafe fn virStreamRef(st: virStreamPtr) -> c_int {
    answer(require(st, "virStreamRef").map(|s| {
        s.refs.fetch_add(1, Ordering::AcqRel);
        0
    }))
}

pub(crate) unsafe fn virStreamFree(st: virStreamPtr) -> c_int {
    let Some(released) = STREAMS.release(st as usize, |s| &s.refs) else {
        return entry::fail(invalid_stream("virStreamFree"));
    };
    if let Some(s) = released {
        *s.lock() = Backend::Unserved;
        handles::release_connection(s.conn_key, &s.conn_entry);
    }
    0
}

/// One write (virFDStreamWrite): how much went, -2 when a non-blocking stream would block.
fn send(s: &Stream, data: &[u8]) -> Result<c_int, Error> {
    if let Some(c) = s.channel() {
        return c.send(&data[..data.len().min(MAX_IO)]);
    }
    match &mut *s.lock() {
        Backend::Channel(_) => Err(not_open()),
        Backend::Unserved => Err(unsupported("virStreamSend")),
        Backend::File { file: None, .. } => Err(not_open()),
        Backend::File { file: Some(f), .. } => loop {
            match f.write(&data[..data.len().min(MAX_IO)]) {
                Ok(n) => return Ok(n as c_int),
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) if err.kind() == ErrorKind::WouldBlock => return Ok(-2),
                Err(err) => {
                    return Err(Error::system(
                        VIR_FROM_STREAMS,
                        err.raw_os_error().unwrap_or(0),
                        "cannot write to stream",
                    ))
                }
            }
        },
    }
}

/// One read (virFDStreamRead): how much came (0 at the end), -2 when it would block.
fn recv(s: &Stream, buf: &mut [u8]) -> Result<c_int, Error> {
    recv_flags(s, buf, 0)
}

/// One read with virStreamRecvFlags' flags (only a driver's stream takes them).
fn recv_flags(s: &Stream, buf: &mut [u8], flags: u32) -> Result<c_int, Error> {
    if let Some(c) = s.channel() {
        let n = buf.len().min(MAX_IO);
        return c.recv(&mut buf[..n], s.nonblock, flags);
    }
    match &mut *s.lock() {
        Backend::Channel(_) => Err(not_open()),
        Backend::Unserved => Err(unsupported("virStreamRecv")),
        Backend::File { file: None, .. } => Err(not_open()),
        Backend::File { file: Some(f), .. } => loop {
            let n = buf.len().min(MAX_IO);
            match f.read(&mut buf[..n]) {
                Ok(n) => return Ok(n as c_int),
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) if err.kind() == ErrorKind::WouldBlock => return Ok(-2),
                Err(err) => {
                    return Err(Error::system(
                        VIR_FROM_STREAMS,
                        err.raw_os_error().unwrap_or(0),
                        "cannot read from stream",
                    ))
                }
            }
        },
    }
}

/// Finish and abort: an fd stream closes (again is no error); an unserved one has nothing to
/// finish, and nothing to abort.
fn close(s: &Stream, function: &str) -> Result<c_int, Error> {
    if let Some(c) = s.channel() {
        match function {
            "virStreamAbort" => c.abort()?,
            _ => c.finish()?,
        }
        return Ok(0);
    }
    match &mut *s.lock() {
        Backend::Channel(_) => Err(not_open()),
        Backend::Unserved if function == "virStreamAbort" => Ok(0),
        Backend::Unserved => Err(unsupported(function)),
        Backend::File { file, .. } => {
            file.take();
            Ok(0)
        }
    }
}

pub(crate) unsafe fn virStreamSend(st: virStreamPtr, data: *const c_char, nbytes: usize) -> c_int {
    const F: &str = "virStreamSend";
    answer(require(st, F).and_then(|s| {
        if data.is_null() {
            return Err(Error::null_arg(VIR_FROM_STREAMS, F, "data"));
        }
        // SAFETY: `data` holds `nbytes` readable bytes, by the C contract.
        let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), nbytes) };
        send(&s, bytes)
    }))
}

pub(crate) unsafe fn virStreamRecv(st: virStreamPtr, data: *mut c_char, nbytes: usize) -> c_int {
    const F: &str = "virStreamRecv";
    answer(require(st, F).and_then(|s| {
        if data.is_null() {
            return Err(Error::null_arg(VIR_FROM_STREAMS, F, "data"));
        }
        // SAFETY: `data` holds `nbytes` writable bytes, by the C contract.
        let buf = unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), nbytes) };
        recv(&s, buf)
    }))
}

/// Reads with flags: only a driver's stream takes them (an fd stream has no such call).
pub(crate) unsafe fn virStreamRecvFlags(
    st: virStreamPtr,
    data: *mut c_char,
    nbytes: usize,
    flags: c_uint,
) -> c_int {
    const F: &str = "virStreamRecvFlags";
    answer(require(st, F).and_then(|s| {
        if data.is_null() {
            return Err(Error::null_arg(VIR_FROM_STREAMS, F, "data"));
        }
        if s.channel().is_none() {
            return Err(unsupported(F));
        }
        // SAFETY: `data` holds `nbytes` writable bytes, by the C contract.
        let buf = unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), nbytes) };
        recv_flags(&s, buf, flags)
    }))
}

/// One hole sent: only a driver's stream takes holes (the reference's fd stream writes a hole
/// into its file, which a screenshot's read-only stream never takes).
fn send_hole(s: &Stream, length: i64, flags: u32) -> Result<(), Error> {
    match s.channel() {
        Some(c) => c.send_hole(length, flags),
        None => Err(unsupported("virStreamSendHole")),
    }
}

pub(crate) unsafe fn virStreamSendHole(
    st: virStreamPtr,
    length: c_longlong,
    flags: c_uint,
) -> c_int {
    const F: &str = "virStreamSendHole";
    answer(require(st, F).and_then(|s| send_hole(&s, length, flags).map(|()| 0)))
}

pub(crate) unsafe fn virStreamRecvHole(
    st: virStreamPtr,
    length: *mut c_longlong,
    flags: c_uint,
) -> c_int {
    const F: &str = "virStreamRecvHole";
    match require(st, F) {
        Err(err) => entry::fail(err),
        // The reference leaves this one set without telling anyone.
        Ok(_) if length.is_null() => {
            e::leave(Error::null_arg(VIR_FROM_STREAMS, F, "length"));
            -1
        }
        Ok(s) => match s.channel().map(|c| c.recv_hole(flags)) {
            Some(Ok(hole)) => {
                // SAFETY: `length` is a non-null writable long long, by the C contract.
                unsafe { *length = hole };
                0
            }
            Some(Err(err)) => entry::fail(err),
            None => entry::fail(unsupported(F)),
        },
    }
}

/// The end of a failed *All helper: the stream is aborted, keeping the error that stopped it.
fn abort_quietly(s: &Stream) {
    let _ = close(s, "virStreamAbort");
}

/// Run a *All helper: on failure the stream is aborted and the error raised (the entry then
/// tells it, after whatever inner call told it first).
fn all(s: &Stream, body: impl FnOnce() -> Result<(), Error>) -> c_int {
    match body() {
        Ok(()) => 0,
        Err(err) => {
            abort_quietly(s);
            entry::fail(err)
        }
    }
}

/// An inner public call's failure: raised and told at once, as that call would.
fn told(st: virStreamPtr, err: Error) -> Error {
    e::report(err.clone());
    tell(st);
    err
}

fn blocking(s: &Stream, what: &str) -> Result<(), Error> {
    if s.nonblock {
        return Err(Error::with(
            VIR_ERR_OPERATION_INVALID,
            VIR_FROM_STREAMS,
            format!("{what} cannot be used for non-blocking streams"),
        ));
    }
    Ok(())
}

/// Send `bytes` whole through the stream, as the helpers' inner virStreamSend calls.
fn send_whole(st: virStreamPtr, s: &Stream, bytes: &[u8]) -> Result<(), Error> {
    let mut offset = 0;
    while offset < bytes.len() {
        let done = send(s, &bytes[offset..]).map_err(|err| told(st, err))?;
        if done < 0 {
            return Err(told(
                st,
                Error::internal(VIR_FROM_STREAMS, "stream would block"),
            ));
        }
        offset += done as usize;
    }
    Ok(())
}

pub(crate) unsafe fn virStreamSendAll(
    st: virStreamPtr,
    handler: virStreamSourceFunc,
    opaque: *mut c_void,
) -> c_int {
    const F: &str = "virStreamSendAll";
    let s = match require(st, F) {
        Ok(s) => s,
        Err(err) => return entry::fail(err),
    };
    all(&s, || {
        let h = handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "handler"))?;
        blocking(&s, "data sources")?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            // SAFETY: the application's source, with a buffer of the size it is told.
            let got = unsafe { h(st, buf.as_mut_ptr().cast(), buf.len(), opaque) };
            if got < 0 {
                return Err(Error::unknown_cause());
            }
            if got == 0 {
                return Ok(());
            }
            send_whole(st, &s, &buf[..got as usize])?;
        }
    })
}

pub(crate) unsafe fn virStreamSparseSendAll(
    st: virStreamPtr,
    handler: virStreamSourceFunc,
    hole_handler: virStreamSourceHoleFunc,
    skip_handler: virStreamSourceSkipFunc,
    opaque: *mut c_void,
) -> c_int {
    const F: &str = "virStreamSparseSendAll";
    let s = match require(st, F) {
        Ok(s) => s,
        Err(err) => return entry::fail(err),
    };
    all(&s, || {
        let h = handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "handler"))?;
        let hole =
            hole_handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "holeHandler"))?;
        let skip =
            skip_handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "skipHandler"))?;
        blocking(&s, "data sources")?;
        let mut buf = vec![0u8; CHUNK];
        let mut data_len: i64 = 0;
        loop {
            if data_len == 0 {
                let (mut in_data, mut section): (c_int, c_longlong) = (0, 0);
                // SAFETY: the application's hole handler, with two outputs it writes.
                if unsafe { hole(st, &mut in_data, &mut section, opaque) } < 0 {
                    return Err(Error::unknown_cause());
                }
                if in_data == 0 && section != 0 {
                    send_hole(&s, section, 0).map_err(|err| told(st, err))?;
                    // SAFETY: the application's skip handler, told the hole just sent.
                    if unsafe { skip(st, section, opaque) } < 0 {
                        return Err(Error::system(
                            VIR_FROM_STREAMS,
                            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
                            "unable to skip hole",
                        ));
                    }
                    continue;
                }
                data_len = section;
            }
            let want = (buf.len() as i64).min(data_len).max(0) as usize;
            // SAFETY: the application's source, with a buffer of the size it is told.
            let got = unsafe { h(st, buf.as_mut_ptr().cast(), want, opaque) };
            if got < 0 {
                return Err(Error::unknown_cause());
            }
            if got == 0 {
                return Ok(());
            }
            send_whole(st, &s, &buf[..got as usize])?;
            data_len -= i64::from(got);
        }
    })
}

/// The helpers' receiving loop: each chunk handed whole to `sink`.
unsafe fn recv_into(
    st: virStreamPtr,
    s: &Stream,
    sink: unsafe extern "C" fn(virStreamPtr, *const c_char, usize, *mut c_void) -> c_int,
    opaque: *mut c_void,
) -> Result<(), Error> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let got = recv(s, &mut buf).map_err(|err| told(st, err))?;
        if got == 0 {
            return Ok(());
        }
        if got < 0 {
            return Err(told(
                st,
                Error::internal(VIR_FROM_STREAMS, "stream would block"),
            ));
        }
        let got = got as usize;
        let mut offset = 0;
        while offset < got {
            // SAFETY: the application's sink, with the bytes just read.
            let done = unsafe { sink(st, buf[offset..].as_ptr().cast(), got - offset, opaque) };
            if done < 0 {
                return Err(Error::unknown_cause());
            }
            offset += done as usize;
        }
    }
}

pub(crate) unsafe fn virStreamRecvAll(
    st: virStreamPtr,
    handler: virStreamSinkFunc,
    opaque: *mut c_void,
) -> c_int {
    const F: &str = "virStreamRecvAll";
    let s = match require(st, F) {
        Ok(s) => s,
        Err(err) => return entry::fail(err),
    };
    all(&s, || {
        let h = handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "handler"))?;
        blocking(&s, "data sinks")?;
        // SAFETY: the application's sink, called with what the stream reads.
        unsafe { recv_into(st, &s, h, opaque) }
    })
}

pub(crate) unsafe fn virStreamSparseRecvAll(
    st: virStreamPtr,
    handler: virStreamSinkFunc,
    hole_handler: virStreamSinkHoleFunc,
    opaque: *mut c_void,
) -> c_int {
    const F: &str = "virStreamSparseRecvAll";
    let s = match require(st, F) {
        Ok(s) => s,
        Err(err) => return entry::fail(err),
    };
    all(&s, || {
        let h = handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "handler"))?;
        let hole =
            hole_handler.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "holeHandler"))?;
        blocking(&s, "data sinks")?;
        if s.channel().is_none() {
            // It reads with virStreamRecvFlags, which no other stream here serves.
            return Err(told(st, unsupported("virStreamRecvFlags")));
        }
        let mut buf = vec![0u8; CHUNK];
        loop {
            let got = recv_flags(&s, &mut buf, VIR_STREAM_RECV_STOP_AT_HOLE)
                .map_err(|err| told(st, err))?;
            if got == RECV_AT_HOLE {
                let c = s.channel().ok_or_else(not_open)?;
                let length = c.recv_hole(0).map_err(|err| told(st, err))?;
                // SAFETY: the application's hole handler, told the hole's length.
                if unsafe { hole(st, length, opaque) } < 0 {
                    return Err(Error::unknown_cause());
                }
                continue;
            }
            if got == 0 {
                return Ok(());
            }
            if got < 0 {
                return Err(told(
                    st,
                    Error::internal(VIR_FROM_STREAMS, "stream would block"),
                ));
            }
            let got = got as usize;
            let mut offset = 0;
            while offset < got {
                // SAFETY: the application's sink, with the bytes just read.
                let done = unsafe { h(st, buf[offset..].as_ptr().cast(), got - offset, opaque) };
                if done < 0 {
                    return Err(Error::unknown_cause());
                }
                offset += done as usize;
            }
        }
    })
}

/// Callbacks: the fd stream registers a watch on its file in the application's event loop; this
/// library's loop hooks carry timers only, so the registration fails as the reference's does
/// without a loop (and, like it, leaves the stream marked as having tried).
///
/// A driver's stream calls the callback from the application's event loop. The free function is
/// never called, as the reference's remote streams never call it.
pub(crate) unsafe fn virStreamEventAddCallback(
    st: virStreamPtr,
    events: c_int,
    cb: virStreamEventCallback,
    opaque: *mut c_void,
    _ff: virFreeCallback,
) -> c_int {
    const F: &str = "virStreamEventAddCallback";
    answer(require(st, F).and_then(|s| match &mut *s.lock() {
        Backend::Channel(c) => {
            let cb = cb.ok_or_else(|| Error::null_arg(VIR_FROM_STREAMS, F, "cb"))?;
            let (key, opaque) = (st as usize, opaque as usize);
            let call = move |events: c_int| {
                // SAFETY: the application's callback with the stream and the data it gave.
                unsafe { cb(key as virStreamPtr, events, opaque as *mut c_void) }
            };
            c.add_callback(events, Box::new(call)).map(|()| 0)
        }
        Backend::Unserved => Err(unsupported(F)),
        Backend::File { file: None, .. } => Err(not_open()),
        Backend::File { watch, .. } if *watch != 0 => Err(Error::internal(
            VIR_FROM_STREAMS,
            "stream already has a callback registered",
        )),
        Backend::File { watch, .. } => {
            *watch = -1;
            Err(Error::internal(
                VIR_FROM_STREAMS,
                "cannot register file watch on stream",
            ))
        }
    }))
}

fn with_watch(st: virStreamPtr, function: &str, remove: bool, events: c_int) -> c_int {
    answer(require(st, function).and_then(|s| match &mut *s.lock() {
        Backend::Channel(c) if remove => c.remove_callback().map(|()| 0),
        Backend::Channel(c) => c.update_callback(events).map(|()| 0),
        Backend::Unserved => Err(unsupported(function)),
        Backend::File { file: None, .. } => Err(not_open()),
        Backend::File { watch: 0, .. } => Err(Error::internal(
            VIR_FROM_STREAMS,
            "stream does not have a callback registered",
        )),
        Backend::File { watch, .. } => {
            if remove {
                *watch = 0;
            }
            Ok(0)
        }
    }))
}

pub(crate) unsafe fn virStreamEventUpdateCallback(st: virStreamPtr, events: c_int) -> c_int {
    with_watch(st, "virStreamEventUpdateCallback", false, events)
}

pub(crate) unsafe fn virStreamEventRemoveCallback(st: virStreamPtr) -> c_int {
    with_watch(st, "virStreamEventRemoveCallback", true, 0)
}

pub(crate) unsafe fn virStreamFinish(st: virStreamPtr) -> c_int {
    answer(require(st, "virStreamFinish").and_then(|s| close(&s, "virStreamFinish")))
}

pub(crate) unsafe fn virStreamAbort(st: virStreamPtr) -> c_int {
    answer(require(st, "virStreamAbort").and_then(|s| close(&s, "virStreamAbort")))
}

/// virDomainScreenshot: the public layer's checks, then the driver's image, which the stream
/// then reads.
pub(crate) unsafe fn virDomainScreenshot(
    domain: virDomainPtr,
    stream: virStreamPtr,
    screen: c_uint,
    flags: c_uint,
) -> *mut c_char {
    const F: &str = "virDomainScreenshot";
    let r = (|| {
        let d = handles::domain(domain)
            .ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, F))?;
        let s = require(stream, F)?;
        let ce = d.conn_entry();
        if ce.conn.read_only {
            return Err(Error::read_only_in(VIR_FROM_DOMAIN, F));
        }
        if s.conn_key != d.conn_key() {
            let dom: DomainRef = d.domain_ref();
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                F,
                "stream",
                format!("stream must match connection of domain '{}'", dom.name),
            ));
        }
        let shot = ce
            .conn
            .driver
            .stream()
            .stream_screenshot(&d.domain_ref(), screen, flags)?;
        *s.lock() = shot.body.into();
        Ok(args::malloc_str(&shot.mime))
    })();
    r.unwrap_or_else(entry::fail)
}

/// The public layer's checks of a call that opens `stream` on domain `domain` (the domain, the
/// stream, a writable connection, the same connection), then what the driver opens.
fn open_on_domain(
    function: &str,
    domain: virDomainPtr,
    stream: virStreamPtr,
    open: impl FnOnce(&dyn crate::driver::Driver, &DomainRef) -> Result<StreamBody, Error>,
) -> c_int {
    let r = (|| {
        let d = handles::domain(domain)
            .ok_or_else(|| Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, function))?;
        let s = require(stream, function)?;
        let ce = d.conn_entry();
        if ce.conn.read_only {
            return Err(Error::read_only_in(VIR_FROM_DOMAIN, function));
        }
        let dom: DomainRef = d.domain_ref();
        if s.conn_key != d.conn_key() {
            return Err(Error::invalid_arg(
                VIR_FROM_DOMAIN,
                function,
                "stream",
                format!("stream must match connection of domain '{}'", dom.name),
            ));
        }
        *s.lock() = open(&*ce.conn.driver, &dom)?.into();
        Ok(0)
    })();
    answer(r)
}

pub(crate) unsafe fn virDomainOpenConsole(
    dom: virDomainPtr,
    dev_name: *const c_char,
    st: virStreamPtr,
    flags: c_uint,
) -> c_int {
    // SAFETY: `dev_name` is NULL or a C string, by the C contract.
    let name = unsafe { args::optional_str(dev_name) }.map(String::from);
    open_on_domain("virDomainOpenConsole", dom, st, |driver, d| {
        driver.stream().stream_open_console(d, name, flags)
    })
}

pub(crate) unsafe fn virDomainOpenChannel(
    dom: virDomainPtr,
    name: *const c_char,
    st: virStreamPtr,
    flags: c_uint,
) -> c_int {
    // SAFETY: `name` is NULL or a C string, by the C contract.
    let name = unsafe { args::optional_str(name) }.map(String::from);
    open_on_domain("virDomainOpenChannel", dom, st, |driver, d| {
        driver.stream().stream_open_channel(d, name, flags)
    })
}

/// The public layer's checks of virStorageVolUpload and virStorageVolDownload (the volume, the
/// stream, a writable connection, the same connection), then what the driver opens.
fn open_on_volume(
    function: &str,
    vol: virStorageVolPtr,
    stream: virStreamPtr,
    open: impl FnOnce(&dyn crate::driver::Driver, &StorageVolRef) -> Result<StreamBody, Error>,
) -> c_int {
    let r = (|| {
        let v = objects::require::<StorageVolRef>(vol, function)?;
        let s = require(stream, function)?;
        if v.conn_entry.conn.read_only {
            return Err(Error::read_only_in(VIR_FROM_STORAGE, function));
        }
        if s.conn_key != v.conn_key() {
            return Err(Error::invalid_arg(
                VIR_FROM_STORAGE,
                function,
                "stream",
                format!(
                    "stream in {function} must match connection of volume '{}'",
                    v.obj.name
                ),
            ));
        }
        *s.lock() = open(v.driver(), &v.obj)?.into();
        Ok(0)
    })();
    answer(r)
}

pub(crate) unsafe fn virStorageVolUpload(
    vol: virStorageVolPtr,
    stream: virStreamPtr,
    offset: u64,
    length: u64,
    flags: c_uint,
) -> c_int {
    open_on_volume("virStorageVolUpload", vol, stream, |driver, v| {
        driver.stream().stream_vol_upload(v, offset, length, flags)
    })
}

pub(crate) unsafe fn virStorageVolDownload(
    vol: virStorageVolPtr,
    stream: virStreamPtr,
    offset: u64,
    length: u64,
    flags: c_uint,
) -> c_int {
    open_on_volume("virStorageVolDownload", vol, stream, |driver, v| {
        driver
            .stream()
            .stream_vol_download(v, offset, length, flags)
    })
}
