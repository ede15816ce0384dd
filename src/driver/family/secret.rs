//! The secret family: virSecret* and virConnect*Secret* (libvirt's virSecretDriver).
//! A default body is what a driver that lacks the call answers.

use super::unsupported;
use crate::error::{Result, VIR_FROM_SECRET};
use crate::event::Bus;
use std::sync::Arc;

/// What a virSecretPtr names, as libvirt's virSecret holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    pub uuid: [u8; 16],
    pub usage_type: i32,
    pub usage_id: String,
}

/// A secret's value (virSecretSetValue's bytes and their size; virSecretGetValue's answer).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SecretValue(pub Vec<u8>);

pub trait SecretDriver: Send + Sync {
    /// virSecretLookupByUUID (and virSecretLookupByUUIDString).
    fn secret_lookup_by_uuid(&self, _uuid: [u8; 16]) -> Result<SecretRef> {
        unsupported(VIR_FROM_SECRET, "virSecretLookupByUUID")
    }
    /// virSecretLookupByUsage.
    fn secret_lookup_by_usage(&self, _usage_type: i32, _usage_id: String) -> Result<SecretRef> {
        unsupported(VIR_FROM_SECRET, "virSecretLookupByUsage")
    }
    /// virSecretDefineXML.
    fn secret_define_xml(&self, _xml: String, _flags: u32) -> Result<SecretRef> {
        unsupported(VIR_FROM_SECRET, "virSecretDefineXML")
    }
    /// virSecretGetXMLDesc.
    fn secret_xml_desc(&self, _secret: &SecretRef, _flags: u32) -> Result<String> {
        unsupported(VIR_FROM_SECRET, "virSecretGetXMLDesc")
    }
    /// virSecretUndefine.
    fn secret_undefine(&self, _secret: &SecretRef) -> Result<()> {
        unsupported(VIR_FROM_SECRET, "virSecretUndefine")
    }
    /// virSecretSetValue.
    fn secret_set_value(
        &self,
        _secret: &SecretRef,
        _value: SecretValue,
        _flags: u32,
    ) -> Result<()> {
        unsupported(VIR_FROM_SECRET, "virSecretSetValue")
    }
    /// virSecretGetValue.
    fn secret_value(&self, _secret: &SecretRef, _flags: u32) -> Result<SecretValue> {
        unsupported(VIR_FROM_SECRET, "virSecretGetValue")
    }
    /// virConnectListAllSecrets.
    fn secret_list_all(&self, _flags: u32) -> Result<Vec<SecretRef>> {
        unsupported(VIR_FROM_SECRET, "virConnectListAllSecrets")
    }
    /// virConnectListAllSecrets with no array: the count alone.
    /// The remote driver overrides it (need_results 0, as libvirt's client sends): the
    /// daemon lists nothing.
    fn secret_count_all(&self, flags: u32) -> Result<i32> {
        Ok(self.secret_list_all(flags)?.len() as i32)
    }
    /// virConnectListSecrets (and virConnectNumOfSecrets): the secrets' UUID strings.
    fn secret_uuids(&self) -> Result<Vec<String>> {
        unsupported(VIR_FROM_SECRET, "virConnectListSecrets")
    }
    /// The bus this driver raises secret events on (lifecycle and value changed, shaped as
    /// the domain bus's: the secret's usage id as the name, its UUID, its usage type as the id);
    /// `function` is the public call that asks.
    fn secret_events(&self, function: &str) -> Result<&Arc<Bus>> {
        unsupported(VIR_FROM_SECRET, function)
    }

    /// virConnectNumOfSecrets: by default the length of the listing; a daemon counts itself.
    fn secret_count(&self) -> Result<i32> {
        Ok(self.secret_uuids()?.len() as i32)
    }
}
