//! A QMP client: the greeting and capabilities handshake, commands matched to replies by id, and
//! qemu's asynchronous events handed to a callback. One reader thread per monitor; when qemu goes
//! away every waiting command fails at once and the reader ends.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

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

/// One event from qemu: its name and data.
#[derive(Debug, Clone)]
pub struct QmpEvent {
    pub name: String,
    pub data: Value,
}

pub type EventHandler = Box<dyn Fn(&QmpEvent) + Send + Sync>;

type Pending = Arc<Mutex<Option<HashMap<u64, Sender<Result<Value, QmpError>>>>>>;

pub struct Monitor {
    writer: Mutex<UnixStream>,
    pending: Pending,
    next_id: AtomicU64,
    reader: Mutex<Option<JoinHandle<()>>>,
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
        });
        let pending = mon.pending.clone();
        let handle = std::thread::Builder::new()
            .name("oxvirt-qmp".into())
            .spawn(move || read_loop(reader, pending, on_event))
            .map_err(io)?;
        *mon.reader.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        mon.execute("qmp_capabilities", None, Some(timeout))?;
        Ok(mon)
    }

    /// Run one command and wait for its answer (`timeout` None: until answered or closed).
    pub fn execute(
        &self,
        command: &str,
        args: Option<Value>,
        timeout: Option<Duration>,
    ) -> Result<Value, QmpError> {
        let rx = self.send(command, args)?;
        match timeout {
            Some(t) => rx.recv_timeout(t).map_err(|e| match e {
                std::sync::mpsc::RecvTimeoutError::Timeout => QmpError::Timeout,
                std::sync::mpsc::RecvTimeoutError::Disconnected => QmpError::Closed,
            })?,
            None => rx.recv().map_err(|_| QmpError::Closed)?,
        }
    }

    fn send(
        &self,
        command: &str,
        args: Option<Value>,
    ) -> Result<Receiver<Result<Value, QmpError>>, QmpError> {
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
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if w.write_all(line.as_bytes()).is_err() {
            drop(w);
            self.fail_pending();
            return Err(QmpError::Closed);
        }
        Ok(rx)
    }

    fn fail_pending(&self) {
        close_pending(&self.pending);
    }

    /// Close our side and wait until the reader has delivered everything qemu said (all events
    /// before the end of file are handed to the callback before this returns).
    pub fn close_and_drain(&self) {
        if let Ok(w) = self.writer.lock() {
            let _ = w.shutdown(std::net::Shutdown::Write);
        }
        self.join_reader();
    }

    /// Wait for the reader to reach the end of qemu's output (qemu has exited).
    pub fn join_reader(&self) {
        let handle = self.reader.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }

    /// Stop reading: shut the socket both ways (qemu keeps running; used on driver shutdown).
    pub fn disconnect(&self) {
        if let Ok(w) = self.writer.lock() {
            let _ = w.shutdown(std::net::Shutdown::Both);
        }
        self.join_reader();
    }
}

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
        let Some(v) = parse_line(&line) else { continue };
        if let Some(name) = v.get("event").and_then(Value::as_str) {
            let ev = QmpEvent {
                name: name.to_string(),
                data: v.get("data").cloned().unwrap_or(Value::Null),
            };
            on_event(&ev);
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
    #[test]
    fn parses_only_objects() {
        assert!(super::parse_line("{\"return\": {}, \"id\": 1}").is_some());
        assert!(super::parse_line("[1]").is_none());
        assert!(super::parse_line("garbage").is_none());
    }
}
