//! Connections: which driver a URI names, read-only mode, and what closes with the connection.

use crate::api::ConnectFlags;
use crate::auth::Prompter;
use crate::client_conf::{self, Conf};
use crate::conn_log::{self, DefaultUriSource};
use crate::driver::{self, Caller, Driver};
use crate::error::{Error, Handler, Result, VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, VIR_FROM_URI};
use crate::uri::Uri;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The one open flag our local drivers accept, as the reference's.
const OPEN_FLAGS: ConnectFlags = ConnectFlags::RO;

pub struct Connection {
    pub id: u64,
    pub uri: String,
    pub read_only: bool,
    pub driver: Arc<dyn Driver>,
    error_handler: Mutex<Option<Handler>>,
}

impl Connection {
    pub fn caller(&self) -> Caller {
        Caller { conn_id: self.id }
    }

    pub fn set_error_handler(&self, h: Option<Handler>) {
        *self.error_handler.lock().unwrap_or_else(|p| p.into_inner()) = h;
    }

    /// The error function set on this connection (virConnSetErrorFunc), if any.
    pub fn error_handler(&self) -> Option<Handler> {
        self.error_handler
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The last reference went away (virConnectClose).
    pub fn close(&self) {
        self.driver.connect().connection_closed(self.caller());
    }
}

/// The URI `virConnectOpen(NULL)` means: LIBVIRT_DEFAULT_URI, else libvirt.conf's `uri_default`,
/// else what the drivers probe (the session qemu driver).
pub fn default_uri(conf: Option<&Conf>) -> Result<String> {
    if let Some(env) = std::env::var("LIBVIRT_DEFAULT_URI")
        .ok()
        .filter(|s| !s.is_empty())
    {
        conn_log::default_uri(DefaultUriSource::Environment, &env);
        return Ok(env);
    }
    if let Some(conf) = conf {
        if let Some(uri) = conf.get_string("uri_default")? {
            conn_log::default_uri(DefaultUriSource::Config, uri);
            return Ok(uri.to_string());
        }
    }
    let probed = "qemu:///session";
    conn_log::default_uri(DefaultUriSource::Probe, probed);
    Ok(probed.to_string())
}

/// The URI text a name given to virConnectOpen* stands for: the default for NULL or "", the
/// Xen shorthands, then libvirt.conf's `uri_aliases` unless the caller said
/// VIR_CONNECT_NO_ALIASES. The file is read (and must be valid) on every open, as the reference
/// does.
fn resolve_name(name: Option<&str>, flags: ConnectFlags) -> Result<String> {
    let conf = client_conf::load_libvirt_conf()?;
    let text = match name {
        Some(n) if n.eq_ignore_ascii_case("xen") || n.eq_ignore_ascii_case("xen://") => {
            "xen:///system".to_string()
        }
        Some(n) => n.to_string(),
        None => default_uri(conf.as_ref())?,
    };
    if flags.contains(ConnectFlags::NO_ALIASES) {
        return Ok(text);
    }
    match conf {
        Some(conf) => Ok(client_conf::resolve_alias(&conf, &text)?.unwrap_or(text)),
        None => Ok(text),
    }
}

/// Open a connection to the driver `name` names. `prompter` is the application's credential
/// callback (virConnectOpenAuth), None for virConnectOpen.
pub fn open(
    name: Option<&str>,
    flags: u32,
    prompter: Option<&dyn Prompter>,
) -> Result<Arc<Connection>> {
    let open_flags = ConnectFlags::from_bits_retain(flags);
    let read_only = open_flags.contains(ConnectFlags::RO);
    let name = name.filter(|n| !n.is_empty());
    let text = resolve_name(name, open_flags)?;
    let uri = Uri::parse(&text).ok_or_else(|| {
        Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_URI,
            format!("Unable to parse URI {text}"),
        )
    })?;
    crate::conn_log::split(&text, &uri);
    let embed = uri.path() == "/embed";
    if embed {
        let scheme = uri.scheme.as_deref().unwrap_or("");
        crate::conn_log::embedded(scheme, !driver::qemu::embedded_opened());
    }
    check_uri(name, &text, &uri)?;
    let chosen = crate::conn_log::scan(&uri, embed, embed || driver::qemu::embedded_opened());
    let driver = open_driver(&uri, flags, read_only, prompter);
    crate::conn_log::outcome(chosen, driver.is_ok());
    let driver = driver?;
    Ok(Arc::new(Connection {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        uri: uri.format(),
        read_only,
        driver,
        error_handler: Mutex::new(None),
    }))
}

