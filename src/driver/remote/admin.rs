//! libvirt-admin's client: a connection to a daemon's admin socket speaking the admin program
//! (gen/reference/admin_protocol.x) over the remote driver's RPC client. Which socket a URI
//! names, and the errors on the way there, are the reference's (src/admin/libvirt-admin.c,
//! admin_remote.c): `libvirtd:///system` is /run/libvirt/libvirt-admin-sock, `virtNAME:///...`
//! is NAME's `virtNAME-admin-sock`, `/session` is under the user's runtime directory, and
//! `?socket=PATH` names the socket itself.

use super::client::{Client, CloseSink};
use crate::driver::family::{TypedParams, TypedValue};
use crate::error::{Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INTERNAL_ERROR};
use crate::error::{VIR_FROM_ADMIN, VIR_FROM_URI};
use crate::uri::Uri;
use oxvirt_rpc::admin_protocol::{self as ap, admin_proc};
use oxvirt_rpc::xdr::{Dec, Enc, Xdr};
use std::path::PathBuf;
use std::sync::Arc;

/// The daemons' run-state folder on Debian (the reference's RUNSTATEDIR "/libvirt").
const SYSTEM_SOCKET_DIR: &str = "/run/libvirt";
/// libvirtd's admin socket; every other daemon's is `SCHEME-admin-sock`.
const LEGACY_SOCKET: &str = "libvirt-admin-sock";
/// The reference's client configuration file for the admin library.
const ADMIN_CONF: &str = "libvirt-admin.conf";
/// virConnectFlags' VIR_CONNECT_NO_ALIASES: the name is taken as given.
const NO_ALIASES: u32 = 1 << 1;

/// One client of a daemon's server, as the daemon describes it (admin_nonnull_client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId {
    pub server: String,
    pub id: u64,
    pub timestamp: i64,
    pub transport: i32,
}

/// A list the daemon answers with: the objects (when asked for) and the count it reports.
pub struct Listed<T> {
    pub items: Vec<T>,
    pub count: u32,
}

/// An open admin connection.
pub struct AdminConn {
    uri: Uri,
    client: Arc<Client>,
}

fn unsupported_config(info: String) -> Error {
    Error::with(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_ADMIN, info)
}

/// glib's g_get_user_runtime_dir (XDG_RUNTIME_DIR, else the user's cache folder) + "libvirt",
/// the reference's virGetUserRuntimeDirectory.
fn user_runtime_dir() -> PathBuf {
    let non_empty = |v: &str| std::env::var_os(v).filter(|d| !d.is_empty());
    let base = non_empty("XDG_RUNTIME_DIR")
        .or_else(|| non_empty("XDG_CACHE_HOME"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(non_empty("HOME").unwrap_or_else(|| "/".into())).join(".cache")
        });
    base.join("libvirt")
}

/// The admin socket `uri` names (the reference's getSocketPath).
pub fn socket_path(uri: &Uri) -> Result<String> {
    let mut socket = None;
    for (name, value) in &uri.params {
        match name.as_str() {
            "socket" => socket = Some(value.clone()),
            _ => {
                return Err(unsupported_config(format!(
                    "Unknown URI parameter '{name}'"
                )))
            }
        }
    }
    if let Some(s) = socket {
        return Ok(s);
    }
    let Some(scheme) = uri.scheme.as_deref() else {
        return Err(unsupported_config("No URI scheme specified".into()));
    };
    let base = match scheme {
        "libvirtd" => LEGACY_SOCKET.to_string(),
        s if s.starts_with("virt") => format!("{s}-admin-sock"),
        s => return Err(unsupported_config(format!("Unsupported URI scheme '{s}'"))),
    };
    match uri.path.as_deref() {
        Some("/system") => Ok(format!("{SYSTEM_SOCKET_DIR}/{base}")),
        Some("/session") => Ok(user_runtime_dir().join(base).display().to_string()),
        other => Err(unsupported_config(format!(
            "Invalid URI path '{}', try '/system'",
            other.unwrap_or("")
        ))),
    }
}

