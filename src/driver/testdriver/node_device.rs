//! The test driver's node devices (libvirt's test driver `NodeDeviceDriver` entries).

use super::TestDriver;
use crate::driver::NodeDeviceDriver;
use crate::error::Result;

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &[];

/// The node devices of one test connection.
#[derive(Default)]
pub(super) struct NodeDevices {}

impl NodeDevices {
    /// From the XML text of each object a node file (or the default node) defines.
    pub(super) fn load(_docs: &[String]) -> Result<NodeDevices> {
        Ok(NodeDevices::default())
    }
}

impl NodeDeviceDriver for TestDriver {}
