//! The remote driver: a libvirt daemon (libvirtd, virtqemud, virtproxyd) on this host or another,
//! driven over libvirt's own RPC protocol. URIs as the reference's:
//!
//! - `DRIVER+unix:///PATH[?socket=S]`: the daemon's unix socket (default
//!   `/var/run/libvirt/libvirt-sock`, `-ro` for read-only connections);
//! - `DRIVER+tcp://HOST[:PORT]/PATH`: plain TCP (default port 16509);
//! - `DRIVER+tls://HOST[:PORT]/PATH` (or a host and no transport): TLS (default port 16514),
//!   libvirt's PKI layout, `pkipath`, `no_verify`, `no_sanity` (`tls`);
//! - `DRIVER+ssh://[USER@]HOST[:PORT]/PATH`: the system `ssh` client (or `command=`) running
//!   `virt-ssh-helper`, else `nc -U SOCKET`, on the far side (`keyfile`, `no_verify`, `no_tty`,
//!   `socket`, `netcat`, `proxy`), with the reference's command line, its stdin and stdout a
//!   socket pair and its stderr in the error that ends the connection;
//! - `DRIVER:///PATH` that no driver of ours serves: the local daemon's socket.
//!
//! The daemon is asked to open `DRIVER:///PATH` (the URI without transport, host and the
//! parameters that only this driver reads), or the `name` parameter, once authenticated (`auth`:
//! none, polkit, or SASL with credentials from the application's callback). Errors the daemon raises
//! arrive unchanged; a daemon that goes away fails calls with the reference's errors.

pub mod admin;
mod auth;
mod client;
mod convert;
mod events;
mod fds;
mod forwarded;
mod generated;
mod manual;
mod migrate;
mod monitor_events;
mod ports;
use oxvirt_rpc::protocol;
mod sasl;
mod stream;
mod tls;
mod watch;
use oxvirt_rpc::xdr;

use crate::api::ConnectFlags;
use crate::driver::Driver;
use crate::error::{
    Error, Result, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT, VIR_FROM_REMOTE, VIR_FROM_RPC,
};
use crate::event::Bus;
use crate::uri::Uri;
use client::{Client, Stream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use xdr::{Dec, Enc, Xdr};

/// Procedure numbers, generated from remote_protocol.x.
use protocol::proc;

const DEFAULT_TCP_PORT: i32 = 16509;
const LOCAL_SOCKET: &str = "/var/run/libvirt/libvirt-sock";
const LOCAL_SOCKET_RO: &str = "/var/run/libvirt/libvirt-sock-ro";

/// Query parameters only this driver reads; the rest go to the daemon with the name.
const OWN_PARAMS: &[&str] = &[
    "name",
    "command",
    "socket",
    "auth",
    "netcat",
    "keyfile",
    "no_verify",
    "no_sanity",
    "authfile",
    "no_tty",
    "pkipath",
    "known_hosts",
    "known_hosts_verify",
    "sshauth",
    "mode",
    "proxy",
    "tls_priority",
];

/// The driver and transport a URI names: `test+unix` is ("test", "unix"); without a `+`, TLS
/// to a server, else the local socket. The transport is matched ignoring case, as the reference.
fn split_scheme(uri: &Uri) -> (String, String) {
    let transport = match uri.transport() {
        Some(t) => t.to_ascii_lowercase(),
        None if uri.server.is_some() => "tls".to_string(),
        None => "unix".to_string(),
    };
    (uri.driver().to_string(), transport)
}

/// Whether the remote driver answers for `uri` (the local drivers have had their turn): any
/// explicit transport, any host, or a local daemon listening on the socket the URI names.
pub fn serves(uri: &Uri, read_only: bool) -> bool {
    uri.transport().is_some()
        || uri.server.is_some()
        || std::path::Path::new(&local_socket(uri, read_only)).exists()
}

fn local_socket(uri: &Uri, read_only: bool) -> String {
    match uri.param("socket") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ if read_only => LOCAL_SOCKET_RO.to_string(),
        _ => LOCAL_SOCKET.to_string(),
    }
}