/// The URI when none is given: LIBVIRT_ADMIN_DEFAULT_URI, else libvirt-admin.conf's
/// uri_default, else libvirtd's system or session daemon by the effective user.
fn default_uri(conf: Option<&crate::client_conf::Conf>) -> Result<String> {
    if let Some(v) = std::env::var("LIBVIRT_ADMIN_DEFAULT_URI")
        .ok()
        .filter(|v| !v.is_empty())
    {
        return Ok(v);
    }
    if let Some(v) = conf
        .map(|c| c.get_string("uri_default"))
        .transpose()?
        .flatten()
    {
        return Ok(v.to_string());
    }
    Ok(match crate::host::effective_uid_is_root() {
        true => "libvirtd:///system".into(),
        false => "libvirtd:///session".into(),
    })
}

/// libvirt-admin.conf, when there is one: a file that exists but does not parse is an error.
fn load_conf() -> Result<Option<crate::client_conf::Conf>> {
    let Some(path) = crate::client_conf::config_path(ADMIN_CONF) else {
        return Ok(None);
    };
    match path.exists() {
        true => crate::client_conf::Conf::read(&path).map(Some),
        false => Ok(None),
    }
}

fn resolve_name(name: Option<&str>, flags: u32) -> Result<String> {
    let conf = load_conf()?;
    let text = match name {
        Some(n) => n.to_string(),
        None => default_uri(conf.as_ref())?,
    };
    if flags & NO_ALIASES == 0 {
        if let Some(conf) = &conf {
            if let Some(target) = crate::client_conf::resolve_alias(conf, &text)? {
                return Ok(target);
            }
        }
    }
    Ok(text)
}

fn decode<T: Xdr>(body: &[u8]) -> Result<T> {
    T::decode(&mut Dec::new(body)).map_err(|_| {
        Error::with(
            VIR_ERR_INTERNAL_ERROR,
            crate::error::VIR_FROM_RPC,
            "Unable to decode message payload",
        )
    })
}

fn encoded(args: &impl Xdr) -> Vec<u8> {
    let mut e = Enc::new();
    args.encode(&mut e);
    e.buf
}

fn server_arg(name: &str) -> ap::AdminNonnullServer {
    ap::AdminNonnullServer {
        name: name.to_string(),
    }
}

fn client_arg(c: &ClientId) -> ap::AdminNonnullClient {
    ap::AdminNonnullClient {
        srv: server_arg(&c.server),
        id: c.id,
        timestamp: c.timestamp,
        transport: c.transport as u32,
    }
}

fn client_of(c: ap::AdminNonnullClient) -> ClientId {
    ClientId {
        server: c.srv.name,
        id: c.id,
        timestamp: c.timestamp,
        transport: c.transport as i32,
    }
}

fn typed_params(list: Vec<ap::AdminTypedParam>) -> TypedParams {
    use ap::AdminTypedParamValue as V;
    TypedParams(
        list.into_iter()
            .map(|p| {
                let value = match p.value {
                    V::Case1(i) => TypedValue::Int(i),
                    V::Case2(u) => TypedValue::UInt(u),
                    V::Case3(l) => TypedValue::LLong(l),
                    V::Case4(u) => TypedValue::ULLong(u),
                    V::Case5(d) => TypedValue::Double(d),
                    V::Case6(b) => TypedValue::Boolean(b != 0),
                    V::Case7(s) => TypedValue::String(s),
                };
                (p.field, value)
            })
            .collect(),
    )
}

fn wire_params(params: &TypedParams) -> Vec<ap::AdminTypedParam> {
    use ap::AdminTypedParamValue as V;
    params
        .0
        .iter()
        .map(|(field, v)| ap::AdminTypedParam {
            field: field.clone(),
            value: match v {
                TypedValue::Int(i) => V::Case1(*i),
                TypedValue::UInt(u) => V::Case2(*u),
                TypedValue::LLong(l) => V::Case3(*l),
                TypedValue::ULLong(u) => V::Case4(*u),
                TypedValue::Double(d) => V::Case5(*d),
                TypedValue::Boolean(b) => V::Case6(*b as i32),
                TypedValue::String(s) => V::Case7(s.clone()),
            },
        })
        .collect()
}

/// virAdmConnectOpen: resolve the name, find the socket, connect, say CONNECT_OPEN.
pub fn open(name: Option<&str>, flags: u32) -> Result<AdminConn> {
    let text = resolve_name(name, flags)?;
    let uri = Uri::parse(&text).ok_or_else(|| {
        Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_URI,
            format!("Unable to parse URI {text}"),
        )
    })?;
    let path = socket_path(&uri)?;
    let client = Client::start(super::connect_unix(&path)?)?;
    let conn = AdminConn { uri, client };
    if let Err(e) = conn.call(
        admin_proc::CONNECT_OPEN,
        &ap::AdminConnectOpenArgs { flags },
    ) {
        conn.client.close();
        return Err(e);
    }
    Ok(conn)
}

