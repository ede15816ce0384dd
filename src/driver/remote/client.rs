//! libvirt's RPC client: framing (4-byte length, 24-byte header, XDR body), calls matched to
//! replies by serial so any number of threads may have calls in flight on one connection, the
//! keepalive program, and asynchronous messages (events) handed to a callback.
//!
//! A caller reads the socket for everybody while its call is in flight (libvirt's buck passing).
//! Between calls, where an event loop was registered when the connection opened, the loop
//! watches the socket, as the reference's, and the loop's thread reads what the daemon sends and
//! runs the callbacks of the events it read right away (no other thread, no second wake-up of
//! the loop); without a loop nobody reads between calls, as with the reference. While a stream
//! is open an idle watcher thread reads between calls instead (a stream's reads wait for its
//! data, possibly on the loop's thread or with no loop). The idle watcher thread also keeps the
//! connection alive: when the daemon was silent for the keepalive interval it sends a
//! PING, and after `count` such intervals in silence it declares the peer dead.
//!
//! How the end of a connection is noticed follows the reference, whose client reads only while a
//! call waits or while the event loop watches its socket. A connection that ends with calls in
//! flight fails them all with the error that ended it. One that ends idle stays "alive" until
//! somebody notices: the event loop registered when it was opened (through a timer armed by the
//! reading thread, so close callbacks run on the loop's thread, as the reference's), or else the
//! next call, which writes first, as the reference's, and fails with the write's error or else
//! the end the reader saw. Every later call hears the reference's "client socket is closed".
//! The close reason is the reference's too: EOF when the socket reports a hangup, else ERROR.

use super::tls::TlsStream;
use super::xdr::{Dec, Enc, Xdr};
use crate::api::EventHandleType;
use crate::error::{Error, Result, VIR_ERR_RPC, VIR_FROM_RPC};
use crate::process::fdpass;
use std::collections::{HashMap, VecDeque};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, ChildStderr};
use std::sync::atomic::{AtomicUsize, Ordering};
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
pub(super) const TYPE_STREAM: u32 = 3;
/// A call or reply followed by file descriptors: their count comes right after the header, the
/// descriptors themselves after the whole message, one with each byte (SCM_RIGHTS).
const TYPE_CALL_WITH_FDS: u32 = 4;
const TYPE_REPLY_WITH_FDS: u32 = 5;
pub(super) const TYPE_STREAM_HOLE: u32 = 6;
/// virNetMessageStatus.
pub(super) const STATUS_OK: u32 = 0;
pub(super) const STATUS_ERROR: u32 = 1;
pub(super) const STATUS_CONTINUE: u32 = 2;

