//! Authentication with the daemon after the transport is up, as the reference's client does it:
//! the daemon lists the types it accepts (REMOTE_PROC_AUTH_LIST); the URI's `auth` parameter
//! (`sasl`, `sasl.MECH`, `polkit`) picks one, else the daemon's first; then "none" needs nothing,
//! polkit one call, and SASL the exchange of REMOTE_PROC_AUTH_SASL_INIT/START/STEP with a
//! mechanism of ours (see `sasl`), its credentials taken from auth.conf where it has them
//! (`auth-libvirt-HOST` / `credentials-NAME`: `username`, `authname`, `password`) and the rest
//! asked of the application's callback (virConnectOpenAuth) all at once with Cyrus SASL's prompts.

use super::client::Client;
use super::protocol::{self, proc};
use super::rpc;
use super::sasl::{self, Credentials, Failure, Mechanism, Turn};
use crate::api::ConnectCredentialType;
use crate::auth::{Answer, Asker, Prompter, Request};
use crate::error::{Error, Result, VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, VIR_FROM_RPC};
use crate::uri::Uri;

use protocol::{REMOTE_AUTH_NONE as AUTH_NONE, REMOTE_AUTH_POLKIT as AUTH_POLKIT};
use protocol::{REMOTE_AUTH_SASL as AUTH_SASL, REMOTE_AUTH_SASL_DATA_MAX as SASL_DATA_MAX};
/// Cyrus SASL's SASL_NOMECH.
const SASL_NOMECH: i32 = -4;
/// Cyrus SASL's SASL_BADPARAM.
const SASL_BADPARAM: i32 = -7;

const USERNAME: i32 = ConnectCredentialType::Username as i32;
const AUTHNAME: i32 = ConnectCredentialType::Authname as i32;
const PASSPHRASE: i32 = ConnectCredentialType::Passphrase as i32;

/// What authentication may use of the connection.
pub(super) struct Context<'a> {
    pub prompter: Option<&'a dyn Prompter>,
    /// The URI opened: its server names the auth.conf group, its `authfile` the file.
    pub uri: Option<&'a Uri>,
    /// The URI's `auth` parameter.
    pub authtype: Option<&'a str>,
    /// Whether the channel is already secure (TLS, a unix socket, ssh): the reference allows
    /// mechanisms without a security layer only there.
    pub secure: bool,
}

fn failed(domain: i32, message: String) -> Error {
    Error::with(VIR_ERR_AUTH_FAILED, domain, message)
}

/// remoteAuthenticate: authenticate as the daemon asks; the answer says whether a SASL session
/// now wraps the connection (which the reference's client counts as encrypted).
pub(super) fn authenticate(client: &Client, ctx: &Context) -> Result<bool> {
    let types = match rpc::<_, protocol::AuthListRet>(client, proc::AUTH_LIST, &()) {
        Ok(r) => r.types,
        // A daemon older than authentication.
        Err(e) if e.message.ends_with("unknown procedure") => return Ok(false),
        Err(e) => return Err(e),
    };
    let Some(&first) = types.first() else {
        return Ok(false);
    };
    let mut mech = None;
    let chosen = match ctx.authtype {
        None => first,
        Some(t) => {
            let want = if t.eq_ignore_ascii_case("sasl") {
                AUTH_SASL
            } else if t.len() > 5 && t[..5].eq_ignore_ascii_case("sasl.") {
                mech = Some(&t[5..]);
                AUTH_SASL
            } else if t.eq_ignore_ascii_case("polkit") {
                AUTH_POLKIT
            } else {
                return Err(failed(
                    VIR_FROM_REMOTE,
                    format!("unknown authentication type {t}"),
                ));
            };
            if !types.contains(&want) {
                return Err(failed(
                    VIR_FROM_REMOTE,
                    format!("requested authentication type {t} rejected"),
                ));
            }
            want
        }
    };
    match chosen {
        AUTH_NONE => Ok(false),
        AUTH_SASL => sasl_exchange(client, ctx, mech).map(|()| true),
        AUTH_POLKIT => {
            rpc::<_, protocol::AuthPolkitRet>(client, proc::AUTH_POLKIT, &()).map(|_| false)
        }
        other => Err(failed(
            VIR_FROM_REMOTE,
            format!("unsupported authentication type {other}"),
        )),
    }
}

/// A mechanism failed on our side: Cyrus SASL's code and words in the reference's message.
fn mechanism_failed(starting: bool, f: Failure) -> Error {
    let what = if starting { "start" } else { "step" };
    failed(
        VIR_FROM_RPC,
        format!("Failed to {what} SASL negotiation: {} ({})", f.code, f.text),
    )
}

fn no_worthy_mechanism() -> Error {
    mechanism_failed(
        true,
        Failure {
            code: SASL_NOMECH,
            text: "SASL(-4): no mechanism available: No worthy mechs found".into(),
        },
    )
}

