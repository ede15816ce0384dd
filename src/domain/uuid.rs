//! UUIDs as libvirt writes and reads them.

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case.
pub fn format(u: &[u8; 16]) -> String {
    let h: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// libvirt accepts 32 hex digits with dashes (and spaces) anywhere between byte pairs.
pub fn parse(s: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    let digits: Vec<u8> = s
        .trim()
        .bytes()
        .filter(|c| *c != b'-' && *c != b' ')
        .collect();
    if digits.len() != 32 {
        return None;
    }
    for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        *byte = (hi * 16 + lo) as u8;
    }
    Some(out)
}

/// A random (version 4) UUID from the kernel's generator.
pub fn generate() -> [u8; 16] {
    let mut u = [0u8; 16];
    let mut filled = 0;
    while filled < 16 {
        // SAFETY: getrandom writes at most the given length into our buffer.
        let r = unsafe { libc::getrandom(u[filled..].as_mut_ptr().cast(), 16 - filled, 0) };
        if r > 0 {
            filled += r as usize;
        }
    }
    u[6] = (u[6] & 0x0f) | 0x40;
    u[8] = (u[8] & 0x3f) | 0x80;
    u
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let s = "6695eb01-f6a4-8304-79aa-97f2502e193f";
        assert_eq!(super::format(&super::parse(s).unwrap()), s);
        assert!(super::parse("not-a-uuid").is_none());
        let g = super::generate();
        assert_eq!(g[6] >> 4, 4);
    }
}
