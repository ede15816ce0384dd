//! The TLS transport (`DRIVER+tls://HOST[:PORT]/PATH`, and any URI with a host and no transport),
//! with rustls, as the reference's client behaves with GnuTLS:
//!
//! - credentials in libvirt's PKI layout: `pkipath=DIR` (`DIR/cacert.pem`, `DIR/cacrl.pem`,
//!   `DIR/clientcert.pem`, `DIR/clientkey.pem`, whether they exist or not); else, not as root,
//!   `$HOME/.pki/libvirt/` for the files found there; else `/etc/pki/CA/cacert.pem`,
//!   `/etc/pki/CA/cacrl.pem`, `/etc/pki/libvirt/clientcert.pem`,
//!   `/etc/pki/libvirt/private/clientkey.pem`;
//! - before connecting, our own certificate checked against the CA (`no_sanity=1` skips it), the
//!   CA certificate required, the client certificate and key optional;
//! - the server's certificate verified against the CA and the host name (`no_verify=1` accepts
//!   any), then the daemon's one-byte verdict on ours read before the first call;
//! - the reference's errors for each of these (domain VIR_FROM_RPC).
//!
//! Checks of our own certificate that GnuTLS makes and webpki does not expose (basic
//! constraints, key usage and purpose of the files themselves) are left to the handshake.

use crate::error::{
    Error, Result, VIR_ERR_AUTH_FAILED, VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, ServerName, UnixTime,
};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// libvirtd's TLS port (LIBVIRTD_TLS_PORT).
pub(super) const DEFAULT_PORT: i32 = 16514;

const SYSTEM_CACERT: &str = "/etc/pki/CA/cacert.pem";
const SYSTEM_CACRL: &str = "/etc/pki/CA/cacrl.pem";
const SYSTEM_CLIENTCERT: &str = "/etc/pki/libvirt/clientcert.pem";
const SYSTEM_CLIENTKEY: &str = "/etc/pki/libvirt/private/clientkey.pem";
/// Under the user's home directory, for a caller that is not root.
const USER_PKI_DIR: &str = ".pki/libvirt";

/// How long the handshake and the daemon's verdict may take (the reference waits forever).
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(60);
/// The byte the daemon sends once it accepted our certificate and address.
const VERDICT_OK: u8 = 1;

/// GnuTLS's texts for the failures the reference reports with them.
const GNUTLS_BASE64_ERROR: &str = "Base64 decoding error.";
const GNUTLS_NO_DATA: &str = "The requested data were not available.";

/// What the URI says about TLS.
pub(super) struct Options<'a> {
    pub pkipath: Option<&'a str>,
    /// Check our own certificate against the CA before connecting (not `no_sanity`).
    pub sanity: bool,
    /// Refuse a server whose certificate does not verify (not `no_verify`).
    pub verify: bool,
}

/// The files of libvirt's PKI layout one connection uses.
#[derive(Debug, PartialEq)]
struct Files {
    cacert: PathBuf,
    cacrl: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether this process runs as root (effective uid 0), from /proc: the reference looks in the
/// user's own PKI folder only when it does not.
fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        .unwrap_or(false)
}

/// virNetTLSContextLocateCredentials for a client.
fn locate(pkipath: Option<&str>, home: Option<&Path>) -> Files {
    if let Some(dir) = pkipath {
        let dir = Path::new(dir);
        return Files {
            cacert: dir.join("cacert.pem"),
            cacrl: dir.join("cacrl.pem"),
            cert: dir.join("clientcert.pem"),
            key: dir.join("clientkey.pem"),
        };
    }
    let (mut cacert, mut cacrl, mut pair) = (None, None, None);
    if let Some(home) = home {
        let dir = home.join(USER_PKI_DIR);
        let found = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
        cacert = found("cacert.pem");
        cacrl = found("cacrl.pem");
        // The certificate and its key go together: both from here or neither.
        pair = found("clientcert.pem").zip(found("clientkey.pem"));
    }
    let (cert, key) = pair.unwrap_or_else(|| (SYSTEM_CLIENTCERT.into(), SYSTEM_CLIENTKEY.into()));
    Files {
        cacert: cacert.unwrap_or_else(|| SYSTEM_CACERT.into()),
        cacrl: cacrl.unwrap_or_else(|| SYSTEM_CACRL.into()),
        cert,
        key,
    }
}

