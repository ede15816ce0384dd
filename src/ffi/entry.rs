//! What every exported function does around its body: clear the last error, fence panics, and
//! dispatch a raised error to the application's error function once, as libvirt does.

use crate::error::{self, Error, VIR_ERR_INVALID_CONN, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM};
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr};
use crate::ffi::handles::{self, ConnEntry};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// The first argument of a function, as libvirt's public layer checks it before anything else.
pub(crate) enum Handle {
    None,
    /// A connection, checked with the calling file's error domain.
    Connect(virConnectPtr, i32),
    Domain(virDomainPtr),
    /// A handle of a kind we never create (network, storage pool, ...): only NULL-checked here,
    /// and any value is invalid. Code, domain and the reference's message format.
    Foreign(i32, i32, &'static str),
    /// A required argument (is it NULL, the error domain, its name) checked before the driver.
    Required(bool, i32, &'static str),
    /// An argument the public layer refuses when zero/NULL: (is it, error domain, its name, the
    /// reference's message).
    Arg(bool, i32, &'static str, &'static str),
}

/// The object a public call acts on (its first argument), whose connection hears about the
/// errors the call raises, as libvirt's virDispatchError(conn).
pub(crate) enum On {
    Nothing,
    Connect(virConnectPtr),
    Domain(virDomainPtr),
}

/// The connection an error raised by a call on `on` belongs to: none when the handle is not (or
/// no longer, after virConnectClose/virDomainFree) valid, as the reference dispatches the
/// invalid-handle errors with no connection.
fn connection_of(on: &On) -> Option<Arc<ConnEntry>> {
    match *on {
        On::Nothing => None,
        On::Connect(c) => handles::connection(c),
        On::Domain(d) => handles::domain(d).map(|e| e.conn_entry().clone()),
    }
}

/// Hand the error a call raised to the connection's error function, else the global one, else
/// the default printer; the connection records it as its own last error.
pub(crate) fn dispatch(on: &On) {
    let conn = connection_of(on);
    if let Some(c) = &conn {
        crate::ffi::error::record_on_connection(c);
    }
    error::dispatch(conn.and_then(|c| c.conn.error_handler()));
}

/// Run one public call on `on`: `reset` clears the last error first (all calls but the error
/// API's and the event-loop registration's); a panic becomes VIR_ERR_INTERNAL_ERROR and `fail`.
pub(crate) fn call<R>(
    name: &'static str,
    fail: R,
    reset: bool,
    on: On,
    body: impl FnOnce() -> R,
) -> R {
    if reset {
        error::reset_last();
    }
    let before = error::raised_count();
    let out = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error::report(Error::internal(0, format!("{name}: {what}")));
            fail
        }
    };
    if error::raised_count() != before {
        dispatch(&on);
    }
    out
}

/// Raise the error for a function we do not implement, after the argument checks the reference's
/// public layer makes first, in its order.
pub(crate) fn unsupported(name: &str, checks: &[Handle], from_this: i32) {
    for c in checks {
        if let Err(e) = check(name, c) {
            error::report(e);
            return;
        }
    }
    error::report(Error::no_support(from_this, name));
}

fn check(name: &str, handle: &Handle) -> Result<(), Error> {
    match *handle {
        Handle::None => Ok(()),
        Handle::Connect(c, from) => match handles::connection(c) {
            Some(_) => Ok(()),
            None => Err(Error::with(VIR_ERR_INVALID_CONN, from, name)),
        },
        Handle::Domain(d) => match handles::domain(d) {
            Some(_) => Ok(()),
            None => Err(Error::with(VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, name)),
        },
        Handle::Required(is_null, domain, arg) => match is_null {
            true => Err(Error::null_arg(domain, name, arg)),
            false => Ok(()),
        },
        Handle::Arg(is_zero, domain, arg, message) => match is_zero {
            true => Err(Error::invalid_arg(domain, name, arg, message.to_string())),
            false => Ok(()),
        },
        Handle::Foreign(code, domain, fmt) => {
            // We never hand out such objects, so no value can be valid.
            let mut e = Error::with(code, domain, name);
            e.str1 = Some(fmt.to_string());
            e.message = fmt.replacen("%s", name, 1);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_an_internal_error_and_the_failure_value() {
        let r = super::call("virTestPanics", -1, true, super::On::Nothing, || -> i32 {
            panic!("boom")
        });
        assert_eq!(r, -1);
        let e = crate::error::last().expect("an error is set");
        assert_eq!(e.code, crate::error::VIR_ERR_INTERNAL_ERROR);
        assert!(e.message.contains("virTestPanics: boom"), "{}", e.message);
    }

    #[test]
    fn every_call_clears_the_last_error_first() {
        crate::error::report(crate::error::Error::internal(0, "old"));
        let r = super::call("virTestOk", -1, true, super::On::Nothing, || 0);
        assert_eq!(r, 0);
        assert!(crate::error::last().is_none());
    }
}
