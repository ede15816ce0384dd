//! Connection URIs: `driver[+transport]://[user@][host[:port]]/path[?query]`, as libvirt parses them.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uri {
    pub scheme: String,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub text: String,
}

impl Uri {
    /// None when the text is not a URI (libvirt: "Unable to parse URI <text>").
    pub fn parse(text: &str) -> Option<Uri> {
        // As libxml2's URI parser: a URI is printable ASCII; anything else (a space, a control
        // character, any non-ASCII byte) must come percent-encoded.
        if !text.chars().all(|c| c.is_ascii_graphic()) {
            return None;
        }
        let (scheme, rest) = text.split_once(':')?;
        if scheme.is_empty()
            || !scheme.chars().next()?.is_ascii_alphabetic()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (server, port, path) = if let Some(after) = rest.strip_prefix("//") {
            let (auth, path) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
            let (host, port) = match host.rsplit_once(':') {
                Some((h, p)) if !p.is_empty() => (h, Some(p.parse::<u16>().ok()?)),
                _ => (host, None),
            };
            (
                (!host.is_empty()).then(|| host.to_string()),
                port,
                path.to_string(),
            )
        } else {
            (None, None, rest.to_string())
        };
        let params = query
            .map(|q| {
                q.split('&')
                    .filter(|kv| !kv.is_empty())
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (unescape(k), unescape(v)),
                        None => (unescape(kv), String::new()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Uri {
            scheme: scheme.to_ascii_lowercase(),
            server,
            port,
            path,
            params,
            text: text.to_string(),
        })
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    // %ff and %fe stay two different bytes (crate::ctext), never one U+FFFD.
    crate::ctext::decode(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_we_serve() {
        let u = Uri::parse("test:///default").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.server.as_deref(), u.path.as_str()),
            ("test", None, "/default")
        );
        for bad in [
            "test:///def ault",
            "test:///caf\u{e9}",
            "test:///\u{10ffff}",
        ] {
            assert!(Uri::parse(bad).is_none(), "{bad}");
        }
        let a = Uri::parse("qemu:///embed?root=/tmp/%ff").unwrap();
        let b = Uri::parse("qemu:///embed?root=/tmp/%fe").unwrap();
        assert_ne!(a.param("root"), b.param("root"));
        let u = Uri::parse("qemu:///embed?root=/tmp/x%20y").unwrap();
        assert_eq!(u.param("root"), Some("/tmp/x y"));
        let u = Uri::parse("qemu+tcp://user@host:16509/system").unwrap();
        assert_eq!((u.server.as_deref(), u.port), (Some("host"), Some(16509)));
        assert!(Uri::parse("::").is_none());
        assert!(Uri::parse("").is_none());
    }
}
