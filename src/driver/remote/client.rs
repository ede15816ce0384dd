//! libvirt's RPC client: framing (4-byte length, 24-byte header, XDR body), calls matched to
//! replies by serial so any number of threads may have calls in flight on one connection, the
//! keepalive program, and asynchronous messages (events) handed to a callback.
//!
//! One reader thread per connection reads every message the daemon sends. It also keeps the
//! connection alive: when nothing arrived for `KEEPALIVE_INTERVAL` it sends a PING, and after
//! `KEEPALIVE_COUNT` such intervals in silence it declares the peer dead.
//!
//! How the end of a connection is noticed follows the reference, whose client reads only while a
//! call waits or while the event loop watches its socket. A connection that ends with calls in
//! flight fails them all with the error that ended it. One that ends idle stays "alive" until
//! somebody notices: the event loop registered when it was opened (through a timer armed by the
//! reader thread, so close callbacks run on the loop's thread, as the reference's), or else the
//! next call, which writes first, as the reference's, and fails with the write's error or else
//! the end the reader saw. Every later call hears the reference's "client socket is closed".
//! The close reason is the reference's too: EOF when the socket reports a hangup, else ERROR.

use super::tls::TlsStream;
use super::xdr::{Dec, Enc, Xdr};
use crate::error::{Error, Result, VIR_ERR_RPC, VIR_FROM_RPC};
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, ChildStderr};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub(super) const REMOTE_PROGRAM: u32 = super::protocol::REMOTE_PROGRAM;
const QEMU_PROGRAM: u32 = super::protocol::QEMU_PROGRAM;
/// libvirt-admin's program (driver::remote::admin), which talks to a daemon's admin socket.
const ADMIN_PROGRAM: u32 = oxvirt_rpc::admin_protocol::ADMIN_PROGRAM;
pub(super) const REMOTE_VERSION: u32 = super::protocol::REMOTE_PROTOCOL_VERSION;
pub(super) const KEEPALIVE_PROGRAM: u32 = 0x6b65_6570;
pub(super) const KEEPALIVE_VERSION: u32 = 1;
const KEEPALIVE_PING: i32 = 1;
const KEEPALIVE_PONG: i32 = 2;

/// virNetMessageType.
const TYPE_CALL: u32 = 0;
const TYPE_REPLY: u32 = 1;
const TYPE_MESSAGE: u32 = 2;
/// virNetMessageStatus.
const STATUS_OK: u32 = 0;
const STATUS_ERROR: u32 = 1;

const HEADER_LEN: usize = 24;
/// libvirt's VIR_NET_MESSAGE_MAX: length word, header and payload together.
pub(super) const MESSAGE_MAX: usize = 32 * 1024 * 1024;

const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
const KEEPALIVE_COUNT: u32 = 5;

/// Lock, ignoring poisoning (a panicking holder leaves consistent data here).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn errno(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// A byte stream to the daemon.
pub enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
    /// A helper process (ssh) at the other end of a socket pair, as the reference runs it.
    Command(UnixStream, Arc<Helper>),
    Tls(TlsStream),
}

/// A helper process carrying the protocol on its stdin and stdout; what it says on stderr ends
/// up in the error that ends the connection, as the reference's.
pub struct Helper {
    child: Mutex<Child>,
    stderr: Mutex<Option<ChildStderr>>,
}

/// virFileReadLimFD's limit in virNetSocketReadWire.
const HELPER_ERROR_MAX: usize = 1024;
/// How long the end of the stream waits for the helper to close its stderr.
const HELPER_ERROR_WAIT: Duration = Duration::from_secs(1);

impl Helper {
    pub fn new(mut child: Child) -> Arc<Helper> {
        let stderr = child.stderr.take();
        Arc::new(Helper {
            child: Mutex::new(child),
            stderr: Mutex::new(stderr),
        })
    }

