//! Connection URIs, parsed as libvirt 9.0 parses them: libxml2 2.9's `xmlParseURI` (RFC 3986,
//! with its quirks) followed by libvirt's own rules (`virURIParse`): IPv6 brackets stripped, the
//! raw query split into parameters, the port ignored without a server. `Uri::format` is
//! `virURIFormat`, what `virConnectGetURI` answers.
//!
//! No crate reproduces libxml2's acceptance (a port up to `INT_MAX`, any text between brackets as
//! a host, the empty-userinfo quirk below, its re-escaping), so this is a small parser of our own.
//! `tests/data/libxml2-uris.tsv` holds what libxml2 itself (through libvirt's rules) makes of a
//! corpus of URIs; the unit tests compare every field with it.

/// One parsed URI. The components are percent-decoded (as C strings: up to the first NUL) except
/// the query, which is kept raw and decoded parameter by parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uri {
    pub scheme: Option<String>,
    pub user: Option<String>,
    /// The host, without the brackets of an IPv6 address.
    pub server: Option<String>,
    /// 0 when the URI gives none, or gives no server (libvirt ignores the port then).
    pub port: i32,
    pub path: Option<String>,
    /// The raw query (`query_raw`).
    pub query: Option<String>,
    pub fragment: Option<String>,
    /// The query's `name=value` pairs, decoded, in order.
    pub params: Vec<(String, String)>,
    /// The text as given.
    pub text: String,
    /// The decoded bytes behind the strings above (kept byte for byte, crate::ctext), for `format`.
    raw: RawParts,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RawParts {
    user: Option<Vec<u8>>,
    server: Option<Vec<u8>>,
    path: Option<Vec<u8>>,
    fragment: Option<Vec<u8>>,
}

impl Uri {
    /// None when libxml2 refuses the text (libvirt: "Unable to parse URI <text>"). A relative
    /// reference (no scheme) parses; callers decide what it means.
    pub fn parse(text: &str) -> Option<Uri> {
        let parts = Parser::new(text.as_bytes())
            .absolute()
            .or_else(|| Parser::new(text.as_bytes()).relative())?;
        Some(Uri::from_parts(text, parts))
    }

    fn from_parts(text: &str, p: Parts) -> Uri {
        let server = p.server.map(strip_ipv6_brackets);
        let port = match &server {
            Some(s) if !s.is_empty() => p.port,
            _ => 0,
        };
        let query = p.query.map(|q| crate::ctext::decode(&q).into_owned());
        let params = query.as_deref().map(split_params).unwrap_or_default();
        let lossy = |b: &Option<Vec<u8>>| b.as_ref().map(|v| crate::ctext::decode(v).into_owned());
        let raw = RawParts {
            user: p.user,
            server,
            path: p.path,
            fragment: p.fragment,
        };
        Uri {
            scheme: p.scheme,
            user: lossy(&raw.user),
            server: lossy(&raw.server),
            port,
            path: lossy(&raw.path),
            query,
            fragment: lossy(&raw.fragment),
            params,
            text: text.to_string(),
            raw,
        }
    }

    /// The scheme, or "" for a relative reference.
    pub fn scheme(&self) -> &str {
        self.scheme.as_deref().unwrap_or("")
    }

    /// The path, or "" when there is none.
    pub fn path(&self) -> &str {
        self.path.as_deref().unwrap_or("")
    }

    /// The driver the scheme names: `qemu` in `qemu+ssh`.
    pub fn driver(&self) -> &str {
        let s = self.scheme();
        s.split_once('+').map_or(s, |(d, _)| d)
    }

    /// The transport the scheme names after its `+`, if any: `ssh` in `qemu+ssh`.
    pub fn transport(&self) -> Option<&str> {
        self.scheme().split_once('+').map(|(_, t)| t)
    }

    /// The port when one was given with a server (libvirt's `port != 0`).
    pub fn port(&self) -> Option<i32> {
        (self.port != 0).then_some(self.port)
    }

    /// The last value of parameter `key` (libvirt's drivers let a later one win).
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This URI as a daemon names its own driver: scheme `driver`, no user, server or port, the
    /// given raw query instead of ours (the remote driver's `remoteConnectFormatURI`).
    pub fn local_form(&self, driver: &str, query: Option<String>) -> Uri {
        let mut local = self.clone();
        local.scheme = Some(driver.to_string());
        local.user = None;
        local.server = None;
        local.port = 0;
        local.raw.user = None;
        local.raw.server = None;
        local.params = query.as_deref().map(split_params).unwrap_or_default();
        local.query = query;
        local.text = local.format();
        local
    }

