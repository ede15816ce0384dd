//! The test driver's stream users (libvirt's testDomainScreenshot): a screenshot of any domain,
//! running or not, is the PNG image libvirt installs beside its data, read through the stream.

use super::TestDriver;
use crate::api::NoFlags;
use crate::domain::DomainRef;
use crate::driver::{Screenshot, StreamDriver};
use crate::error::{Error, Result, VIR_FROM_STREAMS};

/// Where the reference's test driver takes its screenshot from (libvirt's PKGDATADIR): the
/// same file, so that an application reads the same bytes from both.
const SCREENSHOT_PATH: &str = "/usr/share/libvirt/test-screenshot.png";
const SCREENSHOT_MIME: &str = "image/png";

impl StreamDriver for TestDriver {
    fn stream_screenshot(&self, _dom: &DomainRef, _screen: u32, flags: u32) -> Result<Screenshot> {
        super::check_flags(flags, NoFlags::empty(), "testDomainScreenshot")?;
        let file = std::fs::File::open(SCREENSHOT_PATH).map_err(|e| {
            Error::system(
                VIR_FROM_STREAMS,
                e.raw_os_error().unwrap_or(0),
                format!("Unable to open stream for '{SCREENSHOT_PATH}'"),
            )
        })?;
        Ok(Screenshot {
            mime: SCREENSHOT_MIME.to_string(),
            body: file.into(),
        })
    }
}