pub(super) const HEADER_LEN: usize = 24;
/// libvirt's VIR_NET_MESSAGE_MAX: length word, header and payload together.
pub(super) const MESSAGE_MAX: usize = 32 * 1024 * 1024;

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

    /// Whether descriptors pass on this stream: a unix socket's, as the reference's
    /// virNetSocketHasPassFD (not TCP, TLS, or a helper process's socket pair).
    pub fn passes_fds(&self) -> bool {
        matches!(self, Stream::Unix(_))
    }

    /// Read what the stream has; descriptors that came with it (a unix socket's) are queued in
    /// `fds`, the order they came in.
    fn read_with_fds(
        &mut self,
        buf: &mut [u8],
        fds: &mut VecDeque<OwnedFd>,
    ) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => {
                let mut got = Vec::new();
                let n = fdpass::recv_with_fds(s.as_fd(), buf, &mut got)?;
                fds.extend(got);
                Ok(n)
            }
            _ => self.read(buf),
        }
    }

    /// Send each of `fds` with a byte of its own after a message, as the reference's
    /// virNetSocketSendFD; only a unix socket's.
    fn send_fds(&mut self, fds: &[BorrowedFd<'_>]) -> std::io::Result<()> {
        let Stream::Unix(s) = self else {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        };
        for fd in fds {
            while fdpass::send_with_fds(s.as_fd(), &[0], &[*fd])? == 0 {}
        }
        Ok(())
    }

    /// Whether data was read from the socket that the stream has not given out yet (TLS).
    fn buffered(&self) -> bool {
        match self {
            Stream::Tls(s) => s.buffered(),
            _ => false,
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
            // Without SIGPIPE: a daemon that went away gives the caller an error (EPIPE).
            Stream::Unix(s) | Stream::Command(s, _) => {
                fdpass::send_with_fds(std::os::fd::AsFd::as_fd(s), buf, &[])
            }
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

/// A reply's body and the descriptors that came with it.
pub type Answer = (Vec<u8>, Vec<OwnedFd>);

/// A call waiting for its reply.
struct Waiter {
    serial: u32,
    reply: Option<Result<Answer>>,
    /// The waiting thread's condition.
    wake: Arc<Condvar>,
}

thread_local! {
    /// A thread makes one call at a time: it waits on a condition of its own, so that a call
    /// allocates none.
    static WAKE: Arc<Condvar> = Arc::new(Condvar::new());
}

/// libvirt's keepalive state (virKeepAlive): the daemon's pings are always answered; ours are
/// sent only once the application starts them (virConnectSetKeepAlive).
struct Keepalive {
    /// Seconds between pings; not positive until first started (it stays set when stopped, as
    /// the reference's, which then refuses another interval).
    interval: i32,
    count: u32,
    /// Pings that may still go unanswered.
    left: u32,
    running: bool,
    last_rx: Instant,
    interval_start: Instant,
}

/// What the keepalive timer asks for.
#[derive(Debug, PartialEq)]
enum Tick {
    Nothing,
    Ping,
    Dead,
}

impl Keepalive {
    fn new(now: Instant) -> Keepalive {
        Keepalive {
            interval: -1,
            count: 0,
            left: 0,
            running: false,
            last_rx: now,
            interval_start: now,
        }
    }

    fn period(&self) -> Duration {
        Duration::from_secs(self.interval.max(0) as u64)
    }

    /// Any message from the daemon proves it alive.
    fn received(&mut self, now: Instant) {
        self.left = self.count;
        self.last_rx = now;
        self.interval_start = now;
    }

    /// How long until the timer is due; None while it is off.
    fn due_in(&self, now: Instant) -> Option<Duration> {
        (self.running && self.interval > 0)
            .then(|| (self.interval_start + self.period()).saturating_duration_since(now))
    }

    /// The timer's turn (virKeepAliveTimerInternal): a ping per silent interval, and death once
    /// `count` of them went unanswered.
    fn tick(&mut self, now: Instant) -> Tick {
        match self.due_in(now) {
            Some(d) if d.is_zero() => {}
            _ => return Tick::Nothing,
        }
        if self.left == 0 {
            return Tick::Dead;
        }
        self.left -= 1;
        self.interval_start = now;
        Tick::Ping
    }

    /// virKeepAliveStart: a first interval is taken, a second refused; already running is fine.
    fn start(&mut self, interval: i32, count: u32, now: Instant) -> Result<()> {
        if self.running {
            return Ok(());
        }
        if interval > 0 {
            if self.interval > 0 {
                return Err(Error::internal(
                    VIR_FROM_RPC,
                    "keepalive interval already set",
                ));
            }
            if interval > i32::MAX / 1000 {
                return Err(Error::internal(
                    VIR_FROM_RPC,
                    format!("keepalive interval {interval} too large"),
                ));
            }
            self.interval = interval;
            self.count = count;
            self.left = count;
        }
        if self.interval <= 0 {
            return Ok(());
        }
        self.running = true;
        // The first ping goes when the daemon has been silent for an interval.
        self.interval_start = match now.checked_sub(self.period()) {
            Some(t) => t.max(self.last_rx),
            None => self.last_rx,
        };
        Ok(())
    }

    fn stop(&mut self) {
        self.running = false;
    }
}

struct State {
    waiting: Vec<Waiter>,
    next_serial: u32,
    /// Somebody reads the socket for everybody (libvirt's buck): a caller while calls are in
    /// flight, the idle watcher while none is.
    reading: bool,
    /// The stream ended while no call was in flight, and nobody noticed yet: the error seen
    /// and the close reason.
    unnoticed: Option<(Error, i32)>,
    dead: bool,
    /// The close reason, once dead.
    reason: i32,
    keepalive: Keepalive,
}

impl State {
    /// Hand the socket to a caller still waiting for its reply, if any.
    fn pass_buck(&self) {
        if let Some(w) = self.waiting.iter().find(|w| w.reply.is_none()) {
            w.wake.notify_one();
        }
    }
}

/// Where the stream messages of one stream (by its opening call's serial) go, from whichever
/// thread reads the socket: (procedure, type, status, body); and the end of the connection.
pub trait StreamSink: Send + Sync {
    fn incoming(&self, proc: i32, kind: u32, status: u32, body: &[u8]);
    fn ended(&self, why: &Error);
}

/// An asynchronous message of the remote program or the qemu program: (program, procedure,
/// body).
pub type EventSink = Box<dyn Fn(u32, i32, &[u8]) + Send + Sync>;
/// Delivers the events given to the [`EventSink`] so far; called on the event loop's thread.
pub type EventFlush = Arc<dyn Fn() + Send + Sync>;
/// The connection died: told once, with the reference's close reason (virConnectCloseReason).
pub type CloseSink = Box<dyn Fn(i32) + Send + Sync>;

/// VIR_CONNECT_CLOSE_REASON_*.
pub(super) const CLOSE_REASON_ERROR: i32 = 0;
pub(super) const CLOSE_REASON_EOF: i32 = 1;
pub(super) const CLOSE_REASON_KEEPALIVE: i32 = 2;
pub(super) const CLOSE_REASON_CLIENT: i32 = 3;

/// How a read ended the connection: the error and the close reason.
type Ended = Box<(Error, i32)>;

/// The reading half with what has been read of messages not yet handled; only the thread
/// holding the buck touches it.
struct Reader {
    stream: Stream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Descriptors received and not yet claimed by their message, in the order they came.
    fds: VecDeque<OwnedFd>,
}

/// One whole message in the reader's buffer (header and body, without the length word) and the
/// descriptors that followed it.
type Incoming = (std::ops::Range<usize>, Vec<OwnedFd>);

impl Reader {
    fn new(stream: Stream) -> Reader {
        Reader {
            stream,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            fds: VecDeque::new(),
        }
    }

    /// The length word of the next message, once read.
    fn next_len(&self) -> Option<usize> {
        let b = self.buf.get(self.start..self.start + 4)?;
        (self.end - self.start >= 4).then(|| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    /// Where the next whole message is in the buffer (header and body, without the length
    /// word), consumed; None until it is whole.
    fn next_message(&mut self) -> std::result::Result<Option<Incoming>, Ended> {
        let Some(total) = self.next_len() else {
            return Ok(None);
        };
        if !(4 + HEADER_LEN..=MESSAGE_MAX).contains(&total) {
            let e = Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                format!("packet {total} bytes received from server too large, want {MESSAGE_MAX}"),
            );
            return Err(Box::new((e, CLOSE_REASON_ERROR)));
        }
        if self.end - self.start < total {
            return Ok(None);
        }
        let nfds = self.fds_following(total)?;
        // Each descriptor comes with a byte of its own after the message.
        if self.end - self.start < total + nfds {
            return Ok(None);
        }
        if self.fds.len() < nfds {
            let e = Error::system(
                VIR_FROM_RPC,
                libc::EBADMSG,
                "Failed to recv file descriptor",
            );
            return Err(Box::new((e, CLOSE_REASON_ERROR)));
        }
        let fds = self.fds.drain(..nfds).collect();
        let range = self.start + 4..self.start + total;
        self.start += total + nfds;
        Ok(Some((range, fds)))
    }

    /// How many descriptors follow the whole message of `total` bytes at the buffer's start:
    /// the count a REPLY_WITH_FDS carries after its header (at most the reference's maximum),
    /// else none.
    fn fds_following(&self, total: usize) -> std::result::Result<usize, Ended> {
        let word = |at: usize| {
            let b = &self.buf[self.start + at..self.start + at + 4];
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        };
        if word(4 + 12) != TYPE_REPLY_WITH_FDS {
            return Ok(0);
        }
        let fail = |e: Error| Err(Box::new((e, CLOSE_REASON_ERROR)));
        if !self.stream.passes_fds() {
            return fail(Error::internal(
                VIR_FROM_RPC,
                "Receiving file descriptors is not supported on this socket",
            ));
        }
        if total < 4 + HEADER_LEN + 4 {
            return fail(Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                "Unable to decode number of FDs",
            ));
        }
        let nfds = word(4 + HEADER_LEN) as usize;
        if nfds > fdpass::MAX_FDS {
            return fail(Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                format!(
                    "Received too many FDs {nfds}, expected {} maximum",
                    fdpass::MAX_FDS
                ),
            ));
        }
        Ok(nfds)
    }

    /// Read what the stream has (blocking until something, its end, or the read timeout), with
    /// room for the whole of the message being read.
    fn fill(&mut self) -> std::io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.buf.len() > READ_KEEP {
                self.buf.truncate(READ_CHUNK);
                self.buf.shrink_to_fit();
            }
        }
        // Room for a whole message and the bytes of the descriptors that may follow it.
        let want = (self.next_len().unwrap_or(0) + fdpass::MAX_FDS)
            .clamp(READ_CHUNK, MESSAGE_MAX + fdpass::MAX_FDS);
        if self.buf.len() - self.start < want || self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
        }
        let n = self
            .stream
            .read_with_fds(&mut self.buf[self.end..], &mut self.fds)?;
        self.end += n;
        Ok(n)
    }
}

