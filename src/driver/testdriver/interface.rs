//! The test driver's host interfaces (libvirt's test driver `InterfaceDriver` entries):
//! definitions kept in memory, started and stopped by flipping a flag, and the change
//! transaction (begin / commit / rollback) that can bring the whole list back.

mod xml;

use super::TestDriver;
use crate::api::{ConnectListAllInterfacesFlags, InterfaceDefineFlags, NoFlags};
use crate::driver::{InterfaceDriver, InterfaceRef};
use crate::error::{
    Error, Result, VIR_ERR_MULTIPLE_INTERFACES, VIR_ERR_NO_INTERFACE, VIR_ERR_OPERATION_INVALID,
    VIR_FROM_TEST,
};
use std::sync::{Mutex, MutexGuard};
use xml::InterfaceDef;

/// The XML of each object of this family in the reference's default node (`test:///default`).
pub(super) const DEFAULT_NODE: &[&str] = &["<interface type=\"ethernet\" name=\"eth1\">
  <start mode=\"onboot\"/>
  <mac address=\"aa:bb:cc:dd:ee:ff\"/>
  <mtu size=\"1492\"/>
  <protocol family=\"ipv4\">
    <ip address=\"192.168.0.5\" prefix=\"24\"/>
    <route gateway=\"192.168.0.1\"/>
  </protocol>
</interface>"];

// The flags the reference's test driver accepts, per call.
const LIST_ALL_FLAGS: ConnectListAllInterfacesFlags = ConnectListAllInterfacesFlags::all();
// VALIDATE is accepted; the reference then checks the document against its RNG schema, which
// this driver does not carry.
const DEFINE_FLAGS: InterfaceDefineFlags = InterfaceDefineFlags::VALIDATE;
const NO_FLAGS: NoFlags = NoFlags::empty();

/// One interface (libvirt's virInterfaceObj).
#[derive(Clone)]
struct Iface {
    def: InterfaceDef,
    active: bool,
}

impl Iface {
    fn iface_ref(&self) -> InterfaceRef {
        InterfaceRef {
            name: self.def.name.clone(),
            mac: self.def.mac().unwrap_or("").to_string(),
        }
    }
}

#[derive(Default)]
struct State {
    ifaces: Vec<Iface>,
    /// The list as it was when a change transaction began (libvirt's backupIfaces).
    backup: Option<Vec<Iface>>,
}

impl State {
    fn by_name(&mut self, name: &str) -> Result<&mut Iface> {
        self.ifaces
            .iter_mut()
            .find(|i| i.def.name == name)
            .ok_or_else(|| {
                Error::with(
                    VIR_ERR_NO_INTERFACE,
                    VIR_FROM_TEST,
                    format!("no interface with matching name '{name}'"),
                )
            })
    }

    /// libvirt's virInterfaceObjListAssignDef: a definition of a known name replaces it (the
    /// interface keeps its state), a new one joins the list inactive.
    fn assign(&mut self, def: InterfaceDef) -> &Iface {
        let at = match self.ifaces.iter().position(|i| i.def.name == def.name) {
            Some(at) => {
                self.ifaces[at].def = def;
                at
            }
            None => {
                self.ifaces.push(Iface { def, active: false });
                self.ifaces.len() - 1
            }
        };
        &self.ifaces[at]
    }

    fn names(&self, active: bool) -> Vec<String> {
        self.ifaces
            .iter()
            .filter(|i| i.active == active)
            .map(|i| i.def.name.clone())
            .collect()
    }
}

/// The host interfaces of one test connection.
#[derive(Default)]
pub(super) struct Interfaces {
    state: Mutex<State>,
}

impl Interfaces {
    /// From the XML text of each object a node file (or the default node) defines: each one
    /// active, as the reference's testParseInterfaces leaves them.
    pub(super) fn load(docs: &[String]) -> Result<Interfaces> {
        let interfaces = Interfaces::default();
        {
            let mut st = interfaces.lock();
            for text in docs {
                let name = st.assign(xml::parse(text)?).def.name.clone();
                st.by_name(&name)?.active = true;
            }
        }
        Ok(interfaces)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn check_flags<F: bitflags::Flags<Bits = u32>>(
    flags: u32,
    accepted: F,
    function: &str,
) -> Result<F> {
    crate::api::check_flags(function, flags, accepted, VIR_FROM_TEST)
}

fn invalid(info: Option<&str>) -> Error {
    Error::new(VIR_ERR_OPERATION_INVALID, VIR_FROM_TEST, info)
}

impl InterfaceDriver for TestDriver {
    fn iface_lookup_by_name(&self, name: String) -> Result<InterfaceRef> {
        Ok(self.interfaces.lock().by_name(&name)?.iface_ref())
    }

    fn iface_lookup_by_mac(&self, mac: String) -> Result<InterfaceRef> {
        let st = self.interfaces.lock();
        let mut found = st
            .ifaces
            .iter()
            .filter(|i| i.def.mac().is_some_and(|m| m.eq_ignore_ascii_case(&mac)));
        match (found.next(), found.next()) {
            (Some(i), None) => Ok(InterfaceRef {
                name: i.def.name.clone(),
                // The handle carries the address as the caller wrote it.
                mac,
            }),
            (Some(_), Some(_)) => Err(Error::new(VIR_ERR_MULTIPLE_INTERFACES, VIR_FROM_TEST, None)),
            _ => Err(Error::with(
                VIR_ERR_NO_INTERFACE,
                VIR_FROM_TEST,
                format!("no interface with matching mac '{mac}'"),
            )),
        }
    }

    fn iface_active_names(&self) -> Result<Vec<String>> {
        Ok(self.interfaces.lock().names(true))
    }

    fn iface_defined_names(&self) -> Result<Vec<String>> {
        Ok(self.interfaces.lock().names(false))
    }

    fn iface_list_all(&self, flags: u32) -> Result<Vec<InterfaceRef>> {
        use ConnectListAllInterfacesFlags as F;
        let flags = check_flags(flags, LIST_ALL_FLAGS, "testConnectListAllInterfaces")?;
        // Both flags or neither: every interface.
        let wanted = |active: bool| {
            !flags.intersects(F::all())
                || (active && flags.contains(F::ACTIVE))
                || (!active && flags.contains(F::INACTIVE))
        };
        Ok(self
            .interfaces
            .lock()
            .ifaces
            .iter()
            .filter(|i| wanted(i.active))
            .map(Iface::iface_ref)
            .collect())
    }

    fn iface_xml_desc(&self, iface: &InterfaceRef, flags: u32) -> Result<String> {
        check_flags(flags, NO_FLAGS, "testInterfaceGetXMLDesc")?;
        Ok(xml::format(
            &self.interfaces.lock().by_name(&iface.name)?.def,
        ))
    }

    fn iface_define_xml(&self, text: String, flags: u32) -> Result<InterfaceRef> {
        check_flags(flags, DEFINE_FLAGS, "testInterfaceDefineXML")?;
        let def = xml::parse(&text)?;
        Ok(self.interfaces.lock().assign(def).iface_ref())
    }

    fn iface_undefine(&self, iface: &InterfaceRef) -> Result<()> {
        let mut st = self.interfaces.lock();
        st.by_name(&iface.name)?;
        st.ifaces.retain(|i| i.def.name != iface.name);
        Ok(())
    }

    fn iface_create(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testInterfaceCreate")?;
        let mut st = self.interfaces.lock();
        let i = st.by_name(&iface.name)?;
        if i.active {
            return Err(invalid(None));
        }
        i.active = true;
        Ok(())
    }

    fn iface_destroy(&self, iface: &InterfaceRef, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testInterfaceDestroy")?;
        let mut st = self.interfaces.lock();
        let i = st.by_name(&iface.name)?;
        if !i.active {
            return Err(invalid(None));
        }
        i.active = false;
        Ok(())
    }

    fn iface_is_active(&self, iface: &InterfaceRef) -> Result<bool> {
        Ok(self.interfaces.lock().by_name(&iface.name)?.active)
    }

    fn iface_change_begin(&self, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testInterfaceChangeBegin")?;
        let mut st = self.interfaces.lock();
        if st.backup.is_some() {
            return Err(invalid(Some("there is another transaction running.")));
        }
        // The reference's copy (virInterfaceObjListClone) keeps the definitions only: every
        // interface a rollback brings back is inactive.
        let copy = st
            .ifaces
            .iter()
            .map(|i| Iface {
                def: i.def.clone(),
                active: false,
            })
            .collect();
        st.backup = Some(copy);
        Ok(())
    }

    fn iface_change_commit(&self, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testInterfaceChangeCommit")?;
        let mut st = self.interfaces.lock();
        st.backup
            .take()
            .ok_or_else(|| invalid(Some("no transaction running, nothing to be committed.")))?;
        Ok(())
    }

    fn iface_change_rollback(&self, flags: u32) -> Result<()> {
        check_flags(flags, NO_FLAGS, "testInterfaceChangeRollback")?;
        let mut st = self.interfaces.lock();
        st.ifaces = st
            .backup
            .take()
            .ok_or_else(|| invalid(Some("no transaction running, nothing to rollback.")))?;
        Ok(())
    }
}
