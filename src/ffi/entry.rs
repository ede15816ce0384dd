//! What every exported function does around its body: clear the last error, fence panics, and
//! dispatch a raised error to the application's error function once, as libvirt does.

use crate::error::{self, Error, VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM};
use crate::ffi::generated::types::{virConnectPtr, virDomainPtr};
use crate::ffi::handles::{self, ConnEntry};
use std::os::raw::{c_int, c_uint};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

/// The body of an implemented export (src/ffi/generated/exports.rs): the C signature stays a
/// written item there, so that cbindgen sees every prototype; the macro only writes what runs
/// inside it. `entry!(On, module::function(args))` clears the last error first, as nearly every
/// public call does; `entry!(keep_error, On, ...)` leaves it alone (the error API, event-loop
/// registration, a few utilities). `On` is what the call acts on ([`On`]: `Nothing`,
/// `Connect(conn)`, `Domain(dom)`), whose connection hears of its errors. The failure value
/// comes from the return type.
macro_rules! entry {
    ($on:ident $(($($on_arg:expr),*))?, objects :: $function:ident :: <$kind:ty> ( $($arg:expr),* )) => {
        $crate::ffi::entry::run(stringify!($function), true, $crate::ffi::entry::On::$on $(($($on_arg),*))?, || {
            // SAFETY: the C caller's arguments are handed on unchanged; the accessor validates
            // every pointer before it uses it.
            #[allow(unused_unsafe)]
            unsafe { $crate::ffi::objects::$function::<$kind>($($arg),*) }
        })
    };
    (keep_error, $on:ident $(($($on_arg:expr),*))?, $module:ident :: $function:ident ( $($arg:expr),* )) => {
        $crate::ffi::entry::run(stringify!($function), false, $crate::ffi::entry::On::$on $(($($on_arg),*))?, || {
            // SAFETY: the C caller's arguments are handed on unchanged; the implementation
            // validates every pointer before it uses it.
            unsafe { $crate::ffi::$module::$function($($arg),*) }
        })
    };
    ($on:ident $(($($on_arg:expr),*))?, $module:ident :: $function:ident ( $($arg:expr),* )) => {
        $crate::ffi::entry::run(stringify!($function), true, $crate::ffi::entry::On::$on $(($($on_arg),*))?, || {
            // SAFETY: the C caller's arguments are handed on unchanged; the implementation
            // validates every pointer before it uses it.
            unsafe { $crate::ffi::$module::$function($($arg),*) }
        })
    };
}
pub(crate) use entry;

/// The body of an export we do not implement: the argument checks libvirt's public layer makes
/// (each a [`Handle`] variant, in the reference's order), then "not supported" under the calling
/// file's error domain `$from_this`. `keep_error` and `On` first as for [`entry!`]. Every
/// function of libvirt 9.0 is implemented now: the generator writes one only for a function
/// without an implementation.
#[allow(unused_macros)]
macro_rules! entry_stub {
    (keep_error, $on:ident $(($($on_arg:expr),*))?, $function:ident, $from_this:expr $(, $check:ident ( $($a:expr),* ))* $(,)?) => {
        $crate::ffi::entry::run(stringify!($function), false, $crate::ffi::entry::On::$on $(($($on_arg),*))?, || {
            let checks = [$($crate::ffi::entry::Handle::$check($($a),*)),*];
            $crate::ffi::entry::unsupported(stringify!($function), &checks, $from_this)
        })
    };
    ($on:ident $(($($on_arg:expr),*))?, $function:ident, $from_this:expr $(, $check:ident ( $($a:expr),* ))* $(,)?) => {
        $crate::ffi::entry::run(stringify!($function), true, $crate::ffi::entry::On::$on $(($($on_arg),*))?, || {
            let checks = [$($crate::ffi::entry::Handle::$check($($a),*)),*];
            $crate::ffi::entry::unsupported(stringify!($function), &checks, $from_this)
        })
    };
}
pub(crate) use entry_stub;

/// The body of an export the generator writes from its row in gen/generate.py's DRIVER_ENTRIES
/// (src/ffi/glue.rs): `glue!(On, function, error domain, |cx| body)`, where the body checks the
/// receiver, converts the arguments, calls the family method and hands its answer to C, each step
/// returning the error that stops the call.
macro_rules! glue {
    ($on:ident $(($($on_arg:expr),*))?, $function:ident, $from:expr, |$cx:ident| { $($body:tt)* }) => {
        $crate::ffi::entry::run(stringify!($function), true, $crate::ffi::entry::On::$on $(($($on_arg),*))?, || {
            #[allow(unused_mut)]
            let mut $cx = $crate::ffi::glue::Cx::new(stringify!($function), $from);
            let answer: $crate::error::Result<_> = (|| {
                // SAFETY: the C caller's arguments are converted by FromC and Reply, whose impls
                // check every pointer before they use it, under libvirt's documented contract.
                #[allow(unused_unsafe)]
                unsafe { $($body)* }
            })();
            answer.unwrap_or_else(|e| $crate::ffi::entry::fail($cx.named(e)))
        })
    };
}
pub(crate) use glue;

/// Report `e` and give the failure value of the return type.
pub(crate) fn fail<R: Failure>(e: Error) -> R {
    error::report(e);
    R::FAILURE
}

/// What an export returns when it fails, by its C return type, as libvirt's public API: -1 for
/// `int`, `(unsigned int)-1` for `unsigned int` (virDomainGetID), 0 for `unsigned long` and
/// `unsigned long long` (virDomainGetMaxMemory, virNodeGetFreeMemory), NULL for pointers.
pub(crate) trait Failure {
    const FAILURE: Self;
}

