//! The daemon's events onto the connection's bus: each family's (domain, network, storage
//! pool, node device, secret) once the application first registers a callback for one of them,
//! then every event id of the family, for every object: the bus filters per callback, as the
//! reference's client filters what its daemon sends. Domain events other than the lifecycle's
//! carry their arguments as the local drivers' do (`event::Payload`).

use super::client::{closed_error, Client};
use super::convert::FromWire;
use super::rpc;
use super::RemoteDriver;
use crate::api::{
    DomainEventID, NetworkEventID, NodeDeviceEventID, SecretEventID, StoragePoolEventID,
};
use crate::domain::DomainRef;
use crate::driver::family::{NodeDeviceRef, TypedParams};
use crate::error::Result;
use crate::event::{Bus, Family, Graphics, GraphicsAddress, Payload, Upstream};
use oxvirt_rpc::protocol::{self, proc};
use oxvirt_rpc::xdr::{Dec, Xdr};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// An object of another family as the bus carries it (its name and UUID).
fn object(name: String, uuid: [u8; 16]) -> DomainRef {
    DomainRef { name, uuid, id: -1 }
}

fn decode<M: Xdr>(body: &[u8]) -> Option<M> {
    M::decode(&mut Dec::new(body)).ok()
}

/// A domain event other than the lifecycle's: its id, the domain and its arguments.
type Decoded = (DomainEventID, DomainRef, Payload);

fn dom(w: protocol::NonnullDomain) -> Option<DomainRef> {
    DomainRef::from_wire(w).ok()
}

fn graphics_address(a: protocol::DomainEventGraphicsAddress) -> GraphicsAddress {
    GraphicsAddress {
        family: a.family,
        node: a.node,
        service: a.service,
    }
}

