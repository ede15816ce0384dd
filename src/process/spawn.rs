//! Spawning a program with a pidfd obtained atomically at creation.
//!
//! The child is created with `clone3(CLONE_PIDFD)` (fork semantics), so the parent holds a
//! pidfd for it from the very first instant and there is no window in which the PID could
//! be recycled. Only if the kernel (or a seccomp filter) answers `ENOSYS` to `clone3` do we
//! fall back to `fork` + `pidfd_open` on the not-yet-reaped child, which is equally safe as
//! long as nobody else reaps our children behind our back.
//!
//! Everything the child needs (argv, envp, paths, file descriptors) is prepared before
//! cloning; between clone and `execve` the child only performs async-signal-safe system
//! calls (`sigaction`, `setsid`, `dup2`, `close_range`, `chdir`, `sigprocmask`, `execve`,
//! `write`, `_exit`). If anything fails there, the child writes the errno to a close-on-exec
//! pipe and exits with status 127; [`Command::spawn`] then reaps it and returns that errno.

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::pidfd::{ExitStatus, Pidfd};
use super::proc_stat;

/// A spawned child process.
#[derive(Debug)]
pub struct Child {
    /// Pidfd obtained atomically with the process's creation.
    pub pidfd: Pidfd,
    /// The child's PID (as seen in our PID namespace).
    pub pid: libc::pid_t,
    /// Field 22 of `/proc/<pid>/stat`; with `pid` it identifies the process across PID reuse
    /// (see [`Pidfd::open_verified`]).
    pub start_time: u64,
}

impl Child {
    /// Waits up to `timeout` (`None`: forever) for the child to exit; true once exited.
    pub fn wait_exit(&self, timeout: Option<Duration>) -> io::Result<bool> {
        self.pidfd.wait_exit(timeout)
    }

    /// Reaps the child if it has exited (see [`Pidfd::try_reap`]).
    pub fn try_reap(&self) -> io::Result<Option<ExitStatus>> {
        self.pidfd.try_reap()
    }

    /// Blocks until the child exits and reaps it (see [`Pidfd::reap`]).
    pub fn reap(&self) -> io::Result<Option<ExitStatus>> {
        self.pidfd.reap()
    }
}

/// Where the child's stdout and stderr go.
#[derive(Debug)]
enum Log {
    Path(PathBuf),
    Fd(OwnedFd),
}

/// Description of a program to run; [`Command::spawn`] may be called several times.
///
/// The child gets: stdin from `/dev/null`; stdout and stderr appended to the log file (or
/// `/dev/null` without one); the fds given to [`Command::pass_fd`] at their target numbers;
/// no other file descriptor; default signal dispositions and an empty signal mask.
#[derive(Debug)]
pub struct Command {
    program: OsString,
    args: Vec<OsString>,
    env_clear: bool,
    env: BTreeMap<OsString, Option<OsString>>,
    cwd: Option<PathBuf>,
    log: Option<Log>,
    fds: Vec<(OwnedFd, RawFd)>,
    new_session: bool,
}

// Stage codes reported by a failing child, before the errno.
const STAGE_FDS: i32 = 1;
const STAGE_SETSID: i32 = 2;
const STAGE_CHDIR: i32 = 3;
const STAGE_EXEC: i32 = 4;

fn invalid_input(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.to_owned())
}

fn cstring(bytes: &[u8], what: &str) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| invalid_input(&format!("{what} contains a NUL byte")))
}

/// `fcntl(F_DUPFD_CLOEXEC)`: a close-on-exec duplicate numbered `min` or above.
fn dup_at_least(fd: BorrowedFd<'_>, min: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC on a valid borrowed fd only creates a new descriptor.
    let ret = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, min) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fcntl just returned this new descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(ret) })
}

/// A close-on-exec pipe: (read end, write end).
fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds: [libc::c_int; 2] = [-1; 2];
    // SAFETY: fds is a writable array of two ints, as pipe2 requires.
    let ret = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    if ret < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are new and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn is_executable_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Signal mask saved by [`block_all_signals`], restored on drop.
struct SigmaskGuard {
    old: libc::sigset_t,
}

fn empty_sigset() -> libc::sigset_t {
    // SAFETY: sigset_t is a plain bit array for which all-zero bytes mean the empty set.
    unsafe { std::mem::zeroed() }
}

