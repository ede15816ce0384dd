//! libvirt's logging, on the `log` crate: the variables LIBVIRT_DEBUG (1-4 or
//! debug/info/warning/error), LIBVIRT_LOG_FILTERS (`1:qemu 3:event`) and LIBVIRT_LOG_OUTPUTS
//! (`1:stderr`, `2:file:/path`, `1:journald`), and libvirt's line format:
//! `2026-11-29 15:45:09.375+0000: 23247: debug : virConnectOpen:1196 : name=test:///default`.
//!
//! The log record's target is libvirt's source name (`libvirt` for the public calls, `qemu.*`,
//! `util.*`), which filters match as substrings. With logging off, `log`'s maximum level is `Off`:
//! a call site costs the one relaxed load of that level.

use std::io::Write;
use std::sync::Mutex;

/// libvirt's priorities, 1 (debug) to 4 (error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Debug = 1,
    Info = 2,
    Warning = 3,
    Error = 4,
}

impl Priority {
    fn name(self) -> &'static str {
        match self {
            Priority::Debug => "debug",
            Priority::Info => "info",
            Priority::Warning => "warning",
            Priority::Error => "error",
        }
    }

    /// `1`..`4` or the priority's name, as LIBVIRT_DEBUG and filters/outputs accept.
    pub fn parse(text: &str) -> Option<Priority> {
        match text.trim() {
            "1" | "debug" => Some(Priority::Debug),
            "2" | "info" => Some(Priority::Info),
            "3" | "warning" => Some(Priority::Warning),
            "4" | "error" => Some(Priority::Error),
            _ => None,
        }
    }

    fn from_level(level: log::Level) -> Priority {
        match level {
            log::Level::Error => Priority::Error,
            log::Level::Warn => Priority::Warning,
            log::Level::Info => Priority::Info,
            log::Level::Debug | log::Level::Trace => Priority::Debug,
        }
    }

    fn level_filter(self) -> log::LevelFilter {
        match self {
            Priority::Debug => log::LevelFilter::Debug,
            Priority::Info => log::LevelFilter::Info,
            Priority::Warning => log::LevelFilter::Warn,
            Priority::Error => log::LevelFilter::Error,
        }
    }
}

/// Where lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stderr,
    File(String),
    Journald,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub priority: Priority,
    pub destination: Destination,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub priority: Priority,
    pub pattern: String,
}

/// The whole configuration: the default priority (LIBVIRT_DEBUG, else warning), the filters and
/// the outputs. No outputs: logging is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub default: Priority,
    pub filters: Vec<Filter>,
    pub outputs: Vec<Output>,
    /// Whether LIBVIRT_LOG_OUTPUTS named the outputs. Only then are raised errors logged too:
    /// the reference keeps them off the implicit stderr output, where its default error
    /// printer already shows them.
    pub errors_logged: bool,
}

/// `N:match` items separated by blanks; a malformed item is skipped (the reference warns).
pub fn parse_filters(text: &str) -> Vec<Filter> {
    text.split_whitespace()
        .filter_map(|item| {
            let (prio, pattern) = item.split_once(':')?;
            let pattern = pattern.strip_prefix('+').unwrap_or(pattern);
            let priority = Priority::parse(prio)?;
            (!pattern.is_empty()).then(|| Filter {
                priority,
                pattern: pattern.to_string(),
            })
        })
        .collect()
}

/// `N:stderr`, `N:file:PATH`, `N:journald` items separated by blanks. journald is used only where
/// a journal listens; syslog and unknown kinds are skipped.
pub fn parse_outputs(text: &str) -> Vec<Output> {
    text.split_whitespace()
        .filter_map(|item| {
            let (prio, rest) = item.split_once(':')?;
            let priority = Priority::parse(prio)?;
            let destination = match rest.split_once(':') {
                None if rest == "stderr" => Destination::Stderr,
                None if rest == "journald" && journal_listens() => Destination::Journald,
                Some(("file", path)) if !path.is_empty() => Destination::File(path.to_string()),
                _ => return None,
            };
            Some(Output {
                priority,
                destination,
            })
        })
        .collect()
}

fn journal_listens() -> bool {
    std::path::Path::new("/run/systemd/journal/socket").exists()
}

