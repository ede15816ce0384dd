//! The stream family: what a driver opens a stream on (libvirt's drivers attach a stream driver,
//! its fd stream over a local file, to the application's stream). The stream calls themselves
//! (virStream*) are the C boundary's (src/ffi/stream.rs); a driver only says what a stream reads.

use super::unsupported;
use crate::domain::DomainRef;
use crate::error::{Result, VIR_FROM_DOMAIN};

/// virDomainScreenshot's answer: the image's MIME type and the file the stream then reads.
pub struct Screenshot {
    pub mime: String,
    pub file: std::fs::File,
}

pub trait StreamDriver: Send + Sync {
    /// virDomainScreenshot of `screen`.
    fn stream_screenshot(&self, _dom: &DomainRef, _screen: u32, _flags: u32) -> Result<Screenshot> {
        unsupported(VIR_FROM_DOMAIN, "virDomainScreenshot")
    }
}