/// What one read asks for at a time, and the buffer kept between large messages.
const READ_CHUNK: usize = 64 * 1024;
const READ_KEEP: usize = 1024 * 1024;
/// How often a thread blocked on the socket looks at the keepalive timer and the connection's
/// end.
const IDLE_TICK: Duration = Duration::from_secs(1);

pub struct Client {
    writer: Mutex<Stream>,
    reader: Mutex<Reader>,
    state: Mutex<State>,
    /// Reports the socket's data while no call is in flight: to the event loop (the watch
    /// `loop_watch`, whose callback also holds it, so that the descriptor outlives the loop's
    /// use of it), else to the idle watcher thread.
    watch: Arc<super::watch::Watch>,
    /// The application's event loop's watch of `watch`, where a loop was registered when the
    /// connection opened; removed once the connection is over.
    loop_watch: Mutex<Option<i32>>,
    /// Wakes the idle watcher thread when the connection is over (it does not wait on the
    /// socket where the loop watches it).
    idle: Condvar,
    /// An event was handed to `events` and may not have been delivered yet.
    events_queued: std::sync::atomic::AtomicBool,
    /// Delivers the events handed to `events` now, from the event loop's thread.
    flush: Mutex<Option<EventFlush>>,
    events: Mutex<Option<EventSink>>,
    /// The connection's one close listener.
    close_sink: Mutex<Option<CloseSink>>,
    /// This client's key in [`watched`]: what its timer in the event loop carries.
    key: usize,
    /// The timer in the event loop registered when the connection was opened (disarmed until
    /// the stream ends idle), as the reference's socket watch; None without a loop.
    loop_timer: Mutex<Option<i32>>,
    /// Open streams by the serial of the call that opened them.
    streams: Mutex<HashMap<u32, Arc<dyn StreamSink>>>,
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

/// The event loop's watch of the connection `key`'s socket (through `watch`, which it keeps open
/// until the loop lets go of the callback).
fn loop_readable(key: usize, watch: Arc<super::watch::Watch>) -> crate::event::hooks::HandleFn {
    std::sync::Arc::new(move |handle, _fd, _events| {
        let _open = &watch;
        let client = watched().get(&key).and_then(std::sync::Weak::upgrade);
        match client {
            Some(c) => c.read_from_loop(),
            None => {
                crate::event::hooks::remove_handle(handle);
            }
        }
    })
}

fn keepalive_timeout() -> Error {
    Error::internal(VIR_FROM_RPC, "connection closed due to keepalive timeout")
}

fn keepalive_message(proc: i32) -> Vec<u8> {
    frame(
        KEEPALIVE_PROGRAM,
        KEEPALIVE_VERSION,
        proc,
        TYPE_MESSAGE,
        0,
        &[],
    )
}

impl Client {
    /// Start the client on a connected stream. Callers read their own replies (and everyone
    /// else's while they wait); between calls an idle watcher thread reads events and
    /// keepalive messages, and notices the end of the stream. An event loop registered now
    /// watches the connection for its end.
    pub fn start(mut stream: Stream) -> Result<Arc<Client>> {
        let reading = stream
            .reader()
            .map_err(|e| Error::system(VIR_FROM_RPC, errno(&e), "Unable to duplicate socket"))?;
        reading.set_read_timeout(Some(IDLE_TICK));
        let watch = super::watch::Watch::new(stream.fd())
            .map_err(|e| Error::system(VIR_FROM_RPC, errno(&e), "Unable to watch socket"))?;
        let watch = Arc::new(watch);
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        let client = Arc::new(Client {
            writer: Mutex::new(stream),
            reader: Mutex::new(Reader::new(reading)),
            state: Mutex::new(State {
                waiting: Vec::new(),
                next_serial: 1,
                reading: false,
                unnoticed: None,
                dead: false,
                reason: CLOSE_REASON_ERROR,
                keepalive: Keepalive::new(Instant::now()),
            }),
            watch: watch.clone(),
            loop_watch: Mutex::new(None),
            idle: Condvar::new(),
            events_queued: std::sync::atomic::AtomicBool::new(false),
            flush: Mutex::new(None),
            events: Mutex::new(None),
            close_sink: Mutex::new(None),
            key,
            loop_timer: Mutex::new(None),
            streams: Mutex::new(HashMap::new()),
        });
        watched().insert(key, Arc::downgrade(&client));
        let timer = crate::event::hooks::add_timeout(-1, loop_timer(key));
        if timer >= 0 {
            *lock(&client.loop_timer) = Some(timer);
        }
        let readable = EventHandleType::READABLE.bits() as i32;
        let handle =
            crate::event::hooks::add_handle(watch.fd(), readable, loop_readable(key, watch));
        if handle >= 0 {
            *lock(&client.loop_watch) = Some(handle);
        }
        let c = client.clone();
        if let Err(e) = std::thread::Builder::new()
            .name("oxvirt-remote".into())
            .spawn(move || c.watch_idle())
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

    /// Where the daemon's events go (`sink`, from whichever thread reads them), and how those
    /// handed over are delivered at once when the event loop's thread read them (`flush`).
    pub fn set_event_sink(&self, sink: EventSink, flush: EventFlush) {
        *lock(&self.events) = Some(sink);
        *lock(&self.flush) = Some(flush);
    }

    /// Call `f` once when the connection dies (now, if it is already dead), instead of any
    /// listener set before: a connection has one.
    pub fn on_close(&self, f: CloseSink) {
        let st = lock(&self.state);
        if st.dead {
            let reason = st.reason;
            drop(st);
            f(reason);
            return;
        }
        // Still under the state lock: `die` cannot pass between the check and this.
        *lock(&self.close_sink) = Some(f);
    }

    /// Tell the close listener `reason` without ending the connection (the daemon reported the
    /// end of its own connection); the listener stays for the connection's own end.
    pub fn report_close(&self, reason: i32) {
        let sink = lock(&self.close_sink).take();
        if let Some(f) = sink {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(reason)));
            // Unless the connection died or another listener came meanwhile; the state's lock
            // first, as on_close takes them.
            let st = lock(&self.state);
            let mut slot = lock(&self.close_sink);
            if slot.is_none() && !st.dead {
                *slot = Some(f);
            }
        }
    }

