//! Facts about the local host that connections and drivers both answer with.

use crate::error::{Error, Result, VIR_FROM_NONE};

/// The host's name (virConnectGetHostname of a local driver), as gethostname(2) gives it.
pub fn local_hostname() -> Result<String> {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into our buffer.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return Err(Error::system(
            VIR_FROM_NONE,
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            "failed to determine host name",
        ));
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// Whether this process runs with root's effective uid (the reference then reads its client
/// configuration from /etc/libvirt rather than the user's directory).
pub fn effective_uid_is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The calling thread's kernel id (what libvirt's log lines show).
pub fn thread_id() -> u64 {
    // SAFETY: gettid has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() };
    tid as u64
}

/// The kernel's clock ticks per second (the unit of /proc/stat's CPU times).
pub fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    hz.max(1) as u64
}

/// The most vCPUs KVM gives a guest (the reference's virHostCPUGetKVMMaxVCPUs): KVM_CAP_MAX_VCPUS,
/// else the recommended KVM_CAP_NR_VCPUS, else the 4 the kernel's documentation says to assume.
pub fn kvm_max_vcpus() -> std::io::Result<i32> {
    use std::os::fd::AsRawFd;
    /// _IO(KVMIO, 0x03).
    const KVM_CHECK_EXTENSION: libc::c_ulong = 0xAE03;
    const KVM_CAP_NR_VCPUS: libc::c_ulong = 9;
    const KVM_CAP_MAX_VCPUS: libc::c_ulong = 66;
    const KERNEL_DEFAULT: i32 = 4;
    let kvm = std::fs::File::open("/dev/kvm")?;
    for cap in [KVM_CAP_MAX_VCPUS, KVM_CAP_NR_VCPUS] {
        // SAFETY: KVM_CHECK_EXTENSION takes an integer argument and only reads it.
        let n = unsafe { libc::ioctl(kvm.as_raw_fd(), KVM_CHECK_EXTENSION, cap) };
        if n > 0 {
            return Ok(n);
        }
    }
    Ok(KERNEL_DEFAULT)
}

/// The host's TSC as KVM reports it (the reference's virHostCPUGetTscInfo): its frequency in Hz
/// (KVM_GET_TSC_KHZ of a scratch vCPU) and whether KVM can scale it for a guest
/// (KVM_CAP_TSC_CONTROL). Meaningful only for an invariant TSC, which the caller checks.
pub fn kvm_tsc() -> Option<(u64, bool)> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    /// _IO(KVMIO, 0x01), 0x03, 0x41, 0xa3.
    const KVM_CREATE_VM: libc::c_ulong = 0xAE01;
    const KVM_CHECK_EXTENSION: libc::c_ulong = 0xAE03;
    const KVM_CREATE_VCPU: libc::c_ulong = 0xAE41;
    const KVM_GET_TSC_KHZ: libc::c_ulong = 0xAEA3;
    const KVM_CAP_TSC_CONTROL: libc::c_ulong = 60;
    let kvm = std::fs::File::open("/dev/kvm").ok()?;
    let owned = |fd: libc::c_int| {
        // SAFETY: a non-negative result of KVM_CREATE_VM/VCPU is a new descriptor nobody else owns.
        (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
    };
    // SAFETY: KVM_CREATE_VM takes the machine type 0 and returns a new descriptor or -1.
    let vm = owned(unsafe { libc::ioctl(kvm.as_raw_fd(), KVM_CREATE_VM, 0) })?;
    // SAFETY: KVM_CREATE_VCPU takes the vCPU id 0 and returns a new descriptor or -1.
    let vcpu = owned(unsafe { libc::ioctl(vm.as_raw_fd(), KVM_CREATE_VCPU, 0) })?;
    // SAFETY: KVM_GET_TSC_KHZ takes no argument and returns the frequency or -1.
    let khz = unsafe { libc::ioctl(vcpu.as_raw_fd(), KVM_GET_TSC_KHZ) };
    if khz < 0 {
        return None;
    }
    // SAFETY: KVM_CHECK_EXTENSION takes an integer argument and only reads it.
    let scaling = unsafe { libc::ioctl(kvm.as_raw_fd(), KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL) };
    Some((khz as u64 * 1000, scaling > 0))
}

/// The size of a memory page in bytes (the unit of /proc/PID/stat's resident set).
pub fn page_size() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    size.max(1) as u64
}

/// This process's real user and group ids.
pub fn ids() -> (u32, u32) {
    // SAFETY: getuid and getgid have no preconditions and cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// One CPUID leaf and sub-leaf of the CPU this thread runs on: eax, ebx, ecx, edx. None on a host
/// that is not x86.
pub fn cpuid(leaf: u32, subleaf: u32) -> Option<[u32; 4]> {
    #[cfg(target_arch = "x86_64")]
    {
        let r = std::arch::x86_64::__cpuid_count(leaf, subleaf);
        Some([r.eax, r.ebx, r.ecx, r.edx])
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (leaf, subleaf);
        None
    }
}

/// A model-specific register of the host CPU as the reference's virHostCPUGetMSR reads it: from
/// the msr driver's /dev/cpu/0/msr, else the value KVM reports for a feature MSR (KVM_GET_MSRS on
/// /dev/kvm). None when neither can tell.
pub fn host_msr(index: u32) -> Option<u64> {
    use std::os::unix::fs::FileExt;
    if let Ok(dev) = std::fs::File::open("/dev/cpu/0/msr") {
        let mut value = [0u8; 8];
        match dev.read_at(&mut value, u64::from(index)) {
            Ok(8) => return Some(u64::from_ne_bytes(value)),
            // EIO: the CPU has no such register; the reference does not ask KVM then.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => return None,
            _ => {}
        }
    }
    kvm_feature_msr(index)
}

/// A feature MSR's value as KVM offers it to guests (KVM_GET_MSRS on the system descriptor).
fn kvm_feature_msr(index: u32) -> Option<u64> {
    use std::os::fd::AsRawFd;
    /// struct kvm_msrs with room for one struct kvm_msr_entry.
    #[repr(C)]
    struct OneMsr {
        nmsrs: u32,
        pad: u32,
        index: u32,
        reserved: u32,
        data: u64,
    }
    /// _IOWR(KVMIO, 0x88, struct kvm_msrs): the header alone is 8 bytes.
    const KVM_GET_MSRS: libc::c_ulong = 0xC008_AE88;
    let kvm = std::fs::File::open("/dev/kvm").ok()?;
    let mut request = OneMsr {
        nmsrs: 1,
        pad: 0,
        index,
        reserved: 0,
        data: 0,
    };
    // SAFETY: KVM_GET_MSRS reads nmsrs entries after the header and writes their data fields;
    // `request` is a live, writable kvm_msrs header followed by exactly one entry.
    let r = unsafe { libc::ioctl(kvm.as_raw_fd(), KVM_GET_MSRS, &mut request as *mut OneMsr) };
    (r >= 0).then_some(request.data)
}
