//! The test driver's host interfaces (libvirt's test driver `InterfaceDriver` entries).

use super::TestDriver;
use crate::driver::InterfaceDriver;
use crate::error::Result;

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &[];

/// The host interfaces of one test connection.
#[derive(Default)]
pub(super) struct Interfaces {}

impl Interfaces {
    /// From the XML text of each object a node file (or the default node) defines.
    pub(super) fn load(_docs: &[String]) -> Result<Interfaces> {
        Ok(Interfaces::default())
    }
}

impl InterfaceDriver for TestDriver {}