/// The daemon's message `procedure` as a domain event with arguments (None: not one, or not
/// readable). The daemon sends the callback forms (with the id of our one registration per
/// event id), and BLOCK_JOB_2 and later ids only in that form.
fn domain_event(procedure: i32, body: &[u8]) -> Option<Decoded> {
    use DomainEventID as Id;
    use Payload as P;
    Some(match procedure {
        proc::DOMAIN_EVENT_CALLBACK_REBOOT => {
            let m = decode::<protocol::DomainEventCallbackRebootMsg>(body)?.msg;
            (Id::Reboot, dom(m.dom)?, P::None)
        }
        proc::DOMAIN_EVENT_CALLBACK_RTC_CHANGE => {
            let m = decode::<protocol::DomainEventCallbackRtcChangeMsg>(body)?.msg;
            (Id::RtcChange, dom(m.dom)?, P::LongLong(m.offset))
        }
        proc::DOMAIN_EVENT_CALLBACK_WATCHDOG => {
            let m = decode::<protocol::DomainEventCallbackWatchdogMsg>(body)?.msg;
            (Id::Watchdog, dom(m.dom)?, P::Int(m.action))
        }
        proc::DOMAIN_EVENT_CALLBACK_IO_ERROR => {
            let m = decode::<protocol::DomainEventCallbackIoErrorMsg>(body)?.msg;
            let p = P::IoError {
                src_path: m.srcPath,
                dev_alias: m.devAlias,
                action: m.action,
                reason: String::new(),
            };
            (Id::IoError, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON => {
            let m = decode::<protocol::DomainEventCallbackIoErrorReasonMsg>(body)?.msg;
            let p = P::IoError {
                src_path: m.srcPath,
                dev_alias: m.devAlias,
                action: m.action,
                reason: m.reason,
            };
            (Id::IoErrorReason, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_CALLBACK_GRAPHICS => {
            let m = decode::<protocol::DomainEventCallbackGraphicsMsg>(body)?.msg;
            let g = Graphics {
                phase: m.phase,
                local: graphics_address(m.local),
                remote: graphics_address(m.remote),
                auth_scheme: m.authScheme,
                subject: m.subject.into_iter().map(|i| (i.r#type, i.name)).collect(),
            };
            (Id::Graphics, dom(m.dom)?, P::Graphics(Box::new(g)))
        }
        proc::DOMAIN_EVENT_CALLBACK_CONTROL_ERROR => {
            let m = decode::<protocol::DomainEventCallbackControlErrorMsg>(body)?.msg;
            (Id::ControlError, dom(m.dom)?, P::None)
        }
        proc::DOMAIN_EVENT_CALLBACK_BLOCK_JOB => {
            let m = decode::<protocol::DomainEventCallbackBlockJobMsg>(body)?.msg;
            let p = P::BlockJob {
                disk: m.path,
                kind: m.r#type,
                status: m.status,
            };
            (Id::BlockJob, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_BLOCK_JOB_2 => {
            let m = decode::<protocol::DomainEventBlockJob2Msg>(body)?;
            let p = P::BlockJob {
                disk: m.dst,
                kind: m.r#type,
                status: m.status,
            };
            (Id::BlockJob2, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_CALLBACK_DISK_CHANGE => {
            let m = decode::<protocol::DomainEventCallbackDiskChangeMsg>(body)?.msg;
            let p = P::DiskChange {
                old_src: m.oldSrcPath,
                new_src: m.newSrcPath,
                dev_alias: m.devAlias,
                reason: m.reason,
            };
            (Id::DiskChange, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_CALLBACK_TRAY_CHANGE => {
            let m = decode::<protocol::DomainEventCallbackTrayChangeMsg>(body)?.msg;
            (
                Id::TrayChange,
                dom(m.dom)?,
                P::TextInt(m.devAlias, m.reason),
            )
        }
        proc::DOMAIN_EVENT_CALLBACK_PMWAKEUP => {
            let m = decode::<protocol::DomainEventCallbackPmwakeupMsg>(body)?;
            (Id::Pmwakeup, dom(m.msg.dom)?, P::Int(m.reason))
        }
        proc::DOMAIN_EVENT_CALLBACK_PMSUSPEND => {
            let m = decode::<protocol::DomainEventCallbackPmsuspendMsg>(body)?;
            (Id::Pmsuspend, dom(m.msg.dom)?, P::Int(m.reason))
        }
        proc::DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK => {
            let m = decode::<protocol::DomainEventCallbackPmsuspendDiskMsg>(body)?;
            (Id::PmsuspendDisk, dom(m.msg.dom)?, P::Int(m.reason))
        }
        proc::DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE => {
            let m = decode::<protocol::DomainEventCallbackBalloonChangeMsg>(body)?.msg;
            (Id::BalloonChange, dom(m.dom)?, P::ULongLong(m.actual))
        }
        proc::DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED => {
            let m = decode::<protocol::DomainEventCallbackDeviceRemovedMsg>(body)?.msg;
            (Id::DeviceRemoved, dom(m.dom)?, P::Text(m.devAlias))
        }
        proc::DOMAIN_EVENT_CALLBACK_DEVICE_ADDED => {
            let m = decode::<protocol::DomainEventCallbackDeviceAddedMsg>(body)?;
            (Id::DeviceAdded, dom(m.dom)?, P::Text(m.devAlias))
        }
        proc::DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED => {
            let m = decode::<protocol::DomainEventCallbackDeviceRemovalFailedMsg>(body)?;
            (Id::DeviceRemovalFailed, dom(m.dom)?, P::Text(m.devAlias))
        }
        proc::DOMAIN_EVENT_CALLBACK_TUNABLE => {
            let m = decode::<protocol::DomainEventCallbackTunableMsg>(body)?;
            let p = P::Params(TypedParams::from_wire(m.params).ok()?);
            (Id::Tunable, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE => {
            let m = decode::<protocol::DomainEventCallbackAgentLifecycleMsg>(body)?;
            (
                Id::AgentLifecycle,
                dom(m.dom)?,
                P::TwoInts(m.state, m.reason),
            )
        }
        proc::DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION => {
            let m = decode::<protocol::DomainEventCallbackMigrationIterationMsg>(body)?;
            (Id::MigrationIteration, dom(m.dom)?, P::Int(m.iteration))
        }
        proc::DOMAIN_EVENT_CALLBACK_JOB_COMPLETED => {
            let m = decode::<protocol::DomainEventCallbackJobCompletedMsg>(body)?;
            let p = P::Params(TypedParams::from_wire(m.params).ok()?);
            (Id::JobCompleted, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_CALLBACK_METADATA_CHANGE => {
            let m = decode::<protocol::DomainEventCallbackMetadataChangeMsg>(body)?;
            let p = P::Metadata {
                kind: m.r#type,
                nsuri: m.nsuri,
            };
            (Id::MetadataChange, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_BLOCK_THRESHOLD => {
            let m = decode::<protocol::DomainEventBlockThresholdMsg>(body)?;
            let p = P::BlockThreshold {
                dev: m.dev,
                path: m.path,
                threshold: m.threshold,
                excess: m.excess,
            };
            (Id::BlockThreshold, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_MEMORY_FAILURE => {
            let m = decode::<protocol::DomainEventMemoryFailureMsg>(body)?;
            let p = P::MemoryFailure {
                recipient: m.recipient,
                action: m.action,
                flags: m.flags,
            };
            (Id::MemoryFailure, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE => {
            let m = decode::<protocol::DomainEventMemoryDeviceSizeChangeMsg>(body)?;
            (
                Id::MemoryDeviceSizeChange,
                dom(m.dom)?,
                P::TextULongLong(m.alias, m.size),
            )
        }
        _ => return None,
    })
}

/// A legacy message (no callback id: a daemon asked with the legacy procedures sends these) as
/// a domain event with arguments; the PM events carry no reason there (0, as the reference's
/// client reads them).
fn legacy_domain_event(procedure: i32, body: &[u8]) -> Option<Decoded> {
    use DomainEventID as Id;
    use Payload as P;
    Some(match procedure {
        proc::DOMAIN_EVENT_REBOOT => {
            let m = decode::<protocol::DomainEventRebootMsg>(body)?;
            (Id::Reboot, dom(m.dom)?, P::None)
        }
        proc::DOMAIN_EVENT_RTC_CHANGE => {
            let m = decode::<protocol::DomainEventRtcChangeMsg>(body)?;
            (Id::RtcChange, dom(m.dom)?, P::LongLong(m.offset))
        }
        proc::DOMAIN_EVENT_WATCHDOG => {
            let m = decode::<protocol::DomainEventWatchdogMsg>(body)?;
            (Id::Watchdog, dom(m.dom)?, P::Int(m.action))
        }
        proc::DOMAIN_EVENT_IO_ERROR => {
            let m = decode::<protocol::DomainEventIoErrorMsg>(body)?;
            let p = P::IoError {
                src_path: m.srcPath,
                dev_alias: m.devAlias,
                action: m.action,
                reason: String::new(),
            };
            (Id::IoError, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_IO_ERROR_REASON => {
            let m = decode::<protocol::DomainEventIoErrorReasonMsg>(body)?;
            let p = P::IoError {
                src_path: m.srcPath,
                dev_alias: m.devAlias,
                action: m.action,
                reason: m.reason,
            };
            (Id::IoErrorReason, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_GRAPHICS => {
            let m = decode::<protocol::DomainEventGraphicsMsg>(body)?;
            let g = Graphics {
                phase: m.phase,
                local: graphics_address(m.local),
                remote: graphics_address(m.remote),
                auth_scheme: m.authScheme,
                subject: m.subject.into_iter().map(|i| (i.r#type, i.name)).collect(),
            };
            (Id::Graphics, dom(m.dom)?, P::Graphics(Box::new(g)))
        }
        proc::DOMAIN_EVENT_CONTROL_ERROR => {
            let m = decode::<protocol::DomainEventControlErrorMsg>(body)?;
            (Id::ControlError, dom(m.dom)?, P::None)
        }
        proc::DOMAIN_EVENT_BLOCK_JOB => {
            let m = decode::<protocol::DomainEventBlockJobMsg>(body)?;
            let p = P::BlockJob {
                disk: m.path,
                kind: m.r#type,
                status: m.status,
            };
            (Id::BlockJob, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_DISK_CHANGE => {
            let m = decode::<protocol::DomainEventDiskChangeMsg>(body)?;
            let p = P::DiskChange {
                old_src: m.oldSrcPath,
                new_src: m.newSrcPath,
                dev_alias: m.devAlias,
                reason: m.reason,
            };
            (Id::DiskChange, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_TRAY_CHANGE => {
            let m = decode::<protocol::DomainEventTrayChangeMsg>(body)?;
            let p = P::TextInt(m.devAlias, m.reason);
            (Id::TrayChange, dom(m.dom)?, p)
        }
        proc::DOMAIN_EVENT_PMWAKEUP => {
            let m = decode::<protocol::DomainEventPmwakeupMsg>(body)?;
            (Id::Pmwakeup, dom(m.dom)?, P::Int(0))
        }
        proc::DOMAIN_EVENT_PMSUSPEND => {
            let m = decode::<protocol::DomainEventPmsuspendMsg>(body)?;
            (Id::Pmsuspend, dom(m.dom)?, P::Int(0))
        }
        proc::DOMAIN_EVENT_PMSUSPEND_DISK => {
            let m = decode::<protocol::DomainEventPmsuspendDiskMsg>(body)?;
            (Id::PmsuspendDisk, dom(m.dom)?, P::Int(0))
        }
        proc::DOMAIN_EVENT_BALLOON_CHANGE => {
            let m = decode::<protocol::DomainEventBalloonChangeMsg>(body)?;
            (Id::BalloonChange, dom(m.dom)?, P::ULongLong(m.actual))
        }
        proc::DOMAIN_EVENT_DEVICE_REMOVED => {
            let m = decode::<protocol::DomainEventDeviceRemovedMsg>(body)?;
            (Id::DeviceRemoved, dom(m.dom)?, P::Text(m.devAlias))
        }
        _ => return None,
    })
}

/// One asynchronous message of the daemon, onto `bus`; what we cannot read is dropped.
pub(super) fn deliver(bus: &Bus, procedure: i32, body: &[u8]) {
    let decoded = domain_event(procedure, body).or_else(|| legacy_domain_event(procedure, body));
    if let Some((id, dom, payload)) = decoded {
        bus.emit_payload(id.into(), &dom, payload);
        return;
    }
    match procedure {
        proc::DOMAIN_EVENT_LIFECYCLE => {
            if let Some(m) = decode::<protocol::DomainEventLifecycleMsg>(body) {
                if let Ok(dom) = DomainRef::from_wire(m.dom) {
                    bus.forward(&dom, m.event, m.detail);
                }
            }
        }
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
        proc::SECRET_EVENT_LIFECYCLE => {
            if let Some(m) = decode::<protocol::SecretEventLifecycleMsg>(body) {
                let id = Family::Secret.bus_id(SecretEventID::Lifecycle.into());
                bus.emit_for(id, &secret_object(m.secret), m.event, m.detail);
            }
        }
        proc::SECRET_EVENT_VALUE_CHANGED => {
            if let Some(m) = decode::<protocol::SecretEventValueChangedMsg>(body) {
                let id = Family::Secret.bus_id(SecretEventID::ValueChanged.into());
                bus.emit_for(id, &secret_object(m.secret), 0, 0);
            }
        }
        _ => {}
    }
}

/// A secret as the bus carries it: its UUID, its usage id as the name and its usage type as
/// the id (what a secret handle is made from).
fn secret_object(s: protocol::NonnullSecret) -> DomainRef {
    DomainRef {
        name: s.usageID,
        uuid: s.uuid,
        id: s.usageType,
    }
}

/// The bus for `family`'s callbacks (the daemon is asked for an event id's events when its
/// first callback registers: [`Subscriptions`]).
pub(super) fn family_bus<'a>(
    d: &'a RemoteDriver,
    _family: Family,
    _function: &str,
) -> Result<&'a Arc<Bus>> {
    Ok(&d.bus)
}

/// The daemon's registrations of a connection's event ids, as the reference's remote driver
/// keeps them: one per event id (for every object: the bus filters per callback), made when its
/// first callback registers and dropped when its last one goes; the daemon numbers them, and a
/// deregistration names the daemon's number to it.
pub(super) struct Subscriptions {
    client: Weak<Client>,
    /// The daemon's callback id by the bus's event id (-1 for a legacy registration, which
    /// the daemon does not number).
    ids: Mutex<HashMap<i32, i32>>,
    /// The daemon has no callback ids (VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK unsupported, or
    /// OXVIRT_REMOTE_LEGACY_EVENTS=1): domain events are asked for with the legacy procedures,
    /// as the reference's client asks a daemon older than 1.3.3.
    legacy_daemon: bool,
}

impl Subscriptions {
    pub(super) fn new(client: &Arc<Client>, legacy_daemon: bool) -> Subscriptions {
        Subscriptions {
            client: Arc::downgrade(client),
            ids: Mutex::new(HashMap::new()),
            legacy_daemon,
        }
    }

    fn client(&self) -> Result<Arc<Client>> {
        self.client.upgrade().ok_or_else(closed_error)
    }
}

impl Upstream for Subscriptions {
    fn first(&self, event_id: i32) -> Result<()> {
        self.first_via(event_id, false)
    }

    fn last(&self, family: Family, event_id: i32) -> Result<()> {
        self.last_via(family, event_id, false)
    }

    fn first_via(&self, event_id: i32, legacy: bool) -> Result<()> {
        // Held across the call: one registration per event id, whichever thread comes first.
        let mut ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        if ids.contains_key(&event_id) {
            return Ok(());
        }
        let Some((family, id)) = Family::split(event_id) else {
            return Ok(());
        };
        let client = self.client()?;
        let daemon_id = match (family, self.legacy_daemon) {
            (Family::Domain, true) => legacy_register(&client, id, legacy)?,
            _ => register(&client, family, id)?,
        };
        ids.insert(event_id, daemon_id);
        Ok(())
    }

    fn last_via(&self, family: Family, event_id: i32, legacy: bool) -> Result<()> {
        let mut ids = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        let Some(daemon_id) = ids.remove(&event_id) else {
            return Ok(());
        };
        let client = self.client()?;
        match (family, self.legacy_daemon) {
            (Family::Domain, true) => {
                let id = Family::split(event_id).map_or(event_id, |(_, id)| id);
                legacy_deregister(&client, id, legacy)
            }
            _ => deregister(&client, family, daemon_id),
        }
    }
}

/// Ask a daemon without callback ids for the domain events of `id`: through
/// CONNECT_DOMAIN_EVENT_REGISTER when the first callback came through
/// virConnectDomainEventRegister (`legacy`), else CONNECT_DOMAIN_EVENT_REGISTER_ANY, as the
/// reference's client does. The daemon numbers neither: -1.
fn legacy_register(client: &Client, id: i32, legacy: bool) -> Result<i32> {
    if legacy {
        rpc::<_, ()>(client, proc::CONNECT_DOMAIN_EVENT_REGISTER, &())?;
    } else {
        let args = protocol::ConnectDomainEventRegisterAnyArgs { eventID: id };
        rpc::<_, ()>(client, proc::CONNECT_DOMAIN_EVENT_REGISTER_ANY, &args)?;
    }
    Ok(-1)
}

/// The last callback of the domain event `id` went: the legacy procedure of the function it
/// went through (see [`legacy_register`]).
fn legacy_deregister(client: &Client, id: i32, legacy: bool) -> Result<()> {
    if legacy {
        return rpc(client, proc::CONNECT_DOMAIN_EVENT_DEREGISTER, &());
    }
    let args = protocol::ConnectDomainEventDeregisterAnyArgs { eventID: id };
    rpc(client, proc::CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, &args)
}

/// Ask the daemon for `family`'s events of `id`, for every object; its callback id.
fn register(client: &Client, family: Family, id: i32) -> Result<i32> {
    Ok(match family {
        Family::Domain => {
            let args = protocol::ConnectDomainEventCallbackRegisterAnyArgs {
                eventID: id,
                dom: None,
            };
            let r: protocol::ConnectDomainEventCallbackRegisterAnyRet = rpc(
                client,
                proc::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                &args,
            )?;
            r.callbackID
        }
        Family::Network => {
            let args = protocol::ConnectNetworkEventRegisterAnyArgs {
                eventID: id,
                net: None,
            };
            let r: protocol::ConnectNetworkEventRegisterAnyRet =
                rpc(client, proc::CONNECT_NETWORK_EVENT_REGISTER_ANY, &args)?;
            r.callbackID
        }
        Family::StoragePool => {
            let args = protocol::ConnectStoragePoolEventRegisterAnyArgs {
                eventID: id,
                pool: None,
            };
            let r: protocol::ConnectStoragePoolEventRegisterAnyRet =
                rpc(client, proc::CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, &args)?;
            r.callbackID
        }
        Family::NodeDevice => {
            let args = protocol::ConnectNodeDeviceEventRegisterAnyArgs {
                eventID: id,
                dev: None,
            };
            let r: protocol::ConnectNodeDeviceEventRegisterAnyRet =
                rpc(client, proc::CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, &args)?;
            r.callbackID
        }
        Family::Secret => {
            let args = protocol::ConnectSecretEventRegisterAnyArgs {
                eventID: id,
                secret: None,
            };
            let r: protocol::ConnectSecretEventRegisterAnyRet =
                rpc(client, proc::CONNECT_SECRET_EVENT_REGISTER_ANY, &args)?;
            r.callbackID
        }
        // Each monitor callback has a registration of its own (monitor_events.rs).
        Family::QemuMonitor => return Ok(-1),
    })
}

/// Tell the daemon that its registration `daemon_id` is no longer wanted, through `family`'s
/// procedure (the daemon refuses a number of another family's, as the reference's client
/// passes on).
fn deregister(client: &Client, family: Family, daemon_id: i32) -> Result<()> {
    match family {
        Family::Domain => {
            let args = protocol::ConnectDomainEventCallbackDeregisterAnyArgs {
                callbackID: daemon_id,
            };
            rpc(
                client,
                proc::CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                &args,
            )
        }
        Family::Network => {
            let args = protocol::ConnectNetworkEventDeregisterAnyArgs {
                callbackID: daemon_id,
            };
            rpc(client, proc::CONNECT_NETWORK_EVENT_DEREGISTER_ANY, &args)
        }
        Family::StoragePool => {
            let args = protocol::ConnectStoragePoolEventDeregisterAnyArgs {
                callbackID: daemon_id,
            };
            rpc(
                client,
                proc::CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
                &args,
            )
        }
        Family::NodeDevice => {
            let args = protocol::ConnectNodeDeviceEventDeregisterAnyArgs {
                callbackID: daemon_id,
            };
            rpc(
                client,
                proc::CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
                &args,
            )
        }
        Family::Secret => {
            let args = protocol::ConnectSecretEventDeregisterAnyArgs {
                callbackID: daemon_id,
            };
            rpc(client, proc::CONNECT_SECRET_EVENT_DEREGISTER_ANY, &args)
        }
        Family::QemuMonitor => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::family::TypedValue;
    use oxvirt_rpc::xdr::Enc;

    fn wire_dom() -> protocol::NonnullDomain {
        protocol::NonnullDomain {
            name: "vm".into(),
            uuid: [7; 16],
            id: 3,
        }
    }

    fn body<M: Xdr>(m: &M) -> Vec<u8> {
        let mut e = Enc::new();
        m.encode(&mut e);
        e.buf
    }

    #[test]
    fn domain_events_beyond_the_lifecycle_decode_to_their_payloads() {
        let tunable = protocol::DomainEventCallbackTunableMsg {
            callbackID: 4,
            dom: wire_dom(),
            params: vec![protocol::TypedParam {
                field: "cputune.vcpupin0".into(),
                value: protocol::TypedParamValue::Case7("0-1".into()),
            }],
        };
        let (id, dom, p) =
            domain_event(proc::DOMAIN_EVENT_CALLBACK_TUNABLE, &body(&tunable)).unwrap();
        assert_eq!(
            (id, dom.name.as_str(), dom.id),
            (DomainEventID::Tunable, "vm", 3)
        );
        let want = TypedParams(vec![(
            "cputune.vcpupin0".into(),
            TypedValue::String("0-1".into()),
        )]);
        assert_eq!(p, Payload::Params(want));

        let disk = protocol::DomainEventCallbackDiskChangeMsg {
            callbackID: 1,
            msg: protocol::DomainEventDiskChangeMsg {
                dom: wire_dom(),
                oldSrcPath: None,
                newSrcPath: Some("/new.iso".into()),
                devAlias: "ide0-1-0".into(),
                reason: 1,
            },
        };
        let (id, _, p) =
            domain_event(proc::DOMAIN_EVENT_CALLBACK_DISK_CHANGE, &body(&disk)).unwrap();
        assert_eq!(id, DomainEventID::DiskChange);
        assert_eq!(
            p,
            Payload::DiskChange {
                old_src: None,
                new_src: Some("/new.iso".into()),
                dev_alias: "ide0-1-0".into(),
                reason: 1
            }
        );

        let job = protocol::DomainEventBlockJob2Msg {
            callbackID: 2,
            dom: wire_dom(),
            dst: "vda".into(),
            r#type: 2,
            status: 0,
        };
        let (id, _, p) = domain_event(proc::DOMAIN_EVENT_BLOCK_JOB_2, &body(&job)).unwrap();
        assert_eq!(id, DomainEventID::BlockJob2);
        let want = Payload::BlockJob {
            disk: "vda".into(),
            kind: 2,
            status: 0,
        };
        assert_eq!(p, want);

        let pm = protocol::DomainEventCallbackPmsuspendMsg {
            callbackID: 0,
            reason: 0,
            msg: protocol::DomainEventPmsuspendMsg { dom: wire_dom() },
        };
        let (id, _, p) = domain_event(proc::DOMAIN_EVENT_CALLBACK_PMSUSPEND, &body(&pm)).unwrap();
        assert_eq!((id, p), (DomainEventID::Pmsuspend, Payload::Int(0)));

        let address = |node: &str| protocol::DomainEventGraphicsAddress {
            family: 0,
            node: node.into(),
            service: "5900".into(),
        };
        let graphics = protocol::DomainEventCallbackGraphicsMsg {
            callbackID: 0,
            msg: protocol::DomainEventGraphicsMsg {
                dom: wire_dom(),
                phase: 1,
                local: address("127.0.0.1"),
                remote: address("127.0.0.2"),
                authScheme: "none".into(),
                subject: vec![protocol::DomainEventGraphicsIdentity {
                    r#type: "x509dname".into(),
                    name: "CN=a".into(),
                }],
            },
        };
        let (_, _, p) =
            domain_event(proc::DOMAIN_EVENT_CALLBACK_GRAPHICS, &body(&graphics)).unwrap();
        let Payload::Graphics(g) = p else {
            panic!("not a graphics payload")
        };
        assert_eq!((g.phase, g.remote.node.as_str()), (1, "127.0.0.2"));
        assert_eq!(g.subject, vec![("x509dname".into(), "CN=a".into())]);

        // Lifecycle events and the other families are not domain events with arguments; a
        // message that does not decode is dropped.
        assert!(domain_event(proc::DOMAIN_EVENT_CALLBACK_LIFECYCLE, &[]).is_none());
        assert!(domain_event(proc::DOMAIN_EVENT_MEMORY_FAILURE, &[0, 0]).is_none());
    }

    /// Each legacy message (no callback id) decodes to the payload of its callback form.
    #[test]
    fn legacy_domain_events_decode_as_their_callback_forms() {
        use DomainEventID as Id;
        let d = wire_dom;
        let address = |node: &str| protocol::DomainEventGraphicsAddress {
            family: 0,
            node: node.into(),
            service: "5900".into(),
        };
        let cases: Vec<(i32, Vec<u8>, Id, Payload)> = vec![
            (
                proc::DOMAIN_EVENT_REBOOT,
                body(&protocol::DomainEventRebootMsg { dom: d() }),
                Id::Reboot,
                Payload::None,
            ),
            (
                proc::DOMAIN_EVENT_RTC_CHANGE,
                body(&protocol::DomainEventRtcChangeMsg {
                    dom: d(),
                    offset: -5,
                }),
                Id::RtcChange,
                Payload::LongLong(-5),
            ),
            (
                proc::DOMAIN_EVENT_WATCHDOG,
                body(&protocol::DomainEventWatchdogMsg {
                    dom: d(),
                    action: 2,
                }),
                Id::Watchdog,
                Payload::Int(2),
            ),
            (
                proc::DOMAIN_EVENT_IO_ERROR,
                body(&protocol::DomainEventIoErrorMsg {
                    dom: d(),
                    srcPath: "/a".into(),
                    devAlias: "vda".into(),
                    action: 1,
                }),
                Id::IoError,
                Payload::IoError {
                    src_path: "/a".into(),
                    dev_alias: "vda".into(),
                    action: 1,
                    reason: String::new(),
                },
            ),
            (
                proc::DOMAIN_EVENT_IO_ERROR_REASON,
                body(&protocol::DomainEventIoErrorReasonMsg {
                    dom: d(),
                    srcPath: "/a".into(),
                    devAlias: "vda".into(),
                    action: 1,
                    reason: "enospc".into(),
                }),
                Id::IoErrorReason,
                Payload::IoError {
                    src_path: "/a".into(),
                    dev_alias: "vda".into(),
                    action: 1,
                    reason: "enospc".into(),
                },
            ),
            (
                proc::DOMAIN_EVENT_CONTROL_ERROR,
                body(&protocol::DomainEventControlErrorMsg { dom: d() }),
                Id::ControlError,
                Payload::None,
            ),
            (
                proc::DOMAIN_EVENT_BLOCK_JOB,
                body(&protocol::DomainEventBlockJobMsg {
                    dom: d(),
                    path: "/b".into(),
                    r#type: 1,
                    status: 3,
                }),
                Id::BlockJob,
                Payload::BlockJob {
                    disk: "/b".into(),
                    kind: 1,
                    status: 3,
                },
            ),
            (
                proc::DOMAIN_EVENT_DISK_CHANGE,
                body(&protocol::DomainEventDiskChangeMsg {
                    dom: d(),
                    oldSrcPath: Some("/old".into()),
                    newSrcPath: None,
                    devAlias: "ide0".into(),
                    reason: 0,
                }),
                Id::DiskChange,
                Payload::DiskChange {
                    old_src: Some("/old".into()),
                    new_src: None,
                    dev_alias: "ide0".into(),
                    reason: 0,
                },
            ),
            (
                proc::DOMAIN_EVENT_TRAY_CHANGE,
                body(&protocol::DomainEventTrayChangeMsg {
                    dom: d(),
                    devAlias: "cd0".into(),
                    reason: 1,
                }),
                Id::TrayChange,
                Payload::TextInt("cd0".into(), 1),
            ),
            (
                proc::DOMAIN_EVENT_PMWAKEUP,
                body(&protocol::DomainEventPmwakeupMsg { dom: d() }),
                Id::Pmwakeup,
                Payload::Int(0),
            ),
            (
                proc::DOMAIN_EVENT_PMSUSPEND,
                body(&protocol::DomainEventPmsuspendMsg { dom: d() }),
                Id::Pmsuspend,
                Payload::Int(0),
            ),
            (
                proc::DOMAIN_EVENT_PMSUSPEND_DISK,
                body(&protocol::DomainEventPmsuspendDiskMsg { dom: d() }),
                Id::PmsuspendDisk,
                Payload::Int(0),
            ),
            (
                proc::DOMAIN_EVENT_BALLOON_CHANGE,
                body(&protocol::DomainEventBalloonChangeMsg {
                    dom: d(),
                    actual: 1024,
                }),
                Id::BalloonChange,
                Payload::ULongLong(1024),
            ),
            (
                proc::DOMAIN_EVENT_DEVICE_REMOVED,
                body(&protocol::DomainEventDeviceRemovedMsg {
                    dom: d(),
                    devAlias: "net0".into(),
                }),
                Id::DeviceRemoved,
                Payload::Text("net0".into()),
            ),
        ];
        for (procedure, bytes, want_id, want) in cases {
            let (id, dom, p) = legacy_domain_event(procedure, &bytes).unwrap();
            assert_eq!(
                (id, dom.name.as_str(), p),
                (want_id, "vm", want),
                "{procedure}"
            );
        }
        let graphics = protocol::DomainEventGraphicsMsg {
            dom: d(),
            phase: 2,
            local: address("127.0.0.1"),
            remote: address("127.0.0.3"),
            authScheme: "vnc".into(),
            subject: vec![],
        };
        let (id, _, p) =
            legacy_domain_event(proc::DOMAIN_EVENT_GRAPHICS, &body(&graphics)).unwrap();
        let Payload::Graphics(g) = p else {
            panic!("not a graphics payload")
        };
        assert_eq!(
            (id, g.phase, g.auth_scheme.as_str()),
            (Id::Graphics, 2, "vnc")
        );
        // The callback forms and short messages are not legacy ones.
        assert!(legacy_domain_event(proc::DOMAIN_EVENT_CALLBACK_REBOOT, &[]).is_none());
        assert!(legacy_domain_event(proc::DOMAIN_EVENT_WATCHDOG, &[0, 0, 0]).is_none());
    }
}