    /// All the helper wrote on stderr, trailing whitespace trimmed, once it has closed it (it
    /// normally exits when the stream ends); None when it wrote more than the reference reads,
    /// or keeps stderr open.
    fn error_output(&self) -> Option<String> {
        let mut guard = lock(&self.stderr);
        let err = guard.as_mut()?;
        let deadline = Instant::now() + HELPER_ERROR_WAIT;
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut pfd = libc::pollfd {
                fd: err.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one live pollfd for the descriptor `err` owns.
            let r = unsafe { libc::poll(&mut pfd, 1, left.as_millis() as libc::c_int) };
            if r < 0 && std::io::Error::last_os_error().kind() == ErrorKind::Interrupted {
                continue;
            }
            if r <= 0 {
                return None;
            }
            match err.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if out.len() > HELPER_ERROR_MAX {
                        return None;
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        let text = String::from_utf8_lossy(&out);
        Some(text.trim_end().to_string())
    }

    fn stop(&self) {
        let mut child = lock(&self.child);
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Stream {
    /// The reading half, for the reader thread.
    fn reader(&mut self) -> std::io::Result<Stream> {
        match self {
            Stream::Unix(s) => Ok(Stream::Unix(s.try_clone()?)),
            Stream::Tcp(s) => Ok(Stream::Tcp(s.try_clone()?)),
            Stream::Command(s, h) => Ok(Stream::Command(s.try_clone()?, h.clone())),
            Stream::Tls(s) => Ok(Stream::Tls(s.try_clone()?)),
        }
    }

    fn fd(&self) -> RawFd {
        match self {
            Stream::Unix(s) | Stream::Command(s, _) => s.as_raw_fd(),
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Tls(s) => s.fd(),
        }
    }

    fn set_read_timeout(&self, t: Option<Duration>) {
        let _ = match self {
            Stream::Unix(s) | Stream::Command(s, _) => s.set_read_timeout(t),
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Tls(s) => {
                s.set_read_timeout(t);
                Ok(())
            }
        };
    }

    /// The reference's close reason for a stream that ended: EOF when poll reports a hangup
    /// (a unix socket or socket pair whose peer is gone, a reset TCP connection), else ERROR
    /// (a TCP peer that only closed its side).
    fn end_reason(&self) -> i32 {
        let mut pfd = libc::pollfd {
            fd: self.fd(),
            events: libc::POLLIN | libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one live pollfd for the descriptor this stream owns; a zero timeout.
        let r = unsafe { libc::poll(&mut pfd, 1, 0) };
        if r > 0 && pfd.revents & libc::POLLHUP != 0 {
            CLOSE_REASON_EOF
        } else {
            CLOSE_REASON_ERROR
        }
    }

    /// What the helper process said, for the error that ends the stream.
    fn helper_error(&self) -> Option<String> {
        match self {
            Stream::Command(_, h) => h.error_output(),
            _ => None,
        }
    }

    fn shutdown(&mut self) {
        match self {
            Stream::Unix(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Stream::Tcp(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Stream::Command(s, h) => {
                let _ = s.shutdown(Shutdown::Both);
                h.stop();
            }
            Stream::Tls(s) => s.shutdown(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) | Stream::Command(s, _) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) | Stream::Command(s, _) => send_nosignal(s, buf),
            // std's TcpStream already sends with MSG_NOSIGNAL.
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The reading half's error when the stream ended: the reference's message, with what a helper
/// process said on stderr.
fn end_error(stream: &Stream, read: std::io::Result<()>) -> Error {
    let said = stream.helper_error();
    let text = |what: &str| match &said {
        Some(s) => format!("{what}: {s}"),
        None => what.to_string(),
    };
    match read {
        Ok(()) => Error::system(
            VIR_FROM_RPC,
            libc::EIO,
            text("End of file while reading data"),
        ),
        Err(e) => Error::system(VIR_FROM_RPC, errno(&e), text("Cannot recv data")),
    }
}

/// Write to a unix socket without SIGPIPE: a daemon that went away must give the caller an
/// error (EPIPE), not kill the program (std's UnixStream writes with write(2)).
fn send_nosignal(s: &UnixStream, buf: &[u8]) -> std::io::Result<usize> {
    use std::os::fd::AsRawFd;
    loop {
        // SAFETY: the descriptor is the open socket `s` owns for the duration of the call, and
        // `buf` is valid for reads of `buf.len()` bytes.
        let n = unsafe {
            libc::send(
                s.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Where one call waits for its reply.
#[derive(Default)]
struct Slot {
    reply: Mutex<Option<Result<Vec<u8>>>>,
    ready: Condvar,
}

impl Slot {
    fn fill(&self, r: Result<Vec<u8>>) {
        *lock(&self.reply) = Some(r);
        self.ready.notify_all();
    }

    fn wait(&self) -> Result<Vec<u8>> {
        let mut g = lock(&self.reply);
        loop {
            if let Some(r) = g.take() {
                return r;
            }
            g = self.ready.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[derive(Default)]
struct Calls {
    pending: HashMap<u32, Arc<Slot>>,
    /// The reader saw the stream end while no call was in flight, and nobody noticed yet: the
    /// error it saw and the close reason.
    unnoticed: Option<(Error, i32)>,
    dead: bool,
    /// The close reason, once dead.
    reason: i32,
}

/// An asynchronous message of the remote program: (procedure, body).
pub type EventSink = Box<dyn Fn(i32, &[u8]) + Send + Sync>;
/// The connection died: told once, with the reference's close reason (virConnectCloseReason).
pub type CloseSink = Box<dyn Fn(i32) + Send + Sync>;

/// VIR_CONNECT_CLOSE_REASON_*.
pub(super) const CLOSE_REASON_ERROR: i32 = 0;
pub(super) const CLOSE_REASON_EOF: i32 = 1;
pub(super) const CLOSE_REASON_KEEPALIVE: i32 = 2;
pub(super) const CLOSE_REASON_CLIENT: i32 = 3;

pub struct Client {
    writer: Mutex<Stream>,
    calls: Mutex<Calls>,
    serial: AtomicU32,
    events: Mutex<Option<EventSink>>,
    /// The connection's one close listener.
    close_sink: Mutex<Option<CloseSink>>,
    /// This client's key in [`watched`]: what its timer in the event loop carries.
    key: usize,
    /// The timer in the event loop registered when the connection was opened (disarmed until
    /// the stream ends idle), as the reference's socket watch; None without a loop.
    loop_timer: Mutex<Option<i32>>,
}

/// Clients by key, for their event-loop timers (whose data is a key, never a pointer).
fn watched() -> MutexGuard<'static, HashMap<usize, std::sync::Weak<Client>>> {
    static WATCHED: std::sync::LazyLock<Mutex<HashMap<usize, std::sync::Weak<Client>>>> =
        std::sync::LazyLock::new(Default::default);
    lock(&WATCHED)
}

static NEXT_KEY: AtomicUsize = AtomicUsize::new(1);

/// The event loop's timer for the connection `key`: it notices that the connection ended idle.
fn loop_timer(key: usize) -> crate::event::hooks::TimerFn {
    std::sync::Arc::new(move |timer| {
        let client = watched().get(&key).and_then(std::sync::Weak::upgrade);
        match client {
            Some(c) => c.notice(),
            None => {
                crate::event::hooks::remove_timeout(timer);
            }
        }
    })
}

impl Client {
    /// Start the client on a connected stream: its reader thread runs until the stream ends.
    /// An event loop registered now watches the connection for its end.
    pub fn start(mut stream: Stream) -> Result<Arc<Client>> {
        let reader = stream
            .reader()
            .map_err(|e| Error::system(VIR_FROM_RPC, errno(&e), "Unable to duplicate socket"))?;
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let client = Arc::new(Client {
            writer: Mutex::new(stream),
            calls: Mutex::new(Calls::default()),
            serial: AtomicU32::new(1),
            events: Mutex::new(None),
            close_sink: Mutex::new(None),
            key,
            loop_timer: Mutex::new(None),
        });
        watched().insert(key, Arc::downgrade(&client));
        let timer = crate::event::hooks::add_timeout(-1, loop_timer(key));
        if timer >= 0 {
            *lock(&client.loop_timer) = Some(timer);
        }
        let c = client.clone();
        if let Err(e) = std::thread::Builder::new()
            .name("oxvirt-remote".into())
            .spawn(move || c.read_loop(reader))
        {
            client.close();
            return Err(Error::system(
                VIR_FROM_RPC,
                errno(&e),
                "Unable to create thread",
            ));
        }
        Ok(client)
    }

    pub fn set_event_sink(&self, sink: EventSink) {
        *lock(&self.events) = Some(sink);
    }

    /// Call `f` once when the connection dies (now, if it is already dead), instead of any
    /// listener set before: a connection has one.
    pub fn on_close(&self, f: CloseSink) {
        let calls = lock(&self.calls);
        if calls.dead {
            let reason = calls.reason;
            drop(calls);
            f(reason);
            return;
        }
        // Still under the calls lock: `die` cannot pass between the check and this.
        *lock(&self.close_sink) = Some(f);
    }

    /// As the reference's virNetClientIsOpen: until the end of the stream has been noticed.
    pub fn is_alive(&self) -> bool {
        !lock(&self.calls).dead
    }

    /// One call of the remote program: its reply body, or the daemon's error unchanged.
    pub fn call(&self, proc: i32, args: &[u8]) -> Result<Vec<u8>> {
        self.call_program(REMOTE_PROGRAM, REMOTE_VERSION, proc, args)
    }

    /// One call of `program` (the remote program, or the qemu program of libvirt-qemu).
    pub fn call_program(
        &self,
        program: u32,
        version: u32,
        proc: i32,
        args: &[u8],
    ) -> Result<Vec<u8>> {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot::default());
        let unnoticed = {
            let mut calls = lock(&self.calls);
            if calls.dead {
                return Err(closed_error());
            }
            let u = calls.unnoticed.take();
            if u.is_none() {
                calls.pending.insert(serial, slot.clone());
            }
            u
        };
        let msg = frame(program, version, proc, TYPE_CALL, serial, args);
        let sent = self.send(&msg);
        if let Some((seen, _)) = unnoticed {
            // This call notices the end the reader saw: a peer that is gone refuses the
            // write, else the end is what the call reads.
            let err = match sent {
                Err(e) => Error::system(VIR_FROM_RPC, errno(&e), "Cannot write data"),
                Ok(()) => seen,
            };
            let reason = lock(&self.writer).end_reason();
            self.die(err.clone(), reason);
            return Err(err);
        }
        if let Err(e) = sent {
            lock(&self.calls).pending.remove(&serial);
            let err = Error::system(VIR_FROM_RPC, errno(&e), "Cannot write data");
            let reason = lock(&self.writer).end_reason();
            self.die(err.clone(), reason);
            return Err(err);
        }
        slot.wait()
    }

    fn send(&self, msg: &[u8]) -> std::io::Result<()> {
        let mut w = lock(&self.writer);
        w.write_all(msg)?;
        w.flush()
    }

    /// Close the connection on our side (after CONNECT_CLOSE): calls in flight fail.
    pub fn close(&self) {
        self.die(closed_error(), CLOSE_REASON_CLIENT);
    }

    /// The event loop's turn: the end the reader saw is noticed now.
    fn notice(&self) {
        let seen = lock(&self.calls).unnoticed.take();
        if let Some((err, reason)) = seen {
            self.die(err, reason);
        }
    }

    /// The reader saw the stream end: calls in flight notice now; with none, the end waits for
    /// the event loop or the next call.
    fn ended(&self, why: Error, reason: i32) {
        {
            let mut calls = lock(&self.calls);
            if calls.dead {
                return;
            }
            if calls.pending.is_empty() && reason != CLOSE_REASON_CLIENT {
                calls.unnoticed = Some((why, reason));
                drop(calls);
                if let Some(t) = *lock(&self.loop_timer) {
                    crate::event::hooks::update_timeout(t, 0);
                }
                return;
            }
        }
        self.die(why, reason);
    }

    /// The connection is over: fail everything in flight, stop the stream, tell the listeners
    /// (unless we closed it ourselves).
    fn die(&self, why: Error, reason: i32) {
        let pending: Vec<_> = {
            let mut calls = lock(&self.calls);
            if calls.dead {
                return;
            }
            calls.dead = true;
            calls.reason = reason;
            calls.unnoticed = None;
            calls.pending.drain().map(|(_, s)| s).collect()
        };
        for s in pending {
            s.fill(Err(why.clone()));
        }
        lock(&self.writer).shutdown();
        if let Some(t) = lock(&self.loop_timer).take() {
            crate::event::hooks::remove_timeout(t);
        }
        let sink = lock(&self.close_sink).take();
        if let Some(f) = sink.filter(|_| reason != CLOSE_REASON_CLIENT) {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(reason)));
        }
        *lock(&self.events) = None;
    }

    fn is_dead(&self) -> bool {
        lock(&self.calls).dead
    }

    fn read_loop(self: Arc<Self>, mut stream: Stream) {
        stream.set_read_timeout(Some(KEEPALIVE_INTERVAL));
        let mut silent = 0u32;
        let mut last_rx = Instant::now();
        loop {
            let mut len = [0u8; 4];
            if let Err(b) = self.fill(&mut stream, &mut len, &mut silent, &mut last_rx) {
                let (e, reason) = *b;
                return self.ended(e, reason);
            }
            let total = u32::from_be_bytes(len) as usize;
            if !(4 + HEADER_LEN..=MESSAGE_MAX).contains(&total) {
                let e = Error::with(
                    VIR_ERR_RPC,
                    VIR_FROM_RPC,
                    format!(
                        "packet {total} bytes received from server too large, want {MESSAGE_MAX}"
                    ),
                );
                return self.die(e, CLOSE_REASON_ERROR);
            }
            let mut body = vec![0u8; total - 4];
            if let Err(b) = self.fill(&mut stream, &mut body, &mut silent, &mut last_rx) {
                let (e, reason) = *b;
                return self.ended(e, reason);
            }
            self.dispatch(&body);
        }
    }

    /// Read exactly `buf.len()` bytes, keeping the connection alive while waiting.
    fn fill(
        &self,
        stream: &mut Stream,
        buf: &mut [u8],
        silent: &mut u32,
        last_rx: &mut Instant,
    ) -> std::result::Result<(), Box<(Error, i32)>> {
        let mut got = 0;
        while got < buf.len() {
            match stream.read(&mut buf[got..]) {
                Ok(0) => {
                    if self.is_dead() {
                        return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                    }
                    let reason = stream.end_reason();
                    return Err(Box::new((end_error(stream, Ok(())), reason)));
                }
                Ok(n) => {
                    got += n;
                    *silent = 0;
                    *last_rx = Instant::now();
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if self.is_dead() {
                        return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                    }
                    if last_rx.elapsed() < KEEPALIVE_INTERVAL {
                        continue;
                    }
                    *silent += 1;
                    if *silent > KEEPALIVE_COUNT {
                        return Err(Box::new((
                            Error::internal(
                                VIR_FROM_RPC,
                                "connection closed due to keepalive timeout",
                            ),
                            CLOSE_REASON_KEEPALIVE,
                        )));
                    }
                    let ping = frame(
                        KEEPALIVE_PROGRAM,
                        KEEPALIVE_VERSION,
                        KEEPALIVE_PING,
                        TYPE_MESSAGE,
                        0,
                        &[],
                    );
                    let _ = self.send(&ping);
                }
                Err(e) => {
                    if self.is_dead() {
                        return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                    }
                    let reason = stream.end_reason();
                    return Err(Box::new((end_error(stream, Err(e)), reason)));
                }
            }
        }
        Ok(())
    }

    /// One message (header and body, without the length word).
    fn dispatch(&self, msg: &[u8]) {
        let mut d = Dec::new(msg);
        let (Ok(prog), Ok(_vers), Ok(proc), Ok(kind), Ok(serial), Ok(status)) =
            (d.u32(), d.u32(), d.i32(), d.u32(), d.u32(), d.u32())
        else {
            return;
        };
        let body = &msg[HEADER_LEN..];
        if prog == KEEPALIVE_PROGRAM {
            if proc == KEEPALIVE_PING {
                let pong = frame(
                    KEEPALIVE_PROGRAM,
                    KEEPALIVE_VERSION,
                    KEEPALIVE_PONG,
                    TYPE_MESSAGE,
                    0,
                    &[],
                );
                let _ = self.send(&pong);
            }
            return;
        }
        // Replies of the qemu and admin programs come back as the remote program's; their
        // events are not asked for.
        let side_program = prog == QEMU_PROGRAM || prog == ADMIN_PROGRAM;
        if prog != REMOTE_PROGRAM && !(side_program && kind == TYPE_REPLY) {
            return;
        }
        match kind {
            TYPE_REPLY => {
                let Some(slot) = lock(&self.calls).pending.remove(&serial) else {
                    return;
                };
                let r = match status {
                    STATUS_OK => Ok(body.to_vec()),
                    STATUS_ERROR => Err(decode_error(body).unwrap_or_else(|e| e)),
                    _ => Err(Error::with(
                        VIR_ERR_RPC,
                        VIR_FROM_RPC,
                        format!("Unexpected message status {status}"),
                    )),
                };
                slot.fill(r);
            }
            TYPE_MESSAGE => {
                if let Some(sink) = lock(&self.events).as_ref() {
                    sink(proc, body);
                }
            }
            _ => {}
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        watched().remove(&self.key);
        if let Some(t) = lock(&self.loop_timer).take() {
            crate::event::hooks::remove_timeout(t);
        }
    }
}

/// The reference's error for a call on a connection that is gone.
pub fn closed_error() -> Error {
    Error::internal(VIR_FROM_RPC, "client socket is closed")
}

/// A whole message: length word, header, body.
fn frame(prog: u32, vers: u32, proc: i32, kind: u32, serial: u32, body: &[u8]) -> Vec<u8> {
    let mut e = Enc::new();
    e.u32((4 + HEADER_LEN + body.len()) as u32)
        .u32(prog)
        .u32(vers)
        .i32(proc)
        .u32(kind)
        .u32(serial)
        .u32(STATUS_OK);
    e.buf.extend_from_slice(body);
    e.buf
}

/// remote_error, as the daemon sent it: it becomes our error unchanged.
pub fn decode_error(body: &[u8]) -> Result<Error> {
    let e = super::protocol::Error::decode(&mut Dec::new(body))?;
    Ok(Error {
        code: e.code,
        domain: e.domain,
        level: e.level,
        message: e.message.unwrap_or_else(|| "unknown error".into()),
        str1: e.str1,
        str2: e.str2,
        str3: e.str3,
        int1: e.int1,
        int2: e.int2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_errors() {
        let m = frame(REMOTE_PROGRAM, 1, 23, TYPE_CALL, 9, &[0, 0, 0, 1]);
        assert_eq!(m.len(), 32);
        assert_eq!(&m[..4], &32u32.to_be_bytes());
        assert_eq!(&m[4..8], &REMOTE_PROGRAM.to_be_bytes());
        let mut e = Enc::new();
        e.i32(42)
            .i32(12)
            .opt_string(Some("Domain not found"))
            .i32(2)
            .bool(false)
            .opt_string(Some("Domain not found"))
            .opt_string(None)
            .opt_string(None)
            .i32(-1)
            .i32(-1)
            .bool(false);
        let err = decode_error(&e.buf).unwrap();
        assert_eq!((err.code, err.domain, err.level), (42, 12, 2));
        assert_eq!(err.message, "Domain not found");
        assert_eq!(err.str2, None);
    }

    #[test]
    fn calls_are_matched_to_replies_and_fail_when_the_peer_goes() {
        let (ours, mut theirs) = UnixStream::pair().unwrap();
        let client = Client::start(Stream::Unix(ours)).unwrap();
        let server = std::thread::spawn(move || {
            // Answer two calls in reverse order, then hang up.
            let mut calls = Vec::new();
            for _ in 0..2 {
                let mut len = [0u8; 4];
                theirs.read_exact(&mut len).unwrap();
                let mut m = vec![0u8; u32::from_be_bytes(len) as usize - 4];
                theirs.read_exact(&mut m).unwrap();
                let mut d = Dec::new(&m);
                let (_, _, proc, _, serial, _) = (
                    d.u32().unwrap(),
                    d.u32().unwrap(),
                    d.i32().unwrap(),
                    d.u32().unwrap(),
                    d.u32().unwrap(),
                    d.u32().unwrap(),
                );
                calls.push((proc, serial));
            }
            for (proc, serial) in calls.into_iter().rev() {
                let mut e = Enc::new();
                e.i32(proc);
                let m = frame(REMOTE_PROGRAM, 1, proc, TYPE_REPLY, serial, &e.buf);
                theirs.write_all(&m).unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        });
        let c2 = client.clone();
        let t = std::thread::spawn(move || c2.call(7, &[]).unwrap());
        let mine = client.call(8, &[]).unwrap();
        assert_eq!(mine, 8i32.to_be_bytes());
        assert_eq!(t.join().unwrap(), 7i32.to_be_bytes());
        server.join().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        // Nobody noticed the end (no call in flight, no event loop): the next call writes to
        // a peer that is gone.
        assert!(client.is_alive());
        let e = client.call(9, &[]).unwrap_err();
        assert_eq!((e.code, e.domain, e.int1), (38, 7, libc::EPIPE));
        assert!(!client.is_alive());
        let e = client.call(9, &[]).unwrap_err();
        assert_eq!(e.message, "internal error: client socket is closed");
    }
}
