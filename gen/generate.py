#!/usr/bin/env python3
"""The one generator of oxvirt's checked-in tables.

Input: libvirt 9.0's API description (`libvirt-api.xml`, Debian's libvirt-dev), the reference's
symbol list and version nodes, the reference's answers to all-NULL calls (gen/reference/), and
the list of functions implemented by hand (every `pub(crate) unsafe fn vir...` in src/ffi/*.rs).

Output (all checked in, so a build needs no libvirt-dev):
  src/ffi/generated/types.rs    constants, typedefs, structs, callback types
  src/api/generated.rs          the flags as bitflags types, the other enums as Rust enums
  src/ffi/generated/exports.rs  the 516 exported functions: each its C signature around one
                                entry!/entry_stub! (src/ffi/entry.rs): a panic fence around the
                                hand-written implementation, or the "not supported" stub
  link/libvirt.map              the linker version script (LIBVIRT_x.y.z nodes, chained)
  cbindgen.toml, cbindgen-virterror.toml   how cbindgen splits the crate into the two headers
  README.md                     the table of implemented functions and the driver entry each
                                reaches (DRIVER_ENTRIES, checked against src/driver/family/),
                                between markers
  python/oxvirt/_constants.py   the enum values for the ctypes module

`generate.py --check` writes nothing and fails when any checked-in output differs.
"""
import os
import re
import subprocess
import sys

from apixml import Api
import keycodes

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
REF = os.path.join(HERE, "reference")

# Our own exported entry points (qemu_process.h) live in this version node.
OXVIRT_NODE = "OXVIRT_0.1.0"
OXVIRT_SYMBOLS = ["qemuProcessKill", "qemuDomainObjFromDomain", "virDomainObjEndAPI"]
# What libvirt-qemu.so.0, libvirt-lxc.so.0 and libvirt-admin.so.0 (link/libvirt-*.c) call: their
# functions live in libvirt.so.0 under this private node (src/ffi/qemu_libs.rs).
OXVIRT_LIBS_NODE = "OXVIRT_LIBS_0.1.0"
OXVIRT_LIBS_SYMBOLS = ["oxvirt" + n for n in [
    "DomainQemuMonitorCommand", "DomainQemuMonitorCommandWithFiles", "DomainQemuAgentCommand",
    "DomainQemuAttach", "ConnectDomainQemuMonitorEventRegister",
    "ConnectDomainQemuMonitorEventDeregister", "DomainLxcOpenNamespace", "DomainLxcEnterNamespace",
    "DomainLxcEnterSecurityLabel", "DomainLxcEnterCGroup"]] + ["oxvirtAdm" + n for n in [
    # libvirt-admin.so.0's (link/libvirt-admin.c, src/ffi/admin.rs).
    "Initialize", "GetVersion", "ConnectOpen", "ConnectClose", "ConnectRef", "ConnectIsAlive",
    "ConnectGetURI", "ConnectGetLibVersion", "ConnectRegisterCloseCallback",
    "ConnectUnregisterCloseCallback", "ConnectListServers", "ConnectLookupServer", "ServerGetName",
    "ServerFree", "ServerGetThreadPoolParameters", "ServerSetThreadPoolParameters",
    "ServerListClients", "ServerLookupClient", "ClientGetID", "ClientGetTimestamp",
    "ClientGetTransport", "ClientFree", "ClientGetInfo", "ClientClose", "ServerGetClientLimits",
    "ServerSetClientLimits", "ServerUpdateTlsFiles", "ConnectGetLoggingOutputs",
    "ConnectGetLoggingFilters", "ConnectSetLoggingOutputs", "ConnectSetLoggingFilters",
    "ConnectSetDaemonTimeout"]]
# Everything of qemu_process.h (src/ffi/qemu_process.rs): kept out of libvirt.h and virterror.h.
OXVIRT_HEADER_ITEMS = OXVIRT_SYMBOLS + [
    "virDomainObj", "_virDomainObj", "virDomainObjPtr", "virQemuProcessKillMode",
    "VIR_QEMU_PROCESS_KILL_FORCE", "VIR_QEMU_PROCESS_KILL_NOWAIT", "VIR_QEMU_PROCESS_KILL_NOCHECK",
]

PRIM = {
    "void": "()",
    "int": "c_int",
    "unsigned int": "c_uint",
    "long": "c_long",
    "unsigned long": "c_ulong",
    "long long": "c_longlong",
    "long long int": "c_longlong",
    "unsigned long long": "c_ulonglong",
    "unsigned long long int": "c_ulonglong",
    "short": "c_short",
    "unsigned short": "c_ushort",
    "char": "c_char",
    "unsigned char": "c_uchar",
    "double": "c_double",
    "size_t": "usize",
    "ssize_t": "isize",
}

RUST_KEYWORDS = {"type", "ref", "in", "fn", "match", "mod", "move", "where", "use", "loop", "box", "self"}

# Macros whose body libvirt-api.xml leaves empty: their definitions from libvirt 9.0's headers.
MACRO_BODIES = {
    "VIR_CPU_MAPLEN": "(((cpu) + 7) / 8)",
    "VIR_DOMAIN_EVENT_CALLBACK": "((virConnectDomainEventGenericCallback)(cb))",
    "VIR_NETWORK_EVENT_CALLBACK": "((virConnectNetworkEventGenericCallback)(cb))",
    "VIR_NODEINFO_MAXCPUS": "((nodeinfo).nodes*(nodeinfo).sockets*(nodeinfo).cores*(nodeinfo).threads)",
}

# The error domain a libvirt source file reports "not supported" under (its VIR_FROM_THIS),
# keyed by the header file libvirt-api.xml names.
FROM_THIS = {
    "libvirt-domain": 20,
    "libvirt-host": 20,
    "libvirt-common": 20,
    "libvirt-event": 0,
    "virterror": 0,
    "libvirt-network": 19,
    "libvirt-storage": 18,
    "libvirt-nodedev": 22,
    "libvirt-interface": 26,
    "libvirt-secret": 30,
    "libvirt-stream": 38,
    "libvirt-nwfilter": 33,
    "libvirt-domain-snapshot": 35,
    "libvirt-domain-checkpoint": 69,
}

# Files whose functions leave the thread's last error alone on entry (the error API itself and
# the event-loop registration calls, as the reference).
NO_RESET_FILES = {"virterror", "libvirt-event"}
RESET_ANYWAY = {"virEventRegisterDefaultImpl", "virEventRunDefaultImpl"}
# Library utilities that leave the last error alone too (measured on the reference).
NO_RESET_FUNCTIONS = {
    "virTypedParamsGet", "virTypedParamsClear", "virTypedParamsFree", "virTypedParamsAddStringList",
    "virDomainFSInfoFree", "virDomainIOThreadInfoFree", "virDomainInterfaceFree",
    "virDomainStatsRecordListFree", "virNetworkDHCPLeaseFree",
}


def rust_ident(name):
    return "r#" + name if name in RUST_KEYWORDS else name


def rust_type(ctype):
    """C type text from libvirt-api.xml -> Rust type text."""
    t = ctype.strip()
    t = re.sub(r"\s*\*\s*const$", " *", t)  # `char ** const`: top-level const is not part of the type
    stars = 0
    while t.endswith("*"):
        stars += 1
        t = t[:-1].strip()
    const = False
    if t.startswith("const "):
        const = True
        t = t[len("const "):]
    base = PRIM.get(t, t)
    if base == "()" and stars:
        base = "c_void"
    if stars == 0:
        return base
    out = base
    for i in range(stars):
        innermost = i == 0
        out = ("*const " if (innermost and const) else "*mut ") + out
    return out


def load_symbols():
    syms = []
    for line in open(os.path.join(REF, "libvirt-9.0-public-symbols.txt")):
        if line.startswith("#") or not line.strip():
            continue
        name, node, kind = line.split()
        syms.append((name, node, kind))
    nodes = [l.strip() for l in open(os.path.join(REF, "libvirt-9.0-version-nodes.txt"))
             if l.strip() and not l.startswith("#")]
    return syms, nodes


