//! virTypedParams*: the public helpers for arrays of typed parameters, as libvirt 9.0's
//! util/virtypedparam-public.c. Arrays and strings belong to the C allocator (callers free them
//! with free(3) or virTypedParamsFree), so every allocation here is calloc/realloc/strdup.
//!
//! Where the reference dereferences a NULL or out-of-range argument (and crashes or aborts), we
//! report an argument error instead; everywhere else the answers, errors and array growth are the
//! reference's.

use crate::error::{
    self, Error, VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG, VIR_ERR_NO_MEMORY, VIR_FROM_NONE,
};
use crate::ffi::generated::types::{
    virTypedParameter, virTypedParameterPtr, VIR_TYPED_PARAM_BOOLEAN, VIR_TYPED_PARAM_DOUBLE,
    VIR_TYPED_PARAM_FIELD_LENGTH, VIR_TYPED_PARAM_INT, VIR_TYPED_PARAM_LLONG,
    VIR_TYPED_PARAM_STRING, VIR_TYPED_PARAM_UINT, VIR_TYPED_PARAM_ULLONG,
};
use std::ffi::CStr;
use std::os::raw::{c_char, c_double, c_int, c_longlong, c_uint, c_ulonglong};
use std::ptr;
use std::sync::OnceLock;

const INT: c_int = VIR_TYPED_PARAM_INT as c_int;
const UINT: c_int = VIR_TYPED_PARAM_UINT as c_int;
const LLONG: c_int = VIR_TYPED_PARAM_LLONG as c_int;
const ULLONG: c_int = VIR_TYPED_PARAM_ULLONG as c_int;
const DOUBLE: c_int = VIR_TYPED_PARAM_DOUBLE as c_int;
const BOOLEAN: c_int = VIR_TYPED_PARAM_BOOLEAN as c_int;
const STRING: c_int = VIR_TYPED_PARAM_STRING as c_int;

/// libvirt's virTypedParameterTypeToString; an out-of-range type prints as glib's "(null)".
fn type_name(t: c_int) -> &'static str {
    match t {
        0 => "unknown",
        INT => "int",
        UINT => "uint",
        LLONG => "llong",
        ULLONG => "ullong",
        DOUBLE => "double",
        BOOLEAN => "boolean",
        STRING => "string",
        _ => "(null)",
    }
}

/// A C string for an error message; NULL prints as "(null)", as glib's printf.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn show(p: *const c_char) -> String {
    if p.is_null() {
        return "(null)".into();
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's promise.
    crate::ctext::decode(unsafe { CStr::from_ptr(p) }.to_bytes()).into_owned()
}

/// The bytes of a parameter's field up to its NUL (or all 80 if the caller left none).
fn field_bytes(p: &virTypedParameter) -> &[u8] {
    // SAFETY: c_char and u8 have the same size and alignment; the slice covers the array.
    let all = unsafe { std::slice::from_raw_parts(p.field.as_ptr().cast::<u8>(), p.field.len()) };
    let len = all.iter().position(|&b| b == 0).unwrap_or(all.len());
    &all[..len]
}

/// How many elements a C `int` count covers: libvirt compares a size_t index against it, so a
/// negative count would walk off the array; we take it as empty.
fn count(nparams: c_int) -> usize {
    usize::try_from(nparams).unwrap_or(0)
}

/// virTypedParamsGet without the public entry: the first parameter named `name`.
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters; `name` is NULL or a C string.
unsafe fn find(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
) -> Option<*mut virTypedParameter> {
    if params.is_null() || name.is_null() {
        return None;
    }
    // SAFETY: non-NULL C string by the caller's promise.
    let want = unsafe { CStr::from_ptr(name) }.to_bytes();
    (0..count(nparams))
        // SAFETY: `i` is below `nparams`, which the caller promises is the array's length.
        .map(|i| unsafe { params.add(i) })
        // SAFETY: in bounds (above) and aligned, as an element of the caller's array.
        .find(|&p| field_bytes(unsafe { &*p }) == want)
}

/// The parameter named `name` after checking it has the type `expected` (virTypedParamValidateType).
///
/// # Safety
/// As `find`.
unsafe fn find_typed(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    expected: c_int,
) -> Result<Option<*mut virTypedParameter>, Error> {
    // SAFETY: the caller's promises are find's.
    let Some(p) = (unsafe { find(params, nparams, name) }) else {
        return Ok(None);
    };
    // SAFETY: `find` returns a pointer to an element of the caller's array.
    let param = unsafe { &*p };
    if param.r#type != expected {
        return Err(Error::with(
            VIR_ERR_INVALID_ARG,
            VIR_FROM_NONE,
            format!(
                "Invalid type '{}' requested for parameter '{}', actual type is '{}'",
                type_name(expected),
                crate::ctext::decode(field_bytes(param)),
                type_name(param.r#type)
            ),
        ));
    }
    Ok(Some(p))
}

