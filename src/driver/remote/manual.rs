//! The remote driver's trait methods written by hand: the connection's own state (no procedure),
//! and calls whose procedure depends on the arguments. gen/remote_protocol.py makes the trait
//! method of each function here call it (a function is found by its name: the trait method's).

use super::convert::{FromWire, ToWire};
use super::RemoteDriver;
use crate::api::TypedParameterFlags;
use crate::api::VcpuState;
use crate::api::{
    DomainDefineFlags, DomainDestroyFlags, DomainShutdownFlags, DomainUndefineFlags, NoFlags,
};
use crate::domain::{DomainInfo, DomainRef, StateReason};
use crate::driver::family::{
    check_cell_num, check_live_config_exclusive, check_positive, check_vcpu_pin_info_args,
    AllocatedPages, CpuMaps, CpuStats, FreePages, GuestTime, NodeStats, PageCounts, PageSizes,
    ParamRoom, Renamed, SecurityLabel, SecurityLabels, TimeAnswer, TypedParams, VcpuInfo, Vcpus,
};
use crate::driver::{CloseSink, ConnectDriver};
use crate::error::Result;
use crate::event::Bus;
use oxvirt_rpc::protocol::{self, proc};
use std::sync::Arc;

pub(super) fn kind(d: &RemoteDriver) -> &'static str {
    d.kind
}

/// The daemon's driver type, when it is one whose name we hold as a static string.
pub(super) fn type_name(d: &RemoteDriver) -> &'static std::ffi::CStr {
    match d.kind {
        "TEST" => c"TEST",
        "QEMU" => c"QEMU",
        _ => c"",
    }
}

pub(super) fn error_domain(d: &RemoteDriver) -> i32 {
    match d.kind {
        "QEMU" => crate::error::VIR_FROM_QEMU,
        _ => crate::error::VIR_FROM_TEST,
    }
}

/// A connection to a daemon is alive while its socket is.
pub(super) fn is_alive(d: &RemoteDriver) -> bool {
    d.client.is_alive()
}

/// As the reference's client: secure when the channel is (unix, ssh, TLS, not plain TCP) and the
/// daemon says its own connection to the hypervisor is.
pub(super) fn is_secure(d: &RemoteDriver) -> Result<bool> {
    let r: protocol::ConnectIsSecureRet = d.rpc(proc::CONNECT_IS_SECURE, &())?;
    Ok(d.channel.secure && r.secure != 0)
}

/// As the reference's client: encrypted when the channel is (TLS, or a SASL session wraps it)
/// and the daemon's own connection is secure; the daemon's "encrypted" is not asked.
pub(super) fn is_encrypted(d: &RemoteDriver) -> Result<bool> {
    let r: protocol::ConnectIsSecureRet = d.rpc(proc::CONNECT_IS_SECURE, &())?;
    Ok(d.channel.encrypted && r.secure != 0)
}

/// The daemon reports the end of its own connection to the hypervisor (a message of its own,
/// CONNECT_EVENT_CONNECTION_CLOSED) only to a client that registered.
/// A daemon without the feature (VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK) is not told.
pub(super) fn close_callback_registered(d: &RemoteDriver, registered: bool) -> Result<()> {
    if !d.close_callbacks {
        return Ok(());
    }
    let procedure = match registered {
        true => proc::CONNECT_REGISTER_CLOSE_CALLBACK,
        false => proc::CONNECT_UNREGISTER_CLOSE_CALLBACK,
    };
    d.rpc(procedure, &())
}

pub(super) fn can_close(_d: &RemoteDriver) -> bool {
    true
}

/// On the event loop's thread when the connection ended idle and a loop was registered when
/// it was opened, as the reference's; at once if the daemon has already gone.
pub(super) fn on_close(d: &RemoteDriver, f: CloseSink) {
    d.client.on_close(f);
}

/// Our pings run on the connection's own watcher thread; the daemon's are always answered.
pub(super) fn set_keep_alive(d: &RemoteDriver, interval: i32, count: u32) -> Result<i32> {
    d.client.set_keepalive(interval, count)?;
    Ok(0)
}

pub(super) fn connection_closed(d: &RemoteDriver, _caller: crate::driver::Caller) {
    d.shut();
}

pub(super) fn domain_events<'a>(d: &'a RemoteDriver, function: &str) -> Result<&'a Arc<Bus>> {
    super::events::family_bus(d, crate::event::Family::Domain, function)
}