def load_null_probe():
    """name -> (code, domain, str1) of the reference's answer to an all-NULL call."""
    out = {}
    pat = re.compile(r"^(\S+) ret=\S+ code=(\d+) domain=(\d+) level=\d+ str1=(.*?) str2=")
    for line in open(os.path.join(REF, "nullprobe-libvirt-9.0.txt")):
        m = pat.match(line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
    return out


def null_probe_arg(name):
    """str2 of the reference's answer: the argument its NULL check names."""
    for line in open(os.path.join(REF, "nullprobe-libvirt-9.0.txt")):
        if line.startswith(name + " "):
            m = re.search(r" str2=(\S+) ", line)
            return m.group(1) if m else None
    return None


# The driver entry (src/driver/family/: family trait and method) each implemented function reaches,
# as libvirt's driver tables: adding a function that a driver serves means its row here, the method
# with its "not supported" default in the family trait, and a body in each driver that serves it.
# The generator checks every row against the traits and the implemented functions.
CONNECT_ENTRIES = {
    "virConnectClose": "ConnectDriver::connection_closed",
    "virConnectGetCapabilities": "ConnectDriver::capabilities",
    "virConnectGetHostname": "ConnectDriver::hostname",
    "virConnectGetMaxVcpus": "ConnectDriver::max_vcpus",
    "virConnectGetSysinfo": "ConnectDriver::sysinfo",
    "virConnectGetType": "ConnectDriver::type_name",
    "virConnectGetVersion": "ConnectDriver::hypervisor_version",
    "virConnectIsAlive": "ConnectDriver::is_alive",
    "virConnectRegisterCloseCallback": "ConnectDriver::on_close",
    "virConnectUnregisterCloseCallback": "ConnectDriver::can_close",
}

NODE_ENTRIES = {
    "virNodeGetInfo": "NodeDriver::node_info",
    "virNodeGetCellsFreeMemory": "NodeDriver::node_cells_free_memory",
    "virNodeGetFreeMemory": "NodeDriver::node_free_memory",
    "virNodeGetCPUMap": "NodeDriver::node_cpu_map",
    "virNodeGetCPUStats": "NodeDriver::node_cpu_stats",
    "virNodeGetSecurityModel": "NodeDriver::node_security_model",
}

DOMAIN_EVENT_ENTRIES = {
    "virConnectDomainEventDeregister": "DomainEventDriver::domain_events",
    "virConnectDomainEventDeregisterAny": "DomainEventDriver::domain_events",
    "virConnectDomainEventRegister": "DomainEventDriver::domain_events",
    "virConnectDomainEventRegisterAny": "DomainEventDriver::domain_events",
}

DOMAIN_ENTRIES = {
    "virConnectListAllDomains": "DomainDriver::list_all",
    "virConnectListDefinedDomains": "DomainDriver::defined_names",
    "virConnectListDomains": "DomainDriver::active_ids",
    "virDomainCreateWithFlags": "DomainDriver::create",
    "virDomainCreateXML": "DomainDriver::create_xml",
    "virDomainDefineXML": "DomainDriver::define_xml",
    "virDomainDefineXMLFlags": "DomainDriver::define_xml",
    "virDomainDestroy": "DomainDriver::destroy",
    "virDomainDestroyFlags": "DomainDriver::destroy",
    "virDomainGetInfo": "DomainDriver::info",
    "virDomainGetOSType": "DomainDriver::os_type",
    "virDomainGetState": "DomainDriver::state",
    "virDomainGetXMLDesc": "DomainDriver::xml_desc",
    "virDomainIsActive": "DomainDriver::is_active",
    "virDomainIsPersistent": "DomainDriver::is_persistent",
    "virDomainIsUpdated": "DomainDriver::is_updated",
    "virDomainLookupByID": "DomainDriver::lookup_by_id",
    "virDomainLookupByName": "DomainDriver::lookup_by_name",
    "virDomainLookupByUUID": "DomainDriver::lookup_by_uuid",
    "virDomainLookupByUUIDString": "DomainDriver::lookup_by_uuid",
    "virDomainReboot": "DomainDriver::reboot",
    "virDomainResume": "DomainDriver::resume",
    "virDomainShutdown": "DomainDriver::shutdown",
    "virDomainShutdownFlags": "DomainDriver::shutdown",
    "virDomainSuspend": "DomainDriver::suspend",
    "virDomainUndefine": "DomainDriver::undefine",
    "virDomainUndefineFlags": "DomainDriver::undefine",
    "virDomainGetAutostart": "DomainDriver::domain_autostart",
    "virDomainSetAutostart": "DomainDriver::domain_set_autostart",
    "virDomainGetMetadata": "DomainDriver::domain_metadata",
    "virDomainSetMetadata": "DomainDriver::domain_set_metadata",
    "virDomainGetMaxVcpus": "DomainDriver::domain_max_vcpus",
    "virDomainGetVcpusFlags": "DomainDriver::domain_vcpus_flags",
    "virDomainSetVcpus": "DomainDriver::domain_set_vcpus",
    "virDomainSetVcpusFlags": "DomainDriver::domain_set_vcpus_flags",
    "virDomainGetVcpus": "DomainDriver::domain_vcpus",
    "virDomainPinVcpu": "DomainDriver::domain_pin_vcpu",
    "virDomainPinVcpuFlags": "DomainDriver::domain_pin_vcpu_flags",
    "virDomainGetVcpuPinInfo": "DomainDriver::domain_vcpu_pin_info",
    "virDomainPinEmulator": "DomainDriver::domain_pin_emulator",
    "virDomainGetEmulatorPinInfo": "DomainDriver::domain_emulator_pin_info",
    "virDomainSetMemory": "DomainDriver::domain_set_memory",
    "virDomainSetMaxMemory": "DomainDriver::domain_set_max_memory",
    "virDomainSetMemoryFlags": "DomainDriver::domain_set_memory_flags",
    "virDomainGetSchedulerType": "DomainDriver::domain_scheduler_type",
    "virDomainGetSchedulerParameters": "DomainDriver::domain_scheduler_parameters",
    "virDomainGetSchedulerParametersFlags": "DomainDriver::domain_scheduler_parameters_flags",
    "virDomainSetSchedulerParameters": "DomainDriver::domain_set_scheduler_parameters",
    "virDomainSetSchedulerParametersFlags": "DomainDriver::domain_set_scheduler_parameters_flags",
    "virDomainGetHostname": "DomainDriver::domain_hostname",
    "virDomainGetTime": "DomainDriver::domain_time",
    "virDomainSetTime": "DomainDriver::domain_set_time",
    "virDomainGetControlInfo": "DomainDriver::domain_control_info",
    "virDomainReset": "DomainDriver::domain_reset",
    "virDomainInjectNMI": "DomainDriver::domain_inject_nmi",
    "virDomainSendKey": "DomainDriver::domain_send_key",
    "virDomainSendProcessSignal": "DomainDriver::domain_send_process_signal",
    "virDomainSetUserPassword": "DomainDriver::domain_set_user_password",
    "virDomainFSFreeze": "DomainDriver::domain_fs_freeze",
    "virDomainFSThaw": "DomainDriver::domain_fs_thaw",
    "virDomainFSTrim": "DomainDriver::domain_fs_trim",
    "virDomainGetSecurityLabel": "DomainDriver::domain_security_label",
    "virDomainGetMessages": "DomainDriver::domain_messages",
    "virDomainMemoryStats": "DomainDriver::domain_memory_stats",
    "virDomainSetLifecycleAction": "DomainDriver::domain_set_lifecycle_action",
    "virDomainManagedSave": "DomainDriver::domain_managed_save",
    "virDomainHasManagedSaveImage": "DomainDriver::domain_has_managed_save",
    "virDomainManagedSaveRemove": "DomainDriver::domain_managed_save_remove",
    "virDomainSave": "DomainDriver::domain_save",
    "virDomainSaveFlags": "DomainDriver::domain_save_flags",
    "virDomainRename": "DomainDriver::domain_rename",
    "virDomainGetDiskErrors": "DomainDriver::domain_disk_errors",
    "virDomainGetBlockInfo": "DomainDriver::domain_block_info",
    "virDomainBlockStats": "DomainDriver::domain_block_stats",
    "virDomainInterfaceStats": "DomainDriver::domain_interface_stats",
    "virDomainGetFSInfo": "DomainDriver::domain_fs_info",
    "virDomainGetCPUStats": "DomainDriver::domain_cpu_stats",
    "virDomainSetMemoryStatsPeriod": "DomainDriver::domain_set_memory_stats_period",
    "virDomainGetLaunchSecurityInfo": "DomainDriver::domain_launch_security_info",
    "virDomainCoreDump": "DomainDriver::domain_core_dump",
    "virDomainCoreDumpWithFormat": "DomainDriver::domain_core_dump_with_format",
    "virDomainRestore": "DomainDriver::domain_restore",
    "virDomainRestoreFlags": "DomainDriver::domain_restore_flags",
}

NETWORK_ENTRIES = {
    "virNetworkLookupByName": "NetworkDriver::network_lookup_by_name",
    "virNetworkLookupByUUID": "NetworkDriver::network_lookup_by_uuid",
    "virNetworkLookupByUUIDString": "NetworkDriver::network_lookup_by_uuid",
    "virConnectListAllNetworks": "NetworkDriver::network_list_all",
    "virConnectListNetworks": "NetworkDriver::network_active_names",
    "virConnectListDefinedNetworks": "NetworkDriver::network_defined_names",
    "virNetworkGetXMLDesc": "NetworkDriver::network_xml_desc",
    "virNetworkIsActive": "NetworkDriver::network_is_active",
    "virNetworkIsPersistent": "NetworkDriver::network_is_persistent",
    "virNetworkGetAutostart": "NetworkDriver::network_autostart",
    "virNetworkGetBridgeName": "NetworkDriver::network_bridge_name",
    "virNetworkCreateXML": "NetworkDriver::network_create_xml",
    "virNetworkCreateXMLFlags": "NetworkDriver::network_create_xml_flags",
    "virNetworkDefineXML": "NetworkDriver::network_define_xml",
    "virNetworkDefineXMLFlags": "NetworkDriver::network_define_xml_flags",
    "virNetworkUndefine": "NetworkDriver::network_undefine",
    "virNetworkCreate": "NetworkDriver::network_create",
    "virNetworkDestroy": "NetworkDriver::network_destroy",
    "virNetworkSetAutostart": "NetworkDriver::network_set_autostart",
    "virNetworkUpdate": "NetworkDriver::network_update",
    "virConnectNetworkEventRegisterAny": "NetworkEventDriver::network_events",
    "virConnectNetworkEventDeregisterAny": "NetworkEventDriver::network_events",
}

INTERFACE_ENTRIES = {
    "virInterfaceLookupByName": "InterfaceDriver::iface_lookup_by_name",
    "virInterfaceLookupByMACString": "InterfaceDriver::iface_lookup_by_mac",
    "virConnectListInterfaces": "InterfaceDriver::iface_active_names",
    "virConnectListDefinedInterfaces": "InterfaceDriver::iface_defined_names",
    "virConnectListAllInterfaces": "InterfaceDriver::iface_list_all",
    "virInterfaceGetXMLDesc": "InterfaceDriver::iface_xml_desc",
    "virInterfaceDefineXML": "InterfaceDriver::iface_define_xml",
    "virInterfaceUndefine": "InterfaceDriver::iface_undefine",
    "virInterfaceCreate": "InterfaceDriver::iface_create",
    "virInterfaceDestroy": "InterfaceDriver::iface_destroy",
    "virInterfaceIsActive": "InterfaceDriver::iface_is_active",
    "virInterfaceChangeBegin": "InterfaceDriver::iface_change_begin",
    "virInterfaceChangeCommit": "InterfaceDriver::iface_change_commit",
    "virInterfaceChangeRollback": "InterfaceDriver::iface_change_rollback",
}

STORAGE_ENTRIES = {
    "virStoragePoolLookupByName": "StorageDriver::pool_lookup_by_name",
    "virStoragePoolLookupByUUID": "StorageDriver::pool_lookup_by_uuid",
    "virStoragePoolLookupByUUIDString": "StorageDriver::pool_lookup_by_uuid",
    "virStoragePoolLookupByVolume": "StorageDriver::pool_lookup_by_volume",
    "virConnectListStoragePools": "StorageDriver::pool_active_names",
    "virConnectListDefinedStoragePools": "StorageDriver::pool_defined_names",
    "virConnectListAllStoragePools": "StorageDriver::pool_list_all",
    "virConnectFindStoragePoolSources": "StorageDriver::pool_find_sources",
    "virStoragePoolCreateXML": "StorageDriver::pool_create_xml",
    "virStoragePoolDefineXML": "StorageDriver::pool_define_xml",
    "virStoragePoolBuild": "StorageDriver::pool_build",
    "virStoragePoolUndefine": "StorageDriver::pool_undefine",
    "virStoragePoolCreate": "StorageDriver::pool_create",
    "virStoragePoolDestroy": "StorageDriver::pool_destroy",
    "virStoragePoolDelete": "StorageDriver::pool_delete",
    "virStoragePoolRefresh": "StorageDriver::pool_refresh",
    "virStoragePoolGetInfo": "StorageDriver::pool_info",
    "virStoragePoolGetXMLDesc": "StorageDriver::pool_xml_desc",
    "virStoragePoolGetAutostart": "StorageDriver::pool_autostart",
    "virStoragePoolSetAutostart": "StorageDriver::pool_set_autostart",
    "virStoragePoolListVolumes": "StorageDriver::pool_volume_names",
    "virStoragePoolListAllVolumes": "StorageDriver::pool_list_all_volumes",
    "virStoragePoolIsActive": "StorageDriver::pool_is_active",
    "virStoragePoolIsPersistent": "StorageDriver::pool_is_persistent",
    "virStorageVolLookupByName": "StorageDriver::vol_lookup_by_name",
    "virStorageVolLookupByKey": "StorageDriver::vol_lookup_by_key",
    "virStorageVolLookupByPath": "StorageDriver::vol_lookup_by_path",
    "virStorageVolCreateXML": "StorageDriver::vol_create_xml",
    "virStorageVolCreateXMLFrom": "StorageDriver::vol_create_xml_from",
    "virStorageVolDelete": "StorageDriver::vol_delete",
    "virStorageVolGetInfo": "StorageDriver::vol_info",
    "virStorageVolGetXMLDesc": "StorageDriver::vol_xml_desc",
    "virStorageVolGetPath": "StorageDriver::vol_path",
    "virConnectStoragePoolEventRegisterAny": "StorageDriver::pool_events",
    "virConnectStoragePoolEventDeregisterAny": "StorageDriver::pool_events",
}

# Read-only refusals the probe cannot see: the reference checks a second handle (which the probe
# passes as NULL) before refusing. Name -> the refusal's error domain.
STORAGE_READ_ONLY = {"virStorageVolCreateXMLFrom": 18}

# The domain's typed-parameter functions (blkio, memory, NUMA, interface, block I/O tune, perf).
DOMAIN_PARAMS_ENTRIES = {
    "virDomainGetBlkioParameters": "DomainDriver::domain_blkio_parameters",
    "virDomainSetBlkioParameters": "DomainDriver::domain_set_blkio_parameters",
    "virDomainGetMemoryParameters": "DomainDriver::domain_memory_parameters",
    "virDomainSetMemoryParameters": "DomainDriver::domain_set_memory_parameters",
    "virDomainGetNumaParameters": "DomainDriver::domain_numa_parameters",
    "virDomainSetNumaParameters": "DomainDriver::domain_set_numa_parameters",
    "virDomainGetInterfaceParameters": "DomainDriver::domain_interface_parameters",
    "virDomainSetInterfaceParameters": "DomainDriver::domain_set_interface_parameters",
    "virDomainGetBlockIoTune": "DomainDriver::domain_block_io_tune",
    "virDomainSetBlockIoTune": "DomainDriver::domain_set_block_io_tune",
    "virDomainGetPerfEvents": "DomainDriver::domain_perf_events",
    "virDomainSetPerfEvents": "DomainDriver::domain_set_perf_events",
    "virDomainMemoryPeek": "DomainDriver::domain_memory_peek",
}
# Their setters' arrays (inputs with their count), and their getters' arrays that the caller sizes
# by `*nparams` (0 asks for the count): the pair is both an input (the room) and the outputs.
DOMAIN_PARAMS_ARRAY_INPUTS = {
    f"virDomainSet{n}": "params" for n in
    ("BlkioParameters", "MemoryParameters", "NumaParameters", "InterfaceParameters", "BlockIoTune",
     "PerfEvents")
}
# A buffer the caller sizes by an earlier argument: function -> (size argument, buffer argument);
# the size is an input and goes with the buffer to the answer.
SIZED_BUFFERS = {"virDomainMemoryPeek": ("size", "buffer")}
PARAMS_INTO = {
    f"virDomainGet{n}": "params" for n in
    ("BlkioParameters", "MemoryParameters", "NumaParameters", "InterfaceParameters", "BlockIoTune")
}

NODE_DEVICE_ENTRIES = {
    "virNodeNumOfDevices": "NodeDeviceDriver::nodedev_count",
    "virNodeListDevices": "NodeDeviceDriver::nodedev_names",
    "virConnectListAllNodeDevices": "NodeDeviceDriver::nodedev_list_all",
    "virNodeDeviceLookupByName": "NodeDeviceDriver::nodedev_lookup_by_name",
    "virNodeDeviceGetXMLDesc": "NodeDeviceDriver::nodedev_xml_desc",
    "virNodeDeviceGetParent": "NodeDeviceDriver::nodedev_parent",
    "virNodeDeviceNumOfCaps": "NodeDeviceDriver::nodedev_num_of_caps",
    "virNodeDeviceListCaps": "NodeDeviceDriver::nodedev_caps",
    "virNodeDeviceCreateXML": "NodeDeviceDriver::nodedev_create_xml",
    "virNodeDeviceDestroy": "NodeDeviceDriver::nodedev_destroy",
    "virConnectNodeDeviceEventRegisterAny": "NodeDeviceDriver::nodedev_events",
    "virConnectNodeDeviceEventDeregisterAny": "NodeDeviceDriver::nodedev_events",
}

SNAPSHOT_ENTRIES = {
    "virDomainSnapshotCreateXML": "DomainSnapshotDriver::snapshot_create_xml",
    "virDomainSnapshotGetXMLDesc": "DomainSnapshotDriver::snapshot_xml_desc",
    "virDomainSnapshotNum": "DomainSnapshotDriver::snapshot_num",
    "virDomainSnapshotListNames": "DomainSnapshotDriver::snapshot_names",
    "virDomainListAllSnapshots": "DomainSnapshotDriver::snapshot_list_all",
    "virDomainSnapshotNumChildren": "DomainSnapshotDriver::snapshot_num_children",
    "virDomainSnapshotListChildrenNames": "DomainSnapshotDriver::snapshot_children_names",
    "virDomainSnapshotListAllChildren": "DomainSnapshotDriver::snapshot_list_all_children",
    "virDomainSnapshotLookupByName": "DomainSnapshotDriver::snapshot_lookup_by_name",
    "virDomainHasCurrentSnapshot": "DomainSnapshotDriver::snapshot_has_current",
    "virDomainSnapshotCurrent": "DomainSnapshotDriver::snapshot_current",
    "virDomainSnapshotGetParent": "DomainSnapshotDriver::snapshot_parent",
    "virDomainSnapshotIsCurrent": "DomainSnapshotDriver::snapshot_is_current",
    "virDomainSnapshotHasMetadata": "DomainSnapshotDriver::snapshot_has_metadata",
    "virDomainRevertToSnapshot": "DomainSnapshotDriver::snapshot_revert",
    "virDomainSnapshotDelete": "DomainSnapshotDriver::snapshot_delete",
}

CHECKPOINT_ENTRIES = {
    "virDomainCheckpointCreateXML": "DomainCheckpointDriver::checkpoint_create_xml",
    "virDomainCheckpointGetXMLDesc": "DomainCheckpointDriver::checkpoint_xml_desc",
    "virDomainListAllCheckpoints": "DomainCheckpointDriver::checkpoint_list_all",
    "virDomainCheckpointListAllChildren": "DomainCheckpointDriver::checkpoint_list_all_children",
    "virDomainCheckpointLookupByName": "DomainCheckpointDriver::checkpoint_lookup_by_name",
    "virDomainCheckpointGetParent": "DomainCheckpointDriver::checkpoint_parent",
    "virDomainCheckpointDelete": "DomainCheckpointDriver::checkpoint_delete",
}

SECRET_ENTRIES = {
    "virSecretLookupByUUID": "SecretDriver::secret_lookup_by_uuid",
    "virSecretLookupByUUIDString": "SecretDriver::secret_lookup_by_uuid",
    "virSecretLookupByUsage": "SecretDriver::secret_lookup_by_usage",
    "virSecretDefineXML": "SecretDriver::secret_define_xml",
    "virSecretGetXMLDesc": "SecretDriver::secret_xml_desc",
    "virSecretUndefine": "SecretDriver::secret_undefine",
    "virSecretSetValue": "SecretDriver::secret_set_value",
    "virSecretGetValue": "SecretDriver::secret_value",
    "virConnectListAllSecrets": "SecretDriver::secret_list_all",
    "virConnectListSecrets": "SecretDriver::secret_uuids",
    "virConnectSecretEventRegisterAny": "SecretDriver::secret_events",
    "virConnectSecretEventDeregisterAny": "SecretDriver::secret_events",
}
# virSecretSetValue's bytes and their size: one input.
SECRET_ARRAY_INPUTS = {"virSecretSetValue": "value"}

NWFILTER_ENTRIES = {
}

STREAM_ENTRIES = {
    "virDomainScreenshot": "StreamDriver::stream_screenshot",
}

# Issue 17 (real guests you can watch): the host's and the guests' statistics.
DOMAIN_STATS_ENTRIES = {
    "virNodeGetMemoryStats": "NodeDriver::node_memory_stats",
    "virDomainGetJobInfo": "DomainDriver::domain_job_info",
    "virDomainBlockStatsFlags": "DomainDriver::domain_block_stats_flags",
    "virDomainGetJobStats": "DomainDriver::domain_job_stats",
    "virConnectGetAllDomainStats": "DomainDriver::domain_list_stats",
    "virDomainListGetStats": "DomainDriver::domain_list_stats",
}

# Issue 17 (real guests you can control): saves on the qemu driver.
GUEST17_ENTRIES = {
    "virDomainSaveImageGetXMLDesc": "DomainDriver::domain_save_image_xml_desc",
}

# One table per family, so that work on one family touches its own.
# Issue 15's remaining test-driver gaps (gen/reference/testdriver-coverage.md).
TESTGAPS_ENTRIES = {
    "virConnectGetCPUModelNames": "NodeDriver::cpu_model_names",
    "virNodeGetFreePages": "NodeDriver::node_free_pages",
}
# Inputs the answer's checks need too, in their place among the outputs (virNodeGetFreePages
# checks pages, then cellCount, then counts): function -> argument.
INPUTS_TO_ANSWER = {"virNodeGetFreePages": "cellCount"}
# Outputs the public layer sets to NULL before any check (`if (models) *models = NULL;`), so the
# caller finds NULL whatever fails: function -> argument.
CLEARED_FIRST = {"virConnectGetCPUModelNames": "models"}
# Arguments the public layer checks, in this order, right after the receiver and before its
# read-only refusal, where that order is not the generic one (read-only, then the arguments as
# declared): virStorageVolCreateXMLFrom checks the volume to clone (an invalid-handle error, which
# load_valid_probe's invalid-argument pattern does not see) before xmlDesc, then read-only.
ARGS_BEFORE_READ_ONLY = {"virStorageVolCreateXMLFrom": ("clonevol", "xmlDesc")}

# Issue 15's last test-driver gaps (session 5, td15).
TD15_ENTRIES = {
    "virDomainInterfaceAddresses": "DomainDriver::domain_interface_addresses",
    "virDomainSaveImageGetXMLDesc": "DomainDriver::domain_save_image_xml_desc",
    "virDomainSaveImageDefineXML": "DomainDriver::domain_save_image_define_xml",
    "virConnectBaselineCPU": "NodeDriver::baseline_cpu",
}
# virConnectBaselineCPU's documents and their count, converted as a pair (ARRAY_INPUTS).
TD15_ARRAY_INPUTS = {"virConnectBaselineCPU": "xmlCPUs"}
# virDomainInterfaceAddresses sets `*ifaces = NULL` before any check.
CLEARED_FIRST["virDomainInterfaceAddresses"] = "ifaces"

# Device hot-plug on the qemu driver (issue 16): src/driver/qemu/hotplug.rs.
HOTPLUG_ENTRIES = {
    "virDomainAttachDevice": "DomainDriver::domain_attach_device",
    "virDomainAttachDeviceFlags": "DomainDriver::domain_attach_device_flags",
    "virDomainDetachDevice": "DomainDriver::domain_detach_device",
    "virDomainDetachDeviceFlags": "DomainDriver::domain_detach_device_flags",
    "virDomainUpdateDeviceFlags": "DomainDriver::domain_update_device_flags",
}

REMOTE_IO_ENTRIES = {
    "virConnectSetKeepAlive": "ConnectDriver::set_keep_alive",
}

# qemu's guest events (issue 17): waking a guest up from the S3 it entered itself.
GUEST_EVENTS_ENTRIES = {
    "virDomainPMWakeup": "DomainDriver::domain_pm_wakeup",
}

# Issue 18 (the remote driver's whole protocol): public functions whose only server is the
# remote driver for now (the local drivers answer not supported, as the trait's defaults).
REMOTE18_ENTRIES = {
    "virDomainAbortJob": "DomainDriver::domain_abort_job",
    "virDomainAbortJobFlags": "DomainDriver::domain_abort_job_flags",
    "virDomainMigrateSetMaxDowntime": "DomainDriver::domain_migrate_set_max_downtime",
    "virDomainMigrateGetMaxDowntime": "DomainDriver::domain_migrate_max_downtime",
    "virDomainMigrateSetMaxSpeed": "DomainDriver::domain_migrate_set_max_speed",
    "virDomainMigrateGetMaxSpeed": "DomainDriver::domain_migrate_max_speed",
    "virDomainMigrateSetCompressionCache": "DomainDriver::domain_migrate_set_compression_cache",
    "virDomainMigrateGetCompressionCache": "DomainDriver::domain_migrate_compression_cache",
    "virDomainMigrateStartPostCopy": "DomainDriver::domain_migrate_start_post_copy",
    "virDomainAddIOThread": "DomainDriver::domain_add_iothread",
    "virDomainDelIOThread": "DomainDriver::domain_del_iothread",
    "virDomainSetVcpu": "DomainDriver::domain_set_vcpu",
    "virDomainSetBlockThreshold": "DomainDriver::domain_set_block_threshold",
    "virDomainManagedSaveGetXMLDesc": "DomainDriver::domain_managed_save_xml_desc",
    "virDomainManagedSaveDefineXML": "DomainDriver::domain_managed_save_define_xml",
    "virDomainAgentSetResponseTimeout": "DomainDriver::domain_agent_set_response_timeout",
    "virDomainStartDirtyRateCalc": "DomainDriver::domain_start_dirty_rate_calc",
    "virDomainBlockJobAbort": "DomainDriver::domain_block_job_abort",
    "virDomainBlockJobSetSpeed": "DomainDriver::domain_block_job_set_speed",
    "virDomainBlockPull": "DomainDriver::domain_block_pull",
    "virDomainBlockRebase": "DomainDriver::domain_block_rebase",
    "virDomainBlockCommit": "DomainDriver::domain_block_commit",
    "virDomainBlockResize": "DomainDriver::domain_block_resize",
    "virStorageVolWipe": "StorageDriver::vol_wipe",
    "virStorageVolWipePattern": "StorageDriver::vol_wipe_pattern",
    "virStorageVolResize": "StorageDriver::vol_resize",
    "virStoragePoolLookupByTargetPath": "StorageDriver::pool_lookup_by_target_path",
    "virNodeSuspendForDuration": "NodeDriver::node_suspend_for_duration",
}

# Issue 18, session 7 (fwd): public functions the remote driver forwards to a daemon whose trait
# methods were missing (the local drivers answer not supported, as the trait's defaults).
FWD_ENTRIES = {
    "virDomainBackupBegin": "DomainDriver::domain_backup_begin",
    "virDomainBackupGetXMLDesc": "DomainDriver::domain_backup_xml_desc",
    "virDomainDetachDeviceAlias": "DomainDriver::domain_detach_device_alias",
    "virDomainPMSuspendForDuration": "DomainDriver::domain_pm_suspend_for_duration",
    "virDomainSetGuestVcpus": "DomainDriver::domain_set_guest_vcpus",
    "virDomainPinIOThread": "DomainDriver::domain_pin_iothread",
    "virDomainSetIOThreadParams": "DomainDriver::domain_set_iothread_params",
    "virDomainSetLaunchSecurityState": "DomainDriver::domain_set_launch_security_state",
    "virDomainAuthorizedSSHKeysGet": "DomainDriver::domain_authorized_ssh_keys",
    "virDomainAuthorizedSSHKeysSet": "DomainDriver::domain_set_authorized_ssh_keys",
    "virDomainGetGuestInfo": "DomainDriver::domain_guest_info",
    "virDomainGetIOThreadInfo": "DomainDriver::domain_iothread_info",
    "virDomainGetGuestVcpus": "DomainDriver::domain_guest_vcpus",
    "virConnectDomainXMLFromNative": "DomainDriver::domain_xml_from_native",
    "virConnectDomainXMLToNative": "DomainDriver::domain_xml_to_native",
    "virConnectCompareCPU": "NodeDriver::compare_cpu",
    "virConnectCompareHypervisorCPU": "NodeDriver::compare_hypervisor_cpu",
    "virConnectBaselineHypervisorCPU": "NodeDriver::baseline_hypervisor_cpu",
    "virNodeGetSEVInfo": "NodeDriver::node_sev_info",
    "virNodeGetMemoryParameters": "NodeDriver::node_memory_parameters",
    "virNodeSetMemoryParameters": "NodeDriver::node_set_memory_parameters",
    "virConnectGetStoragePoolCapabilities": "StorageDriver::pool_capabilities",
    "virStorageVolGetInfoFlags": "StorageDriver::vol_info_flags",
    "virNodeDeviceCreate": "NodeDeviceDriver::nodedev_create",
    "virNodeDeviceDefineXML": "NodeDeviceDriver::nodedev_define_xml",
    "virNodeDeviceUndefine": "NodeDeviceDriver::nodedev_undefine",
    "virNodeDeviceIsActive": "NodeDeviceDriver::nodedev_is_active",
    "virNodeDeviceIsPersistent": "NodeDeviceDriver::nodedev_is_persistent",
    "virNodeDeviceGetAutostart": "NodeDeviceDriver::nodedev_autostart",
    "virNodeDeviceSetAutostart": "NodeDeviceDriver::nodedev_set_autostart",
    "virNodeDeviceLookupSCSIHostByWWN": "NodeDeviceDriver::nodedev_lookup_scsi_host_by_wwn",
    "virNodeDeviceDettach": "NodeDeviceDriver::nodedev_dettach",
    "virNodeDeviceDetachFlags": "NodeDeviceDriver::nodedev_detach_flags",
    "virNodeDeviceReAttach": "NodeDeviceDriver::nodedev_reattach",
    "virNodeDeviceReset": "NodeDeviceDriver::nodedev_reset",
    "virConnectNumOfNWFilters": "NwFilterDriver::nwfilter_count",
    "virConnectListNWFilters": "NwFilterDriver::nwfilter_names",
    "virConnectListAllNWFilters": "NwFilterDriver::nwfilter_list_all",
    "virNWFilterLookupByName": "NwFilterDriver::nwfilter_lookup_by_name",
    "virNWFilterLookupByUUID": "NwFilterDriver::nwfilter_lookup_by_uuid",
    "virNWFilterLookupByUUIDString": "NwFilterDriver::nwfilter_lookup_by_uuid",
    "virNWFilterDefineXML": "NwFilterDriver::nwfilter_define_xml",
    "virNWFilterDefineXMLFlags": "NwFilterDriver::nwfilter_define_xml_flags",
    "virNWFilterUndefine": "NwFilterDriver::nwfilter_undefine",
    "virNWFilterGetXMLDesc": "NwFilterDriver::nwfilter_xml_desc",
    "virDomainSaveParams": "DomainDriver::domain_save_params",
    "virDomainRestoreParams": "DomainDriver::domain_restore_params",
    "virConnectSetIdentity": "ConnectDriver::set_identity",
    "virConnectListAllNWFilterBindings": "NwFilterDriver::nwfilter_binding_list_all",
    "virNWFilterBindingLookupByPortDev": "NwFilterDriver::nwfilter_binding_lookup_by_port_dev",
    "virNWFilterBindingCreateXML": "NwFilterDriver::nwfilter_binding_create_xml",
    "virNWFilterBindingDelete": "NwFilterDriver::nwfilter_binding_delete",
    "virNWFilterBindingGetXMLDesc": "NwFilterDriver::nwfilter_binding_xml_desc",
}
# Their arrays with the count after them (ARRAY_INPUTS), and the caller-sized parameter array
# (PARAMS_INTO).
FWD_ARRAY_INPUTS = {
    "virDomainPinIOThread": "cpumap", "virDomainSetIOThreadParams": "params",
    "virDomainSetLaunchSecurityState": "params", "virDomainAuthorizedSSHKeysSet": "keys",
    "virConnectBaselineHypervisorCPU": "xmlCPUs", "virNodeSetMemoryParameters": "params",
    "virDomainSaveParams": "params", "virDomainRestoreParams": "params",
    "virConnectSetIdentity": "params",
}
PARAMS_INTO["virNodeGetMemoryParameters"] = "params"

DOMCAPS_ENTRIES = {
    "virConnectGetDomainCapabilities": "ConnectDriver::domain_capabilities",
}

# Disks of running guests on the qemu driver (issue 17, blockjobs): src/driver/qemu/disks.rs.
BLOCKJOBS_ENTRIES = {
    "virDomainBlockPeek": "DomainDriver::domain_block_peek",
    "virDomainGetBlockJobInfo": "DomainDriver::domain_block_job_info",
}
SIZED_BUFFERS["virDomainBlockPeek"] = ("size", "buffer")

# Issue 18 (rnode): what a daemon needs as the caller gave it reaches the drivers: the caller's
# `*nparams` of virNodeGetCPUStats and virNodeGetMemoryStats (PARAMS_INTO: the room goes in, the
# array and count come out), virDomainGetDiskErrors' maxerrors (an input the answer needs too),
# and the page sizes (and counts) of virNodeGetFreePages and virNodeAllocPages.
RNODE_ENTRIES = {
    "virDomainGetSecurityLabelList": "DomainDriver::domain_security_label_list",
    "virDomainBlockCopy": "DomainDriver::domain_block_copy",
    "virNodeAllocPages": "NodeDriver::node_alloc_pages",
}
PARAMS_INTO["virNodeGetCPUStats"] = "params"
PARAMS_INTO["virNodeGetMemoryStats"] = "params"
INPUTS_TO_ANSWER["virDomainGetDiskErrors"] = "maxerrors"
# virNodeAllocPages checks cellCount last, before the driver (its answer's check).
INPUTS_TO_ANSWER["virNodeAllocPages"] = "cellCount"
# virDomainGetCPUStats: the public layer's checks of start_cpu, the array, nparams and ncpus come
# before the driver's (a daemon's client makes them before it asks).
INPUTS_TO_ANSWER["virDomainGetCPUStats"] = ("nparams", "start_cpu", "ncpus")
FWD_ARRAY_INPUTS["virDomainBlockCopy"] = "params"
# Input arrays whose count comes before them: function -> {array: count}; each array is converted
# with its count (FromC<(pointer, count)>), and the count stays an input of its own.
COUNTED_ARRAY_INPUTS = {
    "virNodeGetFreePages": {"pages": "npages"},
    "virNodeAllocPages": {"pageSizes": "npages", "pageCounts": "npages"},
}
# Issue 18, rports: the connection's facts a daemon answers, network ports, DHCP leases.
# Issue 18: the counts, virDomainCreate and virDomainGetMaxMemory through methods of their own
# (a local driver's default answers from the listing, create or info; the remote driver sends
# the procedure the reference's client sends).
RSIMPLE_ENTRIES = {
    "virConnectNumOfDomains": "DomainDriver::domain_count_active",
    "virConnectNumOfDefinedDomains": "DomainDriver::domain_count_defined",
    "virDomainCreate": "DomainDriver::domain_create_no_flags",
    "virDomainGetMaxMemory": "DomainDriver::domain_max_memory",
    "virConnectNumOfNetworks": "NetworkDriver::network_count_active",
    "virConnectNumOfDefinedNetworks": "NetworkDriver::network_count_defined",
    "virConnectNumOfInterfaces": "InterfaceDriver::iface_count_active",
    "virConnectNumOfDefinedInterfaces": "InterfaceDriver::iface_count_defined",
    "virConnectNumOfStoragePools": "StorageDriver::pool_count_active",
    "virConnectNumOfDefinedStoragePools": "StorageDriver::pool_count_defined",
    "virStoragePoolNumOfVolumes": "StorageDriver::pool_volume_count",
    "virConnectNumOfSecrets": "SecretDriver::secret_count",
}
RPORTS_ENTRIES = {
    "virConnectIsSecure": "ConnectDriver::is_secure",
    "virConnectIsEncrypted": "ConnectDriver::is_encrypted",
    "virNetworkListAllPorts": "NetworkDriver::network_port_list_all",
    "virNetworkPortLookupByUUID": "NetworkDriver::network_port_lookup_by_uuid",
    "virNetworkPortLookupByUUIDString": "NetworkDriver::network_port_lookup_by_uuid",
    "virNetworkPortCreateXML": "NetworkDriver::network_port_create_xml",
    "virNetworkPortGetXMLDesc": "NetworkDriver::network_port_xml_desc",
    "virNetworkPortGetParameters": "NetworkDriver::network_port_parameters",
    "virNetworkPortSetParameters": "NetworkDriver::network_port_set_parameters",
    "virNetworkPortDelete": "NetworkDriver::network_port_delete",
    "virNetworkGetDHCPLeases": "NetworkDriver::network_dhcp_leases",
}
# virNetworkPortCreateXML checks its XML before the read-only refusal.
ARGS_BEFORE_READ_ONLY["virNetworkPortCreateXML"] = ("xmldesc",)
# virNetworkGetDHCPLeases sets the caller's pointer to NULL before any check.
CLEARED_FIRST["virNetworkGetDHCPLeases"] = "leases"
# A port's parameters as the caller gives them (handed on unchecked, as the reference's).
RPORTS_ARRAY_INPUTS = {"virNetworkPortSetParameters": "params"}
# Refused on a read-only connection once the port is known good (no probe has a live port).
RPORTS_READ_ONLY = {"virNetworkPortSetParameters": 19, "virNetworkPortDelete": 19}

DRIVER_ENTRIES = {**CONNECT_ENTRIES, **NODE_ENTRIES, **DOMAIN_EVENT_ENTRIES, **DOMAIN_ENTRIES, **DOMAIN_PARAMS_ENTRIES, **NETWORK_ENTRIES, **INTERFACE_ENTRIES, **STORAGE_ENTRIES, **NODE_DEVICE_ENTRIES, **SNAPSHOT_ENTRIES, **CHECKPOINT_ENTRIES, **SECRET_ENTRIES, **NWFILTER_ENTRIES, **STREAM_ENTRIES, **DOMAIN_STATS_ENTRIES, **TESTGAPS_ENTRIES, **TD15_ENTRIES, **GUEST17_ENTRIES, **HOTPLUG_ENTRIES, **REMOTE_IO_ENTRIES, **GUEST_EVENTS_ENTRIES, **REMOTE18_ENTRIES, **FWD_ENTRIES, **DOMCAPS_ENTRIES, **BLOCKJOBS_ENTRIES, **RNODE_ENTRIES, **RPORTS_ENTRIES, **RSIMPLE_ENTRIES}


# The family accessor of a driver (src/driver/mod.rs's Driver) for each family trait.
FAMILY_ACCESSORS = {
    "ConnectDriver": "connect", "DomainDriver": "domain", "NodeDriver": "node",
    "DomainEventDriver": "domain_event", "NetworkDriver": "network",
    "NetworkEventDriver": "network_event", "InterfaceDriver": "interface",
    "StorageDriver": "storage", "NodeDeviceDriver": "node_device", "SecretDriver": "secret",
    "NwFilterDriver": "nwfilter", "StreamDriver": "stream", "DomainSnapshotDriver": "snapshot",
    "DomainCheckpointDriver": "checkpoint",
}

# Object handles (src/ffi/objects.rs): the C handle type and the Rust type it names.
OBJECT_KINDS = {
    "virNetworkPtr": "NetworkRef", "virInterfacePtr": "InterfaceRef",
    "virStoragePoolPtr": "StoragePoolRef", "virStorageVolPtr": "StorageVolRef",
    "virNodeDevicePtr": "NodeDeviceRef", "virSecretPtr": "SecretRef", "virNWFilterPtr": "NwFilterRef",
    "virDomainSnapshotPtr": "SnapshotRef", "virDomainCheckpointPtr": "CheckpointRef",
}
OBJECT_KINDS["virNWFilterBindingPtr"] = "NwFilterBindingRef"
# The kinds that belong to a domain: their driver methods take the domain first.
DOMAIN_CHILD_KINDS = {"SnapshotRef", "CheckpointRef"}

# What C reads back from an object handle without asking a driver (src/ffi/objects.rs accessors):
# public function -> accessor. The kind comes from the first argument.
HANDLE_ACCESSORS = {}
for _kind, _names in {
    "Network": ["GetName", "GetUUID", "GetUUIDString", "GetConnect", "Ref", "Free"],
    "Interface": ["GetName", "GetMACString", "GetConnect", "Ref", "Free"],
    "StoragePool": ["GetName", "GetUUID", "GetUUIDString", "GetConnect", "Ref", "Free"],
    "StorageVol": ["GetName", "GetKey", "GetConnect", "Ref", "Free"],
    "NodeDevice": ["GetName", "Ref", "Free"],
    "Secret": ["GetUUID", "GetUUIDString", "GetUsageType", "GetUsageID", "GetConnect", "Ref", "Free"],
    "NWFilter": ["GetName", "GetUUID", "GetUUIDString", "Ref", "Free"],
    "DomainSnapshot": ["GetName", "GetDomain", "GetConnect", "Ref", "Free"],
    "DomainCheckpoint": ["GetName", "GetDomain", "GetConnect", "Ref", "Free"],
}.items():
    for _n in _names:
        _acc = {"GetName": "name", "GetUUID": "uuid", "GetUUIDString": "uuid_string",
                "GetConnect": "connect", "Ref": "add_ref", "Free": "free", "GetMACString": "extra",
                "GetKey": "extra", "GetUsageType": "usage_type", "GetUsageID": "name",
                "GetDomain": "domain"}[_n]
        HANDLE_ACCESSORS[f"vir{_kind}{_n}"] = _acc
# A filter binding's port device is its name, its filter's name the second string it keeps.
HANDLE_ACCESSORS.update({"virNWFilterBindingGetPortDev": "name", "virNWFilterBindingGetFilterName": "extra",
                         "virNWFilterBindingRef": "add_ref", "virNWFilterBindingFree": "free"})
# A network port is a handle of its own that belongs to a network handle.
OBJECT_KINDS["virNetworkPortPtr"] = "NetworkPortRef"
NETWORK_CHILD_KINDS = {"NetworkPortRef"}
HANDLE_ACCESSORS.update({"virNetworkPortGetUUID": "uuid", "virNetworkPortGetUUIDString": "uuid_string",
                         "virNetworkPortGetNetwork": "network", "virNetworkPortRef": "add_ref",
                         "virNetworkPortFree": "free"})

# Calls the reference refuses on a read-only connection (VIR_ERR_OPERATION_DENIED before any
# argument check), from its own answers (gen/nullprobe.py --read-only).
def load_read_only_probe():
    """name -> the error domain of the reference's refusal on a read-only connection."""
    out = {}
    for line in open(os.path.join(REF, "nullprobe-readonly-libvirt-9.0.txt")):
        m = re.match(r"^(\S+) ret=\S+ code=29 domain=(\d+) ", line)  # VIR_ERR_OPERATION_DENIED
        if m:
            out[m.group(1)] = int(m.group(2))
    out.update(STORAGE_READ_ONLY)
    return out


def family_methods():
    """Every `Trait::method` the family traits of src/driver/family/ declare."""
    found = set()
    d = os.path.join(TOP, "src", "driver", "family")
    for fname in sorted(os.listdir(d)):
        if not fname.endswith(".rs"):
            continue
        trait = None
        for line in open(os.path.join(d, fname)):
            m = re.match(r"pub trait (\w+)", line)
            if m:
                trait = m.group(1)
            m = re.match(r"    fn (\w+)", line)
            if m and trait:
                found.add(f"{trait}::{m.group(1)}")
            if line.startswith("}"):
                trait = None
    return found


def check_driver_entries(impl):
    """Each row of DRIVER_ENTRIES names an implemented function and a method of a family trait."""
    methods = family_methods()
    bad = [f"{f}: {e} is no method of a family trait" for f, e in DRIVER_ENTRIES.items() if e not in methods]
    if bad:
        print("DRIVER_ENTRIES:\n  " + "\n  ".join(bad), file=sys.stderr)
        sys.exit(1)


def implemented_functions():
    found = {}
    d = os.path.join(TOP, "src", "ffi")
    pat = re.compile(r"pub\(crate\) (?:unsafe )?fn (vir\w+)\(")
    for fname in sorted(os.listdir(d)):
        if not fname.endswith(".rs"):
            continue
        for m in pat.finditer(open(os.path.join(d, fname)).read()):
            found[m.group(1)] = fname[:-3]
    return found


def enum_values(api):
    """Resolve every enum constant to an integer (some refer to others by name)."""
    raw = {e.get("name"): e.get("value") for e in api.enums}
    vals = {}

    def resolve(name):
        if name in vals:
            return vals[name]
        v = raw[name].strip()
        try:
            n = int(v, 0)
        except ValueError:
            n = resolve(v)
        vals[name] = n
        return n

    for n in raw:
        resolve(n)
    return vals


HEADER_RS = """// @generated by gen/generate.py from libvirt-api.xml (libvirt 9.0). Do not edit.
"""


def enum_sentinels(api, values):
    """The *_LAST sentinels libvirt declares only under VIR_ENUM_SENTINELS: a _LAST name whose
    value is the enum's highest. (Not every _LAST name is one: VIR_NETWORK_UPDATE_COMMAND_ADD_LAST
    = 3 is an ordinary command, below VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST = 4.)"""
    groups = {}
    for e in api.enums:
        groups.setdefault(e.get("type"), []).append(e.get("name"))
    return {n for names in groups.values() for n in names
            if n.endswith("_LAST") and all(values[n] >= values[o] for o in names)}


def gen_types(api, values):
    enum_types = {}
    for e in api.enums:
        enum_types.setdefault(e.get("type"), []).append(e.get("name"))
    typedef_names = {t.get("name") for t in api.typedefs}
    lines = [HEADER_RS,
             "#![allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code)]",
             "#![allow(clippy::all, unused_parens)]",
             "use std::os::raw::*;", ""]
    # Numeric macros (array sizes and friends) become constants so structs can name them.
    for m in sorted(api.macros, key=lambda m: m.get("name")):
        if m.get("params") is None and m.get("raw") and re.fullmatch(r"[\d\s+()]+", m.get("raw")):
            lines.append(f"pub const {m.get('name')}: usize = {m.get('raw').strip()};")
    lines.append("")
    # Enum typedefs: C gives an enum with no negative value the type unsigned int.
    for td in sorted(api.typedefs, key=lambda t: t.get("name")):
        name = td.get("name")
        if td.get("type") == "enum":
            members = enum_types.get(name, [])
            signed = any(values[m] < 0 for m in members)
            lines.append(f"pub type {name} = {'c_int' if signed else 'c_uint'};")
    lines.append("")
    sentinels = enum_sentinels(api, values)
    for tname in sorted(enum_types):
        rty = tname if tname in typedef_names else "c_int"
        for m in sorted(enum_types[tname], key=lambda n: (values[n], n)):
            cfg = '#[cfg(feature = "enum-sentinels")] ' if m in sentinels else ""
            lines.append(f"{cfg}pub const {m}: {rty} = {values[m]};")
    lines.append("")
    # Structs: opaque handles and C structs, each under its libvirt tag name (struct _virX).
    emitted_tags = set()
    for s in sorted(api.structs, key=lambda s: s.get("name")):
        tag = s.get("type").split()[-1]
        name = s.get("name")
        fields = s.findall("field")
        if tag not in emitted_tags:
            emitted_tags.add(tag)
            if not fields:
                # Not repr(C): cbindgen declares it opaque, as libvirt's headers do.
                lines.append(f"pub struct {tag} {{\n    _opaque: [u8; 0],\n}}")
            else:
                body = []
                for f in fields:
                    fname = f.get("name")
                    ftype = f.get("type")
                    if ftype == "union":
                        uname = f"{tag}Value"
                        ufields = [f"    pub {rust_ident(u.get('name'))}: {rust_type(u.get('type'))},"
                                   for u in f.find("union").findall("field")]
                        lines.append("#[repr(C)]\n#[derive(Copy, Clone)]\npub union " + uname + " {\n"
                                     + "\n".join(ufields) + "\n}")
                        body.append(f"    pub {rust_ident(fname)}: {uname},")
                        continue
                    m = re.fullmatch(r"(.+?)\s+\w+\[(\w+)\]", ftype)
                    if m:
                        body.append(f"    pub {rust_ident(fname)}: [{rust_type(m.group(1))}; {m.group(2)}],")
                    else:
                        body.append(f"    pub {rust_ident(fname)}: {rust_type(ftype)},")
                # libvirt marks the fields it documents as deprecated (virError's conn, dom,
                # net) VIR_DEPRECATED; cbindgen has no field attributes, but prints the names
                # of `field-names` verbatim, so the attribute rides on the name.
                names = [f.get("name") + (" VIR_DEPRECATED" if "deprecated" in (f.get("info") or "").lower()
                                          else "") for f in fields]
                doc = ""
                if any(" " in n for n in names):
                    doc = f"/// cbindgen:field-names=[{', '.join(names)}]\n"
                lines.append(doc + "#[repr(C)]\n#[derive(Copy, Clone)]\npub struct " + tag + " {\n"
                             + "\n".join(body) + "\n}")
        if name != tag:
            lines.append(f"pub type {name} = {tag};")
    lines.append("")
    for td in sorted(api.typedefs, key=lambda t: t.get("name")):
        if td.get("type") != "enum":
            lines.append(f"pub type {td.get('name')} = {rust_type(td.get('type'))};")
    lines.append("")
    for ft in sorted(api.functypes, key=lambda f: f.get("name")):
        args = ", ".join(f"{rust_ident(n)}: {rust_type(t)}" for n, t in Api.args(ft))
        r = rust_type(Api.ret(ft))
        ret = "" if r == "()" else f" -> {r}"
        lines.append(f"pub type {ft.get('name')} = Option<unsafe extern \"C\" fn({args}){ret}>;")
    return "\n".join(lines) + "\n"


def handle_check(fn, null_probe):
    """The first-argument check libvirt's public layer makes, from the reference's own answer
    (a Handle variant of src/ffi/entry.rs, without the `Handle::`), or None."""
    name = fn.get("name")
    args = Api.args(fn)
    if not args:
        return None
    aname, atype = args[0]
    ident = rust_ident(aname)
    answer = null_probe.get(name)
    if atype == "virConnectPtr" and answer and answer[0] == 6:
        return f"Connect({ident}, {answer[1]})"
    if atype == "virDomainPtr" and answer and answer[0] == 7:
        return f"Domain({ident})"
    if answer and answer[0] == 8 and answer[2] == name:
        # A required argument the public layer NULL-checks first (str2 names it).
        arg = null_probe_arg(name)
        idents = {n: rust_ident(n) for n, _ in args}
        if arg in idents:
            return f"Required({idents[arg]}.is_null(), {answer[1]}, \"{arg}\")"
    if answer and atype.endswith("Ptr") and "%s" in answer[2]:
        fmt = answer[2].replace('"', '\\"')
        live = (f"objects::exists::<{OBJECT_KINDS[atype]}>({ident})" if atype in OBJECT_KINDS
                else "false")
        return f"Foreign({live}, {answer[0]}, {answer[1]}, \"{fmt}\")"
    return None


def load_valid_probe():
    """name -> (domain, argument, message): the public layer's own argument error when the first
    argument is a live connection or domain and every other one is zero/NULL."""
    out = {}
    pat = re.compile(r"^(\S+) ret=\S+ code=8 domain=(\d+) level=\d+ str1=(\S+) str2=(\S+) str3=\(null\) "
                     r"int1=0 int2=0 msg=(.*)$")
    path = os.path.join(REF, "nullprobe-valid-libvirt-9.0.txt")
    for line in open(path):
        m = pat.match(line.rstrip("\n"))
        if m and m.group(1) == m.group(3):
            out[m.group(1)] = (int(m.group(2)), m.group(4), m.group(5))
    return out


def zero_test(ident, ctype, functypes):
    """A Rust expression: is this argument zero/NULL (what the probe passed)?"""
    r = rust_type(ctype)
    if r.startswith("*") or ctype.strip().endswith("Ptr") and ctype.strip() not in functypes:
        return f"{ident}.is_null()"
    if ctype.strip() in functypes:
        return f"{ident}.is_none()"
    if r == "c_double":
        return f"{ident} == 0.0"
    return f"{ident} == 0"


def arg_check(fn, valid_probe, functypes):
    """The second check of a stub: the argument the reference's public layer refuses when zero."""
    found = valid_probe.get(fn.get("name"))
    if not found:
        return None
    domain, arg, message = found
    for n, t in Api.args(fn)[1:]:
        if n == arg:
            test = zero_test(rust_ident(n), t, functypes)
            if message == f"{arg} in {fn.get('name')} must not be NULL":
                # Error::null_arg's own text: the same error as Arg with that message.
                return f"Required({test}, {domain}, \"{arg}\")"
            msg = message.replace("\\", "\\\\").replace('"', '\\"')
            return f"Arg({test}, {domain}, \"{arg}\", \"{msg}\")"
    return None


def dispatch_target(fn):
    """What a call acts on, for the connection its errors are dispatched to (its first argument)."""
    args = Api.args(fn)
    if args and args[0][1] == "virConnectPtr":
        return f"Connect({rust_ident(args[0][0])})"
    if args and args[0][1] == "virDomainPtr":
        return f"Domain({rust_ident(args[0][0])})"
    if args and args[0][1] in OBJECT_KINDS:
        return f"Object(objects::connection_of::<{OBJECT_KINDS[args[0][1]]}>, {rust_ident(args[0][0])} as usize)"
    if args and args[0][1] == "virStreamPtr":
        return f"Object(crate::ffi::stream::connection_of, {rust_ident(args[0][0])} as usize)"
    return "Nothing"


# Outputs followed by the caller's size of them (an element count or a struct size), by function:
# the pair goes to the answer (Reply) with the output.
OUT_WITH_SIZE = {
    "virDomainBlockStats": "stats", "virDomainInterfaceStats": "stats",
}

# Calls the reference refuses on a read-only connection only after its first argument check (so
# the read-only probe, which fails that check, does not see the refusal): name -> error domain.
READ_ONLY_AFTER_ARGS = {"virDomainSendProcessSignal": 20, "virDomainSetLaunchSecurityState": 20}
READ_ONLY_AFTER_ARGS.update(RPORTS_READ_ONLY)

# Pointer arguments that are inputs (an array and the count after it), by function: the glue
# converts the pair (FromC<(pointer, count)>).
ARRAY_INPUTS = {
    "virDomainPinVcpu": "cpumap", "virDomainPinVcpuFlags": "cpumap",
    "virDomainPinEmulator": "cpumap",
    "virDomainSetSchedulerParameters": "params", "virDomainSetSchedulerParametersFlags": "params",
    "virDomainSendKey": "keycodes",
    "virDomainFSFreeze": "mountpoints", "virDomainFSThaw": "mountpoints",
    **DOMAIN_PARAMS_ARRAY_INPUTS, **TD15_ARRAY_INPUTS, **SECRET_ARRAY_INPUTS, **FWD_ARRAY_INPUTS, **RPORTS_ARRAY_INPUTS,
}

IN_TYPES = {"const char *", "int", "unsigned int", "long long", "unsigned long long", "unsigned long",
            "double", "const unsigned char *"}


def answer_inputs(name):
    """The inputs of `name` its answer's checks need too (INPUTS_TO_ANSWER: one name or several)."""
    found = INPUTS_TO_ANSWER.get(name, ())
    return (found,) if isinstance(found, str) else found


def glue_args(fn):
    """The arguments after the receiver, as the glue hands them over: ("in", ident, cname) for an
    input, ("out", expression) for an output (an Out, or an (Out, max) pair for an array the caller
    sizes)."""
    args = Api.args(fn)[1:]
    out, i = [], 0
    while i < len(args):
        n, t = args[i]
        t = re.sub(r"\s*\bconst$", "", re.sub(r"\s+", " ", t.strip()))
        ident = rust_ident(n)
        nxt = args[i + 1] if i + 1 < len(args) else None
        sized = SIZED_BUFFERS.get(fn.get("name"))
        if sized and n == sized[0]:
            out.append(("in", ident, n))
        elif sized and n == sized[1]:
            out.append(("out", f"Out({ident}, \"{n}\")"))
            out.append(("out", rust_ident(sized[0])))
        elif n in COUNTED_ARRAY_INPUTS.get(fn.get("name"), {}):
            count = COUNTED_ARRAY_INPUTS[fn.get("name")][n]
            out.append(("in", f"({ident}, {rust_ident(count)})", n))
        elif n in answer_inputs(fn.get("name")):
            out.append(("in", ident, n))
            out.append(("out", ident))
        elif ARRAY_INPUTS.get(fn.get("name")) == n and nxt:
            # An array the caller fills and its length: one input, converted as a pair.
            out.append(("in", f"({ident}, {rust_ident(nxt[0])})", n))
            i += 1
        elif t in IN_TYPES or t in OBJECT_KINDS or t == "virDomainPtr":
            out.append(("in", ident, n))
        elif PARAMS_INTO.get(fn.get("name")) == n and nxt:
            # The caller's array and its room: the room goes in, the array and count come out.
            out.append(("in", f"({ident}, {rust_ident(nxt[0])})", n))
            out.append(("out", f"Out({ident}, \"{n}\")"))
            out.append(("out", f"Out({rust_ident(nxt[0])}, \"{nxt[0]}\")"))
            i += 1
        elif OUT_WITH_SIZE.get(fn.get("name")) == n and nxt:
            # An array or struct the caller gives and its size: the answer's checks need both.
            out.append(("out", f"Out({ident}, \"{n}\")"))
            out.append(("out", rust_ident(nxt[0])))
            i += 1
        elif nxt and nxt[1].strip() == "int" and (nxt[0].startswith("max") or nxt[0] == "nameslen") \
                and t.endswith("*"):
            out.append(("out", f"Out({ident}, \"{n}\")"))
            out.append(("out", rust_ident(nxt[0])))
            i += 1
        elif t.endswith("*") or t.endswith("Ptr"):
            out.append(("out", f"Out({ident}, \"{n}\")"))
        else:
            sys.exit(f"DRIVER_ENTRIES: {fn.get('name')}: no glue for argument {n} of type {t}; "
                     "implement it by hand in src/ffi/")
        i += 1
    return out


def glue_body(fn, null_probe, read_only, valid_probe, functypes):
    """A generated export body: the receiver's check, the read-only refusal, the public layer's
    argument check, the inputs converted, the family method called, its answer handed to C."""
    name = fn.get("name")
    trait, method = DRIVER_ENTRIES[name].split("::")
    family = FAMILY_ACCESSORS[trait]
    rname, rtype = Api.args(fn)[0]
    recv = rust_ident(rname)
    from_this = FROM_THIS.get(fn.get("file"), 0)
    stmts = []
    if name in CLEARED_FIRST:
        out = rust_ident(CLEARED_FIRST[name])
        stmts.append(f"if !{out}.is_null() {{ {out}.write(std::ptr::null_mut()); }}")
    if rtype == "virConnectPtr":
        answer = null_probe.get(name)
        cfrom = answer[1] if answer and answer[0] == 6 else from_this
        stmts.append(f"let this = cx.connect({recv}, {cfrom})?;")
        driver, first = "this", []
    elif rtype == "virDomainPtr":
        stmts.append(f"let this = cx.domain({recv})?;")
        driver, first = "this.driver()", ["&this.domain"]
    elif rtype in OBJECT_KINDS:
        kind = OBJECT_KINDS[rtype]
        stmts.append(f"let this = cx.object::<{kind}>({recv})?;")
        driver, first = "this.driver()", ["&this.obj"]
        if kind in DOMAIN_CHILD_KINDS:
            stmts.append("let parent = cx.parent_domain(&this)?;")
            first = ["&parent.domain", "&this.obj"]
        if kind in NETWORK_CHILD_KINDS:
            stmts.append("let parent = cx.parent_network(&this)?;")
            first = ["&parent.obj", "&this.obj"]
    else:
        sys.exit(f"DRIVER_ENTRIES: {name}: no glue for a receiver of type {rtype}")
    check = arg_check(fn, valid_probe, functypes)
    early = ARGS_BEFORE_READ_ONLY.get(name, ())
    args_in = {a[2]: a for a in glue_args(fn) if a[0] == "in"}
    for n in early:
        stmts.append(f"let a_{n} = arg(&cx, {args_in[n][1]}, \"{n}\")?;")
    if name in read_only:
        stmts.append(f"cx.writable({read_only[name]})?;")
    if check:
        stmts.append(f"cx.check(Handle::{check})?;")
    if name in READ_ONLY_AFTER_ARGS:
        stmts.append(f"cx.writable({READ_ONLY_AFTER_ARGS[name]})?;")
    ins, outs = [], []
    for a in glue_args(fn):
        if a[0] == "in":
            if a[2] not in early:
                stmts.append(f"let a_{a[2]} = arg(&cx, {a[1]}, \"{a[2]}\")?;")
            ins.append(f"a_{a[2]}")
        else:
            outs.append(a[1])
    outs_expr = "(" + "".join(o + ", " for o in outs).rstrip(" ") + ")" if outs else "()"
    call = f"{driver}.{family}().{method}({', '.join(first + ins)})"
    if "list_all" in method:
        # A listing given no array asks the family's count (the remote driver's need_results 0).
        array = rust_ident(Api.args(fn)[1][0])
        count = f"{driver}.{family}().{method.replace('list_all', 'count_all')}({', '.join(first + ins)})"
        stmts.append(f"if {array}.is_null() {{ answer(&cx, (), || {count}) }} "
                     f"else {{ answer(&cx, {outs_expr}, || {call}) }}")
    else:
        stmts.append(f"answer(&cx, {outs_expr}, || {call})")
    return f"glue!({dispatch_target(fn)}, {name}, {from_this}, |cx| {{ {' '.join(stmts)} }})"


# Entry lines (gen/reference/entry-log-libvirt-9.0.tsv): the message's keys that are not the C
# argument's name in libvirt-api.xml, by function.
ENTRY_LOG_KEYS = {
    "virConnectDomainXMLFromNative": {"format": "nativeFormat", "config": "nativeConfig"},
    "virConnectDomainXMLToNative": {"format": "nativeFormat", "xml": "domainXml"},
    "virConnectFindStoragePoolSources": {"src": "srcSpec"},
    "virConnectGetLibVersion": {"libVir": "libVer"},
    "virGetVersion": {"libVir": "libVer"},
    "virConnectNodeDeviceEventRegisterAny": {"nodeDevice": "dev"},
    "virDomainMigrate3": {"nparms": "nparams"},
    "virDomainMigrateToURI3": {"nparms": "nparams"},
    "virDomainSendProcessSignal": {"pid": "pid_value"},
    "virNWFilterBindingLookupByPortDev": {"name": "portdev"},
    "virNetworkPortLookupByUUID": {"conn": "net"},
}
# The public functions implemented in libvirt.c, whose log source is `libvirt`; the others log
# under `libvirt.<header>` (libvirt-domain.c: `libvirt.domain`), as VIR_LOG_INIT names them.
LIBVIRT_C_FUNCTIONS = {"virInitialize", "virGetVersion", "virConnectOpen", "virConnectOpenReadOnly",
                       "virConnectOpenAuth", "virConnectClose"}


# Old names that call the new function (whose entry line they write, with the same arguments).
ENTRY_LOG_CALLS = {"virDomainCreateLinux": "virDomainCreateXML"}

# The functions that initialize the library (virInitialize) before their entry line.
INIT_FIRST = {"virGetVersion", "virConnectOpen", "virConnectOpenReadOnly", "virConnectOpenAuth"}


def load_entry_log():
    """function -> (line, message, message with NULL arguments) from the reference's entry lines."""
    out = {}
    for line in open(os.path.join(REF, "entry-log-libvirt-9.0.tsv")):
        if line.startswith("#"):
            continue
        name, num, msg, null_msg = (line.rstrip("\n").split("\t") + [""])[:4]
        out[name] = (int(num), msg, null_msg)
    return out


def entry_log_source(fn):
    if fn.get("name") in LIBVIRT_C_FUNCTIONS:
        return "libvirt"
    return "libvirt." + fn.get("file").removeprefix("libvirt-")


def entry_log_value(fn, key, ident, ctype, value, functypes):
    """The format directive and the Rust expression (src/ffi/log_args.rs) that show one argument
    as the reference's message shows it (`value` is what the probe's argument printed as)."""
    t = re.sub(r"\s+", " ", ctype.strip())
    if key == "conn" and ident is None:
        # dev->conn: the connection of the node device handle.
        dev = rust_ident(Api.args(fn)[0][0])
        return "{}", f"log_args::conn_of::<{OBJECT_KINDS[Api.args(fn)[0][1]]}>({dev})"
    if t in functypes:
        return "{}", f"log_args::Addr({ident}.map_or(0, |f| f as usize))"
    if t in ("const char *", "char *") and value not in ("ADDR", "(nil)"):
        null = {"(null)": "(null)", "(default)": "(default)"}.get(value, "<null>")
        return "{}", f"log_args::str_or({ident}, \"{null}\")"
    if t == "const unsigned char *" and value == "(null)":
        return "{}", f"log_args::uuid({ident})"
    if value in ("ADDR", "(nil)") or value.startswith("0x") and (t.endswith("*") or t.endswith("Ptr")):
        return "{}", f"log_args::ptr({ident})"
    if value.startswith("0x"):
        return "{:#x}" if value != "0x0" else "0x{:x}", ident
    if t.endswith("*") and re.fullmatch(r"-?\d+", value):
        # `nparams=%d` of `nparams ? *nparams : -1`: the value the pointer holds.
        return "{}", f"log_args::value_or({ident}.cast_const(), {value})"
    if re.fullmatch(r"-?\d+\.\d+", value):
        return "{:.6}", ident
    if re.fullmatch(r"-?\d+", value):
        return "{}", ident
    sys.exit(f"entry log: {fn.get('name')}: cannot show {key}={value} ({ctype})")


def entry_log(fn, row, functypes):
    """The entry_log! line of an export: its message rebuilt as a format with the C arguments."""
    name = fn.get("name")
    line, msg, null_msg = row
    args = Api.args(fn)
    by_name = dict(args)
    keys = {n: n for n in by_name}
    keys.update(ENTRY_LOG_KEYS.get(name, {}))
    if name.startswith("virNodeDevice") and "conn" not in by_name:
        keys["conn"] = None
    fmt, exprs, pos = [], [], 0
    vm_debug = r"(\w+)=(ADDR|\(nil\)), \(VM: name=[^,]*, uuid=[^)]*\)"
    vm = re.match(vm_debug, msg)
    null_args = re.sub("^" + vm_debug, "", null_msg)
    if vm:
        dom = [n for n, t in args if t.strip() == "virDomainPtr"][0]
        fmt.append("{}")
        exprs.append(f"log_args::dom(\"{vm.group(1)}\", {rust_ident(dom)})")
        pos = vm.end()
    found = [m for m in re.finditer(r"(?:^|(?<=[ ,]))(\w+)( = |=)", msg) if m.start() >= pos and m.group(1) in keys]
    # A key appears once; a later `key=` (inside an XML value) is part of the value.
    seen, marks = set(), []
    for m in found:
        if m.group(1) not in seen:
            seen.add(m.group(1))
            marks.append(m)
    esc = lambda text: text.replace("{", "{{").replace("}", "}}").replace("\\", "\\\\").replace('"', '\\"')
    for i, m in enumerate(marks):
        fmt.append(esc(msg[pos:m.start()]) + m.group(1) + m.group(2))
        end = marks[i + 1].start() if i + 1 < len(marks) else len(msg)
        value = msg[m.end():end]
        sep = re.search(r"(, | )$", value) if i + 1 < len(marks) else None
        if sep:
            value = value[:sep.start()]
        param = keys[m.group(1)]
        ident = rust_ident(param) if param else None
        quote = "'" if len(value) >= 2 and value[0] == value[-1] == "'" else ""
        shown = value[1:-1] if quote else value
        if shown not in ("ADDR", "(nil)"):
            # How NULL prints, where the all-NULL probe shows it.
            null = re.search(r"(?:^|[ ,])" + m.group(1) + r"='?(\(null\)|<null>|\(default\))'?(?:[ ,]|$)",
                             null_args)
            shown = null.group(1) if null else shown
        f, e = entry_log_value(fn, m.group(1), ident, by_name.get(param, ""), shown, functypes)
        fmt.append(quote + f + quote)
        exprs.append(e)
        pos = m.end() + len(value)
    fmt.append(esc(msg[pos:]))
    if not marks and not vm and "ADDR" in msg:
        sys.exit(f"entry log: {name}: no argument found in {msg!r}")
    text = "".join(fmt)
    init = "init, " if name in INIT_FIRST else ""
    return (f"entry_log!({init}\"{entry_log_source(fn)}\", {name}, {line}, \"{text}\""
            + "".join(", " + e for e in exprs) + ");")


def nested_entry_log(fn, entry_lines):
    """virXLookupByUUIDString parses its argument and calls virXLookupByUUID, whose entry line
    follows its own when the receiver is live and the text a UUID."""
    m = re.fullmatch(r"(vir\w+LookupByUUID)String", fn.get("name"))
    if not m or m.group(1) not in entry_lines:
        return None
    (recv, rtype), (text, _) = Api.args(fn)[:2]
    live = (f"crate::ffi::handles::connection({rust_ident(recv)}).is_some()" if rtype == "virConnectPtr"
            else f"objects::exists::<{OBJECT_KINDS[rtype]}>({rust_ident(recv)})")
    line, msg, _ = entry_lines[m.group(1)]
    key = msg.split("=", 1)[0]
    return (f"entry_log!(when {live} && log_args::parsed_uuid({rust_ident(text)}).is_some(), "
            f"\"{entry_log_source(fn)}\", {m.group(1)}, {line}, \"{key}={{}}, uuid={{}}\", "
            f"log_args::ptr({rust_ident(recv)}), log_args::uuid_of(log_args::parsed_uuid({rust_ident(text)})));")


def gen_exports(api, impl, null_probe):
    """Every export as its C signature (a written item, so that cbindgen sees the prototype) around
    one entry!/entry_stub! invocation (src/ffi/entry.rs) that writes the body."""
    valid_probe = load_valid_probe()
    read_only = load_read_only_probe()
    entry_lines = load_entry_log()
    functypes = {f.get("name") for f in api.functypes}
    by_name = {f.get("name"): f for f in api.functions}
    lines = [HEADER_RS,
             "// Three or four lines an export, not rustfmt's layout (src/ffi/mod.rs skips this file):",
             "// the signature on one line, the reference's entry line where it logs one",
             "// (gen/reference/entry-log-libvirt-9.0.tsv), the body, the brace.",
             "// entry_stub! and entry:: serve the stubs of functions not implemented (none today).",
             "#![allow(non_snake_case, unused_variables, unused_imports, clippy::all)]",
             "use super::types::*;",
             "use crate::ffi::entry::{self, entry, entry_stub, glue, Handle};",
             "use crate::ffi::glue::{answer, arg, Out};",
             "use crate::ffi::log_args::{self, entry_log};",
             "use crate::ffi::objects;",
             "use crate::driver::*;",
             "use std::os::raw::*;", ""]
    for fn in sorted(api.functions, key=lambda f: f.get("name")):
        name = fn.get("name")
        args = Api.args(fn)
        params = ", ".join(f"{rust_ident(n)}: {rust_type(t)}" for n, t in args)
        call_args = ", ".join(rust_ident(n) for n, _ in args)
        r = rust_type(Api.ret(fn))
        ret = "" if r == "()" else f" -> {r}"
        resets = (fn.get("file") not in NO_RESET_FILES or name in RESET_ANYWAY) and name not in NO_RESET_FUNCTIONS
        keep = ([] if resets else ["keep_error"]) + [dispatch_target(fn)]
        if name in impl:
            body = f"entry!({', '.join(keep + [f'{impl[name]}::{name}({call_args})'])})"
        elif name in HANDLE_ACCESSORS:
            kind = OBJECT_KINDS[args[0][1]]
            body = (f"entry!(keep_error, {dispatch_target(fn)}, objects::{HANDLE_ACCESSORS[name]}::<{kind}>"
                    f"(\"{name}\", {call_args}))" if not resets else
                    f"entry!({dispatch_target(fn)}, objects::{HANDLE_ACCESSORS[name]}::<{kind}>"
                    f"(\"{name}\", {call_args}))")
        elif name in DRIVER_ENTRIES:
            body = glue_body(fn, null_probe, read_only, valid_probe, functypes)
        else:
            writable = (f"Writable(entry::is_read_only(&entry::On::{dispatch_target(fn)}), {read_only[name]})"
                        if name in read_only else None)
            checks = [c for c in (handle_check(fn, null_probe), writable,
                                  arg_check(fn, valid_probe, functypes)) if c]
            from_this = str(FROM_THIS.get(fn.get("file"), 0))
            body = f"entry_stub!({', '.join(keep + [name, from_this] + checks)})"
        lines.append(f"#[no_mangle] pub unsafe extern \"C\" fn {name}({params}){ret} {{")
        logged = ENTRY_LOG_CALLS.get(name, name)
        if logged in entry_lines:
            lines.append(f"    {entry_log(by_name[logged], entry_lines[logged], functypes)}")
            nested = nested_entry_log(fn, entry_lines)
            if nested:
                lines.append(f"    {nested}")
        lines.append(f"    {body}")
        lines.append("}")
    return "\n".join(lines) + "\n"


def gen_version_script(syms, nodes):
    by_node = {}
    for name, node, _ in syms:
        by_node.setdefault(node, []).append(name)
    out = ["/* @generated by gen/generate.py from libvirt 9.0's symbol list. Do not edit. */"]
    prev = None
    for node in nodes:
        if node.startswith("LIBVIRT_PRIVATE"):
            continue
        names = sorted(by_node.get(node, []))
        out.append(f"{node} {{")
        if names:
            out.append("    global:")
            out += [f"        {n};" for n in names]
        if prev is None:
            out.append("    local:")
            out.append("        *;")
        out.append("}" + (f" {prev};" if prev else ";"))
        out.append("")
        prev = node
    out.append(f"{OXVIRT_NODE} {{")
    out.append("    global:")
    out += [f"        {n};" for n in OXVIRT_SYMBOLS]
    out.append(f"}} {prev};")
    out.append("")
    out.append(f"{OXVIRT_LIBS_NODE} {{")
    out.append("    global:")
    out += [f"        {n};" for n in OXVIRT_LIBS_SYMBOLS]
    out.append(f"}} {OXVIRT_NODE};")
    return "\n".join(out) + "\n"


# The include guards of libvirt 9.0's headers. libvirt.h stands for libvirt-common.h and the
# libvirt-*.h files it includes (which refuse to be included on their own), so it defines their
# guards too: the same macro namespace as the reference, and a stray later #include of one of
# Debian's sub-headers becomes a no-op instead of a redefinition error.
HEADER_GUARDS = {
    "libvirt": "LIBVIRT_H",
    "libvirt-common": "__VIR_VIRCOMMON_H__",
    "libvirt-host": "LIBVIRT_HOST_H",
    "libvirt-domain": "LIBVIRT_DOMAIN_H",
    "libvirt-domain-checkpoint": "LIBVIRT_DOMAIN_CHECKPOINT_H",
    "libvirt-domain-snapshot": "LIBVIRT_DOMAIN_SNAPSHOT_H",
    "libvirt-event": "LIBVIRT_EVENT_H",
    "libvirt-interface": "LIBVIRT_INTERFACE_H",
    "libvirt-network": "LIBVIRT_NETWORK_H",
    "libvirt-nodedev": "LIBVIRT_NODEDEV_H",
    "libvirt-nwfilter": "LIBVIRT_NWFILTER_H",
    "libvirt-secret": "LIBVIRT_SECRET_H",
    "libvirt-storage": "LIBVIRT_STORAGE_H",
    "libvirt-stream": "LIBVIRT_STREAM_H",
    "virterror": "LIBVIRT_VIRTERROR_H",
}

# libvirt-common.h's own macros, which libvirt-api.xml does not list (VIR_DEPRECATED marks
# virError's deprecated fields; VIR_EXPORT_VAR declares virConnectAuthPtrDefault).
COMMON_MACROS = """# ifndef VIR_DEPRECATED
  /* The feature is present in gcc-3.1 and newer.  */
#  if __GNUC__ > 3 || (__GNUC__ == 3 && __GNUC_MINOR__ >= 1)
#   define VIR_DEPRECATED __attribute__((__deprecated__))
#  else
#   define VIR_DEPRECATED /* nothing */
#  endif
# endif /* VIR_DEPRECATED */

# ifdef WIN32
#  ifdef LIBVIRT_STATIC
#   define VIR_EXPORT_VAR extern
#  else
#   ifdef IN_LIBVIRT
#    define VIR_EXPORT_VAR __declspec(dllexport) extern
#   else
#    define VIR_EXPORT_VAR __declspec(dllimport) extern
#   endif
#  endif
# else
#  define VIR_EXPORT_VAR extern
# endif"""

# cbindgen writes the items it finds in the crate; constants are left out (every `pub const`
# anywhere in the crate would otherwise become a #define) and enums are written as C text.
CBINDGEN_ITEM_TYPES = ["globals", "structs", "unions", "typedefs", "opaque", "functions"]


def c_macros(api, in_virterror):
    """Every macro of libvirt-api.xml as libvirt 9.0 defines it (numbers with their raw text)."""
    out = []
    for m in sorted(api.macros, key=lambda m: m.get("name")):
        if (m.get("file") == "virterror") != in_virterror:
            continue
        name = m.get("name")
        if m.get("string") is not None:
            out.append(f'# define {name} "{m.get("string")}"')
            continue
        raw = (m.get("raw") or "").strip() or MACRO_BODIES.get(name)
        params = m.get("params")
        head = f"{name}({', '.join(p.strip() for p in params.split(','))})" if params else name
        out.append(f"# define {head} {raw}")
    return "\n".join(out)


def c_enums(api, values, in_virterror):
    """libvirt's enums as C enum typedefs: real enumerators (not macros), same values and so
    the same types GCC gives libvirt's, *_LAST only under VIR_ENUM_SENTINELS."""
    members = {}
    for e in api.enums:
        members.setdefault(e.get("type"), []).append(e.get("name"))
    sentinels = enum_sentinels(api, values)
    out = []
    for td in sorted(api.typedefs, key=lambda t: t.get("name")):
        if td.get("type") != "enum" or (td.get("file") == "virterror") != in_virterror:
            continue
        names = sorted(members.get(td.get("name"), []), key=lambda n: (values[n], n))
        body = [f"    {n} = {values[n]}," for n in names if n not in sentinels]
        last = [n for n in names if n in sentinels]
        if last:
            body += ["# ifdef VIR_ENUM_SENTINELS"] + [f"    {n} = {values[n]}," for n in last] + ["# endif"]
        out.append("typedef enum {\n" + "\n".join(body) + "\n} " + td.get("name") + ";\n")
    stray = sorted(t for t in members if t not in {td.get("name") for td in api.typedefs})
    if stray:
        sys.exit(f"generate.py: enum constants of types without a typedef: {stray}")
    return "\n".join(out)


def toml_list(names):
    return "[\n" + "".join(f'  "{n}",\n' for n in names) + "]"


def gen_cbindgen(api, values, virterror):
    virterror_items = set()
    other_items = set()
    for coll in (api.functions, api.functypes, api.typedefs, api.variables):
        for x in coll:
            (virterror_items if x.get("file") == "virterror" else other_items).add(x.get("name"))
    for s in api.structs:
        tag = s.get("type").split()[-1]
        dest = virterror_items if s.get("file") == "virterror" else other_items
        dest.add(s.get("name"))
        dest.add(tag)
        for f in s.findall("field"):
            if f.get("type") == "union":
                dest.add(f"{tag}Value")
    for e in api.enums:
        (virterror_items if e.get("file") == "virterror" else other_items).add(e.get("name"))
    for m in api.macros:
        (virterror_items if m.get("file") == "virterror" else other_items).add(m.get("name"))
    other_items -= virterror_items
    mine = [t for t in api.typedefs if (t.get("file") == "virterror") == virterror]
    # Enum typedefs are written by c_enums; cbindgen must not add `typedef unsigned int X;`.
    enum_typedefs = sorted(t.get("name") for t in mine if t.get("type") == "enum")
    typedefs = sorted(t.get("name") for t in mine if t.get("type") != "enum")
    structs = sorted({s.get("name") for s in api.structs if (s.get("file") == "virterror") == virterror}
                     | {s.get("type").split()[-1] for s in api.structs
                        if (s.get("file") == "virterror") == virterror})
    functypes = sorted(f.get("name") for f in api.functypes
                       if (f.get("file") == "virterror") == virterror)
    if virterror:
        fname, guard, includes = "virterror.h", HEADER_GUARDS["virterror"], '["libvirt/libvirt.h"]'
        exclude = sorted(other_items) + enum_typedefs + OXVIRT_HEADER_ITEMS + OXVIRT_LIBS_SYMBOLS
        preamble = ""
    else:
        fname, guard, includes = "libvirt.h", HEADER_GUARDS["libvirt"], '["sys/types.h"]'
        exclude = sorted(virterror_items) + enum_typedefs + OXVIRT_HEADER_ITEMS + OXVIRT_LIBS_SYMBOLS
        sub_guards = [g for f, g in sorted(HEADER_GUARDS.items()) if f not in ("libvirt", "virterror")]
        preamble = ("/* The guards of the libvirt-*.h files libvirt 9.0's libvirt.h includes. */\n"
                    + "".join(f"# define {g}\n" for g in sub_guards) + "\n" + COMMON_MACROS + "\n\n")
    # The guard is written by hand (header/trailer) rather than by cbindgen, so that the whole
    # header sits in one extern "C" block, as libvirt's, with C89-clean comments.
    header = (f"/* oxvirt: libvirt 9.0 compatible {fname}, generated by cbindgen from the crate and\n"
              f" * gen/generate.py (libvirt-api.xml). Do not edit. */\n\n"
              f"#ifndef {guard}\n# define {guard}\n\n"
              "/* Installed libvirt headers are system headers: their macro expansions (the event callback\n"
              " * casts) draw no warnings in client code. Ours say so wherever they are included from. */\n"
              "# if defined(__GNUC__)\n#  pragma GCC system_header\n# endif")
    after = ("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n" + preamble
             + "/* libvirt 9.0's macros, from libvirt-api.xml */\n" + c_macros(api, virterror)
             + "\n\n/* libvirt 9.0's enums, from libvirt-api.xml */\n" + c_enums(api, values, virterror))
    trailer = f"#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */"
    return f"""# @generated by gen/generate.py. Do not edit: change the generator.
# cbindgen writes include/libvirt/{fname} from the crate.
language = "C"
header = '''
{header}'''
no_includes = true
sys_includes = {includes}
cpp_compat = false
usize_is_size_t = true
documentation = false
style = "tag"
sort_by = "Name"
after_includes = '''
{after}'''
trailer = '''
{trailer}'''

[defines]
"feature = enum-sentinels" = "VIR_ENUM_SENTINELS"

[export]
item_types = {toml_list(CBINDGEN_ITEM_TYPES)}
include = {toml_list(typedefs + structs + functypes)}
exclude = {toml_list(exclude)}

[enum]
rename_variants = "None"

[const]
allow_static_const = false
allow_constexpr = false
"""


def gen_error_codes(api, values):
    """The error enums again as i32, for the Rust error model (same values, one source)."""
    lines = [HEADER_RS, "//! libvirt 9.0's error codes, domains and levels as `i32`.", "#![allow(dead_code)]", ""]
    for ty in ("virErrorNumber", "virErrorDomain", "virErrorLevel"):
        sentinels = enum_sentinels(api, values)
        for e in sorted((e for e in api.enums if e.get("type") == ty and e.get("name") not in sentinels),
                        key=lambda e: (values[e.get("name")], e.get("name"))):
            lines.append(f"pub(crate) const {e.get('name')}: i32 = {values[e.get('name')]};")
        lines.append("")
    return "\n".join(lines)


def gen_cbindgen_qemu_process(api):
    """qemu_process.h: only our kill-engine entry points; everything of libvirt's is excluded."""
    libvirt_items = set()
    for coll in (api.functions, api.functypes, api.typedefs, api.variables, api.enums, api.macros):
        libvirt_items.update(x.get("name") for x in coll)
    for st in api.structs:
        libvirt_items.add(st.get("name"))
        libvirt_items.add(st.get("type").split()[-1])
        for f in st.findall("field"):
            if f.get("type") == "union":
                libvirt_items.add(st.get("type").split()[-1] + "Value")
    return f"""# @generated by gen/generate.py. Do not edit: change the generator.
# cbindgen writes include/libvirt/qemu_process.h: the kill engine's C entry points (OXVIRT_0.1.0).
language = "C"
header = "/* oxvirt: qemuProcessKill and the domain object API for C harnesses, generated by cbindgen. Do not edit. */"
include_guard = "OXVIRT_QEMU_PROCESS_H"
no_includes = true
sys_includes = ["libvirt/libvirt.h"]
cpp_compat = true
documentation = true
style = "both"
sort_by = "None"

[export]
include = {toml_list(OXVIRT_HEADER_ITEMS)}
exclude = {toml_list(sorted(libvirt_items) + OXVIRT_LIBS_SYMBOLS)}

[const]
allow_static_const = false
allow_constexpr = false
"""


def gen_readme_table(api, impl):
    """Every function that is not a stub: written by hand in src/ffi/, generated from its family
    table row (glue), or read from the handle (HANDLE_ACCESSORS)."""
    fns = sorted(f.get("name") for f in api.functions)
    def where(f):
        if f in impl:
            return f"`src/ffi/{impl[f]}.rs`"
        if f in HANDLE_ACCESSORS:
            return f"generated: `objects::{HANDLE_ACCESSORS[f]}`"
        if f in DRIVER_ENTRIES:
            return "generated glue"
        return None
    done = [f for f in fns if where(f)]
    others = ("" if len(done) == len(fns) else "; every other one answers `VIR_ERR_NO_SUPPORT` "
              "as a driver without the feature does")
    lines = [f"{len(done)} of {len(fns)} functions are implemented{others}.", "",
             "| implemented function | export | driver entry |", "|---|---|---|"]
    entry = lambda f: f"`{DRIVER_ENTRIES[f]}`" if f in DRIVER_ENTRIES else ""
    lines += [f"| `{f}` | {where(f)} | {entry(f)} |" for f in done]
    return "\n".join(lines)


# libvirt enums that are sets of bits although their names do not say Flags.
FLAG_SETS = {"virEventHandleType", "virStreamEventType", "virDomainStatsTypes", "virDomainGuestInfoTypes",
             "virDomainModificationImpact"}
# Enums with a Rust home of their own (src/error/codes.rs).
NOT_API_TYPES = {"virErrorNumber", "virErrorDomain", "virErrorLevel"}


def api_type_name(cname):
    """virDomainDestroyFlagsValues -> DomainDestroyFlags, virDomainRebootFlagValues ->
    DomainRebootFlags, virDomainState -> DomainState."""
    name = cname[len("vir"):] if cname.startswith("vir") else cname
    name = re.sub(r"Flags?Values$", "Flags", name)
    return re.sub(r"Values$", "", name)


def member_names(names):
    """The members' names without the words they all start with (at least one word kept, and
    never a name that starts with a digit): VIR_DOMAIN_DESTROY_GRACEFUL -> GRACEFUL."""
    words = [n.split("_") for n in names]
    keep = min(len(w) for w in words) - 1
    i = 0
    while i < keep and all(w[i] == words[0][i] for w in words):
        i += 1
    while i > 0 and any(w[i][0].isdigit() for w in words):
        i -= 1
    return {n: "_".join(w[i:]) for n, w in zip(names, words)}


def camel(upper):
    return "".join(w[:1] + w[1:].lower() for w in upper.split("_"))


def flag_value(v):
    return f"1 << {v.bit_length() - 1}" if v and v & (v - 1) == 0 else str(v)


def gen_api_types(api, values):
    """libvirt's flags as bitflags types and its other enums (states, reasons, event kinds, ...)
    as Rust enums (api_enum!, src/api/mod.rs: TryFrom<i32>, Into<i32>), for drivers and the FFI
    layer alike (src/api/generated.rs)."""
    groups = {}
    for e in api.enums:
        groups.setdefault(e.get("type"), []).append(e.get("name"))
    sentinels = enum_sentinels(api, values)
    lines = [HEADER_RS,
             "//! libvirt 9.0's flags (bitflags types) and enums (states, reasons, event kinds, ...) as Rust",
             "//! types: `VIR_DOMAIN_DESTROY_GRACEFUL` is `DomainDestroyFlags::GRACEFUL`, `VIR_DOMAIN_RUNNING`",
             "//! is `DomainState::Running`. An enum's `*_LAST` sentinel (libvirt's VIR_ENUM_SENTINELS) is",
             "//! its `LAST` constant.",
             "#![allow(clippy::all)]", ""]
    seen = set()
    for cname in sorted(groups):
        if cname in NOT_API_TYPES:
            continue
        rname = api_type_name(cname)
        if rname in seen:
            sys.exit(f"generate.py: two libvirt enums map to the Rust type {rname}")
        seen.add(rname)
        real = sorted((n for n in groups[cname] if n not in sentinels), key=lambda n: (values[n], n))
        last = [n for n in groups[cname] if n in sentinels]
        short = member_names(groups[cname])
        if "Flag" in cname or cname in FLAG_SETS:
            if last or any(not 0 <= values[n] < 1 << 32 for n in real):
                sys.exit(f"generate.py: {cname} is not a set of 32-bit flags")
            lines += ["bitflags::bitflags! {", f"    /// `{cname}`.",
                      "    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]",
                      f"    pub struct {rname}: u32 {{"]
            lines += [f"        const {short[n]} = {flag_value(values[n])};" for n in real]
            lines += ["    }", "}", ""]
            continue
        variants = {n: values[n] for n in real}
        if len(set(variants.values())) != len(variants):
            sys.exit(f"generate.py: {cname}: two members with one value")
        if len({camel(short[n]) for n in variants}) != len(variants):
            sys.exit(f"generate.py: {cname}: two members with one Rust name")
        # The sentinel rides inside the macro: cbindgen would write an associated constant into
        # qemu_process.h, which takes every constant of the crate it sees.
        lines += ["api_enum! {", f"    /// `{cname}`.", f"    {rname} {{"]
        lines += [f"        {camel(short[n])} = {v}," for n, v in variants.items()]
        lines += ["    }" + (f" LAST = {values[last[0]]}" if last else ""), "}", ""]
    return "\n".join(lines)


def gen_python_constants(api, values):
    lines = ['"""@generated by gen/generate.py from libvirt-api.xml (libvirt 9.0). Do not edit."""', ""]
    sentinels = enum_sentinels(api, values)
    for e in sorted(api.enums, key=lambda e: e.get("name")):
        if e.get("name") not in sentinels:
            lines.append(f"{e.get('name')} = {values[e.get('name')]}")
    return "\n".join(lines) + "\n"


def rustfmt(text):
    """Generated Rust is kept in rustfmt's form so `cargo fmt --check` holds for the whole tree."""
    res = subprocess.run(["rustfmt", "--edition", "2021", "--emit", "stdout"], input=text,
                         capture_output=True, text=True, check=True)
    return res.stdout


# Generated Rust kept in the generator's own compact layout (its module is #[rustfmt::skip]).
UNFORMATTED = {"src/ffi/generated/exports.rs", keycodes.OUTPUT}

README_BEGIN = "<!-- BEGIN generated function table -->"
README_END = "<!-- END generated function table -->"


def splice_readme(text, table):
    if README_BEGIN not in text:
        return text
    a = text.index(README_BEGIN) + len(README_BEGIN)
    b = text.index(README_END)
    return text[:a] + "\n" + table + "\n" + text[b:]


def main():
    check = "--check" in sys.argv
    api = Api()
    values = enum_values(api)
    syms, nodes = load_symbols()
    null_probe = load_null_probe()
    impl = implemented_functions()
    check_driver_entries(impl)
    outputs = {
        "src/ffi/generated/types.rs": gen_types(api, values),
        "src/ffi/generated/exports.rs": gen_exports(api, impl, null_probe),
        "src/error/codes.rs": gen_error_codes(api, values),
        "src/api/generated.rs": gen_api_types(api, values),
        "link/libvirt.map": gen_version_script(syms, nodes),
        "cbindgen.toml": gen_cbindgen(api, values, False),
        "cbindgen-virterror.toml": gen_cbindgen(api, values, True),
        "cbindgen-qemu-process.toml": gen_cbindgen_qemu_process(api),
        "python/oxvirt/_constants.py": gen_python_constants(api, values),
        keycodes.OUTPUT: keycodes.gen_keycode_maps(),
    }
    readme = os.path.join(TOP, "README.md")
    if os.path.exists(readme):
        outputs["README.md"] = splice_readme(open(readme).read(), gen_readme_table(api, impl))
    for rel in list(outputs):
        if rel.endswith(".rs") and rel not in UNFORMATTED:
            outputs[rel] = rustfmt(outputs[rel])
    stale = []
    for rel, text in outputs.items():
        path = os.path.join(TOP, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if check:
            stale.append(rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {rel}")
    if stale:
        print("stale generated files (run `make generate`): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
