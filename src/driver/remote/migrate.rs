//! The migration steps' replies (remote_domain_migrate_*_ret) as the family's values: the
//! generated forwarding (generated.rs) applies them.

use super::convert::FromWire;
use crate::domain::DomainRef;
use crate::driver::family::{MigrateBegun, MigrateFinished, MigratePrepared};
use crate::error::Result;
use oxvirt_rpc::protocol as wire;

/// Begin3's cookie and the guest's description.
impl FromWire<(Vec<u8>, String)> for MigrateBegun {
    fn from_wire((cookie, xml): (Vec<u8>, String)) -> Result<MigrateBegun> {
        Ok(MigrateBegun { cookie, xml })
    }
}

/// Prepare's cookie and the URI the destination chose (none: the caller's stands).
impl FromWire<(Vec<u8>, Option<String>)> for MigratePrepared {
    fn from_wire((cookie, uri): (Vec<u8>, Option<String>)) -> Result<MigratePrepared> {
        Ok(MigratePrepared { cookie, uri })
    }
}

/// Finish3's guest and its cookie for Confirm.
impl FromWire<(wire::NonnullDomain, Vec<u8>)> for MigrateFinished {
    fn from_wire((dom, cookie): (wire::NonnullDomain, Vec<u8>)) -> Result<MigrateFinished> {
        Ok(MigrateFinished {
            domain: DomainRef::from_wire(dom)?,
            cookie,
        })
    }
}
