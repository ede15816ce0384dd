//! The arguments of a public call's entry line, shown as libvirt's VIR_DEBUG formats them: `%p`
//! as glibc prints it, strings through NULLSTR (`<null>`) or raw `%s` (`(null)`), a UUID argument
//! as VIR_UUID_DEBUG, a domain as VIR_DOMAIN_DEBUG. The generated exports
//! (src/ffi/generated/exports.rs) build these only once logging has said it wants the line, so
//! with logging off none of this runs.

use crate::ffi::generated::types::virDomainPtr;
use crate::ffi::handles;
use crate::ffi::objects::{self, Kind};
use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_uchar};

/// A public call's entry line, from its row in gen/reference/entry-log-libvirt-9.0.tsv: the
/// source (`libvirt`, `libvirt.domain` ...), the function, the reference's line, the message.
/// One relaxed load when logging is off; the arguments are read only in the cold path.
/// `entry_log!(when COND, ...)`: a line the reference writes only when COND holds (a public
/// function the called one calls in turn: virXLookupByUUIDString's virXLookupByUUID).
/// `entry_log!(init, ...)`: the function initializes the library first (virConnectOpen*,
/// virGetVersion), whose one-time lines come before its entry line.
macro_rules! entry_log {
    (init, $($rest:tt)+) => {
        if ::log::max_level() >= ::log::LevelFilter::Debug {
            $crate::logging::cold($crate::conn_log::global_init);
        }
        entry_log!($($rest)+)
    };
    (when $cond:expr, $($rest:tt)+) => {
        if ::log::max_level() >= ::log::LevelFilter::Debug
            // SAFETY: the condition reads the C caller's arguments under the call's C contract.
            && { #[allow(unused_unsafe)] unsafe { $cond } }
        {
            entry_log!($($rest)+)
        }
    };
    ($source:expr, $function:ident, $line:expr, $($fmt:tt)+) => {
        if ::log::max_level() >= ::log::LevelFilter::Debug {
            $crate::logging::cold(|| {
                #[allow(unused_unsafe)]
                // SAFETY: the C caller's arguments, shown under the call's own C contract (a
                // string argument is NULL or a C string, a UUID NULL or 16 bytes); handles are
                // looked up before they are read.
                unsafe {
                    $crate::logging::emit($source, ::log::Level::Debug, stringify!($function), $line, format_args!($($fmt)+))
                }
            });
        }
    };
}
pub(crate) use entry_log;

/// `%p`: `(nil)` for NULL, else `0x...`.
pub(crate) struct Addr(pub usize);

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            0 => f.write_str("(nil)"),
            a => write!(f, "{a:#x}"),
        }
    }
}

/// Any pointer or function pointer argument, as `%p`.
pub(crate) trait AsAddr {
    fn addr(&self) -> usize;
}

impl<T> AsAddr for *const T {
    fn addr(&self) -> usize {
        *self as usize
    }
}

impl<T> AsAddr for *mut T {
    fn addr(&self) -> usize {
        *self as usize
    }
}

pub(crate) fn ptr(p: impl AsAddr) -> Addr {
    Addr(p.addr())
}

/// A C string, or what the reference prints for NULL (`<null>` through NULLSTR, `(null)` from
/// glibc's `%s`, `(default)` where it says so).
pub(crate) struct Str<'a>(Option<&'a CStr>, &'static str);

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Some(s) => f.write_str(&hide_passwords(&s.to_string_lossy())),
            None => f.write_str(self.1),
        }
    }
}

/// The text with every `passwd='...'` (or `"..."`) value replaced by `<hidden>`: domain XML passed
/// to a public call can carry graphics passwords, which our log never shows (the reference's
/// does; issue 19 keeps secrets out of logs).
fn hide_passwords(text: &str) -> std::borrow::Cow<'_, str> {
    const ATTR: &str = "passwd=";
    if !text.contains(ATTR) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ATTR) {
        let value = at + ATTR.len();
        out.push_str(&rest[..value]);
        rest = &rest[value..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        match rest[1..].find(quote) {
            Some(end) => {
                out.push(quote);
                out.push_str("<hidden>");
                out.push(quote);
                rest = &rest[end + 2..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.into()
}

/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives the line.
pub(crate) unsafe fn str_or<'a>(p: *const c_char, null: &'static str) -> Str<'a> {
    // SAFETY: as the caller promises.
    Str((!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }), null)
}

/// What an in/out count points to (`nparams ? *nparams : -1`), or `null` for NULL.
///
/// # Safety
/// `p` is NULL or points to a readable `T`.
pub(crate) unsafe fn value_or<T: Copy>(p: *const T, null: T) -> T {
    if p.is_null() {
        null
    } else {
        // SAFETY: as the caller promises.
        unsafe { *p }
    }
}

/// VIR_UUID_DEBUG's UUID: its text, or `(null)`.
pub(crate) struct Uuid(Option<[u8; 16]>);

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.0 {
            Some(u) => f.write_str(&uuid_text(u)),
            None => f.write_str("(null)"),
        }
    }
}

