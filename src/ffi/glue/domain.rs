//! C shapes of the domain family's extra functions: input arrays with their length (CPU maps, typed
//! parameters, key codes, mount points), vcpu information with CPU maps, CPU maps and typed
//! parameters into the caller's array, the scheduler's name, and the structs and arrays of the
//! statistics, block, file-system and guest calls.

use super::{Cx, FromC, Out, Reply};
use crate::driver::family::{
    check_positive, public_invalid_arg, BlockInfo, BlockStats, ControlInfo, CpuMaps, CpuStats,
    DiskErrors, FsInfos, GuestTime, InterfaceStats, MemoryStats, Messages, Renamed, SchedulerType,
    SecurityLabel, Stopped, TimeAnswer, TypedParams, TypedValue, Vcpus,
};
use crate::error::{Error, Result, VIR_ERR_INVALID_ARG, VIR_ERR_OVERFLOW};
use crate::ffi::args;
use crate::ffi::generated::types::{
    virDomainBlockInfo, virDomainBlockInfoPtr, virDomainBlockStatsPtr, virDomainBlockStatsStruct,
    virDomainControlInfo, virDomainControlInfoPtr, virDomainDiskError, virDomainDiskErrorPtr,
    virDomainFSInfo, virDomainFSInfoPtr, virDomainInterfaceStatsPtr, virDomainInterfaceStatsStruct,
    virDomainMemoryStatPtr, virDomainMemoryStatStruct, virSecurityLabelPtr, virTypedParameter,
    virTypedParameterPtr, virVcpuInfo, virVcpuInfoPtr, VIR_TYPED_PARAM_BOOLEAN,
    VIR_TYPED_PARAM_DOUBLE, VIR_TYPED_PARAM_FIELD_LENGTH, VIR_TYPED_PARAM_INT,
    VIR_TYPED_PARAM_LLONG, VIR_TYPED_PARAM_STRING, VIR_TYPED_PARAM_UINT, VIR_TYPED_PARAM_ULLONG,
};
use std::os::raw::{c_char, c_int, c_longlong, c_uchar, c_uint};

