//! Stopping: the kill engine for destroy, and the stop that follows any exit (state, runtime
//! files, log note, the STOPPED event), run off the exit watcher's thread.

use super::*;
use crate::api::DomainEventStoppedDetailType;
use crate::domain::StateReason;

impl QemuDriver {
    /// qemu exited without a destroy: the guest shut down (it asked qemu to), or it died.
    /// Never runs on the exit watcher's thread: the watcher hands it a thread of its own (see
    /// [`stop_elsewhere`]); a destroy or kill that finds the exit runs it on the caller's.
    pub(super) fn on_exit(&self, uuid: [u8; 16], pid: i32) {
        let Some(vm) = self.vm(&uuid) else { return };
        let Some(run) = vm.running().filter(|r| r.pid == pid) else {
            return;
        };
        if run.destroying.load(Ordering::SeqCst) > 0 {
            return; // the destroy in progress reports it
        }
        // Whether the guest asked to power off is in qemu's last words: read them all first.
        self.drain_monitor(&vm, &run);
        if run.guest_shutdown.load(Ordering::Relaxed) {
            self.stop(
                &vm,
                &run,
                DomainShutoffReason::Shutdown,
                DomainEventStoppedDetailType::Shutdown,
                false,
            );
        } else {
            // As the reference: the monitor closed without a SHUTDOWN, so the state reason is
            // "crashed" while the event's detail is STOPPED_FAILED.
            self.stop(
                &vm,
                &run,
                DomainShutoffReason::Crashed,
                DomainEventStoppedDetailType::Failed,
                false,
            );
        }
    }

