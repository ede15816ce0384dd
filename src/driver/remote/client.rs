//! libvirt's RPC client: framing (4-byte length, 24-byte header, XDR body), calls matched to
//! replies by serial so any number of threads may have calls in flight on one connection, the
//! keepalive program, and asynchronous messages (events) handed to a callback.
//!
//! One reader thread per connection reads every message the daemon sends. It also keeps the
//! connection alive: when nothing arrived for `KEEPALIVE_INTERVAL` it sends a PING, and after
//! `KEEPALIVE_COUNT` such intervals in silence it declares the peer dead. A dead connection fails
//! every call in flight with the error that killed it, the next call with the same error (once),
//! and every later call with the reference's "client socket is closed".

use super::xdr::{Dec, Enc};
use crate::error::{Error, Result, VIR_ERR_RPC, VIR_FROM_RPC};
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::process::{Child, ChildStdin, ChildStdout};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub(super) const REMOTE_PROGRAM: u32 = 0x2000_8086;
pub(super) const REMOTE_VERSION: u32 = 1;
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
    /// A helper process (ssh) whose stdin and stdout carry the protocol.
    Command(Arc<Mutex<Child>>, Option<ChildStdin>, Option<ChildStdout>),
}

impl Stream {
    /// The reading half, for the reader thread.
    fn reader(&mut self) -> std::io::Result<Stream> {
        match self {
            Stream::Unix(s) => Ok(Stream::Unix(s.try_clone()?)),
            Stream::Tcp(s) => Ok(Stream::Tcp(s.try_clone()?)),
            Stream::Command(c, _, out) => Ok(Stream::Command(c.clone(), None, out.take())),
        }
    }

    fn set_read_timeout(&self, t: Option<Duration>) {
        let _ = match self {
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tcp(s) => s.set_read_timeout(t),
            // A pipe has no timeout: the helper (ssh) runs its own keepalive.
            Stream::Command(..) => Ok(()),
        };
    }

