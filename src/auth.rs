//! Asking the application for credentials, as libvirt's virAuthGetUsername/virAuthGetPassword do
//! through the callback given to `virConnectOpenAuth`: one credential per call, with the
//! reference's prompts, challenge and errors (domain VIR_FROM_AUTH).
//!
//! Before asking, the credential is looked up in an auth.conf key file (`LIBVIRT_AUTH_FILE`, the
//! `authfile` URI parameter, `$XDG_CONFIG_HOME/libvirt/auth.conf`, `/etc/libvirt/auth.conf`, the
//! first that applies): group `auth-SERVICE-HOST` (else `auth-SERVICE-default`) names
//! `credentials=NAME`, and group `credentials-NAME` holds `username` and `password`.

use crate::api::ConnectCredentialType;
use crate::error::{
    Error, Result, VIR_ERR_AUTH_FAILED, VIR_ERR_CONF_SYNTAX, VIR_ERR_INVALID_ARG, VIR_FROM_AUTH,
    VIR_FROM_NONE,
};
use crate::keyfile::KeyFile;
use crate::uri::Uri;
use std::path::{Path, PathBuf};

// virConnectCredentialType values, as the C `int` the callback sees.
const AUTHNAME: i32 = ConnectCredentialType::Authname as i32;
const PASSPHRASE: i32 = ConnectCredentialType::Passphrase as i32;
const NOECHOPROMPT: i32 = ConnectCredentialType::Noechoprompt as i32;

/// One credential the application is asked for (libvirt's virConnectCredential, before the answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub cred_type: i32,
    pub prompt: String,
    pub challenge: String,
    pub default: Option<String>,
}

/// What the application's callback did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// It returned 0 and set a result.
    Given(String),
    /// It returned 0 and left the result NULL.
    Nothing,
    /// It returned -1.
    Failed,
}

/// The application's side of `virConnectAuth`: the credential types it offers and its callback.
pub trait Prompter {
    fn cred_types(&self) -> Vec<i32>;
    fn ask(&self, request: &Request) -> Answer;

    /// Several credentials at once, as the reference asks for what a SASL mechanism needs (one
    /// callback with them all): one answer each, or None when the callback failed. This default
    /// asks one at a time, every one even after a failure (the application sees every prompt,
    /// as with the reference's single call); a prompter that can hand the callback them all in
    /// one call should.
    fn ask_all(&self, requests: &[Request]) -> Option<Vec<Answer>> {
        let answers: Vec<Answer> = requests.iter().map(|r| self.ask(r)).collect();
        (!answers.contains(&Answer::Failed)).then_some(answers)
    }
}

fn auth_failed(info: &str) -> Error {
    Error::with(VIR_ERR_AUTH_FAILED, VIR_FROM_AUTH, info)
}

/// No callback at all (virConnectOpen, or virConnectOpenAuth with a NULL auth).
fn missing_credentials() -> Error {
    Error::with(
        VIR_ERR_INVALID_ARG,
        VIR_FROM_AUTH,
        "Missing authentication credentials",
    )
}

/// Ask for one credential of the first offered type among `wanted`. `Ok(None)`: the callback
/// answered without a result, which the reference lets through unexplained.
fn ask(
    prompter: Option<&dyn Prompter>,
    wanted: &[i32],
    prompt: String,
    hostname: &str,
    default: Option<&str>,
    request_failed: &str,
    type_missing: &str,
) -> Result<Option<String>> {
    let prompter = prompter.ok_or_else(missing_credentials)?;
    let Some(cred_type) = prompter
        .cred_types()
        .into_iter()
        .find(|t| wanted.contains(t))
    else {
        return Err(auth_failed(type_missing));
    };
    let request = Request {
        cred_type,
        prompt,
        challenge: hostname.to_string(),
        default: default.map(str::to_string),
    };
    match prompter.ask(&request) {
        Answer::Given(s) => Ok(Some(s)),
        Answer::Nothing => Ok(None),
        Answer::Failed => Err(auth_failed(request_failed)),
    }
}