impl Config {
    /// The configuration the environment asks for, as the reference reads it at initialization.
    pub fn from_env() -> Config {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let debug = var("LIBVIRT_DEBUG").and_then(|v| Priority::parse(&v));
        let filters = var("LIBVIRT_LOG_FILTERS")
            .map(|v| parse_filters(&v))
            .unwrap_or_default();
        let mut outputs = var("LIBVIRT_LOG_OUTPUTS")
            .map(|v| parse_outputs(&v))
            .unwrap_or_default();
        let errors_logged = !outputs.is_empty();
        // LIBVIRT_DEBUG alone logs to stderr at its priority.
        if outputs.is_empty() {
            if let Some(priority) = debug {
                outputs.push(Output {
                    priority,
                    destination: Destination::Stderr,
                });
            }
        }
        Config {
            default: debug.unwrap_or(Priority::Warning),
            filters,
            outputs,
            errors_logged,
        }
    }

    /// The lowest priority any line could be written at: `log`'s maximum level.
    fn lowest(&self) -> Option<Priority> {
        let outputs = self.outputs.iter().map(|o| o.priority).min()?;
        let sources = self
            .filters
            .iter()
            .map(|f| f.priority)
            .chain(std::iter::once(self.default))
            .min()?;
        Some(outputs.max(sources))
    }

    /// The priority a source logs from: the first filter that matches it, else the default.
    fn source_priority(&self, source: &str) -> Priority {
        self.filters
            .iter()
            .find(|f| source.contains(f.pattern.as_str()))
            .map_or(self.default, |f| f.priority)
    }
}

/// One line in libvirt's format.
pub fn format_line(
    time: std::time::SystemTime,
    thread: u64,
    priority: Priority,
    function: &str,
    line: u32,
    message: &str,
) -> String {
    format!(
        "{}: {thread}: {} : {function}:{line} : {message}\n",
        timestamp(time),
        priority.name()
    )
}

/// `YYYY-MM-DD HH:MM:SS.mmm+0000`, in UTC as the reference writes it.
pub fn timestamp(time: std::time::SystemTime) -> String {
    let since = time
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}+0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

struct Logger {
    config: Config,
    files: Mutex<Vec<(String, std::fs::File)>>,
    /// Per output: whether its first lines, the version and host name, are written.
    headed: Vec<std::sync::atomic::AtomicBool>,
}

static LOGGER: std::sync::OnceLock<Logger> = std::sync::OnceLock::new();

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        Priority::from_level(metadata.level()) >= self.config.source_priority(metadata.target())
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let priority = Priority::from_level(record.level());
        // The function is the record's file (libvirt's own function name), its line libvirt's.
        let function = record.file().unwrap_or("");
        let text = format_line(
            std::time::SystemTime::now(),
            crate::host::thread_id(),
            priority,
            function,
            record.line().unwrap_or(0),
            &record.args().to_string(),
        );
        for (i, output) in self.config.outputs.iter().enumerate() {
            if priority < output.priority {
                continue;
            }
            if !self.headed[i].swap(true, std::sync::atomic::Ordering::Relaxed) {
                self.write(&output.destination, &header());
            }
            self.write(&output.destination, &text);
        }
    }

    fn flush(&self) {}
}

impl Logger {
    /// A failed write is dropped: logging never fails a call.
    fn write(&self, destination: &Destination, text: &str) {
        match destination {
            Destination::Stderr => {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
            Destination::File(path) => {
                let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
                if !files.iter().any(|(p, _)| p == path) {
                    let opened = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path);
                    match opened {
                        Ok(f) => files.push((path.clone(), f)),
                        Err(_) => return,
                    }
                }
                if let Some((_, f)) = files.iter_mut().find(|(p, _)| p == path) {
                    let _ = f.write_all(text.as_bytes());
                }
            }
            Destination::Journald => {
                let _ = std::os::unix::net::UnixDatagram::unbound().and_then(|s| {
                    let msg = format!("MESSAGE={}PRIORITY=7\nSYSLOG_IDENTIFIER=libvirt\n", text);
                    s.send_to(msg.as_bytes(), "/run/systemd/journal/socket")
                });
            }
        }
    }
}

