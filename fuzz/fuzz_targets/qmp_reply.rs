//! The QMP line parser: never panics on anything qemu (or something pretending) might send.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = virt::driver::qemu::qmp::parse_line(text);
    }
});
