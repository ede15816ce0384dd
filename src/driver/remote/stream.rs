//! Streams over RPC (libvirt's virNetClientStream and the remote driver's stream driver): the
//! call that opens a stream (virStorageVolUpload, virStorageVolDownload, virDomainScreenshot,
//! virDomainOpenConsole, virDomainOpenChannel) names it by its serial; then data travels both
//! ways as VIR_NET_STREAM messages of that procedure and serial, status CONTINUE (an empty one
//! from the daemon is the end of its data), holes of sparse streams as VIR_NET_STREAM_HOLE
//! messages; finish is an OK message and abort an ERROR message, each confirmed by an OK message;
//! the daemon's failure is an ERROR message carrying its error, kept and raised by every later
//! call on the stream.
//!
//! The reader thread queues what arrives; a receive waits for it, as the reference's client
//! waits with a "dummy" call. Callbacks run on the application's event loop through a timer due
//! whenever the stream has something for them, as the reference's.

use super::client::{
    decode_error, Client, StreamSink, STATUS_CONTINUE, STATUS_ERROR, STATUS_OK, TYPE_STREAM,
    TYPE_STREAM_HOLE,
};
use super::convert::ToWire;
use super::RemoteDriver;
use crate::api::{StreamEventType, StreamRecvFlags};
use crate::domain::DomainRef;
use crate::driver::family::{
    Screenshot, StorageVolRef, StreamBody, StreamCallback, StreamChannel, RECV_AT_HOLE,
    RECV_WOULD_BLOCK,
};
use crate::error::{
    Error, Result, VIR_ERR_INTERNAL_ERROR, VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_FAILED,
    VIR_ERR_OPERATION_INVALID, VIR_ERR_RPC, VIR_FROM_REMOTE, VIR_FROM_RPC,
};
use oxvirt_rpc::protocol::{self, proc};
use oxvirt_rpc::xdr::{Dec, Enc, Xdr};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

/// The flags that make an upload or download sparse (VIR_STORAGE_VOL_*_SPARSE_STREAM).
const SPARSE_STREAM: u32 = 1;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What came from the daemon, in order.
enum Packet {
    Data {
        bytes: Vec<u8>,
        read: usize,
    },
    /// A VIR_NET_STREAM_HOLE message's body, decoded when the reader reaches it.
    Hole(Vec<u8>),
}

/// virNetClientStreamClosed.
#[derive(Clone, Copy, PartialEq)]
enum Closed {
    Not,
    Finished,
    Aborted,
}

struct Callback {
    events: i32,
    call: Arc<StreamCallback>,
    timer: i32,
}

struct State {
    rx: VecDeque<Packet>,
    eof: bool,
    /// The daemon's error for this stream: raised by every later call.
    err: Option<Error>,
    closed: Closed,
    /// Zeroes of a hole the reader has not read yet.
    hole: i64,
    /// A finish (true) or abort (false) waits for the daemon's confirmation.
    closing: Option<bool>,
    confirmed: bool,
    /// The connection ended: the error that ended it.
    dead: Option<Error>,
    callback: Option<Callback>,
}

pub struct RemoteStream {
    client: Arc<Client>,
    proc: i32,
    serial: AtomicU32,
    allow_skip: bool,
    state: Mutex<State>,
    changed: Condvar,
    me: Weak<RemoteStream>,
}

fn stream_closed() -> Error {
    Error::with(VIR_ERR_OPERATION_FAILED, VIR_FROM_RPC, "stream is closed")
}

/// The daemon's error as the stream keeps it (an unknown procedure is "not supported").
fn stream_error(body: &[u8]) -> Error {
    let mut err = decode_error(body).unwrap_or_else(|e| e);
    if err.domain == VIR_FROM_REMOTE
        && err.code == VIR_ERR_RPC
        && err.message.starts_with("unknown procedure")
    {
        err.code = VIR_ERR_NO_SUPPORT;
    }
    err
}

