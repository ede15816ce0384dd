//! The CPU-time clock of another process, read with one system call on hot paths (GetInfo).

/// The CPU-time clock of another process (`clock_getcpuclockid(3)`): reading it is one
/// `clock_gettime` system call, where `/proc/PID/stat` costs an open, a read, a close and a parse.
/// The kernel lets any process read any other process's CPU clock.
///
/// The clock names the process by its pid: the caller makes sure the pid is still the process it
/// means (e.g. through its pidfd) before it trusts a reading.
#[derive(Clone, Copy, Debug)]
pub struct CpuClock(libc::clockid_t);

impl CpuClock {
    /// The clock of process `pid` (all its threads together), if the kernel has one for it (it
    /// has none once the process is reaped).
    pub fn of_process(pid: i32) -> Option<CpuClock> {
        let mut id: libc::clockid_t = 0;
        // SAFETY: `id` is a valid, exclusively borrowed clockid_t the call writes to.
        let rc = unsafe { libc::clock_getcpuclockid(pid, &mut id) };
        (rc == 0).then_some(CpuClock(id))
    }

    /// The CPU time the process has used, in nanoseconds; `None` once the process is gone.
    pub fn read_ns(self) -> Option<u64> {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, exclusively borrowed timespec the call writes to.
        let rc = unsafe { libc::clock_gettime(self.0, &mut ts) };
        if rc != 0 {
            return None;
        }
        let secs = u64::try_from(ts.tv_sec).ok()?;
        let nanos = u64::try_from(ts.tv_nsec).ok()?;
        Some(secs * 1_000_000_000 + nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_cpu_clock_moves_forward() {
        let me = i32::try_from(std::process::id()).unwrap();
        let clock = CpuClock::of_process(me).expect("our own clock");
        let first = clock.read_ns().expect("a reading");
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        assert!(clock.read_ns().expect("a reading") > first);
    }

    #[test]
    fn a_pid_nobody_has_has_no_clock() {
        // Above /proc/sys/kernel/pid_max's largest possible value (2^22).
        assert!(CpuClock::of_process(1 << 23).is_none());
    }
}