/// virDomainDefineXML's own procedure without flags, as the reference's client.
pub(super) fn define_xml(d: &RemoteDriver, xml: &str, flags: u32) -> Result<DomainRef> {
    if DomainDefineFlags::from_bits_retain(flags).is_empty() {
        let args = protocol::DomainDefineXmlArgs { xml: xml.into() };
        let r: protocol::DomainDefineXmlRet = d.rpc(proc::DOMAIN_DEFINE_XML, &args)?;
        return FromWire::from_wire(r.dom);
    }
    let args = protocol::DomainDefineXmlFlagsArgs {
        xml: xml.into(),
        flags,
    };
    let r: protocol::DomainDefineXmlFlagsRet = d.rpc(proc::DOMAIN_DEFINE_XML_FLAGS, &args)?;
    FromWire::from_wire(r.dom)
}

pub(super) fn undefine(d: &RemoteDriver, dom: &DomainRef, flags: u32) -> Result<()> {
    let dom = ToWire::to_wire(dom);
    if DomainUndefineFlags::from_bits_retain(flags).is_empty() {
        return d.rpc(proc::DOMAIN_UNDEFINE, &protocol::DomainUndefineArgs { dom });
    }
    let args = protocol::DomainUndefineFlagsArgs { dom, flags };
    d.rpc(proc::DOMAIN_UNDEFINE_FLAGS, &args)
}

pub(super) fn destroy(d: &RemoteDriver, dom: &DomainRef, flags: u32) -> Result<()> {
    let dom = ToWire::to_wire(dom);
    if flags == DomainDestroyFlags::DEFAULT.bits() {
        return d.rpc(proc::DOMAIN_DESTROY, &protocol::DomainDestroyArgs { dom });
    }
    let args = protocol::DomainDestroyFlagsArgs { dom, flags };
    d.rpc(proc::DOMAIN_DESTROY_FLAGS, &args)
}

pub(super) fn shutdown(d: &RemoteDriver, dom: &DomainRef, flags: u32) -> Result<()> {
    let dom = ToWire::to_wire(dom);
    if flags == DomainShutdownFlags::DEFAULT.bits() {
        return d.rpc(proc::DOMAIN_SHUTDOWN, &protocol::DomainShutdownArgs { dom });
    }
    let args = protocol::DomainShutdownFlagsArgs { dom, flags };
    d.rpc(proc::DOMAIN_SHUTDOWN_FLAGS, &args)
}

pub(super) fn state(d: &RemoteDriver, dom: &DomainRef, flags: u32) -> Result<StateReason> {
    // Checked here, under the name of the daemon's driver function, as before the call.
    let function = format!("{}DomainGetState", d.kind.to_ascii_lowercase());
    crate::api::check_flags(&function, flags, NoFlags::empty(), d.error_domain())?;
    let args = protocol::DomainGetStateArgs {
        dom: ToWire::to_wire(dom),
        flags: NoFlags::empty().bits(),
    };
    let r: protocol::DomainGetStateRet = d.rpc(proc::DOMAIN_GET_STATE, &args)?;
    Ok(StateReason::from_codes_lenient(r.state, r.reason))
}

pub(super) fn info(d: &RemoteDriver, dom: &DomainRef) -> Result<DomainInfo> {
    let args = protocol::DomainGetInfoArgs {
        dom: ToWire::to_wire(dom),
    };
    let r: protocol::DomainGetInfoRet = d.rpc(proc::DOMAIN_GET_INFO, &args)?;
    Ok(DomainInfo {
        state: StateReason::from_codes_lenient(r.state as i32, 0).state(),
        max_mem_kib: r.maxMem,
        memory_kib: r.memory,
        vcpus: r.nrVirtCpu as u32,
        cpu_time_ns: r.cpuTime,
    })
}