/// A CPU map the caller gives (virDomainPinVcpu): the public layer wants it and a positive length.
impl FromC<(*mut c_uchar, c_int)> for Vec<u8> {
    unsafe fn from_c(c: (*mut c_uchar, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (map, len) = c;
        if map.is_null() {
            return Err(cx.null_arg(arg));
        }
        check_positive(cx.function, "maplen", i64::from(len))?;
        // SAFETY: non-NULL, `len` readable bytes by the C contract.
        Ok(unsafe { std::slice::from_raw_parts(map, len as usize) }.to_vec())
    }
}

/// Key codes the caller gives (virDomainSendKey).
impl FromC<(*mut c_uint, c_int)> for Vec<u32> {
    unsafe fn from_c(c: (*mut c_uint, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (codes, n) = c;
        if codes.is_null() {
            return Err(cx.null_arg(arg));
        }
        check_positive(cx.function, "nkeycodes", i64::from(n))?;
        // SAFETY: non-NULL, `n` readable values by the C contract.
        Ok(unsafe { std::slice::from_raw_parts(codes, n as usize) }.to_vec())
    }
}

/// Mount points the caller gives (virDomainFSFreeze): none when the count is 0.
impl FromC<(*mut *const c_char, c_uint)> for Vec<String> {
    unsafe fn from_c(c: (*mut *const c_char, c_uint), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (list, n) = c;
        if n > 0 && list.is_null() {
            return Err(cx.null_arg(arg));
        }
        (0..n as usize)
            .map(|i| {
                // SAFETY: `n` readable pointers at `list`, each a C string by the C contract.
                let s = unsafe { args::optional_str(list.add(i).read()) };
                s.map(|s| s.into_owned()).ok_or_else(|| cx.null_arg(arg))
            })
            .collect()
    }
}

/// The field name of a parameter, up to its NUL; the public layer refuses one without.
fn field_name(p: &virTypedParameter, cx: &Cx) -> Result<String> {
    let bytes: Vec<u8> = p.field.iter().map(|&c| c as u8).collect();
    match bytes.iter().position(|&b| b == 0) {
        Some(n) => Ok(String::from_utf8_lossy(&bytes[..n]).into_owned()),
        None => Err(Error::with(
            VIR_ERR_INVALID_ARG,
            cx.from,
            format!(
                "string parameter name '{}' too long",
                String::from_utf8_lossy(&bytes)
            ),
        )),
    }
}

/// The public layer's checks of a typed-parameter array the caller gives: not NULL, and a count
/// of at least `min` (0 or 1, the two rules libvirt's functions use).
pub(super) fn check_param_array(
    params: virTypedParameterPtr,
    n: c_int,
    min: c_int,
    cx: &Cx,
    arg: &'static str,
) -> Result<()> {
    if params.is_null() {
        return Err(cx.null_arg(arg));
    }
    if n < min {
        let rule = match min {
            0 => "be zero or greater",
            _ => "be greater than zero",
        };
        return Err(public_invalid_arg(
            cx.function,
            "nparams",
            format!("nparams in {} must {rule}", cx.function),
        ));
    }
    Ok(())
}

/// Typed parameters the caller gives (virDomainSetSchedulerParameters).
impl FromC<(virTypedParameterPtr, c_int)> for TypedParams {
    unsafe fn from_c(c: (virTypedParameterPtr, c_int), cx: &Cx, arg: &'static str) -> Result<Self> {
        let (params, n) = c;
        check_param_array(params, n, 0, cx, arg)?;
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n as usize {
            // SAFETY: `n` readable parameters at `params` by the C contract.
            let p = unsafe { &*params.add(i) };
            let name = field_name(p, cx)?;
            // SAFETY: the union member read is the one the type names, as the C contract says.
            let value = unsafe {
                match p.r#type as u32 {
                    VIR_TYPED_PARAM_INT => TypedValue::Int(p.value.i),
                    VIR_TYPED_PARAM_UINT => TypedValue::UInt(p.value.ui),
                    VIR_TYPED_PARAM_LLONG => TypedValue::LLong(p.value.l),
                    VIR_TYPED_PARAM_ULLONG => TypedValue::ULLong(p.value.ul),
                    VIR_TYPED_PARAM_DOUBLE => TypedValue::Double(p.value.d),
                    VIR_TYPED_PARAM_BOOLEAN => TypedValue::Boolean(p.value.b != 0),
                    VIR_TYPED_PARAM_STRING => TypedValue::String(
                        args::optional_str(p.value.s)
                            .map(|s| s.into_owned())
                            .unwrap_or_default(),
                    ),
                    t => {
                        return Err(Error::with(
                            VIR_ERR_INVALID_ARG,
                            0,
                            format!("invalid type {t} for parameter '{name}'"),
                        ))
                    }
                }
            };
            out.push((name, value));
        }
        Ok(TypedParams(out))
    }
}

/// One typed parameter as C holds it; a string is strdup'd for the caller to free.
pub(crate) fn c_param(name: &str, value: &TypedValue) -> virTypedParameter {
    let mut p = virTypedParameter {
        field: [0; VIR_TYPED_PARAM_FIELD_LENGTH],
        r#type: 0,
        value: crate::ffi::generated::types::_virTypedParameterValue { ul: 0 },
    };
    for (d, b) in p
        .field
        .iter_mut()
        .zip(name.bytes().take(VIR_TYPED_PARAM_FIELD_LENGTH - 1))
    {
        *d = b as c_char;
    }
    let (t, v) = match value {
        TypedValue::Int(i) => (
            VIR_TYPED_PARAM_INT,
            crate::ffi::generated::types::_virTypedParameterValue { i: *i },
        ),
        TypedValue::UInt(u) => (
            VIR_TYPED_PARAM_UINT,
            crate::ffi::generated::types::_virTypedParameterValue { ui: *u },
        ),
        TypedValue::LLong(l) => (
            VIR_TYPED_PARAM_LLONG,
            crate::ffi::generated::types::_virTypedParameterValue { l: *l },
        ),
        TypedValue::ULLong(u) => (
            VIR_TYPED_PARAM_ULLONG,
            crate::ffi::generated::types::_virTypedParameterValue { ul: *u },
        ),
        TypedValue::Double(d) => (
            VIR_TYPED_PARAM_DOUBLE,
            crate::ffi::generated::types::_virTypedParameterValue { d: *d },
        ),
        TypedValue::Boolean(b) => (
            VIR_TYPED_PARAM_BOOLEAN,
            crate::ffi::generated::types::_virTypedParameterValue { b: *b as c_char },
        ),
        TypedValue::String(s) => (
            VIR_TYPED_PARAM_STRING,
            crate::ffi::generated::types::_virTypedParameterValue {
                s: args::malloc_str(s),
            },
        ),
    };
    p.r#type = t as c_int;
    p.value = v;
    p
}

/// Typed parameters into the caller's array of `*nparams` (virDomainGetSchedulerParameters): as
/// many as fit, and that count.
impl Reply<c_int, (Out<virTypedParameterPtr>, Out<*mut c_int>)> for TypedParams {
    fn check(outs: &(Out<virTypedParameterPtr>, Out<*mut c_int>), cx: &Cx) -> Result<()> {
        let Out(n, arg) = outs.1;
        if n.is_null() {
            return Err(cx.null_arg(arg));
        }
        // SAFETY: non-NULL, readable by the C contract.
        let count = unsafe { n.read() };
        if count <= 0 {
            return Err(public_invalid_arg(
                cx.function,
                "*nparams",
                format!("*nparams in {} must be greater than zero", cx.function),
            ));
        }
        Ok(())
    }
    unsafe fn reply(
        self,
        outs: (Out<virTypedParameterPtr>, Out<*mut c_int>),
        _: &Cx,
    ) -> Result<c_int> {
        let (Out(params, _), Out(n, _)) = outs;
        // SAFETY: checked non-NULL and positive before the call.
        let room = unsafe { n.read() } as usize;
        let mut written = 0;
        for (name, value) in self.0.iter().take(room) {
            // SAFETY: the caller's array holds `room` parameters; written < room.
            unsafe { params.add(written).write(c_param(name, value)) };
            written += 1;
        }
        // SAFETY: checked non-NULL.
        unsafe { n.write(written as c_int) };
        Ok(0)
    }
}

/// The scheduler's name (the caller frees it), its parameter count when asked.
impl Reply<*mut c_char, (Out<*mut c_int>,)> for SchedulerType {
    unsafe fn reply(self, outs: (Out<*mut c_int>,), _: &Cx) -> Result<*mut c_char> {
        let n = outs.0 .0;
        if !n.is_null() {
            // SAFETY: non-NULL and writable by the C contract.
            unsafe { n.write(self.nparams) };
        }
        Ok(args::malloc_str(&self.name))
    }
}

/// CPU maps one after the other into the caller's array; the count is the answer.
impl Reply<c_int, (Out<*mut c_uchar>,)> for CpuMaps {
    fn check(outs: &(Out<*mut c_uchar>,), cx: &Cx) -> Result<()> {
        match outs.0 .0.is_null() {
            true => Err(cx.null_arg(outs.0 .1)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<*mut c_uchar>,), _: &Cx) -> Result<c_int> {
        let mut at = outs.0 .0;
        for map in &self.0 {
            // SAFETY: the driver sized every map by the caller's length and their count by the
            // caller's count, which the array holds.
            unsafe {
                std::ptr::copy_nonoverlapping(map.as_ptr(), at, map.len());
                at = at.add(map.len());
            }
        }
        Ok(self.0.len() as c_int)
    }
}

/// virDomainGetVcpus: the vcpus into the caller's array, their maps when it gave an array for them.
impl Reply<c_int, (Out<virVcpuInfoPtr>, Out<*mut c_uchar>)> for Vcpus {
    unsafe fn reply(
        self,
        outs: (Out<virVcpuInfoPtr>, Out<*mut c_uchar>),
        cx: &Cx,
    ) -> Result<c_int> {
        let (Out(info, _), Out(maps, _)) = outs;
        // The public layer's rule: a map array needs a positive length, no array no length.
        if !maps.is_null() {
            check_positive(cx.function, "maplen", i64::from(self.maplen))?;
        } else if self.maplen != 0 {
            return Err(public_invalid_arg(
                cx.function,
                "maplen",
                format!("maplen in {} must be zero", cx.function),
            ));
        }
        for (i, v) in self.info.iter().enumerate() {
            let c = virVcpuInfo {
                number: v.number,
                state: v.state.into(),
                cpuTime: v.cpu_time_ns,
                cpu: v.cpu,
            };
            // SAFETY: the driver answers at most `maxinfo` vcpus, which the caller's array holds.
            unsafe { info.add(i).write(c) };
        }
        if !maps.is_null() {
            // SAFETY: maps.len() <= maxinfo maps of `maplen` bytes, as the caller's array holds.
            unsafe { CpuMaps(self.maps).reply((Out(maps, "cpumaps"),), cx) }?;
        }
        Ok(self.info.len() as c_int)
    }
}

/// A `long long` argument (virDomainSetTime's seconds, virDomainSendProcessSignal's pid).
impl FromC<c_longlong> for i64 {
    unsafe fn from_c(c: c_longlong, _cx: &Cx, _arg: &'static str) -> Result<Self> {
        Ok(c)
    }
}

/// A required output pointer.
pub(super) fn required<P>(p: *mut P, arg: &'static str, cx: &Cx) -> Result<()> {
    match p.is_null() {
        true => Err(cx.null_arg(arg)),
        false => Ok(()),
    }
}

/// virDomainGetTime: seconds and nanoseconds.
impl Reply<c_int, (Out<*mut c_longlong>, Out<*mut c_uint>)> for TimeAnswer {
    fn check(outs: &(Out<*mut c_longlong>, Out<*mut c_uint>), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)?;
        required(outs.1 .0, outs.1 .1, cx)
    }
    unsafe fn reply(self, outs: (Out<*mut c_longlong>, Out<*mut c_uint>), _: &Cx) -> Result<c_int> {
        let (time, failure) = match self {
            TimeAnswer::Time(t) => (t, None),
            TimeAnswer::FailedAfterZeroing(e) => (
                GuestTime {
                    seconds: 0,
                    nseconds: 0,
                },
                Some(e),
            ),
        };
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe {
            outs.0 .0.write(time.seconds);
            outs.1 .0.write(time.nseconds);
        }
        failure.map_or(Ok(0), Err)
    }
}

/// virDomainGetControlInfo into the caller's struct.
impl Reply<c_int, (Out<virDomainControlInfoPtr>,)> for ControlInfo {
    fn check(outs: &(Out<virDomainControlInfoPtr>,), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)
    }
    unsafe fn reply(self, outs: (Out<virDomainControlInfoPtr>,), _: &Cx) -> Result<c_int> {
        let c = virDomainControlInfo {
            state: self.state,
            details: self.details,
            stateTime: self.state_time_ms,
        };
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.0 .0.write(c) };
        Ok(0)
    }
}

