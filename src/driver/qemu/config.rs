//! `<root>/etc/qemu.conf` in libvirt's virconf syntax (`src/util/virconf.c`), read as the
//! reference's qemu driver reads it: `name = value` entries, `#` comments outside strings,
//! strings in double or single quotes (or `"""` spanning lines), integers (unsigned, or signed
//! with a sign), lists in brackets that may span lines (with a trailing comma), an optional `;`
//! after a value. A syntax error, or a known key with a value of the wrong type, refuses the
//! root with the reference's error; nothing is silently ignored. Our own keys (`oxvirt_*`, in
//! milliseconds) are read as unsigned integers; the reference's other keys are checked for type
//! and otherwise ignored.

use crate::error::{
    Error, Result, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_CONF_SYNTAX, VIR_ERR_INTERNAL_ERROR,
    VIR_FROM_CONF, VIR_FROM_QEMU,
};
use crate::process::KillTimeouts;
use std::path::Path;
use std::time::Duration;

/// Our keys (milliseconds), with the reference's defaults.
pub(crate) const GRACEFUL_KEY: &str = "oxvirt_graceful_timeout_ms"; // 15000
pub(crate) const GRACE_BEFORE_SIGKILL_KEY: &str = "oxvirt_grace_before_sigkill_ms"; // 10000
pub(crate) const AFTER_SIGKILL_KEY: &str = "oxvirt_after_sigkill_ms"; // 30000
pub(crate) const PER_HOSTDEV_KEY: &str = "oxvirt_per_hostdev_ms"; // 2000
/// How long a starting (or reconnected) qemu may take to answer on its monitor.
pub(crate) const MONITOR_TIMEOUT_KEY: &str = "oxvirt_monitor_timeout_ms"; // 30000
/// How long a call waits for the domain's job (the reference's fixed 30 s, `VIR_JOB_WAIT_TIME`).
pub(crate) const JOB_TIMEOUT_KEY: &str = "oxvirt_job_timeout_ms"; // 30000
/// How long a command waits for qemu's answer on the monitor (the reference waits for ever).
pub(crate) const MONITOR_REPLY_TIMEOUT_KEY: &str = "oxvirt_monitor_reply_timeout_ms"; // 30000

/// The reference's job wait.
const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(30);
/// Ours (the reference has none): as long as a starting qemu may take to answer.
const DEFAULT_MONITOR_REPLY_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MONITOR_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub kill: KillTimeouts,
    /// How long a starting qemu may take to answer on its monitor.
    pub monitor_timeout: Duration,
    /// How long a call waits for another call's job on the same domain.
    pub job_timeout: Duration,
    /// How long a command of a running guest waits for qemu's answer.
    pub monitor_reply_timeout: Duration,
}

/// One value of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    /// Digits alone.
    Unsigned(u64),
    /// Digits after a `+` or `-`.
    Signed(i64),
    List(Vec<Value>),
}

/// The entries of a file, in order (a later duplicate does not replace an earlier one: the
/// reference reads the first).
#[derive(Clone, Debug, Default)]
pub struct Entries(pub Vec<(String, Value)>);

impl Entries {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Parse `text`; `file` names it in errors, as the reference's do.
pub fn parse(text: &str, file: &str) -> Result<Entries> {
    Lexer {
        s: text.as_bytes(),
        at: 0,
        line: 1,
        file,
    }
    .entries()
}

struct Lexer<'a> {
    s: &'a [u8],
    at: usize,
    line: usize,
    file: &'a str,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn error(&self, info: &str) -> Error {
        Error::with(
            VIR_ERR_CONF_SYNTAX,
            VIR_FROM_CONF,
            format!("{}:{}: {info}", self.file, self.line),
        )
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    /// Blanks and newlines (inside a list).
    fn skip_blanks_and_newlines(&mut self) {
        while let Some(c @ (b' ' | b'\t' | b'\r' | b'\n')) = self.peek() {
            if c == b'\n' {
                self.line += 1;
            }
            self.at += 1;
        }
    }

    fn skip_comment(&mut self) {
        while !matches!(self.peek(), None | Some(b'\n')) {
            self.at += 1;
        }
    }

