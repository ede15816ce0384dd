//! Starting a guest: qemu's command line, the spawn with a pidfd, the monitor handshake, the
//! status file, and the exit watch.

use super::*;
use crate::api::DomainEventStartedDetailType;
use crate::api::DomainEventSuspendedDetailType;
use crate::domain::StateReason;

impl QemuDriver {
    /// Watch the process: an exit nobody is waiting for is reported at once.
    pub(super) fn watch(&self, vm: &Arc<Vm>, run: &Arc<Running>) -> Result<()> {
        let me = self.me.clone();
        let uuid = vm.uuid;
        let pid = run.pid;
        let watcher =
            Watcher::global().map_err(|e| sys_err(&e, "cannot start the exit watcher".into()))?;
        let handle = watcher
            .register(
                &run.pidfd,
                Box::new(move |_info| stop_elsewhere(me, uuid, pid)),
            )
            .map_err(|e| sys_err(&e, "cannot watch the guest process".into()))?;
        *run.watch.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok(())
    }

    pub(super) fn write_status(&self, vm: &Vm) -> Result<()> {
        let st = {
            let i = vm.lock();
            let Some(run) = &i.run else { return Ok(()) };
            status::Status {
                pid: run.pid,
                start_time: run.start_time,
                id: i.id,
                state: i.state,
                persistent: i.persistent,
                autodestroy: i.autodestroy.is_some(),
                monitor: run.monitor_path.display().to_string(),
                def: i.def.clone(),
            }
        };
        let path = self.layout.status_file(&st.def.name);
        layout::write_atomic(&path, status::format(&st).as_bytes()).map_err(|e| {
            sys_err(
                &e,
                format!("failed to write status file '{}'", path.display()),
            )
        })
    }

    /// Start a domain: qemu paused, the monitor handshake, then `cont` unless PAUSED. A start that
    /// fails at any step force-kills the half-started qemu, removes its files and says why.
    pub(super) fn start(
        &self,
        vm: &Arc<Vm>,
        flags: DomainCreateFlags,
        caller: Caller,
    ) -> Result<()> {
        self.start_with(vm, flags, caller, None)
    }

