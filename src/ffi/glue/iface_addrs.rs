//! C shapes of virDomainInterfaceAddresses: the `source`, which decides whether a read-only
//! connection may ask, and the answer, a new array of new interfaces the caller frees with
//! virDomainInterfaceFree (src/ffi/util.rs) and free(3).

use super::domain::c_array;
use super::{Cx, FromC, Out, Reply};
use crate::api::DomainInterfaceAddressesSource;
use crate::driver::family::{AddressSource, GuestInterfaces};
use crate::error::{Result, VIR_FROM_DOMAIN};
use crate::ffi::args;
use crate::ffi::generated::types::{virDomainIPAddress, virDomainInterface, virDomainInterfacePtr};
use std::os::raw::{c_int, c_uint};

/// The public layer refuses the guest agent as a source on a read-only connection (the other
/// sources read only the host's state).
impl FromC<c_uint> for AddressSource {
    unsafe fn from_c(c: c_uint, cx: &Cx, _arg: &'static str) -> Result<Self> {
        if c == i32::from(DomainInterfaceAddressesSource::Agent) as c_uint {
            cx.writable(VIR_FROM_DOMAIN)?;
        }
        Ok(AddressSource(c))
    }
}

/// No interfaces leave the caller's pointer NULL, as the reference's empty allocation does.
impl Reply<c_int, (Out<*mut *mut virDomainInterfacePtr>,)> for GuestInterfaces {
    unsafe fn reply(self, outs: (Out<*mut *mut virDomainInterfacePtr>,), cx: &Cx) -> Result<c_int> {
        let dst = outs.0 .0;
        if self.0.is_empty() {
            // SAFETY: checked non-NULL by the public layer's check; writable.
            unsafe { dst.write(std::ptr::null_mut()) };
            return Ok(0);
        }
        let list: *mut virDomainInterfacePtr = c_array(self.0.len(), cx)?;
        for (i, iface) in self.0.iter().enumerate() {
            let addrs: *mut virDomainIPAddress = c_array(iface.addrs.len(), cx)?;
            for (k, a) in iface.addrs.iter().enumerate() {
                // SAFETY: `addrs` holds addrs.len() slots.
                unsafe {
                    addrs.add(k).write(virDomainIPAddress {
                        r#type: a.kind,
                        addr: args::malloc_str(&a.addr),
                        prefix: a.prefix,
                    })
                };
            }
            let one: *mut virDomainInterface = c_array(1, cx)?;
            let hwaddr = iface
                .hwaddr
                .as_deref()
                .map_or(std::ptr::null_mut(), args::malloc_str);
            // SAFETY: `one` is a fresh allocation of one struct; `list` holds len slots.
            unsafe {
                one.write(virDomainInterface {
                    name: args::malloc_str(&iface.name),
                    hwaddr,
                    naddrs: iface.addrs.len() as c_uint,
                    addrs,
                });
                list.add(i).write(one);
            }
        }
        // SAFETY: checked non-NULL by the public layer's check; writable.
        unsafe { dst.write(list) };
        Ok(self.0.len() as c_int)
    }
}