/// The reference's public checks of virDomainGetVcpus, then the daemon's vCPUs and their maps
/// (`maplen` bytes each, one after the other in the reply).
pub(super) fn domain_vcpus(
    d: &RemoteDriver,
    dom: &DomainRef,
    maxinfo: i32,
    maplen: i32,
) -> Result<Vcpus> {
    check_positive("virDomainGetVcpus", "maxinfo", i64::from(maxinfo))?;
    let args = protocol::DomainGetVcpusArgs {
        dom: ToWire::to_wire(dom),
        maxinfo,
        maplen,
    };
    let r: protocol::DomainGetVcpusRet = d.rpc(proc::DOMAIN_GET_VCPUS, &args)?;
    let info = r
        .info
        .into_iter()
        .map(|v| {
            Ok(VcpuInfo {
                number: v.number,
                state: VcpuState::try_from(v.state).map_err(|_| super::convert::malformed())?,
                cpu_time_ns: v.cpu_time,
                cpu: v.cpu,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Vcpus {
        maps: split_maps(&r.cpumaps, maplen),
        info,
        maplen,
    })
}

/// CPU maps sent one after the other, `maplen` bytes each.
fn split_maps(maps: &[u8], maplen: i32) -> Vec<Vec<u8>> {
    match usize::try_from(maplen) {
        Ok(n) if n > 0 => maps.chunks(n).map(<[u8]>::to_vec).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn domain_vcpu_pin_info(
    d: &RemoteDriver,
    dom: &DomainRef,
    ncpumaps: i32,
    maplen: i32,
    flags: u32,
) -> Result<CpuMaps> {
    check_vcpu_pin_info_args(ncpumaps, maplen, flags)?;
    let args = protocol::DomainGetVcpuPinInfoArgs {
        dom: ToWire::to_wire(dom),
        ncpumaps,
        maplen,
        flags,
    };
    let r: protocol::DomainGetVcpuPinInfoRet = d.rpc(proc::DOMAIN_GET_VCPU_PIN_INFO, &args)?;
    let mut maps = split_maps(&r.cpumaps, maplen);
    maps.truncate(usize::try_from(r.num).unwrap_or(0));
    Ok(CpuMaps(maps))
}

pub(super) fn domain_emulator_pin_info(
    d: &RemoteDriver,
    dom: &DomainRef,
    maplen: i32,
    flags: u32,
) -> Result<CpuMaps> {
    const F: &str = "virDomainGetEmulatorPinInfo";
    check_positive(F, "maplen", i64::from(maplen))?;
    check_live_config_exclusive(F, flags)?;
    let args = protocol::DomainGetEmulatorPinInfoArgs {
        dom: ToWire::to_wire(dom),
        maplen,
        flags,
    };
    let r: protocol::DomainGetEmulatorPinInfoRet =
        d.rpc(proc::DOMAIN_GET_EMULATOR_PIN_INFO, &args)?;
    let mut maps = split_maps(&r.cpumaps, maplen);
    maps.truncate(usize::try_from(r.ret).unwrap_or(0));
    Ok(CpuMaps(maps))
}

pub(super) fn network_events<'a>(d: &'a RemoteDriver, function: &str) -> Result<&'a Arc<Bus>> {
    super::events::family_bus(d, crate::event::Family::Network, function)
}

pub(super) fn pool_events<'a>(d: &'a RemoteDriver, function: &str) -> Result<&'a Arc<Bus>> {
    super::events::family_bus(d, crate::event::Family::StoragePool, function)
}

pub(super) fn nodedev_events<'a>(d: &'a RemoteDriver, function: &str) -> Result<&'a Arc<Bus>> {
    super::events::family_bus(d, crate::event::Family::NodeDevice, function)
}

pub(super) fn stream_screenshot(
    d: &RemoteDriver,
    dom: &DomainRef,
    screen: u32,
    flags: u32,
) -> Result<crate::driver::family::Screenshot> {
    super::stream::screenshot(d, dom, screen, flags)
}

pub(super) fn stream_vol_upload(
    d: &RemoteDriver,
    vol: &crate::driver::family::StorageVolRef,
    offset: u64,
    length: u64,
    flags: u32,
) -> Result<crate::driver::family::StreamBody> {
    super::stream::vol_upload(d, vol, offset, length, flags)
}

pub(super) fn stream_vol_download(
    d: &RemoteDriver,
    vol: &crate::driver::family::StorageVolRef,
    offset: u64,
    length: u64,
    flags: u32,
) -> Result<crate::driver::family::StreamBody> {
    super::stream::vol_download(d, vol, offset, length, flags)
}

pub(super) fn stream_open_console(
    d: &RemoteDriver,
    dom: &DomainRef,
    dev_name: Option<String>,
    flags: u32,
) -> Result<crate::driver::family::StreamBody> {
    super::stream::open_console(d, dom, dev_name, flags)
}

