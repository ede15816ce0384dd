//! Migration as libvirt's public layer runs it (src/libvirt-domain.c of libvirt 9.0): the checks
//! it makes of the flags and of what each driver supports (libvirt's VIR_DRV_SUPPORTS_FEATURE),
//! then either the client's own orchestration across the two connections (Begin on the source,
//! Prepare on the destination, Perform, Finish, Confirm, the cookies handed on between them) or
//! one Perform call on the source, whose daemon reaches the destination itself (peer-to-peer) or
//! migrates without a daemon there (direct). The C boundary (src/ffi/migrate.rs) checks the
//! handles and the read-only connections first, as the reference does, and calls these.

use crate::api::{DomainMigrateFlags as Flags, DomainState, DomainXMLFlags};
use crate::domain::DomainRef;
use crate::driver::family::{feature, TypedParams, TypedValue};
use crate::driver::Driver;
use crate::error::{
    Error, Result, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_INVALID_ARG, VIR_ERR_MIGRATE_FINISH_OK,
    VIR_ERR_OPERATION_FAILED, VIR_FROM_DOMAIN, VIR_FROM_QEMU,
};

/// The typed parameters' names (VIR_MIGRATE_PARAM_*, libvirt-domain.h).
pub const PARAM_URI: &str = "migrate_uri";
pub const PARAM_DEST_NAME: &str = "destination_name";
pub const PARAM_DEST_XML: &str = "destination_xml";
pub const PARAM_BANDWIDTH: &str = "bandwidth";

/// The parameters the protocols before typed parameters carry.
const COMPAT_V3: [&str; 4] = [PARAM_URI, PARAM_DEST_NAME, PARAM_DEST_XML, PARAM_BANDWIDTH];
const COMPAT_V2: [&str; 3] = [PARAM_DEST_NAME, PARAM_BANDWIDTH, PARAM_URI];

/// The guest being migrated: its connection's driver and the domain.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub driver: &'a dyn Driver,
    pub dom: &'a DomainRef,
}

/// The destination connection (virDomainMigrate*'s dconn): its driver and its URI.
#[derive(Clone, Copy)]
pub struct Dest<'a> {
    pub driver: &'a dyn Driver,
    pub uri: &'a str,
}

/// The fixed arguments of virDomainMigrate, virDomainMigrate2 and the older ToURI functions.
#[derive(Clone, Debug, Default)]
pub struct Legacy {
    pub dxml: Option<String>,
    pub dname: Option<String>,
    pub uri: Option<String>,
    pub bandwidth: u64,
}

fn has(driver: &dyn Driver, f: i32) -> Result<bool> {
    driver.connect().supports_feature(f)
}

fn both(src: &Source, dst: &Dest, f: i32) -> Result<bool> {
    Ok(has(src.driver, f)? && has(dst.driver, f)?)
}

fn unsupported_argument(text: &str) -> Error {
    Error::with(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_DOMAIN, text)
}

fn invalid_flags(function: &str, text: &str) -> Error {
    Error::invalid_arg(VIR_FROM_DOMAIN, function, "flags", text.to_string())
}

/// VIR_EXCLUSIVE_FLAGS_GOTO(VIR_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_INC).
fn check_disk_flags(function: &str, flags: u64) -> Result<()> {
    let both = (Flags::NON_SHARED_DISK | Flags::NON_SHARED_INC).bits() as u64;
    match flags & both == both {
        false => Ok(()),
        true => Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            function,
            "ctl",
            "Flags 'VIR_MIGRATE_NON_SHARED_DISK' and 'VIR_MIGRATE_NON_SHARED_INC' are mutually exclusive"
                .into(),
        )),
    }
}

fn set(flags: u64, f: Flags) -> bool {
    flags & f.bits() as u64 != 0
}

/// Offline migration needs both sides' support (the source's alone for the ToURI functions).
fn check_offline(src: &Source, dst: Option<&Dest>, flags: u64) -> Result<()> {
    if !set(flags, Flags::OFFLINE) {
        return Ok(());
    }
    if !has(src.driver, feature::MIGRATION_OFFLINE)? {
        return Err(unsupported_argument(
            "offline migration is not supported by the source host",
        ));
    }
    match dst {
        Some(d) if !has(d.driver, feature::MIGRATION_OFFLINE)? => Err(unsupported_argument(
            "offline migration is not supported by the destination host",
        )),
        _ => Ok(()),
    }
}

