//! libvirt's client configuration: the virConf file syntax (`name = value` statements, strings in
//! single, double or triple quotes, numbers, lists in brackets, `#` comments, `;` or newline
//! separators) and what `libvirt.conf` says about opening connections: `uri_default` and
//! `uri_aliases`. Errors are the reference's: syntax errors name the file and line, settings of
//! the wrong type name the file, malformed aliases name the entry.

use crate::error::{
    Error, Result, VIR_ERR_CONF_SYNTAX, VIR_ERR_INTERNAL_ERROR, VIR_FROM_CONF, VIR_FROM_NONE,
    VIR_FROM_URI,
};
use std::path::{Path, PathBuf};

/// The reference refuses configuration files larger than this (10 MiB).
const MAX_CONFIG_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// What may appear before the `=` of a `uri_aliases` entry.
const URI_ALIAS_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

/// One value of a virConf file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String),
    /// A number written with a leading `-` (VIR_CONF_LLONG).
    Signed(i64),
    /// A number written without one (VIR_CONF_ULLONG).
    Unsigned(i64),
    List(Vec<Value>),
}

/// A parsed virConf file: its settings in file order (the first of a repeated name wins).
#[derive(Debug, Clone, Default)]
pub struct Conf {
    pub filename: String,
    entries: Vec<(String, Value)>,
}

impl Conf {
    /// Parse `content`, naming `filename` in errors.
    pub fn parse(filename: &str, content: &[u8]) -> Result<Conf> {
        let mut parser = Parser {
            filename,
            text: content,
            cur: 0,
            line: 1,
            entries: Vec::new(),
        };
        parser.parse_all()?;
        Ok(Conf {
            filename: filename.to_string(),
            entries: parser.entries,
        })
    }

    /// Read and parse the file at `path` (virConfReadFile).
    pub fn read(path: &Path) -> Result<Conf> {
        let name = path.display().to_string();
        let content = read_all(path, &name, MAX_CONFIG_FILE_SIZE)?;
        Conf::parse(&name, &content)
    }

    pub fn get(&self, setting: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(name, _)| name == setting)
            .map(|(_, v)| v)
    }

    /// A string setting (virConfGetValueString): None when absent, an error for another type.
    pub fn get_string(&self, setting: &str) -> Result<Option<&str>> {
        match self.get(setting) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::with(
                VIR_ERR_INTERNAL_ERROR,
                VIR_FROM_CONF,
                format!(
                    "{}: expected a string for '{setting}' parameter",
                    self.filename
                ),
            )),
        }
    }

    /// A list of strings (virConfGetValueStringList without the single-string form).
    pub fn get_string_list(&self, setting: &str) -> Result<Option<Vec<&str>>> {
        let wrong = |code| {
            Error::with(
                code,
                VIR_FROM_CONF,
                format!(
                    "{}: expected a string list for '{setting}' parameter",
                    self.filename
                ),
            )
        };
        match self.get(setting) {
            None => Ok(None),
            Some(Value::List(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.as_str()),
                    _ => Err(wrong(VIR_ERR_CONF_SYNTAX)),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(wrong(VIR_ERR_INTERNAL_ERROR)),
        }
    }
}

/// virFileReadAll's errors: the open, the read, the size limit.
pub(crate) fn read_all(path: &Path, name: &str, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let errno = |e: &std::io::Error| e.raw_os_error().unwrap_or(libc::EIO);
    let file = std::fs::File::open(path).map_err(|e| {
        Error::system(
            VIR_FROM_NONE,
            errno(&e),
            format!("Failed to open file '{name}'"),
        )
    })?;
    let mut content = Vec::new();
    file.take(max + 1).read_to_end(&mut content).map_err(|e| {
        Error::system(
            VIR_FROM_NONE,
            errno(&e),
            format!("Failed to read file '{name}'"),
        )
    })?;
    if content.len() as u64 > max {
        return Err(Error::with(
            crate::error::VIR_ERR_INTERNAL_ERROR,
            VIR_FROM_NONE,
            format!("File '{name}' is too large"),
        ));
    }
    Ok(content)
}

/// The parser, with the reference's notion of the current line (counted where it skips
/// newlines between tokens and inside triple-quoted strings).
struct Parser<'a> {
    filename: &'a str,
    text: &'a [u8],
    cur: usize,
    line: usize,
    entries: Vec<(String, Value)>,
}

