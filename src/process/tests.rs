//! Tests of the process layer. They spawn real (short-lived) processes and always kill and
//! reap them, even on failure (see `Guard`). They are serialised among themselves so that
//! the fd-leak checks are not disturbed by the other tests of this module.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::*;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const LONG: Duration = Duration::from_secs(20);

/// Kills and reaps the child when dropped, so no test leaves a process or a zombie.
struct Guard(Child);

impl std::ops::Deref for Guard {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.pidfd.send_signal(libc::SIGKILL);
        let _ = self.0.pidfd.wait_exit(Some(LONG));
        let _ = self.0.try_reap();
    }
}

fn spawn(cmd: &Command) -> Guard {
    Guard(cmd.spawn().expect("spawn"))
}

fn sleep100() -> Guard {
    spawn(Command::new("/bin/sleep").arg("100"))
}

fn sh(script: &str) -> Command {
    let mut c = Command::new("/bin/sh");
    c.arg("-c").arg(script);
    c
}

fn short() -> KillTimeouts {
    KillTimeouts {
        graceful: Duration::from_millis(200),
        grace_before_sigkill: Duration::from_millis(200),
        after_sigkill: LONG,
        per_hostdev: Duration::ZERO,
    }
}

fn force() -> KillFlags {
    KillFlags {
        force: true,
        nowait: false,
    }
}

/// Polls until `pid` is in scheduler state `want` (test helper only).
fn wait_state(pid: i32, want: char) -> bool {
    for _ in 0..2000 {
        if proc_stat::state(pid).ok() == Some(want) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

fn tmp_path(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "oxvirt-process-test-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        name
    ))
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds: [libc::c_int; 2] = [-1; 2];
    // SAFETY: fds is a writable array of two ints.
    let ret = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(ret, 0);
    // SAFETY: both descriptors were just created and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn read_all(fd: OwnedFd) -> String {
    let mut s = String::new();
    fs::File::from(fd).read_to_string(&mut s).unwrap();
    s
}

fn reaped(c: &Child) -> ExitStatus {
    c.reap().unwrap().expect("our child")
}

fn killed_by(sig: i32) -> ExitStatus {
    ExitStatus::Signaled {
        signal: sig,
        core_dumped: false,
    }
}

/// Our own zombie children that never managed to exec (same comm as this test binary).
fn own_unexeced_zombies() -> Vec<i32> {
    let me = i32::try_from(std::process::id()).unwrap();
    let my_comm = fs::read_to_string(format!("/proc/{me}/comm")).unwrap_or_default();
    let mut out = Vec::new();
    for task in fs::read_dir("/proc/self/task").unwrap().flatten() {
        let children = fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for pid in children
            .split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
        {
            let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if proc_stat::state(pid).ok() == Some('Z') && comm == my_comm {
                out.push(pid);
            }
        }
    }
    out
}

/// Our open fds and what they point to.
fn open_fds() -> BTreeMap<i32, String> {
    let mut m = BTreeMap::new();
    for e in fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if let Ok(fd) = e.file_name().to_string_lossy().parse::<i32>() {
            if let Ok(target) = fs::read_link(e.path()) {
                m.insert(fd, target.to_string_lossy().into_owned());
            }
        }
    }
    m
}

fn signal_pending(pid: i32) -> bool {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().any(|l| {
        (l.starts_with("SigPnd:") || l.starts_with("ShdPnd:"))
            && l.split_whitespace()
                .nth(1)
                .is_some_and(|v| !v.trim_start_matches('0').is_empty())
    })
}

// ---------------------------------------------------------------- pidfd basics

#[test]
fn pidfd_basics() {
    let _s = serial();
    assert_eq!(
        Pidfd::open(0).unwrap_err().raw_os_error(),
        Some(libc::EINVAL)
    );
    assert_eq!(
        Pidfd::open(-5).unwrap_err().raw_os_error(),
        Some(libc::EINVAL)
    );
    let me = i32::try_from(std::process::id()).unwrap();
    let p = Pidfd::open(me).unwrap();
    assert_eq!(p.pid(), me);
    assert!(!p.has_exited().unwrap());
    // Not our child: ECHILD is not an error.
    assert_eq!(p.try_reap().unwrap(), None);

    let c = sleep100();
    assert!(c.pid > 0);
    assert_eq!(c.pidfd.pid(), c.pid);
    assert_eq!(start_time(c.pid).unwrap(), c.start_time);
    assert!(!c.wait_exit(Some(Duration::from_millis(20))).unwrap());
    assert_eq!(c.try_reap().unwrap(), None);
    c.pidfd.send_signal(0).unwrap();
    let dup = c.pidfd.try_clone().unwrap();
    dup.send_signal(libc::SIGKILL).unwrap();
    assert!(c.wait_exit(Some(LONG)).unwrap());
    assert!(dup.has_exited().unwrap());
    assert_eq!(reaped(&c), killed_by(libc::SIGKILL));
    // Gone for good now.
    assert_eq!(
        c.pidfd.send_signal(0).unwrap_err().raw_os_error(),
        Some(libc::ESRCH)
    );
    assert_eq!(c.try_reap().unwrap(), None);
}