/// The first lines the reference writes to each output (virLogVMessage's init message).
fn header() -> String {
    let now = timestamp(std::time::SystemTime::now());
    let thread = crate::host::thread_id();
    let host = crate::host::local_hostname().unwrap_or_default();
    format!(
        "{now}: {thread}: info : libvirt version: 9.0.0, package: oxvirt {}\n\
         {now}: {thread}: info : hostname: {host}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// A raised error, logged as the reference's virRaiseErrorFull logs it (source `util.error`,
/// error or warning priority), where outputs were named. `function` is the public call that
/// raised it: the reference names its internal function there.
pub fn raised(function: &'static str, warning: bool, message: &str) {
    let level = if warning {
        log::Level::Warn
    } else {
        log::Level::Error
    };
    if log::max_level() < level || !LOGGER.get().is_some_and(|l| l.config.errors_logged) {
        return;
    }
    cold(|| emit("util.error", level, function, 0, format_args!("{message}")));
}

/// Read the environment and install the logger (once, when the library loads). Logging off
/// leaves `log`'s maximum level at Off.
pub fn init_from_env() {
    let config = Config::from_env();
    let Some(lowest) = config.lowest() else {
        return;
    };
    let logger = LOGGER.get_or_init(|| Logger {
        headed: config.outputs.iter().map(|_| Default::default()).collect(),
        config,
        files: Mutex::new(Vec::new()),
    });
    if log::set_logger(logger).is_ok() {
        log::set_max_level(lowest.level_filter());
    }
}

/// A debug line from `function:line` of libvirt's source `source`. With logging off this is one
/// relaxed load of `log`'s maximum level; the formatting lives out of line, in a cold function, so
/// that the calling function's code stays as it was.
#[macro_export]
macro_rules! vir_debug {
    ($source:expr, $function:expr, $line:expr, $($fmt:tt)+) => {
        if ::log::max_level() >= ::log::LevelFilter::Debug {
            $crate::logging::cold(|| {
                $crate::logging::emit($source, ::log::Level::Debug, $function, $line, format_args!($($fmt)+))
            });
        }
    };
}

/// Runs `f` out of line (the slow path of [`vir_debug!`]).
#[cold]
#[inline(never)]
pub fn cold<F: FnOnce()>(f: F) {
    f()
}

/// Hand one line to the logger (the slow path of [`vir_debug!`]).
pub fn emit(
    source: &'static str,
    level: log::Level,
    function: &'static str,
    line: u32,
    args: std::fmt::Arguments,
) {
    let metadata = log::Metadata::builder().target(source).level(level).build();
    if !log::logger().enabled(&metadata) {
        return;
    }
    log::logger().log(
        &log::Record::builder()
            .target(source)
            .level(level)
            .file_static(Some(function))
            .line(Some(line))
            .args(args)
            .build(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_795_967_109_375);
        assert_eq!(
            format_line(t, 23247, Priority::Debug, "virConnectOpen", 1196, "name=test:///default"),
            "2026-11-29 15:45:09.375+0000: 23247: debug : virConnectOpen:1196 : name=test:///default\n"
        );
    }

    #[test]
    fn variables() {
        assert_eq!(
            parse_filters("1:qemu 3:event x:y +2:z 4:+util"),
            vec![
                Filter {
                    priority: Priority::Debug,
                    pattern: "qemu".into()
                },
                Filter {
                    priority: Priority::Warning,
                    pattern: "event".into()
                },
                Filter {
                    priority: Priority::Error,
                    pattern: "util".into()
                },
            ]
        );
        assert_eq!(
            parse_outputs("1:stderr 2:file:/tmp/x 3:syslog:a 9:stderr"),
            vec![
                Output {
                    priority: Priority::Debug,
                    destination: Destination::Stderr
                },
                Output {
                    priority: Priority::Info,
                    destination: Destination::File("/tmp/x".into())
                },
            ]
        );
        let c = Config {
            default: Priority::Warning,
            filters: parse_filters("1:qemu"),
            outputs: parse_outputs("1:stderr"),
            errors_logged: true,
        };
        assert_eq!(c.source_priority("qemu.qemu_driver"), Priority::Debug);
        assert_eq!(c.source_priority("libvirt"), Priority::Warning);
        assert_eq!(c.lowest(), Some(Priority::Debug));
    }
}