fn is_eol(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.cur >= self.text.len()
    }

    /// The current byte; NUL past the end, as the reference's NUL-terminated buffer reads.
    fn peek(&self) -> u8 {
        self.text.get(self.cur).copied().unwrap_or(0)
    }

    fn next(&mut self) {
        if !self.at_end() {
            self.cur += 1;
        }
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.text[self.cur.min(self.text.len())..].starts_with(s)
    }

    fn skip_blanks(&mut self) {
        while !self.at_end() && is_blank(self.peek()) {
            self.cur += 1;
        }
    }

    fn skip_blanks_and_eol(&mut self) {
        while !self.at_end() && (is_blank(self.peek()) || is_eol(self.peek())) {
            if self.peek() == b'\n' {
                self.line += 1;
            }
            self.cur += 1;
        }
    }

    fn error(&self, info: &str) -> Error {
        Error::with(
            VIR_ERR_CONF_SYNTAX,
            VIR_FROM_CONF,
            format!("{}:{}: {info}", self.filename, self.line),
        )
    }

    fn slice(&self, from: usize) -> String {
        String::from_utf8_lossy(&self.text[from..self.cur]).into_owned()
    }

    fn parse_all(&mut self) -> Result<()> {
        while !self.at_end() {
            self.statement()?;
            self.separator()?;
        }
        Ok(())
    }

    fn skip_to_eol(&mut self) {
        while !self.at_end() && !is_eol(self.peek()) {
            self.next();
        }
    }

    fn statement(&mut self) -> Result<()> {
        self.skip_blanks_and_eol();
        if self.peek() == b'#' {
            self.skip_to_eol();
            return Ok(());
        }
        let name = self.name()?;
        self.skip_blanks();
        if self.peek() != b'=' {
            return Err(self.error("expecting an assignment"));
        }
        self.next();
        self.skip_blanks();
        let value = self.value()?;
        self.skip_blanks();
        if self.peek() == b'#' {
            self.skip_to_eol();
        }
        self.entries.push((name, value));
        Ok(())
    }

    fn separator(&mut self) -> Result<()> {
        self.skip_blanks();
        if self.at_end() {
            return Ok(());
        }
        match self.peek() {
            c if is_eol(c) => self.skip_blanks_and_eol(),
            b';' => {
                self.next();
                self.skip_blanks_and_eol();
            }
            _ => return Err(self.error("expecting a separator")),
        }
        Ok(())
    }

    fn name(&mut self) -> Result<String> {
        self.skip_blanks();
        let base = self.cur;
        if !self.peek().is_ascii_alphabetic() {
            return Err(self.error("expecting a name"));
        }
        while !self.at_end() && (self.peek().is_ascii_alphanumeric() || self.peek() == b'_') {
            self.next();
        }
        Ok(self.slice(base))
    }

    fn value(&mut self) -> Result<Value> {
        self.skip_blanks();
        if self.at_end() {
            return Err(self.error("expecting a value"));
        }
        match self.peek() {
            b'"' | b'\'' => self.string().map(Value::String),
            b'[' => self.list(),
            c if c.is_ascii_digit() || c == b'-' || c == b'+' => self.number(),
            _ => Err(self.error("expecting a value")),
        }
    }

    fn string(&mut self) -> Result<String> {
        const TRIPLE: &[u8] = b"\"\"\"";
        if self.cur + 6 < self.text.len() && self.starts_with(TRIPLE) {
            self.cur += 3;
            let base = self.cur;
            while self.cur + 2 < self.text.len() && !self.starts_with(TRIPLE) {
                if self.peek() == b'\n' {
                    self.line += 1;
                }
                self.next();
            }
            if !self.starts_with(TRIPLE) {
                return Err(self.error("unterminated string"));
            }
            let s = self.slice(base);
            self.cur += 3;
            return Ok(s);
        }
        let quote = self.peek();
        self.next();
        let base = self.cur;
        while !self.at_end() && self.peek() != quote && !is_eol(self.peek()) {
            self.next();
        }
        if self.peek() != quote {
            return Err(self.error("unterminated string"));
        }
        let s = self.slice(base);
        self.next();
        Ok(s)
    }

    fn list(&mut self) -> Result<Value> {
        self.next();
        self.skip_blanks_and_eol();
        let mut items = Vec::new();
        if !self.at_end() && self.peek() != b']' {
            items.push(self.value()?);
            self.skip_blanks_and_eol();
        }
        while !self.at_end() && self.peek() != b']' {
            if self.peek() != b',' {
                return Err(self.error("expecting a separator in list"));
            }
            self.next();
            self.skip_blanks_and_eol();
            if self.peek() == b']' {
                break;
            }
            items.push(self.value()?);
            self.skip_blanks_and_eol();
        }
        if self.peek() != b']' {
            return Err(self.error("list is not closed with ]"));
        }
        self.next();
        Ok(Value::List(items))
    }

    fn number(&mut self) -> Result<Value> {
        let negative = self.peek() == b'-';
        if matches!(self.peek(), b'-' | b'+') {
            self.next();
        }
        if self.at_end() || !self.peek().is_ascii_digit() {
            return Err(self.error("unterminated number"));
        }
        let mut n: i64 = 0;
        while !self.at_end() && self.peek().is_ascii_digit() {
            n = n
                .wrapping_mul(10)
                .wrapping_add(i64::from(self.peek() - b'0'));
            self.next();
        }
        Ok(if negative {
            Value::Signed(n.wrapping_neg())
        } else {
            Value::Unsigned(n)
        })
    }
}