// ---------------------------------------------------------------- kill engine

#[test]
fn kill_without_force() {
    let _s = serial();
    let c = sleep100();
    kill(&c.pidfd, KillFlags::default(), &KillTimeouts::default(), 0).unwrap();
    assert!(c.pidfd.has_exited().unwrap());
    assert_eq!(reaped(&c), killed_by(libc::SIGTERM));
}

#[test]
fn kill_with_force() {
    let _s = serial();
    let c = sleep100();
    kill(&c.pidfd, force(), &KillTimeouts::default(), 3).unwrap();
    assert_eq!(reaped(&c), killed_by(libc::SIGTERM));
}

#[test]
fn kill_stopped_process_times_out_then_force_kills() {
    let _s = serial();
    let c = sleep100();
    c.pidfd.send_signal(libc::SIGSTOP).unwrap();
    assert!(wait_state(c.pid, 'T'));

    let err = kill(&c.pidfd, KillFlags::default(), &short(), 0).unwrap_err();
    assert_eq!(
        err,
        KillError::Timeout {
            pid: c.pid,
            signal: Signal::Term
        }
    );
    assert_eq!(err.errno(), libc::EBUSY);
    assert_eq!(
        err.message(),
        format!(
            "Failed to terminate process {} with SIGTERM: Device or resource busy",
            c.pid
        )
    );
    // Still there, still stopped.
    c.pidfd.send_signal(0).unwrap();
    assert_eq!(proc_stat::state(c.pid).unwrap(), 'T');
    assert!(!c.pidfd.has_exited().unwrap());

    // Per-hostdev extra time also ends in a timeout.
    let t = KillTimeouts {
        graceful: Duration::ZERO,
        per_hostdev: Duration::from_millis(50),
        ..short()
    };
    assert!(matches!(
        kill(&c.pidfd, KillFlags::default(), &t, 2),
        Err(KillError::Timeout {
            signal: Signal::Term,
            ..
        })
    ));

    // SIGKILL works on a stopped process.
    kill(&c.pidfd, force(), &short(), 1).unwrap();
    assert_eq!(reaped(&c), killed_by(libc::SIGKILL));
}

#[test]
fn kill_nowait() {
    let _s = serial();
    let nowait = KillFlags {
        force: false,
        nowait: true,
    };
    // On a stopped process, SIGTERM stays pending: returns at once, process still there.
    let c = sleep100();
    c.pidfd.send_signal(libc::SIGSTOP).unwrap();
    assert!(wait_state(c.pid, 'T'));
    kill(&c.pidfd, nowait, &KillTimeouts::default(), 0).unwrap();
    assert!(!c.pidfd.has_exited().unwrap());
    assert!(signal_pending(c.pid));
    c.pidfd.send_signal(libc::SIGCONT).unwrap();
    assert!(c.wait_exit(Some(LONG)).unwrap());
    assert_eq!(reaped(&c), killed_by(libc::SIGTERM));

    let c = sleep100();
    let nowait_force = KillFlags {
        force: true,
        nowait: true,
    };
    kill(&c.pidfd, nowait_force, &KillTimeouts::default(), 0).unwrap();
    assert!(c.wait_exit(Some(LONG)).unwrap());
    assert_eq!(reaped(&c), killed_by(libc::SIGKILL));
    // Already gone (reaped): ESRCH counts as success in every mode.
    kill(&c.pidfd, nowait_force, &KillTimeouts::default(), 0).unwrap();
    kill(&c.pidfd, nowait, &KillTimeouts::default(), 0).unwrap();
    kill(&c.pidfd, force(), &short(), 0).unwrap();
    kill(&c.pidfd, KillFlags::default(), &short(), 0).unwrap();
}

