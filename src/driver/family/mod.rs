//! libvirt's driver tables as traits, one per API family (libvirt's virHypervisorDriver,
//! virNetworkDriver, virStorageDriver, ...). Every method has a default body that answers
//! VIR_ERR_NO_SUPPORT with the public function's name under the error domain the reference's
//! public layer uses for that family, so a driver implements only what it serves: an empty
//! `impl NetworkDriver for QemuDriver {}` means it serves none of the network API.
//!
//! The connection reaches each family through its driver ([`crate::driver::Driver`]'s accessors,
//! like libvirt's `conn->driver`, `conn->networkDriver`, ...). Adding a public function means a
//! method with its default here and a body in each driver that serves it.

mod connect;
mod domain;
mod event;
mod interface;
mod network;
mod node;
mod node_device;
mod nwfilter;
mod secret;
mod storage;
mod stream;

pub use connect::{CloseSink, ConnectDriver};
pub use domain::DomainDriver;
pub use event::{DomainEventDriver, NetworkEventDriver};
pub use interface::InterfaceDriver;
pub use network::NetworkDriver;
pub use node::NodeDriver;
pub use node_device::NodeDeviceDriver;
pub use nwfilter::NwFilterDriver;
pub use secret::SecretDriver;
pub use storage::StorageDriver;
pub use stream::StreamDriver;

use crate::error::{Error, Result};

/// The answer of a driver that does not serve `function`, under `error_domain`.
pub(crate) fn unsupported<T>(error_domain: i32, function: &str) -> Result<T> {
    Err(Error::no_support(error_domain, function))
}