impl RemoteStream {
    fn new(client: &Arc<Client>, proc: i32, allow_skip: bool) -> Arc<RemoteStream> {
        Arc::new_cyclic(|me| RemoteStream {
            client: client.clone(),
            proc,
            serial: AtomicU32::new(0),
            allow_skip,
            state: Mutex::new(State {
                rx: VecDeque::new(),
                eof: false,
                err: None,
                closed: Closed::Not,
                hole: 0,
                closing: None,
                confirmed: false,
                dead: None,
                callback: None,
            }),
            changed: Condvar::new(),
            me: me.clone(),
        })
    }

    fn serial(&self) -> u32 {
        self.serial.load(Ordering::Acquire)
    }

    /// virNetClientStreamCheckState: the kept error, or a closed stream.
    fn check_state(st: &State) -> Result<()> {
        if let Some(e) = &st.err {
            return Err(e.clone());
        }
        if st.closed != Closed::Not {
            return Err(stream_closed());
        }
        Ok(())
    }

    fn send_message(&self, kind: u32, status: u32, body: &[u8]) -> Result<()> {
        self.client
            .send_stream(self.proc, self.serial(), kind, status, body)
    }

    /// Whether a callback's READABLE is due.
    fn readable(st: &State) -> bool {
        !st.rx.is_empty() || st.eof || st.err.is_some() || st.closed != Closed::Not
    }

    /// Arm the callback's timer when it has something to tell, else disarm it.
    fn update_timer(st: &State) {
        let Some(cb) = &st.callback else { return };
        let due = (Self::readable(st) && cb.events & StreamEventType::READABLE.bits() as i32 != 0)
            || cb.events & StreamEventType::WRITABLE.bits() as i32 != 0;
        crate::event::hooks::update_timeout(cb.timer, if due { 0 } else { -1 });
    }

    /// The timer's turn, on the event loop's thread: the callback with the events due.
    fn fire(&self) {
        let (call, events) = {
            let st = lock(&self.state);
            let Some(cb) = &st.callback else { return };
            let mut events = 0;
            if cb.events & StreamEventType::READABLE.bits() as i32 != 0 && Self::readable(&st) {
                events |= StreamEventType::READABLE.bits() as i32;
            }
            if cb.events & StreamEventType::WRITABLE.bits() as i32 != 0 {
                events |= StreamEventType::WRITABLE.bits() as i32;
            }
            (cb.call.clone(), events)
        };
        if events != 0 {
            call(events);
        }
    }

    /// Wait until the daemon says something this stream waits for, or the connection ends.
    fn wait_until<'a>(
        &self,
        mut st: MutexGuard<'a, State>,
        done: impl Fn(&State) -> bool,
    ) -> Result<MutexGuard<'a, State>> {
        loop {
            if done(&st) || st.err.is_some() {
                return Ok(st);
            }
            if let Some(e) = &st.dead {
                return Err(e.clone());
            }
            st = self.changed.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The hole at the head of what came, now the reader reaches it.
    fn take_hole(&self, st: &mut State) -> Result<()> {
        let Some(Packet::Hole(body)) = st.rx.pop_front() else {
            return Ok(());
        };
        if !self.allow_skip {
            return Err(Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                "Unexpected stream hole",
            ));
        }
        let (length, flags) = decode_hole(&body)
            .map_err(|_| Error::internal(VIR_FROM_RPC, "Malformed stream hole packet"))?;
        crate::api::check_flags(
            "virNetClientStreamSetHole",
            flags,
            crate::api::NoFlags::empty(),
            VIR_FROM_RPC,
        )?;
        if length <= 0 {
            return Err(Error::invalid_arg(
                VIR_FROM_RPC,
                "virNetClientStreamSetHole",
                "length",
                "length in virNetClientStreamSetHole must be greater than zero".to_string(),
            ));
        }
        if st.hole != 0 {
            return Err(Error::internal(
                VIR_FROM_RPC,
                format!("unprocessed hole of size {} already in the queue", st.hole),
            ));
        }
        st.hole = length;
        Ok(())
    }

    /// Finish or abort (virNetClientStreamSendPacket with OK or ERROR): the daemon confirms.
    fn close(&self, finish: bool) -> Result<()> {
        let r = self.close_inner(finish);
        self.client.remove_stream(self.serial());
        r
    }

    fn close_inner(&self, finish: bool) -> Result<()> {
        {
            let mut st = lock(&self.state);
            Self::check_state(&st)?;
            st.closing = Some(finish);
            st.confirmed = false;
        }
        let status = if finish { STATUS_OK } else { STATUS_ERROR };
        self.send_message(TYPE_STREAM, status, &[])?;
        let st = lock(&self.state);
        let mut st = self.wait_until(st, |s| s.confirmed)?;
        st.closing = None;
        if let Some(e) = &st.err {
            return Err(e.clone());
        }
        if finish && st.closed != Closed::Finished {
            return Err(Error::with(
                VIR_ERR_OPERATION_FAILED,
                VIR_FROM_RPC,
                "stream aborted by another thread",
            ));
        }
        Ok(())
    }
}