/// virDomainGetSecurityLabel into the caller's struct, zeroed first as the reference does.
impl Reply<c_int, (Out<virSecurityLabelPtr>,)> for SecurityLabel {
    fn check(outs: &(Out<virSecurityLabelPtr>,), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)
    }
    unsafe fn reply(self, outs: (Out<virSecurityLabelPtr>,), cx: &Cx) -> Result<c_int> {
        // SAFETY: checked non-NULL; writable by the C contract.
        let l = unsafe {
            std::ptr::write_bytes(outs.0 .0, 0, 1);
            &mut *outs.0 .0
        };
        if self.label.len() >= l.label.len() {
            return Err(Error::internal(
                cx.from,
                "security label exceeds its buffer",
            ));
        }
        for (d, b) in l.label.iter_mut().zip(self.label.bytes()) {
            *d = b as c_char;
        }
        l.enforcing = c_int::from(self.enforcing);
        Ok(0)
    }
}

/// Memory statistics into the caller's array (sized by the count the driver was given); no array,
/// no statistics.
impl Reply<c_int, (Out<virDomainMemoryStatPtr>,)> for MemoryStats {
    fn early(outs: &(Out<virDomainMemoryStatPtr>,)) -> Option<c_int> {
        outs.0 .0.is_null().then_some(0)
    }
    unsafe fn reply(self, outs: (Out<virDomainMemoryStatPtr>,), _: &Cx) -> Result<c_int> {
        let dst = outs.0 .0;
        if dst.is_null() {
            return Ok(0);
        }
        for (i, (tag, val)) in self.0.iter().enumerate() {
            // SAFETY: the driver answers at most the caller's count, which the array holds.
            unsafe {
                dst.add(i).write(virDomainMemoryStatStruct {
                    tag: *tag,
                    val: *val,
                })
            };
        }
        Ok(self.0.len() as c_int)
    }
}

