//! The procedures that pass file descriptors (CALL_WITH_FDS / REPLY_WITH_FDS over the daemon's
//! unix socket): virDomainOpenGraphics, virDomainOpenGraphicsFD, virDomainFDAssociate and
//! libvirt-qemu's virDomainQemuMonitorCommandWithFiles. The daemon says it passes descriptors
//! whatever the transport, so the public layer lets them through: elsewhere than a unix socket
//! (TCP, TLS, ssh) the client refuses to send descriptors, as the reference's.

use super::convert::ToWire;
use super::RemoteDriver;
use crate::domain::DomainRef;
use crate::error::{Error, Result, VIR_FROM_REMOTE};
use oxvirt_rpc::protocol::{self, proc, qemu_proc};
use oxvirt_rpc::xdr::{Dec, Enc, Xdr};
use std::os::fd::{BorrowedFd, OwnedFd};

/// One call of `program` with `fds`: the decoded reply and the descriptors it brought.
fn call<A: Xdr, R: Xdr>(
    d: &RemoteDriver,
    (program, version, procedure): (u32, u32, i32),
    args: &A,
    fds: &[BorrowedFd<'_>],
) -> Result<(R, Vec<OwnedFd>)> {
    let mut e = Enc::new();
    args.encode(&mut e);
    let (body, got) = d
        .client
        .call_with_fds(program, version, procedure, &e.buf, fds)?;
    Ok((R::decode(&mut Dec::new(&body))?, got))
}

fn remote(procedure: i32) -> (u32, u32, i32) {
    (
        protocol::REMOTE_PROGRAM,
        protocol::REMOTE_PROTOCOL_VERSION,
        procedure,
    )
}

pub(super) fn open_graphics(
    d: &RemoteDriver,
    dom: &DomainRef,
    idx: u32,
    fd: BorrowedFd<'_>,
    flags: u32,
) -> Result<()> {
    let args = protocol::DomainOpenGraphicsArgs {
        dom: ToWire::to_wire(dom),
        idx,
        flags,
    };
    call::<_, ()>(d, remote(proc::DOMAIN_OPEN_GRAPHICS), &args, &[fd])?;
    Ok(())
}

pub(super) fn open_graphics_fd(
    d: &RemoteDriver,
    dom: &DomainRef,
    idx: u32,
    flags: u32,
) -> Result<OwnedFd> {
    let args = protocol::DomainOpenGraphicsFdArgs {
        dom: ToWire::to_wire(dom),
        idx,
        flags,
    };
    let ((), mut fds) = call(d, remote(proc::DOMAIN_OPEN_GRAPHICS_FD), &args, &[])?;
    match (fds.pop(), fds.is_empty()) {
        (Some(fd), true) => Ok(fd),
        // Any other count: whatever came is closed, as the reference's.
        _ => Err(Error::internal(
            VIR_FROM_REMOTE,
            "no file descriptor received",
        )),
    }
}

pub(super) fn fd_associate(
    d: &RemoteDriver,
    dom: &DomainRef,
    name: String,
    fds: &[BorrowedFd<'_>],
    flags: u32,
) -> Result<()> {
    let args = protocol::DomainFdAssociateArgs {
        dom: ToWire::to_wire(dom),
        name,
        flags,
    };
    call::<_, ()>(d, remote(proc::DOMAIN_FD_ASSOCIATE), &args, fds)?;
    Ok(())
}

pub(super) fn qemu_monitor_command_with_files(
    d: &RemoteDriver,
    dom: &DomainRef,
    cmd: String,
    fds: &[BorrowedFd<'_>],
    flags: u32,
) -> Result<(String, Vec<OwnedFd>)> {
    let args = protocol::QemuDomainMonitorCommandWithFilesArgs {
        dom: ToWire::to_wire(dom),
        cmd,
        flags,
    };
    let program = (
        protocol::QEMU_PROGRAM,
        protocol::QEMU_PROTOCOL_VERSION,
        qemu_proc::DOMAIN_MONITOR_COMMAND_WITH_FILES,
    );
    let (r, got): (protocol::QemuDomainMonitorCommandWithFilesRet, _) =
        call(d, program, &args, fds)?;
    Ok((r.result, got))
}
