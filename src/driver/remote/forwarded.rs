//! Conversions of the replies of procedures forwarded since issue 18's session 7 (the
//! generated.rs methods use them through FromWire).

use super::convert::{FromWire, ToWire};
use crate::driver::family::{
    AnyParams, AuthorizedKeys, BlockJobInfo, GuestVcpus, IoThreadInfo, IoThreadInfos,
    NodeDeviceAutostart, NwFilterBindingRef, SevInfo, TypedParams,
};
use crate::error::Result;
use oxvirt_rpc::protocol as wire;

impl FromWire<Vec<String>> for AuthorizedKeys {
    fn from_wire(keys: Vec<String>) -> Result<Self> {
        Ok(AuthorizedKeys(keys))
    }
}

/// virNodeGetSEVInfo's reply: the parameters and their count (the list's length).
impl FromWire<(Vec<wire::TypedParam>, i32)> for SevInfo {
    fn from_wire((params, _count): (Vec<wire::TypedParam>, i32)) -> Result<Self> {
        TypedParams::from_wire(params).map(SevInfo)
    }
}

impl FromWire<Vec<wire::TypedParam>> for GuestVcpus {
    fn from_wire(params: Vec<wire::TypedParam>) -> Result<Self> {
        TypedParams::from_wire(params).map(GuestVcpus)
    }
}

impl FromWire<i32> for NodeDeviceAutostart {
    fn from_wire(autostart: i32) -> Result<Self> {
        Ok(NodeDeviceAutostart(autostart != 0))
    }
}

impl FromWire<Vec<wire::DomainIothreadInfo>> for IoThreadInfos {
    fn from_wire(threads: Vec<wire::DomainIothreadInfo>) -> Result<Self> {
        Ok(IoThreadInfos(
            threads
                .into_iter()
                .map(|t| IoThreadInfo {
                    id: t.iothread_id,
                    cpumap: t.cpumap,
                })
                .collect(),
        ))
    }
}

impl ToWire<Vec<wire::TypedParam>> for AnyParams {
    fn to_wire(self) -> Vec<wire::TypedParam> {
        self.0.to_wire()
    }
}

impl ToWire<wire::NonnullNwfilterBinding> for &NwFilterBindingRef {
    fn to_wire(self) -> wire::NonnullNwfilterBinding {
        wire::NonnullNwfilterBinding {
            portdev: self.portdev.clone(),
            filtername: self.filtername.clone(),
        }
    }
}

impl FromWire<wire::NonnullNwfilterBinding> for NwFilterBindingRef {
    fn from_wire(w: wire::NonnullNwfilterBinding) -> Result<Self> {
        Ok(NwFilterBindingRef {
            portdev: w.portdev,
            filtername: w.filtername,
        })
    }
}

/// The daemon's block job answer: `found` says whether the disk runs a job at all.
impl FromWire<(i32, i32, u64, u64, u64)> for Option<BlockJobInfo> {
    fn from_wire((found, kind, bandwidth, cur, end): (i32, i32, u64, u64, u64)) -> Result<Self> {
        Ok((found != 0).then_some(BlockJobInfo {
            kind,
            bandwidth,
            cur,
            end,
        }))
    }
}
