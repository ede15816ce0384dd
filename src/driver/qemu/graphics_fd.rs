//! virDomainOpenGraphics and virDomainOpenGraphicsFD on the qemu driver: a socket handed to qemu
//! (`getfd` with the descriptor attached on the monitor's socket, then `add_client`), so that a
//! client talks to the guest's VNC or SPICE server without a TCP port, as the reference's.

use super::*;
use crate::api::DomainOpenGraphicsFlags;
use serde_json::json;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;

/// The name the descriptor goes by in qemu between `getfd` and `add_client`, as the reference's.
const GRAPHICS_FD_NAME: &str = "graphicsfd";

impl QemuDriver {
    /// The protocol qemu serves for the live definition's graphics backend `idx`, after the
    /// reference's checks: a running domain, an index in range, VNC or SPICE.
    fn graphics_protocol(&self, d: &DomainRef, idx: u32) -> Result<&'static str> {
        let (vm, _) = self.lifecycle_check(d)?;
        let kind = {
            let i = vm.lock();
            let graphics: Vec<_> = i
                .def
                .devices
                .iter()
                .filter(|e| e.name == "graphics")
                .collect();
            match graphics.get(idx as usize) {
                Some(g) => g.attr("type").unwrap_or_default().to_string(),
                None => {
                    return Err(Error::internal(
                        VIR_FROM_QEMU,
                        format!("No graphics backend with index {idx}"),
                    ))
                }
            }
        };
        match kind.as_str() {
            "vnc" => Ok("vnc"),
            "spice" => Ok("spice"),
            other => Err(Error::with(
                crate::error::VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_QEMU,
                format!("Can only open VNC or SPICE graphics backends, not {other}"),
            )),
        }
    }

    /// qemu takes `fd` as a client of the graphics server `protocol` serves; the name it went
    /// by is released when qemu refuses the client.
    fn add_graphics_client(
        &self,
        d: &DomainRef,
        protocol: &str,
        fd: BorrowedFd<'_>,
        skipauth: bool,
    ) -> Result<()> {
        self.with_job(d, |_, mon| {
            let getfd = json!({ "fdname": GRAPHICS_FD_NAME });
            mon.mon
                .execute_with_fds("getfd", Some(getfd), &[fd], mon.timeout)
                .map_err(|e| monitor_error(e, "getfd", mon.timeout))?;
            let client = json!({
                "protocol": protocol,
                "fdname": GRAPHICS_FD_NAME,
                "skipauth": skipauth,
            });
            let added = mon.mon.execute("add_client", Some(client), mon.timeout);
            if let Err(e) = added {
                let close = json!({ "fdname": GRAPHICS_FD_NAME });
                let _ = mon.mon.execute("closefd", Some(close), mon.timeout);
                return Err(monitor_error(e, "add_client", mon.timeout));
            }
            Ok(())
        })
    }

    pub(super) fn open_graphics(
        &self,
        d: &DomainRef,
        idx: u32,
        fd: BorrowedFd<'_>,
        flags: u32,
    ) -> Result<()> {
        let flags = check_flags(
            flags,
            DomainOpenGraphicsFlags::all(),
            "qemuDomainOpenGraphics",
        )?;
        let protocol = self.graphics_protocol(d, idx)?;
        let skipauth = flags.contains(DomainOpenGraphicsFlags::SKIPAUTH);
        self.add_graphics_client(d, protocol, fd, skipauth)
    }

    pub(super) fn open_graphics_fd(&self, d: &DomainRef, idx: u32, flags: u32) -> Result<OwnedFd> {
        let flags = check_flags(
            flags,
            DomainOpenGraphicsFlags::all(),
            "qemuDomainOpenGraphicsFD",
        )?;
        let protocol = self.graphics_protocol(d, idx)?;
        let (ours, qemus) = UnixStream::pair().map_err(|e| {
            Error::system(
                VIR_FROM_QEMU,
                e.raw_os_error().unwrap_or(libc::EIO),
                "Unable to create socket pair",
            )
        })?;
        let skipauth = flags.contains(DomainOpenGraphicsFlags::SKIPAUTH);
        // qemu has its own duplicate once `getfd` is answered: ours of its end closes here.
        self.add_graphics_client(d, protocol, qemus.as_fd(), skipauth)?;
        Ok(OwnedFd::from(ours))
    }
}
