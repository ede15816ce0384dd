//! Error message formats and error-domain names, transcribed from libvirt 9.0
//! (`src/util/virerror.c`: `virErrorMsg()` and the `virErrorDomain` enum string table
//! used by `virDefaultErrorFunc`).
//!
//! These strings are user-visible compatibility data: they must match the real
//! libvirt 9.0 (C locale) byte for byte. Codes/domains added after 9.0 are
//! deliberately absent.

/// `(without_info, with_info)` format pairs, indexed by `virErrorNumber`.
/// Index 0 (`VIR_ERR_OK`) has no message. The `with_info` variant contains
/// exactly one `%s`; the `without_info` variant contains no conversion.
static ERROR_MESSAGES: [Option<(&str, &str)>; 111] = [
    // 0: VIR_ERR_OK
    None,
    // 1: VIR_ERR_INTERNAL_ERROR
    Some(("internal error", "internal error: %s")),
    // 2: VIR_ERR_NO_MEMORY
    Some(("out of memory", "out of memory: %s")),
    // 3: VIR_ERR_NO_SUPPORT
    Some((
        "this function is not supported by the connection driver",
        "this function is not supported by the connection driver: %s",
    )),
    // 4: VIR_ERR_UNKNOWN_HOST
    Some(("unknown host", "unknown host %s")),
    // 5: VIR_ERR_NO_CONNECT
    Some((
        "no connection driver available",
        "no connection driver available for %s",
    )),
    // 6: VIR_ERR_INVALID_CONN
    Some((
        "invalid connection pointer in",
        "invalid connection pointer in %s",
    )),
    // 7: VIR_ERR_INVALID_DOMAIN
    Some(("invalid domain pointer in", "invalid domain pointer in %s")),
    // 8: VIR_ERR_INVALID_ARG
    Some(("invalid argument", "invalid argument: %s")),
    // 9: VIR_ERR_OPERATION_FAILED
    Some(("operation failed", "operation failed: %s")),
    // 10: VIR_ERR_GET_FAILED
    Some(("GET operation failed", "GET operation failed: %s")),
    // 11: VIR_ERR_POST_FAILED
    Some(("POST operation failed", "POST operation failed: %s")),
    // 12: VIR_ERR_HTTP_ERROR
    Some((
        "got unknown HTTP error code",
        "got unknown HTTP error code %s",
    )),
    // 13: VIR_ERR_SEXPR_SERIAL
    Some((
        "failed to serialize S-Expr",
        "failed to serialize S-Expr: %s",
    )),
    // 14: VIR_ERR_NO_XEN
    Some((
        "could not use Xen hypervisor entry",
        "could not use Xen hypervisor entry %s",
    )),
    // 15: VIR_ERR_XEN_CALL
    Some(("failed Xen syscall", "failed Xen syscall %s")),
    // 16: VIR_ERR_OS_TYPE
    Some(("unknown OS type", "unknown OS type %s")),
    // 17: VIR_ERR_NO_KERNEL
    Some((
        "missing kernel information",
        "missing kernel information: %s",
    )),
    // 18: VIR_ERR_NO_ROOT
    Some((
        "missing root device information",
        "missing root device information in %s",
    )),
    // 19: VIR_ERR_NO_SOURCE
    Some((
        "missing source information for device",
        "missing source information for device %s",
    )),
    // 20: VIR_ERR_NO_TARGET
    Some((
        "missing target information for device",
        "missing target information for device %s",
    )),
    // 21: VIR_ERR_NO_NAME
    Some(("missing name information", "missing name information in %s")),
    // 22: VIR_ERR_NO_OS
    Some((
        "missing operating system information",
        "missing operating system information for %s",
    )),
    // 23: VIR_ERR_NO_DEVICE
    Some((
        "missing devices information",
        "missing devices information for %s",
    )),
    // 24: VIR_ERR_NO_XENSTORE
    Some((
        "could not connect to Xen Store",
        "could not connect to Xen Store %s",
    )),
    // 25: VIR_ERR_DRIVER_FULL
    Some((
        "too many drivers registered",
        "too many drivers registered in %s",
    )),
    // 26: VIR_ERR_CALL_FAILED
    Some(("library call failed", "library call failed: %s")),
    // 27: VIR_ERR_XML_ERROR
    Some((
        "XML description is invalid or not well formed",
        "XML error: %s",
    )),
    // 28: VIR_ERR_DOM_EXIST
    Some(("this domain exists already", "domain %s exists already")),
    // 29: VIR_ERR_OPERATION_DENIED
    Some((
        "operation forbidden for read only access",
        "operation forbidden: %s",
    )),
    // 30: VIR_ERR_OPEN_FAILED
    Some((
        "failed to open configuration file",
        "failed to open configuration file %s",
    )),
    // 31: VIR_ERR_READ_FAILED
    Some((
        "failed to read configuration file",
        "failed to read configuration file %s",
    )),
    // 32: VIR_ERR_PARSE_FAILED
    Some((
        "failed to parse configuration file",
        "failed to parse configuration file %s",
    )),
    // 33: VIR_ERR_CONF_SYNTAX
    Some((
        "configuration file syntax error",
        "configuration file syntax error: %s",
    )),
    // 34: VIR_ERR_WRITE_FAILED
    Some((
        "failed to write configuration file",
        "failed to write configuration file: %s",
    )),
    // 35: VIR_ERR_XML_DETAIL
    Some(("parser error", "%s")),
    // 36: VIR_ERR_INVALID_NETWORK
    Some((
        "invalid network pointer in",
        "invalid network pointer in %s",
    )),
    // 37: VIR_ERR_NETWORK_EXIST
    Some(("this network exists already", "network %s exists already")),
    // 38: VIR_ERR_SYSTEM_ERROR
    Some(("system call error", "%s")),
    // 39: VIR_ERR_RPC
    Some(("RPC error", "%s")),
    // 40: VIR_ERR_GNUTLS_ERROR
    Some(("GNUTLS call error", "%s")),
    // 41: VIR_WAR_NO_NETWORK
    Some((
        "Failed to find the network",
        "Failed to find the network: %s",
    )),
    // 42: VIR_ERR_NO_DOMAIN
    Some(("Domain not found", "Domain not found: %s")),
    // 43: VIR_ERR_NO_NETWORK
    Some(("Network not found", "Network not found: %s")),
    // 44: VIR_ERR_INVALID_MAC
    Some(("invalid MAC address", "invalid MAC address: %s")),
    // 45: VIR_ERR_AUTH_FAILED
    Some(("authentication failed", "authentication failed: %s")),
    // 46: VIR_ERR_INVALID_STORAGE_POOL
    Some((
        "invalid storage pool pointer in",
        "invalid storage pool pointer in %s",
    )),
    // 47: VIR_ERR_INVALID_STORAGE_VOL
    Some((
        "invalid storage volume pointer in",
        "invalid storage volume pointer in %s",
    )),
    // 48: VIR_WAR_NO_STORAGE
    Some((
        "Failed to find a storage driver",
        "Failed to find a storage driver: %s",
    )),
    // 49: VIR_ERR_NO_STORAGE_POOL
    Some(("Storage pool not found", "Storage pool not found: %s")),
    // 50: VIR_ERR_NO_STORAGE_VOL
    Some(("Storage volume not found", "Storage volume not found: %s")),
    // 51: VIR_WAR_NO_NODE
    Some((
        "Failed to find a node driver",
        "Failed to find a node driver: %s",
    )),
    // 52: VIR_ERR_INVALID_NODE_DEVICE
    Some((
        "invalid node device pointer",
        "invalid node device pointer in %s",
    )),
    // 53: VIR_ERR_NO_NODE_DEVICE
    Some(("Node device not found", "Node device not found: %s")),
    // 54: VIR_ERR_NO_SECURITY_MODEL
    Some(("Security model not found", "Security model not found: %s")),
    // 55: VIR_ERR_OPERATION_INVALID
    Some((
        "Requested operation is not valid",
        "Requested operation is not valid: %s",
    )),
    // 56: VIR_WAR_NO_INTERFACE
    Some((
        "Failed to find the interface",
        "Failed to find the interface: %s",
    )),
    // 57: VIR_ERR_NO_INTERFACE
    Some(("Interface not found", "Interface not found: %s")),
    // 58: VIR_ERR_INVALID_INTERFACE
    Some((
        "invalid interface pointer in",
        "invalid interface pointer in %s",
    )),
    // 59: VIR_ERR_MULTIPLE_INTERFACES
    Some((
        "multiple matching interfaces found",
        "multiple matching interfaces found: %s",
    )),
    // 60: VIR_WAR_NO_NWFILTER
    Some((
        "Failed to start the nwfilter driver",
        "Failed to start the nwfilter driver: %s",
    )),
    // 61: VIR_ERR_INVALID_NWFILTER
    Some(("Invalid network filter", "Invalid network filter: %s")),
    // 62: VIR_ERR_NO_NWFILTER
    Some(("Network filter not found", "Network filter not found: %s")),
    // 63: VIR_ERR_BUILD_FIREWALL
    Some((
        "Error while building firewall",
        "Error while building firewall: %s",
    )),
    // 64: VIR_WAR_NO_SECRET
    Some((
        "Failed to find a secret storage driver",
        "Failed to find a secret storage driver: %s",
    )),
    // 65: VIR_ERR_INVALID_SECRET
    Some(("Invalid secret", "Invalid secret: %s")),
    // 66: VIR_ERR_NO_SECRET
    Some(("Secret not found", "Secret not found: %s")),
    // 67: VIR_ERR_CONFIG_UNSUPPORTED
    Some(("unsupported configuration", "unsupported configuration: %s")),
    // 68: VIR_ERR_OPERATION_TIMEOUT
    Some((
        "Timed out during operation",
        "Timed out during operation: %s",
    )),
    // 69: VIR_ERR_MIGRATE_PERSIST_FAILED
    Some((
        "Failed to make domain persistent after migration",
        "Failed to make domain persistent after migration: %s",
    )),
    // 70: VIR_ERR_HOOK_SCRIPT_FAILED
    Some((
        "Hook script execution failed",
        "Hook script execution failed: %s",
    )),
    // 71: VIR_ERR_INVALID_DOMAIN_SNAPSHOT
    Some(("Invalid domain snapshot", "Invalid domain snapshot: %s")),
    // 72: VIR_ERR_NO_DOMAIN_SNAPSHOT
    Some(("Domain snapshot not found", "Domain snapshot not found: %s")),
    // 73: VIR_ERR_INVALID_STREAM
    Some(("invalid stream pointer", "invalid stream pointer in %s")),
    // 74: VIR_ERR_ARGUMENT_UNSUPPORTED
    Some(("argument unsupported", "argument unsupported: %s")),
    // 75: VIR_ERR_STORAGE_PROBE_FAILED
    Some(("Storage pool probe failed", "Storage pool probe failed: %s")),
    // 76: VIR_ERR_STORAGE_POOL_BUILT
    Some((
        "Storage pool already built",
        "Storage pool already built: %s",
    )),
    // 77: VIR_ERR_SNAPSHOT_REVERT_RISKY
    Some(("revert requires force", "revert requires force: %s")),
    // 78: VIR_ERR_OPERATION_ABORTED
    Some(("operation aborted", "operation aborted: %s")),
    // 79: VIR_ERR_AUTH_CANCELLED
    Some(("authentication cancelled", "authentication cancelled: %s")),
    // 80: VIR_ERR_NO_DOMAIN_METADATA
    Some(("metadata not found", "metadata not found: %s")),
    // 81: VIR_ERR_MIGRATE_UNSAFE
    Some(("Unsafe migration", "Unsafe migration: %s")),
    // 82: VIR_ERR_OVERFLOW
    Some(("numerical overflow", "numerical overflow: %s")),
    // 83: VIR_ERR_BLOCK_COPY_ACTIVE
    Some(("block copy still active", "block copy still active: %s")),
    // 84: VIR_ERR_OPERATION_UNSUPPORTED
    Some(("Operation not supported", "Operation not supported: %s")),
    // 85: VIR_ERR_SSH
    Some(("SSH transport error", "SSH transport error: %s")),
    // 86: VIR_ERR_AGENT_UNRESPONSIVE
    Some((
        "Guest agent is not responding",
        "Guest agent is not responding: %s",
    )),
    // 87: VIR_ERR_RESOURCE_BUSY
    Some(("resource busy", "resource busy: %s")),
    // 88: VIR_ERR_ACCESS_DENIED
    Some(("access denied", "access denied: %s")),
    // 89: VIR_ERR_DBUS_SERVICE
    Some(("error from service", "error from service: %s")),
    // 90: VIR_ERR_STORAGE_VOL_EXIST
    Some((
        "this storage volume exists already",
        "storage volume %s exists already",
    )),
    // 91: VIR_ERR_CPU_INCOMPATIBLE
    Some((
        "the CPU is incompatible with host CPU",
        "the CPU is incompatible with host CPU: %s",
    )),
    // 92: VIR_ERR_XML_INVALID_SCHEMA
    Some((
        "XML document failed to validate against schema",
        "XML document failed to validate against schema: %s",
    )),
    // 93: VIR_ERR_MIGRATE_FINISH_OK
    Some((
        "migration successfully aborted",
        "migration successfully aborted: %s",
    )),
    // 94: VIR_ERR_AUTH_UNAVAILABLE
    Some((
        "authentication unavailable",
        "authentication unavailable: %s",
    )),
    // 95: VIR_ERR_NO_SERVER
    Some(("Server not found", "Server not found: %s")),
    // 96: VIR_ERR_NO_CLIENT
    Some(("Client not found", "Client not found: %s")),
    // 97: VIR_ERR_AGENT_UNSYNCED
    Some((
        "guest agent replied with wrong id to guest-sync command",
        "guest agent replied with wrong id to guest-sync command: %s",
    )),
    // 98: VIR_ERR_LIBSSH
    Some(("libssh transport error", "libssh transport error: %s")),
    // 99: VIR_ERR_DEVICE_MISSING
    Some(("device not found", "device not found: %s")),
    // 100: VIR_ERR_INVALID_NWFILTER_BINDING
    Some((
        "Invalid network filter binding",
        "Invalid network filter binding: %s",
    )),
    // 101: VIR_ERR_NO_NWFILTER_BINDING
    Some((
        "Network filter binding not found",
        "Network filter binding not found: %s",
    )),
    // 102: VIR_ERR_INVALID_DOMAIN_CHECKPOINT
    Some(("Invalid domain checkpoint", "Invalid domain checkpoint: %s")),
    // 103: VIR_ERR_NO_DOMAIN_CHECKPOINT
    Some((
        "Domain checkpoint not found",
        "Domain checkpoint not found: %s",
    )),
    // 104: VIR_ERR_NO_DOMAIN_BACKUP
    Some((
        "Domain backup job id not found",
        "Domain backup job id not found: %s",
    )),
    // 105: VIR_ERR_INVALID_NETWORK_PORT
    Some((
        "Invalid network port pointer",
        "Invalid network port pointer: %s",
    )),
    // 106: VIR_ERR_NETWORK_PORT_EXIST
    Some((
        "this network port exists already",
        "network port %s exists already",
    )),
    // 107: VIR_ERR_NO_NETWORK_PORT
    Some(("network port not found", "network port not found: %s")),
    // 108: VIR_ERR_NO_HOSTNAME
    Some(("no hostname found", "no hostname found: %s")),
    // 109: VIR_ERR_CHECKPOINT_INCONSISTENT
    Some(("checkpoint inconsistent", "checkpoint inconsistent: %s")),
    // 110: VIR_ERR_MULTIPLE_DOMAINS
    Some((
        "multiple matching domains found",
        "multiple matching domains found: %s",
    )),
];