impl StreamSink for RemoteStream {
    fn incoming(&self, proc: i32, kind: u32, status: u32, body: &[u8]) {
        if proc != self.proc {
            return;
        }
        let mut st = lock(&self.state);
        match (kind, status) {
            (TYPE_STREAM, STATUS_CONTINUE) if body.is_empty() => st.eof = true,
            (TYPE_STREAM, STATUS_CONTINUE) => st.rx.push_back(Packet::Data {
                bytes: body.to_vec(),
                read: 0,
            }),
            (TYPE_STREAM_HOLE, STATUS_CONTINUE) => st.rx.push_back(Packet::Hole(body.to_vec())),
            (TYPE_STREAM, STATUS_OK) => {
                // The confirmation of a finish or an abort.
                let Some(finish) = st.closing else { return };
                st.closed = if finish {
                    Closed::Finished
                } else {
                    Closed::Aborted
                };
                st.confirmed = true;
            }
            (_, STATUS_ERROR) => st.err = Some(stream_error(body)),
            _ => return,
        }
        Self::update_timer(&st);
        self.changed.notify_all();
    }

    fn ended(&self, why: &Error) {
        let mut st = lock(&self.state);
        st.dead = Some(why.clone());
        self.changed.notify_all();
    }
}

impl StreamChannel for RemoteStream {
    fn send(&self, data: &[u8]) -> Result<i32> {
        Self::check_state(&lock(&self.state))?;
        // virNetMessageEncodePayloadRaw's limit: the message and its length word.
        let room = super::client::MESSAGE_MAX + 4 - super::client::HEADER_LEN - 4;
        if data.len() > room {
            return Err(Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                format!(
                    "Stream data too long to send ({} bytes needed, {room} bytes available)",
                    data.len()
                ),
            ));
        }
        self.send_message(TYPE_STREAM, STATUS_CONTINUE, data)?;
        Ok(data.len() as i32)
    }

    fn recv(&self, buf: &mut [u8], nonblock: bool, flags: u32) -> Result<i32> {
        crate::api::check_flags(
            "remoteStreamRecvFlags",
            flags,
            StreamRecvFlags::HOLE,
            VIR_FROM_REMOTE,
        )?;
        let mut st = lock(&self.state);
        loop {
            Self::check_state(&st)?;
            if st.rx.is_empty() && !st.eof {
                if nonblock {
                    return Ok(RECV_WOULD_BLOCK);
                }
                st =
                    self.wait_until(st, |s| !s.rx.is_empty() || s.eof || s.closed != Closed::Not)?;
                if let Some(e) = &st.err {
                    return Err(e.clone());
                }
                if st.closed != Closed::Not {
                    return Err(stream_closed());
                }
            }
            if matches!(st.rx.front(), Some(Packet::Hole(_))) && st.hole == 0 {
                self.take_hole(&mut st)?;
            }
            if st.rx.is_empty() && !st.eof && st.hole == 0 {
                if nonblock {
                    return Ok(RECV_WOULD_BLOCK);
                }
                continue;
            }
            break;
        }
        let mut done = 0;
        if st.hole > 0 {
            if flags & StreamRecvFlags::HOLE.bits() != 0 {
                return Ok(RECV_AT_HOLE);
            }
            let n = (buf.len() as i64).min(st.hole) as usize;
            buf[..n].fill(0);
            st.hole -= n as i64;
            done = n;
        }
        while done < buf.len() {
            let Some(Packet::Data { bytes, read }) = st.rx.front_mut() else {
                break;
            };
            let n = (buf.len() - done).min(bytes.len() - *read);
            buf[done..done + n].copy_from_slice(&bytes[*read..*read + n]);
            *read += n;
            done += n;
            if *read == bytes.len() {
                st.rx.pop_front();
            }
        }
        Self::update_timer(&st);
        Ok(done as i32)
    }

    fn send_hole(&self, length: i64, flags: u32) -> Result<()> {
        if !self.allow_skip {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_RPC,
                "Skipping is not supported with this stream",
            ));
        }
        Self::check_state(&lock(&self.state))?;
        let mut e = Enc::new();
        e.u64(length as u64).u32(flags);
        self.send_message(TYPE_STREAM_HOLE, STATUS_CONTINUE, &e.buf)
    }

    fn recv_hole(&self, flags: u32) -> Result<i64> {
        crate::api::check_flags(
            "remoteStreamRecvHole",
            flags,
            crate::api::NoFlags::empty(),
            VIR_FROM_REMOTE,
        )?;
        if !self.allow_skip {
            return Err(Error::with(
                VIR_ERR_OPERATION_INVALID,
                VIR_FROM_RPC,
                "Holes are not supported with this stream",
            ));
        }
        let mut st = lock(&self.state);
        Self::check_state(&st)?;
        Ok(std::mem::take(&mut st.hole))
    }

    fn finish(&self) -> Result<()> {
        self.close(true)
    }

    fn abort(&self) -> Result<()> {
        self.close(false)
    }

    fn add_callback(&self, events: i32, callback: StreamCallback) -> Result<()> {
        let mut st = lock(&self.state);
        if st.callback.is_some() {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_RPC,
                "multiple stream callbacks not supported",
            ));
        }
        let me = self.me.clone();
        let timer = crate::event::hooks::add_timeout(
            -1,
            Arc::new(move |_timer| {
                if let Some(s) = me.upgrade() {
                    s.fire();
                }
            }),
        );
        if timer < 0 {
            return Err(Error::unknown_cause());
        }
        st.callback = Some(Callback {
            events,
            call: Arc::new(callback),
            timer,
        });
        Self::update_timer(&st);
        Ok(())
    }

    fn update_callback(&self, events: i32) -> Result<()> {
        let mut st = lock(&self.state);
        let Some(cb) = st.callback.as_mut() else {
            return Err(no_callback());
        };
        cb.events = events;
        Self::update_timer(&st);
        Ok(())
    }

    fn remove_callback(&self) -> Result<()> {
        let cb = lock(&self.state).callback.take().ok_or_else(no_callback)?;
        crate::event::hooks::remove_timeout(cb.timer);
        Ok(())
    }
}