impl AdminConn {
    fn call(&self, proc: i32, args: &impl Xdr) -> Result<Vec<u8>> {
        self.client.call_program(
            ap::ADMIN_PROGRAM,
            ap::ADMIN_PROTOCOL_VERSION,
            proc,
            &encoded(args),
        )
    }

    /// A call without arguments.
    fn call_void(&self, proc: i32) -> Result<Vec<u8>> {
        self.client
            .call_program(ap::ADMIN_PROGRAM, ap::ADMIN_PROTOCOL_VERSION, proc, &[])
    }

    /// The URI as virAdmConnectGetURI writes it back.
    pub fn uri(&self) -> String {
        self.uri.format()
    }

    pub fn is_alive(&self) -> bool {
        self.client.is_alive()
    }

    /// Tell the daemon goodbye (CONNECT_CLOSE, its failure ignored as the reference's) and close.
    pub fn close(&self) {
        let _ = self.call_void(admin_proc::CONNECT_CLOSE);
        self.client.close();
    }

    /// Call `f` with the close reason when the connection dies.
    pub fn on_close(&self, f: CloseSink) {
        self.client.on_close(f);
    }

    pub fn lib_version(&self) -> Result<u64> {
        let body = self.call_void(admin_proc::CONNECT_GET_LIB_VERSION)?;
        Ok(decode::<ap::AdminConnectGetLibVersionRet>(&body)?.libVer)
    }

    pub fn list_servers(&self, need_results: bool, flags: u32) -> Result<Listed<String>> {
        let args = ap::AdminConnectListServersArgs {
            need_results: need_results as u32,
            flags,
        };
        let ret: ap::AdminConnectListServersRet =
            decode(&self.call(admin_proc::CONNECT_LIST_SERVERS, &args)?)?;
        Ok(Listed {
            items: ret.servers.into_iter().map(|s| s.name).collect(),
            count: ret.ret,
        })
    }

    pub fn lookup_server(&self, name: &str, flags: u32) -> Result<String> {
        let args = ap::AdminConnectLookupServerArgs {
            name: name.to_string(),
            flags,
        };
        let ret: ap::AdminConnectLookupServerRet =
            decode(&self.call(admin_proc::CONNECT_LOOKUP_SERVER, &args)?)?;
        Ok(ret.srv.name)
    }

    pub fn threadpool_params(&self, server: &str, flags: u32) -> Result<TypedParams> {
        let args = ap::AdminServerGetThreadpoolParametersArgs {
            srv: server_arg(server),
            flags,
        };
        let ret: ap::AdminServerGetThreadpoolParametersRet =
            decode(&self.call(admin_proc::SERVER_GET_THREADPOOL_PARAMETERS, &args)?)?;
        Ok(typed_params(ret.params))
    }

    pub fn set_threadpool_params(
        &self,
        server: &str,
        params: &TypedParams,
        flags: u32,
    ) -> Result<()> {
        let args = ap::AdminServerSetThreadpoolParametersArgs {
            srv: server_arg(server),
            params: wire_params(params),
            flags,
        };
        self.call(admin_proc::SERVER_SET_THREADPOOL_PARAMETERS, &args)
            .map(drop)
    }

    pub fn list_clients(
        &self,
        server: &str,
        need_results: bool,
        flags: u32,
    ) -> Result<Listed<ClientId>> {
        let args = ap::AdminServerListClientsArgs {
            srv: server_arg(server),
            need_results: need_results as u32,
            flags,
        };
        let ret: ap::AdminServerListClientsRet =
            decode(&self.call(admin_proc::SERVER_LIST_CLIENTS, &args)?)?;
        Ok(Listed {
            items: ret.clients.into_iter().map(client_of).collect(),
            count: ret.ret,
        })
    }

    pub fn lookup_client(&self, server: &str, id: u64, flags: u32) -> Result<ClientId> {
        let args = ap::AdminServerLookupClientArgs {
            srv: server_arg(server),
            id,
            flags,
        };
        let ret: ap::AdminServerLookupClientRet =
            decode(&self.call(admin_proc::SERVER_LOOKUP_CLIENT, &args)?)?;
        Ok(client_of(ret.clnt))
    }