/// The name the daemon opens: the URI without transport, user, host and port, and without the
/// parameters only this driver reads.
fn remote_name(uri: &Uri, driver: &str) -> String {
    if let Some(n) = uri.param("name").filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    let query: Vec<String> = uri
        .params
        .iter()
        .filter(|(k, _)| !OWN_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect();
    let query = (!query.is_empty()).then(|| query.join("&"));
    uri.local_form(driver, query).format()
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/:,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn connect_unix(path: &str) -> Result<Stream> {
    std::os::unix::net::UnixStream::connect(path)
        .map(Stream::Unix)
        .map_err(|e| {
            Error::system(
                VIR_FROM_RPC,
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("Failed to connect socket to '{path}'"),
            )
        })
}

/// `port` is the URI's, printed as given; getaddrinfo (the reference's resolver) keeps its low
/// 16 bits.
fn connect_tcp(host: &str, port: i32) -> Result<std::net::TcpStream> {
    use std::net::ToSocketAddrs;
    let addrs: Vec<_> = (host, port as u16)
        .to_socket_addrs()
        .map_err(|e| {
            let why = e.to_string();
            // std's wording around gai_strerror's text, which is the reference's.
            let why = why
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&why);
            Error::with(
                crate::error::VIR_ERR_SYSTEM_ERROR,
                VIR_FROM_RPC,
                format!("Unable to resolve address '{host}' service '{port}': {why}"),
            )
        })?
        .collect();
    let mut last = libc::ECONNREFUSED;
    for a in addrs {
        match std::net::TcpStream::connect(a) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = e.raw_os_error().unwrap_or(libc::EIO),
        }
    }
    Err(Error::system(
        VIR_FROM_RPC,
        last,
        format!("unable to connect to server at '{host}:{port}'"),
    ))
}

/// virBufferEscapeShell: `s` as is when no shell metacharacter needs quoting, else in single
/// quotes (a quote inside as `'\''`).
fn escape_shell(s: &str) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    if !s.contains(|c| "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~".contains(c)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The reference's escaping of words that go through the remote shell twice (ssh's, then `sh -c`).
fn escape_shell_twice(s: &str) -> String {
    escape_shell(&escape_shell(s))
}

/// What runs on the far side of ssh (the `proxy` parameter).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Proxy {
    /// `virt-ssh-helper` where installed, else netcat.
    Auto,
    Netcat,
    /// `virt-ssh-helper` only.
    Native,
}

fn proxy_mode(uri: &Uri) -> Result<Proxy> {
    match uri.param("proxy") {
        None | Some("auto") => Ok(Proxy::Auto),
        Some("netcat") => Ok(Proxy::Netcat),
        Some("native") => Ok(Proxy::Native),
        Some(other) => Err(Error::with(
            VIR_ERR_INVALID_ARG,
            VIR_FROM_REMOTE,
            // The reference's spelling.
            format!("Unnkown proxy type '{other}'"),
        )),
    }
}

/// An integer parameter (`no_verify`, `no_tty`) as the reference parses it: all of it a number.
fn int_param(uri: &Uri, name: &str) -> Result<bool> {
    match uri.param(name) {
        None => Ok(false),
        Some(v) => v.trim_start().parse::<i32>().map(|n| n != 0).map_err(|_| {
            Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_REMOTE,
                format!("Failed to parse value of URI component {name}"),
            )
        }),
    }
}