/// Strings into a new array the caller frees, NULL-terminated (virDomainGetMessages).
impl Reply<c_int, (Out<*mut *mut *mut c_char>,)> for Messages {
    unsafe fn reply(self, outs: (Out<*mut *mut *mut c_char>,), cx: &Cx) -> Result<c_int> {
        let n = self.0.len();
        // SAFETY: calloc for n + 1 pointers; the caller frees the array and its strings.
        let arr =
            unsafe { libc::calloc(n + 1, std::mem::size_of::<*mut c_char>()) } as *mut *mut c_char;
        if arr.is_null() {
            return Err(Error::system(
                cx.from,
                libc::ENOMEM,
                "cannot allocate memory",
            ));
        }
        for (i, m) in self.0.iter().enumerate() {
            // SAFETY: `arr` has n + 1 slots; i < n.
            unsafe { arr.add(i).write(args::malloc_str(m)) };
        }
        // SAFETY: the output was checked non-NULL by the public layer's check; writable.
        unsafe { outs.0 .0.write(arr) };
        Ok(n as c_int)
    }
}

/// The domain stopped: the handle the call came through loses its id, as the reference's does.
impl Reply<c_int, ()> for Stopped {
    unsafe fn reply(self, _: (), cx: &Cx) -> Result<c_int> {
        if !self.0 {
            return Ok(0);
        }
        if let Some(e) = cx.domain_key.and_then(|k| {
            crate::ffi::handles::domain(k as crate::ffi::generated::types::virDomainPtr)
        }) {
            e.id.store(-1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(0)
    }
}

/// A rename that renames the caller's handle too (through a daemon, as the reference's client).
impl Reply<c_int, ()> for Renamed {
    unsafe fn reply(self, _: (), cx: &Cx) -> Result<c_int> {
        if let Renamed::DefinitionAndHandle(name) = self {
            if let Some(e) = cx.domain_key.and_then(|k| {
                crate::ffi::handles::domain(k as crate::ffi::generated::types::virDomainPtr)
            }) {
                e.rename(&name);
            }
        }
        Ok(0)
    }
}

/// Disk errors into the caller's array of `max` (each disk name a string the caller frees); no
/// array (and no room) asks for how many disks there are.
impl Reply<c_int, (Out<virDomainDiskErrorPtr>, c_uint)> for DiskErrors {
    fn check(outs: &(Out<virDomainDiskErrorPtr>, c_uint), cx: &Cx) -> Result<()> {
        let (Out(errors, arg), max) = *outs;
        match errors.is_null() && max > 0 {
            true => Err(cx.null_arg(arg)),
            false => Ok(()),
        }
    }
    unsafe fn reply(self, outs: (Out<virDomainDiskErrorPtr>, c_uint), _: &Cx) -> Result<c_int> {
        let (Out(errors, _), max) = outs;
        if errors.is_null() {
            return Ok(self.1.unwrap_or(self.0.len() as c_int));
        }
        // A driver lists every disk (the count without an array is the disks'), those without
        // an error (VIR_DOMAIN_DISK_ERROR_NONE) too: only the others fill the array. A daemon's
        // list is what its driver wrote.
        let in_error: Vec<&(String, c_int)> = match self.1 {
            Some(_) => self.0.iter().collect(),
            None => self.0.iter().filter(|(_, e)| *e != 0).collect(),
        };
        let n = in_error.len().min(max as usize);
        for (i, (disk, error)) in in_error.into_iter().take(n).enumerate() {
            let e = virDomainDiskError {
                disk: args::malloc_str(disk),
                error: *error,
            };
            // SAFETY: the caller's array holds `max` entries; i < n <= max.
            unsafe { errors.add(i).write(e) };
        }
        Ok(self.1.unwrap_or(n as c_int))
    }
}

/// virDomainGetBlockInfo into the caller's struct.
impl Reply<c_int, (Out<virDomainBlockInfoPtr>,)> for BlockInfo {
    fn check(outs: &(Out<virDomainBlockInfoPtr>,), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)
    }
    unsafe fn reply(self, outs: (Out<virDomainBlockInfoPtr>,), _: &Cx) -> Result<c_int> {
        let c = virDomainBlockInfo {
            capacity: self.capacity,
            allocation: self.allocation,
            physical: self.physical,
        };
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.0 .0.write(c) };
        Ok(0)
    }
}

