//! libvirt's error model: a thread's last error, the error codes and domains, and dispatch to
//! the application's error function (or the default printer on stderr).
//!
//! The C view of the error (`virError`) and the application's C error functions belong to the C
//! boundary (`ffi::error`): it registers an observer of changes ([`observe_changes`]) and hands
//! in its error functions as [`Handler`]s; nothing here knows C.

mod codes;
mod messages;

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};

pub(crate) use codes::*;

/// One libvirt error, owned by Rust. The C view (`virError`) is built from it in `ffi::error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: i32,
    pub domain: i32,
    pub level: i32,
    pub message: String,
    pub str1: Option<String>,
    pub str2: Option<String>,
    pub str3: Option<String>,
    pub int1: i32,
    pub int2: i32,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// `virReportError(code, "%s", info)`: the message is the code's format around `info`.
    pub fn new(code: i32, domain: i32, info: Option<&str>) -> Error {
        let fmt = messages::message_format(code, info.is_some()).unwrap_or(if info.is_some() {
            "%s"
        } else {
            "unknown error"
        });
        let message = match info {
            Some(i) => fmt.replacen("%s", i, 1),
            None => fmt.to_string(),
        };
        Error {
            code,
            domain,
            level: VIR_ERR_ERROR,
            message,
            str1: Some(fmt.to_string()),
            str2: info.map(str::to_string),
            str3: None,
            int1: -1,
            int2: -1,
        }
    }

    /// The same with a formatted `info` text.
    pub fn with(code: i32, domain: i32, info: impl AsRef<str>) -> Error {
        Error::new(code, domain, Some(info.as_ref()))
    }

    /// `virReportInvalidArg`/`virCheckNonNullArg`: str1 names the function, str2 the argument.
    pub fn invalid_arg(domain: i32, function: &str, arg: &str, message: String) -> Error {
        Error {
            code: VIR_ERR_INVALID_ARG,
            domain,
            level: VIR_ERR_ERROR,
            message,
            str1: Some(function.to_string()),
            str2: Some(arg.to_string()),
            str3: None,
            int1: 0,
            int2: 0,
        }
    }

    /// A required pointer argument was NULL.
    pub fn null_arg(domain: i32, function: &str, arg: &str) -> Error {
        Error::invalid_arg(
            domain,
            function,
            arg,
            format!("{arg} in {function} must not be NULL"),
        )
    }

    /// `virCheckFlags` in a driver: only the unsupported bits are named.
    pub fn unsupported_flags(domain: i32, function: &str, bits: u32) -> Error {
        Error::invalid_arg(
            domain,
            function,
            "flags",
            format!("unsupported flags (0x{bits:x}) in function {function}"),
        )
    }

    /// `virReportSystemError(errno, ...)`: the text, then the errno's description.
    pub fn system(domain: i32, errno: i32, text: impl AsRef<str>) -> Error {
        let info = format!("{}: {}", text.as_ref(), strerror(errno));
        let mut e = Error::new(VIR_ERR_SYSTEM_ERROR, domain, Some(&info));
        e.int1 = errno;
        e
    }

    pub fn internal(domain: i32, info: impl AsRef<str>) -> Error {
        Error::with(VIR_ERR_INTERNAL_ERROR, domain, info)
    }

    pub fn no_support(domain: i32, function: &str) -> Error {
        Error::with(VIR_ERR_NO_SUPPORT, domain, function)
    }

    pub fn operation_invalid(info: &str) -> Error {
        Error::with(VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, info)
    }

    /// What the reference's public layer reports when a call failed without raising anything.
    pub fn unknown_cause() -> Error {
        Error {
            message: "An error occurred, but the cause is unknown".into(),
            str1: None,
            str2: None,
            int1: 0,
            int2: 0,
            ..Error::new(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, None)
        }
    }

    pub fn read_only(function: &str) -> Error {
        Error::read_only_in(VIR_FROM_DOMAIN, function)
    }

    /// The public layer's refusal of `function` on a read-only connection, under `domain`.
    pub fn read_only_in(domain: i32, function: &str) -> Error {
        Error::with(
            VIR_ERR_OPERATION_DENIED,
            domain,
            format!("read only access prevents {function}"),
        )
    }
}

/// The C library's description of an errno value, as libvirt prints it (`strerror(errno)`,
/// e.g. `"Device or resource busy"` for `EBUSY`): the one copy, for errors and the kill engine.
pub fn strerror(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno)
        .to_string()
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string()
}

