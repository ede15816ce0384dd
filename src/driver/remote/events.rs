//! The daemon's events onto the connection's bus: domain lifecycle events from the start, the
//! network, storage pool and node device families once the application first registers a
//! callback for one of them (then every event id of the family, for every object: the bus
//! filters per callback, as the reference's client filters what its daemon sends).

use super::convert::FromWire;
use super::RemoteDriver;
use crate::api::{NetworkEventID, NodeDeviceEventID, StoragePoolEventID};
use crate::domain::DomainRef;
use crate::driver::family::NodeDeviceRef;
use crate::error::Result;
use crate::event::{Bus, Family};
use oxvirt_rpc::protocol::{self, proc};
use oxvirt_rpc::xdr::{Dec, Xdr};
use std::sync::Arc;

/// An object of another family as the bus carries it (its name and UUID).
fn object(name: String, uuid: [u8; 16]) -> DomainRef {
    DomainRef { name, uuid, id: -1 }
}

fn decode<M: Xdr>(body: &[u8]) -> Option<M> {
    M::decode(&mut Dec::new(body)).ok()
}

/// One asynchronous message of the daemon, onto `bus`; what we cannot read is dropped.
pub(super) fn deliver(bus: &Bus, procedure: i32, body: &[u8]) {
    match procedure {
        proc::DOMAIN_EVENT_CALLBACK_LIFECYCLE => {
            if let Some(m) = decode::<protocol::DomainEventCallbackLifecycleMsg>(body) {
                if let Ok(dom) = DomainRef::from_wire(m.msg.dom) {
                    bus.forward(&dom, m.msg.event, m.msg.detail);
                }
            }
        }
        proc::NETWORK_EVENT_LIFECYCLE => {
            if let Some(m) = decode::<protocol::NetworkEventLifecycleMsg>(body) {
                let id = Family::Network.bus_id(NetworkEventID::Lifecycle.into());
                bus.emit_for(id, &object(m.net.name, m.net.uuid), m.event, m.detail);
            }
        }
        proc::STORAGE_POOL_EVENT_LIFECYCLE => {
            if let Some(m) = decode::<protocol::StoragePoolEventLifecycleMsg>(body) {
                let id = Family::StoragePool.bus_id(StoragePoolEventID::Lifecycle.into());
                bus.emit_for(id, &object(m.pool.name, m.pool.uuid), m.event, m.detail);
            }
        }
        proc::STORAGE_POOL_EVENT_REFRESH => {
            if let Some(m) = decode::<protocol::StoragePoolEventRefreshMsg>(body) {
                let id = Family::StoragePool.bus_id(StoragePoolEventID::Refresh.into());
                bus.emit_for(id, &object(m.pool.name, m.pool.uuid), 0, 0);
            }
        }
        proc::NODE_DEVICE_EVENT_LIFECYCLE => {
            if let Some(m) = decode::<protocol::NodeDeviceEventLifecycleMsg>(body) {
                let key = NodeDeviceRef::event_key(&m.dev.name);
                let id = Family::NodeDevice.bus_id(NodeDeviceEventID::Lifecycle.into());
                bus.emit_for(id, &object(m.dev.name, key), m.event, m.detail);
            }
        }
        proc::NODE_DEVICE_EVENT_UPDATE => {
            if let Some(m) = decode::<protocol::NodeDeviceEventUpdateMsg>(body) {
                let key = NodeDeviceRef::event_key(&m.dev.name);
                let id = Family::NodeDevice.bus_id(NodeDeviceEventID::Update.into());
                bus.emit_for(id, &object(m.dev.name, key), 0, 0);
            }
        }
        _ => {}
    }
}

/// The bus for `family`'s callbacks; the daemon is asked for the family's events the first
/// time the application registers one (`function`, the public call, is a registration).
pub(super) fn family_bus<'a>(
    d: &'a RemoteDriver,
    family: Family,
    function: &str,
) -> Result<&'a Arc<Bus>> {
    if function.contains("Deregister") {
        return Ok(&d.bus);
    }
    let mut subscribed = d.subscribed.lock().unwrap_or_else(|p| p.into_inner());
    let slot = &mut subscribed[family as usize];
    if !*slot {
        subscribe(d, family)?;
        *slot = true;
    }
    Ok(&d.bus)
}

fn subscribe(d: &RemoteDriver, family: Family) -> Result<()> {
    match family {
        Family::Network => {
            let args = protocol::ConnectNetworkEventRegisterAnyArgs {
                eventID: NetworkEventID::Lifecycle.into(),
                net: None,
            };
            let _: protocol::ConnectNetworkEventRegisterAnyRet =
                d.rpc(proc::CONNECT_NETWORK_EVENT_REGISTER_ANY, &args)?;
        }
        Family::StoragePool => {
            for id in [StoragePoolEventID::Lifecycle, StoragePoolEventID::Refresh] {
                let args = protocol::ConnectStoragePoolEventRegisterAnyArgs {
                    eventID: id.into(),
                    pool: None,
                };
                let _: protocol::ConnectStoragePoolEventRegisterAnyRet =
                    d.rpc(proc::CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, &args)?;
            }
        }
        Family::NodeDevice => {
            for id in [NodeDeviceEventID::Lifecycle, NodeDeviceEventID::Update] {
                let args = protocol::ConnectNodeDeviceEventRegisterAnyArgs {
                    eventID: id.into(),
                    dev: None,
                };
                let _: protocol::ConnectNodeDeviceEventRegisterAnyRet =
                    d.rpc(proc::CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, &args)?;
            }
        }
        // Domain lifecycle events are asked for when the connection opens; secrets have no bus.
        Family::Domain | Family::Secret => {}
    }
    Ok(())
}