    fn entries(mut self) -> Result<Entries> {
        let mut out = Vec::new();
        loop {
            self.skip_blanks();
            match self.peek() {
                None => return Ok(Entries(out)),
                Some(b'#') => self.skip_comment(),
                Some(b'\n') => {
                    self.at += 1;
                    self.line += 1;
                }
                Some(_) => out.push(self.entry()?),
            }
        }
    }

    /// `name = value [;] [# comment]` up to the end of its line.
    fn entry(&mut self) -> Result<(String, Value)> {
        let name = self.name()?;
        self.skip_blanks();
        if self.peek() != Some(b'=') {
            return Err(self.error("expecting an assignment"));
        }
        self.at += 1;
        self.skip_blanks();
        let value = self.value()?;
        self.skip_blanks();
        if self.peek() == Some(b';') {
            self.at += 1;
            self.skip_blanks();
        }
        match self.peek() {
            None | Some(b'\n') | Some(b'#') => Ok((name, value)),
            Some(_) => Err(self.error("expecting a separator")),
        }
    }

    fn name(&mut self) -> Result<String> {
        let start = self.at;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.at += 1,
            _ => return Err(self.error("expecting a name")),
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.at += 1;
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    fn value(&mut self) -> Result<Value> {
        match self.peek() {
            Some(b'"') if self.s[self.at..].starts_with(b"\"\"\"") => self.string(b"\"\"\"", true),
            Some(b'"') => self.string(b"\"", false),
            Some(b'\'') => self.string(b"'", false),
            Some(b'[') => self.list(),
            Some(c) if c.is_ascii_digit() => self.number(),
            Some(b'+' | b'-') if self.s.get(self.at + 1).is_some_and(u8::is_ascii_digit) => {
                self.number()
            }
            _ => Err(self.error("expecting a value")),
        }
    }

    /// Text up to the closing `quote`, on one line unless `multiline`; no escapes.
    fn string(&mut self, quote: &[u8], multiline: bool) -> Result<Value> {
        self.at += quote.len();
        let start = self.at;
        loop {
            if self.s[self.at..].starts_with(quote) {
                let text = String::from_utf8_lossy(&self.s[start..self.at]).into_owned();
                self.at += quote.len();
                return Ok(Value::Str(text));
            }
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'\n') if !multiline => return Err(self.error("unterminated string")),
                Some(b'\n') => self.line += 1,
                Some(_) => {}
            }
            self.at += 1;
        }
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.at;
        let signed = matches!(self.peek(), Some(b'+' | b'-'));
        self.at += usize::from(signed);
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.at]).unwrap_or("");
        let overflow = || self.error("numeric overflow");
        if signed {
            text.parse::<i64>()
                .map(Value::Signed)
                .map_err(|_| overflow())
        } else {
            text.parse::<u64>()
                .map(Value::Unsigned)
                .map_err(|_| overflow())
        }
    }

    /// `[ value, value, ... ]` over any number of lines, a trailing comma allowed; no comments.
    fn list(&mut self) -> Result<Value> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_blanks_and_newlines();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::List(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_blanks_and_newlines();
            match self.peek() {
                Some(b']') => break,
                Some(b',') => {
                    self.at += 1;
                    self.skip_blanks_and_newlines();
                    if self.peek() == Some(b']') {
                        break;
                    }
                }
                None => return Err(self.error("list is not closed with ]")),
                Some(_) => return Err(self.error("expecting a separator in list")),
            }
        }
        self.at += 1;
        Ok(Value::List(items))
    }
}

/// The types the reference's qemu driver reads its keys as (its augeas lens,
/// `libvirtd_qemu.aug`, lists them).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    Unsigned,
    StrList,
    /// A string or a list of strings.
    StrOrList,
    /// `"unlimited"` or an unsigned integer.
    Limit,
}