    /// As the reference's virNetClientIsOpen: until the end of the stream has been noticed.
    pub fn is_alive(&self) -> bool {
        !lock(&self.state).dead
    }

    /// virConnectSetKeepAlive: start our pings (`interval` seconds apart, the connection dead
    /// after `count` unanswered), or stop them (`interval` not positive). As the reference's,
    /// only where an event loop was registered when the connection opened.
    pub fn set_keepalive(&self, interval: i32, count: u32) -> Result<()> {
        if lock(&self.loop_timer).is_none() {
            return Err(Error::internal(
                crate::error::VIR_FROM_REMOTE,
                "the caller doesn't support keepalive protocol; perhaps it's missing event loop implementation",
            ));
        }
        let mut st = lock(&self.state);
        if interval > 0 {
            st.keepalive.start(interval, count, Instant::now())
        } else {
            st.keepalive.stop();
            Ok(())
        }
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
        Ok(self
            .call_numbered((program, version, proc), args, &[], |_| {})?
            .0)
    }

    /// One call of `program` handing the daemon `fds` (CALL_WITH_FDS); the reply's body and the
    /// descriptors it brought back (REPLY_WITH_FDS), ours to close. Only a unix socket passes
    /// descriptors: elsewhere the call fails and the connection with it, as the reference's
    /// (whose client has written the message when its first descriptor is refused).
    pub fn call_with_fds(
        &self,
        program: u32,
        version: u32,
        proc: i32,
        args: &[u8],
        fds: &[BorrowedFd<'_>],
    ) -> Result<Answer> {
        if self.is_dead() {
            return Err(closed_error());
        }
        if !fds.is_empty() && !self.passes_fds() {
            let e = Error::internal(
                VIR_FROM_RPC,
                "Sending file descriptors is not supported on this socket",
            );
            self.die(e.clone(), CLOSE_REASON_ERROR);
            return Err(e);
        }
        if fds.len() > fdpass::MAX_FDS {
            return Err(Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                format!(
                    "Too many FDs to send {}, expected {} maximum",
                    fds.len(),
                    fdpass::MAX_FDS
                ),
            ));
        }
        self.call_numbered((program, version, proc), args, fds, |_| {})
    }

