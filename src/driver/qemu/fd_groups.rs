//! virDomainFDAssociate on the qemu driver: the caller's descriptors, duplicated, kept by name on
//! the domain for disks whose `<source fdgroup='NAME'/>` names them, as the reference's; a group
//! given again under the same name replaces the first.

use super::*;
use crate::api::DomainFDAssociateFlags;
use std::collections::HashMap;
use std::os::fd::{BorrowedFd, OwnedFd};

/// One group: its descriptors and the caller's wishes for their security labels. Held open
/// for the domain's life; no disk reads them yet (`<source fdgroup>` is not started with).
#[allow(dead_code)]
pub struct FdGroup {
    pub fds: Vec<OwnedFd>,
    pub flags: DomainFDAssociateFlags,
}

pub type FdGroups = HashMap<String, FdGroup>;

impl QemuDriver {
    pub(super) fn fd_associate(
        &self,
        d: &DomainRef,
        name: String,
        fds: &[BorrowedFd<'_>],
        flags: u32,
    ) -> Result<()> {
        let flags = check_flags(
            flags,
            DomainFDAssociateFlags::all(),
            "qemuDomainFDAssociate",
        )?;
        if fds.is_empty() {
            return Ok(());
        }
        let vm = self.vm_of(d)?;
        let mut owned = Vec::with_capacity(fds.len());
        for (i, fd) in fds.iter().enumerate() {
            let dup = fd.try_clone_to_owned().map_err(|e| {
                Error::system(
                    VIR_FROM_QEMU,
                    e.raw_os_error().unwrap_or(libc::EBADF),
                    format!("failed to duplicate passed fd with index '{i}'"),
                )
            })?;
            owned.push(dup);
        }
        let group = FdGroup { fds: owned, flags };
        vm.fd_groups
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name, group);
        Ok(())
    }
}