/// Who asks for credentials: the driver's service name (`test`, `ssh`, ...) and the URI being
/// opened (its `authfile` parameter names an auth.conf).
#[derive(Clone, Copy)]
pub struct Asker<'a> {
    pub service: &'a str,
    pub uri: Option<&'a Uri>,
}

/// virAuthGetConfigFilePathURI: LIBVIRT_AUTH_FILE, the URI's `authfile`, then the first
/// readable of the user's and the system's auth.conf; None when there is none.
pub fn auth_file_path(uri: Option<&Uri>) -> Option<PathBuf> {
    if let Some(env) = std::env::var_os("LIBVIRT_AUTH_FILE") {
        return Some(PathBuf::from(env));
    }
    if let Some(file) = uri.and_then(|u| u.param("authfile")) {
        return Some(PathBuf::from(file));
    }
    let user = crate::client_conf::user_config_dir().map(|d| d.join("libvirt/auth.conf"));
    user.into_iter()
        .chain(std::iter::once(PathBuf::from("/etc/libvirt/auth.conf")))
        .find(|p| readable(p))
}

/// access(R_OK) as far as std can tell: the file opens for reading.
fn readable(path: &Path) -> bool {
    std::fs::File::open(path).is_ok()
}

/// virAuthGetCredential (virAuthConfigLookup): `credname` (`username`, `authname`, `password`)
/// for `hostname` from the auth file, if one applies and names it: group
/// `auth-SERVICE-HOSTNAME`, else `auth-SERVICE-default`, whose `credentials` names the group
/// `credentials-NAME` that holds the value.
pub fn from_auth_file(asker: Asker, hostname: &str, credname: &str) -> Result<Option<String>> {
    let Some(path) = auth_file_path(asker.uri) else {
        return Ok(None);
    };
    // The reference reports nothing when the file cannot be loaded: the open fails unexplained.
    let file = KeyFile::load(&path).ok_or_else(Error::unknown_cause)?;
    let shown = path.display();
    let service = asker.service;
    let mut auth_group = format!("auth-{service}-{hostname}");
    if !file.has_group(&auth_group) {
        auth_group = format!("auth-{service}-default");
    }
    if !file.has_group(&auth_group) {
        return Ok(None);
    }
    let conf_syntax = |msg: String| Error::with(VIR_ERR_CONF_SYNTAX, VIR_FROM_NONE, msg);
    let Some(credentials) = file.string(&auth_group, "credentials") else {
        return Err(conf_syntax(format!(
            "Missing item 'credentials' in group '{auth_group}' in '{shown}'"
        )));
    };
    let cred_group = format!("credentials-{credentials}");
    if !file.has_group(&cred_group) {
        return Err(conf_syntax(format!(
            "Missing group 'credentials-{credentials}' referenced from group '{auth_group}' in '{shown}'"
        )));
    }
    if !file.has_key(&cred_group, credname) {
        return Ok(None);
    }
    Ok(file.string(&cred_group, credname))
}

/// virAuthGetUsername: `Enter username for HOST` (`[DEFAULT]` appended when there is one).
pub fn username(
    prompter: Option<&dyn Prompter>,
    asker: Asker,
    default: Option<&str>,
    hostname: &str,
) -> Result<Option<String>> {
    if let Some(name) = from_auth_file(asker, hostname, "username")? {
        return Ok(Some(name));
    }
    let prompt = match default {
        Some(d) => format!("Enter username for {hostname} [{d}]"),
        None => format!("Enter username for {hostname}"),
    };
    ask(
        prompter,
        &[AUTHNAME],
        prompt,
        hostname,
        default,
        "Username request failed",
        "Missing VIR_CRED_AUTHNAME credential type",
    )
}