#[test]
fn zombie_counts_as_exited() {
    let _s = serial();
    let c = spawn(&Command::new("/bin/true"));
    assert!(c.wait_exit(Some(LONG)).unwrap());
    assert_eq!(proc_stat::state(c.pid).unwrap(), 'Z');
    assert!(c.pidfd.has_exited().unwrap());
    kill(&c.pidfd, KillFlags::default(), &short(), 0).unwrap();
    kill(&c.pidfd, force(), &short(), 0).unwrap();
    // Reading the zombie's start time still works and matches.
    assert_eq!(start_time(c.pid).unwrap(), c.start_time);
    // open_verified refuses an exited process.
    let e = Pidfd::open_verified(c.pid, c.start_time).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ESRCH));
    assert_eq!(c.try_reap().unwrap(), Some(ExitStatus::Exited(0)));
    assert!(Pidfd::open_verified(c.pid, c.start_time).is_err());
}

#[test]
fn kill_error_messages() {
    let t = KillError::Timeout {
        pid: 42,
        signal: Signal::Term,
    };
    assert_eq!(
        t.message(),
        "Failed to terminate process 42 with SIGTERM: Device or resource busy"
    );
    assert_eq!(t.errno(), libc::EBUSY);
    let k = KillError::Timeout {
        pid: 7,
        signal: Signal::Kill,
    };
    assert_eq!(
        k.to_string(),
        "Failed to terminate process 7 with SIGKILL: Device or resource busy"
    );
    let s = KillError::Signal {
        pid: 42,
        signal: Signal::Kill,
        errno: libc::EPERM,
    };
    assert_eq!(
        s.message(),
        "Failed to terminate process 42 with SIGKILL: Operation not permitted"
    );
    assert_eq!(s.errno(), libc::EPERM);
    assert_eq!(Signal::Term.name(), "SIGTERM");
    assert_eq!(Signal::Kill.name(), "SIGKILL");
    let d = KillTimeouts::default();
    assert_eq!(d.graceful, Duration::from_secs(15));
    assert_eq!(d.grace_before_sigkill, Duration::from_secs(10));
    assert_eq!(d.after_sigkill, Duration::from_secs(30));
    assert_eq!(d.per_hostdev, Duration::from_secs(2));
    assert_eq!(strerror(libc::ENOENT), "No such file or directory");
    assert_eq!(strerror(9999), "Unknown error 9999");
}

// ---------------------------------------------------------------- open_verified

#[test]
fn open_verified_checks_start_time() {
    let _s = serial();
    let c = sleep100();
    let p = Pidfd::open_verified(c.pid, c.start_time).unwrap();
    assert_eq!(p.pid(), c.pid);

    let wrong = c.start_time + 1;
    let e = Pidfd::open_verified(c.pid, wrong).unwrap_err();
    assert!(is_pid_reused(&e), "{e}");
    let d = pid_reused_details(&e).unwrap();
    assert_eq!(d.pid, c.pid);
    assert_eq!(d.expected_start_time, wrong);
    assert_eq!(d.actual_start_time, c.start_time);
    // Nothing was sent: still alive, still sleeping, no pending signal.
    c.pidfd.send_signal(0).unwrap();
    assert!(!c.pidfd.has_exited().unwrap());
    assert!(!signal_pending(c.pid));
    assert!(matches!(proc_stat::state(c.pid).unwrap(), 'S' | 'R'));

    let io_err = io::Error::from_raw_os_error(libc::ESRCH);
    assert!(!is_pid_reused(&io_err));
}

// ---------------------------------------------------------------- spawn

#[test]
fn exec_errors_are_reported_and_reaped() {
    let _s = serial();
    let e = Command::new("/nonexistent/oxvirt-no-such-binary")
        .spawn()
        .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    let e = Command::new("oxvirt-no-such-binary-in-path")
        .spawn()
        .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    // Not executable: the exec itself fails in the child.
    let e = Command::new("/etc/passwd").spawn().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EACCES));
    let e = Command::new("/bin/true")
        .current_dir("/nonexistent-oxvirt-dir")
        .spawn()
        .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    let e = Command::new("/bin/true").arg("a\0b").spawn().unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    assert!(own_unexeced_zombies().is_empty());
}

