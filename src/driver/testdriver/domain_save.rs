//! The test driver's saves: managed save (a flag on the domain), save images (the reference's
//! format: a magic string, the XML's length as a native int, the XML) and restore, and rename.

use super::domain_extras::test_operation_invalid;
use super::domain_extras::DefExtras;
use super::{check_active, check_flags, stale, Dom, TestDriver};
use crate::api::{
    DomainCoreDumpFlags, DomainCoreDumpFormat, DomainEventDefinedDetailType as Defined,
    DomainEventStartedDetailType as Started, DomainEventStoppedDetailType as Stopped,
    DomainEventUndefinedDetailType as Undefined, DomainRunningReason, DomainSaveImageXMLFlags,
    DomainSaveRestoreFlags, DomainShutoffReason, NoFlags,
};
use crate::domain::StateReason;
use crate::domain::{self, DomainRef};
use crate::driver::family::public_invalid_arg;
use crate::error::{Error, Result, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_XML_ERROR, VIR_FROM_TEST};
use crate::event::Lifecycle;
use std::io::{Read, Write};

/// The save image's magic, with its NUL, as the reference writes it.
const SAVE_MAGIC: &[u8; 15] = b"TestGuestMagic\0";
/// The longest domain XML the reference reads back from an image.
const MAX_SAVED_XML: i32 = 8192;
const IMAGE_DEFINE_FLAGS: DomainSaveRestoreFlags =
    DomainSaveRestoreFlags::RUNNING.union(DomainSaveRestoreFlags::PAUSED);
const MANAGED_SAVE_FLAGS: DomainSaveRestoreFlags = DomainSaveRestoreFlags::BYPASS_CACHE
    .union(DomainSaveRestoreFlags::RUNNING)
    .union(DomainSaveRestoreFlags::PAUSED);

fn xml_modification_unsupported() -> Error {
    Error::with(
        VIR_ERR_ARGUMENT_UNSUPPORTED,
        VIR_FROM_TEST,
        "xml modification unsupported",
    )
}

fn errno_of(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(0)
}

/// Write the image of `xml` for domain `name` at `path`: whole or not at all (a file beside it,
/// renamed over `path` once written).
fn write_image(name: &str, path: &str, xml: &str) -> Result<()> {
    let failed = |what: &str, e: std::io::Error| {
        Error::system(
            VIR_FROM_TEST,
            errno_of(&e),
            format!("saving domain '{name}' to '{path}': {what} failed"),
        )
    };
    let partial = format!("{path}.partial");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode_user_rw()
        .open(&partial)
        .map_err(|e| failed("open", e))?;
    let len = xml.len() as i32;
    let written = f
        .write_all(SAVE_MAGIC)
        .and_then(|_| f.write_all(&len.to_ne_bytes()))
        .and_then(|_| f.write_all(xml.as_bytes()))
        .and_then(|_| f.sync_all())
        .and_then(|_| std::fs::rename(&partial, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(failed("write", e));
    }
    Ok(())
}

/// Owner read and write only, as the reference creates images.
trait UserRw {
    fn mode_user_rw(&mut self) -> &mut Self;
}

impl UserRw for std::fs::OpenOptions {
    fn mode_user_rw(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }
}

/// Read `n` bytes, or the reference's error for a short read (errno 0 when the file ended).
fn read_exact(f: &mut std::fs::File, n: usize, what: impl Fn(i32) -> Error) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match f.read(&mut buf[got..]) {
            Ok(0) => return Err(what(0)),
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(what(errno_of(&e))),
        }
    }
    Ok(buf)
}

/// The domain definition an image at `path` holds.
fn read_image(path: &str) -> Result<domain::DomainDef> {
    let mut f = std::fs::File::open(path).map_err(|e| {
        Error::system(
            VIR_FROM_TEST,
            errno_of(&e),
            format!("cannot read domain image '{path}'"),
        )
    })?;
    let magic = read_exact(&mut f, SAVE_MAGIC.len(), |errno| {
        Error::system(
            VIR_FROM_TEST,
            errno,
            format!("incomplete save header in '{path}'"),
        )
    })?;
    if magic != SAVE_MAGIC {
        return Err(Error::internal(VIR_FROM_TEST, "mismatched header magic"));
    }
    let len = read_exact(&mut f, 4, |errno| {
        Error::system(
            VIR_FROM_TEST,
            errno,
            format!("failed to read metadata length in '{path}'"),
        )
    })?;
    let len = i32::from_ne_bytes([len[0], len[1], len[2], len[3]]);
    if !(1..=MAX_SAVED_XML).contains(&len) {
        return Err(Error::internal(
            VIR_FROM_TEST,
            "length of metadata out of range",
        ));
    }
    let xml = read_exact(&mut f, len as usize, |errno| {
        Error::system(
            VIR_FROM_TEST,
            errno,
            format!("incomplete metadata in '{path}'"),
        )
    })?;
    domain::xml::parse(&String::from_utf8_lossy(&xml))
}

