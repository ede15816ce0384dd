//! Conversions between the family traits' values and remote_protocol.x's structures, which the
//! generated forwarding (generated.rs) applies to every argument (ToWire) and reply (FromWire):
//! one impl per pair of shapes, whatever procedure uses it.

use crate::domain::DomainRef;
use crate::driver::family::*;
use crate::driver::*;
use crate::error::{Error, Result, VIR_ERR_RPC, VIR_FROM_RPC};
use oxvirt_rpc::protocol::{self as wire, TypedParamValue as V};

/// An argument as its procedure's field.
pub(super) trait ToWire<W> {
    fn to_wire(self) -> W;
}

/// A reply's field (or fields, as a tuple) as the trait's answer.
pub(super) trait FromWire<W>: Sized {
    fn from_wire(w: W) -> Result<Self>;
}

impl<T> ToWire<T> for T {
    fn to_wire(self) -> T {
        self
    }
}

impl ToWire<String> for &str {
    fn to_wire(self) -> String {
        self.to_string()
    }
}

impl ToWire<Option<String>> for String {
    fn to_wire(self) -> Option<String> {
        Some(self)
    }
}

impl ToWire<[u8; 16]> for &[u8; 16] {
    fn to_wire(self) -> [u8; 16] {
        *self
    }
}

impl ToWire<i32> for bool {
    fn to_wire(self) -> i32 {
        i32::from(self)
    }
}

impl ToWire<i32> for u32 {
    fn to_wire(self) -> i32 {
        self as i32
    }
}

impl ToWire<u32> for i32 {
    fn to_wire(self) -> u32 {
        self as u32
    }
}

impl ToWire<u32> for XmlFlags {
    fn to_wire(self) -> u32 {
        self.0
    }
}

/// The caller's room for typed parameters (0: how many there are).
impl ToWire<i32> for ParamRoom {
    fn to_wire(self) -> i32 {
        i32::try_from(self.0).unwrap_or(i32::MAX)
    }
}

/// Identity conversions of the reply's plain values.
macro_rules! same {
    ($($t:ty),*) => {$(
        impl FromWire<$t> for $t {
            fn from_wire(w: $t) -> Result<$t> {
                Ok(w)
            }
        }
    )*};
}
same!(
    String,
    Option<String>,
    i32,
    u32,
    i64,
    u64,
    u8,
    f64,
    (),
    [u8; 16]
);

impl<W, T: FromWire<W>> FromWire<Vec<W>> for Vec<T> {
    fn from_wire(w: Vec<W>) -> Result<Vec<T>> {
        w.into_iter().map(T::from_wire).collect()
    }
}

impl FromWire<i32> for bool {
    fn from_wire(w: i32) -> Result<bool> {
        Ok(w != 0)
    }
}

/// A reply the daemon should not have sent.
pub(super) fn malformed() -> Error {
    Error::with(
        VIR_ERR_RPC,
        VIR_FROM_RPC,
        "Unable to decode message payload",
    )
}

/// Object handles both ways: remote_nonnull_* and our Ref types.
macro_rules! handle {
    ($ours:ty, $wire:ty, |$o:ident| $to:expr, |$w:ident| $from:expr) => {
        impl ToWire<$wire> for &$ours {
            fn to_wire(self) -> $wire {
                let $o = self;
                $to
            }
        }
        impl ToWire<$wire> for $ours {
            fn to_wire(self) -> $wire {
                let $o = &self;
                $to
            }
        }
        impl FromWire<$wire> for $ours {
            fn from_wire($w: $wire) -> Result<$ours> {
                Ok($from)
            }
        }
    };
}