#[test]
fn passes_fds_at_chosen_numbers() {
    let _s = serial();
    let (r3, w3) = pipe();
    let (r4, w4) = pipe();
    let mut cmd = sh("echo hi >&3; echo four >&4");
    // Deliberately pass them in an order where a naive dup2 sequence would clobber.
    cmd.pass_fd(w4, 4).pass_fd(w3, 3);
    let c = spawn(&cmd);
    drop(cmd);
    assert_eq!(read_all(r3), "hi\n");
    assert_eq!(read_all(r4), "four\n");
    assert_eq!(reaped(&c), ExitStatus::Exited(0));

    // Bad targets are refused before anything is spawned.
    let (_r, w) = pipe();
    let e = Command::new("/bin/true").pass_fd(w, 1).spawn().unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    let (_r1, w1) = pipe();
    let (_r2, w2) = pipe();
    let e = Command::new("/bin/true")
        .pass_fd(w1, 5)
        .pass_fd(w2, 5)
        .spawn()
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn no_fd_leaks() {
    let _s = serial();
    // A descriptor without close-on-exec must still not reach the child.
    let probe = fs::File::open("/dev/null").unwrap();
    // SAFETY: F_DUPFD on a valid fd only creates a new descriptor (no close-on-exec).
    let raw = unsafe { libc::fcntl(probe.as_raw_fd(), libc::F_DUPFD, 200) };
    assert!(raw >= 200);
    // SAFETY: fcntl just created this descriptor; we own it.
    let leaky = unsafe { OwnedFd::from_raw_fd(raw) };
    let script = format!("test -e /proc/self/fd/{raw}");
    let c = spawn(&sh(&script));
    assert_eq!(reaped(&c), ExitStatus::Exited(1), "fd {raw} leaked");
    // Positive control: passed explicitly, it is there.
    let c = spawn(sh(&script).pass_fd(leaky.try_clone().unwrap(), raw));
    assert_eq!(reaped(&c), ExitStatus::Exited(0));
    // The child has exactly stdin, stdout, stderr (plus what `ls` opens itself).
    let log = tmp_path("fds.log");
    let c = spawn(Command::new("/bin/ls").arg("/proc/self/fd").log_file(&log));
    assert_eq!(reaped(&c), ExitStatus::Exited(0));
    let listed = fs::read_to_string(&log).unwrap();
    let _ = fs::remove_file(&log);
    let fds: Vec<i32> = listed
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    assert!(fds.len() <= 4 && fds.starts_with(&[0, 1, 2]), "{fds:?}");
    drop(leaky);
    drop(probe);

    // Parent side: spawning, failing to spawn, killing and watching leave no descriptor.
    let ours = |m: &BTreeMap<i32, String>, before: &BTreeMap<i32, String>| -> Vec<String> {
        m.iter()
            .filter(|(fd, t)| before.get(fd) != Some(t))
            .map(|(fd, t)| format!("{fd} -> {t}"))
            .filter(|s| {
                s.contains("pidfd")
                    || s.contains("/dev/null")
                    || s.contains("pipe:")
                    || s.contains("oxvirt-process-test")
                    || s.contains("eventpoll")
                    || s.contains("eventfd")
            })
            .collect()
    };
    let before = open_fds();
    let before_count = before.len();
    {
        let watcher = Watcher::new().unwrap();
        let log = tmp_path("leak.log");
        for _ in 0..5 {
            let (r, w) = pipe();
            let c = spawn(sh("echo x >&3").pass_fd(w, 3).log_file(&log));
            let h = watcher.register(&c.pidfd, Box::new(|_| {})).unwrap();
            assert_eq!(read_all(r), "x\n");
            assert!(h.wait(Some(LONG)).is_some());
            let c = sleep100();
            kill(&c.pidfd, force(), &short(), 0).unwrap();
            let _ = Command::new("/nonexistent/oxvirt").spawn().unwrap_err();
        }
        let _ = fs::remove_file(&log);
    }
    let mut leaked = ours(&open_fds(), &before);
    for _ in 0..20 {
        if leaked.is_empty() {
            break;
        }
        // Another test module may hold transient descriptors of these kinds.
        std::thread::sleep(Duration::from_millis(50));
        leaked = ours(&open_fds(), &before);
    }
    assert!(leaked.is_empty(), "leaked: {leaked:?}");
    // With this module's tests serialised, the count is normally identical.
    let after_count = open_fds().len();
    assert!(
        after_count <= before_count + 2,
        "{before_count} -> {after_count}"
    );
}

#[test]
fn log_env_cwd_stdin() {
    let _s = serial();
    let log = tmp_path("out.log");
    fs::write(&log, "pre\n").unwrap();
    let c = spawn(
        sh("cat; echo \"out $OXVIRT_A ${HOME-unset}\"; echo err >&2; pwd")
            .env("OXVIRT_A", "foo bar")
            .env_remove("HOME")
            .current_dir("/")
            .log_file(&log),
    );
    assert_eq!(reaped(&c), ExitStatus::Exited(0));
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "pre\nout foo bar unset\nerr\n/\n"
    );

    // Clean environment, program looked up in PATH (ours, since the child has none).
    fs::write(&log, "").unwrap();
    let c = spawn(Command::new("env").env_clear().env("A", "1").log_file(&log));
    assert_eq!(reaped(&c), ExitStatus::Exited(0));
    assert_eq!(fs::read_to_string(&log).unwrap(), "A=1\n");

    // Log given as an open descriptor; new session.
    let f = fs::OpenOptions::new().append(true).open(&log).unwrap();
    let c = spawn(
        sh("ps_sid=$(cut -d' ' -f6 /proc/$$/stat); [ \"$ps_sid\" = $$ ] && echo leader")
            .log_fd(OwnedFd::from(f))
            .new_session(true),
    );
    assert_eq!(reaped(&c), ExitStatus::Exited(0));
    assert_eq!(fs::read_to_string(&log).unwrap(), "A=1\nleader\n");

    // Signal dispositions are reset: signals ignored in the parent (SIGPIPE by Rust's
    // runtime, others by the test harness) are not ignored in the child.
    let c = spawn(&sh("grep -q '^SigIgn:[[:space:]]*0*$' /proc/$$/status"));
    assert_eq!(reaped(&c), ExitStatus::Exited(0));
    let _ = fs::remove_file(&log);
}

