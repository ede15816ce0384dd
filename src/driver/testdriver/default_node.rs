//! The objects of the reference's default node (`test:///default`) beside its domain, as XML
//! text each family's module loads; each module keeps its own (`DEFAULT_NODE`).

use super::node_file::NodeObjects;
use super::{interface, network, node_device, storage};

pub(super) fn objects() -> NodeObjects {
    let texts = |docs: &[&str]| docs.iter().map(|d| d.to_string()).collect();
    NodeObjects {
        networks: texts(network::DEFAULT_NODE),
        interfaces: texts(interface::DEFAULT_NODE),
        pools: texts(storage::DEFAULT_NODE),
        devices: texts(node_device::DEFAULT_NODE),
    }
}