fn system_error(message: String) -> Error {
    Error::with(VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, message)
}

fn readable(p: &Path) -> bool {
    std::fs::File::open(p).is_ok()
}

fn certificates(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .filter_map(std::result::Result::ok)
        .collect()
}

fn read_file(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|e| {
        Error::system(
            VIR_FROM_RPC,
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("Failed to open file '{}'", p.display()),
        )
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The reference's reason for a certificate that does not verify against the CA (GnuTLS's
/// verification status turned into words).
fn invalid_reason(e: &rustls::Error) -> &'static str {
    use rustls::CertificateError as C;
    match e {
        // GnuTLS matches the issuer by its key too: a CA of the same name but another key
        // is no known issuer.
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
            "The certificate hasn't got a known issuer."
        }
        rustls::Error::InvalidCertificate(C::Revoked) => "The certificate has been revoked.",
        _ => "The certificate is not trusted.",
    }
}

/// virNetTLSContextSanityCheckCredentials: our certificate and the CA's import, and ours
/// verifies against the CA.
fn sanity_check(files: &Files) -> Result<()> {
    let mut cert = None;
    if readable(&files.cert) {
        let pem = read_file(&files.cert)?;
        let c = certificates(&pem).into_iter().next().ok_or_else(|| {
            system_error(format!(
                "Unable to import client certificate {}",
                files.cert.display()
            ))
        })?;
        cert = Some(c);
    }
    let mut roots = RootCertStore::empty();
    if readable(&files.cacert) {
        let pem = read_file(&files.cacert)?;
        let cas = certificates(&pem);
        let (added, _) = roots.add_parsable_certificates(cas);
        if added == 0 {
            return Err(system_error(format!(
                "Unable to import CA certificate list {}",
                files.cacert.display()
            )));
        }
    }
    let Some(cert) = cert.filter(|_| !roots.is_empty()) else {
        return Ok(());
    };
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| system_error(format!("Unable to verify client certificate: {e}")))?;
    verifier
        .verify_client_cert(&cert, &[], UnixTime::now())
        .map(drop)
        .map_err(|e| {
            system_error(format!(
                "Our own certificate {} failed validation against {}: {}",
                files.cert.display(),
                files.cacert.display(),
                invalid_reason(&e)
            ))
        })
}

/// The CA certificates to trust; the reference's error when the file is not there.
fn trust_anchors(files: &Files) -> Result<RootCertStore> {
    if !files.cacert.exists() {
        return Err(Error::system(
            VIR_FROM_RPC,
            libc::ENOENT,
            format!("Cannot read CA certificate '{}'", files.cacert.display()),
        ));
    }
    let pem = read_file(&files.cacert)?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certificates(&pem));
    if added == 0 {
        return Err(system_error(format!(
            "Unable to set x509 CA certificate: {}: {GNUTLS_BASE64_ERROR}",
            files.cacert.display()
        )));
    }
    Ok(roots)
}

/// The revocation list, when there is one.
fn revocation_lists(files: &Files) -> Result<Vec<CertificateRevocationListDer<'static>>> {
    if !files.cacrl.exists() {
        return Ok(Vec::new());
    }
    let pem = read_file(&files.cacrl)?;
    let crls: Vec<_> = CertificateRevocationListDer::pem_slice_iter(&pem)
        .filter_map(std::result::Result::ok)
        .collect();
    if crls.is_empty() {
        return Err(system_error(format!(
            "Unable to set x509 certificate revocation list: {}: {GNUTLS_BASE64_ERROR}",
            files.cacrl.display()
        )));
    }
    Ok(crls)
}

