//! The debug lines libvirt 9.0's public layer (libvirt.c, log source `libvirt`) writes while it
//! opens a connection: its one-time driver registration, the URI split, and the walk over its
//! connect-driver table ("trying driver 0 (Test) ...", "Matched URI scheme 'test'", "driver 0
//! Test returned SUCCESS"). We choose our driver our own way; these lines say which of the
//! reference's drivers the URI would have reached, in its words and at its line numbers, so that a
//! log read against libvirt's source makes sense.

use crate::uri::Uri;
use std::sync::Once;

/// One entry of the reference's connect-driver table.
struct ConnectDriver {
    name: &'static str,
    /// Refuses URIs that name a server.
    local_only: bool,
    /// The schemes it claims; None: any (the remote driver).
    schemes: Option<&'static [&'static str]>,
    embeddable: bool,
}

/// Debian's libvirt 9.0 registers these, in this order, when it initializes.
static BUILT_IN: [ConnectDriver; 5] = [
    ConnectDriver {
        name: "Test",
        local_only: true,
        schemes: Some(&["test"]),
        embeddable: false,
    },
    ConnectDriver {
        name: "OPENVZ",
        local_only: true,
        schemes: Some(&["openvz"]),
        embeddable: false,
    },
    ConnectDriver {
        name: "VMWARE",
        local_only: true,
        schemes: Some(&["vmwareplayer", "vmwarews", "vmwarefusion"]),
        embeddable: false,
    },
    ConnectDriver {
        name: "ESX",
        local_only: false,
        schemes: Some(&["vpx", "esx", "gsx"]),
        embeddable: false,
    },
    ConnectDriver {
        name: "remote",
        local_only: false,
        schemes: None,
        embeddable: false,
    },
];

/// The in-process qemu driver, registered (as driver 5) when a `qemu:///embed` URI loads it.
static EMBEDDED_QEMU: ConnectDriver = ConnectDriver {
    name: "QEMU",
    local_only: true,
    schemes: Some(&["qemu"]),
    embeddable: true,
};

const SOURCE: &str = "libvirt";
const OPEN: &str = "virConnectOpenInternal";

/// The address a registration line shows for a driver (the reference prints its table entry's).
fn driver_address(index: usize) -> String {
    format!("{:p}", BUILT_IN.as_ptr().wrapping_add(index))
}

fn register(index: usize, name: &str) {
    crate::vir_debug!(
        SOURCE,
        "virRegisterConnectDriver",
        516,
        "driver={} name={name}",
        driver_address(index)
    );
    crate::vir_debug!(
        SOURCE,
        "virRegisterConnectDriver",
        527,
        "registering {name} as driver {index}"
    );
}

/// virGlobalInit's lines, once per process, before the first virConnectOpen*'s entry line.
pub fn global_init() {
    static DONE: Once = Once::new();
    DONE.call_once(|| {
        crate::vir_debug!(SOURCE, "virGlobalInit", 235, "register drivers");
        for (i, d) in BUILT_IN.iter().enumerate() {
            register(i, d.name);
        }
    });
}

/// Where virConnectOpen(NULL)'s URI came from: the environment, libvirt.conf, or the probe
/// (which the reference asks of the drivers that probe; ours is the session qemu driver).
pub fn default_uri(from: DefaultUriSource, uri: &str) {
    match from {
        DefaultUriSource::Environment => crate::vir_debug!(
            SOURCE,
            "virConnectGetDefaultURI",
            838,
            "Using LIBVIRT_DEFAULT_URI '{uri}'"
        ),
        DefaultUriSource::Config => crate::vir_debug!(
            SOURCE,
            "virConnectGetDefaultURI",
            845,
            "Using config file uri '{uri}'"
        ),
        DefaultUriSource::Probe => {
            crate::vir_debug!(SOURCE, OPEN, 925, "Trying to probe for default URI");
            crate::vir_debug!(SOURCE, OPEN, 930, "QEMU driver URI probe returned '{uri}'");
        }
    }
}

/// What gave virConnectOpen(NULL) its URI.
pub enum DefaultUriSource {
    Environment,
    Config,
    Probe,
}

/// The URI as virConnectOpenInternal splits it.
pub fn split(text: &str, uri: &Uri) {
    crate::vir_debug!(
        SOURCE,
        OPEN,
        958,
        "Split \"{text}\" to URI components:\n  scheme {}\n  server {}\n  user {}\n  port {}\n  path {}",
        uri.scheme.as_deref().unwrap_or("<null>"),
        uri.server.as_deref().unwrap_or("<null>"),
        uri.user.as_deref().unwrap_or("<null>"),
        uri.port,
        uri.path.as_deref().unwrap_or("<null>"),
    );
}

/// `qemu:///embed`: the embedded driver is asked for, and loaded (registered, its state
/// initialized) the first time.
pub fn embedded(scheme: &str, first: bool) {
    crate::vir_debug!(
        SOURCE,
        OPEN,
        984,
        "URI path requests {scheme} driver embedded mode"
    );
    if first && scheme == "qemu" {
        register(BUILT_IN.len(), EMBEDDED_QEMU.name);
        for name in ["Remote", "QEMU"] {
            crate::vir_debug!(
                SOURCE,
                "virStateInitialize",
                650,
                "Running global init for {name} state driver"
            );
            crate::vir_debug!(
                SOURCE,
                "virStateInitialize",
                658,
                "State init result 1 (mandatory=1)"
            );
        }
    }
}

/// The reference's walk over its driver table for `uri`, up to the driver that is asked to open
/// it: its index and name (None when none would be).
pub fn scan(uri: &Uri, embed: bool, qemu_loaded: bool) -> Option<(usize, &'static str)> {
    let table = BUILT_IN.iter().chain(qemu_loaded.then_some(&EMBEDDED_QEMU));
    let scheme = uri.scheme.as_deref().unwrap_or("");
    for (i, d) in table.enumerate() {
        crate::vir_debug!(SOURCE, OPEN, 1064, "trying driver {i} ({}) ...", d.name);
        if d.local_only && uri.server.is_some() {
            crate::vir_debug!(
                SOURCE,
                OPEN,
                1068,
                "Server present, skipping local only driver"
            );
            continue;
        }
        match d.schemes {
            Some(_) if embed && !d.embeddable => {
                crate::vir_debug!(
                    SOURCE,
                    OPEN,
                    1081,
                    "Ignoring non-embeddable driver {}",
                    d.name
                );
                continue;
            }
            Some(schemes) => {
                crate::vir_debug!(SOURCE, OPEN, 1086, "Checking for supported URI schemes");
                if !schemes.contains(&scheme) {
                    crate::vir_debug!(SOURCE, OPEN, 1095, "No matching URI scheme");
                    continue;
                }
                crate::vir_debug!(SOURCE, OPEN, 1089, "Matched URI scheme '{scheme}'");
            }
            None if embed => {
                crate::vir_debug!(SOURCE, OPEN, 1100, "Skipping wildcard for embedded URI");
                continue;
            }
            None => {
                crate::vir_debug!(SOURCE, OPEN, 1103, "Matching any URI scheme for '{scheme}'");
            }
        }
        return Some((i, d.name));
    }
    None
}

/// What the chosen driver answered.
pub fn outcome(chosen: Option<(usize, &'static str)>, success: bool) {
    if let Some((i, name)) = chosen {
        let result = if success { "SUCCESS" } else { "ERROR" };
        crate::vir_debug!(SOURCE, OPEN, 1129, "driver {i} {name} returned {result}");
    }
}
