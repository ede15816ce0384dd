//! The domain family (libvirt's virHypervisorDriver `domain*` entries and the domain listings).
//! A default body is what a driver that lacks the call answers.

use super::domain_ifaces::{AddressSource, GuestInterfaces};
use super::domain_params::{MemoryBytes, ParamRoom, ParamsAnswer, SetParams, SetParamsOrNone};
use super::domain_stats::{BlockParams, JobInfo, JobStats, StatsRecord};
use super::domain_values::{
    BlockInfo, BlockStats, ControlInfo, CpuMaps, CpuStats, DiskErrors, FsInfos, InterfaceStats,
    MemoryStats, Messages, Renamed, SchedulerType, SecurityLabel, Stopped, TypedParams, Vcpus,
};
use super::forwarded::{AnyParams, AuthorizedKeys, GuestVcpus, IoThreadInfos};
use super::unsupported;
use crate::domain::StateReason;
use crate::domain::{DomainInfo, DomainRef};
use crate::driver::Caller;
use crate::error::{Result, VIR_FROM_DOMAIN, VIR_FROM_NONE};

pub trait DomainDriver: Send + Sync {
    /// virDomainLookupByName.
    fn lookup_by_name(&self, _name: &str) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainLookupByName")
    }
    /// virDomainLookupByUUID.
    fn lookup_by_uuid(&self, _uuid: &[u8; 16]) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainLookupByUUID")
    }
    /// virDomainLookupByID.
    fn lookup_by_id(&self, _id: i32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainLookupByID")
    }
    /// virConnectListAllDomains.
    fn list_all(&self, _flags: u32) -> Result<Vec<DomainRef>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectListAllDomains")
    }
    /// virConnectListAllDomains with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.list_all(flags)?.len() as i32)
    }
    /// virConnectListDomains (and virConnectNumOfDomains).
    fn active_ids(&self) -> Result<Vec<i32>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectListDomains")
    }
    /// virConnectListDefinedDomains (and virConnectNumOfDefinedDomains).
    fn defined_names(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectListDefinedDomains")
    }

    /// virDomainCreateXML.
    fn create_xml(&self, _caller: Caller, _xml: &str, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCreateXML")
    }
    /// virDomainDefineXMLFlags (and virDomainDefineXML).
    fn define_xml(&self, _xml: &str, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDefineXMLFlags")
    }
    /// virDomainUndefineFlags (and virDomainUndefine).
    fn undefine(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainUndefineFlags")
    }
    /// virDomainCreateWithFlags (and virDomainCreate): start a defined domain; returns it with
    /// its new id.
    fn create(&self, _caller: Caller, _d: &DomainRef, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCreateWithFlags")
    }
    /// virDomainDestroyFlags (and virDomainDestroy).
    fn destroy(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDestroyFlags")
    }
    /// virDomainSuspend.
    fn suspend(&self, _d: &DomainRef) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSuspend")
    }
    /// virDomainResume.
    fn resume(&self, _d: &DomainRef) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainResume")
    }
    /// virDomainShutdownFlags (and virDomainShutdown).
    fn shutdown(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainShutdownFlags")
    }
    /// virDomainReboot.
    fn reboot(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainReboot")
    }

    /// virDomainGetState; the driver checks `flags` itself.
    fn state(&self, _d: &DomainRef, _flags: u32) -> Result<StateReason> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetState")
    }
    /// virDomainGetInfo (and virDomainGetMaxMemory).
    fn info(&self, _d: &DomainRef) -> Result<DomainInfo> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetInfo")
    }
    /// virDomainGetXMLDesc.
    fn xml_desc(&self, _d: &DomainRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetXMLDesc")
    }
    /// virDomainGetOSType.
    fn os_type(&self, _d: &DomainRef) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetOSType")
    }
    /// virDomainIsActive.
    fn is_active(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainIsActive")
    }
    /// virDomainIsPersistent.
    fn is_persistent(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainIsPersistent")
    }
    /// virDomainIsUpdated.
    fn is_updated(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainIsUpdated")
    }
    /// virDomainGetAutostart.
    fn domain_autostart(&self, _d: &DomainRef) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetAutostart")
    }
    /// virDomainSetAutostart.
    fn domain_set_autostart(&self, _d: &DomainRef, _autostart: bool) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetAutostart")
    }
    /// virDomainGetMetadata: the title, description or the element in namespace `uri`.
    fn domain_metadata(
        &self,
        _d: &DomainRef,
        _kind: i32,
        _uri: Option<String>,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetMetadata")
    }
    /// virDomainSetMetadata: `metadata` None (or empty, for title and description) removes it.
    fn domain_set_metadata(
        &self,
        _d: &DomainRef,
        _kind: i32,
        _metadata: Option<String>,
        _key: Option<String>,
        _uri: Option<String>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetMetadata")
    }
    /// virDomainGetMaxVcpus.
    fn domain_max_vcpus(&self, _d: &DomainRef) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetMaxVcpus")
    }
    /// virDomainGetVcpusFlags.
    fn domain_vcpus_flags(&self, _d: &DomainRef, _flags: u32) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetVcpusFlags")
    }
    /// virDomainSetVcpus.
    fn domain_set_vcpus(&self, _d: &DomainRef, _n: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetVcpus")
    }
    /// virDomainSetVcpusFlags.
    fn domain_set_vcpus_flags(&self, _d: &DomainRef, _n: u32, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetVcpusFlags")
    }
    /// virDomainGetVcpus: at most `maxinfo` vcpus, with maps of `maplen` bytes.
    fn domain_vcpus(&self, _d: &DomainRef, _maxinfo: i32, _maplen: i32) -> Result<Vcpus> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetVcpus")
    }
    /// virDomainPinVcpu.
    fn domain_pin_vcpu(&self, _d: &DomainRef, _vcpu: u32, _map: Vec<u8>) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainPinVcpu")
    }
    /// virDomainPinVcpuFlags.
    fn domain_pin_vcpu_flags(
        &self,
        _d: &DomainRef,
        _vcpu: u32,
        _map: Vec<u8>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainPinVcpuFlags")
    }
    /// virDomainGetVcpuPinInfo.
    fn domain_vcpu_pin_info(
        &self,
        _d: &DomainRef,
        _ncpumaps: i32,
        _maplen: i32,
        _flags: u32,
    ) -> Result<CpuMaps> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetVcpuPinInfo")
    }
    /// virDomainPinEmulator.
    fn domain_pin_emulator(&self, _d: &DomainRef, _map: Vec<u8>, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainPinEmulator")
    }
    /// virDomainGetEmulatorPinInfo.
    fn domain_emulator_pin_info(
        &self,
        _d: &DomainRef,
        _maplen: i32,
        _flags: u32,
    ) -> Result<CpuMaps> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetEmulatorPinInfo")
    }
    /// virDomainSetMemory (KiB).
    fn domain_set_memory(&self, _d: &DomainRef, _kib: u64) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetMemory")
    }
    /// virDomainSetMaxMemory (KiB).
    fn domain_set_max_memory(&self, _d: &DomainRef, _kib: u64) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetMaxMemory")
    }
    /// virDomainSetMemoryFlags (KiB).
    fn domain_set_memory_flags(&self, _d: &DomainRef, _kib: u64, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetMemoryFlags")
    }
    /// virDomainGetSchedulerType.
    fn domain_scheduler_type(&self, _d: &DomainRef) -> Result<SchedulerType> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetSchedulerType")
    }
    /// virDomainGetSchedulerParameters.
    fn domain_scheduler_parameters(&self, _d: &DomainRef) -> Result<TypedParams> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetSchedulerParameters")
    }
    /// virDomainGetSchedulerParametersFlags.
    fn domain_scheduler_parameters_flags(
        &self,
        _d: &DomainRef,
        _flags: u32,
    ) -> Result<TypedParams> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetSchedulerParametersFlags")
    }
    /// virDomainSetSchedulerParameters.
    fn domain_set_scheduler_parameters(
        &self,
        _d: &DomainRef,
        _params: SetParamsOrNone,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetSchedulerParameters")
    }
    /// virDomainSetSchedulerParametersFlags.
    fn domain_set_scheduler_parameters_flags(
        &self,
        _d: &DomainRef,
        _params: SetParamsOrNone,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetSchedulerParametersFlags")
    }
    /// virDomainGetHostname.
    fn domain_hostname(&self, _d: &DomainRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetHostname")
    }
    /// virDomainGetTime.
    fn domain_time(&self, _d: &DomainRef, _flags: u32) -> Result<super::TimeAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetTime")
    }
    /// virDomainSetTime.
    fn domain_set_time(
        &self,
        _d: &DomainRef,
        _seconds: i64,
        _nseconds: u32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetTime")
    }
    /// virDomainGetControlInfo.
    fn domain_control_info(&self, _d: &DomainRef, _flags: u32) -> Result<ControlInfo> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetControlInfo")
    }
    /// virDomainReset.
    fn domain_reset(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainReset")
    }
    /// virDomainInjectNMI.
    fn domain_inject_nmi(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainInjectNMI")
    }
    /// virDomainSendKey.
    fn domain_send_key(
        &self,
        _d: &DomainRef,
        _codeset: u32,
        _holdtime: u32,
        _keycodes: Vec<u32>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSendKey")
    }
    /// virDomainSendProcessSignal.
    fn domain_send_process_signal(
        &self,
        _d: &DomainRef,
        _pid: i64,
        _signum: u32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSendProcessSignal")
    }
    /// virDomainSetUserPassword.
    fn domain_set_user_password(
        &self,
        _d: &DomainRef,
        _user: String,
        _password: String,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetUserPassword")
    }
    /// virDomainFSFreeze.
    fn domain_fs_freeze(
        &self,
        _d: &DomainRef,
        _mountpoints: Vec<String>,
        _flags: u32,
    ) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virDomainFSFreeze")
    }
    /// virDomainFSThaw.
    fn domain_fs_thaw(
        &self,
        _d: &DomainRef,
        _mountpoints: Vec<String>,
        _flags: u32,
    ) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virDomainFSThaw")
    }
    /// virDomainFSTrim.
    fn domain_fs_trim(
        &self,
        _d: &DomainRef,
        _mountpoint: Option<String>,
        _minimum: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainFSTrim")
    }
    /// virDomainGetSecurityLabel.
    fn domain_security_label(&self, _d: &DomainRef) -> Result<SecurityLabel> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetSecurityLabel")
    }
    /// virDomainGetMessages.
    fn domain_messages(&self, _d: &DomainRef, _flags: u32) -> Result<Messages> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetMessages")
    }
    /// virDomainMemoryStats.
    fn domain_memory_stats(
        &self,
        _d: &DomainRef,
        _nr_stats: u32,
        _flags: u32,
    ) -> Result<MemoryStats> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMemoryStats")
    }
    /// virDomainSetLifecycleAction.
    fn domain_set_lifecycle_action(
        &self,
        _d: &DomainRef,
        _kind: u32,
        _action: u32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetLifecycleAction")
    }
    /// virDomainManagedSave.
    fn domain_managed_save(&self, _d: &DomainRef, _flags: u32) -> Result<Stopped> {
        unsupported(VIR_FROM_DOMAIN, "virDomainManagedSave")
    }
    /// virDomainHasManagedSaveImage.
    fn domain_has_managed_save(&self, _d: &DomainRef, _flags: u32) -> Result<bool> {
        unsupported(VIR_FROM_DOMAIN, "virDomainHasManagedSaveImage")
    }
    /// virDomainManagedSaveRemove.
    fn domain_managed_save_remove(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainManagedSaveRemove")
    }
    /// virDomainSave.
    fn domain_save(&self, _d: &DomainRef, _to: String) -> Result<Stopped> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSave")
    }
    /// virDomainSaveFlags.
    fn domain_save_flags(
        &self,
        _d: &DomainRef,
        _to: String,
        _dxml: Option<String>,
        _flags: u32,
    ) -> Result<Stopped> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSaveFlags")
    }
    /// virDomainRename.
    fn domain_rename(&self, _d: &DomainRef, _new_name: String, _flags: u32) -> Result<Renamed> {
        unsupported(VIR_FROM_DOMAIN, "virDomainRename")
    }
    /// virDomainRestore: start the domain saved in `from`.
    fn domain_restore(&self, _from: String) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainRestore")
    }
    /// virDomainRestoreFlags.
    fn domain_restore_flags(
        &self,
        _from: String,
        _dxml: Option<String>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainRestoreFlags")
    }
    /// virDomainGetDiskErrors: `maxerrors` is the caller's array size, which a daemon needs (the
    /// C side fits a local driver's list to it).
    fn domain_disk_errors(
        &self,
        _d: &DomainRef,
        _maxerrors: u32,
        _flags: u32,
    ) -> Result<DiskErrors> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetDiskErrors")
    }
    /// virDomainGetBlockInfo.
    fn domain_block_info(&self, _d: &DomainRef, _disk: String, _flags: u32) -> Result<BlockInfo> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetBlockInfo")
    }
    /// virDomainBlockStats.
    fn domain_block_stats(&self, _d: &DomainRef, _disk: String) -> Result<BlockStats> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockStats")
    }
    /// virDomainInterfaceStats.
    fn domain_interface_stats(&self, _d: &DomainRef, _device: String) -> Result<InterfaceStats> {
        unsupported(VIR_FROM_DOMAIN, "virDomainInterfaceStats")
    }
    /// virDomainGetFSInfo.
    fn domain_fs_info(&self, _d: &DomainRef, _flags: u32) -> Result<FsInfos> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetFSInfo")
    }
    /// virDomainGetCPUStats: `nparams` parameters for each of `ncpus` CPUs from `start_cpu`, or the
    /// whole domain's (`start_cpu` -1).
    fn domain_cpu_stats(
        &self,
        _d: &DomainRef,
        _nparams: u32,
        _start_cpu: i32,
        _ncpus: u32,
        _flags: u32,
    ) -> Result<CpuStats> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetCPUStats")
    }
    /// virDomainSetMemoryStatsPeriod.
    fn domain_set_memory_stats_period(
        &self,
        _d: &DomainRef,
        _period: i32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetMemoryStatsPeriod")
    }
    /// virDomainGetLaunchSecurityInfo.
    fn domain_launch_security_info(&self, _d: &DomainRef, _flags: u32) -> Result<TypedParams> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetLaunchSecurityInfo")
    }
    /// virDomainCoreDump.
    fn domain_core_dump(&self, _d: &DomainRef, _to: String, _flags: u32) -> Result<Stopped> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCoreDump")
    }
    /// virDomainCoreDumpWithFormat.
    fn domain_core_dump_with_format(
        &self,
        _d: &DomainRef,
        _to: String,
        _format: u32,
        _flags: u32,
    ) -> Result<Stopped> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCoreDumpWithFormat")
    }
    /// virDomainGetBlkioParameters.
    fn domain_blkio_parameters(
        &self,
        _d: &DomainRef,
        _room: ParamRoom,
        _flags: u32,
    ) -> Result<ParamsAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetBlkioParameters")
    }
    /// virDomainSetBlkioParameters.
    fn domain_set_blkio_parameters(
        &self,
        _d: &DomainRef,
        _params: SetParamsOrNone,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetBlkioParameters")
    }
    /// virDomainGetMemoryParameters.
    fn domain_memory_parameters(
        &self,
        _d: &DomainRef,
        _room: ParamRoom,
        _flags: u32,
    ) -> Result<ParamsAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetMemoryParameters")
    }
    /// virDomainSetMemoryParameters.
    fn domain_set_memory_parameters(
        &self,
        _d: &DomainRef,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetMemoryParameters")
    }
    /// virDomainGetNumaParameters.
    fn domain_numa_parameters(
        &self,
        _d: &DomainRef,
        _room: ParamRoom,
        _flags: u32,
    ) -> Result<ParamsAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetNumaParameters")
    }
    /// virDomainSetNumaParameters.
    fn domain_set_numa_parameters(
        &self,
        _d: &DomainRef,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetNumaParameters")
    }
    /// virDomainGetInterfaceParameters: `device` is an interface's name or MAC address.
    fn domain_interface_parameters(
        &self,
        _d: &DomainRef,
        _device: Option<String>,
        _room: ParamRoom,
        _flags: u32,
    ) -> Result<ParamsAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetInterfaceParameters")
    }
    /// virDomainSetInterfaceParameters.
    fn domain_set_interface_parameters(
        &self,
        _d: &DomainRef,
        _device: Option<String>,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetInterfaceParameters")
    }
    /// virDomainGetBlockIoTune: `disk` is a disk's target or source path.
    fn domain_block_io_tune(
        &self,
        _d: &DomainRef,
        _disk: Option<String>,
        _room: ParamRoom,
        _flags: u32,
    ) -> Result<ParamsAnswer> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetBlockIoTune")
    }
    /// virDomainSetBlockIoTune.
    fn domain_set_block_io_tune(
        &self,
        _d: &DomainRef,
        _disk: String,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetBlockIoTune")
    }
    /// virDomainGetPerfEvents.
    fn domain_perf_events(&self, _d: &DomainRef, _flags: u32) -> Result<TypedParams> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetPerfEvents")
    }
    /// virDomainSetPerfEvents.
    fn domain_set_perf_events(
        &self,
        _d: &DomainRef,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetPerfEvents")
    }
    /// virDomainMemoryPeek: `size` bytes of the guest's memory from `start`.
    fn domain_memory_peek(
        &self,
        _d: &DomainRef,
        _start: u64,
        _size: u64,
        _flags: u32,
    ) -> Result<MemoryBytes> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMemoryPeek")
    }
    /// virDomainGetJobInfo.
    fn domain_job_info(&self, _d: &DomainRef) -> Result<JobInfo> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetJobInfo")
    }
    /// virDomainGetJobStats.
    fn domain_job_stats(&self, _d: &DomainRef, _flags: u32) -> Result<JobStats> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetJobStats")
    }
    /// virConnectGetAllDomainStats (`doms` None: every domain the flags select) and
    /// virDomainListGetStats: the `stats` groups (VIR_DOMAIN_STATS_*) of each domain.
    fn domain_list_stats(
        &self,
        _doms: Option<Vec<DomainRef>>,
        _stats: u32,
        _flags: u32,
    ) -> Result<Vec<StatsRecord>> {
        unsupported(VIR_FROM_DOMAIN, "virConnectGetAllDomainStats")
    }
    /// virDomainQemuMonitorCommand (libvirt-qemu): a QMP command, or with
    /// VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP a human monitor command line, passed to the guest's
    /// monitor; the reply as text.
    fn domain_qemu_monitor_command(
        &self,
        _d: &DomainRef,
        _cmd: String,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_NONE, "virDomainQemuMonitorCommand")
    }
    /// virDomainQemuAgentCommand (libvirt-qemu): a command for the guest agent.
    fn domain_qemu_agent_command(
        &self,
        _d: &DomainRef,
        _cmd: String,
        _timeout: i32,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_NONE, "virDomainQemuAgentCommand")
    }
    /// virDomainBlockStatsFlags: a disk's counters (`disk` empty: every disk's together).
    fn domain_block_stats_flags(
        &self,
        _d: &DomainRef,
        _disk: String,
        _flags: u32,
    ) -> Result<BlockParams> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockStatsFlags")
    }
    /// virDomainInterfaceAddresses: the guest's interfaces and their addresses, from `source`.
    fn domain_interface_addresses(
        &self,
        _d: &DomainRef,
        _source: AddressSource,
        _flags: u32,
    ) -> Result<GuestInterfaces> {
        unsupported(VIR_FROM_DOMAIN, "virDomainInterfaceAddresses")
    }
    /// virDomainSaveImageGetXMLDesc: the definition a save image holds.
    fn domain_save_image_xml_desc(&self, _file: String, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSaveImageGetXMLDesc")
    }
    /// virDomainSaveImageDefineXML: a new definition into a save image.
    fn domain_save_image_define_xml(
        &self,
        _file: String,
        _dxml: String,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSaveImageDefineXML")
    }
    /// virDomainCreateWithFiles: start a defined domain, handing it the caller's open files.
    fn domain_create_with_files(
        &self,
        _caller: Caller,
        _d: &DomainRef,
        _flags: u32,
    ) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCreateWithFiles")
    }
    /// virDomainCreateXMLWithFiles: create and start a domain, handing it the caller's files.
    fn domain_create_xml_with_files(
        &self,
        _caller: Caller,
        _xml: &str,
        _flags: u32,
    ) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainCreateXMLWithFiles")
    }
    /// virDomainAttachDevice: plug a device into the running guest (AFFECT_LIVE).
    fn domain_attach_device(&self, _d: &DomainRef, _xml: String) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAttachDevice")
    }
    /// virDomainAttachDeviceFlags: add a device to the running guest, its persistent
    /// definition, or both (VIR_DOMAIN_AFFECT_LIVE / CONFIG / CURRENT).
    fn domain_attach_device_flags(&self, _d: &DomainRef, _xml: String, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAttachDeviceFlags")
    }
    /// virDomainDetachDevice: unplug a device from the running guest (AFFECT_LIVE).
    fn domain_detach_device(&self, _d: &DomainRef, _xml: String) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDetachDevice")
    }
    /// virDomainDetachDeviceFlags: remove a device from the running guest, its persistent
    /// definition, or both.
    fn domain_detach_device_flags(&self, _d: &DomainRef, _xml: String, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDetachDeviceFlags")
    }
    /// virDomainUpdateDeviceFlags: change a device in place (a cdrom's media).
    fn domain_update_device_flags(&self, _d: &DomainRef, _xml: String, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainUpdateDeviceFlags")
    }
    /// virDomainPMWakeup: wake a guest that suspended itself (ACPI S3) up.
    fn domain_pm_wakeup(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainPMWakeup")
    }
    /// virDomainAbortJob.
    fn domain_abort_job(&self, _d: &DomainRef) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAbortJob")
    }
    /// virDomainAbortJobFlags.
    fn domain_abort_job_flags(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAbortJobFlags")
    }
    /// virDomainMigrateSetMaxDowntime: in milliseconds.
    fn domain_migrate_set_max_downtime(
        &self,
        _d: &DomainRef,
        _downtime: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateSetMaxDowntime")
    }
    /// virDomainMigrateGetMaxDowntime: in milliseconds.
    fn domain_migrate_max_downtime(&self, _d: &DomainRef, _flags: u32) -> Result<u64> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateGetMaxDowntime")
    }
    /// virDomainMigrateSetMaxSpeed: in MiB/s.
    fn domain_migrate_set_max_speed(
        &self,
        _d: &DomainRef,
        _bandwidth: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateSetMaxSpeed")
    }
    /// virDomainMigrateGetMaxSpeed: in MiB/s.
    fn domain_migrate_max_speed(&self, _d: &DomainRef, _flags: u32) -> Result<u64> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateGetMaxSpeed")
    }
    /// virDomainMigrateSetCompressionCache: in bytes.
    fn domain_migrate_set_compression_cache(
        &self,
        _d: &DomainRef,
        _cache_size: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateSetCompressionCache")
    }
    /// virDomainMigrateGetCompressionCache: in bytes.
    fn domain_migrate_compression_cache(&self, _d: &DomainRef, _flags: u32) -> Result<u64> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateGetCompressionCache")
    }
    /// virDomainMigrateStartPostCopy.
    fn domain_migrate_start_post_copy(&self, _d: &DomainRef, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateStartPostCopy")
    }
    /// virDomainAddIOThread.
    fn domain_add_iothread(&self, _d: &DomainRef, _iothread_id: u32, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAddIOThread")
    }
    /// virDomainDelIOThread.
    fn domain_del_iothread(&self, _d: &DomainRef, _iothread_id: u32, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDelIOThread")
    }
    /// virDomainSetVcpu: the vcpus a list such as `1,3-5` names on or off.
    fn domain_set_vcpu(
        &self,
        _d: &DomainRef,
        _vcpumap: String,
        _state: i32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetVcpu")
    }
    /// virDomainSetBlockThreshold.
    fn domain_set_block_threshold(
        &self,
        _d: &DomainRef,
        _dev: String,
        _threshold: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetBlockThreshold")
    }
    /// virDomainManagedSaveGetXMLDesc.
    fn domain_managed_save_xml_desc(&self, _d: &DomainRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainManagedSaveGetXMLDesc")
    }
    /// virDomainManagedSaveDefineXML.
    fn domain_managed_save_define_xml(
        &self,
        _d: &DomainRef,
        _dxml: String,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainManagedSaveDefineXML")
    }
    /// virDomainAgentSetResponseTimeout: in seconds (or a VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_* value).
    fn domain_agent_set_response_timeout(
        &self,
        _d: &DomainRef,
        _timeout: i32,
        _flags: u32,
    ) -> Result<i32> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAgentSetResponseTimeout")
    }
    /// virDomainStartDirtyRateCalc.
    fn domain_start_dirty_rate_calc(
        &self,
        _d: &DomainRef,
        _seconds: i32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainStartDirtyRateCalc")
    }
    /// virDomainBlockJobAbort.
    fn domain_block_job_abort(&self, _d: &DomainRef, _disk: String, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockJobAbort")
    }
    /// virDomainBlockJobSetSpeed.
    fn domain_block_job_set_speed(
        &self,
        _d: &DomainRef,
        _disk: String,
        _bandwidth: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockJobSetSpeed")
    }
    /// virDomainBlockPull.
    fn domain_block_pull(
        &self,
        _d: &DomainRef,
        _disk: String,
        _bandwidth: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockPull")
    }
    /// virDomainBlockRebase.
    fn domain_block_rebase(
        &self,
        _d: &DomainRef,
        _disk: String,
        _base: Option<String>,
        _bandwidth: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockRebase")
    }
    /// virDomainBlockCommit.
    fn domain_block_commit(
        &self,
        _d: &DomainRef,
        _disk: String,
        _base: Option<String>,
        _top: Option<String>,
        _bandwidth: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockCommit")
    }
    /// virDomainBlockResize.
    fn domain_block_resize(
        &self,
        _d: &DomainRef,
        _disk: String,
        _size: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockResize")
    }
    /// virDomainBackupBegin.
    fn domain_backup_begin(
        &self,
        _d: &DomainRef,
        _backup_xml: String,
        _checkpoint_xml: Option<String>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBackupBegin")
    }
    /// virDomainBackupGetXMLDesc.
    fn domain_backup_xml_desc(&self, _d: &DomainRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBackupGetXMLDesc")
    }
    /// virDomainDetachDeviceAlias.
    fn domain_detach_device_alias(
        &self,
        _d: &DomainRef,
        _alias: String,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainDetachDeviceAlias")
    }
    /// virDomainPMSuspendForDuration.
    fn domain_pm_suspend_for_duration(
        &self,
        _d: &DomainRef,
        _target: u32,
        _duration: u64,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainPMSuspendForDuration")
    }
    /// virDomainSetGuestVcpus.
    fn domain_set_guest_vcpus(
        &self,
        _d: &DomainRef,
        _cpumap: String,
        _state: i32,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetGuestVcpus")
    }
    /// virDomainPinIOThread.
    fn domain_pin_iothread(
        &self,
        _d: &DomainRef,
        _iothread_id: u32,
        _map: Vec<u8>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainPinIOThread")
    }
    /// virDomainSetIOThreadParams.
    fn domain_set_iothread_params(
        &self,
        _d: &DomainRef,
        _iothread_id: u32,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetIOThreadParams")
    }
    /// virDomainSetLaunchSecurityState.
    fn domain_set_launch_security_state(
        &self,
        _d: &DomainRef,
        _params: SetParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSetLaunchSecurityState")
    }
    /// virDomainAuthorizedSSHKeysGet.
    fn domain_authorized_ssh_keys(
        &self,
        _d: &DomainRef,
        _user: String,
        _flags: u32,
    ) -> Result<AuthorizedKeys> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAuthorizedSSHKeysGet")
    }
    /// virDomainAuthorizedSSHKeysSet.
    fn domain_set_authorized_ssh_keys(
        &self,
        _d: &DomainRef,
        _user: String,
        _keys: Vec<String>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainAuthorizedSSHKeysSet")
    }
    /// virDomainGetGuestInfo.
    fn domain_guest_info(&self, _d: &DomainRef, _types: u32, _flags: u32) -> Result<TypedParams> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetGuestInfo")
    }
    /// virConnectDomainXMLFromNative.
    fn domain_xml_from_native(
        &self,
        _native_format: String,
        _native_config: String,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectDomainXMLFromNative")
    }
    /// virConnectDomainXMLToNative.
    fn domain_xml_to_native(
        &self,
        _native_format: String,
        _domain_xml: String,
        _flags: u32,
    ) -> Result<String> {
        unsupported(VIR_FROM_DOMAIN, "virConnectDomainXMLToNative")
    }
    /// virDomainGetIOThreadInfo.
    fn domain_iothread_info(&self, _d: &DomainRef, _flags: u32) -> Result<IoThreadInfos> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetIOThreadInfo")
    }
    /// virDomainGetGuestVcpus.
    fn domain_guest_vcpus(&self, _d: &DomainRef, _flags: u32) -> Result<GuestVcpus> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetGuestVcpus")
    }
    /// virDomainSaveParams.
    fn domain_save_params(&self, _d: &DomainRef, _params: AnyParams, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainSaveParams")
    }
    /// virDomainRestoreParams.
    fn domain_restore_params(&self, _params: AnyParams, _flags: u32) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainRestoreParams")
    }
    /// virDomainBlockPeek: `size` bytes of a disk's content from `offset`.
    fn domain_block_peek(
        &self,
        _d: &DomainRef,
        _disk: String,
        _offset: u64,
        _size: u64,
        _flags: u32,
    ) -> Result<MemoryBytes> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockPeek")
    }
    /// virDomainGetBlockJobInfo: the disk's block job, if one runs.
    fn domain_block_job_info(
        &self,
        _d: &DomainRef,
        _disk: String,
        _flags: u32,
    ) -> Result<Option<super::BlockJobInfo>> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetBlockJobInfo")
    }
    /// virDomainGetSecurityLabelList: every security label of the domain.
    fn domain_security_label_list(&self, _d: &DomainRef) -> Result<super::SecurityLabels> {
        unsupported(VIR_FROM_DOMAIN, "virDomainGetSecurityLabelList")
    }
    /// virDomainBlockCopy: copy a disk to the destination `destxml` describes.
    fn domain_block_copy(
        &self,
        _d: &DomainRef,
        _disk: String,
        _destxml: String,
        _params: super::CopyParams,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainBlockCopy")
    }

    /// virConnectNumOfDomains: by default the length of the listing; a daemon counts itself
    /// (CONNECT_NUM_OF_DOMAINS, as the reference's client asks).
    fn domain_count_active(&self) -> Result<i32> {
        Ok(self.active_ids()?.len() as i32)
    }
    /// virConnectNumOfDefinedDomains: as domain_count_active, for the defined domains.
    fn domain_count_defined(&self) -> Result<i32> {
        Ok(self.defined_names()?.len() as i32)
    }
    /// virDomainGetMaxMemory (KiB): by default from the domain's info; a daemon answers its own
    /// procedure.
    fn domain_max_memory(&self, d: &DomainRef) -> Result<u64> {
        Ok(self.info(d)?.max_mem_kib)
    }
    /// virDomainCreate: create without flags, unless the driver has a call of its own for it (the
    /// reference's client sends DOMAIN_CREATE, not DOMAIN_CREATE_WITH_FLAGS).
    fn domain_create_no_flags(&self, caller: Caller, d: &DomainRef) -> Result<DomainRef> {
        self.create(caller, d, crate::api::DomainCreateFlags::NONE.bits())
    }
    /// virDomainQemuAttach (libvirt-qemu): adopt the qemu process `pid_value`.
    fn domain_qemu_attach(&self, _pid_value: u32, _flags: u32) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainQemuAttach")
    }
    /// virDomainOpenGraphics: connect the graphics backend `idx` to the caller's socket `fd`
    /// (which stays the caller's: the driver hands qemu or the daemon a duplicate).
    fn domain_open_graphics(
        &self,
        _d: &DomainRef,
        _idx: u32,
        _fd: std::os::fd::BorrowedFd<'_>,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainOpenGraphics")
    }
    /// virDomainOpenGraphicsFD: a new socket connected to the graphics backend `idx`.
    fn domain_open_graphics_fd(
        &self,
        _d: &DomainRef,
        _idx: u32,
        _flags: u32,
    ) -> Result<std::os::fd::OwnedFd> {
        unsupported(VIR_FROM_DOMAIN, "virDomainOpenGraphicsFD")
    }
    /// virDomainFDAssociate: keep the caller's `fds` under `name` for the domain's disks.
    fn domain_fd_associate(
        &self,
        _d: &DomainRef,
        _name: String,
        _fds: &[std::os::fd::BorrowedFd<'_>],
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainFDAssociate")
    }
    /// virDomainQemuMonitorCommandWithFiles: a monitor command with the caller's `fds`, and
    /// the descriptors its answer brings back. Without descriptors, the plain command.
    fn domain_qemu_monitor_command_with_files(
        &self,
        d: &DomainRef,
        cmd: String,
        fds: &[std::os::fd::BorrowedFd<'_>],
        flags: u32,
    ) -> Result<(String, Vec<std::os::fd::OwnedFd>)> {
        if fds.is_empty() {
            return Ok((self.domain_qemu_monitor_command(d, cmd, flags)?, Vec::new()));
        }
        unsupported(VIR_FROM_NONE, "virDomainQemuMonitorCommandWithFiles")
    }

    // Migration's steps (issue 18): what the public layer's orchestration (src/driver/migrate.rs)
    // calls on the source (Begin, Perform, Confirm) and on the destination (Prepare, Finish).
    // Version 3 with typed parameters is what a 9.0 client uses with a 9.0 daemon; the older
    // versions are here so that every procedure of the protocol is forwarded.

    /// virDomainMigrateBegin3Params: the source's description of the guest and its cookie.
    fn domain_migrate_begin3_params(
        &self,
        _d: &DomainRef,
        _params: TypedParams,
        _flags: u32,
    ) -> Result<super::MigrateBegun> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateBegin3Params")
    }
    /// virDomainMigratePrepare3Params: the destination gets ready for the guest.
    fn domain_migrate_prepare3_params(
        &self,
        _params: TypedParams,
        _cookie_in: Vec<u8>,
        _flags: u32,
    ) -> Result<super::MigratePrepared> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepare3Params")
    }
    /// virDomainMigratePerform3Params: the source sends the guest (to the daemon `dconnuri`
    /// names itself, in peer-to-peer migration); the answer is its cookie for Finish.
    fn domain_migrate_perform3_params(
        &self,
        _d: &DomainRef,
        _dconnuri: Option<String>,
        _params: TypedParams,
        _cookie_in: Vec<u8>,
        _flags: u32,
    ) -> Result<Vec<u8>> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePerform3Params")
    }
    /// virDomainMigrateFinish3Params: the destination runs the guest (or drops it when
    /// `cancelled`).
    fn domain_migrate_finish3_params(
        &self,
        _params: TypedParams,
        _cookie_in: Vec<u8>,
        _flags: u32,
        _cancelled: bool,
    ) -> Result<super::MigrateFinished> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateFinish3Params")
    }
    /// virDomainMigrateConfirm3Params: the source drops its guest (or resumes it when
    /// `cancelled`).
    fn domain_migrate_confirm3_params(
        &self,
        _d: &DomainRef,
        _params: TypedParams,
        _cookie_in: Vec<u8>,
        _flags: u32,
        _cancelled: bool,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateConfirm3Params")
    }
    /// virDomainMigrateBegin3 (version 3 without typed parameters).
    fn domain_migrate_begin3(
        &self,
        _d: &DomainRef,
        _xmlin: Option<String>,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
    ) -> Result<super::MigrateBegun> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateBegin3")
    }
    /// virDomainMigratePrepare3.
    #[allow(clippy::too_many_arguments)]
    fn domain_migrate_prepare3(
        &self,
        _cookie_in: Vec<u8>,
        _uri_in: Option<String>,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
        _dom_xml: String,
    ) -> Result<super::MigratePrepared> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepare3")
    }
    /// virDomainMigratePerform3.
    #[allow(clippy::too_many_arguments)]
    fn domain_migrate_perform3(
        &self,
        _d: &DomainRef,
        _xmlin: Option<String>,
        _cookie_in: Vec<u8>,
        _dconnuri: Option<String>,
        _uri: Option<String>,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
    ) -> Result<Vec<u8>> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePerform3")
    }
    /// virDomainMigrateFinish3.
    fn domain_migrate_finish3(
        &self,
        _dname: String,
        _cookie_in: Vec<u8>,
        _dconnuri: Option<String>,
        _uri: Option<String>,
        _flags: u64,
        _cancelled: bool,
    ) -> Result<super::MigrateFinished> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateFinish3")
    }
    /// virDomainMigrateConfirm3.
    fn domain_migrate_confirm3(
        &self,
        _d: &DomainRef,
        _cookie_in: Vec<u8>,
        _flags: u64,
        _cancelled: bool,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateConfirm3")
    }
    /// virDomainMigratePrepare (version 1): the destination's cookie and URI.
    fn domain_migrate_prepare(
        &self,
        _uri_in: Option<String>,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
    ) -> Result<super::MigratePrepared> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepare")
    }
    /// virDomainMigratePerform (versions 1 and 2).
    fn domain_migrate_perform(
        &self,
        _d: &DomainRef,
        _cookie: Vec<u8>,
        _uri: String,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
    ) -> Result<()> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePerform")
    }
    /// virDomainMigrateFinish (version 1): the guest on the destination.
    fn domain_migrate_finish(
        &self,
        _dname: String,
        _cookie: Vec<u8>,
        _uri: String,
        _flags: u64,
    ) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateFinish")
    }
    /// virDomainMigratePrepare2 (version 2: the source's XML given).
    fn domain_migrate_prepare2(
        &self,
        _uri_in: Option<String>,
        _flags: u64,
        _dname: Option<String>,
        _resource: u64,
        _dom_xml: String,
    ) -> Result<super::MigratePrepared> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigratePrepare2")
    }
    /// virDomainMigrateFinish2: `retcode` is the source's Perform status.
    fn domain_migrate_finish2(
        &self,
        _dname: String,
        _cookie: Vec<u8>,
        _uri: String,
        _flags: u64,
        _retcode: i32,
    ) -> Result<DomainRef> {
        unsupported(VIR_FROM_DOMAIN, "virDomainMigrateFinish2")
    }
}
