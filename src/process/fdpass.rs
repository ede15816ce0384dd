//! File descriptors over unix sockets (SCM_RIGHTS): what libvirt's RPC passes with
//! CALL_WITH_FDS / REPLY_WITH_FDS messages, and what qemu's monitor takes with `getfd` and
//! `add-fd`. The system calls live here, behind safe functions; descriptors received are owned
//! (closed when dropped, whatever path the caller takes) and close-on-exec.

use std::io::{Error, ErrorKind, Result};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// The most descriptors one message carries here (libvirt's VIR_NET_MESSAGE_NUM_FDS_MAX, and
/// more than qemu takes with one command).
pub(crate) const MAX_FDS: usize = 32;

/// Room for the control message of `n` descriptors.
fn control_len(n: usize) -> usize {
    // SAFETY: CMSG_SPACE only computes a size.
    unsafe { libc::CMSG_SPACE((n * std::mem::size_of::<RawFd>()) as u32) as usize }
}

/// A control buffer on the stack (no allocation on every read of the remote client), in u64
/// words so that it is aligned for cmsghdr: room for [`MAX_FDS`] descriptors and their header.
type Control = [u64; 32];

/// Send `data` on the unix socket `sock` with `fds` attached to it (none: a plain send), without
/// SIGPIPE. Returns how much of `data` went; the descriptors go with the first byte sent.
pub fn send_with_fds(sock: BorrowedFd<'_>, data: &[u8], fds: &[BorrowedFd<'_>]) -> Result<usize> {
    if fds.len() > MAX_FDS {
        return Err(Error::new(ErrorKind::InvalidInput, "too many descriptors"));
    }
    let mut control: Control = [0; 32];
    debug_assert!(control_len(MAX_FDS) <= std::mem::size_of::<Control>());
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: an all-zero msghdr is a valid empty message.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control_len(fds.len()) as _;
        // SAFETY: msg_control points at a buffer of msg_controllen bytes, room for one header
        // and `fds.len()` descriptors; CMSG_FIRSTHDR is not NULL for a buffer that size.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len =
                libc::CMSG_LEN((fds.len() * std::mem::size_of::<RawFd>()) as u32) as _;
            let out = libc::CMSG_DATA(cmsg).cast::<RawFd>();
            for (i, fd) in fds.iter().enumerate() {
                out.add(i).write_unaligned(fd.as_raw_fd());
            }
        }
    }
    loop {
        // SAFETY: `msg` points at live buffers (iov over `data`, `control`) for the call.
        let n = unsafe { libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Send all of `data` on the unix socket `sock` without SIGPIPE: a peer that went away gives
/// EPIPE, where std's UnixStream, which writes with write(2), would kill the caller's process
/// (a C program linking us keeps SIGPIPE's default action).
pub fn send_all(sock: BorrowedFd<'_>, mut data: &[u8]) -> Result<()> {
    while !data.is_empty() {
        match send_with_fds(sock, data, &[])? {
            0 => return Err(ErrorKind::WriteZero.into()),
            n => data = &data[n..],
        }
    }
    Ok(())
}

/// Receive into `buf` from the unix socket `sock`; descriptors that came with the bytes are
/// appended to `fds`, owned and close-on-exec. Descriptors the kernel had to drop (more than
/// [`MAX_FDS`] in one message) make an error, after those received are closed.
pub fn recv_with_fds(
    sock: BorrowedFd<'_>,
    buf: &mut [u8],
    fds: &mut Vec<OwnedFd>,
) -> Result<usize> {
    let mut control: Control = [0; 32];
    debug_assert!(control_len(MAX_FDS) <= std::mem::size_of::<Control>());
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: an all-zero msghdr is a valid empty message.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = control_len(MAX_FDS) as _;
    let n = loop {
        // SAFETY: `msg` points at live, writable buffers (iov over `buf`, `control`).
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 {
            break n as usize;
        }
        let e = Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    };
    let mut got = Vec::new();
    // SAFETY: the kernel filled msg_control with msg_controllen bytes of control messages; each
    // SCM_RIGHTS one holds descriptors now open in this process, which become ours here.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg).cast::<RawFd>();
                let len = (*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                for i in 0..len / std::mem::size_of::<RawFd>() {
                    got.push(OwnedFd::from_raw_fd(data.add(i).read_unaligned()));
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    if msg.msg_flags & libc::MSG_CTRUNC != 0 {
        return Err(Error::new(
            ErrorKind::InvalidData,
            "file descriptors received were truncated",
        ));
    }
    fds.extend(got);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn the_control_buffer_holds_the_most_descriptors() {
        assert!(control_len(MAX_FDS) <= std::mem::size_of::<Control>());
    }

    #[test]
    fn descriptors_travel_with_their_bytes_and_are_owned() {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut x, y) = UnixStream::pair().unwrap();
        assert_eq!(send_with_fds(a.as_fd(), b"hello", &[]).unwrap(), 5);
        assert_eq!(send_with_fds(a.as_fd(), b"!", &[y.as_fd()]).unwrap(), 1);
        drop(y);
        let mut buf = [0u8; 16];
        let mut fds = Vec::new();
        let mut got = 0;
        while got < 6 {
            got += recv_with_fds(b.as_fd(), &mut buf[got..], &mut fds).unwrap();
        }
        assert_eq!(&buf[..6], b"hello!");
        assert_eq!(fds.len(), 1);
        // The descriptor received is the other end of the pair: what goes in comes out.
        let mut y = UnixStream::from(fds.pop().unwrap());
        y.write_all(b"ok").unwrap();
        let mut two = [0u8; 2];
        x.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"ok");
    }
}