    pub fn client_info(&self, client: &ClientId, flags: u32) -> Result<TypedParams> {
        let args = ap::AdminClientGetInfoArgs {
            clnt: client_arg(client),
            flags,
        };
        let ret: ap::AdminClientGetInfoRet =
            decode(&self.call(admin_proc::CLIENT_GET_INFO, &args)?)?;
        Ok(typed_params(ret.params))
    }

    pub fn client_close(&self, client: &ClientId, flags: u32) -> Result<()> {
        let args = ap::AdminClientCloseArgs {
            clnt: client_arg(client),
            flags,
        };
        self.call(admin_proc::CLIENT_CLOSE, &args).map(drop)
    }

    pub fn client_limits(&self, server: &str, flags: u32) -> Result<TypedParams> {
        let args = ap::AdminServerGetClientLimitsArgs {
            srv: server_arg(server),
            flags,
        };
        let ret: ap::AdminServerGetClientLimitsRet =
            decode(&self.call(admin_proc::SERVER_GET_CLIENT_LIMITS, &args)?)?;
        Ok(typed_params(ret.params))
    }

    pub fn set_client_limits(&self, server: &str, params: &TypedParams, flags: u32) -> Result<()> {
        let args = ap::AdminServerSetClientLimitsArgs {
            srv: server_arg(server),
            params: wire_params(params),
            flags,
        };
        self.call(admin_proc::SERVER_SET_CLIENT_LIMITS, &args)
            .map(drop)
    }

    pub fn update_tls_files(&self, server: &str, flags: u32) -> Result<()> {
        let args = ap::AdminServerUpdateTlsFilesArgs {
            srv: server_arg(server),
            flags,
        };
        self.call(admin_proc::SERVER_UPDATE_TLS_FILES, &args)
            .map(drop)
    }

    /// The daemon's logging outputs and their count.
    pub fn logging_outputs(&self, flags: u32) -> Result<(String, u32)> {
        let args = ap::AdminConnectGetLoggingOutputsArgs { flags };
        let ret: ap::AdminConnectGetLoggingOutputsRet =
            decode(&self.call(admin_proc::CONNECT_GET_LOGGING_OUTPUTS, &args)?)?;
        Ok((ret.outputs, ret.noutputs))
    }

    /// The daemon's logging filters (none: no text) and their count.
    pub fn logging_filters(&self, flags: u32) -> Result<(Option<String>, u32)> {
        let args = ap::AdminConnectGetLoggingFiltersArgs { flags };
        let ret: ap::AdminConnectGetLoggingFiltersRet =
            decode(&self.call(admin_proc::CONNECT_GET_LOGGING_FILTERS, &args)?)?;
        Ok((ret.filters, ret.nfilters))
    }

    pub fn set_logging_outputs(&self, outputs: Option<String>, flags: u32) -> Result<()> {
        let args = ap::AdminConnectSetLoggingOutputsArgs { outputs, flags };
        self.call(admin_proc::CONNECT_SET_LOGGING_OUTPUTS, &args)
            .map(drop)
    }

    pub fn set_logging_filters(&self, filters: Option<String>, flags: u32) -> Result<()> {
        let args = ap::AdminConnectSetLoggingFiltersArgs { filters, flags };
        self.call(admin_proc::CONNECT_SET_LOGGING_FILTERS, &args)
            .map(drop)
    }

    pub fn set_daemon_timeout(&self, timeout: u32, flags: u32) -> Result<()> {
        let args = ap::AdminConnectSetDaemonTimeoutArgs { timeout, flags };
        self.call(admin_proc::CONNECT_SET_DAEMON_TIMEOUT, &args)
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(text: &str) -> Result<String> {
        socket_path(&Uri::parse(text).unwrap())
    }

    #[test]
    fn sockets_by_uri() {
        assert_eq!(
            path_of("libvirtd:///system").unwrap(),
            "/run/libvirt/libvirt-admin-sock"
        );
        assert_eq!(
            path_of("virtqemud:///system").unwrap(),
            "/run/libvirt/virtqemud-admin-sock"
        );
        assert_eq!(path_of("libvirtd:///system?socket=/x/y").unwrap(), "/x/y");
        assert!(path_of("qemu:///system")
            .unwrap_err()
            .message
            .contains("'qemu'"));
        assert!(path_of("libvirtd:///bad")
            .unwrap_err()
            .message
            .contains("'/bad'"));
        assert!(path_of("libvirtd:///system?a=b")
            .unwrap_err()
            .message
            .contains("'a'"));
    }
}