    /// The URI as libvirt writes it back (`virURIFormat` over libxml2's `xmlSaveUri`): always
    /// `//` after the scheme, an IPv6 server in brackets, the path and fragment re-escaped, the
    /// query as given.
    pub fn format(&self) -> String {
        let mut out = Vec::new();
        if let Some(s) = &self.scheme {
            out.extend_from_slice(s.as_bytes());
            out.push(b':');
        }
        out.extend_from_slice(b"//");
        if let Some(server) = &self.raw.server {
            if let Some(user) = &self.raw.user {
                escape_into(&mut out, user, |b| {
                    is_mark_or_alnum(b) || b";:&=+$,".contains(&b)
                });
                out.push(b'@');
            }
            let bracket = server.contains(&b':');
            if bracket {
                out.push(b'[');
            }
            out.extend_from_slice(server);
            if bracket {
                out.push(b']');
            }
            if self.port > 0 {
                out.extend_from_slice(format!(":{}", self.port).as_bytes());
            }
        } else if let Some(user) = &self.raw.user {
            // libxml2 writes the userinfo whenever it writes `//`, server or not.
            escape_into(&mut out, user, |b| {
                is_mark_or_alnum(b) || b";:&=+$,".contains(&b)
            });
            out.push(b'@');
        }
        if let Some(path) = &self.raw.path {
            escape_into(&mut out, path, |b| {
                is_mark_or_alnum(b) || b"/;@&=+$,".contains(&b)
            });
        }
        if let Some(q) = &self.query {
            out.push(b'?');
            out.extend_from_slice(q.as_bytes());
        }
        if let Some(f) = &self.raw.fragment {
            out.push(b'#');
            escape_into(&mut out, f, |b| is_mark_or_alnum(b) || is_reserved_2396(b));
        }
        crate::ctext::decode(&out).into_owned()
    }
}

/// What libxml2 found, before libvirt's rules.
#[derive(Default)]
struct Parts {
    scheme: Option<String>,
    user: Option<Vec<u8>>,
    server: Option<Vec<u8>>,
    port: i32,
    path: Option<Vec<u8>>,
    query: Option<Vec<u8>>,
    fragment: Option<Vec<u8>>,
}

/// RFC 3986 as libxml2 2.9 implements it, over bytes.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    parts: Parts,
}

impl<'a> Parser<'a> {
    fn new(s: &'a [u8]) -> Self {
        Parser {
            s,
            at: 0,
            parts: Parts::default(),
        }
    }

    fn peek(&self) -> u8 {
        self.s.get(self.at).copied().unwrap_or(0)
    }

    fn peek_at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn is_pct_encoded(&self, i: usize) -> bool {
        self.peek_at(i) == b'%'
            && self.peek_at(i + 1).is_ascii_hexdigit()
            && self.peek_at(i + 2).is_ascii_hexdigit()
    }

    fn is_pchar(&self, i: usize) -> bool {
        let b = self.peek_at(i);
        is_unreserved(b) || is_sub_delim(b) || b == b':' || b == b'@' || self.is_pct_encoded(i)
    }

    /// Past one character (a percent triplet counts as one).
    fn step(&mut self) {
        self.at += if self.peek() == b'%' { 3 } else { 1 };
    }

    /// libxml2's `xmlURIUnescapeString(start, len)`: a length of 0 means "the rest of the
    /// string", a quirk that shows with an empty userinfo (`test://@/x` has the user `@/x`).
    fn decoded(&self, start: usize, end: usize) -> Vec<u8> {
        let end = if end == start { self.s.len() } else { end };
        unescape(&self.s[start..end])
    }

    /// `scheme ":" hier-part [ "?" query ] [ "#" fragment ]`
    fn absolute(mut self) -> Option<Parts> {
        if !self.peek().is_ascii_alphabetic() {
            return None;
        }
        while self.peek().is_ascii_alphanumeric() || b"+-.".contains(&self.peek()) {
            self.at += 1;
        }
        let scheme = crate::ctext::decode(&self.s[..self.at]).into_owned();
        if self.peek() != b':' {
            return None;
        }
        self.at += 1;
        self.parts.scheme = Some(scheme);
        if self.starts_authority() {
            self.authority()?;
            self.path_abempty();
        } else if self.peek() == b'/' {
            self.path_absolute();
        } else if self.is_pchar(self.at) {
            self.path_rootless(None);
        }
        self.query_fragment_end()
    }

