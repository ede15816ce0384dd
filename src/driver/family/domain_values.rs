//! Values the domain family answers with or takes: typed parameters, vcpu information, CPU maps,
//! the scheduler's name, and the public layer's argument checks that the generated glue does not
//! make (the reference's libvirt-domain.c).

use crate::api::{DomainMetadataType, VcpuState};
use crate::error::{Error, Result, VIR_FROM_DOMAIN};

/// One typed parameter's value (virTypedParameter's union).
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Int(i32),
    UInt(u32),
    LLong(i64),
    ULLong(u64),
    Double(f64),
    Boolean(bool),
    String(String),
}

/// Named typed parameters, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypedParams(pub Vec<(String, TypedValue)>);

/// One virtual CPU (virVcpuInfo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcpuInfo {
    pub number: u32,
    pub state: VcpuState,
    pub cpu_time_ns: u64,
    pub cpu: i32,
}

/// virDomainGetVcpus's answer: the vcpus, and for each its CPU map of `maplen` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vcpus {
    pub info: Vec<VcpuInfo>,
    pub maps: Vec<Vec<u8>>,
    /// The caller's map length, which the public layer checks against the array it gave.
    pub maplen: i32,
}

/// CPU maps of one length each, written one after the other into the caller's array; the count
/// is the answer (virDomainGetVcpuPinInfo, virDomainGetEmulatorPinInfo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuMaps(pub Vec<Vec<u8>>);

/// virDomainGetSchedulerType's answer: the scheduler and how many parameters it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerType {
    pub name: String,
    pub nparams: i32,
}

/// virReportInvalidArg from the public layer: str1 the function, str2 the argument.
pub fn public_invalid_arg(function: &str, arg: &str, message: String) -> Error {
    Error::invalid_arg(VIR_FROM_DOMAIN, function, arg, message)
}

/// The most keys one virDomainSendKey call may press.
const SEND_KEY_MAX_KEYS: usize = 16;

/// virDomainSendKey's public-layer checks after the key count's: a known code set, then at most
/// 16 keys.
pub fn check_send_key(codeset: u32, nkeycodes: usize) -> Result<()> {
    let known = i32::try_from(codeset)
        .ok()
        .and_then(|c| crate::api::KeycodeSet::try_from(c).ok())
        .is_some();
    if !known {
        return Err(public_invalid_arg(
            "virDomainSendKey",
            "codeset",
            format!("Unsupported codeset '{codeset}'"),
        ));
    }
    if nkeycodes > SEND_KEY_MAX_KEYS {
        return Err(public_invalid_arg(
            "virDomainSendKey",
            "nkeycodes",
            format!("nkeycodes must be <= {SEND_KEY_MAX_KEYS}"),
        ));
    }
    Ok(())
}

/// `ARG in FUNCTION must be greater than zero` unless `value > 0`.
pub fn check_positive(function: &str, arg: &str, value: i64) -> Result<()> {
    match value > 0 {
        true => Ok(()),
        false => Err(public_invalid_arg(
            function,
            arg,
            format!("{arg} in {function} must be greater than zero"),
        )),
    }
}

/// VIR_EXCLUSIVE_FLAGS_GOTO(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG).
pub fn check_live_config_exclusive(function: &str, flags: u32) -> Result<()> {
    const LIVE_CONFIG: u32 = crate::api::DomainModificationImpact::LIVE.bits()
        | crate::api::DomainModificationImpact::CONFIG.bits();
    match flags & LIVE_CONFIG == LIVE_CONFIG {
        false => Ok(()),
        true => Err(public_invalid_arg(
            function,
            "ctl",
            "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive"
                .into(),
        )),
    }
}

/// virDomainGetVcpuPinInfo's public-layer checks, in the reference's order, made by every driver
/// before its own: positive `ncpumaps` and `maplen`, not both LIVE and CONFIG.
pub fn check_vcpu_pin_info_args(ncpumaps: i32, maplen: i32, flags: u32) -> Result<()> {
    const F: &str = "virDomainGetVcpuPinInfo";
    check_positive(F, "ncpumaps", i64::from(ncpumaps))?;
    check_positive(F, "maplen", i64::from(maplen))?;
    check_live_config_exclusive(F, flags)
}

/// The guest's time (virDomainGetTime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestTime {
    pub seconds: i64,
    pub nseconds: u32,
}

/// virDomainGetTime's answer: the guest's time, or a daemon's client's failure, which the
/// reference's client reports after it zeroed the caller's outputs (it does before it asks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeAnswer {
    Time(GuestTime),
    FailedAfterZeroing(crate::error::Error),
}

/// virDomainControlInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlInfo {
    pub state: u32,
    pub details: u32,
    pub state_time_ms: u64,
}

