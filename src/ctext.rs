//! Text from C, kept byte for byte. libvirt is byte-oriented C: a name or URI that is not UTF-8
//! is still a distinct string there (a lookup simply finds nothing, an error message quotes the
//! very bytes). Rust strings are UTF-8, so every byte that is not part of valid UTF-8 is carried
//! as one character of a private-use range, and turned back into that byte whenever text goes
//! back to C. Valid characters that fall in that range are carried the same way, byte by byte, so
//! that two different byte strings never become the same Rust string.

use std::borrow::Cow;

/// `ESCAPE_BASE + b` stands for the raw byte `b` (0x80..=0xff).
const ESCAPE_BASE: u32 = 0x10_ff00;

fn escape_byte(b: u8) -> char {
    char::from_u32(ESCAPE_BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The raw byte a character stands for, if it is one of ours.
pub fn raw_byte(c: char) -> Option<u8> {
    let v = u32::from(c);
    (ESCAPE_BASE + 0x80..=ESCAPE_BASE + 0xff)
        .contains(&v)
        .then(|| (v - ESCAPE_BASE) as u8)
}

/// The first byte of every character of our escape range (U+10FF80..=U+10FFFF in UTF-8).
const ESCAPE_LEAD: u8 = 0xf4;

/// Does this text hold bytes that were not valid UTF-8 (or our own escape range)?
pub fn has_raw_bytes(s: &str) -> bool {
    // Names and XML are nearly always free of that lead byte: skip the per-character walk.
    s.as_bytes().contains(&ESCAPE_LEAD) && s.chars().any(|c| raw_byte(c).is_some())
}

/// Bytes from C as text, losslessly.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if !has_raw_bytes(s) => Cow::Borrowed(s),
        _ => Cow::Owned(decode_slow(bytes)),
    }
}

fn decode_slow(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    while !bytes.is_empty() {
        let (valid, rest) = match std::str::from_utf8(bytes) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (ok, bad) = bytes.split_at(e.valid_up_to());
                // from_utf8 said these bytes are valid.
                (std::str::from_utf8(ok).unwrap_or(""), bad)
            }
        };
        for c in valid.chars() {
            if raw_byte(c).is_some() {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .for_each(|b| out.push(escape_byte(b)));
            } else {
                out.push(c);
            }
        }
        let skip = match std::str::from_utf8(rest) {
            Ok(_) => 0,
            Err(e) => e.error_len().unwrap_or(rest.len()),
        };
        rest[..skip].iter().for_each(|b| out.push(escape_byte(*b)));
        bytes = &rest[skip..];
    }
    out
}

/// Text back to the bytes C gave (or should see).
pub fn encode(s: &str) -> Cow<'_, [u8]> {
    if !has_raw_bytes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match raw_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes()),
        }
    }
    Cow::Owned(out)
}

/// A path named by text from C: the very bytes it came as.
pub fn path(s: &str) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&encode(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_escape_starts_with_the_lead_byte_the_fast_path_looks_for() {
        for b in 0x80..=0xffu8 {
            assert_eq!(escape_byte(b).to_string().as_bytes()[0], ESCAPE_LEAD);
        }
    }

    #[test]
    fn different_invalid_bytes_stay_different() {
        let a = decode(b"a\xff");
        let b = decode(b"a\xfe");
        assert_ne!(a, b);
        assert_eq!(&*encode(&a), b"a\xff");
        assert_eq!(&*encode(&b), b"a\xfe");
    }

    #[test]
    fn round_trip_keeps_every_byte_string() {
        let cases: [&[u8]; 6] = [
            b"plain",
            "caf\u{e9}".as_bytes(),
            b"\xc3",
            b"x\xc3(\xe2\x82",
            "\u{10ffff}".as_bytes(),
            b"\xf4\x8f\xbf\xbf",
        ];
        for c in cases {
            assert_eq!(&*encode(&decode(c)), c, "{c:?}");
        }
        assert!(matches!(decode(b"plain"), Cow::Borrowed(_)));
        assert_eq!(decode("caf\u{e9}".as_bytes()), "caf\u{e9}");
    }
}
