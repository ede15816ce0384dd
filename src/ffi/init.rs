//! What runs when the library is loaded: the log configuration is read from the environment
//! then, so that a public call with logging off checks only `log`'s level.

extern "C" fn init_logging() {
    // A panic must not unwind into the dynamic loader.
    let _ = std::panic::catch_unwind(crate::logging::init_from_env);
}

/// Registered in .init_array, which the loader runs before the application sees the library.
#[used]
#[link_section = ".init_array"]
static INIT_LOGGING: extern "C" fn() = init_logging;