    /// Whether the connection passes file descriptors (the reference's
    /// VIR_DRV_FEATURE_FD_PASSING for a remote connection).
    pub fn passes_fds(&self) -> bool {
        lock(&self.writer).passes_fds()
    }

    /// A call that opens a stream: `sink` hears the stream's messages (the daemon may send
    /// them right after its reply) under the call's serial, which it is given first. The stream
    /// stays registered after a successful call, until `remove_stream`.
    pub fn call_opening_stream(
        &self,
        proc: i32,
        args: &[u8],
        sink: Arc<dyn StreamSink>,
        serial_of: impl FnOnce(u32),
    ) -> Result<Vec<u8>> {
        let mut opened = None;
        let r = self.call_numbered(
            (REMOTE_PROGRAM, REMOTE_VERSION, proc),
            args,
            &[],
            |serial| {
                serial_of(serial);
                let first = {
                    let mut streams = lock(&self.streams);
                    streams.insert(serial, sink);
                    streams.len() == 1
                };
                if first {
                    self.streams_changed(false);
                }
                opened = Some(serial);
            },
        );
        if let (Err(_), Some(serial)) = (&r, opened) {
            self.remove_stream(serial);
        }
        Ok(r?.0)
    }

    pub fn remove_stream(&self, serial: u32) {
        let last = {
            let mut streams = lock(&self.streams);
            streams.remove(&serial).is_some() && streams.is_empty()
        };
        if last {
            self.streams_changed(true);
        }
    }

    /// A stream's reads wait for data that somebody else reads, possibly on the event loop's
    /// own thread (a stream callback), or with no loop at all: while streams are open the idle
    /// watcher thread reads between calls, not the loop (`none_open`: the last one closed).
    fn streams_changed(&self, none_open: bool) {
        if let Some(h) = *lock(&self.loop_watch) {
            let events = if none_open {
                EventHandleType::READABLE.bits() as i32
            } else {
                0
            };
            crate::event::hooks::update_handle(h, events);
        }
        // Under the state lock, so that the watcher cannot miss it between its look at the
        // streams and its wait.
        let _st = lock(&self.state);
        self.idle.notify_all();
    }

    /// Whether the event loop reads between calls (else the idle watcher thread does).
    fn loop_reads(&self) -> bool {
        lock(&self.loop_watch).is_some() && lock(&self.streams).is_empty()
    }

    /// One stream message (data, a hole, finish or abort) of the stream opened by call
    /// `serial`; nothing waits for an answer here.
    pub fn send_stream(
        &self,
        proc: i32,
        serial: u32,
        kind: u32,
        status: u32,
        body: &[u8],
    ) -> Result<()> {
        if self.is_dead() {
            return Err(closed_error());
        }
        let msg = frame_with(
            (REMOTE_PROGRAM, REMOTE_VERSION, proc),
            kind,
            serial,
            status,
            body,
        );
        self.send(&msg).map_err(|e| {
            let err = Error::system(VIR_FROM_RPC, errno(&e), "Cannot write data");
            let reason = lock(&self.writer).end_reason();
            self.die(err.clone(), reason);
            err
        })
    }