/// Change protection needs the source's support; the flag itself is the orchestration's to add.
fn drop_change_protection(src: &Source, flags: u64) -> Result<u64> {
    if set(flags, Flags::CHANGE_PROTECTION) && !has(src.driver, feature::MIGRATE_CHANGE_PROTECTION)?
    {
        return Err(unsupported_argument("cannot enforce change protection"));
    }
    Ok(flags & !(Flags::CHANGE_PROTECTION.bits() as u64))
}

/// virDomainMigrate (`v2_api` false) and virDomainMigrate2 (true: `dxml` may be given, and
/// peer-to-peer migration always names the destination by its connection's URI).
pub fn migrate_legacy(
    function: &str,
    src: Source,
    dst: Dest,
    mut flags: u64,
    args: Legacy,
    v2_api: bool,
) -> Result<DomainRef> {
    check_disk_flags(function, flags)?;
    check_offline(&src, Some(&dst), flags)?;
    if set(flags, Flags::PEER2PEER) {
        if !has(src.driver, feature::MIGRATION_P2P)? {
            return Err(Error::no_support(VIR_FROM_DOMAIN, function));
        }
        let (dconnuri, miguri) = match (v2_api, args.uri) {
            (true, uri) => (dst.uri.to_string(), uri),
            (false, Some(uri)) => (uri, None),
            (false, None) => (dst.uri.to_string(), None),
        };
        let params = unmanaged_params(args.dxml, args.dname.clone(), miguri, args.bandwidth);
        unmanaged(&src, Some(dconnuri), params, flags as u32)?;
        let name = args.dname.unwrap_or_else(|| src.dom.name.clone());
        return dst.driver.domain().lookup_by_name(&name);
    }
    flags = drop_change_protection(&src, flags)?;
    if set(flags, Flags::TUNNELLED) {
        return Err(Error::operation_invalid(
            "cannot perform tunnelled migration without using peer2peer flag",
        ));
    }
    managed_legacy(function, &src, &dst, flags, args)
}

/// The newest protocol both sides have, for the fixed arguments.
fn managed_legacy(
    function: &str,
    src: &Source,
    dst: &Dest,
    flags: u64,
    args: Legacy,
) -> Result<DomainRef> {
    if both(src, dst, feature::MIGRATION_V3)? {
        return version3(src, dst, V3::Legacy(args), flags as u32);
    }
    let v2 = both(src, dst, feature::MIGRATION_V2)?;
    if !v2 && !both(src, dst, feature::MIGRATION_V1)? {
        return Err(Error::no_support(VIR_FROM_DOMAIN, function));
    }
    if args.dxml.is_some() {
        return Err(unsupported_argument(
            "Unable to change target guest XML during migration",
        ));
    }
    match v2 {
        true => version2(src, dst, flags, args),
        false => version1(src, dst, flags, args),
    }
}

/// virDomainMigrate3.
pub fn migrate3(
    function: &str,
    src: Source,
    dst: Dest,
    params: TypedParams,
    flags: u32,
) -> Result<DomainRef> {
    let flags = u64::from(flags);
    check_disk_flags(function, flags)?;
    if set(flags, Flags::PEER2PEER) {
        return Err(invalid_flags(
            function,
            "use virDomainMigrateToURI3 for peer-to-peer migration",
        ));
    }
    if set(flags, Flags::TUNNELLED) {
        return Err(invalid_flags(
            function,
            "cannot perform tunnelled migration without using peer2peer flag",
        ));
    }
    check_offline(&src, Some(&dst), flags)?;
    let flags = drop_change_protection(&src, flags)?;
    if both(&src, &dst, feature::MIGRATION_PARAMS)? {
        return version3(&src, &dst, V3::Params(params), flags as u32);
    }
    if !only(&params, &COMPAT_V3) {
        return Err(unsupported_argument(
            "Migration APIs with extensible parameters are not supported but extended parameters were passed",
        ));
    }
    let args = Legacy {
        uri: string(&params, PARAM_URI)?,
        dname: string(&params, PARAM_DEST_NAME)?,
        dxml: string(&params, PARAM_DEST_XML)?,
        bandwidth: ullong(&params, PARAM_BANDWIDTH)?.unwrap_or(0),
    };
    managed_legacy(function, &src, &dst, flags, args)
}