/// The body every virTypedParamsGet<Type> shares: 1 and the value stored through `value` (when
/// not NULL), 0 when missing, -1 on a type mismatch.
///
/// # Safety
/// As `find`; `value` is NULL or a writable `T`.
unsafe fn get_value<T>(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut T,
    expected: c_int,
    read: impl FnOnce(&virTypedParameter) -> T,
) -> c_int {
    // SAFETY: the caller's promises are find_typed's.
    match unsafe { find_typed(params, nparams, name, expected) } {
        Ok(None) => 0,
        Ok(Some(p)) => {
            if !value.is_null() {
                // SAFETY: `p` is an element of the caller's array; `value` is non-NULL and, by
                // the caller's promise, writable.
                unsafe { value.write(read(&*p)) };
            }
            1
        }
        Err(e) => {
            error::report(e);
            -1
        }
    }
}

pub(crate) unsafe fn virTypedParamsGet(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
) -> virTypedParameterPtr {
    // SAFETY: `params` holds `nparams` elements and `name` is a C string, by the C contract.
    unsafe { find(params, nparams, name) }.unwrap_or(ptr::null_mut())
}

pub(crate) unsafe fn virTypedParamsGetInt(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut c_int,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed.
    unsafe { get_value(params, nparams, name, value, INT, |p| p.value.i) }
}

pub(crate) unsafe fn virTypedParamsGetUInt(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut c_uint,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed.
    unsafe { get_value(params, nparams, name, value, UINT, |p| p.value.ui) }
}

pub(crate) unsafe fn virTypedParamsGetLLong(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut c_longlong,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed.
    unsafe { get_value(params, nparams, name, value, LLONG, |p| p.value.l) }
}

pub(crate) unsafe fn virTypedParamsGetULLong(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut c_ulonglong,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed.
    unsafe { get_value(params, nparams, name, value, ULLONG, |p| p.value.ul) }
}

pub(crate) unsafe fn virTypedParamsGetDouble(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut c_double,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed.
    unsafe { get_value(params, nparams, name, value, DOUBLE, |p| p.value.d) }
}

pub(crate) unsafe fn virTypedParamsGetBoolean(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut c_int,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed.
    unsafe {
        get_value(params, nparams, name, value, BOOLEAN, |p| {
            c_int::from(p.value.b != 0)
        })
    }
}

pub(crate) unsafe fn virTypedParamsGetString(
    params: virTypedParameterPtr,
    nparams: c_int,
    name: *const c_char,
    value: *mut *const c_char,
) -> c_int {
    // SAFETY: the C contract; the union member read is the one the type check allowed. The
    // string stays the array's, as libvirt's (the caller must not free it).
    unsafe {
        get_value(params, nparams, name, value, STRING, |p| {
            p.value.s.cast_const()
        })
    }
}

// ---- adding -----------------------------------------------------------------------------------

