//! A QMP client: the greeting and capabilities handshake, commands matched to replies by id, and
//! qemu's asynchronous events handed to a callback. One reader thread per monitor; when qemu goes
//! away every waiting command fails at once and the reader ends. Every wait has a deadline: a
//! command's answer, and the reader's end once qemu has exited.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a command can come back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QmpError {
    /// qemu answered with an error object.
    Command {
        class: String,
        desc: String,
    },
    /// The monitor closed (qemu exited or was killed) before the answer.
    Closed,
    /// No answer in time.
    Timeout,
    Io(String),
}

/// One event from qemu: its name, data and timestamp.
#[derive(Debug, Clone)]
pub struct QmpEvent {
    pub name: String,
    pub data: Value,
    /// Whether qemu sent a `data` member (`data` is null without one).
    pub has_data: bool,
    /// qemu's timestamp (seconds, microseconds); (-1, 0) without one, as the reference.
    pub timestamp: (i64, u32),
}

impl QmpEvent {
    fn from_message(name: &str, msg: &Value) -> QmpEvent {
        let stamp = msg.get("timestamp");
        let part = |key| stamp.and_then(|t| t.get(key)).and_then(Value::as_i64);
        QmpEvent {
            name: name.to_string(),
            data: msg.get("data").cloned().unwrap_or(Value::Null),
            has_data: msg.get("data").is_some(),
            timestamp: match (part("seconds"), part("microseconds")) {
                (Some(s), Some(us)) => (s, us as u32),
                _ => (-1, 0),
            },
        }
    }
}

/// A command sent whose answer is still to be collected (see [`Monitor::ask`]).
pub struct Asked {
    id: u64,
    rx: Receiver<Result<Value, QmpError>>,
}

pub type EventHandler = Box<dyn Fn(&QmpEvent) + Send + Sync>;

type Pending = Arc<Mutex<Option<HashMap<u64, Sender<Result<Value, QmpError>>>>>>;

/// Set by the reader thread as it ends, so that its end can be awaited with a deadline.
#[derive(Default)]
struct ReaderDone {
    done: Mutex<bool>,
    cv: Condvar,
}