/// Where the reference looks for a client configuration file `name`: `/etc/libvirt/NAME` for
/// root, `$XDG_CONFIG_HOME/libvirt/NAME` (or `~/.config/libvirt/NAME`) for anyone else.
pub fn config_path(name: &str) -> Option<PathBuf> {
    if crate::host::effective_uid_is_root() {
        return Some(Path::new("/etc/libvirt").join(name));
    }
    user_config_dir().map(|d| d.join("libvirt").join(name))
}

/// glib's g_get_user_config_dir: $XDG_CONFIG_HOME when set, else the home directory's .config.
pub fn user_config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".config"))
}

/// libvirt.conf, when there is one (virConfLoadConfig): a file that exists but cannot be read or
/// parsed is an error.
pub fn load_libvirt_conf() -> Result<Option<Conf>> {
    let Some(path) = config_path("libvirt.conf") else {
        return Ok(None);
    };
    // virFileExists: access(F_OK), which follows links.
    if !path.exists() {
        return Ok(None);
    }
    Conf::read(&path).map(Some)
}

/// The URI `uri_aliases` maps `alias` to, if any. Entries are checked in order up to the match.
pub fn resolve_alias(conf: &Conf, alias: &str) -> Result<Option<String>> {
    let Some(aliases) = conf.get_string_list("uri_aliases")? else {
        return Ok(None);
    };
    let malformed = |entry: &str, why: &str| {
        Error::with(
            VIR_ERR_CONF_SYNTAX,
            VIR_FROM_URI,
            format!("Malformed 'uri_aliases' config entry '{entry}', {why}"),
        )
    };
    for entry in aliases {
        let Some((name, uri)) = entry.split_once('=') else {
            return Err(malformed(entry, "expected 'alias=uri://host/path'"));
        };
        if !name.chars().all(|c| URI_ALIAS_CHARS.contains(c)) {
            return Err(malformed(
                entry,
                "aliases may only contain 'a-Z, 0-9, _, -'",
            ));
        }
        if name == alias {
            return Ok(Some(uri.to_string()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Conf> {
        Conf::parse("f", text.as_bytes())
    }

    fn syntax(text: &str) -> String {
        parse(text).unwrap_err().str2.unwrap_or_default()
    }

    #[test]
    fn values() {
        let c =
            parse("# c\na = \"x\" # t\nb='y'; c = \"\"\"z\nw\"\"\"\nd = [ \"1\",\n 2, ]\ne = -3\n")
                .unwrap();
        assert_eq!(c.get("a"), Some(&Value::String("x".into())));
        assert_eq!(c.get("b"), Some(&Value::String("y".into())));
        assert_eq!(c.get("c"), Some(&Value::String("z\nw".into())));
        assert_eq!(
            c.get("d"),
            Some(&Value::List(vec![
                Value::String("1".into()),
                Value::Unsigned(2)
            ]))
        );
        assert_eq!(c.get("e"), Some(&Value::Signed(-3)));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        assert_eq!(syntax("a = \"x\n"), "f:1: unterminated string");
        assert_eq!(syntax("\n\na \"x\"\n"), "f:3: expecting an assignment");
        assert_eq!(syntax("a = 1 b = 2"), "f:1: expecting a separator");
        assert_eq!(
            syntax("a = [ \"x\" \"y\" ]"),
            "f:1: expecting a separator in list"
        );
        assert_eq!(syntax("1 = 2"), "f:1: expecting a name");
        assert_eq!(syntax("a = [ \"x\",\n"), "f:2: expecting a value");
    }

    #[test]
    fn aliases() {
        let c = parse("uri_aliases = [ \"a-1=test:///default\", \"b=x=y\" ]").unwrap();
        assert_eq!(
            resolve_alias(&c, "a-1").unwrap().as_deref(),
            Some("test:///default")
        );
        assert_eq!(resolve_alias(&c, "b").unwrap().as_deref(), Some("x=y"));
        assert_eq!(resolve_alias(&c, "c").unwrap(), None);
        let c = parse("uri_aliases = [ \"a.b=x\" ]").unwrap();
        assert_eq!(resolve_alias(&c, "z").unwrap_err().domain, VIR_FROM_URI);
        let c = parse("uri_aliases = \"a=x\"").unwrap();
        assert_eq!(
            resolve_alias(&c, "a").unwrap_err().code,
            VIR_ERR_INTERNAL_ERROR
        );
    }
}