/// Blocks every signal in the calling thread so that no handler of ours can run in the child
/// before it has reset the dispositions.
fn block_all_signals() -> io::Result<SigmaskGuard> {
    let mut all = empty_sigset();
    let mut old = empty_sigset();
    // SAFETY: both pointers refer to valid, writable sigset_t values owned by this frame.
    let ret = unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old)
    };
    if ret != 0 {
        return Err(io::Error::from_raw_os_error(ret));
    }
    Ok(SigmaskGuard { old })
}

impl Drop for SigmaskGuard {
    fn drop(&mut self) {
        // SAFETY: self.old is a valid sigset_t saved by pthread_sigmask; the old-set pointer
        // may be null.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut());
        }
    }
}

/// Layout of `struct clone_args` up to `tls` (CLONE_ARGS_SIZE_VER0, Linux 5.3).
#[repr(C, align(8))]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
}

enum ForkResult {
    Child,
    Parent { pid: libc::pid_t, pidfd: OwnedFd },
}

/// Test hook: behave as if `clone3` answered `ENOSYS`.
#[cfg(test)]
pub(crate) static FORCE_FORK_FALLBACK: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

fn clone3_disabled() -> bool {
    #[cfg(test)]
    {
        FORCE_FORK_FALLBACK.load(std::sync::atomic::Ordering::SeqCst)
    }
    #[cfg(not(test))]
    {
        false
    }
}

/// `clone3(CLONE_PIDFD)` with fork semantics; on `ENOSYS`, `fork()` + `pidfd_open`.
///
/// # Safety
///
/// In the [`ForkResult::Child`] case the caller runs in a copy of the process that contains
/// only the calling thread: it must perform async-signal-safe operations only (no allocation,
/// no locks) and must end with `execve` or `_exit`, never return.
unsafe fn fork_with_pidfd() -> io::Result<ForkResult> {
    let mut pidfd: libc::c_int = -1;
    let mut args = CloneArgs {
        flags: libc::CLONE_PIDFD as u64,
        pidfd: &mut pidfd as *mut libc::c_int as u64,
        child_tid: 0,
        parent_tid: 0,
        exit_signal: libc::SIGCHLD as u64,
        stack: 0,
        stack_size: 0,
        tls: 0,
    };
    let ret = if clone3_disabled() {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    } else {
        // SAFETY: args is a valid clone_args of the size passed; with stack == 0 the child
        // runs on a copy of our stack (fork semantics). The kernel writes the pidfd into
        // `pidfd`, which outlives the call. The caller upholds the child-side contract.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_clone3,
                &mut args as *mut CloneArgs,
                std::mem::size_of::<CloneArgs>(),
            )
        };
        if ret < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(ret)
        }
    };
    match ret {
        Ok(0) => return Ok(ForkResult::Child),
        Ok(pid) => {
            let pid = libc::pid_t::try_from(pid).unwrap_or(libc::pid_t::MAX);
            // SAFETY: with CLONE_PIDFD the kernel stored a new close-on-exec pidfd, owned by us.
            let fd = unsafe { OwnedFd::from_raw_fd(pidfd) };
            return Ok(ForkResult::Parent { pid, pidfd: fd });
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
        Err(e) => return Err(e),
    }
    // SAFETY: plain fork(); the caller upholds the child-side contract.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        return Ok(ForkResult::Child);
    }
    // The child cannot have been reaped yet (only we reap it), so its PID is still its own.
    match Pidfd::open(pid) {
        Ok(p) => Ok(ForkResult::Parent {
            pid,
            pidfd: OwnedFd::from(p),
        }),
        Err(e) => {
            // SAFETY: pid is our unreaped child, so it cannot have been recycled; waitpid
            // writes nothing when the status pointer is null.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
            Err(e)
        }
    }
}

/// The kernel's `struct sigaction` for `rt_sigaction(2)` on x86-64 (64-bit mask).
#[repr(C)]
struct KernelSigaction {
    handler: libc::sighandler_t,
    flags: libc::c_ulong,
    restorer: usize,
    mask: u64,
}

/// Raw values the child uses between clone and exec; everything is allocated beforehand.
struct ChildPlan<'a> {
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    cwd: *const libc::c_char,
    stdin_fd: RawFd,
    out_fd: RawFd,
    pass: &'a [(RawFd, RawFd)],
    keep: &'a [libc::c_uint],
    err_fd: RawFd,
    new_session: bool,
}