handle!(
    DomainRef,
    wire::NonnullDomain,
    |d| wire::NonnullDomain {
        name: d.name.clone(),
        uuid: d.uuid,
        id: d.id
    },
    |w| DomainRef {
        name: w.name,
        uuid: w.uuid,
        id: w.id
    }
);
handle!(
    NetworkRef,
    wire::NonnullNetwork,
    |n| wire::NonnullNetwork {
        name: n.name.clone(),
        uuid: n.uuid
    },
    |w| NetworkRef {
        name: w.name,
        uuid: w.uuid
    }
);
handle!(
    StoragePoolRef,
    wire::NonnullStoragePool,
    |p| wire::NonnullStoragePool {
        name: p.name.clone(),
        uuid: p.uuid
    },
    |w| StoragePoolRef {
        name: w.name,
        uuid: w.uuid
    }
);
handle!(
    StorageVolRef,
    wire::NonnullStorageVol,
    |v| wire::NonnullStorageVol {
        pool: v.pool.clone(),
        name: v.name.clone(),
        key: v.key.clone()
    },
    |w| StorageVolRef {
        pool: w.pool,
        name: w.name,
        key: w.key
    }
);
handle!(
    InterfaceRef,
    wire::NonnullInterface,
    |i| wire::NonnullInterface {
        name: i.name.clone(),
        mac: i.mac.clone()
    },
    |w| InterfaceRef {
        name: w.name,
        mac: w.mac
    }
);
handle!(
    NodeDeviceRef,
    wire::NonnullNodeDevice,
    |n| wire::NonnullNodeDevice {
        name: n.name.clone()
    },
    |w| NodeDeviceRef {
        name: w.name,
        parent: None
    }
);
handle!(
    SecretRef,
    wire::NonnullSecret,
    |s| wire::NonnullSecret {
        uuid: s.uuid,
        usageType: s.usage_type,
        usageID: s.usage_id.clone()
    },
    |w| SecretRef {
        uuid: w.uuid,
        usage_type: w.usageType,
        usage_id: w.usageID
    }
);
handle!(
    NwFilterRef,
    wire::NonnullNwfilter,
    |f| wire::NonnullNwfilter {
        name: f.name.clone(),
        uuid: f.uuid
    },
    |w| NwFilterRef {
        name: w.name,
        uuid: w.uuid
    }
);

impl ToWire<wire::NonnullDomainSnapshot> for (&DomainRef, &SnapshotRef) {
    fn to_wire(self) -> wire::NonnullDomainSnapshot {
        wire::NonnullDomainSnapshot {
            name: self.1.name.clone(),
            dom: self.0.to_wire(),
        }
    }
}

impl FromWire<wire::NonnullDomainSnapshot> for SnapshotRef {
    fn from_wire(w: wire::NonnullDomainSnapshot) -> Result<SnapshotRef> {
        Ok(SnapshotRef { name: w.name })
    }
}

impl ToWire<wire::NonnullDomainCheckpoint> for (&DomainRef, &CheckpointRef) {
    fn to_wire(self) -> wire::NonnullDomainCheckpoint {
        wire::NonnullDomainCheckpoint {
            name: self.1.name.clone(),
            dom: self.0.to_wire(),
        }
    }
}

impl FromWire<wire::NonnullDomainCheckpoint> for CheckpointRef {
    fn from_wire(w: wire::NonnullDomainCheckpoint) -> Result<CheckpointRef> {
        Ok(CheckpointRef { name: w.name })
    }
}

/// Typed parameters (remote_typed_param) both ways.
/// Typed parameters a call sends, as the reference's client counts them against the procedure's
/// limit.
pub(super) trait ParamCount {
    fn param_count(&self) -> usize;
}

impl ParamCount for TypedParams {
    fn param_count(&self) -> usize {
        self.0.len()
    }
}

impl ParamCount for SetParams {
    fn param_count(&self) -> usize {
        self.0 .0.len()
    }
}

impl ParamCount for SetParamsOrNone {
    fn param_count(&self) -> usize {
        self.0 .0.len()
    }
}

impl ParamCount for AnyParams {
    fn param_count(&self) -> usize {
        self.0 .0.len()
    }
}

impl ParamCount for CopyParams {
    fn param_count(&self) -> usize {
        self.0 .0.len()
    }
}

/// The reference's client (virTypedParamsSerialize) refuses more parameters than the procedure
/// carries, before anything is sent.
pub(super) fn within_limit<P: ParamCount>(params: P, limit: u32) -> Result<P> {
    let n = params.param_count();
    if n > limit as usize {
        return Err(Error::with(
            VIR_ERR_RPC,
            crate::error::VIR_FROM_NONE,
            format!("too many parameters '{n}' for limit '{limit}'"),
        ));
    }
    Ok(params)
}