/// virNetStreamHole (virnetprotocol.x): a hyper length and unsigned flags.
fn decode_hole(body: &[u8]) -> std::result::Result<(i64, u32), oxvirt_rpc::Malformed> {
    let mut d = Dec::new(body);
    Ok((d.u64()? as i64, d.u32()?))
}

fn no_callback() -> Error {
    Error::with(
        VIR_ERR_INTERNAL_ERROR,
        VIR_FROM_RPC,
        "no stream callback registered",
    )
}

/// The call that opens a stream: the stream stays attached to the connection when it succeeds.
pub(super) fn open<A: Xdr>(
    d: &RemoteDriver,
    proc: i32,
    args: &A,
    allow_skip: bool,
) -> Result<(Arc<RemoteStream>, Vec<u8>)> {
    let stream = RemoteStream::new(&d.client, proc, allow_skip);
    let mut e = Enc::new();
    args.encode(&mut e);
    let sink: Arc<dyn StreamSink> = stream.clone();
    let ret = d.client.call_opening_stream(proc, &e.buf, sink, |serial| {
        stream.serial.store(serial, Ordering::Release)
    })?;
    Ok((stream, ret))
}

pub(super) fn channel(stream: Arc<RemoteStream>) -> StreamBody {
    StreamBody::Channel(stream)
}