// ---------------------------------------------------------------- watcher

#[test]
fn watcher_reports_exit_once_and_reaps() {
    let _s = serial();
    let watcher = Watcher::new().unwrap();
    let c = spawn(Command::new("/bin/sleep").arg("0.1"));
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let calls2 = Arc::clone(&calls);
    let h = watcher
        .register(
            &c.pidfd,
            Box::new(move |info| {
                calls2.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(info);
            }),
        )
        .unwrap();
    assert_eq!(watcher.pending(), 1);
    let info = rx.recv_timeout(LONG).unwrap();
    assert_eq!(info.pid, c.pid);
    assert_eq!(info.status, Some(ExitStatus::Exited(0)));
    assert_eq!(h.exit_info(), Some(info));
    assert_eq!(h.wait(Some(Duration::ZERO)), Some(info));
    // Reaped by the watcher: no zombie left, and our own reap sees nothing.
    assert!(c.pidfd.has_exited().unwrap());
    assert_eq!(c.try_reap().unwrap(), None);
    assert!(start_time(c.pid).map_or(true, |t| t != c.start_time));
    assert!(!watcher.unregister(h.token()));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(watcher.pending(), 0);
}

#[test]
fn watcher_unregister_cancels() {
    let _s = serial();
    let watcher = Watcher::new().unwrap();
    let c = sleep100();
    let called = Arc::new(AtomicBool::new(false));
    let called2 = Arc::clone(&called);
    let h = watcher
        .register(
            &c.pidfd,
            Box::new(move |_| called2.store(true, Ordering::SeqCst)),
        )
        .unwrap();
    assert!(watcher.unregister(h.token()));
    assert!(!watcher.unregister(h.token()));
    c.pidfd.send_signal(libc::SIGKILL).unwrap();
    assert!(c.wait_exit(Some(LONG)).unwrap());
    // We reap it ourselves, the watcher does not.
    assert_eq!(reaped(&c), killed_by(libc::SIGKILL));
    std::thread::sleep(Duration::from_millis(100));
    assert!(!called.load(Ordering::SeqCst));
    assert_eq!(h.exit_info(), None);
    assert_eq!(h.wait(Some(Duration::from_millis(10))), None);
}