impl ReaderDone {
    fn set(&self) {
        *self.done.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    /// True once the reader has ended, false if `timeout` passed first.
    fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        while !*done {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            done = self
                .cv
                .wait_timeout(done, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        true
    }
}

pub struct Monitor {
    writer: Mutex<UnixStream>,
    pending: Pending,
    next_id: AtomicU64,
    reader: Mutex<Option<JoinHandle<()>>>,
    reader_done: Arc<ReaderDone>,
}

/// Parse one line from qemu. Public for the fuzz target.
pub fn parse_line(line: &str) -> Option<Value> {
    serde_json::from_str::<Value>(line)
        .ok()
        .filter(Value::is_object)
}

impl Monitor {
    /// Talk QMP on a connected stream: read the greeting, negotiate capabilities, and start the
    /// reader that routes replies and events. `timeout` bounds the handshake.
    pub fn handshake(
        stream: UnixStream,
        timeout: Duration,
        on_event: EventHandler,
    ) -> Result<Arc<Monitor>, QmpError> {
        let io = |e: std::io::Error| QmpError::Io(e.to_string());
        stream.set_read_timeout(Some(timeout)).map_err(io)?;
        let mut reader = BufReader::new(stream.try_clone().map_err(io)?);
        let mut greeting = String::new();
        match reader.read_line(&mut greeting) {
            Ok(0) => return Err(QmpError::Closed),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(QmpError::Timeout)
            }
            Err(e) => return Err(io(e)),
        }
        if parse_line(&greeting)
            .and_then(|v| v.get("QMP").cloned())
            .is_none()
        {
            return Err(QmpError::Io(format!(
                "unexpected monitor greeting: {}",
                greeting.trim()
            )));
        }
        stream.set_read_timeout(None).map_err(io)?;
        let mon = Arc::new(Monitor {
            writer: Mutex::new(stream),
            pending: Arc::new(Mutex::new(Some(HashMap::new()))),
            next_id: AtomicU64::new(1),
            reader: Mutex::new(None),
            reader_done: Arc::new(ReaderDone::default()),
        });
        let pending = mon.pending.clone();
        let done = mon.reader_done.clone();
        let handle = std::thread::Builder::new()
            .name("oxvirt-qmp".into())
            .spawn(move || {
                read_loop(reader, pending, on_event);
                done.set();
            })
            .map_err(io)?;
        *mon.reader.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        mon.execute("qmp_capabilities", None, timeout)?;
        Ok(mon)
    }

    /// Run one command and wait up to `timeout` for its answer. A late answer is dropped.
    pub fn execute(
        &self,
        command: &str,
        args: Option<Value>,
        timeout: Duration,
    ) -> Result<Value, QmpError> {
        let sent = self.ask(command, args)?;
        self.answer(sent, timeout)
    }

    /// Send one command without waiting for its answer, so that several commands (to one qemu
    /// or to many) are answered in the time of one; [`Monitor::answer`] collects it.
    pub fn ask(&self, command: &str, args: Option<Value>) -> Result<Asked, QmpError> {
        let (id, rx) = self.send(command, args, &[])?;
        Ok(Asked { id, rx })
    }

    /// Run one command with file descriptors attached to it (SCM_RIGHTS on the monitor's unix
    /// socket), as `getfd` and `add-fd` take them; qemu keeps one descriptor a command.
    pub fn execute_with_fds(
        &self,
        command: &str,
        args: Option<Value>,
        fds: &[BorrowedFd<'_>],
        timeout: Duration,
    ) -> Result<Value, QmpError> {
        let (id, rx) = self.send(command, args, fds)?;
        self.answer(Asked { id, rx }, timeout)
    }

    /// Wait up to `timeout` for the answer to a command [`Monitor::ask`] sent. A late answer is
    /// dropped.
    pub fn answer(&self, asked: Asked, timeout: Duration) -> Result<Value, QmpError> {
        match asked.rx.recv_timeout(timeout) {
            Ok(answer) => answer,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                self.forget(asked.id);
                Err(QmpError::Timeout)
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(QmpError::Closed),
        }
    }

    /// A command nobody waits for any more: its answer, should it come, is dropped.
    fn forget(&self, id: u64) {
        if let Some(map) = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            map.remove(&id);
        }
    }

    fn send(
        &self,
        command: &str,
        args: Option<Value>,
        fds: &[BorrowedFd<'_>],
    ) -> Result<(u64, Receiver<Result<Value, QmpError>>), QmpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = channel();
        {
            let mut p = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            match p.as_mut() {
                Some(map) => map.insert(id, tx),
                None => return Err(QmpError::Closed),
            };
        }
        let mut msg = json!({ "execute": command, "id": id });
        if let Some(a) = args {
            msg["arguments"] = a;
        }
        let mut line = msg.to_string();
        line.push('\n');
        crate::vir_debug!(
            "qemu.qemu_monitor",
            "qemuMonitorSend",
            line!(),
            "Send command '{}'",
            shown(&msg)
        );
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if write_line(&mut w, line.as_bytes(), fds).is_err() {
            drop(w);
            self.fail_pending();
            return Err(QmpError::Closed);
        }
        Ok((id, rx))
    }

    fn fail_pending(&self) {
        close_pending(&self.pending);
    }

    /// qemu has exited: close the socket both ways and wait up to `timeout` for the reader to
    /// hand over everything qemu said before it died (the kernel keeps what qemu wrote readable
    /// after a shutdown, so every event before the end is delivered). Our own shutdown, not the
    /// peer's end of file, ends the reader: another holder of qemu's end of the socket cannot
    /// keep it reading. False if the reader was still busy at the deadline (it is left to finish
    /// on its own).
    pub fn close_after_exit(&self, timeout: Duration) -> bool {
        self.shutdown_socket();
        self.join_reader(timeout)
    }

    /// Stop reading: shut the socket both ways (qemu keeps running; used on driver shutdown).
    pub fn disconnect(&self, timeout: Duration) -> bool {
        self.shutdown_socket();
        self.join_reader(timeout)
    }

    fn shutdown_socket(&self) {
        let w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let _ = w.shutdown(std::net::Shutdown::Both);
    }

    /// Wait up to `timeout` for the reader to end, then join it (at once, as it has ended).
    fn join_reader(&self, timeout: Duration) -> bool {
        let handle = self.reader.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(h) = handle else { return true };
        if h.thread().id() == std::thread::current().id() {
            return true; // the reader's own callback: it ends once this returns
        }
        if !self.reader_done.wait(timeout) {
            return false; // detached: it ends by itself, the socket being shut
        }
        let _ = h.join();
        true
    }
}

/// One command line on the monitor's socket; descriptors go with its first bytes.
/// Without SIGPIPE: a qemu that exits while we write gives EPIPE.
fn write_line(w: &mut UnixStream, line: &[u8], fds: &[BorrowedFd<'_>]) -> std::io::Result<()> {
    use crate::process::fdpass;
    let sent = fdpass::send_with_fds(w.as_fd(), line, fds)?;
    fdpass::send_all(w.as_fd(), &line[sent..])
}

/// A command as the debug log shows it: a password argument (`set_password`) is hidden, since
/// the log is no place for secrets (the reference logs it; we deliberately do not).
fn shown(msg: &Value) -> String {
    match msg.get("arguments").and_then(|a| a.get("password")) {
        Some(_) => {
            let mut m = msg.clone();
            m["arguments"]["password"] = Value::String(HIDDEN.into());
            m.to_string()
        }
        None => msg.to_string(),
    }
}

/// What a hidden secret shows as in the log.
const HIDDEN: &str = "<hidden>";

fn close_pending(pending: &Pending) {
    let waiters = pending.lock().unwrap_or_else(|p| p.into_inner()).take();
    for (_, tx) in waiters.into_iter().flatten() {
        let _ = tx.send(Err(QmpError::Closed));
    }
}

fn read_loop(mut reader: BufReader<UnixStream>, pending: Pending, on_event: EventHandler) {
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        crate::vir_debug!(
            "qemu.qemu_monitor",
            "qemuMonitorIOProcess",
            line!(),
            "Line [{}]",
            line.trim_end()
        );
        let Some(v) = parse_line(&line) else { continue };
        if let Some(name) = v.get("event").and_then(Value::as_str) {
            on_event(&QmpEvent::from_message(name, &v));
            continue;
        }
        let Some(id) = v.get("id").and_then(Value::as_u64) else {
            continue;
        };
        let tx = pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
            .and_then(|m| m.remove(&id));
        let Some(tx) = tx else { continue };
        let answer = match (v.get("return"), v.get("error")) {
            (Some(r), _) => Ok(r.clone()),
            (None, Some(e)) => Err(QmpError::Command {
                class: e
                    .get("class")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                desc: e
                    .get("desc")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            }),
            (None, None) => Ok(Value::Null),
        };
        let _ = tx.send(answer);
    }
    close_pending(&pending);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn passwords_never_reach_the_log() {
        let m = json!({ "execute": "set_password", "arguments": { "protocol": "vnc", "password": "s3cr3t", "connected": "keep" }, "id": 4 });
        let text = shown(&m);
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("\"password\":\"<hidden>\""), "{text}");
        let cont = json!({ "execute": "cont", "id": 5 });
        assert_eq!(shown(&cont), cont.to_string());
    }