/// The mechanism we use of those the daemon offers (or the one the URI names), when the
/// channel and the application's credential types allow one.
fn choose(ctx: &Context, offered: &str, wanted: Option<&str>) -> Result<&'static str> {
    if let Some(w) = wanted {
        // As the reference: the name need only appear in the daemon's list.
        if !offered.contains(w) {
            return Err(failed(
                VIR_FROM_REMOTE,
                format!("SASL mechanism {w} not supported by server"),
            ));
        }
    }
    let candidates: Vec<&str> = match wanted {
        Some(w) => vec![w],
        None => offered
            .split([' ', ',', '\t', '\n'])
            .filter(|m| !m.is_empty())
            .collect(),
    };
    let types = ctx.prompter.map(|p| p.cred_types()).unwrap_or_default();
    let can_answer = types.contains(&AUTHNAME) && types.contains(&PASSPHRASE);
    if !ctx.secure || !can_answer {
        return Err(no_worthy_mechanism());
    }
    sasl::MECHANISMS
        .iter()
        .find(|m| candidates.iter().any(|c| c.eq_ignore_ascii_case(m)))
        .copied()
        .ok_or_else(no_worthy_mechanism)
}

/// One credential a mechanism needs: Cyrus SASL's interaction as the reference fills it.
struct Need {
    cred_type: i32,
    /// Its key in an auth.conf `credentials-NAME` group.
    conf_key: &'static str,
    prompt: &'static str,
    challenge: &'static str,
}

const AUTHZ: Need = Need {
    cred_type: USERNAME,
    conf_key: "username",
    prompt: "Please enter your authorization name",
    challenge: "Authorization Name",
};
const AUTHN: Need = Need {
    cred_type: AUTHNAME,
    conf_key: "authname",
    prompt: "Please enter your authentication name",
    challenge: "Authentication Name",
};
const PASS: Need = Need {
    cred_type: PASSPHRASE,
    conf_key: "password",
    prompt: "Please enter your password",
    challenge: "Password",
};

/// What the mechanisms need (the authorization name only where the application offers
/// VIR_CRED_USERNAME), as remoteAuthInteract gets it: from auth.conf first (service `libvirt`,
/// the URI's server or `localhost`), then what is still missing from the application's
/// callback, in one go. Nothing missing: the callback is not called.
fn credentials(ctx: &Context) -> Result<Credentials> {
    let offers_username = ctx
        .prompter
        .is_some_and(|p| p.cred_types().contains(&USERNAME));
    let needs: Vec<&Need> = [&AUTHZ, &AUTHN, &PASS]
        .into_iter()
        .filter(|n| n.cred_type != USERNAME || offers_username)
        .collect();
    let asker = Asker {
        service: "libvirt",
        uri: ctx.uri,
    };
    let host = ctx
        .uri
        .and_then(|u| u.server.as_deref())
        .unwrap_or("localhost");
    let mut values = needs
        .iter()
        .map(|n| crate::auth::from_auth_file(asker, host, n.conf_key))
        .collect::<Result<Vec<Option<String>>>>()?;
    let missing: Vec<Request> = needs
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| Request {
            cred_type: n.cred_type,
            prompt: n.prompt.to_string(),
            challenge: n.challenge.to_string(),
            default: None,
        })
        .collect();
    if !missing.is_empty() {
        let prompter = ctx.prompter.ok_or_else(|| {
            failed(
                VIR_FROM_REMOTE,
                "No authentication callback available".into(),
            )
        })?;
        let answers = prompter
            .ask_all(&missing)
            .ok_or_else(|| failed(VIR_FROM_REMOTE, "Failed to collect auth credentials".into()))?;
        let mut answers = answers.into_iter().map(|a| match a {
            Answer::Given(s) => Some(s),
            Answer::Nothing | Answer::Failed => None,
        });
        for v in values.iter_mut().filter(|v| v.is_none()) {
            *v = answers.next().flatten();
        }
    }
    let mut values = values.into_iter();
    let authzid = if offers_username {
        values.next().flatten().filter(|s| !s.is_empty())
    } else {
        None
    };
    // A required credential the callback left without a result: Cyrus SASL's mechanism refuses
    // to start (the authorization name is optional).
    let (authcid, password) = (values.next().flatten(), values.next().flatten());
    let missing = |getter: &str| {
        mechanism_failed(
            true,
            Failure {
                code: SASL_BADPARAM,
                text: format!(
                    "SASL(-7): invalid parameter supplied: Unexpectedly missing a prompt result in {getter}"
                ),
            },
        )
    };
    Ok(Credentials {
        authzid,
        authcid: authcid.ok_or_else(|| missing("_plug_get_simple"))?,
        password: password.ok_or_else(|| missing("_plug_get_password"))?,
    })
}

