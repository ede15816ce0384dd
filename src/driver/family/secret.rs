//! The secret family: virSecret* and virConnect*Secret* (libvirt's virSecretDriver).
//! A default body is what a driver that lacks the call answers.

/// What a virSecretPtr names, as libvirt's virSecret holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    pub uuid: [u8; 16],
    pub usage_type: i32,
    pub usage_id: String,
}

pub trait SecretDriver: Send + Sync {}