/// # Safety
/// `p` is NULL or points to VIR_UUID_BUFLEN bytes.
pub(crate) unsafe fn uuid(p: *const c_uchar) -> Uuid {
    // SAFETY: as the caller promises.
    Uuid((!p.is_null()).then(|| unsafe { *p.cast::<[u8; 16]>() }))
}

/// libvirt's UUID text: 8-4-4-4-12 lowercase hex digits.
pub(crate) fn uuid_text(u: &[u8; 16]) -> String {
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

/// The UUID a virXLookupByUUIDString argument parses to, when it does, as the 16 bytes the
/// reference then hands to virXLookupByUUID.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn parsed_uuid(p: *const c_char) -> Option<[u8; 16]> {
    // SAFETY: as the caller promises.
    let text = unsafe { str_or(p, "") }.0?;
    crate::domain::uuid::parse(text.to_str().ok()?)
}

/// A parsed UUID, shown as VIR_UUID_DEBUG does.
pub(crate) fn uuid_of(u: Option<[u8; 16]>) -> Uuid {
    Uuid(u)
}

/// VIR_DOMAIN_DEBUG's domain: `dom=%p, (VM: name=%s, uuid=%s)`, with `<null>` and an empty UUID
/// for a handle that is not a live domain. `key` is the argument's name in the message.
pub(crate) struct Dom(&'static str, virDomainPtr);

impl fmt::Display for Dom {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let Dom(key, d) = *self;
        match handles::domain(d) {
            Some(e) => write!(
                f,
                "{key}={}, (VM: name={}, uuid={})",
                ptr(d),
                e.name().to_string_lossy(),
                uuid_text(&e.uuid)
            ),
            None => write!(f, "{key}={}, (VM: name=<null>, uuid=)", ptr(d)),
        }
    }
}

pub(crate) fn dom(key: &'static str, d: virDomainPtr) -> Dom {
    Dom(key, d)
}

/// The connection of an object handle (`dev->conn`), `(nil)` for a handle that is not live.
pub(crate) fn conn_of<K: Kind>(p: *mut K::Target) -> Addr {
    Addr(objects::get::<K>(p).map_or(0, |o| o.conn_key()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_as_the_reference() {
        assert_eq!(ptr(std::ptr::null::<u8>()).to_string(), "(nil)");
        assert_eq!(Addr(0x55d0_c0de).to_string(), "0x55d0c0de");
        // SAFETY: NULL and a literal C string.
        let (null, text) = unsafe {
            (
                str_or(std::ptr::null(), "<null>"),
                str_or(c"abc".as_ptr(), "<null>"),
            )
        };
        assert_eq!(
            (null.to_string(), text.to_string()),
            ("<null>".into(), "abc".into())
        );
        // SAFETY: NULL.
        assert_eq!(unsafe { uuid(std::ptr::null()) }.to_string(), "(null)");
        let u = [
            0x66, 0x95, 0xeb, 1, 0xf6, 0xa4, 0x83, 4, 0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19,
            0x3f,
        ];
        // SAFETY: 16 bytes.
        let shown = unsafe { uuid(u.as_ptr()) }.to_string();
        assert_eq!(shown, "6695eb01-f6a4-8304-79aa-97f2502e193f");
        assert_eq!(
            dom("dom", std::ptr::null_mut()).to_string(),
            "dom=(nil), (VM: name=<null>, uuid=)"
        );
    }
}

#[cfg(test)]
mod password_tests {
    use super::hide_passwords;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            hide_passwords("<graphics type='vnc' passwd='s3cret' port='-1'/>"),
            "<graphics type='vnc' passwd='<hidden>' port='-1'/>"
        );
        assert_eq!(
            hide_passwords(r#"<g passwd="a"/><g passwd="b"/>"#),
            r#"<g passwd="<hidden>"/><g passwd="<hidden>"/>"#
        );
        assert_eq!(hide_passwords("no secret"), "no secret");
        assert_eq!(hide_passwords("passwd='open"), "passwd=");
    }
}