    pub(super) fn cleanup_files(&self, name: &str, id: i32, remove_logs: bool) {
        let l = &self.layout;
        let _ = std::fs::remove_file(l.pid_file(name));
        let _ = std::fs::remove_file(l.status_file(name));
        let _ = std::fs::remove_file(l.monitor_socket(id, name));
        // The private directory holds the master key alone: two calls, where a walk takes eight.
        let _ = std::fs::remove_file(l.master_key(id, name));
        let dir = l.domain_dir(id, name);
        if std::fs::remove_dir(&dir).is_err_and(|e| e.kind() != std::io::ErrorKind::NotFound) {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let _ = std::fs::remove_dir_all(l.channel_dir(id, name));
        if remove_logs {
            let _ = std::fs::remove_file(l.log_file(name));
        }
    }

    /// qemu is gone: hand everything it said to the event handler, then end the reader (a no-op
    /// the second time).
    pub(super) fn drain_monitor(&self, vm: &Vm, run: &Running) {
        if let Some(mon) = run.monitor() {
            if !mon.close_after_exit(MONITOR_DRAIN_TIMEOUT) {
                self.note(
                    &vm.name(),
                    "the monitor's reader was still busy at the deadline; left to finish alone",
                );
            }
        }
    }

    /// The guest's process is gone (or going): record the new state, close the monitor after
    /// everything qemu said has been delivered, reap, remove the runtime files, raise one STOPPED
    /// event; a transient domain is removed. Only the first caller for a run does anything.
    pub(super) fn stop(
        &self,
        vm: &Arc<Vm>,
        run: &Arc<Running>,
        why: DomainShutoffReason,
        detail: DomainEventStoppedDetailType,
        remove_logs: bool,
    ) -> bool {
        if run.stopped.swap(true, Ordering::SeqCst) {
            return false;
        }
        // Every event qemu sent (its SHUTDOWN notice) is delivered before our STOPPED. Drained
        // while the run is still recorded: the event handler drops events of a stopped domain.
        self.drain_monitor(vm, run);
        unwatch(run);
        let _ = run.pidfd.try_reap();
        // The files go while the run is still recorded, so that a start after this stop can
        // never have its own removed.
        let (name, id) = {
            let i = vm.lock();
            (i.def.name.clone(), i.id)
        };
        self.cleanup_files(&name, id, remove_logs);
        super::blockjobs::forget(&vm.lock().def.uuid);
        self.note(&name, &format!("stopped (reason {})", i32::from(why)));
        // STOPPED is queued in the same step as the state changes, as the reference does under
        // its object lock: whoever sees the guest shut off and acts on it (undefine, start)
        // raises its events after this one.
        let persistent = {
            let mut i = vm.lock();
            if i.run.as_ref().is_some_and(|r| Arc::ptr_eq(r, run)) {
                i.run = None;
            }
            i.state = StateReason::Shutoff(why);
            i.id = -1;
            i.autodestroy = None;
            // A definition made while it ran takes over now.
            if let Some(next) = i.next_def.take() {
                if i.persistent {
                    i.def = next;
                }
            }
            let r = DomainRef {
                name: name.clone(),
                uuid: vm.uuid,
                id: -1,
            };
            self.bus.emit(&r, Lifecycle::Stopped(detail));
            i.persistent
        };
        self.doms_mut().by_id.remove(&id);
        if !persistent {
            let _ = std::fs::remove_dir_all(self.layout.snapshot_dir(&name));
            self.remove(vm);
        }
        true
    }

    /// A line of our own in the domain's log (lifecycle notes beside qemu's stderr).
    pub(super) fn note(&self, name: &str, what: &str) {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .append(true)
            .open(self.layout.log_file(name))
        {
            // One write: an unbuffered writeln! would make three system calls.
            let _ = f.write_all(format!("oxvirt: {what}\n").as_bytes());
        }
    }

    /// The kill engine on a domain (`qemuProcessKill`): NOCHECK kills even a domain we think is
    /// not active, as long as we still know its process.
    pub fn kill_vm(&self, vm: &Vm, force: bool, nowait: bool, nocheck: bool) -> Result<()> {
        let Some(run) = vm.running() else {
            let _ = nocheck; // nothing recorded to signal: success, as the reference
            return Ok(());
        };
        run.destroying.fetch_add(1, Ordering::SeqCst);
        let r = process::kill(&run.pidfd, KillFlags { force, nowait }, &self.cfg.kill, 0);
        run.destroying.fetch_sub(1, Ordering::SeqCst);
        if run.pidfd.has_exited().unwrap_or(false) && run.destroying.load(Ordering::SeqCst) == 0 {
            self.on_exit(vm.uuid, run.pid);
        }
        r.map_err(|e| kill_error(&e))
    }

    /// Destroy, spec section 2 steps 4 to 11.
    pub(super) fn destroy_flags(&self, d: &DomainRef, flags: u32) -> Result<()> {
        let flags = check_flags(flags, DESTROY_FLAGS, "qemuDomainDestroyFlags")?;
        let (vm, run) = self.lifecycle_check(d)?;
        // The kill comes before any job: a destroy pre-empts whatever holds the domain.
        run.destroying.fetch_add(1, Ordering::SeqCst);
        // This destroy reports the exit itself: the exit watcher lets go of the process first,
        // so that the stop below never waits for the watcher's own delivery of the same exit.
        let watched = unwatch(&run);
        let graceful = flags.contains(DomainDestroyFlags::GRACEFUL);
        let killed = process::kill(
            &run.pidfd,
            KillFlags {
                force: !graceful,
                nowait: false,
            },
            &self.cfg.kill,
            0,
        );
        if let Err(e) = killed {
            run.destroying.fetch_sub(1, Ordering::SeqCst);
            if watched && !run.pidfd.has_exited().unwrap_or(false) {
                // The guest lives on (a graceful destroy it outlasted): watched again, and an
                // exit between the check and the watch is seen at once (a pidfd stays readable).
                if let Err(w) = self.watch(&vm, &run) {
                    self.note(
                        &vm.name(),
                        &format!("cannot watch the process again: {}", w.message),
                    );
                }
            }
            // The guest is left as it was; had it exited meanwhile, report that exit.
            if run.pidfd.has_exited().unwrap_or(false) && run.destroying.load(Ordering::SeqCst) == 0
            {
                self.on_exit(vm.uuid, run.pid);
            }
            return Err(kill_error(&e));
        }
        let did = self.stop(
            &vm,
            &run,
            DomainShutoffReason::Destroyed,
            DomainEventStoppedDetailType::Destroyed,
            flags.contains(DomainDestroyFlags::REMOVE_LOGS),
        );
        run.destroying.fetch_sub(1, Ordering::SeqCst);
        if did {
            Ok(())
        } else if vm.lock().removed {
            Err(stale(d))
        } else {
            Err(not_running())
        }
    }
}

/// The exit watcher's callback: it only records the exit and hands the stop (joining the monitor's
/// reader, removing files, writing the log, the STOPPED event) to a thread of its own, so that a
/// slow stop never delays the exits of other guests.
pub(super) fn stop_elsewhere(me: Weak<QemuDriver>, uuid: [u8; 16], pid: i32) {
    let stop = move |me: &Weak<QemuDriver>| {
        if let Some(d) = me.upgrade() {
            d.on_exit(uuid, pid);
        }
    };
    let mine = me.clone();
    let spawned = std::thread::Builder::new()
        .name("oxvirt-stop".into())
        .spawn(move || stop(&mine));
    if spawned.is_err() {
        // No thread to be had: the stop must not be lost, so it runs here after all.
        stop(&me);
    }
}

/// The exit watcher forgets the guest's process; true if it was watching it. A delivery running
/// right now is waited for (it only hands the stop to another thread).
fn unwatch(run: &Running) -> bool {
    let handle = run.watch.lock().unwrap_or_else(|p| p.into_inner()).take();
    match (handle, Watcher::global()) {
        (Some(h), Ok(w)) => {
            w.unregister(h.token());
            true
        }
        _ => false,
    }
}