    /// One call, its serial given to `on_serial` before the call is sent.
    fn call_numbered(
        &self,
        (program, version, proc): (u32, u32, i32),
        args: &[u8],
        fds: &[BorrowedFd<'_>],
        on_serial: impl FnOnce(u32),
    ) -> Result<Answer> {
        let (serial, unnoticed) = {
            let mut st = lock(&self.state);
            if st.dead {
                return Err(closed_error());
            }
            let serial = st.next_serial;
            st.next_serial = serial.wrapping_add(1);
            let unnoticed = st.unnoticed.take();
            if unnoticed.is_none() {
                if st.waiting.is_empty() {
                    self.watch.disarm();
                }
                st.waiting.push(Waiter {
                    serial,
                    reply: None,
                    wake: WAKE.with(Arc::clone),
                });
            }
            (serial, unnoticed)
        };
        on_serial(serial);
        let sent = match fds.len() {
            0 => self.send(&frame(program, version, proc, TYPE_CALL, serial, args)),
            n => {
                let mut body = (n as u32).to_be_bytes().to_vec();
                body.extend_from_slice(args);
                let msg = frame(program, version, proc, TYPE_CALL_WITH_FDS, serial, &body);
                self.send_with_fds(&msg, fds)
            }
        };
        if let Some((seen, _)) = unnoticed {
            // This call notices the end the watcher saw: a peer that is gone refuses the
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
            let err = Error::system(VIR_FROM_RPC, errno(&e), "Cannot write data");
            let reason = lock(&self.writer).end_reason();
            self.die(err, reason);
        }
        self.wait_reply(serial)
    }

    fn send(&self, msg: &[u8]) -> std::io::Result<()> {
        let mut w = lock(&self.writer);
        w.write_all(msg)?;
        w.flush()
    }

    /// A message and then its descriptors, nothing else between them on the socket.
    fn send_with_fds(&self, msg: &[u8], fds: &[BorrowedFd<'_>]) -> std::io::Result<()> {
        let mut w = lock(&self.writer);
        w.write_all(msg)?;
        w.send_fds(fds)
    }

    /// Wait for the reply to `serial`, reading the socket for everybody while nobody else does.
    fn wait_reply(&self, serial: u32) -> Result<Answer> {
        let mut st = lock(&self.state);
        loop {
            let Some(i) = st.waiting.iter().position(|w| w.serial == serial) else {
                return Err(closed_error());
            };
            if st.waiting[i].reply.is_some() {
                let w = st.waiting.swap_remove(i);
                if st.waiting.is_empty() && !st.dead {
                    self.watch.arm();
                }
                return w.reply.unwrap_or_else(|| Err(closed_error()));
            }
            if !st.reading {
                st.reading = true;
                drop(st);
                let outcome = self.read_for(serial);
                st = lock(&self.state);
                st.reading = false;
                st.pass_buck();
                if let Err(b) = outcome {
                    drop(st);
                    let (e, reason) = *b;
                    self.die(e, reason);
                    st = lock(&self.state);
                }
                continue;
            }
            let wake = st.waiting[i].wake.clone();
            st = wake.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Holding the buck: read until the reply to `serial` is in, handling every message on the
    /// way (and those read with it).
    fn read_for(&self, serial: u32) -> std::result::Result<(), Ended> {
        let mut r = lock(&self.reader);
        let mut mine = false;
        loop {
            while let Some((range, fds)) = r.next_message()? {
                mine |= self.dispatch(&r.buf[range], fds, Some(serial));
            }
            if mine && !r.stream.buffered() {
                return Ok(());
            }
            self.read_more(&mut r)?;
        }
    }

    /// Holding the buck while no call is in flight: handle what the socket has.
    fn read_idle(&self) -> std::result::Result<(), Ended> {
        let mut r = lock(&self.reader);
        if !super::watch::readable_now(r.stream.fd()) && !r.stream.buffered() {
            return Ok(());
        }
        loop {
            self.read_more(&mut r)?;
            while let Some((range, fds)) = r.next_message()? {
                self.dispatch(&r.buf[range], fds, None);
            }
            if !r.stream.buffered() {
                return Ok(());
            }
        }
    }

    /// One read; while the daemon is silent, the keepalive timer's turn.
    fn read_more(&self, r: &mut Reader) -> std::result::Result<(), Ended> {
        match r.fill() {
            Ok(0) => {
                if self.is_dead() {
                    return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                }
                let reason = r.stream.end_reason();
                Err(Box::new((end_error(&r.stream, Ok(())), reason)))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => Ok(()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if self.is_dead() {
                    return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                }
                self.keepalive_turn()
            }
            Err(e) => {
                if self.is_dead() {
                    return Err(Box::new((closed_error(), CLOSE_REASON_CLIENT)));
                }
                let reason = r.stream.end_reason();
                Err(Box::new((end_error(&r.stream, Err(e)), reason)))
            }
        }
    }

    /// The keepalive timer: a ping when due, the end when too many went unanswered.
    fn keepalive_turn(&self) -> std::result::Result<(), Ended> {
        let tick = lock(&self.state).keepalive.tick(Instant::now());
        match tick {
            Tick::Nothing => Ok(()),
            Tick::Ping => {
                let _ = self.send(&keepalive_message(KEEPALIVE_PING));
                Ok(())
            }
            Tick::Dead => Err(Box::new((keepalive_timeout(), CLOSE_REASON_KEEPALIVE))),
        }
    }

    /// The idle watcher: reads while no call is in flight and a stream is open, runs the
    /// keepalive timer, and stops when the connection is over. Otherwise the event loop reads
    /// between calls where one was registered when the connection opened, and nobody where
    /// none was, as with the reference (the daemon's events wait for the next call).
    fn watch_idle(self: Arc<Self>) {
        loop {
            let st = lock(&self.state);
            if st.dead || st.unnoticed.is_some() {
                return;
            }
            let reads = !lock(&self.streams).is_empty();
            let due = st.keepalive.due_in(Instant::now());
            let timeout = due.map_or(IDLE_TICK, |d| d.min(IDLE_TICK));
            let readable = if reads {
                drop(st);
                self.watch.wait(timeout)
            } else {
                drop(self.idle.wait_timeout(st, timeout));
                false
            };
            let mut st = lock(&self.state);
            if st.dead {
                return;
            }
            if st.reading || !st.waiting.is_empty() {
                // A caller reads, and keeps the timer.
                continue;
            }
            if !readable {
                drop(st);
                if let Err(b) = self.keepalive_turn() {
                    let (e, reason) = *b;
                    return self.ended(e, reason);
                }
                continue;
            }
            st.reading = true;
            drop(st);
            let outcome = self.read_idle();
            let mut st = lock(&self.state);
            st.reading = false;
            st.pass_buck();
            drop(st);
            if let Err(b) = outcome {
                let (e, reason) = *b;
                return self.ended(e, reason);
            }
        }
    }

    /// The event loop's turn, the socket readable while no call is in flight: read what the
    /// daemon sent, then run the callbacks of its events here (the loop's thread), with the
    /// socket handed back first so that they may make calls.
    fn read_from_loop(&self) {
        {
            let mut st = lock(&self.state);
            if st.dead || st.unnoticed.is_some() || st.reading || !st.waiting.is_empty() {
                return;
            }
            if !self.loop_reads() {
                return;
            }
            st.reading = true;
        }
        let outcome = self.read_idle();
        {
            let mut st = lock(&self.state);
            st.reading = false;
            st.pass_buck();
        }
        if let Err(b) = outcome {
            // The socket stays readable (hung up): stop watching it until the end is noticed.
            if let Some(h) = *lock(&self.loop_watch) {
                crate::event::hooks::update_handle(h, 0);
            }
            let (e, reason) = *b;
            self.ended(e, reason);
        }
        if self.events_queued.swap(false, Ordering::AcqRel) {
            let flush = lock(&self.flush).clone();
            if let Some(f) = flush {
                f();
            }
        }
    }

    /// Close the connection on our side (after CONNECT_CLOSE): calls in flight fail.
    pub fn close(&self) {
        self.die(closed_error(), CLOSE_REASON_CLIENT);
    }

    /// The event loop's turn: the end the watcher saw is noticed now.
    fn notice(&self) {
        let seen = lock(&self.state).unnoticed.take();
        if let Some((err, reason)) = seen {
            self.die(err, reason);
        }
    }

    /// The watcher saw the stream end while no call was in flight: the end waits for the event
    /// loop or the next call; a call that came meanwhile notices now.
    fn ended(&self, why: Error, reason: i32) {
        {
            let mut st = lock(&self.state);
            if st.dead {
                return;
            }
            if st.waiting.is_empty() && reason != CLOSE_REASON_CLIENT {
                st.unnoticed = Some((why, reason));
                drop(st);
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
        {
            let mut st = lock(&self.state);
            if st.dead {
                return;
            }
            st.dead = true;
            st.reason = reason;
            st.unnoticed = None;
            for w in st.waiting.iter_mut().filter(|w| w.reply.is_none()) {
                w.reply = Some(Err(why.clone()));
                w.wake.notify_one();
            }
        }
        let streams: Vec<_> = lock(&self.streams).drain().map(|(_, s)| s).collect();
        for s in streams {
            s.ended(&why);
        }
        lock(&self.writer).shutdown();
        self.idle.notify_all();
        if let Some(t) = lock(&self.loop_timer).take() {
            crate::event::hooks::remove_timeout(t);
        }
        if let Some(h) = lock(&self.loop_watch).take() {
            crate::event::hooks::remove_handle(h);
        }
        let sink = lock(&self.close_sink).take();
        if let Some(f) = sink.filter(|_| reason != CLOSE_REASON_CLIENT) {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(reason)));
        }
        *lock(&self.events) = None;
        *lock(&self.flush) = None;
    }

    fn is_dead(&self) -> bool {
        lock(&self.state).dead
    }

    /// One message (header and body, without the length word) and the descriptors that came
    /// with it (a reply's, else closed); whether it is the reply to `mine`.
    fn dispatch(&self, msg: &[u8], fds: Vec<OwnedFd>, mine: Option<u32>) -> bool {
        let mut d = Dec::new(msg);
        let (Ok(prog), Ok(_vers), Ok(proc), Ok(kind), Ok(serial), Ok(status)) =
            (d.u32(), d.u32(), d.i32(), d.u32(), d.u32(), d.u32())
        else {
            return false;
        };
        // A reply with descriptors has their count before its body (checked by the reader).
        let (kind, body) = match kind {
            TYPE_REPLY_WITH_FDS => (TYPE_REPLY, &msg[HEADER_LEN + 4..]),
            _ => (kind, &msg[HEADER_LEN..]),
        };
        let now = Instant::now();
        // Replies of the qemu and admin programs come back as the remote program's; of their
        // events only the qemu program's monitor events are asked for.
        let side_program = prog == QEMU_PROGRAM || prog == ADMIN_PROGRAM;
        let qemu_event = prog == QEMU_PROGRAM && kind == TYPE_MESSAGE;
        let ours = prog == REMOTE_PROGRAM || (side_program && kind == TYPE_REPLY) || qemu_event;
        if !ours || kind != TYPE_REPLY {
            lock(&self.state).keepalive.received(now);
        }
        if prog == KEEPALIVE_PROGRAM {
            if proc == KEEPALIVE_PING {
                let _ = self.send(&keepalive_message(KEEPALIVE_PONG));
            }
            return false;
        }
        if !ours {
            return false;
        }
        match kind {
            TYPE_REPLY => {
                let r = match status {
                    STATUS_OK => Ok((body.to_vec(), fds)),
                    STATUS_ERROR => Err(decode_error(body).unwrap_or_else(|e| e)),
                    _ => Err(Error::with(
                        VIR_ERR_RPC,
                        VIR_FROM_RPC,
                        format!("Unexpected message status {status}"),
                    )),
                };
                let mut st = lock(&self.state);
                st.keepalive.received(now);
                let Some(w) = st.waiting.iter_mut().find(|w| w.serial == serial) else {
                    return false;
                };
                w.reply = Some(r);
                if mine == Some(serial) {
                    return true;
                }
                w.wake.notify_one();
                false
            }
            TYPE_MESSAGE => {
                if let Some(sink) = lock(&self.events).as_ref() {
                    sink(prog, proc, body);
                    self.events_queued.store(true, Ordering::Release);
                }
                false
            }
            TYPE_STREAM | TYPE_STREAM_HOLE => {
                // Messages of a stream that is gone are dropped, as the reference's.
                let sink = lock(&self.streams).get(&serial).cloned();
                if let Some(sink) = sink {
                    sink.incoming(proc, kind, status, body);
                }
                false
            }
            _ => false,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        watched().remove(&self.key);
        if let Some(t) = lock(&self.loop_timer).take() {
            crate::event::hooks::remove_timeout(t);
        }
        if let Some(h) = lock(&self.loop_watch).take() {
            crate::event::hooks::remove_handle(h);
        }
    }
}

/// The reference's error for a call on a connection that is gone.
pub fn closed_error() -> Error {
    Error::internal(VIR_FROM_RPC, "client socket is closed")
}

/// A whole message: length word, header, body.
fn frame(prog: u32, vers: u32, proc: i32, kind: u32, serial: u32, body: &[u8]) -> Vec<u8> {
    frame_with((prog, vers, proc), kind, serial, STATUS_OK, body)
}

/// A whole message with its status: length word, header, body.
fn frame_with(
    (prog, vers, proc): (u32, u32, i32),
    kind: u32,
    serial: u32,
    status: u32,
    body: &[u8],
) -> Vec<u8> {
    let mut e = Enc::new();
    e.u32((4 + HEADER_LEN + body.len()) as u32)
        .u32(prog)
        .u32(vers)
        .i32(proc)
        .u32(kind)
        .u32(serial)
        .u32(status);
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
    fn keepalive_pings_each_silent_interval_then_gives_up() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut k = Keepalive::new(t0);
        assert_eq!(k.tick(t0 + 10 * s), Tick::Nothing, "off until started");
        k.start(2, 1, t0 + s).unwrap();
        assert_eq!(k.tick(t0 + s), Tick::Nothing);
        assert_eq!(
            k.tick(t0 + 2 * s),
            Tick::Ping,
            "due an interval after the last message"
        );
        assert_eq!(k.tick(t0 + 3 * s), Tick::Nothing);
        assert_eq!(k.tick(t0 + 4 * s), Tick::Dead);
        k.received(t0 + 4 * s);
        assert_eq!(
            k.tick(t0 + 6 * s),
            Tick::Ping,
            "an answer restores the count"
        );
        // Started again while running: nothing changes; stopped, another interval is refused
        // and none (or the same call without one) restarts the first.
        k.start(9, 9, t0).unwrap();
        assert_eq!(k.interval, 2);
        k.stop();
        assert_eq!(k.tick(t0 + 60 * s), Tick::Nothing);
        let e = k.start(3, 1, t0).unwrap_err();
        assert_eq!(e.message, "internal error: keepalive interval already set");
        let mut fresh = Keepalive::new(t0);
        let e = fresh.start(i32::MAX / 1000 + 1, 1, t0).unwrap_err();
        assert_eq!(
            e.message,
            "internal error: keepalive interval 2147484 too large"
        );
        fresh.start(0, 0, t0).unwrap();
        assert!(!fresh.running);
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

    /// A daemon of our own on the other end: reads one call with its descriptors, answers with
    /// a descriptor of its own, as libvirtd's CALL_WITH_FDS / REPLY_WITH_FDS.
    fn answer_with_fds(theirs: UnixStream) -> std::thread::JoinHandle<(u32, Vec<u8>)> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut fds = Vec::new();
            let mut chunk = [0u8; 256];
            // The message (length word first), then one byte for each descriptor.
            loop {
                let n = fdpass::recv_with_fds(theirs.as_fd(), &mut chunk, &mut fds).unwrap();
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() >= 32 {
                    let total = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
                    let nfds = u32::from_be_bytes([buf[28], buf[29], buf[30], buf[31]]) as usize;
                    if buf.len() >= total + nfds && fds.len() == nfds {
                        break;
                    }
                }
            }
            let kind = u32::from_be_bytes([buf[16], buf[17], buf[18], buf[19]]);
            let serial = u32::from_be_bytes([buf[20], buf[21], buf[22], buf[23]]);
            // What the descriptor we were given says, and one of ours back.
            let mut given = UnixStream::from(fds.remove(0));
            let mut said = [0u8; 5];
            given.read_exact(&mut said).unwrap();
            let (mut mine, back) = UnixStream::pair().unwrap();
            let m = frame(
                REMOTE_PROGRAM,
                1,
                7,
                TYPE_REPLY_WITH_FDS,
                serial,
                &1u32.to_be_bytes(),
            );
            fdpass::send_with_fds(theirs.as_fd(), &m, &[]).unwrap();
            fdpass::send_with_fds(theirs.as_fd(), &[0], &[back.as_fd()]).unwrap();
            drop(back);
            mine.write_all(b"back").unwrap();
            (kind, said.to_vec())
        })
    }

    #[test]
    fn descriptors_go_with_calls_and_come_back_with_replies() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let client = Client::start(Stream::Unix(ours)).unwrap();
        let server = answer_with_fds(theirs);
        let (mut mine, given) = UnixStream::pair().unwrap();
        mine.write_all(b"hello").unwrap();
        let (body, mut fds) = client
            .call_with_fds(REMOTE_PROGRAM, 1, 7, &[], &[given.as_fd()])
            .unwrap();
        assert!(body.is_empty());
        assert_eq!(fds.len(), 1);
        let (kind, said) = server.join().unwrap();
        assert_eq!((kind, said.as_slice()), (TYPE_CALL_WITH_FDS, &b"hello"[..]));
        let mut back = UnixStream::from(fds.pop().unwrap());
        let mut word = [0u8; 4];
        back.read_exact(&mut word).unwrap();
        assert_eq!(&word, b"back");
        // A plain call still works after the descriptors' bytes.
        assert!(client.is_alive());
    }

    #[test]
    fn descriptors_are_refused_off_a_unix_socket_and_end_the_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let _peer = listener.accept().unwrap();
        let client = Client::start(Stream::Tcp(tcp)).unwrap();
        let (_a, b) = UnixStream::pair().unwrap();
        let e = client
            .call_with_fds(REMOTE_PROGRAM, 1, 7, &[], &[b.as_fd()])
            .unwrap_err();
        assert_eq!(
            e.message,
            "internal error: Sending file descriptors is not supported on this socket"
        );
        assert!(!client.is_alive());
        let e = client
            .call_with_fds(REMOTE_PROGRAM, 1, 7, &[], &[b.as_fd()])
            .unwrap_err();
        assert_eq!(e.message, "internal error: client socket is closed");
    }
}