/// The command ssh runs on the far side, as the reference builds it: `virt-ssh-helper NAME`
/// (`-r` read-only) where installed, else netcat on the daemon's socket; netcat only when the
/// URI names a socket or a netcat, or `proxy=netcat`; the helper only with `proxy=native`.
fn ssh_remote_command(
    proxy: Proxy,
    netcat: Option<&str>,
    socket: Option<&str>,
    name: &str,
    read_only: bool,
) -> Result<String> {
    let proxy = match proxy {
        Proxy::Auto if netcat.is_some() || socket.is_some() => Proxy::Netcat,
        p => p,
    };
    let nc = escape_shell_twice(netcat.unwrap_or("nc"));
    let sock = socket.unwrap_or(if read_only {
        LOCAL_SOCKET_RO
    } else {
        LOCAL_SOCKET
    });
    let nccmd = format!(
        "if '{nc}' -q 2>&1 | grep \"requires an argument\" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;'{nc}' $ARG -U {sock}"
    );
    let helper = format!(
        "virt-ssh-helper{}'{}'",
        if read_only { " -r " } else { " " },
        escape_shell_twice(name)
    );
    Ok(match proxy {
        Proxy::Auto => format!(
            "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     {helper}; else    {nccmd}; fi'"
        ),
        Proxy::Netcat => format!("sh -c '{nccmd}'"),
        Proxy::Native if netcat.is_some() => {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_RPC,
                "netcat path not valid with native proxy mode",
            ))
        }
        Proxy::Native => format!("sh -c '{helper}'"),
    })
}

/// The system ssh client (or `command`) as the reference runs it: its stdin and stdout one end
/// of a socket pair, its stderr kept for the error that ends the connection.
fn connect_ssh(uri: &Uri, host: &str, name: &str, read_only: bool) -> Result<Stream> {
    use std::os::fd::OwnedFd;
    use std::process::{Command, Stdio};
    let remote = ssh_remote_command(
        proxy_mode(uri)?,
        uri.param("netcat"),
        uri.param("socket"),
        name,
        read_only,
    )?;
    let program = uri.param("command").unwrap_or("ssh").to_string();
    let mut cmd = Command::new(&program);
    if let Some(p) = uri.port() {
        cmd.arg("-p").arg(p.to_string());
    }
    if let Some(u) = &uri.user {
        cmd.arg("-l").arg(u);
    }
    if let Some(k) = uri.param("keyfile") {
        cmd.arg("-i").arg(k);
    }
    cmd.arg("-T");
    if int_param(uri, "no_tty")? {
        cmd.arg("-o").arg("BatchMode=yes");
    }
    cmd.arg("-e").arg("none");
    if int_param(uri, "no_verify")? {
        cmd.arg("-o").arg("StrictHostKeyChecking=no");
    }
    cmd.arg("--").arg(host).arg(remote);
    let io_error = |e: std::io::Error, what: &str| {
        Error::system(VIR_FROM_RPC, e.raw_os_error().unwrap_or(libc::EIO), what)
    };
    let (ours, theirs) = std::os::unix::net::UnixStream::pair()
        .map_err(|e| io_error(e, "unable to create socket pair"))?;
    let theirs_out = theirs
        .try_clone()
        .map_err(|e| io_error(e, "unable to create socket pair"))?;
    cmd.stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(Stdio::from(OwnedFd::from(theirs_out)))
        .stderr(Stdio::piped());
    let child = cmd
        .spawn()
        .map_err(|e| io_error(e, &format!("Unable to run {program}")))?;
    // The child's end must close here, or the helper's exit would never read as the end.
    drop(cmd);
    Ok(Stream::Command(ours, client::Helper::new(child)))
}

/// Connection types (virConnectGetType) as static strings: the known ones, the rest kept once.
fn intern(kind: String) -> &'static str {
    static SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    for k in ["TEST", "QEMU"] {
        if kind == k {
            return k;
        }
    }
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(k) = seen.iter().find(|k| **k == kind) {
        return k;
    }
    let k: &'static str = Box::leak(kind.into_boxed_str());
    seen.push(k);
    k
}

pub struct RemoteDriver {
    client: Arc<Client>,
    bus: Arc<Bus>,
    kind: &'static str,
    closed: AtomicBool,
    /// The daemon reports the end of its own connection to the hypervisor to a client that
    /// registers for it (VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK).
    close_callbacks: bool,
    channel: Channel,
}

/// libvirt's virDrvFeature values the client asks the daemon about when it connects.
const VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK: i32 = 14;
const VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK: i32 = 15;

