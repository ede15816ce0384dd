//! The passwords of VNC and SPICE graphics (`passwd`, `passwdValidTo`, `connected`), read as the
//! reference's domain parser reads them, and hidden from the XML a caller gets without
//! `VIR_DOMAIN_XML_SECURE`. The validity time and the connected policy only mean something with a
//! password: without one, the reference drops them.

use crate::domain::devices::Element;
use crate::domain::DomainDef;
use crate::error::{Error, VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_DOMAIN};

/// The graphics types whose password the reference keeps.
const WITH_PASSWORD: &[&str] = &["vnc", "spice"];
/// What `connected` may say (libvirt's virDomainGraphicsAuthConnected, without its `default`).
const CONNECTED: &[&str] = &["fail", "disconnect", "keep"];

/// The graphics devices that carry a password, with their type.
pub fn password_graphics(def: &DomainDef) -> impl Iterator<Item = (&str, &Element)> {
    def.devices
        .iter()
        .filter(|d| d.name == "graphics")
        .filter_map(|g| Some((g.attr("type").filter(|t| WITH_PASSWORD.contains(t))?, g)))
        .filter(|(_, g)| g.attr("passwd").is_some())
}

/// Check and normalise every graphics password of a freshly parsed definition.
pub fn normalize(def: &mut DomainDef) -> Result<(), Error> {
    for g in def.devices.iter_mut().filter(|d| d.name == "graphics") {
        let Some(kind) = g.attr("type").filter(|t| WITH_PASSWORD.contains(t)) else {
            continue;
        };
        let vnc = kind == "vnc";
        if g.attr("passwd").is_none() {
            g.attrs
                .retain(|(k, _)| k != "passwdValidTo" && k != "connected");
            continue;
        }
        if let Some(text) = g.attr("passwdValidTo") {
            let canonical = format_utc(parse_valid_to(text)?);
            g.set_attr("passwdValidTo", &canonical);
        }
        if let Some(c) = g.attr("connected") {
            if !CONNECTED.contains(&c) {
                return Err(Error::with(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    VIR_FROM_DOMAIN,
                    format!("unknown connected value {c}"),
                ));
            }
            if vnc && c != "keep" {
                return Err(Error::with(
                    VIR_ERR_CONFIG_UNSUPPORTED,
                    VIR_FROM_DOMAIN,
                    "VNC supports connected='keep' only",
                ));
            }
        }
    }
    Ok(())
}

/// The definition as a caller without VIR_DOMAIN_XML_SECURE sees it: no password.
pub fn hide_passwords(def: &mut DomainDef) {
    for g in def.devices.iter_mut().filter(|d| d.name == "graphics") {
        g.attrs.retain(|(k, _)| k != "passwd");
    }
}

/// Seconds since the epoch of a `passwdValidTo` (UTC). Like the reference, six integers in the
/// shape `Y-M-DTh:m:s` with nothing after them; a date that does not exist is the epoch.
pub fn parse_valid_to(text: &str) -> Result<i64, Error> {
    let bad = || {
        Error::internal(
            VIR_FROM_DOMAIN,
            format!("cannot parse password validity time '{text}', expect YYYY-MM-DDTHH:MM:SS"),
        )
    };
    let mut rest = text;
    let mut fields = [0i64; 6];
    for (i, sep) in ["-", "-", "T", ":", ":", ""].iter().enumerate() {
        let (n, after) = leading_int(rest).ok_or_else(bad)?;
        fields[i] = n;
        rest = after.strip_prefix(sep).ok_or_else(bad)?;
    }
    if !rest.is_empty() {
        return Err(bad());
    }
    let [y, mo, d, h, mi, s] = fields;
    Ok(epoch_seconds(y, mo, d, h, mi, s).unwrap_or(0))
}

/// An integer as C's `%d` reads one: blanks, an optional sign, digits.
fn leading_int(s: &str) -> Option<(i64, &str)> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let sign_len = usize::from(s.starts_with(['+', '-']));
    let digits = s[sign_len..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(s.len() - sign_len);
    if digits == 0 {
        return None;
    }
    let end = sign_len + digits;
    Some((s[..end].parse().ok()?, &s[end..]))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The instant, when every field is in range (years 1 to 9999, as GLib's dates).
fn epoch_seconds(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let valid = (1..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && d >= 1
        && d <= days_in_month(y, mo)
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0..60).contains(&s);
    valid.then(|| days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s)
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, as the reference writes a validity time back.
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let t = secs.rem_euclid(86400);
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_times_read_as_the_reference() {
        assert_eq!(parse_valid_to("2030-01-01T00:00:00").unwrap(), 1893456000);
        assert_eq!(parse_valid_to("2030-1-1T0:0:0").unwrap(), 1893456000);
        assert_eq!(parse_valid_to(" +2030-01-01T00:00:00").unwrap(), 1893456000);
        assert_eq!(parse_valid_to("2030-02-30T00:00:00").unwrap(), 0);
        assert_eq!(parse_valid_to("1969-12-31T23:59:59").unwrap(), -1);
        for bad in [
            "soon",
            "",
            "2030-01-01T00:00",
            "2030-01-01T00:00:00Z",
            "2030-01-01T00:00:00 ",
            "2030-01-01 00:00:00",
            "2030-01-01T00:00:00.25",
        ] {
            let e = parse_valid_to(bad).unwrap_err();
            assert_eq!(
                e.message,
                format!(
                    "internal error: cannot parse password validity time '{bad}', expect YYYY-MM-DDTHH:MM:SS"
                )
            );
        }
        assert_eq!(format_utc(1893456000), "2030-01-01T00:00:00");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59");
        assert_eq!(format_utc(0), "1970-01-01T00:00:00");
    }

    fn graphics(attrs: &str) -> Result<DomainDef, Error> {
        crate::domain::xml::parse(&format!(
            "<domain type='qemu'><name>g</name><memory>65536</memory><os><type>hvm</type></os>\
             <devices><graphics {attrs}/></devices></domain>"
        ))
    }

    #[test]
    fn policies_checked_only_with_a_password() {
        let g = graphics("type='vnc' connected='bogus' passwdValidTo='x'").unwrap();
        assert_eq!(g.devices[0].attrs, vec![("type".into(), "vnc".into())]);
        let e = graphics("type='vnc' passwd='p' connected='disconnect'").unwrap_err();
        assert_eq!(
            e.message,
            "unsupported configuration: VNC supports connected='keep' only"
        );
        let e = graphics("type='spice' passwd='p' connected='default'").unwrap_err();
        assert_eq!(
            e.message,
            "unsupported configuration: unknown connected value default"
        );
        let mut g = graphics("type='spice' passwd='p' connected='fail'").unwrap();
        assert_eq!(password_graphics(&g).count(), 1);
        hide_passwords(&mut g);
        assert_eq!(g.devices[0].attr("passwd"), None);
        assert_eq!(g.devices[0].attr("connected"), Some("fail"));
    }
}
