//! Parsing of `/proc/<pid>/stat`.
//!
//! The second field (`comm`) is the executable name in parentheses and may itself contain
//! spaces and parentheses, so the remaining fields are split after the LAST `)`.

use std::io;

/// The fields of `/proc/<pid>/stat` this crate uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcStat {
    /// Field 3: `R`, `S`, `D`, `Z`, `T`, `t`, `X`, `I`, ...
    pub state: char,
    /// Field 4: parent PID.
    pub ppid: i32,
    /// Field 14: user-mode CPU time in clock ticks.
    pub utime: u64,
    /// Field 15: kernel-mode CPU time in clock ticks.
    pub stime: u64,
    /// Field 22: start time in clock ticks since boot.
    pub start_time: u64,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed /proc stat data: {what}"),
    )
}

/// Parses the contents of a `/proc/<pid>/stat` file.
pub fn parse_stat(data: &[u8]) -> io::Result<ProcStat> {
    let close = data
        .iter()
        .rposition(|&b| b == b')')
        .ok_or_else(|| invalid("no ')' after comm"))?;
    let rest = data.get(close + 1..).unwrap_or_default();
    let rest = std::str::from_utf8(rest).map_err(|_| invalid("not UTF-8 after comm"))?;
    // After the last ')' come fields 3, 4, ...: index i holds field i + 3.
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    let field = |n: usize| -> io::Result<&str> {
        fields
            .get(n - 3)
            .copied()
            .ok_or_else(|| invalid("too few fields"))
    };
    let mut state_chars = field(3)?.chars();
    let state = match (state_chars.next(), state_chars.next()) {
        (Some(c), None) => c,
        _ => return Err(invalid("bad state field")),
    };
    let ppid = field(4)?
        .parse::<i32>()
        .map_err(|_| invalid("bad ppid field"))?;
    let ticks = |n: usize, what: &str| -> io::Result<u64> {
        field(n)?.parse::<u64>().map_err(|_| invalid(what))
    };
    let utime = ticks(14, "bad utime field")?;
    let stime = ticks(15, "bad stime field")?;
    let start_time = field(22)?
        .parse::<u64>()
        .map_err(|_| invalid("bad starttime field"))?;
    Ok(ProcStat {
        state,
        ppid,
        utime,
        stime,
        start_time,
    })
}

/// Reads and parses `/proc/<pid>/stat`. A missing process gives `ErrorKind::NotFound`
/// (`ENOENT`).
pub fn read_stat(pid: libc::pid_t) -> io::Result<ProcStat> {
    if pid <= 0 {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let data = std::fs::read(format!("/proc/{pid}/stat"))?;
    parse_stat(&data)
}

/// Start time of `pid` (field 22 of `/proc/<pid>/stat`, clock ticks since boot). Together
/// with the PID it identifies a process across PID reuse.
pub fn start_time(pid: libc::pid_t) -> io::Result<u64> {
    read_stat(pid).map(|s| s.start_time)
}

/// CPU time `pid` has used, user and kernel, in nanoseconds (fields 14 and 15).
pub fn cpu_time_ns(pid: libc::pid_t) -> io::Result<u64> {
    let s = read_stat(pid)?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Ok((s.utime + s.stime) * 1_000_000_000 / hz)
}

/// Scheduler state of `pid` (field 3 of `/proc/<pid>/stat`), e.g. `'T'` when stopped or
/// `'Z'` for a zombie.
pub fn state(pid: libc::pid_t) -> io::Result<char> {
    read_stat(pid).map(|s| s.state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(comm: &str) -> String {
        format!(
            "1234 ({comm}) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 \
             1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        )
    }

    #[test]
    fn parses_plain_comm() {
        let s = parse_stat(line("sleep").as_bytes()).unwrap();
        assert_eq!(s.state, 'S');
        assert_eq!(s.ppid, 1);
        assert_eq!((s.utime, s.stime), (1, 2));
        assert_eq!(s.start_time, 987654);
    }

    #[test]
    fn parses_hostile_comm() {
        for comm in ["a) b (c", ") R 5 6 7 )", "x y z", "((", ")"] {
            let s = parse_stat(line(comm).as_bytes()).unwrap();
            assert_eq!(s.start_time, 987654, "comm {comm:?}");
            assert_eq!(s.state, 'S');
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_stat(b"").is_err());
        assert!(parse_stat(b"12 (x) S 1 2").is_err());
        assert!(parse_stat(b"12 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20").is_err());
        let mut bad = line("x");
        bad = bad.replace("987654", "-5");
        assert!(parse_stat(bad.as_bytes()).is_err());
        assert!(parse_stat(b"1 (x) \xff 1").is_err());
    }

    #[test]
    fn reads_self() {
        let me = i32::try_from(std::process::id()).unwrap();
        let s = read_stat(me).unwrap();
        assert!(s.state.is_ascii_alphabetic());
        assert!(s.ppid > 0);
        assert_eq!(start_time(me).unwrap(), s.start_time);
        assert!(cpu_time_ns(me).is_ok());
        assert!(read_stat(0).is_err());
    }
}