/// Whether the daemon has `feature`; no when it cannot answer (as the reference's client).
fn supports(client: &Client, feature: i32) -> bool {
    let args = protocol::ConnectSupportsFeatureArgs { feature };
    rpc::<_, protocol::ConnectSupportsFeatureRet>(client, proc::CONNECT_SUPPORTS_FEATURE, &args)
        .is_ok_and(|r| r.supported != 0)
}

/// OXVIRT_REMOTE_LEGACY_EVENTS=1 (read once per connection, when it opens): ask for domain
/// events as from a daemon older than libvirt 1.3.3, without callback ids (a test and
/// compatibility knob: every 9.0 daemon has them).
fn legacy_events_wanted() -> bool {
    std::env::var("OXVIRT_REMOTE_LEGACY_EVENTS").is_ok_and(|v| v == "1")
}

/// What the channel to the daemon is, as virConnectIsSecure and virConnectIsEncrypted see it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Channel {
    /// Nobody on the way can read or change it: a unix socket, ssh, TLS (not plain TCP).
    secure: bool,
    /// Encrypted on its way: TLS, or a SASL session wrapping it.
    encrypted: bool,
}

/// Open a connection to the daemon `uri` names; `prompter` answers for the application when the
/// daemon wants credentials (SASL).
pub fn open(
    uri: &Uri,
    read_only: bool,
    prompter: Option<&dyn crate::auth::Prompter>,
) -> Result<Arc<dyn Driver>> {
    let (driver, transport) = split_scheme(uri);
    let name = remote_name(uri, &driver);
    // Parameters the reference parses before it connects, whatever the transport.
    let no_verify = int_param(uri, "no_verify")?;
    let no_sanity = int_param(uri, "no_sanity")?;
    int_param(uri, "no_tty")?;
    proxy_mode(uri)?;
    let stream =
        match transport.as_str() {
            "unix" => {
                if uri.server.is_some() {
                    return Err(Error::with(
                        VIR_ERR_INVALID_ARG,
                        VIR_FROM_REMOTE,
                        format!(
                            "using unix socket and remote server '{}' is not supported.",
                            uri.server.as_deref().unwrap_or("")
                        ),
                    ));
                }
                connect_unix(&local_socket(uri, read_only))?
            }
            "tcp" => {
                let host = uri.server.as_deref().unwrap_or("localhost");
                Stream::Tcp(connect_tcp(host, uri.port().unwrap_or(DEFAULT_TCP_PORT))?)
            }
            "ssh" => {
                let host = uri.server.as_deref().unwrap_or("localhost");
                connect_ssh(uri, host, &name, read_only)?
            }
            "tls" => {
                // The reference reads its certificates before it connects.
                let context = tls::Context::new(&tls::Options {
                    pkipath: uri.param("pkipath"),
                    sanity: !no_sanity,
                    verify: !no_verify,
                })?;
                let host = uri.server.as_deref().unwrap_or("localhost");
                let sock = connect_tcp(host, uri.port().unwrap_or(tls::DEFAULT_PORT))?;
                Stream::Tls(context.connect(sock, host)?)
            }
            "libssh" | "libssh2" | "ext" => {
                return Err(Error::with(
                    VIR_ERR_NO_SUPPORT,
                    VIR_FROM_REMOTE,
                    format!("transport '{transport}' is not supported by this library"),
                ))
            }
            _ => return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_REMOTE,
                "remote_open: transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)",
            )),
        };
    let client = Client::start(stream)?;
    let opened = (|| -> Result<RemoteDriver> {
        // The reference counts every transport but plain TCP as secure.
        let secure = transport != "tcp";
        let sasl = auth::authenticate(
            &client,
            &auth::Context {
                prompter,
                uri: Some(uri),
                authtype: uri.param("auth"),
                // Mechanisms without a security layer only where the channel is secure.
                secure,
            },
        )?;
        let flags = match read_only {
            true => ConnectFlags::RO,
            false => ConnectFlags::empty(),
        };
        let args = protocol::ConnectOpenArgs {
            name: Some(name.clone()),
            flags: flags.bits(),
        };
        rpc::<_, ()>(&client, proc::CONNECT_OPEN, &args)?;
        // Asked at once, in the reference's order; a daemon that cannot say lacks the feature.
        let event_callbacks = supports(&client, VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK);
        let close_callbacks = supports(&client, VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK);
        let legacy_events = !event_callbacks || legacy_events_wanted();
        let kind = rpc::<_, protocol::ConnectGetTypeRet>(&client, proc::CONNECT_GET_TYPE, &())?;
        let kind = kind.r#type;
        let bus = Bus::for_client();
        bus.set_upstream(Box::new(events::Subscriptions::new(&client, legacy_events)));
        Ok(RemoteDriver {
            client: client.clone(),
            bus,
            kind: intern(kind),
            closed: AtomicBool::new(false),
            close_callbacks,
            channel: Channel {
                secure,
                encrypted: transport == "tls" || sasl,
            },
        })
    })();
    let driver = match opened {
        Ok(d) => d,
        Err(e) => {
            client.close();
            return Err(e);
        }
    };
    driver.listen_for_events();
    let driver: Arc<dyn Driver> = Arc::new(driver);
    Ok(driver)
}