/// What the ToURI functions check first (virDomainMigrateUnmanagedCheckCompat).
fn check_unmanaged(src: &Source, flags: u64) -> Result<()> {
    // The reference names its own helper here, not the public function.
    check_disk_flags("virDomainMigrateUnmanagedCheckCompat", flags)?;
    check_offline(src, None, flags)?;
    let (f, what) = match set(flags, Flags::PEER2PEER) {
        true => (feature::MIGRATION_P2P, "p2p"),
        false => (feature::MIGRATION_DIRECT, "direct"),
    };
    match has(src.driver, f)? {
        true => Ok(()),
        false => Err(unsupported_argument(&format!(
            "{what} migration is not supported by the source host"
        ))),
    }
}

/// virDomainMigrateToURI: `duri` is the destination daemon's URI in peer-to-peer migration, the
/// hypervisor's migration URI otherwise.
pub fn migrate_to_uri(
    src: Source,
    duri: String,
    flags: u64,
    dname: Option<String>,
    bandwidth: u64,
) -> Result<()> {
    check_unmanaged(&src, flags)?;
    let (dconnuri, miguri) = match set(flags, Flags::PEER2PEER) {
        true => (Some(duri), None),
        false => (None, Some(duri)),
    };
    unmanaged(
        &src,
        dconnuri,
        unmanaged_params(None, dname, miguri, bandwidth),
        flags as u32,
    )
}

/// virDomainMigrateToURI2 (`args.uri` is its `miguri`).
pub fn migrate_to_uri2(
    function: &str,
    src: Source,
    dconnuri: Option<String>,
    flags: u64,
    args: Legacy,
) -> Result<()> {
    check_unmanaged(&src, flags)?;
    let dconnuri = peer_uri(function, dconnuri, flags)?;
    let params = unmanaged_params(args.dxml, args.dname, args.uri, args.bandwidth);
    unmanaged(&src, dconnuri, params, flags as u32)
}

/// virDomainMigrateToURI3.
pub fn migrate_to_uri3(
    function: &str,
    src: Source,
    dconnuri: Option<String>,
    params: TypedParams,
    flags: u32,
) -> Result<()> {
    check_unmanaged(&src, u64::from(flags))?;
    let dconnuri = peer_uri(function, dconnuri, u64::from(flags))?;
    unmanaged(&src, dconnuri, params, flags)
}

/// The destination daemon's URI: required in peer-to-peer migration, ignored otherwise.
fn peer_uri(function: &str, dconnuri: Option<String>, flags: u64) -> Result<Option<String>> {
    match (set(flags, Flags::PEER2PEER), dconnuri) {
        (true, None) => Err(Error::null_arg(VIR_FROM_DOMAIN, function, "dconnuri")),
        (true, uri) => Ok(uri),
        (false, _) => Ok(None),
    }
}

/// The fixed arguments as typed parameters (virDomainMigrateUnmanaged).
fn unmanaged_params(
    dxml: Option<String>,
    dname: Option<String>,
    miguri: Option<String>,
    bandwidth: u64,
) -> TypedParams {
    let mut p = Vec::new();
    let strings = [
        (PARAM_URI, miguri),
        (PARAM_DEST_NAME, dname),
        (PARAM_DEST_XML, dxml),
    ];
    for (name, value) in strings {
        if let Some(v) = value {
            p.push((name.to_string(), TypedValue::String(v)));
        }
    }
    p.push((PARAM_BANDWIDTH.to_string(), TypedValue::ULLong(bandwidth)));
    TypedParams(p)
}

