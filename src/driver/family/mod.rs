//! libvirt's driver tables as traits, one per API family (libvirt's virHypervisorDriver,
//! virNetworkDriver, virStorageDriver, ...). Every method has a default body that answers
//! VIR_ERR_NO_SUPPORT with the public function's name under the error domain the reference's
//! public layer uses for that family, so a driver implements only what it serves: an empty
//! `impl NetworkDriver for QemuDriver {}` means it serves none of the network API.
//!
//! The connection reaches each family through its driver ([`crate::driver::Driver`]'s accessors,
//! like libvirt's `conn->driver`, `conn->networkDriver`, ...). Adding a public function means a
//! method with its default here and a body in each driver that serves it.

mod block_jobs;
mod checkpoint;
mod connect;
mod domain;
mod domain_ifaces;
mod domain_params;
mod domain_stats;
mod domain_values;
mod event;
mod forwarded;
mod interface;
mod migrate;
mod network;
mod node;
mod node_device;
mod nwfilter;
mod secret;
mod snapshot;
mod storage;
mod stream;

pub use checkpoint::{CheckpointRef, DomainCheckpointDriver};
pub use connect::{CloseSink, ConnectDriver};
pub use domain::DomainDriver;
pub use event::{DomainEventDriver, NetworkEventDriver};
pub use forwarded::{
    AnyParams, AuthorizedKeys, GuestVcpus, IoThreadInfo, IoThreadInfos, NodeDeviceAutostart,
    SevInfo,
};
pub use interface::{InterfaceDriver, InterfaceRef};
pub use migrate::{feature, MigrateBegun, MigrateFinished, MigratePrepared, TunnelPrepared};
pub use network::{DhcpLease, DhcpLeases, NetworkDriver, NetworkPortRef, NetworkRef};
pub use node::NodeDriver;
pub use node_device::{NodeDeviceDriver, NodeDeviceRef};
pub use nwfilter::{NwFilterBindingRef, NwFilterDriver, NwFilterRef};
pub use secret::{SecretDriver, SecretRef, SecretValue};
pub use snapshot::{DomainSnapshotDriver, MomentNames, SnapshotRef, XmlFlags};
pub use storage::{StorageDriver, StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef};
pub use stream::{Screenshot, StreamBody, StreamCallback, StreamChannel, StreamDriver};
pub(crate) use stream::{RECV_AT_HOLE, RECV_WOULD_BLOCK};
// Values of the node and domain families' answers (issue 15's node and domain functions).
pub use block_jobs::BlockJobInfo;
pub use domain_ifaces::{AddressSource, GuestInterface, GuestInterfaces, IpAddress};
pub use domain_params::{MemoryBytes, ParamRoom, ParamsAnswer, SetParams, SetParamsOrNone};
pub use domain_stats::{BlockParams, JobInfo, JobStats, StatsRecord};
pub use domain_values::*;
pub use node::{
    check_cell_num, check_cells_range, check_cpu_num, AllocatedPages, CountRule, CpuMap, CpuModels,
    CpuXmls, ExactCount, FreePages, NodeStats, PageCounts, PageSizes, SecurityModel,
};

use crate::error::{Error, Result};

/// The answer of a driver that does not serve `function`, under `error_domain`.
pub(crate) fn unsupported<T>(error_domain: i32, function: &str) -> Result<T> {
    Err(Error::no_support(error_domain, function))
}

#[cfg(test)]
mod tests {
    use crate::driver::*;
    use crate::error::{VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN};
    use std::sync::Arc;

    /// A driver that serves nothing but its own name.
    struct Bare;

    impl ConnectDriver for Bare {
        fn kind(&self) -> &'static str {
            "BARE"
        }
        fn type_name(&self) -> &'static std::ffi::CStr {
            c"BARE"
        }
        fn error_domain(&self) -> i32 {
            VIR_FROM_DOMAIN
        }
    }
    impl DomainDriver for Bare {}
    impl NodeDriver for Bare {}
    impl DomainEventDriver for Bare {}
    impl NetworkDriver for Bare {}
    impl NetworkEventDriver for Bare {}
    impl InterfaceDriver for Bare {}
    impl StorageDriver for Bare {}
    impl NodeDeviceDriver for Bare {}
    impl SecretDriver for Bare {}
    impl NwFilterDriver for Bare {}
    impl StreamDriver for Bare {}
    impl DomainSnapshotDriver for Bare {}
    impl DomainCheckpointDriver for Bare {}

    #[test]
    fn a_missing_entry_is_not_supported_under_the_public_name() {
        let d: Arc<dyn Driver> = Arc::new(Bare);
        let e = d.domain().lookup_by_name("x").unwrap_err();
        assert_eq!((e.code, e.domain), (VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN));
        assert!(
            e.message.ends_with("virDomainLookupByName"),
            "{}",
            e.message
        );
        let e = d.node().node_info().unwrap_err();
        assert!(e.message.ends_with("virNodeGetInfo"), "{}", e.message);
        let e = d.connect().capabilities().unwrap_err();
        assert!(
            e.message.ends_with("virConnectGetCapabilities"),
            "{}",
            e.message
        );
        let bus = d
            .domain_event()
            .domain_events("virConnectDomainEventRegisterAny");
        let e = bus.err().expect("no bus");
        assert!(e.message.ends_with("virConnectDomainEventRegisterAny"));
        // A local connection: alive, never closes by itself, no kill harness.
        let c = d.connect();
        assert!(c.is_alive() && !c.can_close() && c.process_kill_harness().is_none());
    }
}