/// Our certificate and key, when both files are there (a client may have none).
type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn identity(files: &Files) -> Result<Option<Identity>> {
    if !files.cert.exists() || !files.key.exists() {
        return Ok(None);
    }
    let failed = |why: &str| {
        system_error(format!(
            "Unable to set x509 key and certificate: {}, {}: {why}",
            files.key.display(),
            files.cert.display()
        ))
    };
    let certs = certificates(&read_file(&files.cert)?);
    if certs.is_empty() {
        return Err(failed(GNUTLS_BASE64_ERROR));
    }
    let key = PrivateKeyDer::from_pem_slice(&read_file(&files.key)?)
        .map_err(|_| failed(GNUTLS_NO_DATA))?;
    Ok(Some((certs, key)))
}

/// Verifies the server's certificate with webpki and remembers that it failed, so that the
/// handshake's failure reads as the reference's; with `no_verify`, accepts any certificate
/// (the handshake's signatures are still checked).
#[derive(Debug)]
struct ServerCheck {
    webpki: Arc<WebPkiServerVerifier>,
    verify: bool,
    refused: Mutex<bool>,
}

impl ServerCertVerifier for ServerCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => Ok(v),
            Err(_) if !self.verify => Ok(ServerCertVerified::assertion()),
            Err(e) => {
                *lock(&self.refused) = true;
                Err(e)
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// One connection's TLS settings, made before it connects (as the reference's context).
pub(super) struct Context {
    config: Arc<ClientConfig>,
    check: Arc<ServerCheck>,
}

impl Context {
    pub(super) fn new(opts: &Options) -> Result<Context> {
        let home = (!running_as_root())
            .then(|| std::env::var_os("HOME").map(PathBuf::from))
            .flatten();
        Self::from_files(&locate(opts.pkipath, home.as_deref()), opts)
    }

    fn from_files(files: &Files, opts: &Options) -> Result<Context> {
        if opts.sanity {
            sanity_check(files)?;
        }
        let roots = Arc::new(trust_anchors(files)?);
        let crls = revocation_lists(files)?;
        let identity = identity(files)?;
        let provider = provider();
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .with_crls(crls)
            .build()
            .map_err(|e| system_error(format!("Unable to set x509 CA certificate: {e}")))?;
        let check = Arc::new(ServerCheck {
            webpki,
            verify: opts.verify,
            refused: Mutex::new(false),
        });
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| system_error(format!("Unable to set TLS session priority: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(check.clone());
        let config = match identity {
            Some((certs, key)) => builder.with_client_auth_cert(certs, key).map_err(|e| {
                system_error(format!("Unable to set x509 key and certificate: {e}"))
            })?,
            None => builder.with_no_client_auth(),
        };
        Ok(Context {
            config: Arc::new(config),
            check,
        })
    }

    /// The handshake on a connected socket, then the daemon's verdict on our certificate.
    pub(super) fn connect(self, sock: TcpStream, host: &str) -> Result<TlsStream> {
        let handshake_failed = |why: String| {
            Error::with(
                VIR_ERR_AUTH_FAILED,
                VIR_FROM_RPC,
                format!("TLS handshake failed {why}"),
            )
        };
        let name =
            ServerName::try_from(host.to_string()).map_err(|e| handshake_failed(e.to_string()))?;
        let mut conn = ClientConnection::new(self.config.clone(), name)
            .map_err(|e| handshake_failed(e.to_string()))?;
        // A call's message is sealed whole, whatever its size (up to the RPC's limit).
        conn.set_buffer_limit(None);
        let _ = sock.set_read_timeout(Some(HANDSHAKE_DEADLINE));
        let _ = sock.set_write_timeout(Some(HANDSHAKE_DEADLINE));
        let mut io = &sock;
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut io) {
                if *lock(&self.check.refused) {
                    return Err(Error::with(
                        VIR_ERR_AUTH_FAILED,
                        VIR_FROM_RPC,
                        "Failed to verify peer's certificate",
                    ));
                }
                return Err(handshake_failed(e.to_string()));
            }
        }
        let mut stream = TlsStream::new(sock, conn);
        stream.read_verdict()?;
        let _ = stream.sock.set_read_timeout(None);
        let _ = stream.sock.set_write_timeout(None);
        Ok(stream)
    }
}

/// The state both halves of a connection share: the TLS session, and the right to send (records
/// go out in the order they were sealed).
struct Shared {
    session: Mutex<ClientConnection>,
    sending: Mutex<()>,
}

/// One half of a TLS connection: the reading half keeps what it decrypted and not yet handed
/// out; the writing half seals and sends.
pub struct TlsStream {
    sock: TcpStream,
    shared: Arc<Shared>,
    plain: Vec<u8>,
    taken: usize,
    /// The peer closed: cleanly (close_notify) or not.
    ended: Option<bool>,
}

/// What a TLS failure reads as to the reference's socket layer: EIO.
fn tls_io_error() -> std::io::Error {
    std::io::Error::from_raw_os_error(libc::EIO)
}

/// How much ciphertext is read from the socket at once.
const READ_CHUNK: usize = 16 * 1024;

impl TlsStream {
    fn new(sock: TcpStream, session: ClientConnection) -> TlsStream {
        TlsStream {
            sock,
            shared: Arc::new(Shared {
                session: Mutex::new(session),
                sending: Mutex::new(()),
            }),
            plain: Vec::new(),
            taken: 0,
            ended: None,
        }
    }

    /// The daemon's one byte after the handshake: 1 when it accepted our certificate and address.
    fn read_verdict(&mut self) -> Result<()> {
        let mut b = [0u8; 1];
        match self.read(&mut b) {
            Ok(1) if b[0] == VERDICT_OK => Ok(()),
            Ok(_) => Err(Error::with(
                VIR_ERR_RPC,
                VIR_FROM_RPC,
                "server verification (of our certificate or IP address) failed",
            )),
            Err(e) => Err(Error::system(
                VIR_FROM_RPC,
                e.raw_os_error().unwrap_or(libc::EIO),
                "Unable to read TLS confirmation",
            )),
        }
    }

    /// Another handle on the same connection (the reader thread's), with its own buffer.
    pub fn try_clone(&self) -> std::io::Result<TlsStream> {
        Ok(TlsStream {
            sock: self.sock.try_clone()?,
            shared: self.shared.clone(),
            plain: Vec::new(),
            taken: 0,
            ended: None,
        })
    }

    pub fn fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }

    /// Whether plain text is waiting here that the socket no longer shows as readable.
    pub fn buffered(&self) -> bool {
        self.taken < self.plain.len()
    }

    pub fn set_read_timeout(&self, t: Option<Duration>) {
        let _ = self.sock.set_read_timeout(t);
    }

    /// Say goodbye (close_notify) as far as the socket takes it, then close both ways.
    pub fn shutdown(&mut self) {
        let _ = self.seal(|s| {
            s.send_close_notify();
            Ok(())
        });
        let _ = self.sock.shutdown(Shutdown::Both);
    }

    /// Run `f` on the session, then send whatever TLS records it produced, in order.
    fn seal(
        &self,
        f: impl FnOnce(&mut ClientConnection) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let _turn = lock(&self.shared.sending);
        let mut records = Vec::new();
        {
            let mut s = lock(&self.shared.session);
            f(&mut s)?;
            while s.wants_write() {
                s.write_tls(&mut records)?;
            }
        }
        (&self.sock).write_all(&records)
    }

    /// Hand ciphertext to the session and keep the plaintext it yields.
    fn absorb(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        let at_end = data.is_empty();
        loop {
            let shared = self.shared.clone();
            let reply = {
                let mut s = lock(&shared.session);
                s.read_tls(&mut data)?;
                if s.process_new_packets().is_err() {
                    drop(s);
                    // The alert the session queued goes out, as far as it can.
                    let _ = self.seal(|_| Ok(()));
                    return Err(tls_io_error());
                }
                self.drain(&mut s);
                s.wants_write()
            };
            if reply {
                self.seal(|_| Ok(()))?;
            }
            if data.is_empty() {
                break;
            }
        }
        if at_end && self.ended.is_none() {
            self.ended = Some(false);
        }
        Ok(())
    }

    fn drain(&mut self, s: &mut ClientConnection) {
        if self.taken == self.plain.len() {
            self.plain.clear();
            self.taken = 0;
        }
        let mut buf = [0u8; READ_CHUNK];
        loop {
            match s.reader().read(&mut buf) {
                Ok(0) => {
                    self.ended = Some(true);
                    return;
                }
                Ok(n) => self.plain.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => {
                    self.ended.get_or_insert(false);
                    return;
                }
            }
        }
    }
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.taken < self.plain.len() {
                let n = buf.len().min(self.plain.len() - self.taken);
                buf[..n].copy_from_slice(&self.plain[self.taken..self.taken + n]);
                self.taken += n;
                return Ok(n);
            }
            match self.ended {
                // The peer said goodbye: the end of the stream.
                Some(true) => return Ok(0),
                // It went without a word: GnuTLS's premature termination, EIO to the reference.
                Some(false) => return Err(tls_io_error()),
                None => {}
            }
            let mut raw = [0u8; READ_CHUNK];
            let n = (&self.sock).read(&mut raw)?;
            self.absorb(&raw[..n])?;
        }
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.seal(|s| {
            let mut rest = buf;
            while !rest.is_empty() {
                // The session buffers without limit (set at its start): 0 would loop forever.
                match s.writer().write(rest)? {
                    0 => return Err(std::io::Error::from(ErrorKind::WriteZero)),
                    n => rest = &rest[n..],
                }
            }
            Ok(())
        })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_libvirts_layout() {
        let f = locate(Some("/p"), Some(Path::new("/home/u")));
        assert_eq!(f.cacert, Path::new("/p/cacert.pem"));
        assert_eq!(f.key, Path::new("/p/clientkey.pem"));
        let f = locate(None, None);
        assert_eq!(f.cacert, Path::new(SYSTEM_CACERT));
        assert_eq!(f.cert, Path::new(SYSTEM_CLIENTCERT));
        assert_eq!(f.key, Path::new(SYSTEM_CLIENTKEY));
        // A user folder with only a CA: the CA from there, the rest from the system.
        let home = std::env::temp_dir().join(format!("oxvirt-tls-{}", std::process::id()));
        let dir = home.join(USER_PKI_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cacert.pem"), "x").unwrap();
        std::fs::write(dir.join("clientcert.pem"), "x").unwrap();
        let f = locate(None, Some(&home));
        assert_eq!(f.cacert, dir.join("cacert.pem"));
        assert_eq!(f.cert, Path::new(SYSTEM_CLIENTCERT));
        std::fs::write(dir.join("clientkey.pem"), "x").unwrap();
        let f = locate(None, Some(&home));
        assert_eq!(
            (f.cert, f.key),
            (dir.join("clientcert.pem"), dir.join("clientkey.pem"))
        );
        let _ = std::fs::remove_dir_all(&home);
    }

    #[test]
    fn a_missing_ca_is_the_references_error() {
        let files = locate(Some("/nonexistent"), None);
        let opts = Options {
            pkipath: None,
            sanity: true,
            verify: true,
        };
        let e = Context::from_files(&files, &opts).err().unwrap();
        assert_eq!((e.code, e.domain, e.int1), (38, VIR_FROM_RPC, libc::ENOENT));
        assert_eq!(
            e.message,
            "Cannot read CA certificate '/nonexistent/cacert.pem': No such file or directory"
        );
    }
}
