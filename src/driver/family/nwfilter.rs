//! The nwfilter family: virNWFilter* and virConnect*NWFilter* (libvirt's virNWFilterDriver).

/// No driver serves this family yet: its exports are "not supported" stubs under
/// VIR_FROM_NWFILTER, the error domain the reference's public layer uses for it. A driver that
/// comes to serve it adds the method here, with a default body returning
/// `super::unsupported(VIR_FROM_NWFILTER, "virFunctionName")` as those stubs do, and the export
/// calls it.
pub trait NwFilterDriver: Send + Sync {}