impl Failure for c_int {
    const FAILURE: Self = -1;
}

impl Failure for c_uint {
    const FAILURE: Self = c_uint::MAX;
}

/// `unsigned long` and `unsigned long long` (the same type on x86-64 Linux).
impl Failure for u64 {
    const FAILURE: Self = 0;
}

impl Failure for () {
    const FAILURE: Self = ();
}

impl<T> Failure for *mut T {
    const FAILURE: Self = ptr::null_mut();
}

impl<T> Failure for *const T {
    const FAILURE: Self = ptr::null();
}

/// The first argument of a function, as libvirt's public layer checks it before anything else.
pub(crate) enum Handle {
    /// A connection, checked with the calling file's error domain. The generator's stubs of a
    /// connection's functions name it; every one is implemented now (virNodeAllocPages was last).
    #[allow(dead_code)]
    Connect(virConnectPtr, i32),
    /// A domain (the stubs' receiver; none is left).
    #[allow(dead_code)]
    Domain(virDomainPtr),
    /// An object handle (network, storage pool, ...): is it live (never, for the kinds we do not
    /// create), then the code, domain and the reference's message format for a bad one.
    /// gen/generate.py writes it for a stub on an object handle; none is left a stub today.
    #[allow(dead_code)]
    Foreign(bool, i32, i32, &'static str),
    /// The public layer's refusal on a read-only connection: is the receiver's connection
    /// read-only, and the error domain of the refusal (the stubs'; none is left).
    #[allow(dead_code)]
    Writable(bool, i32),
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
    /// An object handle (its key) and how to find the connection of one of its kind.
    Object(fn(usize) -> Option<Arc<ConnEntry>>, usize),
}

/// The connection an error raised by a call on `on` belongs to: none when the handle is not (or
/// no longer, after virConnectClose/virDomainFree) valid, as the reference dispatches the
/// invalid-handle errors with no connection.
fn connection_of(on: &On) -> Option<Arc<ConnEntry>> {
    match *on {
        On::Nothing => None,
        On::Connect(c) => handles::connection(c),
        On::Domain(d) => handles::domain(d).map(|e| e.conn_entry().clone()),
        On::Object(connection_of, key) => connection_of(key),
    }
}

/// Whether the receiver's connection is read-only (false for a bad handle: its own check fails).
/// The stubs' (none is left).
#[allow(dead_code)]
pub(crate) fn is_read_only(on: &On) -> bool {
    connection_of(on).is_some_and(|c| c.conn.read_only)
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
    crate::ffi::error::observe_thread_errors();
    let before = error::begin_call(name, reset);
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

/// [`call`] with the failure value of the return type.
pub(crate) fn run<R: Failure>(
    name: &'static str,
    reset: bool,
    on: On,
    body: impl FnOnce() -> R,
) -> R {
    call(name, R::FAILURE, reset, on, body)
}

/// Raise the error for a function we do not implement, after the argument checks the reference's
/// public layer makes first, in its order; the caller gets the failure value. The stubs' (none
/// is left).
#[allow(dead_code)]
pub(crate) fn unsupported<R: Failure>(name: &str, checks: &[Handle], from_this: i32) -> R {
    let found = checks.iter().find_map(|c| check(name, c).err());
    error::report(found.unwrap_or_else(|| Error::no_support(from_this, name)));
    R::FAILURE
}

pub(crate) fn check(name: &str, handle: &Handle) -> Result<(), Error> {
    match *handle {
        Handle::Connect(c, from) => handles::require_connection(c, from, name).map(drop),
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
        Handle::Writable(read_only, domain) => match read_only {
            true => Err(Error::read_only_in(domain, name)),
            false => Ok(()),
        },
        Handle::Foreign(true, ..) => Ok(()),
        Handle::Foreign(false, code, domain, fmt) => {
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

    #[test]
    fn the_failure_value_follows_the_c_return_type() {
        use std::os::raw::{c_char, c_int, c_uint, c_ulong};
        fn boom<R>() -> R {
            panic!("boom")
        }
        assert_eq!(
            super::run::<c_int>("virTestInt", true, super::On::Nothing, boom),
            -1
        );
        assert_eq!(
            super::run::<c_uint>("virTestUInt", true, super::On::Nothing, boom),
            c_uint::MAX
        );
        assert_eq!(
            super::run::<c_ulong>("virTestULong", true, super::On::Nothing, boom),
            0
        );
        assert!(super::run::<*mut c_char>("virTestPtr", true, super::On::Nothing, boom).is_null());
        assert!(
            super::run::<*const c_char>("virTestConstPtr", true, super::On::Nothing, boom)
                .is_null()
        );
    }

    #[test]
    fn a_stub_makes_its_checks_in_order_then_says_not_supported() {
        use crate::error::{VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT};
        let r: i32 = super::unsupported(
            "virTestStub",
            &[super::Handle::Required(false, 20, "a")],
            20,
        );
        assert_eq!(r, -1);
        assert_eq!(
            crate::error::last().expect("an error").code,
            VIR_ERR_NO_SUPPORT
        );
        let checks = [
            super::Handle::Required(true, 20, "a"),
            super::Handle::Arg(true, 20, "b", "never reached"),
        ];
        let r: *mut u8 = super::unsupported("virTestStub", &checks, 20);
        assert!(r.is_null());
        let e = crate::error::last().expect("an error");
        assert_eq!(
            (e.code, e.message.as_str()),
            (VIR_ERR_INVALID_ARG, "a in virTestStub must not be NULL")
        );
    }
}
