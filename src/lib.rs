//! oxvirt: libvirt 9.0's domain lifecycle in Rust, built as a drop-in `libvirt.so.0`.
//!
//! `ffi` is the C boundary (the only place raw pointers are turned into Rust values); everything
//! below it is safe Rust: connections, drivers, domains, events and the process layer.
//!
//! Layering runs one way: `ffi` -> `conn` -> `driver` -> `domain`, `process`, `event`, `error`
//! (`tests/layering.rs`). What the core must tell the C boundary goes through Rust types the
//! boundary implements and installs: `error::ErrorFunction` and `error::observe_changes` (the
//! C error functions and the thread's `virError`), `event::hooks::EventLoop` (the registered C
//! event loop).

pub mod api;
pub mod auth;
pub mod client_conf;
pub mod conn;
pub mod conn_log;
pub mod ctext;
pub mod domain;
pub mod driver;
pub mod error;
pub mod event;
pub mod ffi;
pub mod host;
pub mod keyfile;
pub mod logging;
pub mod process;
pub mod uri;