/// Room for one more parameter, as libvirt's VIR_RESIZE_N: grow by at least half the current
/// allocation, zero the new elements, and store the new allocation in `*maxparams` (before the
/// new parameter is even assigned, as the reference). Returns the index of the free slot.
///
/// # Safety
/// The three pointers are NULL or valid for reads and writes; `*params` is NULL or an array from
/// the C allocator of `*maxparams` elements.
unsafe fn make_room(
    function: &str,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
) -> Result<usize, Error> {
    for (p, arg) in [
        (params.is_null(), "params"),
        (nparams.is_null(), "nparams"),
        (maxparams.is_null(), "maxparams"),
    ] {
        if p {
            return Err(Error::null_arg(VIR_FROM_NONE, function, arg));
        }
    }
    // SAFETY: all three are non-NULL (checked above) and valid by the caller's promise.
    let (array, n, max) = unsafe { (*params, *nparams, *maxparams) };
    let n = usize::try_from(n).map_err(|_| {
        Error::invalid_arg(
            VIR_FROM_NONE,
            function,
            "nparams",
            format!("nparams in {function} must be zero or greater"),
        )
    })?;
    // With no array there is nothing allocated, whatever *maxparams says (the reference would
    // write through NULL); a negative allocation is none either.
    let mut alloc = if array.is_null() {
        0
    } else {
        usize::try_from(max).unwrap_or(0)
    };
    if n + 1 > alloc {
        let delta = (n + 1 - alloc).max(alloc / 2);
        let new_alloc = alloc + delta;
        let too_big = || Error::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, None);
        if c_int::try_from(new_alloc).is_err() {
            return Err(too_big());
        }
        let size = std::mem::size_of::<virTypedParameter>();
        // SAFETY: `array` is NULL or the caller's C-allocated array; realloc keeps its contents.
        let grown =
            unsafe { libc::realloc(array.cast(), new_alloc * size) }.cast::<virTypedParameter>();
        if grown.is_null() {
            return Err(too_big());
        }
        // SAFETY: elements alloc..new_alloc lie inside the new allocation; all-zero bytes are a
        // valid virTypedParameter (empty field, type 0, NULL/0 value).
        unsafe { ptr::write_bytes(grown.add(alloc), 0, delta) };
        // SAFETY: `params` is non-NULL and writable (checked above).
        unsafe { *params = grown };
        alloc = new_alloc;
    }
    // SAFETY: non-NULL and writable (checked above); `alloc` fits an int (checked when grown, and
    // otherwise it is the caller's own non-negative value).
    unsafe { *maxparams = alloc as c_int };
    Ok(n)
}

/// Copy `name` into the field (libvirt's virStrcpyStatic). A NULL name leaves the field as it was,
/// as the reference's g_strlcpy does after its warning.
///
/// # Safety
/// `slot` is a valid parameter; `name` is NULL or a C string.
unsafe fn assign_name(slot: *mut virTypedParameter, name: *const c_char) -> Result<(), Error> {
    if name.is_null() {
        return Ok(());
    }
    // SAFETY: non-NULL C string by the caller's promise.
    let bytes = unsafe { CStr::from_ptr(name) }.to_bytes_with_nul();
    if bytes.len() > VIR_TYPED_PARAM_FIELD_LENGTH {
        return Err(Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_NONE,
            // SAFETY: `name` is a C string.
            format!("Field name '{}' too long", unsafe { show(name) }),
        ));
    }
    // SAFETY: `bytes` (name and NUL) fits the 80-byte field of the valid `slot`; no overlap, the
    // caller's name is not inside the slot being written.
    unsafe {
        ptr::copy_nonoverlapping(
            bytes.as_ptr().cast::<c_char>(),
            (*slot).field.as_mut_ptr(),
            bytes.len(),
        )
    };
    Ok(())
}

/// A value to store in a new parameter.
#[derive(Clone, Copy)]
enum Value {
    Int(c_int),
    UInt(c_uint),
    LLong(c_longlong),
    ULLong(c_ulonglong),
    Double(c_double),
    Boolean(bool),
    /// A C-allocated string the parameter takes over.
    String(*mut c_char),
}