/// XDR's `char data<>` as the bytes they carry (xdr_char sends each as a signed char).
fn bytes_of(data: Vec<i8>, nil: i32) -> Option<Vec<u8>> {
    (nil == 0).then(|| data.into_iter().map(|c| c as u8).collect())
}

/// Our data for the daemon: `nil` tells "no data" from empty data.
fn chars_of(data: &Option<Vec<u8>>) -> Result<(i32, Vec<i8>)> {
    let bytes = data.as_deref().unwrap_or_default();
    if bytes.len() > SASL_DATA_MAX as usize {
        return Err(failed(
            VIR_FROM_REMOTE,
            format!("SASL negotiation data too long: {} bytes", bytes.len()),
        ));
    }
    Ok((
        data.is_none() as i32,
        bytes.iter().map(|&b| b as i8).collect(),
    ))
}

/// remoteAuthSASL: mechanisms from the daemon, ours started, then challenges answered until
/// both sides are done (the client always checks the daemon's last word, for mutual proof).
fn sasl_exchange(client: &Client, ctx: &Context, wanted: Option<&str>) -> Result<()> {
    let init: protocol::AuthSaslInitRet = rpc(client, proc::AUTH_SASL_INIT, &())?;
    let name = choose(ctx, &init.mechlist, wanted)?;
    let creds = credentials(ctx)?;
    let mut mech: Box<dyn Mechanism + Send> =
        sasl::mechanism(name, creds, sasl::nonce()).ok_or_else(no_worthy_mechanism)?;
    let Turn { data, mut done } = mech.start().map_err(|f| mechanism_failed(true, f))?;
    let (nil, data) = chars_of(&data)?;
    let args = protocol::AuthSaslStartArgs {
        mech: name.into(),
        nil,
        data,
    };
    let r: protocol::AuthSaslStartRet = rpc(client, proc::AUTH_SASL_START, &args)?;
    let (mut complete, mut challenge) = (r.complete != 0, bytes_of(r.data, r.nil));
    if complete && done {
        return Ok(());
    }
    loop {
        let turn = mech
            .step(challenge.as_deref())
            .map_err(|f| mechanism_failed(false, f))?;
        done = turn.done;
        if complete && done {
            return Ok(());
        }
        let (nil, data) = chars_of(&turn.data)?;
        let args = protocol::AuthSaslStepArgs { nil, data };
        let r: protocol::AuthSaslStepRet = rpc(client, proc::AUTH_SASL_STEP, &args)?;
        (complete, challenge) = (r.complete != 0, bytes_of(r.data, r.nil));
        if complete && done {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Offers(Vec<i32>);

    impl Prompter for Offers {
        fn cred_types(&self) -> Vec<i32> {
            self.0.clone()
        }
        fn ask(&self, r: &Request) -> Answer {
            Answer::Given(format!("{}", r.cred_type))
        }
    }

    #[test]
    fn mechanism_choice_as_the_references() {
        let both = Offers(vec![AUTHNAME, PASSPHRASE]);
        let ctx = |p: &'static Offers, secure| Context {
            prompter: Some(p),
            uri: None,
            authtype: None,
            secure,
        };
        let both: &'static Offers = Box::leak(Box::new(both));
        let list = "DIGEST-MD5 PLAIN SCRAM-SHA-256";
        assert_eq!(
            choose(&ctx(both, true), list, None).unwrap(),
            "SCRAM-SHA-256"
        );
        assert_eq!(
            choose(&ctx(both, true), list, Some("PLAIN")).unwrap(),
            "PLAIN"
        );
        let e = choose(&ctx(both, true), list, Some("GSSAPI")).unwrap_err();
        assert_eq!(
            (e.domain, e.message.as_str()),
            (
                VIR_FROM_REMOTE,
                "authentication failed: SASL mechanism GSSAPI not supported by server"
            )
        );
        // Plain TCP: no mechanism without a security layer is worthy.
        let e = choose(&ctx(both, false), list, None).unwrap_err();
        assert!(e.message.contains("No worthy mechs found"), "{}", e.message);
        let one: &'static Offers = Box::leak(Box::new(Offers(vec![AUTHNAME])));
        assert!(choose(&ctx(one, true), list, None).is_err());
        assert!(choose(&ctx(both, true), "DIGEST-MD5", None).is_err());
    }

    #[test]
    fn credentials_asked_with_cyrus_prompts() {
        let asked = |types: Vec<i32>| {
            let offers = Offers(types);
            credentials(&Context {
                prompter: Some(&offers),
                uri: None,
                authtype: None,
                secure: true,
            })
        };
        let c = asked(vec![USERNAME, AUTHNAME, PASSPHRASE]).unwrap();
        assert_eq!(c.authzid.as_deref(), Some("1"));
        assert_eq!((c.authcid.as_str(), c.password.as_str()), ("2", "5"));
        let c = asked(vec![AUTHNAME, PASSPHRASE]).unwrap();
        assert_eq!(c.authzid, None);
    }
}
