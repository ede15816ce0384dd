//! oxvirt: libvirt 9.0's domain lifecycle in Rust, built as a drop-in `libvirt.so.0`.
//!
//! `ffi` is the C boundary (the only place raw pointers are turned into Rust values); everything
//! below it is safe Rust: connections, drivers, domains, events and the process layer.

pub mod api;
pub mod auth;
pub mod conn;
pub mod ctext;
pub mod domain;
pub mod driver;
pub mod error;
pub mod event;
pub mod ffi;
pub mod host;
pub mod process;
pub mod uri;
