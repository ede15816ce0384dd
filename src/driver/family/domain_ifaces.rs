//! Values of virDomainInterfaceAddresses (issue 15): where the addresses come from, and the
//! guest's interfaces with their addresses.

/// virDomainInterfaceAddresses' `source` (VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_*), as given: the
/// public layer refuses the guest agent on a read-only connection, the driver unknown ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressSource(pub u32);

/// One IP address of an interface: its type (VIR_IP_ADDR_TYPE_*), text and prefix length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpAddress {
    pub kind: i32,
    pub addr: String,
    pub prefix: u32,
}

/// One interface of the guest: its name, MAC address and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestInterface {
    pub name: String,
    pub hwaddr: Option<String>,
    pub addrs: Vec<IpAddress>,
}

/// virDomainInterfaceAddresses' answer: a new array the caller frees with
/// virDomainInterfaceFree and free(3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GuestInterfaces(pub Vec<GuestInterface>);