const KNOWN_KEYS: &[(&str, Kind)] = {
    use Kind::*;
    &[
        ("default_tls_x509_cert_dir", Str),
        ("default_tls_x509_verify", Bool),
        ("default_tls_x509_secret_uuid", Str),
        ("vnc_listen", Str),
        ("vnc_auto_unix_socket", Bool),
        ("vnc_tls", Bool),
        ("vnc_tls_x509_cert_dir", Str),
        ("vnc_tls_x509_secret_uuid", Str),
        ("vnc_tls_x509_verify", Bool),
        ("vnc_password", Str),
        ("vnc_sasl", Bool),
        ("vnc_sasl_dir", Str),
        ("vnc_allow_host_audio", Bool),
        ("spice_listen", Str),
        ("spice_tls", Bool),
        ("spice_tls_x509_cert_dir", Str),
        ("spice_auto_unix_socket", Bool),
        ("spice_password", Str),
        ("spice_sasl", Bool),
        ("spice_sasl_dir", Str),
        ("chardev_tls", Bool),
        ("chardev_tls_x509_cert_dir", Str),
        ("chardev_tls_x509_verify", Bool),
        ("chardev_tls_x509_secret_uuid", Str),
        ("migrate_tls_x509_cert_dir", Str),
        ("migrate_tls_x509_verify", Bool),
        ("migrate_tls_x509_secret_uuid", Str),
        ("migrate_tls_force", Bool),
        ("backup_tls_x509_cert_dir", Str),
        ("backup_tls_x509_verify", Bool),
        ("backup_tls_x509_secret_uuid", Str),
        ("vxhs_tls", Bool),
        ("vxhs_tls_x509_cert_dir", Str),
        ("vxhs_tls_x509_secret_uuid", Str),
        ("nbd_tls", Bool),
        ("nbd_tls_x509_cert_dir", Str),
        ("nbd_tls_x509_secret_uuid", Str),
        ("nographics_allow_host_audio", Bool),
        ("remote_display_port_min", Unsigned),
        ("remote_display_port_max", Unsigned),
        ("remote_websocket_port_min", Unsigned),
        ("remote_websocket_port_max", Unsigned),
        ("security_driver", StrOrList),
        ("security_default_confined", Bool),
        ("security_require_confined", Bool),
        ("user", Str),
        ("group", Str),
        ("dynamic_ownership", Bool),
        ("remember_owner", Bool),
        ("cgroup_controllers", StrList),
        ("cgroup_device_acl", StrList),
        ("seccomp_sandbox", Unsigned),
        ("namespaces", StrOrList),
        ("save_image_format", Str),
        ("dump_image_format", Str),
        ("snapshot_image_format", Str),
        ("auto_dump_path", Str),
        ("auto_dump_bypass_cache", Bool),
        ("auto_start_bypass_cache", Bool),
        ("hugetlbfs_mount", StrOrList),
        ("bridge_helper", Str),
        ("pr_helper", Str),
        ("slirp_helper", Str),
        ("dbus_daemon", Str),
        ("set_process_name", Bool),
        ("max_processes", Unsigned),
        ("max_files", Unsigned),
        ("max_core", Limit),
        ("dump_guest_core", Bool),
        ("stdio_handler", Str),
        ("max_threads_per_process", Unsigned),
        ("sched_core", Str),
        ("mac_filter", Bool),
        ("relaxed_acs_check", Bool),
        ("allow_disk_format_probing", Bool),
        ("lock_manager", Str),
        ("max_queued", Unsigned),
        ("keepalive_interval", Unsigned),
        ("keepalive_count", Unsigned),
        ("migration_address", Str),
        ("migration_port_min", Unsigned),
        ("migration_port_max", Unsigned),
        ("migration_host", Str),
        ("log_timestamp", Bool),
        ("nvram", StrList),
        ("gluster_debug_level", Unsigned),
        ("virtiofsd_debug", Bool),
        ("deprecation_behavior", Str),
        ("memory_backing_dir", Str),
        ("swtpm_user", Str),
        ("swtpm_group", Str),
        ("clear_emulator_capabilities", Bool),
        ("capability_filters", StrList),
        (GRACEFUL_KEY, Unsigned),
        (GRACE_BEFORE_SIGKILL_KEY, Unsigned),
        (AFTER_SIGKILL_KEY, Unsigned),
        (PER_HOSTDEV_KEY, Unsigned),
        (MONITOR_TIMEOUT_KEY, Unsigned),
    ]
};