/// virSecurityLabel: the label and whether it is enforced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityLabel {
    pub label: String,
    pub enforcing: bool,
}

/// Memory statistics as (virDomainMemoryStatTags, value), in the driver's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemoryStats(pub Vec<(i32, u64)>);

/// virDomainGetMessages's answer: a new array of strings the caller frees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Messages(pub Vec<String>);

/// Whether the call stopped the domain (virDomainSave, virDomainManagedSave, a crashing core
/// dump): then the caller's handle has no id any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped(pub bool);

/// What virDomainRename renamed besides the definition: the reference's remote client gives the
/// caller's handle the new name too, its local drivers leave the handle as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renamed {
    Definition,
    DefinitionAndHandle(String),
}

/// Each disk's (target, error code) (virDomainGetDiskErrors); the caller's array takes as many as
/// it holds, no array asks for the count. A daemon's answer comes already fitted to the caller's
/// array, with the count it returned (the second field), which the caller gets as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiskErrors(pub Vec<(String, i32)>, pub Option<i32>);

/// virDomainBlockInfo, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockInfo {
    pub capacity: u64,
    pub allocation: u64,
    pub physical: u64,
}

/// virDomainBlockStatsStruct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockStats {
    pub rd_req: i64,
    pub rd_bytes: i64,
    pub wr_req: i64,
    pub wr_bytes: i64,
    pub errs: i64,
}

/// virDomainInterfaceStatsStruct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InterfaceStats {
    pub rx_bytes: i64,
    pub rx_packets: i64,
    pub rx_errs: i64,
    pub rx_drop: i64,
    pub tx_bytes: i64,
    pub tx_packets: i64,
    pub tx_errs: i64,
    pub tx_drop: i64,
}

/// One guest file system (virDomainFSInfo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsInfo {
    pub mountpoint: String,
    pub name: String,
    pub fstype: String,
    pub dev_aliases: Vec<String>,
}

/// virDomainGetFSInfo's answer: a new array the caller frees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FsInfos(pub Vec<FsInfo>);

/// virDomainGetCPUStats's answer: the parameters at their places in the caller's array
/// (`ncpus` groups of `nparams`), the count the driver answers, and the caller's sizes, which the
/// public layer checks against the array it gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CpuStats {
    pub slots: Vec<(usize, String, TypedValue)>,
    pub count: i32,
    pub nparams: u32,
    pub ncpus: u32,
}

/// The public layer's checks of virDomainGetMetadata's arguments.
pub fn check_get_metadata_args(kind: i32, uri: &Option<String>, flags: u32) -> Result<()> {
    const F: &str = "virDomainGetMetadata";
    check_live_config_exclusive(F, flags)?;
    match DomainMetadataType::try_from(kind) {
        Ok(DomainMetadataType::Title | DomainMetadataType::Description) if uri.is_some() => Err(
            public_invalid_arg(F, "uri", format!("uri in {F} must be NULL")),
        ),
        Ok(DomainMetadataType::Element) if uri.is_none() => Err(public_invalid_arg(
            F,
            "uri",
            format!("uri in {F} must not be NULL"),
        )),
        _ => Ok(()),
    }
}

/// The public layer's checks of virDomainSetMetadata's arguments.
pub fn check_set_metadata_args(
    kind: i32,
    metadata: &Option<String>,
    key: &Option<String>,
    uri: &Option<String>,
) -> Result<()> {
    const F: &str = "virDomainSetMetadata";
    let must_be_null = |arg: &str, v: &Option<String>| match v {
        Some(_) => Err(public_invalid_arg(
            F,
            arg,
            format!("{arg} in {F} must be NULL"),
        )),
        None => Ok(()),
    };
    let required = |arg: &str, v: &Option<String>| match v {
        None => Err(public_invalid_arg(
            F,
            arg,
            format!("{arg} in {F} must not be NULL"),
        )),
        Some(_) => Ok(()),
    };
    match DomainMetadataType::try_from(kind) {
        Ok(DomainMetadataType::Title | DomainMetadataType::Description) => {
            let is_title = kind == i32::from(DomainMetadataType::Title);
            if is_title && metadata.as_deref().is_some_and(|m| m.contains('\n')) {
                return Err(public_invalid_arg(
                    F,
                    "metadata",
                    "metadata title can't contain newlines".into(),
                ));
            }
            must_be_null("uri", uri)?;
            must_be_null("key", key)
        }
        Ok(DomainMetadataType::Element) => {
            required("uri", uri)?;
            match metadata {
                Some(_) => required("key", key),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// virDomainGetSecurityLabelList's answer: a new array the caller frees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityLabels(pub Vec<SecurityLabel>);

/// virDomainBlockCopy's typed parameters (bandwidth, granularity, buffer size), as the caller
/// gives them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CopyParams(pub TypedParams);