/// Reports `errno` for `stage` to the parent and exits with 127.
///
/// # Safety
///
/// Only to be called in the child created by [`fork_with_pidfd`].
unsafe fn child_fail(err_fd: RawFd, stage: i32) -> ! {
    // SAFETY: __errno_location returns this thread's errno slot, always valid.
    let errno = unsafe { *libc::__errno_location() };
    let mut buf = [0u8; 8];
    let (a, b) = buf.split_at_mut(4);
    a.copy_from_slice(&stage.to_ne_bytes());
    b.copy_from_slice(&errno.to_ne_bytes());
    // SAFETY: buf is a valid 8-byte buffer; write and _exit are async-signal-safe.
    unsafe {
        libc::write(err_fd, buf.as_ptr().cast(), buf.len());
        libc::_exit(127)
    }
}

/// The child side: set up signals, session, fds and directory, then exec.
///
/// # Safety
///
/// Only to be called in the child created by [`fork_with_pidfd`], with every pointer in
/// `plan` valid (they point into the parent's memory, which the child has a copy of).
unsafe fn child_exec(plan: &ChildPlan<'_>) -> ! {
    // SAFETY: only async-signal-safe system calls on values prepared before the clone; the
    // pointers come from live CStrings / pointer arrays (see ChildPlan).
    unsafe {
        // Default dispositions for everything, ignored signals included (signals are still
        // blocked, see block_all_signals). The raw system call also reaches the signals
        // glibc reserves (32, 33), which its sigaction() refuses; SIGKILL/SIGSTOP just fail.
        let dfl = KernelSigaction {
            handler: libc::SIG_DFL,
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        for sig in 1..=64 as libc::c_int {
            libc::syscall(
                libc::SYS_rt_sigaction,
                sig,
                &dfl as *const KernelSigaction,
                std::ptr::null_mut::<KernelSigaction>(),
                std::mem::size_of::<u64>(),
            );
        }
        if plan.new_session && libc::setsid() < 0 {
            child_fail(plan.err_fd, STAGE_SETSID);
        }
        // Every source fd is numbered above every target (see Command::spawn), so these
        // dup2 calls never clobber one another; dup2 clears close-on-exec on the target.
        if libc::dup2(plan.stdin_fd, 0) < 0
            || libc::dup2(plan.out_fd, 1) < 0
            || libc::dup2(plan.out_fd, 2) < 0
        {
            child_fail(plan.err_fd, STAGE_FDS);
        }
        for &(src, dst) in plan.pass {
            if libc::dup2(src, dst) < 0 {
                child_fail(plan.err_fd, STAGE_FDS);
            }
        }
        // Close everything from 3 up except the passed targets and the error pipe (`keep`
        // is sorted). Errors are ignored: all our own fds are close-on-exec anyway.
        let mut lo: libc::c_uint = 3;
        for &k in plan.keep {
            if k > lo {
                libc::syscall(libc::SYS_close_range, lo, k - 1, 0 as libc::c_uint);
            }
            lo = k.saturating_add(1);
        }
        libc::syscall(
            libc::SYS_close_range,
            lo,
            libc::c_uint::MAX,
            0 as libc::c_uint,
        );
        if !plan.cwd.is_null() && libc::chdir(plan.cwd) < 0 {
            child_fail(plan.err_fd, STAGE_CHDIR);
        }
        let empty: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        libc::execve(plan.path, plan.argv, plan.envp);
        child_fail(plan.err_fd, STAGE_EXEC)
    }
}

fn null_terminated(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

impl Command {
    /// A command running `program`: a path, or a bare name looked up in `PATH` (the child's
    /// `PATH` if overridden, else ours) at spawn time. `argv[0]` is `program` as given.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env_clear: false,
            env: BTreeMap::new(),
            cwd: None,
            log: None,
            fds: Vec::new(),
            new_session: false,
        }
    }

    /// Appends one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets (overrides) an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.env
            .insert(key.as_ref().to_owned(), Some(val.as_ref().to_owned()));
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.env.insert(key.as_ref().to_owned(), None);
        self
    }

    /// Starts the child from an empty environment instead of inheriting ours (overrides set
    /// with [`Command::env`] still apply).
    pub fn env_clear(&mut self) -> &mut Command {
        self.env_clear = true;
        self.env.retain(|_, v| v.is_some());
        self
    }

    /// Working directory of the child (default: ours).
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Appends the child's stdout and stderr to this file, opened (created with mode 0600
    /// if missing) with `O_APPEND | O_CLOEXEC` at each spawn, before cloning.
    pub fn log_file(&mut self, path: impl AsRef<Path>) -> &mut Command {
        self.log = Some(Log::Path(path.as_ref().to_owned()));
        self
    }

    /// Sends the child's stdout and stderr to this already-open descriptor (typically a log
    /// file opened with `O_APPEND`).
    pub fn log_fd(&mut self, fd: OwnedFd) -> &mut Command {
        self.log = Some(Log::Fd(fd));
        self
    }

    /// Passes `fd` to the child as descriptor number `target` (>= 3), without close-on-exec,
    /// e.g. a listening monitor socket as fd 3 for
    /// `-chardev socket,id=charmonitor,fd=3,server=on,wait=off`. The command keeps `fd`
    /// (dropping the command closes it); each spawn passes a duplicate.
    pub fn pass_fd(&mut self, fd: OwnedFd, target: RawFd) -> &mut Command {
        self.fds.push((fd, target));
        self
    }

    /// Runs the child in a new session (`setsid()`), detached from our controlling terminal
    /// and process group.
    pub fn new_session(&mut self, on: bool) -> &mut Command {
        self.new_session = on;
        self
    }

    fn final_env(&self) -> BTreeMap<OsString, OsString> {
        let mut vars: BTreeMap<OsString, OsString> = if self.env_clear {
            BTreeMap::new()
        } else {
            std::env::vars_os().collect()
        };
        for (k, v) in &self.env {
            match v {
                Some(v) => {
                    vars.insert(k.clone(), v.clone());
                }
                None => {
                    vars.remove(k);
                }
            }
        }
        vars
    }

    fn resolve_program(&self, env: &BTreeMap<OsString, OsString>) -> io::Result<PathBuf> {
        let prog = Path::new(&self.program);
        if self.program.is_empty() {
            return Err(io::Error::from_raw_os_error(libc::ENOENT));
        }
        if self.program.as_bytes().contains(&b'/') {
            return Ok(prog.to_owned());
        }
        let default_path = OsString::from("/usr/local/bin:/usr/bin:/bin");
        let path_var = env
            .get(OsStr::new("PATH"))
            .cloned()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or(default_path);
        std::env::split_paths(&path_var)
            .map(|dir| dir.join(prog))
            .find(|cand| is_executable_file(cand))
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))
    }

    /// Starts the program. Returns once the child has successfully called `execve` (or
    /// with the error that prevented it, after reaping the failed child).
    pub fn spawn(&self) -> io::Result<Child> {
        // --- validate and prepare everything the child needs, before cloning ---
        let mut targets: Vec<RawFd> = self.fds.iter().map(|&(_, t)| t).collect();
        targets.sort_unstable();
        if targets.first().is_some_and(|&t| t < 3) {
            return Err(invalid_input("passed fd targets must be >= 3"));
        }
        if targets.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid_input("passed fd targets must be distinct"));
        }
        let base = targets.last().map_or(3, |&t| t.saturating_add(1)).max(3);

        let env = self.final_env();
        let path = self.resolve_program(&env)?;
        crate::vir_debug!(
            "util.command",
            "virCommandRunAsync",
            line!(),
            "About to run {} {}",
            path.display(),
            {
                let args: Vec<_> = self.args.iter().map(|a| a.to_string_lossy()).collect();
                args.join(" ")
            }
        );
        let c_path = cstring(path.as_os_str().as_bytes(), "program path")?;
        let mut c_args = Vec::with_capacity(self.args.len() + 1);
        c_args.push(cstring(self.program.as_bytes(), "program")?);
        for a in &self.args {
            c_args.push(cstring(a.as_bytes(), "argument")?);
        }
        let mut c_env = Vec::with_capacity(env.len());
        for (k, v) in env {
            if k.is_empty() || k.as_bytes().contains(&b'=') {
                return Err(invalid_input("invalid environment variable name"));
            }
            let mut kv = k.into_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            c_env.push(cstring(&kv, "environment")?);
        }
        let argv = null_terminated(&c_args);
        let envp = null_terminated(&c_env);
        let c_cwd = match &self.cwd {
            Some(d) => Some(cstring(d.as_os_str().as_bytes(), "working directory")?),
            None => None,
        };

        // All fds the child reads from are moved to numbers >= base, above every target.
        let devnull = File::open("/dev/null")?;
        let stdin_fd = dup_at_least(devnull.as_fd(), base)?;
        let out_fd = match &self.log {
            Some(Log::Path(p)) => {
                let f = OpenOptions::new()
                    .append(true)
                    .create(true)
                    .mode(0o600)
                    .custom_flags(libc::O_CLOEXEC)
                    .open(p)?;
                dup_at_least(f.as_fd(), base)?
            }
            Some(Log::Fd(fd)) => dup_at_least(fd.as_fd(), base)?,
            None => {
                let f = OpenOptions::new().write(true).open("/dev/null")?;
                dup_at_least(f.as_fd(), base)?
            }
        };
        let mut pass_owned = Vec::with_capacity(self.fds.len());
        for (fd, target) in &self.fds {
            pass_owned.push((dup_at_least(fd.as_fd(), base)?, *target));
        }
        let pass: Vec<(RawFd, RawFd)> = pass_owned
            .iter()
            .map(|(fd, t)| (fd.as_raw_fd(), *t))
            .collect();
        let (err_read, err_write_low) = cloexec_pipe()?;
        let err_write = dup_at_least(err_write_low.as_fd(), base)?;
        drop(err_write_low);
        let mut keep: Vec<libc::c_uint> = Vec::with_capacity(targets.len() + 1);
        for fd in targets.iter().copied().chain([err_write.as_raw_fd()]) {
            keep.push(libc::c_uint::try_from(fd).map_err(|_| invalid_input("bad fd"))?);
        }
        keep.sort_unstable();

        let plan = ChildPlan {
            path: c_path.as_ptr(),
            argv: argv.as_ptr(),
            envp: envp.as_ptr(),
            cwd: c_cwd.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            stdin_fd: stdin_fd.as_raw_fd(),
            out_fd: out_fd.as_raw_fd(),
            pass: &pass,
            keep: &keep,
            err_fd: err_write.as_raw_fd(),
            new_session: self.new_session,
        };

        // --- clone ---
        let mask = block_all_signals()?;
        // SAFETY: the child branch only calls child_exec, which performs async-signal-safe
        // system calls on the plan prepared above and never returns.
        let forked = unsafe { fork_with_pidfd() };
        let (pid, pidfd) = match forked {
            Ok(ForkResult::Child) => {
                // SAFETY: we are the freshly cloned child; plan's pointers refer to our copy
                // of the parent's live allocations (c_path, argv/c_args, envp/c_env, c_cwd).
                unsafe { child_exec(&plan) }
            }
            Ok(ForkResult::Parent { pid, pidfd }) => (pid, pidfd),
            Err(e) => return Err(e),
        };
        drop(mask);
        let pidfd = Pidfd::from_owned(pidfd, pid);

        // --- parent: close the child's copies, learn the outcome of exec ---
        drop(err_write);
        drop(stdin_fd);
        drop(out_fd);
        drop(pass_owned);
        let start_time = proc_stat::start_time(pid);
        let failure = read_child_report(err_read);
        let outcome = match (failure, start_time) {
            (Ok(None), Ok(start_time)) => {
                return Ok(Child {
                    pidfd,
                    pid,
                    start_time,
                })
            }
            (Ok(Some(err)), _) => err,
            (Err(e), _) | (Ok(None), Err(e)) => {
                let _ = pidfd.send_signal(libc::SIGKILL);
                e
            }
        };
        let _ = pidfd.wait_exit(None);
        let _ = pidfd.try_reap();
        Err(outcome)
    }
}

/// Reads the child's error report: `Ok(None)` when the pipe hit EOF with nothing (exec
/// succeeded), `Ok(Some(err))` with the errno the child reported.
fn read_child_report(pipe: OwnedFd) -> io::Result<Option<io::Error>> {
    let mut file = File::from(pipe);
    let mut buf = [0u8; 8];
    let mut got = 0;
    while got < buf.len() {
        let chunk = buf.get_mut(got..).unwrap_or_default();
        match file.read(chunk) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if got == 0 {
        return Ok(None);
    }
    if got != buf.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "short error report from child",
        ));
    }
    // The first 4 bytes hold the stage (STAGE_*), useful only when debugging.
    let errno = buf.get(4..8).and_then(|b| <[u8; 4]>::try_from(b).ok());
    let errno = i32::from_ne_bytes(errno.unwrap_or([0; 4]));
    Ok(Some(io::Error::from_raw_os_error(errno)))
}
