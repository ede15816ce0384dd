//! Finding what is under a root when it is opened: persistent definitions, and guests another
//! process (or this one before a restart) started, checked against their recorded start time.

use super::*;
use crate::domain::StateReason;

impl QemuDriver {
    /// Persistent definitions from `etc/qemu/*.xml`.
    pub(super) fn load_definitions(&self) {
        let Ok(dir) = std::fs::read_dir(self.layout.config_dir()) else {
            return;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "xml") {
                if let Some(def) = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| domain::xml::parse(&t).ok())
                {
                    self.insert(Self::new_vm(def, true));
                }
            }
        }
    }

    /// Guests started earlier on this root, by this process or another: check each recorded
    /// process is the same one (pid and start time), re-open its monitor and watch it again.
    /// A guest whose process is gone is marked shut off and its runtime files removed.
    pub(super) fn reconnect_all(&self) {
        let Ok(dir) = std::fs::read_dir(self.layout.run_dir()) else {
            return;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            let Some(st) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| status::parse(&t))
            else {
                continue;
            };
            self.next_id.fetch_max(st.id, Ordering::Relaxed);
            let vm = match self.vm(&st.def.uuid) {
                Some(vm) => vm,
                None => {
                    let vm = Self::new_vm(st.def.clone(), st.persistent);
                    self.insert(vm.clone());
                    vm
                }
            };
            if self.reconnect(&vm, &st).is_err() {
                self.cleanup_files(&st.def.name, st.id, false);
                if st.persistent {
                    // As the reference: a guest that cannot be reconnected is shut off, crashed.
                    let mut i = vm.lock();
                    i.run = None;
                    i.id = -1;
                    i.state = StateReason::Shutoff(DomainShutoffReason::Crashed);
                } else {
                    self.remove(&vm);
                }
            }
        }
    }

    pub(super) fn reconnect(&self, vm: &Arc<Vm>, st: &status::Status) -> Result<()> {
        let pidfd = Pidfd::open_verified(st.pid, st.start_time).map_err(|e| {
            sys_err(
                &e,
                format!("guest process {} is gone or is another process", st.pid),
            )
        })?;
        let run = Arc::new(Running {
            pidfd,
            pid: st.pid,
            start_time: st.start_time,
            id: st.id,
            monitor: Mutex::new(None),
            monitor_path: PathBuf::from(&st.monitor),
            watch: Mutex::new(None),
            destroying: AtomicUsize::new(0),
            guest_shutdown: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            cpu: CpuTime::of_process(st.pid),
        });
        let stream = std::os::unix::net::UnixStream::connect(&st.monitor).map_err(|e| {
            // Our verified guest, but nobody can ever control it again (its monitor socket is
            // gone): kill it, as the reference does, rather than leave it running untracked.
            let _ = run.pidfd.send_signal(libc::SIGKILL);
            let _ = run.pidfd.wait_exit(Some(self.cfg.kill.after_sigkill));
            let _ = run.pidfd.try_reap();
            sys_err(
                &e,
                format!("cannot reconnect to the monitor of '{}'", st.def.name),
            )
        })?;
        // A guest whose monitor does not answer (frozen) stays ours: tracked and watched, and
        // destroyable through its pidfd; only calls that need the monitor fail.
        match Monitor::handshake(
            stream,
            RECONNECT_MONITOR_TIMEOUT.min(self.cfg.monitor_timeout),
            self.event_handler(vm.uuid),
        ) {
            Ok(mon) => *run.monitor.lock().unwrap_or_else(|p| p.into_inner()) = Some(mon),
            Err(e) => self.note(
                &st.def.name,
                &format!("reconnected without a monitor: {e:?}"),
            ),
        }
        {
            let mut i = vm.lock();
            // The definition on disk (loaded first) is the one the guest gets after it stops.
            let persistent_def = std::mem::replace(&mut i.def, st.def.clone());
            if i.persistent && persistent_def != st.def {
                i.next_def = Some(persistent_def);
            }
            i.persistent = st.persistent || i.persistent;
            i.state = st.state;
            i.id = st.id;
            i.run = Some(run.clone());
        }
        self.doms_mut().by_id.insert(st.id, vm.uuid);
        self.watch(vm, &run)?;
        Ok(())
    }
}