/// One Perform call on the source (virDomainMigrateUnmanagedParams): its daemon reaches the
/// destination itself.
fn unmanaged(
    src: &Source,
    dconnuri: Option<String>,
    params: TypedParams,
    flags: u32,
) -> Result<()> {
    let p2p = set(u64::from(flags), Flags::PEER2PEER);
    if p2p {
        check_not_local(dconnuri.as_deref().unwrap_or_default())?;
    }
    let dd = src.driver.domain();
    if p2p && has(src.driver, feature::MIGRATION_PARAMS)? {
        dd.domain_migrate_perform3_params(src.dom, dconnuri, params, Vec::new(), flags)?;
        return Ok(());
    }
    if has(src.driver, feature::MIGRATION_V3)? {
        if !only(&params, &COMPAT_V3) {
            return Err(unsupported_argument(
                "Some parameters are not supported by migration protocol 3",
            ));
        }
        let l = legacy_of(&params)?;
        let flags = u64::from(flags);
        let xmlin = l.dxml;
        dd.domain_migrate_perform3(
            src.dom,
            xmlin,
            Vec::new(),
            dconnuri,
            l.uri,
            flags,
            l.dname,
            l.bandwidth,
        )?;
        return Ok(());
    }
    if !only(&params, &COMPAT_V2) {
        return Err(unsupported_argument(
            "Some parameters are not supported by migration protocol 2",
        ));
    }
    let l = legacy_of(&params)?;
    let uri = match (p2p, l.uri) {
        (true, Some(_)) => {
            return Err(Error::internal(
                VIR_FROM_DOMAIN,
                "Unable to override peer2peer migration URI",
            ))
        }
        (true, None) => dconnuri,
        (false, miguri) => miguri,
    };
    let uri = uri.unwrap_or_default();
    dd.domain_migrate_perform(
        src.dom,
        Vec::new(),
        uri,
        u64::from(flags),
        l.dname,
        l.bandwidth,
    )
}

fn legacy_of(params: &TypedParams) -> Result<Legacy> {
    Ok(Legacy {
        uri: string(params, PARAM_URI)?,
        dname: string(params, PARAM_DEST_NAME)?,
        dxml: string(params, PARAM_DEST_XML)?,
        bandwidth: ullong(params, PARAM_BANDWIDTH)?.unwrap_or(0),
    })
}

/// virDomainMigrateCheckNotLocal: a peer-to-peer destination must name another host.
fn check_not_local(dconnuri: &str) -> Result<()> {
    let uri = crate::uri::Uri::parse(dconnuri).ok_or_else(|| {
        Error::internal(
            crate::error::VIR_FROM_URI,
            format!("Unable to parse URI {dconnuri}"),
        )
    })?;
    match uri.server.as_deref() {
        Some(s) if !s.is_empty() && !s.starts_with("localhost") => Ok(()),
        _ => Err(Error::invalid_arg(
            VIR_FROM_DOMAIN,
            "virDomainMigrateCheckNotLocal",
            "dconnuri",
            "Attempt to migrate guest to the same host".into(),
        )),
    }
}

/// Whether every parameter is one of `names` (virTypedParamsCheck).
fn only(params: &TypedParams, names: &[&str]) -> bool {
    params.0.iter().all(|(n, _)| names.contains(&n.as_str()))
}

fn type_name(v: &TypedValue) -> &'static str {
    match v {
        TypedValue::Int(_) => "int",
        TypedValue::UInt(_) => "uint",
        TypedValue::LLong(_) => "llong",
        TypedValue::ULLong(_) => "ullong",
        TypedValue::Double(_) => "double",
        TypedValue::Boolean(_) => "boolean",
        TypedValue::String(_) => "string",
    }
}

fn wrong_type(name: &str, wanted: &str, v: &TypedValue) -> Error {
    Error::with(
        VIR_ERR_INVALID_ARG,
        VIR_FROM_DOMAIN,
        format!(
            "Invalid type '{wanted}' requested for parameter '{name}', actual type is '{}'",
            type_name(v)
        ),
    )
}

/// virTypedParamsGetString: the first parameter of that name.
fn string(params: &TypedParams, name: &str) -> Result<Option<String>> {
    match params.0.iter().find(|(n, _)| n == name) {
        None => Ok(None),
        Some((_, TypedValue::String(s))) => Ok(Some(s.clone())),
        Some((_, v)) => Err(wrong_type(name, "string", v)),
    }
}

/// virTypedParamsGetULLong.
fn ullong(params: &TypedParams, name: &str) -> Result<Option<u64>> {
    match params.0.iter().find(|(n, _)| n == name) {
        None => Ok(None),
        Some((_, TypedValue::ULLong(u))) => Ok(Some(*u)),
        Some((_, v)) => Err(wrong_type(name, "ullong", v)),
    }
}

/// virTypedParamsReplaceString: the parameter's value, in its place, or added at the end.
fn replace_string(params: &mut TypedParams, name: &str, value: &str) {
    let value = TypedValue::String(value.to_string());
    match params.0.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value,
        None => params.0.push((name.to_string(), value)),
    }
}

/// The version 3 protocol's arguments: typed parameters, or the fixed ones.
enum V3 {
    Params(TypedParams),
    Legacy(Legacy),
}

