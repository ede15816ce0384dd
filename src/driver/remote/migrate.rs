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

/// The tunnelled Prepare steps: the call opens a stream on the connection (as virStorageVolUpload
/// does) that carries the guest's migration data to the destination daemon.
pub(super) mod tunnel {
    use super::super::convert::ToWire;
    use super::super::stream::{channel, open};
    use super::super::RemoteDriver;
    use crate::driver::family::{StreamBody, TunnelPrepared, TypedParams};
    use crate::error::Result;
    use oxvirt_rpc::protocol::{self, proc};
    use oxvirt_rpc::xdr::{Dec, Xdr};

    pub(in super::super) fn prepare(
        d: &RemoteDriver,
        flags: u64,
        dname: Option<String>,
        resource: u64,
        dom_xml: String,
    ) -> Result<StreamBody> {
        let args = protocol::DomainMigratePrepareTunnelArgs {
            flags,
            dname,
            resource,
            dom_xml,
        };
        let (stream, _) = open(d, proc::DOMAIN_MIGRATE_PREPARE_TUNNEL, &args, false)?;
        Ok(channel(stream))
    }

    pub(in super::super) fn prepare3(
        d: &RemoteDriver,
        cookie_in: Vec<u8>,
        flags: u64,
        dname: Option<String>,
        resource: u64,
        dom_xml: String,
    ) -> Result<TunnelPrepared> {
        let args = protocol::DomainMigratePrepareTunnel3Args {
            cookie_in,
            flags,
            dname,
            resource,
            dom_xml,
        };
        let (stream, ret) = open(d, proc::DOMAIN_MIGRATE_PREPARE_TUNNEL3, &args, false)?;
        let ret = protocol::DomainMigratePrepareTunnel3Ret::decode(&mut Dec::new(&ret))?;
        Ok(TunnelPrepared {
            cookie: ret.cookie_out,
            body: channel(stream),
        })
    }

    pub(in super::super) fn prepare3_params(
        d: &RemoteDriver,
        params: TypedParams,
        cookie_in: Vec<u8>,
        flags: u32,
    ) -> Result<TunnelPrepared> {
        let args = protocol::DomainMigratePrepareTunnel3ParamsArgs {
            params: params.to_wire(),
            cookie_in,
            flags,
        };
        let procedure = proc::DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS;
        let (stream, ret) = open(d, procedure, &args, false)?;
        let ret = protocol::DomainMigratePrepareTunnel3ParamsRet::decode(&mut Dec::new(&ret))?;
        Ok(TunnelPrepared {
            cookie: ret.cookie_out,
            body: channel(stream),
        })
    }
}
