//! Facts about the local host that connections and drivers both answer with.

use crate::error::{Error, Result, VIR_FROM_NONE};

/// The host's name (virConnectGetHostname of a local driver), as gethostname(2) gives it.
pub fn local_hostname() -> Result<String> {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into our buffer.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return Err(Error::system(
            VIR_FROM_NONE,
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            "failed to determine host name",
        ));
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// Whether this process runs with root's effective uid (the reference then reads its client
/// configuration from /etc/libvirt rather than the user's directory).
pub fn effective_uid_is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The calling thread's kernel id (what libvirt's log lines show).
pub fn thread_id() -> u64 {
    // SAFETY: gettid has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() };
    tid as u64
}
