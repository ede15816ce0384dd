//! The test driver's networks (libvirt's test driver `NetworkDriver` entries).

use super::TestDriver;
use crate::driver::NetworkDriver;
use crate::error::Result;

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &[];

/// The networks of one test connection.
#[derive(Default)]
pub(super) struct Networks {}

impl Networks {
    /// From the XML text of each object a node file (or the default node) defines.
    pub(super) fn load(_docs: &[String]) -> Result<Networks> {
        Ok(Networks::default())
    }
}

impl NetworkDriver for TestDriver {}
