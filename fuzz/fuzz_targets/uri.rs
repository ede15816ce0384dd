//! The URI parser: never panics, on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(u) = virt::uri::Uri::parse(text) {
            let _ = u.param("root");
        }
    }
});
