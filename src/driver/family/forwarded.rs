//! Values of public functions whose only server among our drivers is the remote driver for now
//! (issue 18: procedures forwarded to a daemon).

/// The authorized SSH keys of a guest user (virDomainAuthorizedSSHKeysGet), one key a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedKeys(pub Vec<String>);

/// virNodeGetSEVInfo's parameters: the public layer checks only the count's pointer (not the
/// array's), and the answer goes to the array when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct SevInfo(pub super::TypedParams);

/// virDomainGetGuestVcpus' parameters (their count goes through an `unsigned int *`).
#[derive(Debug, Clone, PartialEq)]
pub struct GuestVcpus(pub super::TypedParams);

/// virNodeDeviceGetAutostart's answer: the public layer does not check the caller's pointer, and
/// the answer goes there when there is one (the reference's client does the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeDeviceAutostart(pub bool);

/// One I/O thread of a domain (virDomainGetIOThreadInfo): its id and the host CPUs it may run
/// on (CPU n is bit n % 8 of byte n / 8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoThreadInfo {
    pub id: u32,
    pub cpumap: Vec<u8>,
}

/// virDomainGetIOThreadInfo's answer, in the driver's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoThreadInfos(pub Vec<IoThreadInfo>);

/// Typed parameters the public layer hands on unchecked (virDomainSaveParams,
/// virDomainRestoreParams, virConnectSetIdentity): no array, or no count, is none.
#[derive(Debug, Clone, PartialEq)]
pub struct AnyParams(pub super::TypedParams);
