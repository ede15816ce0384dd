//! The domain XML parser: never panics; what it accepts, it writes back and reads again the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut def) = virt::domain::xml::parse(text) {
        // What we refuse is reported, not written back.
        def.unknown_devices.clear();
        def.unsupported_elements.clear();
        let again = virt::domain::xml::parse(&virt::domain::xml::format(&def, Some(1)))
            .expect("our own XML must parse");
        assert_eq!(again, def);
    }
});
