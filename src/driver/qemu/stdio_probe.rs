//! A qemu that runs nothing (`-machine none`), asked questions over QMP on its stdio: how the
//! driver learns an emulator's machines, CPU models and host model. Its stdio is one end of a
//! socket pair, not pipes, so that writing to a qemu that has gone (or to a program that is not
//! qemu) gives EPIPE instead of killing the caller's process with SIGPIPE; and nothing is
//! written before qemu has greeted. Every answer comes within the probe's deadline; the process
//! is killed and reaped when the probe is dropped.

use crate::process::fdpass;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(super) struct StdioQmp {
    child: Child,
    socket: BufReader<UnixStream>,
    deadline: Instant,
}

impl StdioQmp {
    /// `emulator` with `-machine <machine>` and `extra` arguments, its QMP on stdio, greeted
    /// and past `qmp_capabilities`; None when it does not start, or does not greet as qemu
    /// within `timeout`.
    pub fn start(
        emulator: &str,
        machine: &str,
        extra: &[&str],
        timeout: Duration,
    ) -> Option<StdioQmp> {
        let (ours, theirs) = UnixStream::pair().ok()?;
        let stdout = theirs.try_clone().ok()?;
        let child = Command::new(emulator)
            .args(["-machine", machine, "-nodefaults", "-nographic"])
            .args(extra)
            .args(["-S", "-qmp", "stdio"])
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::from(OwnedFd::from(stdout)))
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut q = StdioQmp {
            child,
            socket: BufReader::new(ours),
            deadline: Instant::now() + timeout,
        };
        q.greeted()?;
        q.ask(&serde_json::json!({"execute": "qmp_capabilities"}))?;
        Some(q)
    }

    /// The next line qemu wrote, parsed; None at the deadline, the end, or a broken line.
    fn next(&mut self) -> Option<Value> {
        let mut line = String::new();
        loop {
            let left = self.deadline.checked_duration_since(Instant::now())?;
            self.socket
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .ok()?;
            line.clear();
            if self.socket.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                return Some(v);
            }
        }
    }

    /// Whether the program greeted as qemu does.
    fn greeted(&mut self) -> Option<()> {
        loop {
            if self.next()?.get("QMP").is_some() {
                return Some(());
            }
        }
    }

    /// The command's `return` value; None on an error answer, qemu gone or the deadline.
    pub fn ask(&mut self, command: &Value) -> Option<Value> {
        let line = format!("{command}\n");
        fdpass::send_all(self.socket.get_ref().as_fd(), line.as_bytes()).ok()?;
        loop {
            let v = self.next()?;
            if v.get("error").is_some() {
                return None;
            }
            if let Some(r) = v.get("return") {
                return Some(r.clone());
            }
        }
    }
}

impl Drop for StdioQmp {
    fn drop(&mut self) {
        // Nothing of it is kept: no need to ask it to quit first.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