/// The public layer's checks of a statistics struct the caller sized: given, and no bigger than
/// ours (it may be an older, smaller one).
fn check_stats_size<P>(
    stats: *mut P,
    arg: &'static str,
    size: usize,
    ours: usize,
    cx: &Cx,
) -> Result<()> {
    required(stats, arg, cx)?;
    match size > ours {
        true => Err(public_invalid_arg(
            cx.function,
            "size",
            format!("size must not exceed {ours}"),
        )),
        false => Ok(()),
    }
}

/// The first `size` bytes of `value` into the caller's struct.
///
/// # Safety
/// `dst` holds `size` writable bytes, and `size` is at most the size of `T`.
unsafe fn write_prefix<T>(dst: *mut T, value: &T, size: usize) {
    // SAFETY: by the caller's promise.
    unsafe {
        std::ptr::copy_nonoverlapping((value as *const T).cast::<u8>(), dst.cast::<u8>(), size)
    };
}

/// virDomainBlockStats into the caller's struct of `size` bytes.
impl Reply<c_int, (Out<virDomainBlockStatsPtr>, usize)> for BlockStats {
    fn check(outs: &(Out<virDomainBlockStatsPtr>, usize), cx: &Cx) -> Result<()> {
        let (Out(p, arg), size) = *outs;
        check_stats_size(
            p,
            arg,
            size,
            std::mem::size_of::<virDomainBlockStatsStruct>(),
            cx,
        )
    }
    unsafe fn reply(self, outs: (Out<virDomainBlockStatsPtr>, usize), _: &Cx) -> Result<c_int> {
        let c = virDomainBlockStatsStruct {
            rd_req: self.rd_req,
            rd_bytes: self.rd_bytes,
            wr_req: self.wr_req,
            wr_bytes: self.wr_bytes,
            errs: self.errs,
        };
        // SAFETY: checked non-NULL and no bigger than the struct; `size` bytes writable.
        unsafe { write_prefix(outs.0 .0, &c, outs.1) };
        Ok(0)
    }
}

