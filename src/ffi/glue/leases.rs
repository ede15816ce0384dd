//! virNetworkGetDHCPLeases' answer: new lease structs in a new array, all C memory the caller
//! frees (virNetworkDHCPLeaseFree, then free(3)).

use super::domain::c_array;
use super::{Cx, Out, Reply};
use crate::driver::family::{DhcpLease, DhcpLeases};
use crate::error::Result;
use crate::ffi::args;
use crate::ffi::generated::types::{virNetworkDHCPLease, virNetworkDHCPLeasePtr};
use std::os::raw::{c_char, c_int};
use std::ptr;

fn optional(s: &Option<String>) -> *mut c_char {
    s.as_deref().map_or(ptr::null_mut(), args::malloc_str)
}

fn c_lease(l: &DhcpLease) -> virNetworkDHCPLease {
    virNetworkDHCPLease {
        iface: args::malloc_str(&l.iface),
        expirytime: l.expirytime,
        r#type: l.addr_type,
        mac: optional(&l.mac),
        iaid: optional(&l.iaid),
        ipaddr: args::malloc_str(&l.ipaddr),
        prefix: l.prefix,
        hostname: optional(&l.hostname),
        clientid: optional(&l.clientid),
    }
}

/// The leases into a NULL-terminated array, as the reference's: none leaves the caller's pointer
/// NULL (the public layer set it so), and a NULL pointer asks for the count alone.
impl Reply<c_int, (Out<*mut *mut virNetworkDHCPLeasePtr>,)> for DhcpLeases {
    unsafe fn reply(
        self,
        outs: (Out<*mut *mut virNetworkDHCPLeasePtr>,),
        cx: &Cx,
    ) -> Result<c_int> {
        let dst = outs.0 .0;
        let n = self.0.len();
        if dst.is_null() || n == 0 {
            return Ok(n as c_int);
        }
        let list: *mut virNetworkDHCPLeasePtr = c_array(n + 1, cx)?;
        for (i, lease) in self.0.iter().enumerate() {
            let one: *mut virNetworkDHCPLease = c_array(1, cx)?;
            // SAFETY: `one` is a fresh allocation of one struct; `list` holds n + 1 slots.
            unsafe {
                one.write(c_lease(lease));
                list.add(i).write(one);
            }
        }
        // SAFETY: non-NULL (checked above) and writable by the C contract.
        unsafe { dst.write(list) };
        Ok(n as c_int)
    }
}
