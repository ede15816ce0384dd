//! Values of the migration steps (libvirt's virDomainMigrate{Begin,Prepare,Perform,Finish,
//! Confirm}*): the cookies the two sides hand each other through the client, the source's
//! description of the guest, the destination's URI and the domain it ends up with.

use crate::domain::DomainRef;

/// The driver features the public layer asks about (libvirt's VIR_DRV_FEATURE_*,
/// src/libvirt_internal.h): before it migrates, and before a setter takes typed parameters. The
/// numbers are the RPC's.
pub mod feature {
    pub(crate) const MIGRATION_V1: i32 = 1;
    pub(crate) const MIGRATION_V2: i32 = 3;
    pub(crate) const MIGRATION_P2P: i32 = 4;
    pub(crate) const MIGRATION_DIRECT: i32 = 5;
    pub(crate) const MIGRATION_V3: i32 = 6;
    pub(crate) const MIGRATE_CHANGE_PROTECTION: i32 = 7;
    pub(crate) const TYPED_PARAM_STRING: i32 = 9;
    pub(crate) const XML_MIGRATABLE: i32 = 11;
    pub(crate) const MIGRATION_OFFLINE: i32 = 12;
    pub(crate) const MIGRATION_PARAMS: i32 = 13;
}

/// The source's Begin step: its cookie for the destination and the guest's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateBegun {
    pub cookie: Vec<u8>,
    pub xml: String,
}

/// The destination's Prepare step: its cookie for the source and, when it chose one, the URI
/// the source sends the guest to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigratePrepared {
    pub cookie: Vec<u8>,
    pub uri: Option<String>,
}

/// The destination's Finish step: the guest there and its cookie for the source's Confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateFinished {
    pub domain: DomainRef,
    pub cookie: Vec<u8>,
}

/// The destination's tunnelled Prepare step: its cookie, and the stream the source writes the
/// guest's migration data to.
pub struct TunnelPrepared {
    pub cookie: Vec<u8>,
    pub body: super::StreamBody,
}