    /// A start, or with `incoming` a restore: qemu then waits for the saved stream
    /// (`-incoming defer`) and save.rs finishes the start from it.
    pub(super) fn start_with(
        &self,
        vm: &Arc<Vm>,
        flags: DomainCreateFlags,
        caller: Caller,
        incoming: Option<&save::Incoming>,
    ) -> Result<()> {
        let config = vm.lock().def.clone();
        command::check_supported(&config)?;
        command::check_tsc(&config)?;
        // The reference gives the start its id before it looks for the daemons a guest needs: a
        // start refused for want of one still uses up an id.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        command::check_startable(&config)?;
        let l = &self.layout;
        let ctx = command::live::Context {
            channel_dir: l.channel_dir(id, &config.name),
            host_cpu: command::host_cpu(&config)?,
        };
        let def = command::live::expand(&config, &ctx);
        let name = def.name.clone();
        let master_key = l.master_key(id, &name);
        let mut argv = command::args(&def, &master_key)?;
        if incoming.is_some() {
            argv.extend(["-incoming".to_string(), "defer".to_string()]);
        }
        let domain_dir = l.domain_dir(id, &name);
        mkdir(&domain_dir)?;
        layout::set_mode(&domain_dir, layout::DOMAIN_DIR)
            .map_err(|e| sys_err(&e, format!("cannot set mode of '{}'", domain_dir.display())))?;
        secrets::write_master_key(&master_key).map_err(|e| {
            self.cleanup_files(&name, id, false);
            sys_err(
                &e,
                format!("failed to write master key file '{}'", master_key.display()),
            )
        })?;
        mkdir(&l.log_dir())?;
        if def.devices.iter().any(|d| d.name == "channel") {
            mkdir(&ctx.channel_dir)?;
        }
        let sock_path = l.monitor_socket(id, &name);
        let _ = std::fs::remove_file(&sock_path);
        let listener = std::os::unix::net::UnixListener::bind(&sock_path).map_err(|e| {
            sys_err(
                &e,
                format!("Failed to bind socket to '{}'", sock_path.display()),
            )
        })?;
        let _ = layout::set_mode(&sock_path, layout::MONITOR_SOCKET);
        let log_path = l.log_file(&name);
        let emulator = command::emulator(&def);
        {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(layout::PRIVATE_FILE)
                .open(&log_path)
                .and_then(|f| {
                    // A log kept from an earlier run keeps its name, not its mode.
                    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(
                        layout::PRIVATE_FILE,
                    ))?;
                    Ok(f)
                })
                .map_err(|e| {
                    sys_err(
                        &e,
                        format!("failed to create logfile {}", log_path.display()),
                    )
                })?;
            let _ = writeln!(log, "oxvirt: starting {} {}", emulator, argv.join(" "));
        }
        let mut cmd = process::Command::new(&emulator);
        cmd.args(&argv)
            .log_file(&log_path)
            .pass_fd(listener.into(), command::MONITOR_FD)
            .new_session(true);
        let child = cmd.spawn().map_err(|e| {
            self.cleanup_files(&name, id, false);
            if e.raw_os_error() == Some(libc::ENOENT) {
                sys_err(&e, format!("Cannot find QEMU binary {emulator}"))
            } else {
                sys_err(&e, format!("failed to start {emulator}"))
            }
        })?;
        // Only qemu may hold the monitor's listening socket: should it exit during startup, our
        // connection then fails at once instead of waiting in the backlog for the monitor timeout.
        drop(cmd);
        let run = Arc::new(Running {
            pid: child.pid,
            start_time: child.start_time,
            pidfd: child.pidfd,
            id,
            monitor: Mutex::new(None),
            monitor_path: sock_path.clone(),
            watch: Mutex::new(None),
            destroying: AtomicUsize::new(0),
            guest_shutdown: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            cpu: CpuTime::of_process(child.pid),
        });
        let abort = |e: Error| -> Error {
            // Nothing half-started stays behind.
            let _ = process::kill(
                &run.pidfd,
                KillFlags {
                    force: true,
                    nowait: false,
                },
                &process::KillTimeouts {
                    grace_before_sigkill: Duration::ZERO,
                    ..self.cfg.kill
                },
                0,
            );
            if let Some(m) = run.monitor() {
                m.disconnect(MONITOR_DRAIN_TIMEOUT);
            }
            let _ = run.pidfd.try_reap();
            let tail = log_tail(&log_path);
            self.cleanup_files(&name, id, false);
            let mut i = vm.lock();
            i.def = match i.next_def.take() {
                Some(next) => next,
                None => config.clone(),
            };
            i.run = None;
            i.id = -1;
            i.state = StateReason::Shutoff(DomainShutoffReason::Failed);
            drop(i);
            if tail.is_empty() {
                e
            } else {
                Error {
                    message: format!("{}: {}", e.message, tail),
                    ..e
                }
            }
        };
        if let Err(e) = std::fs::write(l.pid_file(&name), format!("{}", run.pid)) {
            let path = l.pid_file(&name);
            return Err(abort(sys_err(
                &e,
                format!("failed to write pid file '{}'", path.display()),
            )));
        }
        {
            let mut i = vm.lock();
            // The live definition while it runs; a persistent domain's configuration comes back
            // at stop (the same slot a define while running uses).
            if i.persistent && i.next_def.is_none() {
                i.next_def = Some(config.clone());
            }
            i.def = def.clone();
            i.run = Some(run.clone());
            i.id = id;
            i.state = StateReason::Paused(DomainPausedReason::StartingUp);
            if flags.contains(DomainCreateFlags::START_AUTODESTROY) {
                i.autodestroy = Some(caller.conn_id);
            }
        }
        self.doms_mut().by_id.insert(id, vm.uuid);
        // qemu gone while we connect: say so (the reference's words); abort adds qemu's output.
        let exited_early = || {
            run.pidfd
                .wait_exit(Some(Duration::from_millis(500)))
                .unwrap_or(false)
                .then(|| {
                    Error::internal(VIR_FROM_QEMU, "process exited while connecting to monitor")
                })
        };
        let stream = match std::os::unix::net::UnixStream::connect(&sock_path) {
            Ok(s) => s,
            Err(e) => {
                return Err(abort(exited_early().unwrap_or_else(|| {
                    sys_err(&e, "failed to connect to the monitor".into())
                })))
            }
        };
        let mon = match Monitor::handshake(
            stream,
            self.cfg.monitor_timeout,
            self.event_handler(vm.uuid),
        ) {
            Ok(m) => m,
            Err(e) => {
                let err = exited_early().unwrap_or_else(|| match e {
                    QmpError::Closed => {
                        Error::internal(VIR_FROM_QEMU, "qemu unexpectedly closed the monitor")
                    }
                    e => monitor_error(e, "qmp_capabilities", self.cfg.monitor_timeout),
                });
                return Err(abort(err));
            }
        };
        *run.monitor.lock().unwrap_or_else(|p| p.into_inner()) = Some(mon.clone());
        if def.devices.iter().any(|d| d.attr("type") == Some("pty")) {
            match mon.execute("query-chardev", None, self.cfg.monitor_timeout) {
                Ok(answer) => {
                    command::live::apply_pty_paths(&mut vm.lock().def, &pty_paths(&answer))
                }
                Err(e) => {
                    return Err(abort(monitor_error(
                        e,
                        "query-chardev",
                        self.cfg.monitor_timeout,
                    )))
                }
            }
        }
        if let Err(e) = self.set_graphics_passwords(&def, &mon) {
            return Err(abort(e));
        }
        if let Err(e) = self.start_vcpus(vm, &mon) {
            return Err(abort(e));
        }
        self.refresh_balloon(vm, &mon);
        if let Some(period) = stats::balloon_period(&def) {
            self.set_balloon_period(&name, &mon, period);
        }
        if let Err(e) = self.watch(vm, &run) {
            return Err(abort(e));
        }
        // Recorded before the guest runs: a guest nobody could find again after a restart is
        // not started at all.
        if let Err(e) = self.write_status(vm) {
            return Err(abort(e));
        }
        if let Some(inc) = incoming {
            self.note(&name, &format!("restoring, pid {}", run.pid));
            return self.finish_restore(vm, &mon, inc).map_err(abort);
        }
        if !flags.contains(DomainCreateFlags::START_PAUSED) {
            if let Err(e) = mon.execute("cont", None, self.cfg.monitor_timeout) {
                return Err(abort(monitor_error(e, "cont", self.cfg.monitor_timeout)));
            }
            {
                let mut i = vm.lock();
                i.state = StateReason::Running(DomainRunningReason::Booted);
            }
            if let Err(e) = self.write_status(vm) {
                return Err(abort(e));
            }
            self.note(&name, &format!("running, pid {}", run.pid));
            self.bus.emit(
                &vm.domain_ref(),
                Lifecycle::Started(DomainEventStartedDetailType::Booted),
            );
        } else {
            {
                let mut i = vm.lock();
                i.state = StateReason::Paused(DomainPausedReason::User);
            }
            if let Err(e) = self.write_status(vm) {
                return Err(abort(e));
            }
            self.note(&name, &format!("started paused, pid {}", run.pid));
            let r = vm.domain_ref();
            self.bus
                .emit(&r, Lifecycle::Started(DomainEventStartedDetailType::Booted));
            self.bus.emit(
                &r,
                Lifecycle::Suspended(DomainEventSuspendedDetailType::Paused),
            );
        }
        Ok(())
    }
}

/// (label, /dev/pts/N) of every pty in a query-chardev answer.
fn pty_paths(answer: &serde_json::Value) -> Vec<(String, String)> {
    answer
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let label = c.get("label")?.as_str()?;
            let path = c.get("filename")?.as_str()?.strip_prefix("pty:")?;
            Some((label.to_string(), path.to_string()))
        })
        .collect()
}

impl QemuDriver {
    /// A start that failed (create with XML, restore): the persistent definition set aside for
    /// it takes over again, and a transient guest is forgotten.
    pub(super) fn undo_failed_start(&self, vm: &Arc<Vm>) {
        let mut i = vm.lock();
        if i.run.is_none() {
            if let Some(persistent_def) = i.next_def.take() {
                i.def = persistent_def;
            }
        }
        let persistent = i.persistent;
        drop(i);
        if !persistent {
            self.remove(vm);
        }
    }
}