    /// `relative-part [ "?" query ] [ "#" fragment ]`
    fn relative(mut self) -> Option<Parts> {
        if self.starts_authority() {
            self.authority()?;
            self.path_abempty();
        } else if self.peek() == b'/' {
            self.path_absolute();
        } else if self.is_pchar(self.at) {
            self.path_rootless(Some(b':'));
        }
        self.query_fragment_end()
    }

    fn starts_authority(&mut self) -> bool {
        if self.peek() == b'/' && self.peek_at(self.at + 1) == b'/' {
            self.at += 2;
            return true;
        }
        false
    }

    fn query_fragment_end(mut self) -> Option<Parts> {
        if self.peek() == b'?' {
            self.at += 1;
            let start = self.at;
            while self.is_pchar(self.at) || b"/?".contains(&self.peek()) {
                self.step();
            }
            self.parts.query = Some(self.s[start..self.at].to_vec());
        }
        if self.peek() == b'#' {
            self.at += 1;
            let start = self.at;
            while self.is_pchar(self.at) || b"/?[]".contains(&self.peek()) {
                self.step();
            }
            self.parts.fragment = Some(self.decoded(start, self.at));
        }
        (self.at == self.s.len()).then_some(self.parts)
    }

    /// `[ userinfo "@" ] host [ ":" port ]`
    fn authority(&mut self) -> Option<()> {
        let start = self.at;
        while is_unreserved(self.peek())
            || is_sub_delim(self.peek())
            || self.peek() == b':'
            || self.is_pct_encoded(self.at)
        {
            self.step();
        }
        if self.peek() == b'@' {
            self.parts.user = Some(self.decoded(start, self.at));
            self.at += 1;
        } else {
            self.at = start;
        }
        self.host()?;
        if self.peek() == b':' {
            self.at += 1;
            self.parts.port = self.port()?;
        }
        Some(())
    }

    /// An IP literal in brackets (anything up to the `]`), else a possibly empty reg-name.
    fn host(&mut self) -> Option<()> {
        let start = self.at;
        if self.peek() == b'[' {
            let close = self.s[start..].iter().position(|b| *b == b']')?;
            self.at = start + close + 1;
        } else {
            while is_unreserved(self.peek())
                || is_sub_delim(self.peek())
                || self.is_pct_encoded(self.at)
            {
                self.step();
            }
        }
        self.parts.server = (self.at != start).then(|| self.decoded(start, self.at));
        Some(())
    }

    /// At least one digit, at most `INT_MAX`.
    fn port(&mut self) -> Option<i32> {
        let start = self.at;
        let mut port: i32 = 0;
        while self.peek().is_ascii_digit() {
            port = port
                .checked_mul(10)?
                .checked_add(i32::from(self.peek() - b'0'))?;
            self.at += 1;
        }
        (self.at != start).then_some(port)
    }

    /// A run of pchars, none of them `forbid`.
    fn segment(&mut self, forbid: Option<u8>) {
        while self.is_pchar(self.at) && Some(self.peek()) != forbid {
            self.step();
        }
    }

    fn set_path(&mut self, start: usize) {
        self.parts.path = (self.at != start).then(|| self.decoded(start, self.at));
    }

    /// `*( "/" segment )`
    fn path_abempty(&mut self) {
        let start = self.at;
        while self.peek() == b'/' {
            self.at += 1;
            self.segment(None);
        }
        self.set_path(start);
    }

    /// `"/" [ segment-nz *( "/" segment ) ]`
    fn path_absolute(&mut self) {
        let start = self.at;
        self.at += 1;
        if self.is_pchar(self.at) {
            self.segment(None);
            while self.peek() == b'/' {
                self.at += 1;
                self.segment(None);
            }
        }
        self.set_path(start);
    }