impl ToWire<Vec<wire::TypedParam>> for TypedParams {
    fn to_wire(self) -> Vec<wire::TypedParam> {
        self.0
            .into_iter()
            .map(|(field, v)| wire::TypedParam {
                field,
                value: match v {
                    TypedValue::Int(x) => V::Case1(x),
                    TypedValue::UInt(x) => V::Case2(x),
                    TypedValue::LLong(x) => V::Case3(x),
                    TypedValue::ULLong(x) => V::Case4(x),
                    TypedValue::Double(x) => V::Case5(x),
                    TypedValue::Boolean(x) => V::Case6(i32::from(x)),
                    TypedValue::String(x) => V::Case7(x),
                },
            })
            .collect()
    }
}

impl ToWire<Vec<wire::TypedParam>> for SetParams {
    fn to_wire(self) -> Vec<wire::TypedParam> {
        self.0.to_wire()
    }
}

impl ToWire<Vec<wire::TypedParam>> for SetParamsOrNone {
    fn to_wire(self) -> Vec<wire::TypedParam> {
        self.0.to_wire()
    }
}

impl ToWire<Vec<wire::TypedParam>> for CopyParams {
    fn to_wire(self) -> Vec<wire::TypedParam> {
        self.0.to_wire()
    }
}

impl FromWire<wire::TypedParamValue> for TypedValue {
    fn from_wire(w: wire::TypedParamValue) -> Result<TypedValue> {
        Ok(match w {
            V::Case1(x) => TypedValue::Int(x),
            V::Case2(x) => TypedValue::UInt(x),
            V::Case3(x) => TypedValue::LLong(x),
            V::Case4(x) => TypedValue::ULLong(x),
            V::Case5(x) => TypedValue::Double(x),
            V::Case6(x) => TypedValue::Boolean(x != 0),
            V::Case7(x) => TypedValue::String(x),
        })
    }
}

impl FromWire<Vec<wire::TypedParam>> for TypedParams {
    fn from_wire(w: Vec<wire::TypedParam>) -> Result<TypedParams> {
        w.into_iter()
            .map(|p| Ok((p.field, TypedValue::from_wire(p.value)?)))
            .collect::<Result<_>>()
            .map(TypedParams)
    }
}

/// The two-step idiom's reply: the count when the caller had no room, else the parameters.
impl FromWire<(Vec<wire::TypedParam>, i32)> for ParamsAnswer {
    fn from_wire((params, n): (Vec<wire::TypedParam>, i32)) -> Result<ParamsAnswer> {
        if params.is_empty() {
            return Ok(ParamsAnswer::Count(n));
        }
        Ok(ParamsAnswer::Params(TypedParams::from_wire(params)?))
    }
}

impl ToWire<String> for Option<String> {
    /// A string the protocol requires where the public function takes NULL: the daemon reads
    /// the empty string as the reference's client sends it.
    fn to_wire(self) -> String {
        self.unwrap_or_default()
    }
}

/// A length the protocol carries in 32 bits: larger ones are refused by the daemon as too big.
impl ToWire<u32> for u64 {
    fn to_wire(self) -> u32 {
        u32::try_from(self).unwrap_or(u32::MAX)
    }
}

/// No domains: all of them (virConnectGetAllDomainStats).
impl ToWire<Vec<wire::NonnullDomain>> for Option<Vec<DomainRef>> {
    fn to_wire(self) -> Vec<wire::NonnullDomain> {
        self.unwrap_or_default()
            .into_iter()
            .map(ToWire::to_wire)
            .collect()
    }
}

/// A status the public function does not return.
impl FromWire<i32> for () {
    fn from_wire(_: i32) -> Result<()> {
        Ok(())
    }
}

/// The reference's client leaves the caller's handle as it is.
impl FromWire<()> for Stopped {
    fn from_wire(_: ()) -> Result<Stopped> {
        Ok(Stopped(false))
    }
}