pub(super) fn screenshot(
    d: &RemoteDriver,
    dom: &DomainRef,
    screen: u32,
    flags: u32,
) -> Result<Screenshot> {
    let args = protocol::DomainScreenshotArgs {
        dom: ToWire::to_wire(dom),
        screen,
        flags,
    };
    let (stream, ret) = open(d, proc::DOMAIN_SCREENSHOT, &args, false)?;
    let ret = protocol::DomainScreenshotRet::decode(&mut Dec::new(&ret))?;
    Ok(Screenshot {
        mime: ret.mime.unwrap_or_default(),
        body: channel(stream),
    })
}

pub(super) fn vol_upload(
    d: &RemoteDriver,
    vol: &StorageVolRef,
    offset: u64,
    length: u64,
    flags: u32,
) -> Result<StreamBody> {
    let args = protocol::StorageVolUploadArgs {
        vol: ToWire::to_wire(vol),
        offset,
        length,
        flags,
    };
    let sparse = flags & SPARSE_STREAM != 0;
    Ok(channel(open(d, proc::STORAGE_VOL_UPLOAD, &args, sparse)?.0))
}

pub(super) fn vol_download(
    d: &RemoteDriver,
    vol: &StorageVolRef,
    offset: u64,
    length: u64,
    flags: u32,
) -> Result<StreamBody> {
    let args = protocol::StorageVolDownloadArgs {
        vol: ToWire::to_wire(vol),
        offset,
        length,
        flags,
    };
    let sparse = flags & SPARSE_STREAM != 0;
    Ok(channel(
        open(d, proc::STORAGE_VOL_DOWNLOAD, &args, sparse)?.0,
    ))
}

pub(super) fn open_console(
    d: &RemoteDriver,
    dom: &DomainRef,
    dev_name: Option<String>,
    flags: u32,
) -> Result<StreamBody> {
    let args = protocol::DomainOpenConsoleArgs {
        dom: ToWire::to_wire(dom),
        dev_name,
        flags,
    };
    Ok(channel(open(d, proc::DOMAIN_OPEN_CONSOLE, &args, false)?.0))
}

pub(super) fn open_channel(
    d: &RemoteDriver,
    dom: &DomainRef,
    name: Option<String>,
    flags: u32,
) -> Result<StreamBody> {
    let args = protocol::DomainOpenChannelArgs {
        dom: ToWire::to_wire(dom),
        name,
        flags,
    };
    Ok(channel(open(d, proc::DOMAIN_OPEN_CHANNEL, &args, false)?.0))
}

#[cfg(test)]
mod tests {
    use super::super::client::Stream;
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    const TYPE_REPLY: u32 = 1;

    /// A message's header (type, serial, status) and body.
    fn read_msg(s: &mut UnixStream) -> (u32, u32, u32, Vec<u8>) {
        let mut len = [0u8; 4];
        s.read_exact(&mut len).unwrap();
        let mut m = vec![0u8; u32::from_be_bytes(len) as usize - 4];
        s.read_exact(&mut m).unwrap();
        let mut d = Dec::new(&m);
        let (_, _, _) = (d.u32().unwrap(), d.u32().unwrap(), d.i32().unwrap());
        let (kind, serial, status) = (d.u32().unwrap(), d.u32().unwrap(), d.u32().unwrap());
        (kind, serial, status, m[24..].to_vec())
    }

    fn write_msg(s: &mut UnixStream, kind: u32, serial: u32, status: u32, body: &[u8]) {
        let mut e = Enc::new();
        e.u32(28 + body.len() as u32)
            .u32(protocol::REMOTE_PROGRAM)
            .u32(protocol::REMOTE_PROTOCOL_VERSION)
            .i32(proc::STORAGE_VOL_DOWNLOAD)
            .u32(kind)
            .u32(serial)
            .u32(status);
        e.buf.extend_from_slice(body);
        s.write_all(&e.buf).unwrap();
    }