    /// `segment-nz *( "/" segment )` (`segment-nz-nc` when `forbid` is `:`).
    fn path_rootless(&mut self, forbid: Option<u8>) {
        let start = self.at;
        self.segment(forbid);
        while self.peek() == b'/' {
            self.at += 1;
            self.segment(None);
        }
        self.set_path(start);
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

fn is_sub_delim(b: u8) -> bool {
    b"!$&'()*+,;=".contains(&b)
}

/// RFC 2396's unreserved set, what `xmlSaveUri` leaves unescaped everywhere.
fn is_mark_or_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
}

fn is_reserved_2396(b: u8) -> bool {
    b";/?:@&=+$,[]".contains(&b)
}

fn escape_into(out: &mut Vec<u8>, bytes: &[u8], keep: impl Fn(u8) -> bool) {
    for &b in bytes {
        if keep(b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

/// Percent-decoding as C sees the result: it ends at the first NUL.
fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let hex = |j: usize| s.get(j).and_then(|c| (*c as char).to_digit(16));
        match (s[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    if let Some(nul) = out.iter().position(|b| *b == 0) {
        out.truncate(nul);
    }
    out
}

fn unescape_lossy(s: &str) -> String {
    crate::ctext::decode(&unescape(s.as_bytes())).into_owned()
}

/// `[::1]` is `::1`; brackets without a colon inside stay (libvirt's rule).
fn strip_ipv6_brackets(server: Vec<u8>) -> Vec<u8> {
    let n = server.len();
    if n >= 2 && server[0] == b'[' && server[n - 1] == b']' && server.contains(&b':') {
        server[1..n - 1].to_vec()
    } else {
        server
    }
}

/// libvirt's `virURIParseParams`: sections end at the first `&` of the rest, else at its first
/// `;`; `name` alone has the value "", `=value` is ignored, empty sections are skipped.
fn split_params(query: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = query;
    while !rest.is_empty() {
        let end = rest
            .find('&')
            .or_else(|| rest.find(';'))
            .unwrap_or(rest.len());
        let section = &rest[..end];
        match section.split_once('=') {
            _ if section.is_empty() => {}
            None => params.push((unescape_lossy(section), String::new())),
            Some(("", _)) => {}
            Some((name, value)) => params.push((unescape_lossy(name), unescape_lossy(value))),
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of the fixture: the input, then `FAIL`, or `OK` and scheme, user, server,
    /// port, path, raw query, fragment, the parameters (`name=value|`...) and the formatted URI,
    /// as libxml2 2.9.14 and libvirt's rules give them (`<null>` for none).
    #[test]
    fn agrees_with_libxml2_and_libvirt_on_the_corpus() {
        let fixture = include_bytes!("../tests/data/libxml2-uris.tsv");
        let text = crate::ctext::decode(fixture);
        let mut checked = 0;
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let got = Uri::parse(f[0]);
            if f[1] == "FAIL" {
                assert!(
                    got.is_none(),
                    "{}: libxml2 refuses it, we accept {got:?}",
                    f[0]
                );
                checked += 1;
                continue;
            }
            let u = got.unwrap_or_else(|| panic!("{}: libxml2 accepts it, we refuse it", f[0]));
            let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "<null>".into());
            let params: String = u.params.iter().map(|(k, v)| format!("{k}={v}|")).collect();
            let ours = [
                opt(&u.scheme),
                opt(&u.user),
                opt(&u.server),
                u.port.to_string(),
                opt(&u.path),
                opt(&u.query),
                opt(&u.fragment),
                params,
                u.format(),
            ];
            assert_eq!(ours.as_slice(), &f[2..], "{}", f[0]);
            checked += 1;
        }
        assert!(checked >= 100, "the fixture has {checked} lines");
    }

    #[test]
    fn names_driver_transport_and_user() {
        let u = Uri::parse("qemu+ssh://user@host:2222/system?keyfile=/x&no_verify=1").unwrap();
        assert_eq!((u.driver(), u.transport()), ("qemu", Some("ssh")));
        assert_eq!(u.user.as_deref(), Some("user"));
        assert_eq!((u.server.as_deref(), u.port()), (Some("host"), Some(2222)));
        assert_eq!(
            (u.param("keyfile"), u.param("no_verify")),
            (Some("/x"), Some("1"))
        );
        let u = Uri::parse("qemu+tcp://[::1]/system").unwrap();
        assert_eq!((u.server.as_deref(), u.port()), (Some("::1"), None));
        let u = Uri::parse("qemu:///embed?root=/a%20b").unwrap();
        assert_eq!((u.driver(), u.transport()), ("qemu", None));
        assert_eq!(u.param("root"), Some("/a b"));
        assert_eq!(u.format(), "qemu:///embed?root=/a%20b");
        let u = Uri::parse("test:default").unwrap();
        assert_eq!((u.path(), u.server.as_deref()), ("default", None));
    }
}
