//! libvirt's key code sets: which codes each holds, and the Linux and qnum codes it translates
//! them to (virDomainSendKey). The maps are the reference's own, read by gen/keycodes.py.

use super::keycode_maps::{KeyCode, KEYCODE_MAPS};
use crate::api::KeycodeSet;

/// libvirt's name of a set, as its errors write it.
pub fn set_name(set: KeycodeSet) -> &'static str {
    match set {
        KeycodeSet::Linux => "linux",
        KeycodeSet::Xt => "xt",
        KeycodeSet::Atset1 => "atset1",
        KeycodeSet::Atset2 => "atset2",
        KeycodeSet::Atset3 => "atset3",
        KeycodeSet::Osx => "os_x",
        KeycodeSet::XtKbd => "xt_kbd",
        KeycodeSet::Usb => "usb",
        KeycodeSet::Win32 => "win32",
        KeycodeSet::Qnum => "qnum",
    }
}

fn entry(set: KeycodeSet, code: u32) -> Option<&'static KeyCode> {
    let map = KEYCODE_MAPS.get(set as usize)?;
    let code = u16::try_from(code).ok()?;
    map.binary_search_by_key(&code, |e| e.0)
        .ok()
        .map(|i| &map[i])
}

/// The Linux key code of a set's code; None when the set has no such code.
pub fn to_linux(set: KeycodeSet, code: u32) -> Option<u32> {
    entry(set, code).map(|e| u32::from(e.1))
}

/// The qnum code (a PC scan code, 0x80 set for the 0xe0-prefixed ones) of a set's code, which
/// qemu's send-key takes; None when the set has no such code.
pub fn to_qnum(set: KeycodeSet, code: u32) -> Option<u32> {
    entry(set, code).map(|e| u32::from(e.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_translate_as_libvirt_does() {
        assert_eq!(to_qnum(KeycodeSet::Linux, 30), Some(30));
        assert_eq!(to_qnum(KeycodeSet::Linux, 103), Some(0xc8));
        assert_eq!(to_qnum(KeycodeSet::Linux, 999), None);
        assert_eq!(to_qnum(KeycodeSet::XtKbd, 0x148), Some(0xc8));
        assert_eq!(to_qnum(KeycodeSet::Atset1, 0xe048), Some(0xc8));
        assert_eq!(to_linux(KeycodeSet::Usb, 4), Some(30));
        assert_eq!(to_linux(KeycodeSet::Usb, 1), None);
        assert_eq!(to_linux(KeycodeSet::Linux, 0x20c), Some(0x20c));
        assert_eq!(to_linux(KeycodeSet::Linux, 0x20d), None);
    }

    #[test]
    fn every_map_is_sorted_by_code() {
        for map in KEYCODE_MAPS {
            assert!(map.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }
}
