//! Key files as the reference's auth.conf is read (glib's GKeyFile, whose errors libvirt 9.0 does
//! not report): `[group]` lines, `key=value` entries, `#` comments and blank lines, groups given
//! twice merged, a key given twice keeping its last value, `\s \n \t \r \\` escapes in values.

use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default)]
pub struct KeyFile {
    groups: HashMap<String, HashMap<String, String>>,
}

impl KeyFile {
    /// The file at `path`, or None when it cannot be read or is not a valid key file.
    pub fn load(path: &Path) -> Option<KeyFile> {
        KeyFile::parse(&std::fs::read(path).ok()?)
    }

    /// None for anything GKeyFile refuses: text that is not UTF-8, an entry before the first
    /// group, a line that is neither group, entry, comment nor blank, a bad group or key name.
    pub fn parse(data: &[u8]) -> Option<KeyFile> {
        let text = std::str::from_utf8(data).ok()?;
        let mut file = KeyFile::default();
        let mut current: Option<String> = None;
        for raw in text.split('\n') {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let line = line.trim_start_matches(|c: char| c.is_ascii_whitespace());
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = group_line(line) {
                if name.is_empty()
                    || name.contains(['[', ']'])
                    || name.chars().any(char::is_control)
                {
                    return None;
                }
                file.groups.entry(name.to_string()).or_default();
                current = Some(name.to_string());
                continue;
            }
            let (key, value) = line.split_once('=')?;
            let key = key.trim_end_matches(|c: char| c.is_ascii_whitespace());
            if key.is_empty() || !valid_key(key) {
                return None;
            }
            let group = current.as_ref()?;
            let value = value.trim_start_matches(' ');
            file.groups
                .entry(group.clone())
                .or_default()
                .insert(key.to_string(), value.to_string());
        }
        Some(file)
    }

    pub fn has_group(&self, group: &str) -> bool {
        self.groups.contains_key(group)
    }

    pub fn has_key(&self, group: &str, key: &str) -> bool {
        self.groups.get(group).is_some_and(|g| g.contains_key(key))
    }

    /// g_key_file_get_string as libvirt calls it (without a GError): the value with its escapes
    /// resolved, an unknown escape kept as written; None when absent.
    pub fn string(&self, group: &str, key: &str) -> Option<String> {
        Some(unescape(self.groups.get(group)?.get(key)?))
    }
}

/// `[name]`, with blanks allowed after the bracket: the name.
fn group_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    rest[close + 1..]
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(&rest[..close])
}

/// GKeyFile's key names: no `=`, brackets only as a trailing `[locale]`, no blank at either end.
fn valid_key(key: &str) -> bool {
    let base = match key.find('[') {
        Some(open) if key.ends_with(']') && open > 0 => &key[..open],
        Some(_) => return false,
        None => key,
    };
    !base.contains([']', '='])
        && !base.starts_with(char::is_whitespace)
        && !base.ends_with(char::is_whitespace)
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_values() {
        let k = KeyFile::parse(
            b"# c\n[auth-test-default]\ncredentials = a\n\n[credentials-a]\nusername=al\\sice\npassword=pw\n[auth-test-default]\nx=1",
        )
        .unwrap();
        assert!(k.has_group("auth-test-default"));
        assert_eq!(
            k.string("auth-test-default", "credentials").as_deref(),
            Some("a")
        );
        assert_eq!(k.string("auth-test-default", "x").as_deref(), Some("1"));
        assert_eq!(
            k.string("credentials-a", "username").as_deref(),
            Some("al ice")
        );
        assert_eq!(k.string("credentials-a", "password").as_deref(), Some("pw"));
    }

    #[test]
    fn refused() {
        assert!(KeyFile::parse(b"x=1\n[g]\n").is_none());
        assert!(KeyFile::parse(b"[g]\n!x\n").is_none());
        assert!(KeyFile::parse(b"[g\n").is_none());
        assert!(KeyFile::parse(b"[g]\n=v\n").is_none());
    }
}
