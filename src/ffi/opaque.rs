//! The application's opaque pointers (`void *opaque`, `userData`), held by Rust values that other
//! threads may see.

use std::os::raw::c_void;

/// An opaque pointer the application gave with a callback, handed back to that callback unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Opaque(*mut c_void);

// SAFETY: we never dereference the pointer; we only hand it back to the application's own
// callback, which libvirt's contract lets us call on any thread (libvirt calls error functions on
// whichever thread raised the error, event callbacks on the loop's thread). Whatever the data behind it needs is the
// application's own synchronisation, as with libvirt.
unsafe impl Send for Opaque {}
// SAFETY: as for Send: shared access only copies the pointer value.
unsafe impl Sync for Opaque {}

impl Opaque {
    pub(crate) fn new(p: *mut c_void) -> Opaque {
        Opaque(p)
    }

    pub(crate) fn as_ptr(self) -> *mut c_void {
        self.0
    }
}