/// virDomainInterfaceStats into the caller's struct of `size` bytes.
impl Reply<c_int, (Out<virDomainInterfaceStatsPtr>, usize)> for InterfaceStats {
    fn check(outs: &(Out<virDomainInterfaceStatsPtr>, usize), cx: &Cx) -> Result<()> {
        let (Out(p, arg), size) = *outs;
        check_stats_size(
            p,
            arg,
            size,
            std::mem::size_of::<virDomainInterfaceStatsStruct>(),
            cx,
        )
    }
    unsafe fn reply(self, outs: (Out<virDomainInterfaceStatsPtr>, usize), _: &Cx) -> Result<c_int> {
        let c = virDomainInterfaceStatsStruct {
            rx_bytes: self.rx_bytes,
            rx_packets: self.rx_packets,
            rx_errs: self.rx_errs,
            rx_drop: self.rx_drop,
            tx_bytes: self.tx_bytes,
            tx_packets: self.tx_packets,
            tx_errs: self.tx_errs,
            tx_drop: self.tx_drop,
        };
        // SAFETY: checked non-NULL and no bigger than the struct; `size` bytes writable.
        unsafe { write_prefix(outs.0 .0, &c, outs.1) };
        Ok(0)
    }
}

/// A C-allocated copy of `n` values, or the allocation error.
pub(super) fn c_array<T>(n: usize, cx: &Cx) -> Result<*mut T> {
    // SAFETY: calloc of n elements (at least one, so that an empty array is not NULL).
    let p = unsafe { libc::calloc(n.max(1), std::mem::size_of::<T>()) } as *mut T;
    match p.is_null() {
        true => Err(Error::system(
            cx.from,
            libc::ENOMEM,
            "cannot allocate memory",
        )),
        false => Ok(p),
    }
}