/// The driver that serves `uri`, opened.
fn open_driver(
    uri: &Uri,
    flags: u32,
    read_only: bool,
    prompter: Option<&dyn Prompter>,
) -> Result<Arc<dyn Driver>> {
    Ok(match uri.scheme() {
        "test" if uri.server.is_none() => {
            let from = crate::error::VIR_FROM_TEST;
            crate::api::check_flags("testConnectOpen", flags, OPEN_FLAGS, from)?;
            driver::testdriver::open(uri, prompter)?
        }
        "qemu" if uri.server.is_none() && matches!(uri.path(), "/embed" | "/session") => {
            let from = crate::error::VIR_FROM_QEMU;
            crate::api::check_flags("qemuConnectOpen", flags, OPEN_FLAGS, from)?;
            driver::qemu::open(uri)?
        }
        "qemu" if uri.server.is_none() && driver::qemu::embedded_opened() => {
            return Err(driver::qemu::embedded_only(uri))
        }
        _ if driver::remote::serves(uri, read_only) => {
            driver::remote::open(uri, read_only, prompter)?
        }
        _ => return Err(no_driver(uri, read_only)),
    })
}

/// The reference's checks of a parsed URI before any driver sees it.
/// `name` is what the application gave (its text in the reference's "no driver name" message,
/// "(null)" when it gave none); `text` is what it resolved to.
fn check_uri(name: Option<&str>, text: &str, uri: &Uri) -> Result<()> {
    let no_connect =
        |msg: String| Error::with(crate::error::VIR_ERR_NO_CONNECT, VIR_FROM_NONE, msg);
    let Some(scheme) = uri.scheme.as_deref() else {
        return Err(no_connect(format!(
            "URI '{}' does not include a driver name",
            name.unwrap_or("(null)")
        )));
    };
    // `qemu://system` was meant as `qemu:///system`, for the drivers whose paths say that.
    if let Some(server @ ("system" | "session")) = uri.server.as_deref() {
        if matches!(scheme, "qemu" | "vbox" | "vz") {
            return Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_NONE,
                format!("invalid URI {text} (maybe you want {scheme}:///{server})"),
            ));
        }
    }
    if uri.path() == "/embed" && uri.transport().is_some() {
        return Err(no_connect(format!(
            "URI scheme '{scheme}' for embedded driver is not valid"
        )));
    }
    Ok(())
}

/// No driver in this library serves the URI. The reference hands such URIs to its remote driver,
/// which fails to reach the local daemon's socket; while no daemon listens there we give the very
/// same error, otherwise VIR_ERR_NO_CONNECT.
fn no_driver(uri: &Uri, read_only: bool) -> Error {
    if uri.server.is_none() {
        let sock = match uri.param("socket") {
            Some(s) => s.to_string(),
            None if read_only => "/var/run/libvirt/libvirt-sock-ro".to_string(),
            None => "/var/run/libvirt/libvirt-sock".to_string(),
        };
        if !std::path::Path::new(&sock).exists() {
            let mut e = Error::system(
                crate::error::VIR_FROM_RPC,
                libc::ENOENT,
                format!("Failed to connect socket to '{sock}'"),
            );
            e.str1 = Some("%s".into());
            return e;
        }
    }
    Error::with(crate::error::VIR_ERR_NO_CONNECT, VIR_FROM_NONE, &uri.text)
}
