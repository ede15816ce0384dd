//! What runs when the library is loaded: the log configuration is read from the environment
//! then, so that a public call with logging off checks only `log`'s level.

use crate::ffi::handles::DomainEntry;
use std::fmt::Write;

extern "C" fn init_logging() {
    // A panic must not unwind into the dynamic loader.
    let _ = std::panic::catch_unwind(crate::logging::init_from_env);
}

/// Registered in .init_array, which the loader runs before the application sees the library.
#[used]
#[link_section = ".init_array"]
static INIT_LOGGING: extern "C" fn() = init_logging;

/// A C string argument as the reference's entry lines show it (NULLSTR: `<null>`).
pub(crate) fn shown(s: Option<&str>) -> &str {
    s.unwrap_or("<null>")
}

/// VIR_DOMAIN_DEBUG's description of a domain handle: `dom=%p, (VM: name=%s, uuid=%s)`.
pub(crate) fn domain_shown(ptr: *const std::ffi::c_void, entry: Option<&DomainEntry>) -> String {
    let mut s = format!("dom={ptr:p}");
    if ptr.is_null() {
        s = "dom=(nil)".to_string();
    }
    if let Some(e) = entry {
        let name = e.name.as_c_str().to_string_lossy();
        let _ = write!(s, ", (VM: name={name}, uuid={})", uuid_text(&e.uuid));
    }
    s
}

fn uuid_text(u: &[u8; 16]) -> String {
    let hex: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `%p` as glibc prints it: `(nil)` for NULL.
pub(crate) fn pointer<T>(p: *const T) -> String {
    if p.is_null() {
        "(nil)".to_string()
    } else {
        format!("{p:p}")
    }
}