/// File systems into a new array of new structs, all C-allocated for virDomainFSInfoFree and
/// free(3); none leaves the caller's pointer NULL.
impl Reply<c_int, (Out<*mut *mut virDomainFSInfoPtr>,)> for FsInfos {
    unsafe fn reply(self, outs: (Out<*mut *mut virDomainFSInfoPtr>,), cx: &Cx) -> Result<c_int> {
        let dst = outs.0 .0;
        if self.0.is_empty() {
            // SAFETY: checked non-NULL by the public layer's check; writable.
            unsafe { dst.write(std::ptr::null_mut()) };
            return Ok(0);
        }
        let list: *mut virDomainFSInfoPtr = c_array(self.0.len(), cx)?;
        for (i, fs) in self.0.iter().enumerate() {
            let aliases: *mut *mut c_char = c_array(fs.dev_aliases.len(), cx)?;
            for (k, a) in fs.dev_aliases.iter().enumerate() {
                // SAFETY: `aliases` holds dev_aliases.len() slots.
                unsafe { aliases.add(k).write(args::malloc_str(a)) };
            }
            let one: *mut virDomainFSInfo = c_array(1, cx)?;
            // SAFETY: `one` is a fresh allocation of one struct; `list` holds len slots.
            unsafe {
                one.write(virDomainFSInfo {
                    mountpoint: args::malloc_str(&fs.mountpoint),
                    name: args::malloc_str(&fs.name),
                    fstype: args::malloc_str(&fs.fstype),
                    ndevAlias: fs.dev_aliases.len(),
                    devAlias: aliases,
                });
                list.add(i).write(one);
            }
        }
        // SAFETY: checked non-NULL by the public layer's check; writable.
        unsafe { dst.write(list) };
        Ok(self.0.len() as c_int)
    }
}

/// virDomainGetCPUStats' array and the counts it is sized by (nparams, start_cpu, ncpus).
type CpuStatsOuts = (Out<virTypedParameterPtr>, c_uint, c_int, c_uint);

/// virDomainGetCPUStats: the public layer's checks of start_cpu, of an array that comes with a
/// count of parameters and CPUs and none without, and of the array's size, before any driver (a
/// daemon's client makes them before it asks); then the parameters at their places.
impl Reply<c_int, CpuStatsOuts> for CpuStats {
    fn check(outs: &CpuStatsOuts, cx: &Cx) -> Result<()> {
        let (Out(params, arg), nparams, start_cpu, ncpus) = *outs;
        if start_cpu == -1 && ncpus != 1 {
            return Err(public_invalid_arg(
                cx.function,
                "start_cpu",
                "ncpus must be 1 when start_cpu is -1".into(),
            ));
        }
        if start_cpu < -1 {
            return Err(public_invalid_arg(
                cx.function,
                "start_cpu",
                format!("start_cpu in {} must be zero or greater", cx.function),
            ));
        }
        let must_be_null = || {
            public_invalid_arg(
                cx.function,
                arg,
                format!("{arg} in {} must be NULL", cx.function),
            )
        };
        if nparams > 0 && params.is_null() {
            return Err(cx.null_arg(arg));
        }
        if (nparams == 0 || ncpus == 0) && !params.is_null() {
            return Err(must_be_null());
        }
        if nparams > 0 && ncpus > c_uint::MAX / nparams {
            return Err(Error::with(
                VIR_ERR_OVERFLOW,
                cx.from,
                format!("input too large: {nparams} * {ncpus}"),
            ));
        }
        Ok(())
    }
    unsafe fn reply(self, outs: CpuStatsOuts, _: &Cx) -> Result<c_int> {
        let Out(params, _) = outs.0;
        for (at, name, value) in &self.slots {
            // SAFETY: the driver places parameters below nparams * ncpus, the caller's array size.
            unsafe { params.add(*at).write(c_param(name, value)) };
        }
        Ok(self.count)
    }
}

/// Typed parameters into a new array the caller frees (virDomainGetLaunchSecurityInfo).
impl Reply<c_int, (Out<*mut virTypedParameterPtr>, Out<*mut c_int>)> for TypedParams {
    fn check(outs: &(Out<*mut virTypedParameterPtr>, Out<*mut c_int>), cx: &Cx) -> Result<()> {
        required(outs.0 .0, outs.0 .1, cx)?;
        required(outs.1 .0, outs.1 .1, cx)
    }
    unsafe fn reply(
        self,
        outs: (Out<*mut virTypedParameterPtr>, Out<*mut c_int>),
        cx: &Cx,
    ) -> Result<c_int> {
        let n = self.0.len();
        if n > 0 {
            let arr: virTypedParameterPtr = c_array(n, cx)?;
            for (i, (name, value)) in self.0.iter().enumerate() {
                // SAFETY: `arr` holds n parameters.
                unsafe { arr.add(i).write(c_param(name, value)) };
            }
            // SAFETY: checked non-NULL; writable by the C contract.
            unsafe { outs.0 .0.write(arr) };
        }
        // SAFETY: checked non-NULL; writable by the C contract.
        unsafe { outs.1 .0.write(n as c_int) };
        Ok(0)
    }
}