pub(super) fn stream_open_channel(
    d: &RemoteDriver,
    dom: &DomainRef,
    name: Option<String>,
    flags: u32,
) -> Result<crate::driver::family::StreamBody> {
    super::stream::open_channel(d, dom, name, flags)
}

pub(super) fn secret_events<'a>(d: &'a RemoteDriver, function: &str) -> Result<&'a Arc<Bus>> {
    super::events::family_bus(d, crate::event::Family::Secret, function)
}

/// An error of the reference's client about what the caller or the daemon sent (VIR_ERR_RPC).
fn rpc_refusal(info: String) -> crate::error::Error {
    crate::error::Error::with(
        crate::error::VIR_ERR_RPC,
        crate::error::VIR_FROM_REMOTE,
        info,
    )
}

/// virNodeGetMemoryStats with the caller's count (its procedure takes the count first).
pub(super) fn node_memory_stats(
    d: &RemoteDriver,
    cell: i32,
    room: ParamRoom,
    flags: u32,
) -> Result<NodeStats> {
    check_cell_num(cell)?;
    let args = protocol::NodeGetMemoryStatsArgs {
        nparams: ToWire::to_wire(room),
        cellNum: cell,
        flags,
    };
    let r: protocol::NodeGetMemoryStatsRet = d.rpc(proc::NODE_GET_MEMORY_STATS, &args)?;
    FromWire::from_wire((r.params, r.nparams))
}

/// virDomainGetCPUStats: the daemon leaves out the empty places of its array; its parameters
/// are put back at theirs, `nparams` to a CPU, as the reference's client does.
pub(super) fn domain_cpu_stats(
    d: &RemoteDriver,
    dom: &DomainRef,
    nparams: u32,
    start_cpu: i32,
    ncpus: u32,
    flags: u32,
) -> Result<CpuStats> {
    if nparams > protocol::REMOTE_NODE_CPU_STATS_MAX {
        return Err(rpc_refusal(format!(
            "nparams count exceeds maximum: {nparams} > {}",
            protocol::REMOTE_NODE_CPU_STATS_MAX
        )));
    }
    if ncpus > protocol::REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX {
        return Err(rpc_refusal(format!(
            "ncpus count exceeds maximum: {ncpus} > {}",
            protocol::REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX
        )));
    }
    let args = protocol::DomainGetCpuStatsArgs {
        dom: ToWire::to_wire(dom),
        nparams,
        start_cpu,
        ncpus,
        // The public layer adds it for a driver that takes string parameters, as this one does.
        flags: flags | TypedParameterFlags::OKAY.bits(),
    };
    let r: protocol::DomainGetCpuStatsRet = d.rpc(proc::DOMAIN_GET_CPU_STATS, &args)?;
    let sent = r.params.len();
    let stride = usize::try_from(r.nparams).unwrap_or(0);
    let fits = sent <= nparams as usize * ncpus as usize
        && (sent == 0 || (stride > 0 && sent % stride == 0 && stride <= nparams as usize));
    if !fits {
        return Err(rpc_refusal(
            "remoteDomainGetCPUStats: returned number of stats exceeds limit".into(),
        ));
    }
    let mut slots = Vec::new();
    if nparams > 0 {
        let params = TypedParams::from_wire(r.params)?;
        for (i, (name, value)) in params.0.into_iter().enumerate() {
            let (cpu, j) = (i / stride, i % stride);
            slots.push((cpu * nparams as usize + j, name, value));
        }
    }
    Ok(CpuStats {
        slots,
        count: r.nparams,
        nparams,
        ncpus,
    })
}

/// virDomainGetSecurityLabelList: a daemon whose driver failed answers a count below 0 and no
/// error, which the reference's client reports as a failure of unknown cause.
pub(super) fn domain_security_label_list(
    d: &RemoteDriver,
    dom: &DomainRef,
) -> Result<SecurityLabels> {
    let args = protocol::DomainGetSecurityLabelListArgs {
        dom: ToWire::to_wire(dom),
    };
    let r: protocol::DomainGetSecurityLabelListRet =
        d.rpc(proc::DOMAIN_GET_SECURITY_LABEL_LIST, &args)?;
    if r.ret < 0 {
        return Err(crate::error::Error::unknown_cause());
    }
    let labels = r
        .labels
        .into_iter()
        .map(|l| SecurityLabel::from_wire((l.label, l.enforcing)))
        .collect::<Result<Vec<_>>>()?;
    Ok(SecurityLabels(labels))
}

