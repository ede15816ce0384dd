//! The node family (libvirt's virHypervisorDriver `node*` entries): the host as the driver sees it.

use super::unsupported;
use crate::driver::NodeInfo;
use crate::error::{Result, VIR_FROM_DOMAIN};

pub trait NodeDriver: Send + Sync {
    /// virNodeGetInfo.
    fn node_info(&self) -> Result<NodeInfo> {
        unsupported(VIR_FROM_DOMAIN, "virNodeGetInfo")
    }
}