    fn shutdown(&mut self) {
        match self {
            Stream::Unix(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Stream::Tcp(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Stream::Command(c, stdin, _) => {
                stdin.take();
                let mut child = lock(c);
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
            Stream::Command(_, _, Some(out)) => out.read(buf),
            Stream::Command(..) => Ok(0),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => send_nosignal(s, buf),
            // std's TcpStream already sends with MSG_NOSIGNAL.
            Stream::Tcp(s) => s.write(buf),
            Stream::Command(_, Some(inp), _) => inp.write(buf),
            Stream::Command(..) => Err(std::io::Error::from_raw_os_error(libc::EPIPE)),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Command(_, Some(inp), _) => inp.flush(),
            _ => Ok(()),
        }
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
    /// Why the connection died, until a call has been told.
    death: Option<Error>,
    dead: bool,
}

/// An asynchronous message of the remote program: (procedure, body).
pub type EventSink = Box<dyn Fn(i32, &[u8]) + Send + Sync>;
/// The connection died: told once, with the reference's close reason (virConnectCloseReason).
pub type CloseSink = Box<dyn Fn(i32) + Send + Sync>;

/// VIR_CONNECT_CLOSE_REASON_*.
pub(super) const CLOSE_REASON_EOF: i32 = 1;
pub(super) const CLOSE_REASON_KEEPALIVE: i32 = 2;
pub(super) const CLOSE_REASON_CLIENT: i32 = 3;

pub struct Client {
    writer: Mutex<Stream>,
    calls: Mutex<Calls>,
    serial: AtomicU32,
    events: Mutex<Option<EventSink>>,
    close_sinks: Mutex<Vec<CloseSink>>,
}

impl Client {
    /// Start the client on a connected stream: its reader thread runs until the stream ends.
    pub fn start(mut stream: Stream) -> Result<Arc<Client>> {
        let reader = stream
            .reader()
            .map_err(|e| Error::system(VIR_FROM_RPC, errno(&e), "Unable to duplicate socket"))?;
        let client = Arc::new(Client {
            writer: Mutex::new(stream),
            calls: Mutex::new(Calls::default()),
            serial: AtomicU32::new(1),
            events: Mutex::new(None),
            close_sinks: Mutex::new(Vec::new()),
        });
        let c = client.clone();
        std::thread::Builder::new()
            .name("oxvirt-remote".into())
            .spawn(move || c.read_loop(reader))
            .map_err(|e| Error::system(VIR_FROM_RPC, errno(&e), "Unable to create thread"))?;
        Ok(client)
    }

    pub fn set_event_sink(&self, sink: EventSink) {
        *lock(&self.events) = Some(sink);
    }

    /// Call `f` once when the connection dies (now, if it is already dead).
    pub fn on_close(&self, f: CloseSink) {
        if lock(&self.calls).dead {
            f(CLOSE_REASON_EOF);
            return;
        }
        lock(&self.close_sinks).push(f);
    }

    pub fn is_alive(&self) -> bool {
        !lock(&self.calls).dead
    }

    /// One call of the remote program: its reply body, or the daemon's error unchanged.
    pub fn call(&self, proc: i32, args: &[u8]) -> Result<Vec<u8>> {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot::default());
        {
            let mut calls = lock(&self.calls);
            if calls.dead {
                return Err(calls.death.take().unwrap_or_else(closed_error));
            }
            calls.pending.insert(serial, slot.clone());
        }
        let msg = frame(
            REMOTE_PROGRAM,
            REMOTE_VERSION,
            proc,
            TYPE_CALL,
            serial,
            args,
        );
        if let Err(e) = self.send(&msg) {
            lock(&self.calls).pending.remove(&serial);
            let err = Error::system(VIR_FROM_RPC, errno(&e), "Cannot write data");
            self.die(err.clone(), CLOSE_REASON_EOF);
            // This call reports the failure itself; later ones hear the socket is closed.
            lock(&self.calls).death = None;
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
        lock(&self.calls).death = None;
    }

    /// The connection is over: fail everything in flight, stop the stream, tell the listeners.
    fn die(&self, why: Error, reason: i32) {
        let (pending, first) = {
            let mut calls = lock(&self.calls);
            let first = !calls.dead;
            calls.dead = true;
            let pending: Vec<_> = calls.pending.drain().map(|(_, s)| s).collect();
            if first {
                // Calls in flight hear why; so does the next one if none was in flight.
                calls.death = pending.is_empty().then(|| why.clone());
            }
            (pending, first)
        };
        for s in pending {
            s.fill(Err(why.clone()));
        }
        if !first {
            return;
        }
        lock(&self.writer).shutdown();
        let sinks = std::mem::take(&mut *lock(&self.close_sinks));
        if reason != CLOSE_REASON_CLIENT {
            for f in sinks {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(reason)));
            }
        }
        *lock(&self.events) = None;
    }

    fn read_loop(self: Arc<Self>, mut stream: Stream) {
        stream.set_read_timeout(Some(KEEPALIVE_INTERVAL));
        let mut silent = 0u32;
        let mut last_rx = Instant::now();
        loop {
            let mut len = [0u8; 4];
            if let Err(b) = self.fill(&mut stream, &mut len, &mut silent, &mut last_rx) {
                let (e, reason) = *b;
                return self.die(e, reason);
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
                return self.die(e, CLOSE_REASON_EOF);
            }
            let mut body = vec![0u8; total - 4];
            if let Err(b) = self.fill(&mut stream, &mut body, &mut silent, &mut last_rx) {
                let (e, reason) = *b;
                return self.die(e, reason);
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
                    if !self.is_alive() {
                        return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                    }
                    return Err(Box::new((
                        Error::system(VIR_FROM_RPC, libc::EIO, "End of file while reading data"),
                        CLOSE_REASON_EOF,
                    )));
                }
                Ok(n) => {
                    got += n;
                    *silent = 0;
                    *last_rx = Instant::now();
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if !self.is_alive() {
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
                    if !self.is_alive() {
                        return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                    }
                    return Err(Box::new((
                        Error::system(VIR_FROM_RPC, errno(&e), "Cannot recv data"),
                        CLOSE_REASON_EOF,
                    )));
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
        if prog != REMOTE_PROGRAM {
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
    let mut d = Dec::new(body);
    let code = d.i32()?;
    let domain = d.i32()?;
    let message = d.opt_string()?;
    let level = d.i32()?;
    let _dom = d.opt_domain()?;
    let str1 = d.opt_string()?;
    let str2 = d.opt_string()?;
    let str3 = d.opt_string()?;
    let int1 = d.i32()?;
    let int2 = d.i32()?;
    Ok(Error {
        code,
        domain,
        level,
        message: message.unwrap_or_else(|| "unknown error".into()),
        str1,
        str2,
        str3,
        int1,
        int2,
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
        let e = client.call(9, &[]).unwrap_err();
        assert_eq!((e.code, e.domain, e.int1), (38, 7, libc::EIO));
        let e = client.call(9, &[]).unwrap_err();
        assert_eq!(e.message, "internal error: client socket is closed");
    }
}
