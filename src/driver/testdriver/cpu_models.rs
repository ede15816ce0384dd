//! virConnectGetCPUModelNames on the test driver (testConnectGetCPUModelNames): the architecture's
//! CPU models as libvirt's CPU drivers list them from the CPU map Debian ships
//! (/usr/share/libvirt/cpu_map/index.xml and the files its `<arch>` sections include).

use super::{check_flags, TestDriver};
use crate::api::NoFlags;
use crate::driver::family::CpuModels;
use crate::error::{
    Error, Result, VIR_ERR_INVALID_ARG, VIR_ERR_NO_SUPPORT, VIR_FROM_CPU, VIR_FROM_TEST,
};
use std::path::Path;

/// Where libvirt's CPU map lives (its package data directory).
pub(super) const CPU_MAP_DIR: &str = "/usr/share/libvirt/cpu_map";

/// Every architecture name libvirt knows (virArchFromString's table, without "none").
pub(crate) const ARCHES: [&str; 37] = [
    "alpha",
    "armv6l",
    "armv7l",
    "armv7b",
    "aarch64",
    "cris",
    "i686",
    "ia64",
    "lm32",
    "loongarch64",
    "m68k",
    "microblaze",
    "microblazeel",
    "mips",
    "mipsel",
    "mips64",
    "mips64el",
    "openrisc",
    "parisc",
    "parisc64",
    "ppc",
    "ppcle",
    "ppc64",
    "ppc64le",
    "ppcemb",
    "riscv32",
    "riscv64",
    "s390",
    "s390x",
    "sh4",
    "sh4eb",
    "sparc",
    "sparc64",
    "unicore32",
    "x86_64",
    "xtensa",
    "xtensaeb",
];

/// What libvirt's CPU driver for an architecture answers for its models.
pub(super) enum CpuDriver {
    /// The models of this `<arch>` section of the CPU map (the x86 and ppc64 drivers).
    Map(&'static str),
    /// A driver without a model list (arm, s390).
    NoModels,
}

/// The CPU driver that serves `arch`, if any (libvirt's cpuGetSubDriver).
pub(super) fn cpu_driver(arch: &str) -> Option<CpuDriver> {
    match arch {
        "i686" | "x86_64" => Some(CpuDriver::Map("x86")),
        "ppc64" | "ppc64le" => Some(CpuDriver::Map("ppc64")),
        "armv6l" | "armv7l" | "armv7b" | "aarch64" | "s390" | "s390x" => Some(CpuDriver::NoModels),
        _ => None,
    }
}

impl TestDriver {
    pub(super) fn cpu_model_names(&self, arch: &str, flags: u32) -> Result<CpuModels> {
        check_flags(flags, NoFlags::empty(), "testConnectGetCPUModelNames")?;
        if !ARCHES.contains(&arch) {
            return Err(Error::with(
                VIR_ERR_INVALID_ARG,
                VIR_FROM_TEST,
                format!("cannot find architecture {arch}"),
            ));
        }
        match cpu_driver(arch) {
            Some(CpuDriver::Map(section)) => {
                map_models(Path::new(CPU_MAP_DIR), section).map(|m| CpuModels(Some(m)))
            }
            Some(CpuDriver::NoModels) => Ok(CpuModels(None)),
            None => Err(Error::with(
                VIR_ERR_NO_SUPPORT,
                VIR_FROM_CPU,
                format!("'{arch}' architecture is not supported by CPU driver"),
            )),
        }
    }
}

/// The files the `<arch name=section>` part of the map's index includes, in its order.
pub(super) fn map_files(dir: &Path, section: &str) -> Result<Vec<String>> {
    let index = read_map_file(dir, "index.xml")?;
    let doc = parse_map_file(&index, "index.xml")?;
    let arch = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("arch") && n.attribute("name") == Some(section));
    Ok(arch
        .iter()
        .flat_map(|a| a.children())
        .filter(|n| n.has_tag_name("include"))
        .filter_map(|n| n.attribute("filename").map(str::to_string))
        .collect())
}

/// The `<model name=...>` of every file the `<arch name=section>` part of the map's index
/// includes, in the index's order.
fn map_models(dir: &Path, section: &str) -> Result<Vec<String>> {
    let mut models = Vec::new();
    for file in map_files(dir, section)? {
        let file = file.as_str();
        let text = read_map_file(dir, file)?;
        let part = parse_map_file(&text, file)?;
        models.extend(
            part.descendants()
                .filter(|n| n.has_tag_name("model"))
                .filter_map(|n| n.attribute("name").map(str::to_string)),
        );
    }
    Ok(models)
}

pub(super) fn read_map_file(dir: &Path, file: &str) -> Result<String> {
    let path = dir.join(file);
    std::fs::read_to_string(&path).map_err(|e| {
        Error::system(
            VIR_FROM_CPU,
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("failed to read file '{}'", path.display()),
        )
    })
}

pub(super) fn parse_map_file<'a>(text: &'a str, file: &str) -> Result<roxmltree::Document<'a>> {
    roxmltree::Document::parse(text)
        .map_err(|_| Error::internal(VIR_FROM_CPU, format!("cannot parse CPU map file '{file}'")))
}