/// The reference's type errors (`virConfGetValue*`): the file, then what was expected.
fn type_error(file: &str, key: &str, kind: Kind, value: &Value) -> Option<Error> {
    let internal = |what: &str| {
        Some(Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_CONF,
            format!("{file}: {what} for '{key}' parameter"),
        ))
    };
    let all_strings = |items: &[Value]| items.iter().all(|v| matches!(v, Value::Str(_)));
    let not_string_list = || {
        Some(Error::with(
            VIR_ERR_CONF_SYNTAX,
            VIR_FROM_CONF,
            format!("{file}: expected a string list for '{key}' parameter"),
        ))
    };
    match (kind, value) {
        (Kind::Str, Value::Str(_)) => None,
        (Kind::Str, _) => internal("expected a string"),
        (Kind::Bool, Value::Unsigned(0 | 1)) => None,
        (Kind::Bool, Value::Unsigned(_)) => Some(Error::with(
            VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_CONF,
            format!("{file}: value for '{key}' parameter must be 0 or 1"),
        )),
        (Kind::Bool, _) => internal("expected a bool"),
        (Kind::Unsigned | Kind::Limit, Value::Unsigned(_)) => None,
        (Kind::Unsigned | Kind::Limit, Value::Signed(n)) if *n >= 0 => None,
        (Kind::Limit, Value::Str(s)) if s == "unlimited" => None,
        (Kind::Limit, Value::Str(s)) => Some(Error::with(
            VIR_ERR_CONFIG_UNSUPPORTED,
            VIR_FROM_QEMU,
            format!("Unknown core size '{s}'"),
        )),
        (Kind::Unsigned | Kind::Limit, _) => internal("expected an unsigned integer"),
        (Kind::StrList | Kind::StrOrList, Value::List(items)) if all_strings(items) => None,
        (Kind::StrList | Kind::StrOrList, Value::List(_)) => not_string_list(),
        (Kind::StrOrList, Value::Str(_)) => None,
        (Kind::StrList, _) => internal("expected a string list"),
        (Kind::StrOrList, _) => internal("expected a string or string list"),
    }
}

