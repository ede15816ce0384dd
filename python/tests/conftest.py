"""Shared helpers for python/tests. tests/python.sh runs these files; see its header for the
environment it sets (OXVIRT_EXPECT, OXVIRT_QEMU_CONF, CI)."""

import gc
import os
import shutil
import signal
import sys
import tempfile
import time

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(TESTS))
sys.path.insert(0, os.path.join(REPO, "python"))  # `import oxvirt` without installing anything

CI = os.environ.get("CI") == "true"
QEMU = shutil.which("qemu-system-x86_64")

# What tests/python.sh writes to OXVIRT_QEMU_CONF; used when a file is run by hand.
QEMU_CONF = """\
# libvirt 9.0's embedded driver, run as root without a daemon's setup
user = "root"
group = "root"
security_driver = "none"
namespaces = []
cgroup_controllers = []
stdio_handler = "file"
# oxvirt's kill engine: short timeouts for tests
oxvirt_graceful_timeout_ms = 500
oxvirt_grace_before_sigkill_ms = 500
"""


def guest_xml(name, kind="qemu"):
    """A guest with 64 MiB, one vCPU, no disk and no OS (TCG with type='qemu')."""
    emulator = f"<devices><emulator>{QEMU}</emulator></devices>" if kind == "qemu" else ""
    arch = " arch='x86_64'" if kind == "qemu" else ""
    return (f"<domain type='{kind}'><name>{name}</name><memory unit='MiB'>64</memory>"
            f"<vcpu>1</vcpu><os><type{arch}>hvm</type></os>{emulator}</domain>")


def need_qemu():
    """Skip (loudly) without qemu-system-x86_64; under CI=true that is a failure."""
    if QEMU:
        return
    msg = "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
    if CI:
        pytest.fail(f"{msg}: required under CI=true")
    sys.stderr.write(f"\n######## SKIP: {msg} ########\n")
    pytest.skip(f"######## {msg} ########")


def make_root():
    """A fresh, short root (the monitor socket path must fit in sun_path) with etc/qemu.conf."""
    root = tempfile.mkdtemp(prefix="oxpy-", dir="/tmp")
    os.makedirs(os.path.join(root, "etc"))
    src = os.environ.get("OXVIRT_QEMU_CONF")
    if src:
        shutil.copy(src, os.path.join(root, "etc", "qemu.conf"))
    else:
        with open(os.path.join(root, "etc", "qemu.conf"), "w") as f:
            f.write(QEMU_CONF)
    return root


def read_pid(root, name):
    with open(os.path.join(root, "run", "qemu", f"{name}.pid")) as f:
        return int(f.read().strip())


def proc_state(pid):
    """The process's state letter (R, S, T, Z...), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def kill_leftovers(root):
    """Last resort after a failed test: no qemu of this root may outlive it."""
    run = os.path.join(root, "run", "qemu")
    for name in os.listdir(run) if os.path.isdir(run) else []:
        if not name.endswith(".pid"):
            continue
        try:
            with open(os.path.join(run, name)) as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if root.encode() not in f.read():
                    continue
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass


def wait_until(pred, timeout=5.0, step=0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def loaded_libvirt():
    """The libvirt.so file this process has mapped (realpath), or None."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) == 6 and os.path.basename(parts[5].strip()).startswith("libvirt.so"):
                return os.path.realpath(parts[5].strip())
    return None


OURS = os.path.realpath(os.path.join(REPO, "build", "lib", "libvirt.so.0"))


# ---- fixtures of the ctypes tests (test_ctypes_*.py) -------------------------------------------

@pytest.fixture(scope="session")
def ox():
    """The oxvirt module, loaded. Under tests/python.sh (OXVIRT_EXPECT=ours) it must be ours."""
    import oxvirt
    oxvirt.load()
    if os.environ.get("OXVIRT_EXPECT") == "ours":
        assert oxvirt.loaded_path() == OURS, f"loaded {oxvirt.loaded_path()}, expected {OURS}"
    return oxvirt


@pytest.fixture
def conn(ox):
    """test:///default. Every test closes all of its handles, so each one sees a fresh state."""
    c = ox.open("test:///default")
    yield c
    c.close()
    gc.collect()  # handles kept alive by exception tracebacks: the next test starts afresh


@pytest.fixture
def qemu(ox):
    """(connection, root) on qemu:///embed with a fresh root and short kill timeouts. Teardown
    destroys what is left (continuing a stopped guest first) and checks nothing survives."""
    need_qemu()
    root = make_root()
    c = None
    try:
        c = ox.open(f"qemu:///embed?root={root}")
        yield c, root
    finally:
        pids = []
        run = os.path.join(root, "run", "qemu")
        for f in os.listdir(run) if os.path.isdir(run) else []:
            if f.endswith(".pid"):
                try:
                    pids.append(read_pid(root, f[:-4]))
                except (OSError, ValueError):
                    pass
        pids = [p for p in pids if p != os.getpid()]  # libvirt's own driver.pid names us
        if c is not None:
            try:
                for d in c.listAllDomains(ox.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
                    with d:
                        try:
                            d.destroy()
                        except ox.OxvirtError:
                            pass
            finally:
                c.close()
        kill_leftovers(root)
        shutil.rmtree(root, ignore_errors=True)
        # Reaped too: the library leaves no zombie of its own children.
        wait_until(lambda: all(proc_state(p) is None for p in pids), timeout=5)
        left = {p: proc_state(p) for p in pids if proc_state(p) is not None}
        assert not left, f"qemu processes left behind (pid: state): {left}"


@pytest.fixture(scope="session")
def event_loop_thread(ox):
    """The default event loop on one thread for the whole session."""
    loop = ox.EventLoop().start()
    yield loop
    assert loop.stop(), "the event loop thread did not stop"
    assert loop.error is None, f"virEventRunDefaultImpl failed: {loop.error}"