/// A C string sent as its bytes with the terminating NUL (`char x<N>`).
fn c_chars(w: Vec<i8>) -> String {
    let bytes: Vec<u8> = w
        .into_iter()
        .map(|c| c as u8)
        .take_while(|&c| c != 0)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

impl FromWire<(String, i32)> for SchedulerType {
    fn from_wire((name, nparams): (String, i32)) -> Result<SchedulerType> {
        Ok(SchedulerType { name, nparams })
    }
}

impl FromWire<(i64, u32)> for GuestTime {
    fn from_wire((seconds, nseconds): (i64, u32)) -> Result<GuestTime> {
        Ok(GuestTime { seconds, nseconds })
    }
}

impl FromWire<(u32, u32, u64)> for ControlInfo {
    fn from_wire((state, details, state_time_ms): (u32, u32, u64)) -> Result<ControlInfo> {
        Ok(ControlInfo {
            state,
            details,
            state_time_ms,
        })
    }
}

impl FromWire<(Vec<i8>, i32)> for SecurityLabel {
    fn from_wire((label, enforcing): (Vec<i8>, i32)) -> Result<SecurityLabel> {
        Ok(SecurityLabel {
            label: c_chars(label),
            enforcing: enforcing != 0,
        })
    }
}

impl FromWire<(Vec<i8>, Vec<i8>)> for SecurityModel {
    fn from_wire((model, doi): (Vec<i8>, Vec<i8>)) -> Result<SecurityModel> {
        Ok(SecurityModel {
            model: c_chars(model),
            doi: c_chars(doi),
        })
    }
}

impl FromWire<Vec<String>> for Messages {
    fn from_wire(w: Vec<String>) -> Result<Messages> {
        Ok(Messages(w))
    }
}

impl FromWire<Vec<String>> for MomentNames {
    fn from_wire(w: Vec<String>) -> Result<MomentNames> {
        Ok(MomentNames(w))
    }
}

impl FromWire<Vec<String>> for CpuModels {
    fn from_wire(w: Vec<String>) -> Result<CpuModels> {
        Ok(CpuModels(Some(w)))
    }
}

impl FromWire<Vec<u8>> for MemoryBytes {
    fn from_wire(w: Vec<u8>) -> Result<MemoryBytes> {
        Ok(MemoryBytes(w))
    }
}

impl FromWire<Vec<wire::DomainMemoryStat>> for MemoryStats {
    fn from_wire(w: Vec<wire::DomainMemoryStat>) -> Result<MemoryStats> {
        Ok(MemoryStats(w.into_iter().map(|s| (s.tag, s.val)).collect()))
    }
}

/// The daemon's list, fitted to the caller's maxerrors, and the count its driver returned (the
/// disks' count when asked with no array).
impl FromWire<(Vec<wire::DomainDiskError>, i32)> for DiskErrors {
    fn from_wire((errors, nerrors): (Vec<wire::DomainDiskError>, i32)) -> Result<DiskErrors> {
        Ok(DiskErrors(
            errors.into_iter().map(|e| (e.disk, e.error)).collect(),
            Some(nerrors),
        ))
    }
}

impl FromWire<(u64, u64, u64)> for BlockInfo {
    fn from_wire((allocation, capacity, physical): (u64, u64, u64)) -> Result<BlockInfo> {
        Ok(BlockInfo {
            capacity,
            allocation,
            physical,
        })
    }
}

impl FromWire<(i64, i64, i64, i64, i64)> for BlockStats {
    fn from_wire(w: (i64, i64, i64, i64, i64)) -> Result<BlockStats> {
        Ok(BlockStats {
            rd_req: w.0,
            rd_bytes: w.1,
            wr_req: w.2,
            wr_bytes: w.3,
            errs: w.4,
        })
    }
}

impl FromWire<(i64, i64, i64, i64, i64, i64, i64, i64)> for InterfaceStats {
    fn from_wire(w: (i64, i64, i64, i64, i64, i64, i64, i64)) -> Result<InterfaceStats> {
        Ok(InterfaceStats {
            rx_bytes: w.0,
            rx_packets: w.1,
            rx_errs: w.2,
            rx_drop: w.3,
            tx_bytes: w.4,
            tx_packets: w.5,
            tx_errs: w.6,
            tx_drop: w.7,
        })
    }
}

impl FromWire<Vec<wire::DomainFsinfo>> for FsInfos {
    fn from_wire(w: Vec<wire::DomainFsinfo>) -> Result<FsInfos> {
        Ok(FsInfos(
            w.into_iter()
                .map(|f| FsInfo {
                    mountpoint: f.mountpoint,
                    name: f.name,
                    fstype: f.fstype,
                    dev_aliases: f.dev_aliases,
                })
                .collect(),
        ))
    }
}

impl FromWire<(Vec<wire::TypedParam>, i32)> for BlockParams {
    fn from_wire((params, count): (Vec<wire::TypedParam>, i32)) -> Result<BlockParams> {
        Ok(BlockParams {
            count,
            params: TypedParams::from_wire(params)?,
        })
    }
}

impl FromWire<(i32, Vec<wire::TypedParam>)> for JobStats {
    fn from_wire((kind, params): (i32, Vec<wire::TypedParam>)) -> Result<JobStats> {
        Ok(JobStats {
            kind,
            params: TypedParams::from_wire(params)?,
        })
    }
}

impl FromWire<wire::DomainStatsRecord> for StatsRecord {
    fn from_wire(w: wire::DomainStatsRecord) -> Result<StatsRecord> {
        Ok(StatsRecord {
            domain: DomainRef::from_wire(w.dom)?,
            params: TypedParams::from_wire(w.params)?,
        })
    }
}

type JobInfoWire = (i32, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64);

impl FromWire<JobInfoWire> for JobInfo {
    fn from_wire(w: JobInfoWire) -> Result<JobInfo> {
        Ok(JobInfo {
            kind: w.0,
            time_elapsed_ms: w.1,
            time_remaining_ms: w.2,
            data_total: w.3,
            data_processed: w.4,
            data_remaining: w.5,
            mem_total: w.6,
            mem_processed: w.7,
            mem_remaining: w.8,
            file_total: w.9,
            file_processed: w.10,
            file_remaining: w.11,
        })
    }
}

type NodeInfoWire = (Vec<i8>, u64, i32, i32, i32, i32, i32, i32);

impl FromWire<NodeInfoWire> for NodeInfo {
    fn from_wire(w: NodeInfoWire) -> Result<NodeInfo> {
        Ok(NodeInfo {
            model: c_chars(w.0),
            memory_kib: w.1,
            cpus: w.2 as u32,
            mhz: w.3 as u32,
            nodes: w.4 as u32,
            sockets: w.5 as u32,
            cores: w.6 as u32,
            threads: w.7 as u32,
        })
    }
}

impl FromWire<(Vec<u8>, u32, i32)> for CpuMap {
    fn from_wire((map, online, cpus): (Vec<u8>, u32, i32)) -> Result<CpuMap> {
        Ok(CpuMap { cpus, map, online })
    }
}

/// Counter names as the trait holds them (static): the known ones, the rest kept once.
fn counter_name(name: String) -> &'static str {
    static SEEN: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(k) = seen.iter().find(|k| **k == name) {
        return k;
    }
    let k: &'static str = Box::leak(name.into_boxed_str());
    seen.push(k);
    k
}