/// One procedure with its generated argument and reply structures.
fn rpc<A: Xdr, R: Xdr>(client: &Client, proc: i32, args: &A) -> Result<R> {
    let mut e = Enc::new();
    args.encode(&mut e);
    let ret = client.call(proc, &e.buf)?;
    Ok(R::decode(&mut Dec::new(&ret))?)
}

impl RemoteDriver {
    fn rpc<A: Xdr, R: Xdr>(&self, proc: i32, args: &A) -> Result<R> {
        rpc(&self.client, proc, args)
    }

    /// One procedure of the qemu program (libvirt-qemu's functions).
    fn rpc_qemu<A: Xdr, R: Xdr>(&self, proc: i32, args: &A) -> Result<R> {
        let mut e = Enc::new();
        args.encode(&mut e);
        let (program, version) = (protocol::QEMU_PROGRAM, protocol::QEMU_PROTOCOL_VERSION);
        let ret = self.client.call_program(program, version, proc, &e.buf)?;
        Ok(R::decode(&mut Dec::new(&ret))?)
    }

    /// The daemon's events onto our bus (where callbacks registered on the connection pick them
    /// up); the daemon sends a family's once the application first registers for it.
    fn listen_for_events(&self) {
        let bus = self.bus.clone();
        let flushed = self.bus.clone();
        // Weak: the client holds its sink.
        let client = Arc::downgrade(&self.client);
        self.client.set_event_sink(
            Box::new(move |program, procedure, body| {
                if program == protocol::QEMU_PROGRAM {
                    return monitor_events::deliver(&bus, procedure, body);
                }
                if procedure != proc::CONNECT_EVENT_CONNECTION_CLOSED {
                    return events::deliver(&bus, procedure, body);
                }
                // The daemon's own connection to the hypervisor ended: the application's close
                // callback hears its reason, as from the reference's client.
                let msg = protocol::ConnectEventConnectionClosedMsg::decode(&mut Dec::new(body));
                if let (Ok(m), Some(c)) = (msg, client.upgrade()) {
                    c.report_close(m.reason);
                }
            }),
            Arc::new(move || flushed.flush()),
        );
    }

    fn shut(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            if self.client.is_alive() {
                let _: Result<()> = self.rpc(proc::CONNECT_CLOSE, &());
            }
            self.client.close();
        }
    }
}

impl Drop for RemoteDriver {
    fn drop(&mut self) {
        self.shut();
    }
}