/// virAuthGetPassword: `Enter USER's password for HOST`, as a passphrase or a no-echo prompt,
/// whichever the application offers first.
pub fn password(
    prompter: Option<&dyn Prompter>,
    asker: Asker,
    username: &str,
    hostname: &str,
) -> Result<Option<String>> {
    if let Some(password) = from_auth_file(asker, hostname, "password")? {
        return Ok(Some(password));
    }
    ask(
        prompter,
        &[PASSPHRASE, NOECHOPROMPT],
        format!("Enter {username}'s password for {hostname}"),
        hostname,
        None,
        "Password request failed",
        "Missing VIR_CRED_PASSPHRASE or VIR_CRED_NOECHOPROMPT credential type",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A service no auth.conf names.
    const NOWHERE: Asker = Asker {
        service: "oxvirt-unit-test-nowhere",
        uri: None,
    };

    struct Scripted {
        types: Vec<i32>,
        answers: RefCell<Vec<Answer>>,
        asked: RefCell<Vec<Request>>,
    }

    impl Prompter for Scripted {
        fn cred_types(&self) -> Vec<i32> {
            self.types.clone()
        }
        fn ask(&self, request: &Request) -> Answer {
            self.asked.borrow_mut().push(request.clone());
            self.answers.borrow_mut().remove(0)
        }
    }

    fn scripted(types: &[i32], answers: Vec<Answer>) -> Scripted {
        Scripted {
            types: types.to_vec(),
            answers: RefCell::new(answers),
            asked: RefCell::new(Vec::new()),
        }
    }

    #[test]
    fn username_prompt_and_answer() {
        let p = scripted(&[AUTHNAME], vec![Answer::Given("alice".into())]);
        assert_eq!(
            username(Some(&p), NOWHERE, None, "localhost")
                .unwrap()
                .as_deref(),
            Some("alice")
        );
        let asked = p.asked.borrow();
        assert_eq!(asked[0].prompt, "Enter username for localhost");
        assert_eq!(asked[0].challenge, "localhost");
        assert_eq!(asked[0].default, None);
    }

    #[test]
    fn password_takes_the_first_offered_type() {
        let p = scripted(&[NOECHOPROMPT, PASSPHRASE], vec![Answer::Nothing]);
        assert_eq!(
            password(Some(&p), NOWHERE, "bob", "localhost").unwrap(),
            None
        );
        assert_eq!(p.asked.borrow()[0].cred_type, NOECHOPROMPT);
        assert_eq!(
            p.asked.borrow()[0].prompt,
            "Enter bob's password for localhost"
        );
    }

    #[test]
    fn ask_all_asks_every_credential_even_after_a_failure() {
        let r = |t| Request {
            cred_type: t,
            prompt: String::new(),
            challenge: String::new(),
            default: None,
        };
        let p = scripted(
            &[AUTHNAME, PASSPHRASE],
            vec![Answer::Failed, Answer::Nothing],
        );
        assert_eq!(p.ask_all(&[r(AUTHNAME), r(PASSPHRASE)]), None);
        assert_eq!(p.asked.borrow().len(), 2);
        let p = scripted(&[AUTHNAME], vec![Answer::Given("a".into())]);
        assert_eq!(
            p.ask_all(&[r(AUTHNAME)]),
            Some(vec![Answer::Given("a".into())])
        );
    }

    #[test]
    fn errors() {
        let e = username(None, NOWHERE, None, "h").unwrap_err();
        assert_eq!((e.code, e.domain), (VIR_ERR_INVALID_ARG, VIR_FROM_AUTH));
        let p = scripted(&[PASSPHRASE], vec![]);
        let e = username(Some(&p), NOWHERE, None, "h").unwrap_err();
        assert_eq!(
            e.str2.as_deref(),
            Some("Missing VIR_CRED_AUTHNAME credential type")
        );
        let p = scripted(&[AUTHNAME], vec![Answer::Failed]);
        let e = username(Some(&p), NOWHERE, None, "h").unwrap_err();
        assert_eq!(e.str2.as_deref(), Some("Username request failed"));
    }
}