/// virNodeGetFreePages: the answer, npages x cellCount counts, must fit the protocol's bound.
pub(super) fn node_free_pages(
    d: &RemoteDriver,
    npages: u32,
    pages: PageSizes,
    start_cell: i32,
    cell_count: u32,
    flags: u32,
) -> Result<FreePages> {
    // The reference's client multiplies in unsigned int and prints the product signed.
    let wanted = npages.wrapping_mul(cell_count);
    if wanted > protocol::REMOTE_NODE_MAX_CELLS {
        return Err(rpc_refusal(format!(
            "too many NUMA cells: {} > {}",
            wanted as i32,
            protocol::REMOTE_NODE_MAX_CELLS
        )));
    }
    let args = protocol::NodeGetFreePagesArgs {
        pages: pages.0,
        startCell: start_cell,
        cellCount: cell_count,
        flags,
    };
    let r: protocol::NodeGetFreePagesRet = d.rpc(proc::NODE_GET_FREE_PAGES, &args)?;
    let returned = r.counts.len() as i32;
    let mut counts = r.counts;
    counts.truncate(wanted as usize);
    Ok(FreePages { counts, returned })
}

/// virNodeAllocPages: the page sizes and counts go as two lists of `npages`.
pub(super) fn node_alloc_pages(
    d: &RemoteDriver,
    npages: u32,
    page_sizes: PageSizes,
    page_counts: PageCounts,
    start_cell: i32,
    cell_count: u32,
    flags: u32,
) -> Result<AllocatedPages> {
    if npages > protocol::REMOTE_NODE_MAX_CELLS {
        return Err(rpc_refusal(format!(
            "too many NUMA cells: {} > {}",
            npages as i32,
            protocol::REMOTE_NODE_MAX_CELLS
        )));
    }
    let args = protocol::NodeAllocPagesArgs {
        pageSizes: page_sizes.0,
        pageCounts: page_counts.0,
        startCell: start_cell,
        cellCount: cell_count,
        flags,
    };
    let r: protocol::NodeAllocPagesRet = d.rpc(proc::NODE_ALLOC_PAGES, &args)?;
    Ok(AllocatedPages(r.ret))
}

/// virDomainGetTime: the reference's client zeroes the caller's outputs before it asks, so that
/// a failed call leaves them zeroed.
pub(super) fn domain_time(d: &RemoteDriver, dom: &DomainRef, flags: u32) -> Result<TimeAnswer> {
    let args = protocol::DomainGetTimeArgs {
        dom: ToWire::to_wire(dom),
        flags,
    };
    match d.rpc::<_, protocol::DomainGetTimeRet>(proc::DOMAIN_GET_TIME, &args) {
        Ok(r) => Ok(TimeAnswer::Time(GuestTime {
            seconds: r.seconds,
            nseconds: r.nseconds,
        })),
        Err(e) => Ok(TimeAnswer::FailedAfterZeroing(e)),
    }
}

/// As the reference's client: the daemon is asked for no particular count (its answer holds
/// them all).
pub(super) fn network_port_parameters(
    d: &RemoteDriver,
    net: &crate::driver::NetworkRef,
    port: &crate::driver::NetworkPortRef,
    flags: u32,
) -> Result<crate::driver::family::TypedParams> {
    let args = protocol::NetworkPortGetParametersArgs {
        port: ToWire::to_wire((net, port)),
        nparams: 0,
        flags,
    };
    let r: protocol::NetworkPortGetParametersRet =
        d.rpc(proc::NETWORK_PORT_GET_PARAMETERS, &args)?;
    FromWire::from_wire(r.params)
}

pub(super) fn qemu_monitor_events<'a>(
    d: &'a RemoteDriver,
    _function: &str,
) -> Result<&'a Arc<Bus>> {
    Ok(&d.bus)
}

pub(super) fn qemu_monitor_filter(
    _d: &RemoteDriver,
    _event: Option<&str>,
    _flags: u32,
) -> Result<crate::event::MonitorFilter> {
    Ok(super::monitor_events::filter())
}