    /// A download opened on a daemon of our own, which runs `daemon` once the call arrived.
    fn download(
        daemon: impl FnOnce(&mut UnixStream, u32) + Send + 'static,
    ) -> (Arc<RemoteStream>, std::thread::JoinHandle<()>) {
        let (ours, mut theirs) = UnixStream::pair().unwrap();
        let client = Client::start(Stream::Unix(ours)).unwrap();
        let server = std::thread::spawn(move || {
            let (kind, serial, _, _) = read_msg(&mut theirs);
            assert_eq!(kind, 0, "a call");
            write_msg(&mut theirs, TYPE_REPLY, serial, STATUS_OK, &[]);
            daemon(&mut theirs, serial);
        });
        let s = RemoteStream::new(&client, proc::STORAGE_VOL_DOWNLOAD, true);
        let sink: Arc<dyn StreamSink> = s.clone();
        client
            .call_opening_stream(proc::STORAGE_VOL_DOWNLOAD, &[], sink, |serial| {
                s.serial.store(serial, Ordering::Release)
            })
            .unwrap();
        (s, server)
    }

    #[test]
    fn data_holes_end_and_finish_travel_as_the_daemons_messages() {
        let (s, server) = download(|d, serial| {
            write_msg(d, TYPE_STREAM, serial, STATUS_CONTINUE, b"abc");
            let mut hole = Enc::new();
            hole.u64(5).u32(0);
            write_msg(d, TYPE_STREAM_HOLE, serial, STATUS_CONTINUE, &hole.buf);
            write_msg(d, TYPE_STREAM, serial, STATUS_CONTINUE, b"de");
            write_msg(d, TYPE_STREAM, serial, STATUS_CONTINUE, &[]);
            // Finish: an OK message of the stream, confirmed by one.
            let (kind, s2, status, body) = read_msg(d);
            assert_eq!(
                (kind, s2, status, body.len()),
                (TYPE_STREAM, serial, STATUS_OK, 0)
            );
            write_msg(d, TYPE_STREAM, serial, STATUS_OK, &[]);
        });
        let mut got = Vec::new();
        let mut buf = [0u8; 4];
        loop {
            let n = s.recv(&mut buf, false, 0).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n as usize]);
        }
        assert_eq!(got, b"abc\0\0\0\0\0de");
        s.finish().unwrap();
        server.join().unwrap();
        let e = s.finish().unwrap_err();
        assert_eq!(e.message, "operation failed: stream is closed");
        assert_eq!(
            s.recv(&mut buf, false, 0).unwrap_err().code,
            VIR_ERR_OPERATION_FAILED
        );
    }

    #[test]
    fn the_daemons_error_is_kept_and_a_non_blocking_read_does_not_wait() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (s, server) = download(move |d, serial| {
            rx.recv().unwrap();
            let mut e = Enc::new();
            e.i32(38)
                .i32(VIR_FROM_RPC)
                .opt_string(Some("Cannot read: gone"))
                .i32(2)
                .bool(false)
                .opt_string(None)
                .opt_string(None)
                .opt_string(None)
                .i32(-1)
                .i32(-1)
                .bool(false);
            write_msg(d, TYPE_STREAM, serial, STATUS_ERROR, &e.buf);
        });
        let mut buf = [0u8; 4];
        assert_eq!(s.recv(&mut buf, true, 0).unwrap(), RECV_WOULD_BLOCK);
        tx.send(()).unwrap();
        let e = s.recv(&mut buf, false, 0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (38, "Cannot read: gone"));
        server.join().unwrap();
        // Every later call raises it, before anything is sent.
        assert_eq!(s.finish().unwrap_err().message, "Cannot read: gone");
        assert_eq!(s.send(b"x").unwrap_err().message, "Cannot read: gone");
        // Holes on a stream opened for them; flags no receive takes.
        assert_eq!(s.recv(&mut buf, false, 2).unwrap_err().code, 8);
    }
}