/// The daemon's counters, fitted to the caller's count; to a count of 0 it answers how many it has
/// and no counters.
fn node_stats(counters: Vec<(String, u64)>, count: i32) -> NodeStats {
    if counters.is_empty() && count > 0 {
        return NodeStats(Vec::new(), CountRule::Counted(count));
    }
    let named = counters.into_iter().map(|(f, v)| (counter_name(f), v));
    NodeStats(named.collect(), CountRule::UpToRoom)
}

impl FromWire<(Vec<wire::NodeGetCpuStats>, i32)> for NodeStats {
    fn from_wire((params, count): (Vec<wire::NodeGetCpuStats>, i32)) -> Result<NodeStats> {
        let counters = params.into_iter().map(|p| (p.field, p.value)).collect();
        Ok(node_stats(counters, count))
    }
}

impl FromWire<(Vec<wire::NodeGetMemoryStats>, i32)> for NodeStats {
    fn from_wire((params, count): (Vec<wire::NodeGetMemoryStats>, i32)) -> Result<NodeStats> {
        let counters = params.into_iter().map(|p| (p.field, p.value)).collect();
        Ok(node_stats(counters, count))
    }
}

impl FromWire<(u8, u64, u64, u64)> for StoragePoolInfo {
    fn from_wire(w: (u8, u64, u64, u64)) -> Result<StoragePoolInfo> {
        Ok(StoragePoolInfo {
            state: crate::api::StoragePoolState::try_from(i32::from(w.0))
                .map_err(|_| malformed())?,
            capacity: w.1,
            allocation: w.2,
            available: w.3,
        })
    }
}

impl FromWire<(i8, u64, u64)> for StorageVolInfo {
    fn from_wire(w: (i8, u64, u64)) -> Result<StorageVolInfo> {
        Ok(StorageVolInfo {
            kind: i32::from(w.0),
            capacity: w.1,
            allocation: w.2,
        })
    }
}

/// The node device procedures name the device by its name alone.
impl ToWire<String> for &NodeDeviceRef {
    fn to_wire(self) -> String {
        self.name.clone()
    }
}

