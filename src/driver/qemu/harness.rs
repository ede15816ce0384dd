//! The `qemuProcessKill` harness (include/libvirt/qemu_process.h): a guest locked for the C
//! caller.

use super::*;

/// A guest as the C harness holds it: the driver stays alive while the harness holds the guest.
struct HarnessVm {
    driver: Arc<QemuDriver>,
    vm: Arc<Vm>,
}

impl HarnessGuest for HarnessVm {
    fn is_active(&self) -> bool {
        self.vm.is_active()
    }

    fn kill(&self, force: bool, nowait: bool, nocheck: bool) -> Result<()> {
        self.driver.kill_vm(&self.vm, force, nowait, nocheck)
    }

    fn unlock(&self) {
        self.vm.api_unlock();
    }
}

impl ProcessKillHarness for QemuDriver {
    fn lock_guest(&self, d: &DomainRef) -> Result<Arc<dyn HarnessGuest>> {
        let vm = self.vm(&d.uuid).ok_or_else(|| stale(d))?;
        let driver = self
            .me
            .upgrade()
            .ok_or_else(|| Error::internal(VIR_FROM_QEMU, "the qemu driver is closing"))?;
        vm.api_lock();
        Ok(Arc::new(HarnessVm { driver, vm }))
    }
}
