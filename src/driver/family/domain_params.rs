//! Values of the typed-parameter getters and setters of the domain family (blkio, memory, NUMA,
//! interface and block I/O tune parameters): the caller's room, a getter's answer, a setter's
//! parameters.

use super::domain_values::TypedParams;

/// The caller's room for parameters (the value of `*nparams`); 0 asks only how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamRoom(pub usize);

impl ParamRoom {
    /// Whether the caller asks only for the count.
    pub fn count_only(self) -> bool {
        self.0 == 0
    }
}

/// A typed-parameter getter's answer: how many parameters there are, or the parameters (at
/// most the caller's room of them).
#[derive(Debug)]
pub enum ParamsAnswer {
    Count(i32),
    Params(TypedParams),
    /// The driver failed after it had set the caller's count to 0 (the reference's blkio getter
    /// does): the count is written, then the error answered.
    FailedAfterZeroing(crate::error::Error),
}

/// Parameters a setter takes: the public layer wants at least one.
#[derive(Debug, Clone, PartialEq)]
pub struct SetParams(pub TypedParams);

/// Parameters a setter takes where the public layer accepts none (virDomainSetBlkioParameters,
/// virNodeSetMemoryParameters, virDomainSetSchedulerParameters and its Flags form).
#[derive(Debug, Clone, PartialEq)]
pub struct SetParamsOrNone(pub TypedParams);

/// Bytes of a guest's memory (virDomainMemoryPeek), for the caller's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryBytes(pub Vec<u8>);