/// A definition as an image keeps it (and as virDomainSaveImageGetXMLDesc shows it).
fn image_xml(def: &domain::DomainDef, extras: &super::domain_extras::DefExtras) -> String {
    super::domain_xml::format(def, None, extras)
}

/// The public layer's checks of a core dump's format and flags.
fn check_core_dump_args(format: u32, flags: u32) -> Result<()> {
    const F: &str = "virDomainCoreDumpWithFormat";
    if format >= DomainCoreDumpFormat::LAST as u32 {
        return Err(public_invalid_arg(
            F,
            "flags",
            format!("dumpformat '{format}' is not supported"),
        ));
    }
    let f = DomainCoreDumpFlags::from_bits_truncate(flags);
    for (other, name) in [
        (DomainCoreDumpFlags::LIVE, "VIR_DUMP_LIVE"),
        (DomainCoreDumpFlags::RESET, "VIR_DUMP_RESET"),
    ] {
        if f.contains(DomainCoreDumpFlags::CRASH | other) {
            return Err(public_invalid_arg(
                F,
                "ctl",
                format!("Flags 'VIR_DUMP_CRASH' and '{name}' are mutually exclusive"),
            ));
        }
    }
    Ok(())
}

/// A core dump's file: the image magic only, as the reference writes it.
fn write_core(name: &str, to: &str) -> Result<()> {
    let partial = format!("{to}.partial");
    let failed = |what: &str, e: std::io::Error| {
        let _ = std::fs::remove_file(&partial);
        Error::system(
            VIR_FROM_TEST,
            errno_of(&e),
            format!("domain '{name}' coredump: {what} {to}"),
        )
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode_user_rw()
        .open(&partial)
        .map_err(|e| failed("failed to open", e))?;
    f.write_all(SAVE_MAGIC)
        .and_then(|_| f.sync_all())
        .map_err(|e| failed("failed to write header to", e))?;
    std::fs::rename(&partial, to).map_err(|e| failed("write failed:", e))
}

impl TestDriver {
    /// testDomainCoreDumpWithFormat: the file is written before the format is refused; a crash
    /// dump stops the domain. True when it stopped.
    pub(super) fn core_dump(
        &self,
        d: &DomainRef,
        to: &str,
        format: u32,
        flags: u32,
    ) -> Result<bool> {
        check_core_dump_args(format, flags)?;
        let f = check_flags(
            flags,
            DomainCoreDumpFlags::CRASH,
            "testDomainCoreDumpWithFormat",
        )?;
        {
            let mut st = self.lock();
            let dom = st.get(d)?;
            check_active(dom)?;
            write_core(&dom.def.name, to)?;
        }
        if format != DomainCoreDumpFormat::Raw as u32 {
            return Err(Error::with(
                crate::error::VIR_ERR_OPERATION_UNSUPPORTED,
                VIR_FROM_TEST,
                "kdump-compressed format is not supported here",
            ));
        }
        if !f.contains(DomainCoreDumpFlags::CRASH) {
            return Ok(false);
        }
        let r = {
            let mut st = self.lock();
            let r = st.stopped_ref(d)?;
            st.stop(&d.uuid, DomainShutoffReason::Crashed);
            r
        };
        self.bus.emit(&r, Lifecycle::Stopped(Stopped::Crashed));
        Ok(true)
    }

    /// Stop a running domain as saved: its STOPPED/SAVED event; a transient one is gone.
    fn stop_saved(&self, d: &DomainRef, before: impl FnOnce(&mut Dom) -> Result<()>) -> Result<()> {
        let r = {
            let mut st = self.lock();
            let dom = st.get(d)?;
            check_active(dom)?;
            before(dom)?;
            let r = st.stopped_ref(d)?;
            st.stop(&d.uuid, DomainShutoffReason::Saved);
            r
        };
        self.bus.emit(&r, Lifecycle::Stopped(Stopped::Saved));
        Ok(())
    }

    pub(super) fn managed_save(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, MANAGED_SAVE_FLAGS, "testDomainManagedSave")?;
        self.stop_saved(d, |dom| match dom.persistent {
            true => Ok(()),
            false => Err(test_operation_invalid(
                "cannot do managed save for transient domain",
            )),
        })?;
        let mut st = self.lock();
        if let Ok(dom) = st.get(d) {
            dom.extras.managed_save = true;
        }
        Ok(())
    }

    pub(super) fn has_managed_save(&self, d: &DomainRef, flags: u32) -> Result<bool> {
        check_flags(flags, NoFlags::empty(), "testDomainHasManagedSaveImage")?;
        self.with_dom(d, |dom| Ok(dom.extras.managed_save))
    }

    pub(super) fn managed_save_remove(&self, d: &DomainRef, flags: u32) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainManagedSaveRemove")?;
        self.with_dom(d, |dom| {
            dom.extras.managed_save = false;
            Ok(())
        })
    }

    pub(super) fn save(
        &self,
        d: &DomainRef,
        to: &str,
        dxml: Option<&str>,
        flags: u32,
    ) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainSaveFlags")?;
        if dxml.is_some() {
            return Err(xml_modification_unsupported());
        }
        self.stop_saved(d, |dom| {
            let xml = image_xml(&dom.def, dom.extras_ref(true));
            write_image(&dom.def.name, to, &xml)
        })
    }

    pub(super) fn restore(&self, from: &str, dxml: Option<&str>, flags: u32) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainRestoreFlags")?;
        if dxml.is_some() {
            return Err(xml_modification_unsupported());
        }
        let mut def = read_image(from)?;
        super::domain_xml::prepare(&mut def);
        let uuid = def.uuid;
        let r = {
            let mut st = self.lock();
            Self::check_clash(&st, &def, false)?;
            match st.doms.get_mut(&uuid) {
                // A defined domain runs the saved definition; its own comes back when it stops.
                Some(existing) => {
                    let persistent_def = std::mem::replace(&mut existing.def, def);
                    existing.next_def = Some(Box::new(persistent_def));
                }
                None => st.insert(Dom::inactive(def, false)),
            }
            st.start(&uuid);
            let dom = st.doms.get_mut(&uuid).ok_or_else(super::not_found)?;
            dom.extras.run(&dom.def);
            dom.state = StateReason::Running(DomainRunningReason::Restored);
            dom.domain_ref()
        };
        self.bus.emit(&r, Lifecycle::Started(Started::Restored));
        Ok(())
    }

    /// testDomainSaveImageGetXMLDesc: the definition an image holds.
    pub(super) fn save_image_xml_desc(&self, path: &str, flags: u32) -> Result<String> {
        check_flags(
            flags,
            DomainSaveImageXMLFlags::SECURE,
            "testDomainSaveImageGetXMLDesc",
        )?;
        let def = read_image(path)?;
        Ok(image_xml(&def, &DefExtras::of(&def)))
    }

    /// testDomainSaveImageDefineXML: the image (which must be readable) gets the new definition,
    /// whatever domain it names.
    pub(super) fn save_image_define_xml(&self, path: &str, dxml: &str, flags: u32) -> Result<()> {
        check_flags(flags, IMAGE_DEFINE_FLAGS, "testDomainSaveImageDefineXML")?;
        read_image(path)?;
        // As written: the names the driver gives interfaces come when the image is restored.
        let def = domain::xml::parse(dxml)?;
        write_image(&def.name, path, &image_xml(&def, &DefExtras::of(&def)))
    }

    pub(super) fn rename(&self, d: &DomainRef, new_name: &str, flags: u32) -> Result<()> {
        check_flags(flags, NoFlags::empty(), "testDomainRename")?;
        let (old, new) = {
            let mut st = self.lock();
            let dom = st.doms.get(&d.uuid).ok_or_else(|| stale(d))?;
            if dom.active() {
                return Err(test_operation_invalid("cannot rename active domain"));
            }
            if !dom.persistent {
                return Err(test_operation_invalid("cannot rename a transient domain"));
            }
            if st.by_name.contains_key(new_name) {
                return Err(Error::operation_invalid(&format!(
                    "domain with name '{new_name}' already exists"
                )));
            }
            if new_name.contains('/') {
                return Err(Error::with(
                    VIR_ERR_XML_ERROR,
                    VIR_FROM_TEST,
                    format!("name {new_name} cannot contain '/'"),
                ));
            }
            let old = dom.domain_ref();
            st.rename_index(&old.name, new_name);
            let dom = st.get(d)?;
            dom.def.name = new_name.to_string();
            (old, dom.domain_ref())
        };
        self.bus
            .emit(&old, Lifecycle::Undefined(Undefined::Renamed));
        self.bus.emit(&new, Lifecycle::Defined(Defined::Renamed));
        Ok(())
    }
}
