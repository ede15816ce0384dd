//! The client side of the SASL mechanisms the remote driver offers: SCRAM-SHA-256 (RFC 5802,
//! RFC 7677) and PLAIN (RFC 4616). Neither has a security layer, so the reference's client uses
//! them only on a channel that is already secure (TLS, a unix socket, ssh).
//!
//! A mechanism is driven as Cyrus SASL's client is: `start` gives the first message, `step`
//! answers each challenge, and each says whether the client side is done.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// What one turn of a mechanism produced: data for the server (None is "no data", distinct from
/// empty data on the wire), and whether the client side has finished.
#[derive(Debug, PartialEq)]
pub(super) struct Turn {
    pub data: Option<Vec<u8>>,
    pub done: bool,
}

/// Why a mechanism gave up, in Cyrus SASL's words (its result code and text).
#[derive(Debug, PartialEq)]
pub(super) struct Failure {
    pub code: i32,
    pub text: String,
}

/// Cyrus SASL's result codes the mechanisms here return.
const SASL_BADPROT: i32 = -5;
const SASL_BADAUTH: i32 = -13;

fn bad_protocol(what: &str) -> Failure {
    Failure {
        code: SASL_BADPROT,
        text: format!("SASL(-5): bad protocol / cancel: {what}"),
    }
}

/// The credentials a mechanism needs.
pub(super) struct Credentials {
    /// The authorization identity, when the application gave one.
    pub authzid: Option<String>,
    pub authcid: String,
    pub password: String,
}

pub(super) trait Mechanism {
    fn start(&mut self) -> Result<Turn, Failure>;
    fn step(&mut self, challenge: Option<&[u8]>) -> Result<Turn, Failure>;
}

/// The mechanisms this client implements, best first.
pub(super) const SCRAM_SHA_256: &str = "SCRAM-SHA-256";
pub(super) const PLAIN: &str = "PLAIN";
pub(super) const MECHANISMS: &[&str] = &[SCRAM_SHA_256, PLAIN];

/// The mechanism called `name` (one of [`MECHANISMS`]).
pub(super) fn mechanism(
    name: &str,
    creds: Credentials,
    nonce: String,
) -> Option<Box<dyn Mechanism + Send>> {
    match name {
        SCRAM_SHA_256 => Some(Box::new(Scram::new(creds, nonce))),
        PLAIN => Some(Box::new(Plain { creds })),
        _ => None,
    }
}

/// PLAIN: authzid NUL authcid NUL password, once.
struct Plain {
    creds: Credentials,
}

impl Mechanism for Plain {
    fn start(&mut self) -> Result<Turn, Failure> {
        let c = &self.creds;
        let mut msg = Vec::new();
        msg.extend_from_slice(c.authzid.as_deref().unwrap_or("").as_bytes());
        msg.push(0);
        msg.extend_from_slice(c.authcid.as_bytes());
        msg.push(0);
        msg.extend_from_slice(c.password.as_bytes());
        Ok(Turn {
            data: Some(msg),
            done: true,
        })
    }

    fn step(&mut self, _challenge: Option<&[u8]>) -> Result<Turn, Failure> {
        Ok(Turn {
            data: None,
            done: true,
        })
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length.
    let mut m = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// saslname: `=` and `,` escaped (RFC 5802 section 5.1).
fn saslname(s: &str) -> String {
    s.replace('=', "=3D").replace(',', "=2C")
}

/// SCRAM-SHA-256 without channel binding.
struct Scram {
    creds: Credentials,
    client_nonce: String,
    state: ScramState,
}

enum ScramState {
    Initial,
    /// Sent client-first; keeps client-first-bare and the GS2 header.
    SentFirst {
        first_bare: String,
        gs2: String,
    },
    /// Sent client-final; keeps the signature the server must prove.
    SentFinal {
        server_signature: [u8; 32],
    },
    Done,
}

/// The parts of the server-first message.
struct ServerFirst<'a> {
    nonce: &'a str,
    salt: Vec<u8>,
    iterations: u32,
}

/// RFC 5802's attribute=value list: the value of `key`, where present.
fn attribute(msg: &str, key: char) -> Option<&str> {
    msg.split(',').find_map(|a| {
        let mut it = a.splitn(2, '=');
        match (it.next(), it.next()) {
            (Some(k), Some(v)) if k.len() == 1 && k.starts_with(key) => Some(v),
            _ => None,
        }
    })
}

fn server_first(msg: &str) -> Result<ServerFirst<'_>, Failure> {
    if let Some(e) = attribute(msg, 'e') {
        return Err(bad_protocol(&format!("server error {e}")));
    }
    let nonce = attribute(msg, 'r').ok_or_else(|| bad_protocol("no nonce"))?;
    let salt = attribute(msg, 's')
        .and_then(|s| BASE64.decode(s).ok())
        .ok_or_else(|| bad_protocol("bad salt"))?;
    let iterations = attribute(msg, 'i')
        .and_then(|i| i.parse::<u32>().ok())
        .filter(|i| *i > 0)
        .ok_or_else(|| bad_protocol("bad iteration count"))?;
    Ok(ServerFirst {
        nonce,
        salt,
        iterations,
    })
}

impl Scram {
    fn new(creds: Credentials, client_nonce: String) -> Scram {
        Scram {
            creds,
            client_nonce,
            state: ScramState::Initial,
        }
    }