/// Names shown by libvirt's default error printer, indexed by `virErrorDomain`.
static DOMAIN_NAMES: [&str; 73] = [
    "",                         // 0: VIR_FROM_NONE
    "Xen Driver",               // 1: VIR_FROM_XEN
    "Xen Daemon",               // 2: VIR_FROM_XEND
    "Xen Store",                // 3: VIR_FROM_XENSTORE
    "S-Expression",             // 4: VIR_FROM_SEXPR
    "XML Util",                 // 5: VIR_FROM_XML
    "Domain",                   // 6: VIR_FROM_DOM
    "XML-RPC",                  // 7: VIR_FROM_RPC
    "Proxy Daemon",             // 8: VIR_FROM_PROXY
    "Config File",              // 9: VIR_FROM_CONF
    "QEMU Driver",              // 10: VIR_FROM_QEMU
    "Network",                  // 11: VIR_FROM_NET
    "Test Driver",              // 12: VIR_FROM_TEST
    "Remote Driver",            // 13: VIR_FROM_REMOTE
    "OpenVZ Driver",            // 14: VIR_FROM_OPENVZ
    "Xen XM Driver",            // 15: VIR_FROM_XENXM
    "Linux Statistics",         // 16: VIR_FROM_STATS_LINUX
    "LXC Driver",               // 17: VIR_FROM_LXC
    "Storage Driver",           // 18: VIR_FROM_STORAGE
    "Network Driver",           // 19: VIR_FROM_NETWORK
    "Domain Config",            // 20: VIR_FROM_DOMAIN
    "User Mode Linux Driver",   // 21: VIR_FROM_UML
    "Node Device Driver",       // 22: VIR_FROM_NODEDEV
    "Xen Inotify Driver",       // 23: VIR_FROM_XEN_INOTIFY
    "Security Driver",          // 24: VIR_FROM_SECURITY
    "VirtualBox Driver",        // 25: VIR_FROM_VBOX
    "Network Interface Driver", // 26: VIR_FROM_INTERFACE
    "Open Nebula Driver",       // 27: VIR_FROM_ONE
    "ESX Driver",               // 28: VIR_FROM_ESX
    "Power Hypervisor Driver",  // 29: VIR_FROM_PHYP
    "Secrets Driver",           // 30: VIR_FROM_SECRET
    "CPU Driver",               // 31: VIR_FROM_CPU
    "XenAPI Driver",            // 32: VIR_FROM_XENAPI
    "Network Filter Driver",    // 33: VIR_FROM_NWFILTER
    "Lifecycle Hook",           // 34: VIR_FROM_HOOK
    "Domain Snapshot",          // 35: VIR_FROM_DOMAIN_SNAPSHOT
    "Audit Utils",              // 36: VIR_FROM_AUDIT
    "Sysinfo Utils",            // 37: VIR_FROM_SYSINFO
    "I/O Stream Utils",         // 38: VIR_FROM_STREAMS
    "VMware Driver",            // 39: VIR_FROM_VMWARE
    "Event Loop",               // 40: VIR_FROM_EVENT
    "Xen Light Driver",         // 41: VIR_FROM_LIBXL
    "Lock Driver",              // 42: VIR_FROM_LOCKING
    "Hyper-V Driver",           // 43: VIR_FROM_HYPERV
    "Capabilities Utils",       // 44: VIR_FROM_CAPABILITIES
    "URI Utils",                // 45: VIR_FROM_URI
    "Authentication Utils",     // 46: VIR_FROM_AUTH
    "DBus Utils",               // 47: VIR_FROM_DBUS
    "Parallels Cloud Server",   // 48: VIR_FROM_PARALLELS
    "Device Config",            // 49: VIR_FROM_DEVICE
    "SSH transport layer",      // 50: VIR_FROM_SSH
    "Lock Space",               // 51: VIR_FROM_LOCKSPACE
    "Init control",             // 52: VIR_FROM_INITCTL
    "Identity",                 // 53: VIR_FROM_IDENTITY
    "Cgroup",                   // 54: VIR_FROM_CGROUP
    "Access Manager",           // 55: VIR_FROM_ACCESS
    "Systemd",                  // 56: VIR_FROM_SYSTEMD
    "Bhyve",                    // 57: VIR_FROM_BHYVE
    "Crypto",                   // 58: VIR_FROM_CRYPTO
    "Firewall",                 // 59: VIR_FROM_FIREWALL
    "Polkit",                   // 60: VIR_FROM_POLKIT
    "Thread jobs",              // 61: VIR_FROM_THREAD
    "Admin Interface",          // 62: VIR_FROM_ADMIN
    "Log Manager",              // 63: VIR_FROM_LOGGING
    "Xen XL Config",            // 64: VIR_FROM_XENXL
    "Perf",                     // 65: VIR_FROM_PERF
    "Libssh transport layer",   // 66: VIR_FROM_LIBSSH
    "Resource control",         // 67: VIR_FROM_RESCTRL
    "FirewallD",                // 68: VIR_FROM_FIREWALLD
    "Domain Checkpoint",        // 69: VIR_FROM_DOMAIN_CHECKPOINT
    "TPM",                      // 70: VIR_FROM_TPM
    "BPF",                      // 71: VIR_FROM_BPF
    "Cloud-Hypervisor Driver",  // 72: VIR_FROM_CH
];