/// A reply or event body that does not decode: libvirt's wording for a message it cannot read.
impl From<oxvirt_rpc::Malformed> for Error {
    fn from(_: oxvirt_rpc::Malformed) -> Error {
        Error::with(
            crate::error::VIR_ERR_RPC,
            crate::error::VIR_FROM_RPC,
            "Unable to decode message payload",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_structures_round_trip_and_check_bounds() {
        let v = protocol::TypedParam {
            field: "x".into(),
            value: protocol::TypedParamValue::Case7("s".into()),
        };
        let mut e = Enc::new();
        v.encode(&mut e);
        assert_eq!(
            protocol::TypedParam::decode(&mut Dec::new(&e.buf)).unwrap(),
            v
        );
        // A list longer than its bound in remote_protocol.x is refused before anything is read.
        let mut e = Enc::new();
        e.u32(protocol::REMOTE_DOMAIN_LIST_MAX + 1);
        assert!(protocol::ConnectListDomainsRet::decode(&mut Dec::new(&e.buf)).is_err());
        assert_eq!(
            (proc::CONNECT_OPEN, proc::DOMAIN_FD_ASSOCIATE),
            (1, 443),
            "libvirt 9.0's first and last procedures"
        );
        assert_eq!(protocol::qemu_proc::DOMAIN_MONITOR_COMMAND, 1);
    }

    #[test]
    fn names_sent_to_the_daemon() {
        let u = Uri::parse("test+unix:///default?socket=/tmp/x/libvirt-sock").unwrap();
        assert_eq!(split_scheme(&u), ("test".into(), "unix".into()));
        assert_eq!(remote_name(&u, "test"), "test:///default");
        let u = Uri::parse("qemu+tcp://10.0.0.2:1234/system?no_verify=1&x=a%20b").unwrap();
        assert_eq!(remote_name(&u, "qemu"), "qemu:///system?x=a%20b");
        let u = Uri::parse("qemu+ssh://root@host/system?name=qemu:///session").unwrap();
        assert_eq!(remote_name(&u, "qemu"), "qemu:///session");
        assert_eq!(u.user.as_deref(), Some("root"));
        let u = Uri::parse("qemu://host/system").unwrap();
        assert_eq!(split_scheme(&u).1, "tls");
    }

    /// A daemon of our own on a unix socket: answers the calls `open` makes, then `calls` more
    /// (with the "Domain not found" error), then hangs up.
    fn fake_daemon(path: &std::path::Path, calls: usize) -> std::thread::JoinHandle<()> {
        use std::io::{Read, Write};
        let listener = std::os::unix::net::UnixListener::bind(path).unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // AUTH_LIST, CONNECT_OPEN, two CONNECT_SUPPORTS_FEATURE, CONNECT_GET_TYPE.
            for _ in 0..5 + calls {
                let mut len = [0u8; 4];
                if s.read_exact(&mut len).is_err() {
                    return;
                }
                let mut m = vec![0u8; u32::from_be_bytes(len) as usize - 4];
                s.read_exact(&mut m).unwrap();
                let mut d = Dec::new(&m);
                let (prog, vers, p) = (d.u32().unwrap(), d.u32().unwrap(), d.i32().unwrap());
                let (_, serial) = (d.u32().unwrap(), d.u32().unwrap());
                let mut body = Enc::new();
                let mut status = 0;
                match p {
                    proc::AUTH_LIST => body.u32(1).i32(0),
                    proc::CONNECT_GET_TYPE => body.string("TEST"),
                    proc::CONNECT_OPEN => &mut body,
                    proc::CONNECT_SUPPORTS_FEATURE => body.i32(1),
                    _ => {
                        status = 1;
                        body.i32(42)
                            .i32(12)
                            .opt_string(Some("Domain not found"))
                            .i32(2)
                            .bool(false)
                            .opt_string(Some("Domain not found"))
                            .opt_string(None)
                            .opt_string(None)
                            .i32(-1)
                            .i32(-1)
                            .bool(false)
                    }
                };
                let mut e = Enc::new();
                e.u32(28 + body.buf.len() as u32)
                    .u32(prog)
                    .u32(vers)
                    .i32(p)
                    .u32(1)
                    .u32(serial)
                    .u32(status);
                e.buf.extend_from_slice(&body.buf);
                s.write_all(&e.buf).unwrap();
            }
        })
    }