    /// client-final from the server-first message.
    fn client_final(
        &self,
        first_bare: &str,
        gs2: &str,
        challenge: &str,
    ) -> Result<(String, [u8; 32]), Failure> {
        let sf = server_first(challenge)?;
        if !sf.nonce.starts_with(&self.client_nonce) || sf.nonce.len() == self.client_nonce.len() {
            return Err(bad_protocol("nonce mismatch"));
        }
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2::<HmacSha256>(
            self.creds.password.as_bytes(),
            &sf.salt,
            sf.iterations,
            &mut salted,
        )
        .map_err(|_| bad_protocol("key derivation"))?;
        let client_key = hmac(&salted, b"Client Key");
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        let without_proof = format!("c={},r={}", BASE64.encode(gs2), sf.nonce);
        let auth_message = format!("{first_bare},{challenge},{without_proof}");
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature.iter())
            .map(|(k, s)| k ^ s)
            .collect();
        let server_key = hmac(&salted, b"Server Key");
        let server_signature = hmac(&server_key, auth_message.as_bytes());
        Ok((
            format!("{without_proof},p={}", BASE64.encode(proof)),
            server_signature,
        ))
    }
}

impl Mechanism for Scram {
    fn start(&mut self) -> Result<Turn, Failure> {
        let gs2 = match &self.creds.authzid {
            Some(a) if !a.is_empty() => format!("n,a={},", saslname(a)),
            _ => "n,,".to_string(),
        };
        let first_bare = format!(
            "n={},r={}",
            saslname(&self.creds.authcid),
            self.client_nonce
        );
        let msg = format!("{gs2}{first_bare}");
        self.state = ScramState::SentFirst { first_bare, gs2 };
        Ok(Turn {
            data: Some(msg.into_bytes()),
            done: false,
        })
    }

    fn step(&mut self, challenge: Option<&[u8]>) -> Result<Turn, Failure> {
        let text = std::str::from_utf8(challenge.unwrap_or_default())
            .map_err(|_| bad_protocol("challenge is not UTF-8"))?;
        match std::mem::replace(&mut self.state, ScramState::Done) {
            ScramState::SentFirst { first_bare, gs2 } => {
                let (msg, server_signature) = self.client_final(&first_bare, &gs2, text)?;
                self.state = ScramState::SentFinal { server_signature };
                Ok(Turn {
                    data: Some(msg.into_bytes()),
                    done: false,
                })
            }
            ScramState::SentFinal { server_signature } => {
                if let Some(e) = attribute(text, 'e') {
                    return Err(Failure {
                        code: SASL_BADAUTH,
                        text: format!("SASL(-13): authentication failure: {e}"),
                    });
                }
                let proved = attribute(text, 'v').and_then(|v| BASE64.decode(v).ok());
                if proved.as_deref() != Some(&server_signature[..]) {
                    return Err(Failure {
                        code: SASL_BADAUTH,
                        text: "SASL(-13): authentication failure: server signature mismatch"
                            .to_string(),
                    });
                }
                Ok(Turn {
                    data: None,
                    done: true,
                })
            }
            ScramState::Initial | ScramState::Done => Err(bad_protocol("unexpected challenge")),
        }
    }
}

/// A fresh client nonce: 24 random bytes in base64 (printable, no comma).
pub(super) fn nonce() -> String {
    let mut raw = [0u8; 24];
    // The same source rustls keys its sessions from.
    let _ = rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut raw);
    BASE64.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(user: &str, password: &str) -> Credentials {
        Credentials {
            authzid: None,
            authcid: user.into(),
            password: password.into(),
        }
    }

    /// RFC 7677 section 3's example exchange.
    #[test]
    fn scram_sha_256_as_rfc_7677() {
        let mut m = Scram::new(creds("user", "pencil"), "rOprNGfwEbeRWgbNEkqO".into());
        let first = m.start().unwrap();
        assert_eq!(first.data.unwrap(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let fin = m.step(Some(server_first)).unwrap();
        assert!(!fin.done);
        assert_eq!(
            String::from_utf8(fin.data.unwrap()).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        let done = m
            .step(Some(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
            .unwrap();
        assert_eq!(
            done,
            Turn {
                data: None,
                done: true
            }
        );
    }

    #[test]
    fn scram_refuses_a_server_that_cannot_prove_the_password() {
        let mut m = Scram::new(creds("user", "pencil"), "abc".into());
        m.start().unwrap();
        m.step(Some(b"r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=16"))
            .unwrap();
        let e = m.step(Some(b"v=AAAA")).unwrap_err();
        assert_eq!(e.code, SASL_BADAUTH);
        let mut m = Scram::new(creds("user", "pencil"), "abc".into());
        m.start().unwrap();
        // A server nonce that does not extend ours.
        let e = m.step(Some(b"r=xyz,s=AAAA,i=16")).unwrap_err();
        assert_eq!(e.code, SASL_BADPROT);
    }

    #[test]
    fn plain_and_names() {
        let mut c = creds("alice", "secret");
        c.authzid = Some("admin".into());
        let mut m = Plain { creds: c };
        assert_eq!(
            m.start().unwrap(),
            Turn {
                data: Some(b"admin\0alice\0secret".to_vec()),
                done: true
            }
        );
        assert_eq!(saslname("a=b,c"), "a=3Db=2Cc");
        assert!(!nonce().contains(','));
    }
}