/// The format libvirt's virErrorMsg() gives for an error code. `with_info` selects the variant
/// used when the caller supplies extra text (most such formats end in ": %s" or contain "%s");
/// without info libvirt uses the variant with no "%s" (e.g. code 42 VIR_ERR_NO_DOMAIN: "Domain not found"
/// without info, "Domain not found: %s" with info). Unknown codes: return None.
pub(crate) fn message_format(code: i32, with_info: bool) -> Option<&'static str> {
    let index = usize::try_from(code).ok()?;
    let (without_info, with_info_fmt) = (*ERROR_MESSAGES.get(index)?)?;
    Some(if with_info {
        with_info_fmt
    } else {
        without_info
    })
}

/// The name libvirt's default error printer shows for an error domain (virErrorDomainName),
/// e.g. 20 (VIR_FROM_DOMAIN) -> "Domain Config", 12 (VIR_FROM_TEST) -> "Test Driver", 7 (VIR_FROM_RPC) -> "XML-RPC",
/// 0 (VIR_FROM_NONE) -> "". Unknown domains: "".
pub(crate) fn domain_name(domain: i32) -> &'static str {
    usize::try_from(domain)
        .ok()
        .and_then(|index| DOMAIN_NAMES.get(index).copied())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::{domain_name, message_format, DOMAIN_NAMES, ERROR_MESSAGES};

    #[test]
    fn measured_formats_with_info() {
        let cases: &[(i32, &str)] = &[
            (1, "internal error: %s"),
            (
                3,
                "this function is not supported by the connection driver: %s",
            ),
            (6, "invalid connection pointer in %s"),
            (7, "invalid domain pointer in %s"),
            (8, "invalid argument: %s"),
            (27, "XML error: %s"),
            (29, "operation forbidden: %s"),
            (35, "%s"),
            (36, "invalid network pointer in %s"),
            (38, "%s"),
            (42, "Domain not found: %s"),
            (55, "Requested operation is not valid: %s"),
            (65, "Invalid secret: %s"),
            (67, "unsupported configuration: %s"),
            (71, "Invalid domain snapshot: %s"),
            (110, "multiple matching domains found: %s"),
        ];
        for &(code, expected) in cases {
            assert_eq!(message_format(code, true), Some(expected), "code {code}");
        }
    }

    #[test]
    fn measured_formats_without_info() {
        assert_eq!(message_format(1, false), Some("internal error"));
        assert_eq!(message_format(42, false), Some("Domain not found"));
        assert_eq!(message_format(7, false), Some("invalid domain pointer in"));
        assert_eq!(message_format(35, false), Some("parser error"));
        assert_eq!(message_format(38, false), Some("system call error"));
        assert_eq!(
            message_format(27, false),
            Some("XML description is invalid or not well formed")
        );
    }

    #[test]
    fn unknown_codes() {
        assert_eq!(message_format(0, false), None);
        assert_eq!(message_format(0, true), None);
        assert_eq!(message_format(-1, true), None);
        assert_eq!(message_format(111, true), None);
        assert_eq!(message_format(i32::MAX, false), None);
        assert_eq!(message_format(i32::MIN, false), None);
    }

    #[test]
    fn table_shape() {
        // libvirt 9.0: VIR_ERR_NUMBER_LAST == 111, VIR_ERR_DOMAIN_LAST == 73.
        assert_eq!(ERROR_MESSAGES.len(), 111);
        assert_eq!(DOMAIN_NAMES.len(), 73);
        for code in 1..111 {
            let without = message_format(code, false).expect("known code");
            let with = message_format(code, true).expect("known code");
            assert!(!without.contains('%'), "code {code}: {without}");
            assert_eq!(with.matches('%').count(), 1, "code {code}: {with}");
            assert!(with.contains("%s"), "code {code}: {with}");
        }
    }

    #[test]
    fn measured_domain_names() {
        assert_eq!(domain_name(0), "");
        assert_eq!(domain_name(6), "Domain");
        assert_eq!(domain_name(7), "XML-RPC");
        assert_eq!(domain_name(10), "QEMU Driver");
        assert_eq!(domain_name(12), "Test Driver");
        assert_eq!(domain_name(20), "Domain Config");
        assert_eq!(domain_name(39), "VMware Driver");
        assert_eq!(domain_name(72), "Cloud-Hypervisor Driver");
    }

    #[test]
    fn unknown_domains() {
        assert_eq!(domain_name(-1), "");
        assert_eq!(domain_name(73), "");
        assert_eq!(domain_name(i32::MAX), "");
        assert_eq!(domain_name(i32::MIN), "");
    }
}