    #[test]
    fn errors_arrive_unchanged_and_a_daemon_that_goes_away_closes_the_connection() {
        let dir = std::env::temp_dir().join(format!("oxvirt-remote-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sock = dir.join("sock");
        let daemon = fake_daemon(&sock, 1);
        let u = Uri::parse(&format!("test+unix:///default?socket={}", sock.display())).unwrap();
        let d = open(&u, false, None).unwrap();
        assert_eq!(d.kind(), "TEST");
        assert!(d.is_alive());
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = Mutex::new(tx);
        assert!(d.can_close());
        d.on_close(Box::new(move |r| {
            let _ = tx.lock().unwrap().send(r);
        }));
        let e = d.lookup_by_name("nope").unwrap_err();
        assert_eq!((e.code, e.domain, e.level), (42, 12, 2));
        assert_eq!((e.message.as_str(), e.int1), ("Domain not found", -1));
        daemon.join().unwrap();
        // No event loop watches the connection: nobody notices the end until the next call,
        // which writes first (to a peer that is gone) and closes with the reason poll gives.
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(d.is_alive());
        assert!(rx.try_recv().is_err());
        let e = d.lookup_by_name("test").unwrap_err();
        assert_eq!((e.code, e.domain, e.int1), (38, VIR_FROM_RPC, libc::EPIPE));
        assert_eq!(e.message, "Cannot write data: Broken pipe");
        let reason = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        assert_eq!(reason, client::CLOSE_REASON_EOF);
        assert!(!d.is_alive());
        let e = d.lookup_by_name("test").unwrap_err();
        assert_eq!(e.message, "internal error: client socket is closed");
        drop(d);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ssh_commands_as_the_reference_builds_them() {
        // As libvirt 9.0's command lines (logged by a wrapper given as `command`).
        let nc = r#"if 'nc' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;'nc' $ARG -U "#;
        assert_eq!(
            ssh_remote_command(Proxy::Auto, None, Some("/s"), "test:///default", false).unwrap(),
            format!("sh -c '{nc}/s'")
        );
        assert_eq!(
            ssh_remote_command(Proxy::Auto, None, None, "test:///default", true).unwrap(),
            format!(
                "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     {}{}",
                "virt-ssh-helper -r 'test:///default'; else    ",
                format_args!("{nc}{LOCAL_SOCKET_RO}; fi'")
            )
        );
        assert_eq!(
            ssh_remote_command(Proxy::Native, None, Some("/s"), "qemu:///system", false).unwrap(),
            "sh -c 'virt-ssh-helper 'qemu:///system''"
        );
        let e = ssh_remote_command(Proxy::Native, Some("nc"), None, "x", false).unwrap_err();
        assert_eq!((e.code, e.domain), (VIR_ERR_INVALID_ARG, VIR_FROM_RPC));
        assert_eq!(escape_shell_twice("my nc"), r"''\''my nc'\'''");
        assert_eq!(
            escape_shell_twice("test:///default?a=b'c"),
            r"''\''test:///default?a=b'\''\'\'''\''c'\'''"
        );
        let u = Uri::parse("test+ssh://h/default?proxy=bogus").unwrap();
        let e = open(&u, false, None).err().unwrap();
        assert_eq!(e.message, "invalid argument: Unnkown proxy type 'bogus'");
        let u = Uri::parse("test+ssh://h/default?no_verify=yes").unwrap();
        let e = open(&u, false, None).err().unwrap();
        assert_eq!((e.code, e.domain), (VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE));
    }

    #[test]
    fn refuses_unknown_transports_and_missing_daemons() {
        let u = Uri::parse("test+bogus:///default").unwrap();
        let e = open(&u, false, None).err().unwrap();
        assert_eq!((e.code, e.domain), (VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE));
        let u = Uri::parse("test+unix:///default?socket=/nonexistent/sock").unwrap();
        let e = open(&u, false, None).err().unwrap();
        assert_eq!((e.code, e.domain, e.int1), (38, VIR_FROM_RPC, libc::ENOENT));
        assert_eq!(
            e.message,
            "Failed to connect socket to '/nonexistent/sock': No such file or directory"
        );
    }
}
