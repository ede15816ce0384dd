//! libvirt's API vocabulary as Rust types, for drivers and the C boundary alike: every flags
//! enum of libvirt-api.xml as a `bitflags` type, every other enum (states, reasons, event kinds,
//! event ids, ...) as a Rust enum (`generated.rs`, written by gen/generate.py), and the one flags
//! check every driver function makes.

use crate::error::{Error, Result};
use bitflags::Flags;

/// A libvirt enum as a Rust enum: its values as discriminants, `TryFrom<i32>` (the unknown value
/// is the error), `From<Self> for i32`, and `LAST`, one more than the highest value, where
/// libvirt declares a `*_LAST` sentinel.
macro_rules! api_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $value:literal,)* } LAST = $last:literal) => {
        api_enum! { $(#[$doc])* $name { $($variant = $value,)* } }

        impl $name {
            /// libvirt's `*_LAST` sentinel for this enum: one more than the highest value.
            pub const LAST: i32 = $last;
        }
    };
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $value:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(i32)]
        pub enum $name {
            $($variant = $value,)*
        }

        impl TryFrom<i32> for $name {
            type Error = i32;

            fn try_from(v: i32) -> std::result::Result<Self, i32> {
                match v {
                    $($value => Ok(Self::$variant),)*
                    other => Err(other),
                }
            }
        }

        impl From<$name> for i32 {
            fn from(v: $name) -> i32 {
                v as i32
            }
        }
    };
}

mod generated;
pub use generated::*;

bitflags::bitflags! {
    /// The flags of a function that takes none (libvirt's `virCheckFlags(0, ...)`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct NoFlags: u32 {}
}

/// libvirt's `virCheckFlags` in a driver function: any bit outside `accepted` fails with
/// VIR_ERR_INVALID_ARG, `unsupported flags (0x<bits>) in function <function>` (only the
/// unsupported bits), under the driver's error domain; otherwise the flags, typed.
pub fn check_flags<F: Flags<Bits = u32>>(
    function: &str,
    flags: u32,
    accepted: F,
    error_domain: i32,
) -> Result<F> {
    check_bits(function, flags, accepted.bits(), error_domain).map(F::from_bits_retain)
}

/// [`check_flags`] on raw bits, for callers that have no type for them yet.
pub fn check_bits(function: &str, flags: u32, accepted: u32, error_domain: i32) -> Result<u32> {
    match flags & !accepted {
        0 => Ok(flags),
        bad => Err(Error::unsupported_flags(error_domain, function, bad)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{VIR_ERR_INVALID_ARG, VIR_FROM_QEMU};

    #[test]
    fn unsupported_bits_are_named_with_the_function_and_the_driver_domain() {
        let e = check_flags(
            "qemuDomainDestroyFlags",
            0x8000_0003,
            DomainDestroyFlags::GRACEFUL | DomainDestroyFlags::REMOVE_LOGS,
            VIR_FROM_QEMU,
        )
        .unwrap_err();
        assert_eq!((e.code, e.domain), (VIR_ERR_INVALID_ARG, VIR_FROM_QEMU));
        assert_eq!(
            e.message,
            "unsupported flags (0x80000000) in function qemuDomainDestroyFlags"
        );
        assert_eq!(e.str1.as_deref(), Some("qemuDomainDestroyFlags"));
    }

    #[test]
    fn accepted_flags_come_back_typed() {
        let f = check_flags("f", 1, DomainDestroyFlags::GRACEFUL, 0).unwrap();
        assert!(f.contains(DomainDestroyFlags::GRACEFUL));
        assert_eq!(
            check_flags("f", 0, NoFlags::empty(), 0).unwrap(),
            NoFlags::empty()
        );
        assert!(check_flags("f", 1, NoFlags::empty(), 0).is_err());
    }

    #[test]
    fn names_and_values_are_libvirts() {
        assert_eq!(DomainDestroyFlags::REMOVE_LOGS.bits(), 2);
        assert_eq!(DomainUndefineFlags::NVRAM.bits(), 4);
        assert_eq!(ConnectListAllDomainsFlags::PERSISTENT.bits(), 4);
        assert_eq!(DomainState::try_from(5), Ok(DomainState::Shutoff));
        assert_eq!(DomainState::try_from(8), Err(8));
        assert_eq!(i32::from(DomainShutoffReason::Destroyed), 2);
        assert_eq!(DomainEventType::try_from(5), Ok(DomainEventType::Stopped));
        assert_eq!(i32::from(DomainEventStoppedDetailType::Failed), 5);
        assert_eq!(DomainEventID::LAST, 27);
        assert_eq!(i32::from(DomainEventID::Lifecycle), 0);
    }
}