    /// A fake qemu on one end of a socket pair: greets, answers the capabilities negotiation,
    /// then runs `after` on its stream.
    fn fake_qemu(
        after: impl FnOnce(UnixStream) + Send + 'static,
    ) -> (UnixStream, std::thread::JoinHandle<()>) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let t = std::thread::spawn(move || {
            let mut w = theirs.try_clone().unwrap();
            w.write_all(b"{\"QMP\": {}}\n").unwrap();
            let mut r = BufReader::new(theirs.try_clone().unwrap());
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let id = parse_line(&line).unwrap()["id"].clone();
            w.write_all(format!("{{\"return\": {{}}, \"id\": {id}}}\n").as_bytes())
                .unwrap();
            after(theirs);
        });
        (ours, t)
    }

    #[test]
    fn a_command_qemu_never_answers_times_out() {
        let (ours, t) = fake_qemu(|theirs| {
            // Reads the command and never answers; keeps the socket open a while.
            std::thread::sleep(Duration::from_millis(800));
            drop(theirs);
        });
        let mon = Monitor::handshake(ours, Duration::from_secs(5), Box::new(|_| {})).unwrap();
        let t0 = Instant::now();
        let r = mon.execute("stop", None, Duration::from_millis(200));
        assert_eq!(r, Err(QmpError::Timeout));
        assert!(t0.elapsed() >= Duration::from_millis(200));
        assert!(mon.pending.lock().unwrap().as_ref().unwrap().is_empty());
        t.join().unwrap();
        assert!(mon.close_after_exit(Duration::from_secs(5)));
    }

    #[test]
    fn commands_asked_together_are_answered_together() {
        let (ours, t) = fake_qemu(|theirs| {
            // Answers only once both commands are in, the second first.
            let mut r = BufReader::new(theirs.try_clone().unwrap());
            let mut w = theirs;
            let ids: Vec<Value> = (0..2)
                .map(|_| {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    parse_line(&line).unwrap()["id"].clone()
                })
                .collect();
            for (n, id) in ids.iter().enumerate().rev() {
                w.write_all(format!("{{\"return\": {n}, \"id\": {id}}}\n").as_bytes())
                    .unwrap();
            }
        });
        let mon = Monitor::handshake(ours, Duration::from_secs(5), Box::new(|_| {})).unwrap();
        let first = mon.ask("query-balloon", None).unwrap();
        let second = mon.ask("query-cpus-fast", None).unwrap();
        assert_eq!(mon.answer(first, Duration::from_secs(5)), Ok(json!(0)));
        assert_eq!(mon.answer(second, Duration::from_secs(5)), Ok(json!(1)));
        t.join().unwrap();
        assert!(mon.close_after_exit(Duration::from_secs(5)));
    }

    #[test]
    fn reader_ends_even_if_someone_else_holds_qemus_end_and_events_are_kept() {
        let (held_tx, held_rx) = channel();
        let (ours, t) = fake_qemu(move |theirs| {
            // qemu's last words, then qemu "dies" while another process keeps a duplicate of its
            // end of the socket: no end of file ever reaches us.
            let mut w = theirs.try_clone().unwrap();
            w.write_all(b"{\"event\": \"SHUTDOWN\", \"data\": {}}\n")
                .unwrap();
            held_tx.send(theirs).unwrap();
        });
        let (ev_tx, ev_rx) = channel();
        let ev_tx = Mutex::new(ev_tx);
        let mon = Monitor::handshake(
            ours,
            Duration::from_secs(5),
            Box::new(move |e| {
                let _ = ev_tx.lock().unwrap().send(e.name.clone());
            }),
        )
        .unwrap();
        t.join().unwrap();
        let held = held_rx.recv().unwrap();
        assert!(mon.close_after_exit(Duration::from_secs(10)));
        assert_eq!(ev_rx.try_recv().as_deref(), Ok("SHUTDOWN"));
        drop(held);
    }

    #[test]
    fn parses_only_objects() {
        assert!(super::parse_line("{\"return\": {}, \"id\": 1}").is_some());
        assert!(super::parse_line("[1]").is_none());
        assert!(super::parse_line("garbage").is_none());
    }
}