#[test]
fn watcher_unregister_waits_for_running_callback() {
    let _s = serial();
    let watcher = Arc::new(Watcher::new().unwrap());
    let c = sleep100();
    let done = Arc::new(AtomicBool::new(false));
    let done2 = Arc::clone(&done);
    let (tx, rx) = mpsc::channel();
    let w2 = Arc::clone(&watcher);
    let token = Arc::new(Mutex::new(None::<WatchToken>));
    let token2 = Arc::clone(&token);
    let h = watcher
        .register(
            &c.pidfd,
            Box::new(move |info| {
                // Unregistering itself from inside the callback must not deadlock.
                if let Some(t) = *token2.lock().unwrap() {
                    assert!(!w2.unregister(t));
                }
                let _ = tx.send(info);
                std::thread::sleep(Duration::from_millis(300));
                done2.store(true, Ordering::SeqCst);
            }),
        )
        .unwrap();
    *token.lock().unwrap() = Some(h.token());
    c.pidfd.send_signal(libc::SIGKILL).unwrap();
    let info = rx.recv_timeout(LONG).unwrap();
    assert_eq!(info.status, Some(killed_by(libc::SIGKILL)));
    // The callback is running now; unregister returns only once it has completed.
    assert!(!watcher.unregister(h.token()));
    assert!(done.load(Ordering::SeqCst));
    assert_eq!(c.try_reap().unwrap(), None);
}

#[test]
fn watcher_handles_already_exited_and_many() {
    let _s = serial();
    let watcher = Watcher::new().unwrap();
    // Already a zombie when registered.
    let c = spawn(&Command::new("/bin/true"));
    assert!(c.wait_exit(Some(LONG)).unwrap());
    let h = watcher.register(&c.pidfd, Box::new(|_| {})).unwrap();
    assert_eq!(
        h.wait(Some(LONG)).map(|i| i.status),
        Some(Some(ExitStatus::Exited(0)))
    );

    // Several at once; one panicking callback does not stop the watcher.
    let count = Arc::new(AtomicUsize::new(0));
    let mut kids = Vec::new();
    let mut handles = Vec::new();
    for i in 0..6 {
        let k = spawn(&sh(&format!("exit {i}")));
        let count2 = Arc::clone(&count);
        handles.push(
            watcher
                .register(
                    &k.pidfd,
                    Box::new(move |_| {
                        count2.fetch_add(1, Ordering::SeqCst);
                        if i == 0 {
                            panic!("callback panic (expected by the test)");
                        }
                    }),
                )
                .unwrap(),
        );
        kids.push(k);
    }
    for (i, h) in handles.iter().enumerate() {
        let info = h.wait(Some(LONG)).unwrap();
        assert_eq!(
            info.status,
            Some(ExitStatus::Exited(i32::try_from(i).unwrap()))
        );
        // Make sure the callback has finished too.
        watcher.unregister(h.token());
    }
    assert_eq!(count.load(Ordering::SeqCst), 6);

    // Dropping the watcher drops pending callbacks without calling them.
    let c = sleep100();
    let called = Arc::new(AtomicBool::new(false));
    let called2 = Arc::clone(&called);
    let _h = watcher
        .register(
            &c.pidfd,
            Box::new(move |_| called2.store(true, Ordering::SeqCst)),
        )
        .unwrap();
    drop(watcher);
    drop(c);
    assert!(!called.load(Ordering::SeqCst));
}

#[test]
fn global_watcher_is_shared() {
    let a = Watcher::global().unwrap() as *const Watcher;
    let b = Watcher::global().unwrap() as *const Watcher;
    assert_eq!(a, b);
}

#[test]
fn start_time_of_missing_process() {
    // PID above pid_max cannot exist.
    let e = start_time(i32::MAX).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert_eq!(
        Pidfd::open_verified(i32::MAX, 1)
            .unwrap_err()
            .raw_os_error(),
        Some(libc::ESRCH)
    );
    let _ = AsFd::as_fd(&Pidfd::open(i32::try_from(std::process::id()).unwrap()).unwrap());
}

#[test]
fn fork_fallback_when_clone3_is_missing() {
    use super::spawn::FORCE_FORK_FALLBACK;
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            FORCE_FORK_FALLBACK.store(false, Ordering::SeqCst);
        }
    }
    let _s = serial();
    let _reset = Reset;
    FORCE_FORK_FALLBACK.store(true, Ordering::SeqCst);

    let c = sleep100();
    assert_eq!(start_time(c.pid).unwrap(), c.start_time);
    kill(&c.pidfd, force(), &short(), 0).unwrap();
    assert_eq!(reaped(&c), killed_by(libc::SIGTERM));

    let (r, w) = pipe();
    let c = spawn(sh("echo hi >&3").pass_fd(w, 3));
    assert_eq!(read_all(r), "hi\n");
    assert_eq!(reaped(&c), ExitStatus::Exited(0));

    let e = Command::new("/nonexistent/oxvirt").spawn().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    assert!(own_unexeced_zombies().is_empty());
}