impl V3 {
    fn uri(&self) -> Result<Option<String>> {
        match self {
            V3::Params(p) => string(p, PARAM_URI),
            V3::Legacy(l) => Ok(l.uri.clone()),
        }
    }
}

/// The flags the destination is given: the source's own behaviour left out.
fn dest_flags(flags: u64) -> u64 {
    flags & !((Flags::ABORT_ON_ERROR | Flags::AUTO_CONVERGE).bits() as u64)
}

/// A step's outcome kept aside while the later steps run (libvirt's virSaveLastError).
struct Outcome {
    error: Option<Error>,
}

/// libvirt's virDomainMigrateVersion3Full: Begin, Prepare, Perform, Finish, Confirm, each step's
/// cookie handed to the next. The source's guest is dropped by Confirm once the destination's
/// runs, and resumed when any step failed.
fn version3(src: &Source, dst: &Dest, mut args: V3, mut flags: u32) -> Result<DomainRef> {
    let protection = match has(src.driver, feature::MIGRATE_CHANGE_PROTECTION)? {
        true => Flags::CHANGE_PROTECTION.bits(),
        false => 0,
    };
    let sd = src.driver.domain();
    let begun = match &args {
        V3::Params(p) => sd.domain_migrate_begin3_params(src.dom, p.clone(), flags | protection)?,
        V3::Legacy(l) => sd.domain_migrate_begin3(
            src.dom,
            l.dxml.clone(),
            u64::from(flags | protection),
            l.dname.clone(),
            l.bandwidth,
        )?,
    };
    if source_paused(src, matches!(args, V3::Params(_))) {
        flags |= Flags::PAUSED.bits();
    }
    let destflags = dest_flags(u64::from(flags)) as u32;
    let dd = dst.driver.domain();
    let prepared = match &mut args {
        V3::Params(p) => {
            replace_string(p, PARAM_DEST_XML, &begun.xml);
            dd.domain_migrate_prepare3_params(p.clone(), begun.cookie, destflags)
        }
        V3::Legacy(l) => dd.domain_migrate_prepare3(
            begun.cookie,
            l.uri.clone(),
            u64::from(destflags),
            l.dname.clone(),
            l.bandwidth,
            begun.xml.clone(),
        ),
    };
    let prepared = match prepared {
        Ok(p) => p,
        // Begin started a job on the source under change protection: Confirm ends it.
        Err(e) if protection != 0 => {
            confirm(src, &args, Vec::new(), flags | protection, true);
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let mut out = Outcome { error: None };
    let mut cancelled = false;
    let mut notify_source = true;
    let mut cookie = prepared.cookie;
    let uri = match prepared.uri {
        Some(u) => {
            if let V3::Params(p) = &mut args {
                replace_string(p, PARAM_URI, &u);
            }
            Some(u)
        }
        None => args.uri()?,
    };
    if uri.is_none() {
        out.error = Some(Error::internal(
            VIR_FROM_DOMAIN,
            "domainMigratePrepare3 did not set uri",
        ));
        cancelled = true;
    } else if flags & Flags::OFFLINE.bits() != 0 {
        // Offline: nothing to send; Finish defines the guest on the destination.
        cookie = Vec::new();
    } else {
        let performed = match &args {
            V3::Params(p) => sd.domain_migrate_perform3_params(
                src.dom,
                None,
                p.clone(),
                cookie,
                flags | protection,
            ),
            V3::Legacy(l) => sd.domain_migrate_perform3(
                src.dom,
                None,
                cookie,
                None,
                uri.clone(),
                u64::from(flags | protection),
                l.dname.clone(),
                l.bandwidth,
            ),
        };
        cookie = match performed {
            Ok(c) => c,
            Err(e) => {
                out.error = Some(e);
                // The source already knows: it cancelled the migration itself.
                notify_source = false;
                cancelled = true;
                Vec::new()
            }
        };
    }
    let finished = finish(src, dst, &mut args, cookie, uri, destflags, cancelled);
    let (ddomain, cookie) = match finished {
        Ok(f) => (Some(f.domain), f.cookie),
        Err(e) => {
            if cancelled && finish_error_explains(out.error.as_ref(), &e) {
                out.error = None;
            }
            if out.error.is_none() {
                out.error = Some(e);
            }
            (None, Vec::new())
        }
    };
    if notify_source {
        confirm(src, &args, cookie, flags | protection, ddomain.is_none());
    }
    match (ddomain, out.error) {
        (Some(d), _) => Ok(d),
        (None, Some(e)) => Err(e),
        (None, None) => Err(Error::unknown_cause()),
    }
}

/// Finish on the destination: the guest's name there defaults to the source's.
fn finish(
    src: &Source,
    dst: &Dest,
    args: &mut V3,
    cookie: Vec<u8>,
    uri: Option<String>,
    destflags: u32,
    cancelled: bool,
) -> Result<crate::driver::family::MigrateFinished> {
    let dd = dst.driver.domain();
    match args {
        V3::Params(p) => {
            if string(p, PARAM_DEST_NAME).ok().flatten().is_none() {
                replace_string(p, PARAM_DEST_NAME, &src.dom.name);
            }
            dd.domain_migrate_finish3_params(p.clone(), cookie, destflags, cancelled)
        }
        V3::Legacy(l) => {
            let dname = l.dname.clone().unwrap_or_else(|| src.dom.name.clone());
            dd.domain_migrate_finish3(dname, cookie, None, uri, u64::from(destflags), cancelled)
        }
    }
}

/// The reference keeps Finish's error instead of Perform's "migration failed" when the guest
/// died on the destination (qemu's operation-failed from Perform, another qemu error from Finish).
fn finish_error_explains(perform: Option<&Error>, finish: &Error) -> bool {
    let Some(p) = perform else { return false };
    p.domain == VIR_FROM_QEMU
        && p.code == VIR_ERR_OPERATION_FAILED
        && finish.domain == VIR_FROM_QEMU
        && finish.code != VIR_ERR_MIGRATE_FINISH_OK
}

/// Confirm on the source; its failure leaves at worst a paused guest there, and is not reported.
fn confirm(src: &Source, args: &V3, cookie: Vec<u8>, flags: u32, cancelled: bool) {
    let sd = src.driver.domain();
    let _ = match args {
        V3::Params(p) => {
            sd.domain_migrate_confirm3_params(src.dom, p.clone(), cookie, flags, cancelled)
        }
        V3::Legacy(_) => sd.domain_migrate_confirm3(src.dom, cookie, u64::from(flags), cancelled),
    };
}

/// Whether the source's guest is paused (the destination's then stays paused too).
fn source_paused(src: &Source, with_params: bool) -> bool {
    let sd = src.driver.domain();
    let state = match with_params {
        true => sd.state(src.dom, 0).map(|s| s.state()),
        false => sd.info(src.dom).map(|i| i.state),
    };
    matches!(state, Ok(DomainState::Paused))
}

/// libvirt's virDomainMigrateVersion2: the source's XML to Prepare2, Perform, then Finish2 told
/// whether Perform succeeded.
fn version2(src: &Source, dst: &Dest, mut flags: u64, args: Legacy) -> Result<DomainRef> {
    let xml_flags = match has(src.driver, feature::XML_MIGRATABLE)? {
        true => DomainXMLFlags::MIGRATABLE,
        false => DomainXMLFlags::SECURE | DomainXMLFlags::UPDATE_CPU,
    };
    let sd = src.driver.domain();
    let dom_xml = sd.xml_desc(src.dom, xml_flags.bits())?;
    if source_paused(src, false) {
        flags |= Flags::PAUSED.bits() as u64;
    }
    let destflags = dest_flags(flags);
    let dd = dst.driver.domain();
    let prepared = dd.domain_migrate_prepare2(
        args.uri.clone(),
        destflags,
        args.dname.clone(),
        args.bandwidth,
        dom_xml,
    )?;
    let dname = args.dname.clone().unwrap_or_else(|| src.dom.name.clone());
    let Some(uri) = prepared.uri.or(args.uri.clone()) else {
        let e = Error::internal(VIR_FROM_DOMAIN, "domainMigratePrepare2 did not set uri");
        let _ = dd.domain_migrate_finish2(dname, prepared.cookie, String::new(), destflags, 1);
        return Err(e);
    };
    let performed = sd.domain_migrate_perform(
        src.dom,
        prepared.cookie.clone(),
        uri.clone(),
        flags,
        args.dname,
        args.bandwidth,
    );
    let retcode = i32::from(performed.is_err());
    let finished = dd.domain_migrate_finish2(dname, prepared.cookie, uri, destflags, retcode);
    match performed {
        Err(e) => Err(e),
        Ok(()) => finished,
    }
}

/// libvirt's virDomainMigrateVersion1: Prepare, Perform, Finish.
fn version1(src: &Source, dst: &Dest, mut flags: u64, args: Legacy) -> Result<DomainRef> {
    if source_paused(src, false) {
        flags |= Flags::PAUSED.bits() as u64;
    }
    let destflags = dest_flags(flags);
    let dd = dst.driver.domain();
    let prepared = dd.domain_migrate_prepare(
        args.uri.clone(),
        destflags,
        args.dname.clone(),
        args.bandwidth,
    )?;
    let Some(uri) = prepared.uri.or(args.uri) else {
        return Err(Error::internal(
            VIR_FROM_DOMAIN,
            "domainMigratePrepare did not set uri",
        ));
    };
    src.driver.domain().domain_migrate_perform(
        src.dom,
        prepared.cookie.clone(),
        uri.clone(),
        flags,
        args.dname.clone(),
        args.bandwidth,
    )?;
    let dname = args.dname.unwrap_or_else(|| src.dom.name.clone());
    dd.domain_migrate_finish(dname, prepared.cookie, uri, destflags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_to_peer_destination_must_name_another_host() {
        assert!(check_not_local("qemu+tcp://10.0.0.2/system").is_ok());
        assert!(check_not_local("qemu+unix://127.0.0.1/session?socket=/s").is_ok());
        for local in [
            "qemu:///system",
            "qemu+tcp://localhost/system",
            "qemu+unix:///session",
        ] {
            let e = check_not_local(local).unwrap_err();
            assert_eq!(e.code, VIR_ERR_INVALID_ARG, "{local}");
        }
    }

    #[test]
    fn the_fixed_arguments_become_typed_parameters() {
        let p = unmanaged_params(None, Some("b".into()), Some("tcp:h".into()), 7);
        assert_eq!(string(&p, PARAM_URI).unwrap().as_deref(), Some("tcp:h"));
        assert_eq!(string(&p, PARAM_DEST_NAME).unwrap().as_deref(), Some("b"));
        assert_eq!(ullong(&p, PARAM_BANDWIDTH).unwrap(), Some(7));
        assert!(only(&p, &COMPAT_V2) && only(&p, &COMPAT_V3));
        let mut q = p.clone();
        replace_string(&mut q, PARAM_URI, "tcp:other");
        assert_eq!(q.0.len(), p.0.len());
        assert!(string(&q, PARAM_BANDWIDTH).is_err());
    }

    use crate::domain::StateReason;
    use crate::driver::family::*;
    use std::sync::Mutex;

    /// One side of a migration that logs each step with the cookie it got.
    #[derive(Default)]
    struct Side {
        log: Mutex<Vec<String>>,
        perform_fails: bool,
    }

    impl Side {
        fn note(&self, step: &str, cookie: &[u8], extra: String) {
            let c = String::from_utf8_lossy(cookie);
            self.log.lock().unwrap().push(format!("{step}({c}){extra}"));
        }
        fn log(&self) -> Vec<String> {
            self.log.lock().unwrap().clone()
        }
    }

    fn guest() -> DomainRef {
        DomainRef {
            name: "g".into(),
            uuid: [7; 16],
            id: 1,
        }
    }

    impl ConnectDriver for Side {
        fn kind(&self) -> &'static str {
            "FAKE"
        }
        fn error_domain(&self) -> i32 {
            VIR_FROM_QEMU
        }
        fn supports_feature(&self, f: i32) -> Result<bool> {
            Ok([
                feature::MIGRATION_V3,
                feature::MIGRATION_PARAMS,
                feature::MIGRATE_CHANGE_PROTECTION,
            ]
            .contains(&f))
        }
    }
    impl DomainDriver for Side {
        fn state(&self, _d: &DomainRef, _flags: u32) -> Result<StateReason> {
            Ok(StateReason::Running(
                crate::api::DomainRunningReason::Booted,
            ))
        }
        fn domain_migrate_begin3_params(
            &self,
            _d: &DomainRef,
            _p: TypedParams,
            flags: u32,
        ) -> Result<MigrateBegun> {
            self.note("begin", b"", format!(" flags={flags:#x}"));
            Ok(MigrateBegun {
                cookie: b"b".to_vec(),
                xml: "<domain/>".into(),
            })
        }
        fn domain_migrate_prepare3_params(
            &self,
            p: TypedParams,
            cookie: Vec<u8>,
            _flags: u32,
        ) -> Result<MigratePrepared> {
            let xml = string(&p, PARAM_DEST_XML).unwrap().unwrap_or_default();
            self.note("prepare", &cookie, format!(" xml={xml}"));
            Ok(MigratePrepared {
                cookie: b"p".to_vec(),
                uri: Some("tcp:dst:49152".into()),
            })
        }
        fn domain_migrate_perform3_params(
            &self,
            _d: &DomainRef,
            _dconnuri: Option<String>,
            p: TypedParams,
            cookie: Vec<u8>,
            _flags: u32,
        ) -> Result<Vec<u8>> {
            let uri = string(&p, PARAM_URI).unwrap().unwrap_or_default();
            self.note("perform", &cookie, format!(" uri={uri}"));
            match self.perform_fails {
                true => Err(Error::internal(VIR_FROM_QEMU, "perform failed")),
                false => Ok(b"x".to_vec()),
            }
        }
        fn domain_migrate_finish3_params(
            &self,
            p: TypedParams,
            cookie: Vec<u8>,
            _flags: u32,
            cancelled: bool,
        ) -> Result<MigrateFinished> {
            let name = string(&p, PARAM_DEST_NAME).unwrap().unwrap_or_default();
            self.note(
                "finish",
                &cookie,
                format!(" name={name} cancelled={cancelled}"),
            );
            match cancelled {
                true => Err(Error::internal(VIR_FROM_QEMU, "finish cancelled")),
                false => Ok(MigrateFinished {
                    domain: guest(),
                    cookie: b"f".to_vec(),
                }),
            }
        }
        fn domain_migrate_confirm3_params(
            &self,
            _d: &DomainRef,
            _p: TypedParams,
            cookie: Vec<u8>,
            _flags: u32,
            cancelled: bool,
        ) -> Result<()> {
            self.note("confirm", &cookie, format!(" cancelled={cancelled}"));
            Ok(())
        }
    }
    impl NodeDriver for Side {}
    impl DomainEventDriver for Side {}
    impl NetworkDriver for Side {}
    impl NetworkEventDriver for Side {}
    impl InterfaceDriver for Side {}
    impl StorageDriver for Side {}
    impl NodeDeviceDriver for Side {}
    impl SecretDriver for Side {}
    impl NwFilterDriver for Side {}
    impl StreamDriver for Side {}
    impl DomainSnapshotDriver for Side {}
    impl DomainCheckpointDriver for Side {}

    fn run(src: &Side, dst: &Side) -> Result<DomainRef> {
        let dom = guest();
        let s = Source {
            driver: src,
            dom: &dom,
        };
        let d = Dest {
            driver: dst,
            uri: "fake:///",
        };
        migrate3(
            "virDomainMigrate3",
            s,
            d,
            TypedParams::default(),
            Flags::LIVE.bits(),
        )
    }

    #[test]
    fn each_step_gets_the_cookie_of_the_one_before() {
        let (src, dst) = (Side::default(), Side::default());
        assert_eq!(run(&src, &dst).unwrap(), guest());
        assert_eq!(
            src.log(),
            [
                "begin() flags=0x101",
                "perform(p) uri=tcp:dst:49152",
                "confirm(f) cancelled=false"
            ]
        );
        assert_eq!(
            dst.log(),
            [
                "prepare(b) xml=<domain/>",
                "finish(x) name=g cancelled=false"
            ]
        );
    }

    #[test]
    fn a_failed_perform_cancels_the_destination_and_is_the_error() {
        let src = Side {
            perform_fails: true,
            ..Side::default()
        };
        let dst = Side::default();
        assert_eq!(
            run(&src, &dst).unwrap_err().message,
            "internal error: perform failed"
        );
        // The source cancelled by itself: no Confirm.
        assert_eq!(src.log().len(), 2);
        assert_eq!(dst.log()[1], "finish() name=g cancelled=true");
    }

    #[test]
    fn the_destination_does_not_see_the_source_only_flags() {
        let f = (Flags::LIVE | Flags::ABORT_ON_ERROR | Flags::AUTO_CONVERGE).bits();
        assert_eq!(dest_flags(u64::from(f)), u64::from(Flags::LIVE.bits()));
    }
}