/// A Num procedure's count, where the trait answers the names (only counted by the caller).
impl FromWire<i32> for Vec<String> {
    fn from_wire(n: i32) -> Result<Vec<String>> {
        Ok(vec![
            String::new();
            usize::try_from(n).map_err(|_| malformed())?
        ])
    }
}

impl FromWire<i32> for MomentNames {
    fn from_wire(n: i32) -> Result<MomentNames> {
        Vec::from_wire(n).map(MomentNames)
    }
}

/// A reply the daemon may leave NULL where the trait answers a string (the qemu agent's).
impl FromWire<Option<String>> for String {
    fn from_wire(w: Option<String>) -> Result<String> {
        Ok(w.unwrap_or_default())
    }
}

impl ToWire<u32> for AddressSource {
    fn to_wire(self) -> u32 {
        self.0
    }
}

impl FromWire<Vec<wire::DomainInterface>> for GuestInterfaces {
    fn from_wire(w: Vec<wire::DomainInterface>) -> Result<Self> {
        let iface = |i: wire::DomainInterface| GuestInterface {
            name: i.name,
            hwaddr: i.hwaddr,
            addrs: i
                .addrs
                .into_iter()
                .map(|a| IpAddress {
                    kind: a.r#type,
                    addr: a.addr,
                    prefix: a.prefix,
                })
                .collect(),
        };
        Ok(GuestInterfaces(w.into_iter().map(iface).collect()))
    }
}

/// The CPU descriptions as remote_nonnull_strings (the public layer has refused NULL ones).
impl ToWire<Vec<String>> for CpuXmls {
    fn to_wire(self) -> Vec<String> {
        self.0.into_iter().map(Option::unwrap_or_default).collect()
    }
}

/// A secret's value: opaque bytes both ways.
impl ToWire<Vec<u8>> for SecretValue {
    fn to_wire(self) -> Vec<u8> {
        self.0
    }
}

impl FromWire<Vec<u8>> for SecretValue {
    fn from_wire(w: Vec<u8>) -> Result<SecretValue> {
        Ok(SecretValue(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_parameters_than_the_procedure_carries_are_refused_before_sending() {
        let one = |n| {
            TypedParams(vec![
                ("weight".to_string(), TypedValue::UInt(n));
                n as usize
            ])
        };
        assert!(within_limit(one(16), 16).is_ok());
        let e = within_limit(SetParams(one(17)), 16).unwrap_err();
        assert_eq!(
            (e.code, e.domain),
            (VIR_ERR_RPC, crate::error::VIR_FROM_NONE)
        );
        assert_eq!(e.message, "too many parameters '17' for limit '16'");
    }

    #[test]
    fn typed_parameters_both_ways_and_the_two_step_idiom() {
        let ours = TypedParams(vec![
            ("a".into(), TypedValue::ULLong(7)),
            ("b".into(), TypedValue::Boolean(true)),
            ("c".into(), TypedValue::String("x".into())),
        ]);
        let sent: Vec<wire::TypedParam> = ours.clone().to_wire();
        assert_eq!(sent[1].value, V::Case6(1));
        assert_eq!(TypedParams::from_wire(sent.clone()).unwrap(), ours);
        // No room asked: the daemon answers the count alone.
        match ParamsAnswer::from_wire((Vec::new(), 3)).unwrap() {
            ParamsAnswer::Count(3) => {}
            other => panic!("{other:?}"),
        }
        match ParamsAnswer::from_wire((sent, 3)).unwrap() {
            ParamsAnswer::Params(p) => assert_eq!(p, ours),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn handles_fixed_strings_and_counts() {
        let d = DomainRef {
            name: "t".into(),
            uuid: [3; 16],
            id: 4,
        };
        let w: wire::NonnullDomain = (&d).to_wire();
        assert_eq!(DomainRef::from_wire(w).unwrap(), d);
        let snap: wire::NonnullDomainSnapshot = (&d, &SnapshotRef { name: "s".into() }).to_wire();
        assert_eq!((snap.name.as_str(), snap.dom.id), ("s", 4));
        assert_eq!(c_chars(vec![b'a' as i8, b'b' as i8, 0, b'c' as i8]), "ab");
        assert_eq!(Vec::<String>::from_wire(2).unwrap().len(), 2);
        assert!(Vec::<String>::from_wire(-1).is_err());
        let v: String = None::<String>.to_wire();
        assert_eq!(v, "");
    }
}