pub(super) fn qemu_monitor_subscribe(
    d: &RemoteDriver,
    id: i32,
    dom: Option<&DomainRef>,
    event: Option<&str>,
    flags: u32,
) -> Result<()> {
    super::monitor_events::subscribe(d, id, dom, event, flags)
}

pub(super) fn qemu_monitor_unsubscribe(
    d: &RemoteDriver,
    filter: &crate::event::MonitorFilter,
) -> Result<()> {
    super::monitor_events::unsubscribe(d, filter)
}

/// virDomainCreate as the reference's client: DOMAIN_CREATE (which answers nothing), then the
/// domain looked up by UUID for the id it now runs under.
pub(super) fn domain_create_no_flags(
    d: &RemoteDriver,
    _caller: crate::driver::Caller,
    dom: &DomainRef,
) -> Result<DomainRef> {
    let args = protocol::DomainCreateArgs {
        dom: ToWire::to_wire(dom),
    };
    d.rpc::<_, ()>(proc::DOMAIN_CREATE, &args)?;
    let args = protocol::DomainLookupByUuidArgs { uuid: dom.uuid };
    let r: protocol::DomainLookupByUuidRet = d.rpc(proc::DOMAIN_LOOKUP_BY_UUID, &args)?;
    FromWire::from_wire(r.dom)
}

// The procedures that pass file descriptors (fds.rs).

pub(super) fn domain_open_graphics(
    d: &RemoteDriver,
    dom: &DomainRef,
    idx: u32,
    fd: std::os::fd::BorrowedFd<'_>,
    flags: u32,
) -> Result<()> {
    super::fds::open_graphics(d, dom, idx, fd, flags)
}

pub(super) fn domain_open_graphics_fd(
    d: &RemoteDriver,
    dom: &DomainRef,
    idx: u32,
    flags: u32,
) -> Result<std::os::fd::OwnedFd> {
    super::fds::open_graphics_fd(d, dom, idx, flags)
}

pub(super) fn domain_fd_associate(
    d: &RemoteDriver,
    dom: &DomainRef,
    name: String,
    fds: &[std::os::fd::BorrowedFd<'_>],
    flags: u32,
) -> Result<()> {
    super::fds::fd_associate(d, dom, name, fds, flags)
}

pub(super) fn domain_qemu_monitor_command_with_files(
    d: &RemoteDriver,
    dom: &DomainRef,
    cmd: String,
    fds: &[std::os::fd::BorrowedFd<'_>],
    flags: u32,
) -> Result<(String, Vec<std::os::fd::OwnedFd>)> {
    super::fds::qemu_monitor_command_with_files(d, dom, cmd, fds, flags)
}

pub(super) fn stream_migrate_prepare_tunnel(
    d: &RemoteDriver,
    flags: u64,
    dname: Option<String>,
    resource: u64,
    dom_xml: String,
) -> Result<crate::driver::family::StreamBody> {
    super::migrate::tunnel::prepare(d, flags, dname, resource, dom_xml)
}

pub(super) fn stream_migrate_prepare_tunnel3(
    d: &RemoteDriver,
    cookie_in: Vec<u8>,
    flags: u64,
    dname: Option<String>,
    resource: u64,
    dom_xml: String,
) -> Result<crate::driver::family::TunnelPrepared> {
    super::migrate::tunnel::prepare3(d, cookie_in, flags, dname, resource, dom_xml)
}

pub(super) fn stream_migrate_prepare_tunnel3_params(
    d: &RemoteDriver,
    params: crate::driver::family::TypedParams,
    cookie_in: Vec<u8>,
    flags: u32,
) -> Result<crate::driver::family::TunnelPrepared> {
    super::migrate::tunnel::prepare3_params(d, params, cookie_in, flags)
}

/// virDomainRename: the daemon renames the domain, and the caller's handle takes the new name, as
/// the reference's client renames its handle.
pub(super) fn domain_rename(
    d: &RemoteDriver,
    dom: &DomainRef,
    new_name: String,
    flags: u32,
) -> Result<Renamed> {
    let args = protocol::DomainRenameArgs {
        dom: ToWire::to_wire(dom),
        new_name: ToWire::to_wire(new_name.clone()),
        flags: ToWire::to_wire(flags),
    };
    let _: protocol::DomainRenameRet = d.rpc(proc::DOMAIN_RENAME, &args)?;
    Ok(Renamed::DefinitionAndHandle(new_name))
}