/// Every known key's value has the type the reference reads it as.
fn check_types(entries: &Entries, file: &str) -> Result<()> {
    for (key, kind) in KNOWN_KEYS {
        if let Some(value) = entries.get(key) {
            if let Some(e) = type_error(file, key, *kind, value) {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The configuration of a root: defaults when the file does not exist, the reference's error
/// when it cannot be read or does not parse.
pub fn load(root: &Path) -> Result<Config> {
    let path = root.join("etc/qemu.conf");
    let file = path.display().to_string();
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Error::system(
                VIR_FROM_CONF,
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("failed to read config file '{file}'"),
            ))
        }
    };
    let entries = parse(&text, &file)?;
    check_types(&entries, &file)?;
    let ms = |key: &str, default: Duration| match entries.get(key) {
        Some(Value::Unsigned(n)) => Duration::from_millis(*n),
        Some(Value::Signed(n)) => Duration::from_millis(n.unsigned_abs()),
        _ => default,
    };
    let d = KillTimeouts::default();
    Ok(Config {
        kill: KillTimeouts {
            graceful: ms(GRACEFUL_KEY, d.graceful),
            grace_before_sigkill: ms(GRACE_BEFORE_SIGKILL_KEY, d.grace_before_sigkill),
            after_sigkill: ms(AFTER_SIGKILL_KEY, d.after_sigkill),
            per_hostdev: ms(PER_HOSTDEV_KEY, d.per_hostdev),
        },
        monitor_timeout: ms(MONITOR_TIMEOUT_KEY, DEFAULT_MONITOR_TIMEOUT),
        job_timeout: ms(JOB_TIMEOUT_KEY, DEFAULT_JOB_TIMEOUT),
        monitor_reply_timeout: ms(MONITOR_REPLY_TIMEOUT_KEY, DEFAULT_MONITOR_REPLY_TIMEOUT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Entries {
        parse(text, "f").unwrap_or_else(|e| panic!("{text:?}: {}", e.message))
    }

    fn err(text: &str) -> String {
        match parse(text, "f").and_then(|e| check_types(&e, "f")) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn reads_libvirt_syntax_and_our_keys() {
        let e = ok("user = \"root\"  # who\nnamespaces = []\noxvirt_graceful_timeout_ms = 250\n");
        assert_eq!(e.get("user"), Some(&Value::Str("root".into())));
        assert_eq!(e.get("namespaces"), Some(&Value::List(vec![])));
        assert_eq!(e.get(GRACEFUL_KEY), Some(&Value::Unsigned(250)));
        assert_eq!(
            ok("a = \"x#y\" # z\n").get("a"),
            Some(&Value::Str("x#y".into()))
        );
        assert_eq!(ok("a = 'x\"y'").get("a"), Some(&Value::Str("x\"y".into())));
        assert_eq!(
            ok("a = \"\"\"x\ny\"\"\"\n").get("a"),
            Some(&Value::Str("x\ny".into()))
        );
        let list = ok("a = [\n \"x\",\n \"y\",\n]\nb = 1;\n");
        let strs = |v: &[&str]| Value::List(v.iter().map(|s| Value::Str(s.to_string())).collect());
        assert_eq!(list.get("a"), Some(&strs(&["x", "y"])));
        assert_eq!(list.get("b"), Some(&Value::Unsigned(1)));
        assert_eq!(ok("a = -3").get("a"), Some(&Value::Signed(-3)));
        assert_eq!(ok("a = 1\na = 2\n").get("a"), Some(&Value::Unsigned(1)));
    }

    #[test]
    fn refuses_bad_syntax_with_the_line() {
        assert_eq!(
            err("a = \"x\n"),
            "configuration file syntax error: f:1: unterminated string"
        );
        assert_eq!(
            err("\na =\n"),
            "configuration file syntax error: f:2: expecting a value"
        );
        assert_eq!(
            err("a \"x\""),
            "configuration file syntax error: f:1: expecting an assignment"
        );
        assert_eq!(
            err("a = 1 b"),
            "configuration file syntax error: f:1: expecting a separator"
        );
        assert_eq!(
            err("1a = 1"),
            "configuration file syntax error: f:1: expecting a name"
        );
        assert_eq!(
            err("a = [ 1\n"),
            "configuration file syntax error: f:2: list is not closed with ]"
        );
        assert_eq!(
            err("a = [ 1 2 ]"),
            "configuration file syntax error: f:1: expecting a separator in list"
        );
        assert_eq!(
            err("a = [ 1, # c\n 2 ]"),
            "configuration file syntax error: f:1: expecting a value"
        );
        assert_eq!(
            err("a = yes"),
            "configuration file syntax error: f:1: expecting a value"
        );
    }

    #[test]
    fn refuses_known_keys_of_the_wrong_type() {
        assert_eq!(
            err("vnc_tls = 2"),
            "internal error: f: value for 'vnc_tls' parameter must be 0 or 1"
        );
        assert_eq!(
            err("vnc_tls = \"1\""),
            "internal error: f: expected a bool for 'vnc_tls' parameter"
        );
        assert_eq!(
            err("user = 0"),
            "internal error: f: expected a string for 'user' parameter"
        );
        assert_eq!(
            err("max_processes = -1"),
            "internal error: f: expected an unsigned integer for 'max_processes' parameter"
        );
        assert_eq!(
            err(&format!("{GRACEFUL_KEY} = \"250\"")),
            format!(
                "internal error: f: expected an unsigned integer for '{GRACEFUL_KEY}' parameter"
            )
        );
        assert_eq!(
            err("cgroup_device_acl = [ 1 ]"),
            "configuration file syntax error: f: expected a string list for 'cgroup_device_acl' parameter"
        );
        assert!(check_types(&ok("unknown_key = [ 1, \"x\" ]\nmax_processes = +5"), "f").is_ok());
    }

    #[test]
    fn deadlines_default_to_the_references_job_wait_and_are_configurable() {
        let dir = std::env::temp_dir().join(format!("oxvirt-conf-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        let d = super::load(&dir).expect("defaults");
        assert_eq!(d.job_timeout, std::time::Duration::from_secs(30));
        assert_eq!(d.monitor_reply_timeout, std::time::Duration::from_secs(30));
        std::fs::write(
            dir.join("etc/qemu.conf"),
            "oxvirt_job_timeout_ms = 1500\noxvirt_monitor_reply_timeout_ms = 2500\n",
        )
        .unwrap();
        let c = super::load(&dir).expect("our keys");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(c.job_timeout, std::time::Duration::from_millis(1500));
        assert_eq!(
            c.monitor_reply_timeout,
            std::time::Duration::from_millis(2500)
        );
    }
}
