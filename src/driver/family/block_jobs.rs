//! Values of the block-job functions (virDomainGetBlockJobInfo).

/// A disk's running block job (virDomainBlockJobInfo): its type, its speed limit (MiB/s, or
/// bytes/s when the caller asked for bytes; 0 unlimited) and how far it went of how far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockJobInfo {
    pub kind: i32,
    pub bandwidth: u64,
    pub cur: u64,
    pub end: u64,
}