/// Set type and value (the name is already there).
///
/// # Safety
/// `slot` is a valid parameter.
unsafe fn store(slot: *mut virTypedParameter, v: Value) {
    // SAFETY: `slot` is valid by the caller's promise; writing union members is safe.
    let p = unsafe { &mut *slot };
    match v {
        Value::Int(x) => (p.r#type, p.value.i) = (INT, x),
        Value::UInt(x) => (p.r#type, p.value.ui) = (UINT, x),
        Value::LLong(x) => (p.r#type, p.value.l) = (LLONG, x),
        Value::ULLong(x) => (p.r#type, p.value.ul) = (ULLONG, x),
        Value::Double(x) => (p.r#type, p.value.d) = (DOUBLE, x),
        Value::Boolean(x) => (p.r#type, p.value.b) = (BOOLEAN, c_char::from(x)),
        Value::String(x) => (p.r#type, p.value.s) = (STRING, x),
    }
}

/// strdup(3) of a C string; NULL gives "" (as the reference's string assignment). Fails only
/// when the C allocator does.
///
/// # Safety
/// `s` is NULL or a C string.
unsafe fn dup(s: *const c_char) -> Result<*mut c_char, Error> {
    let src = if s.is_null() { c"".as_ptr() } else { s };
    // SAFETY: `src` is a valid C string.
    let out = unsafe { libc::strdup(src) };
    if out.is_null() {
        Err(Error::new(VIR_ERR_NO_MEMORY, VIR_FROM_NONE, None))
    } else {
        Ok(out)
    }
}

/// virTypedParamsAdd<Type>: grow, name, value, count.
///
/// # Safety
/// As `make_room`; `name` is NULL or a C string.
unsafe fn add(
    function: &str,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: Value,
) -> c_int {
    // SAFETY: handed on with the caller's promises.
    unsafe { add_with(function, params, nparams, maxparams, name, || Ok(value)) }
}

/// The one body of every virTypedParamsAdd*: grow, name the slot, then make the value (the
/// reference reports a bad name before a bad value), store it and count it.
///
/// # Safety
/// As `make_room`; `name` is NULL or a C string.
unsafe fn add_with(
    function: &str,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: impl FnOnce() -> Result<Value, Error>,
) -> c_int {
    let r = (|| {
        // SAFETY: the caller's promises are make_room's.
        let n = unsafe { make_room(function, params, nparams, maxparams) }?;
        // SAFETY: make_room left `*params` an array with a zeroed or caller-owned slot `n`.
        let slot = unsafe { (*params).add(n) };
        // SAFETY: `slot` is valid; `name` is NULL or a C string.
        unsafe { assign_name(slot, name) }?;
        let v = value()?;
        // SAFETY: `slot` is valid; the parameter owns the value from now on.
        unsafe { store(slot, v) };
        // SAFETY: non-NULL (make_room checked) and writable.
        unsafe { *nparams += 1 };
        Ok(0)
    })();
    r.unwrap_or_else(|e| {
        error::report(e);
        -1
    })
}

pub(crate) unsafe fn virTypedParamsAddInt(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: c_int,
) -> c_int {
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe {
        add(
            "virTypedParamsAddInt",
            params,
            nparams,
            maxparams,
            name,
            Value::Int(value),
        )
    }
}

pub(crate) unsafe fn virTypedParamsAddUInt(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: c_uint,
) -> c_int {
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe {
        add(
            "virTypedParamsAddUInt",
            params,
            nparams,
            maxparams,
            name,
            Value::UInt(value),
        )
    }
}

pub(crate) unsafe fn virTypedParamsAddLLong(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: c_longlong,
) -> c_int {
    let v = Value::LLong(value);
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe {
        add(
            "virTypedParamsAddLLong",
            params,
            nparams,
            maxparams,
            name,
            v,
        )
    }
}

pub(crate) unsafe fn virTypedParamsAddULLong(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: c_ulonglong,
) -> c_int {
    let v = Value::ULLong(value);
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe {
        add(
            "virTypedParamsAddULLong",
            params,
            nparams,
            maxparams,
            name,
            v,
        )
    }
}

pub(crate) unsafe fn virTypedParamsAddDouble(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: c_double,
) -> c_int {
    let v = Value::Double(value);
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe {
        add(
            "virTypedParamsAddDouble",
            params,
            nparams,
            maxparams,
            name,
            v,
        )
    }
}

pub(crate) unsafe fn virTypedParamsAddBoolean(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: c_int,
) -> c_int {
    let v = Value::Boolean(value != 0);
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe {
        add(
            "virTypedParamsAddBoolean",
            params,
            nparams,
            maxparams,
            name,
            v,
        )
    }
}

/// virTypedParamsAddString under the name of the public function that asked.
///
/// # Safety
/// As `add`; `value` is NULL or a C string.
unsafe fn add_string(
    function: &str,
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: *const c_char,
) -> c_int {
    // SAFETY: `value` is NULL or a C string, by the caller's promise.
    let copy = move || unsafe { dup(value) }.map(Value::String);
    // SAFETY: handed on with the caller's promises.
    unsafe { add_with(function, params, nparams, maxparams, name, copy) }
}

pub(crate) unsafe fn virTypedParamsAddString(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    value: *const c_char,
) -> c_int {
    const F: &str = "virTypedParamsAddString";
    // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
    unsafe { add_string(F, params, nparams, maxparams, name, value) }
}

pub(crate) unsafe fn virTypedParamsAddStringList(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    values: *mut *const c_char,
) -> c_int {
    if values.is_null() {
        return 0;
    }
    // An empty list answers -1 without an error, as the reference.
    let mut rv = -1;
    for i in 0.. {
        // SAFETY: `values` is a NULL-terminated array by the C contract; we stop at its NULL.
        let v = unsafe { *values.add(i) };
        if v.is_null() {
            break;
        }
        // Each element is a virTypedParamsAddString call of its own, which resets the last error.
        error::reset_last();
        // SAFETY: the C contract, as virTypedParamsAddString.
        rv = unsafe {
            add_string(
                "virTypedParamsAddString",
                params,
                nparams,
                maxparams,
                name,
                v,
            )
        };
        if rv < 0 {
            break;
        }
    }
    rv
}

// ---- adding from a string ---------------------------------------------------------------------

/// The end of a successful strto* parse: the whole string consumed, something consumed, no errno.
///
/// # Safety
/// `end` points into the string `s` (as strto* leave it).
unsafe fn whole(s: *const c_char, end: *const c_char) -> bool {
    // SAFETY: strto* leave `end` inside `s`, at worst on its NUL.
    errno() == 0 && end != s && unsafe { *end } == 0
}

fn errno() -> c_int {
    // SAFETY: __errno_location always returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

fn clear_errno() {
    // SAFETY: as above; writing errno is allowed.
    unsafe { *libc::__errno_location() = 0 };
}

/// The "C" locale, for strtod as the reference's virStrToDouble (locale-independent '.').
fn c_locale() -> libc::locale_t {
    static LOC: OnceLock<usize> = OnceLock::new();
    // SAFETY: newlocale with a valid mask, a C string and no base; the result is kept forever.
    *LOC.get_or_init(|| unsafe {
        libc::newlocale(libc::LC_ALL_MASK, c"C".as_ptr(), ptr::null_mut()) as usize
    }) as libc::locale_t
}

/// Parse `s` as libvirt's virStrToLong_* / virStrToDouble (base 10, the whole string), or None.
///
/// # Safety
/// `s` is a C string.
unsafe fn parse(s: *const c_char, t: c_int) -> Option<Value> {
    let mut end: *mut c_char = ptr::null_mut();
    clear_errno();
    match t {
        INT => {
            // SAFETY: `s` is a C string and `end` a valid out-pointer.
            let v = unsafe { libc::strtol(s, &mut end, 10) };
            // SAFETY: `end` was set by strtol inside `s`.
            (unsafe { whole(s, end) })
                .then(|| c_int::try_from(v).ok())
                .flatten()
                .map(Value::Int)
        }
        UINT => {
            // SAFETY: `s` is a C string and `end` a valid out-pointer.
            let mut v = unsafe { libc::strtoul(s, &mut end, 10) } as u64;
            let mut bad = false;
            // libvirt takes "-N" as the 32-bit two's complement when N fits 32 bits.
            // SAFETY: `s..end` is the part strtoul consumed, inside the string.
            let consumed =
                unsafe { std::slice::from_raw_parts(s.cast::<u8>(), end.offset_from(s) as usize) };
            if consumed.contains(&b'-') {
                if v.wrapping_neg() > u64::from(u32::MAX) {
                    bad = true;
                } else {
                    v &= u64::from(u32::MAX);
                }
            }
            // SAFETY: `end` was set by strtoul inside `s`.
            let ok = !bad && unsafe { whole(s, end) };
            ok.then(|| c_uint::try_from(v).ok())
                .flatten()
                .map(Value::UInt)
        }
        LLONG => {
            // SAFETY: `s` is a C string and `end` a valid out-pointer.
            let v = unsafe { libc::strtoll(s, &mut end, 10) };
            // SAFETY: `end` was set by strtoll inside `s`.
            (unsafe { whole(s, end) }).then_some(Value::LLong(v))
        }
        ULLONG => {
            // SAFETY: `s` is a C string and `end` a valid out-pointer.
            let v = unsafe { libc::strtoull(s, &mut end, 10) };
            // SAFETY: `end` was set by strtoull inside `s`.
            (unsafe { whole(s, end) }).then_some(Value::ULLong(v))
        }
        DOUBLE => {
            let loc = c_locale();
            let v = if loc.is_null() {
                // SAFETY: `s` is a C string and `end` a valid out-pointer.
                unsafe { libc::strtod(s, &mut end) }
            } else {
                // SAFETY: `loc` is a valid locale object; the previous one is restored right
                // after the parse (uselocale only affects this thread).
                unsafe {
                    let old = libc::uselocale(loc);
                    let v = libc::strtod(s, &mut end);
                    libc::uselocale(old);
                    v
                }
            };
            // SAFETY: `end` was set by strtod inside `s`.
            (unsafe { whole(s, end) }).then_some(Value::Double(v))
        }
        _ => None,
    }
}

pub(crate) unsafe fn virTypedParamsAddFromString(
    params: *mut virTypedParameterPtr,
    nparams: *mut c_int,
    maxparams: *mut c_int,
    name: *const c_char,
    r#type: c_int,
    value: *const c_char,
) -> c_int {
    const F: &str = "virTypedParamsAddFromString";
    let r = (|| {
        // SAFETY: the C contract: the pointers are valid or NULL, the array is C-allocated.
        let n = unsafe { make_room(F, params, nparams, maxparams) }?;
        // SAFETY: `name` is NULL or a C string.
        let shown = unsafe { show(name) };
        if value.is_null() {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_NONE,
                format!("NULL value for field '{shown}'"),
            ));
        }
        // SAFETY: make_room left `*params` an array with slot `n`.
        let slot = unsafe { (*params).add(n) };
        // SAFETY: `slot` is valid; `name` is NULL or a C string.
        unsafe { assign_name(slot, name) }?;
        let expected = match r#type {
            INT => "int",
            UINT => "unsigned int",
            LLONG => "long long",
            ULLONG => "unsigned long long",
            DOUBLE => "double",
            BOOLEAN | STRING => "",
            _ => {
                return Err(Error::with(
                    VIR_ERR_INTERNAL_ERROR,
                    VIR_FROM_NONE,
                    format!("unexpected type {} for field {shown}", r#type),
                ))
            }
        };
        let v = match r#type {
            BOOLEAN => {
                // SAFETY: `value` is a non-NULL C string.
                let text = unsafe { CStr::from_ptr(value) }.to_bytes();
                if text.eq_ignore_ascii_case(b"true") || text == b"1" {
                    Value::Boolean(true)
                } else if text.eq_ignore_ascii_case(b"false") || text == b"0" {
                    Value::Boolean(false)
                } else {
                    return Err(Error::with(
                        VIR_ERR_INVALID_ARG,
                        VIR_FROM_NONE,
                        format!("Invalid boolean value for field '{shown}'"),
                    ));
                }
            }
            // SAFETY: `value` is a non-NULL C string.
            STRING => Value::String(unsafe { dup(value) }?),
            // SAFETY: `value` is a non-NULL C string.
            _ => unsafe { parse(value, r#type) }.ok_or_else(|| {
                Error::with(
                    VIR_ERR_INVALID_ARG,
                    VIR_FROM_NONE,
                    format!("Invalid value for field '{shown}': expected {expected}"),
                )
            })?,
        };
        // SAFETY: `slot` is valid.
        unsafe { store(slot, v) };
        // SAFETY: non-NULL (make_room checked) and writable.
        unsafe { *nparams += 1 };
        Ok(0)
    })();
    r.unwrap_or_else(|e| {
        error::report(e);
        -1
    })
}

// ---- freeing ----------------------------------------------------------------------------------

/// Free the strings of `nparams` parameters (NULLing them), as virTypedParamsClear.
///
/// # Safety
/// `params` is NULL or points to `nparams` parameters whose strings are C-allocated.
pub(crate) unsafe fn clear(params: virTypedParameterPtr, nparams: c_int) {
    if params.is_null() {
        return;
    }
    for i in 0..count(nparams) {
        // SAFETY: `i` is within the caller's array.
        let p = unsafe { &mut *params.add(i) };
        if p.r#type == STRING {
            // SAFETY: a string parameter's value is NULL or C-allocated, by the C contract.
            unsafe {
                libc::free(p.value.s.cast());
                p.value.s = ptr::null_mut();
            }
        }
    }
}

/// virTypedParamsFree without the public entry (shared with virDomainStatsRecordListFree).
///
/// # Safety
/// As `clear`; the array itself is NULL or C-allocated.
pub(crate) unsafe fn free(params: virTypedParameterPtr, nparams: c_int) {
    // SAFETY: the caller's promises are clear's and free(3)'s.
    unsafe {
        clear(params, nparams);
        libc::free(params.cast());
    }
}

pub(crate) unsafe fn virTypedParamsClear(params: virTypedParameterPtr, nparams: c_int) {
    // SAFETY: the C contract: `params` holds `nparams` parameters with C-allocated strings.
    unsafe { clear(params, nparams) }
}

pub(crate) unsafe fn virTypedParamsFree(params: virTypedParameterPtr, nparams: c_int) {
    // SAFETY: the C contract: as virTypedParamsClear, and the array is C-allocated.
    unsafe { free(params, nparams) }
}
