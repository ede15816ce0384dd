//! The test driver's storage pools and their volumes (libvirt's test driver `StorageDriver` entries).

use super::TestDriver;
use crate::driver::StorageDriver;
use crate::error::Result;

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &[];

/// The storage pools and their volumes of one test connection.
#[derive(Default)]
pub(super) struct Storage {}

impl Storage {
    /// From the XML text of each object a node file (or the default node) defines.
    pub(super) fn load(_docs: &[String]) -> Result<Storage> {
        Ok(Storage::default())
    }
}

impl StorageDriver for TestDriver {}
