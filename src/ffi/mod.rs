//! The C boundary: every exported function, the conversion of C arguments into Rust values, and
//! nothing else. One file per API family; `generated/` is written by gen/generate.py.

pub mod generated {
    // Three lines an export, as gen/generate.py writes them (rustfmt's layout: 5,500 lines).
    #[rustfmt::skip]
    pub mod exports;
    pub mod types;
}

pub(crate) mod admin;
pub(crate) mod args;
#[allow(non_snake_case)]
pub(crate) mod connect;
#[allow(non_snake_case)]
pub(crate) mod domain;
#[allow(non_snake_case)]
pub(crate) mod domain_stats;
pub(crate) mod entry;
#[allow(non_snake_case)]
pub(crate) mod error;
#[allow(non_snake_case)]
pub(crate) mod event;
#[allow(non_snake_case)]
pub(crate) mod event_loop;
pub(crate) mod event_payload;
#[allow(non_snake_case)]
pub(crate) mod fdpass;
pub(crate) mod glue;
pub(crate) mod handles;
#[allow(non_snake_case)]
pub(crate) mod host;
pub(crate) mod init;
pub(crate) mod log_args;
#[allow(non_snake_case)]
pub(crate) mod migrate;
#[allow(non_snake_case)]
pub(crate) mod network_event;
#[allow(non_snake_case)]
pub(crate) mod nodedev;
pub(crate) mod objects;
pub(crate) mod opaque;
pub(crate) mod qemu_libs;
pub(crate) mod qemu_monitor_event;
#[allow(non_snake_case, non_camel_case_types)]
pub mod qemu_process;
#[allow(non_snake_case)]
pub(crate) mod secret_event;
#[allow(non_snake_case)]
pub(crate) mod storage_event;
#[allow(non_snake_case)]
pub(crate) mod stream;
#[allow(non_snake_case)]
pub(crate) mod typed_params;
#[allow(non_snake_case)]
pub(crate) mod util;