thread_local! {
    /// The last error and how many errors this thread has raised, in one thread-local (every
    /// public call touches both).
    static LAST: RefCell<(Option<Error>, u64)> = const { RefCell::new((None, 0)) };
    /// The public call running on this thread, which the log names for the errors it raises.
    static CALL: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

/// The thread's last error (a copy).
pub fn last() -> Option<Error> {
    LAST.with(|l| l.borrow().0.clone())
}

/// Told, on the thread concerned, each time a thread's last error changes (raised or cleared).
/// The C boundary sets it once, before its first call, to keep its `virError` view in step at once
/// (C callers keep the struct's address and read it after later calls). A plain function: the
/// error path is hot.
static CHANGE_OBSERVER: OnceLock<fn()> = OnceLock::new();

/// Install the observer of error changes; false when one is already installed (it stays).
pub fn observe_changes(observer: fn()) -> bool {
    CHANGE_OBSERVER.set(observer).is_ok()
}

fn changed() {
    if let Some(observer) = CHANGE_OBSERVER.get() {
        observer();
    }
}

/// Clear the thread's last error (every public call does this first; cheap when already clear).
pub fn reset_last() {
    let had = LAST.with(|l| l.borrow_mut().0.take().is_some());
    if had {
        changed();
    }
}

/// Record `e` as the thread's last error. The public call that raised it hands it to the error
/// function (or the default printer) when it returns, once, as libvirt's virDispatchError.
pub fn report(e: Error) {
    crate::logging::raised(CALL.get(), e.level == VIR_ERR_WARNING, &e.message);
    LAST.with(|l| {
        let mut l = l.borrow_mut();
        l.0 = Some(e);
        l.1 = l.1.wrapping_add(1);
    });
    changed();
}

/// Record `e` as the thread's last error without raising it: the call still succeeds and no
/// error function hears of it, as a reference driver that sets an error and answers success
/// (the test driver's virNodeDeviceDestroy).
pub fn leave(e: Error) {
    LAST.with(|l| l.borrow_mut().0 = Some(e));
    changed();
}

/// The start of a public call, in one thread-local access (the hot path of every call): clear
/// the last error when `reset`, and give how many errors this thread has raised so far.
pub fn begin_call(name: &'static str, reset: bool) -> u64 {
    CALL.set(name);
    let (had, count) = LAST.with(|l| {
        let mut l = l.borrow_mut();
        // Drop in place: taking the error out would move the whole struct.
        let had = reset && l.0.is_some();
        if had {
            l.0 = None;
        }
        (had, l.1)
    });
    if had {
        changed();
    }
    count
}

/// How many errors this thread has raised: the API boundary compares it before and after a call.
pub fn raised_count() -> u64 {
    LAST.with(|l| l.borrow().1)
}

/// An application's error function, as the core knows it: what a raised error is handed to.
/// The C boundary implements it around the C function and its user data.
pub trait ErrorFunction: Send + Sync {
    /// Called once, on the thread that raised `e` (the thread's last error), when the public call
    /// that raised it returns.
    fn call(&self, e: &Error);
}

/// A registered error function (virSetErrorFunc, virConnSetErrorFunc), shared by whoever holds it.
pub type Handler = Arc<dyn ErrorFunction>;

/// The application's global error function, if one was set (`virSetErrorFunc`).
pub static GLOBAL_HANDLER: Mutex<Option<Handler>> = Mutex::new(None);

/// Who hears about a raised error: the connection's handler, else the global one, else the
/// default printer on stderr, as libvirt's virDispatchError.
pub fn dispatch(conn_handler: Option<Handler>) {
    let Some(e) = last() else { return };
    let handler = conn_handler.or_else(|| {
        GLOBAL_HANDLER
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    });
    match handler {
        Some(h) => h.call(&e),
        None => default_print(&e),
    }
}

/// libvirt's default printer: `libvirt: <domain name> error : <message>`.
pub fn default_print(e: &Error) {
    let dom = messages::domain_name(e.domain);
    let line = if dom.is_empty() {
        format!("libvirt:  error : {}\n", e.message)
    } else {
        format!("libvirt: {} error : {}\n", dom, e.message)
    };
    use std::io::Write;
    let _ = std::io::stderr().write_all(&crate::ctext::encode(&line));
}

pub fn domain_name(domain: i32) -> &'static str {
    messages::domain_name(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error function that keeps what it was handed.
    struct Keep(Mutex<Vec<Error>>);

    impl ErrorFunction for Keep {
        fn call(&self, e: &Error) {
            self.0.lock().unwrap().push(e.clone());
        }
    }

    #[test]
    fn dispatch_hands_the_last_error_to_the_connection_handler() {
        let keep = Arc::new(Keep(Mutex::new(Vec::new())));
        let handler: Handler = keep.clone();
        reset_last();
        dispatch(Some(handler.clone()));
        assert!(keep.0.lock().unwrap().is_empty(), "no error, no call");
        let before = raised_count();
        report(Error::no_support(VIR_FROM_NONE, "virThing"));
        assert_eq!(raised_count(), before + 1);
        dispatch(Some(handler));
        let got = keep.0.lock().unwrap().clone();
        assert_eq!(got, vec![Error::no_support(VIR_FROM_NONE, "virThing")]);
        reset_last();
        assert_eq!(last(), None);
    }

    #[test]
    fn strerror_is_the_c_librarys_text() {
        assert_eq!(strerror(libc::EBUSY), "Device or resource busy");
        assert_eq!(strerror(9999), "Unknown error 9999");
    }
}
