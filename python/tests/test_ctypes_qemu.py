"""The destroy story of the spec (§1, §2) through oxvirt on qemu:///embed with real qemu guests
(TCG, 64 MiB, no disk), each test in a fresh root with 500 ms kill timeouts."""

import os
import signal
import time

import pytest

from conftest import guest_xml, proc_state, read_pid, wait_until

GRACEFUL = 1


def runtime_files(root, name, dom_id):
    return [os.path.join(root, "run", "qemu", f"{name}.pid"),
            os.path.join(root, "run", "qemu", f"{name}.xml"),
            os.path.join(root, "lib", "qemu", f"domain-{dom_id}-{name}", "monitor.sock")]


def start(conn, name, persistent):
    if persistent:
        d = conn.defineXML(guest_xml(name))
        d.create()
    else:
        d = conn.createXML(guest_xml(name))
    assert d.state() == (1, 1)  # VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED
    assert d.isActive() and d.isPersistent() == persistent and d.ID() > 0
    return d


def assert_gone(conn, ox, d, name, uuid):
    for lookup, key in ((conn.lookupByName, name), (conn.lookupByUUIDString, uuid)):
        with pytest.raises(ox.OxvirtError) as e:
            lookup(key)
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_NO_DOMAIN, ox.VIR_FROM_QEMU)
    with pytest.raises(ox.OxvirtError) as e:
        d.state()
    assert (e.value.code, e.value.domain) == (ox.VIR_ERR_NO_DOMAIN, ox.VIR_FROM_QEMU)
    assert e.value.message == f"Domain not found: no domain with matching uuid '{uuid}' ({name})"


def test_connection(qemu):
    conn, root = qemu
    assert conn.getType() == "QEMU"
    assert conn.getURI() == f"qemu:///embed?root={root}"


@pytest.mark.parametrize("persistent", [False, True], ids=["transient", "persistent"])
@pytest.mark.parametrize("flags", [0, GRACEFUL], ids=["default", "graceful"])
def test_healthy_guest_is_destroyed(qemu, ox, flags, persistent):
    conn, root = qemu
    with start(conn, "pyhealthy", persistent) as d:
        uuid, dom_id = d.UUIDString(), d.ID()
        pid = read_pid(root, "pyhealthy")
        assert proc_state(pid) is not None
        files = runtime_files(root, "pyhealthy", dom_id)
        assert all(os.path.exists(f) for f in files)
        t0 = time.monotonic()
        d.destroyFlags(flags)
        elapsed = time.monotonic() - t0
        assert elapsed < 5, f"destroy of a healthy guest took {elapsed:.2f} s"
        assert wait_until(lambda: proc_state(pid) is None), "qemu still exists (or a zombie)"
        assert [f for f in files if os.path.exists(f)] == [], "runtime files left behind"
        if persistent:
            assert d.state() == (ox.VIR_DOMAIN_SHUTOFF, ox.VIR_DOMAIN_SHUTOFF_DESTROYED) == (5, 2)
            assert d.ID() == -1 and not d.isActive() and d.isPersistent()
            with pytest.raises(ox.OxvirtError) as e:
                d.destroyFlags(flags)
            assert (e.value.code, e.value.domain) == (ox.VIR_ERR_OPERATION_INVALID,
                                                      ox.VIR_FROM_DOMAIN)
            d.create()  # and it starts again
            assert d.state() == (1, 1)
            d.destroy()
            d.undefine()
        else:
            assert_gone(conn, ox, d, "pyhealthy", uuid)
            with pytest.raises(ox.OxvirtError) as e:
                d.destroyFlags(flags)  # destroy of the removed transient domain
            assert (e.value.code, e.value.domain) == (ox.VIR_ERR_NO_DOMAIN, ox.VIR_FROM_QEMU)


@pytest.mark.parametrize("persistent", [False, True], ids=["transient", "persistent"])
def test_graceful_on_a_stopped_guest_fails_and_leaves_it_alone(qemu, ox, persistent):
    conn, root = qemu
    with start(conn, "pyfrozen", persistent) as d:
        uuid, dom_id = d.UUIDString(), d.ID()
        pid = read_pid(root, "pyfrozen")
        os.kill(pid, signal.SIGSTOP)
        assert wait_until(lambda: proc_state(pid) == "T")
        try:
            t0 = time.monotonic()
            with pytest.raises(ox.OxvirtError) as e:
                d.destroyFlags(ox.VIR_DOMAIN_DESTROY_GRACEFUL)
            elapsed = time.monotonic() - t0
            assert (e.value.code, e.value.domain) == (ox.VIR_ERR_SYSTEM_ERROR, ox.VIR_FROM_NONE) \
                == (38, 0)
            assert e.value.message == \
                f"Failed to terminate process {pid} with SIGTERM: Device or resource busy"
            assert 0.45 <= elapsed < 5, f"graceful timeout is 500 ms, took {elapsed:.2f} s"
            # Untouched: still alive, same process, still running, same id, files in place.
            assert proc_state(pid) == "T"
            assert read_pid(root, "pyfrozen") == pid
            assert d.state() == (1, 1) and d.isActive() and d.ID() == dom_id
            assert all(os.path.exists(f) for f in runtime_files(root, "pyfrozen", dom_id))
            with conn.lookupByUUIDString(uuid) as again:
                assert again.state() == (1, 1)
            # The caller decides: force it.
            t0 = time.monotonic()
            d.destroy()
            elapsed = time.monotonic() - t0
            assert elapsed < 5, f"forced destroy took {elapsed:.2f} s"
        finally:
            if proc_state(pid) is not None:
                os.kill(pid, signal.SIGCONT)
        assert wait_until(lambda: proc_state(pid) is None), "qemu still exists (or a zombie)"
        if persistent:
            assert d.state() == (5, 2) and d.ID() == -1
            d.undefine()
        else:
            assert_gone(conn, ox, d, "pyfrozen", uuid)


def test_unsupported_flags_touch_nothing(qemu, ox):
    conn, root = qemu
    with start(conn, "pyflags", False) as d:
        with pytest.raises(ox.OxvirtError) as e:
            d.destroyFlags(0x80)
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_INVALID_ARG, ox.VIR_FROM_QEMU)
        assert e.value.message == "unsupported flags (0x80) in function qemuDomainDestroyFlags"
        assert d.state() == (1, 1)
        d.destroy()


def test_suspend_resume_shutdown_and_listing(qemu, ox):
    conn, root = qemu
    with start(conn, "pya", False) as a, start(conn, "pyb", True) as b:
        listed = conn.listAllDomains()
        assert sorted(d.name() for d in listed) == ["pya", "pyb"]
        for d in listed:
            d.free()
        a.suspend()
        assert a.state() == (ox.VIR_DOMAIN_PAUSED, ox.VIR_DOMAIN_PAUSED_USER)
        a.resume()
        assert a.state() == (ox.VIR_DOMAIN_RUNNING, ox.VIR_DOMAIN_RUNNING_UNPAUSED)
        a.shutdown()  # no OS in the guest to act on it: keeps running
        assert a.isActive()
        a.destroyFlags(GRACEFUL)
        b.destroyFlags(GRACEFUL)
        inactive = conn.listAllDomains(ox.VIR_CONNECT_LIST_DOMAINS_INACTIVE)
        assert [d.name() for d in inactive] == ["pyb"]
        for d in inactive:
            d.free()
        b.undefine()


def test_guest_killed_from_outside_is_seen(qemu, ox):
    conn, root = qemu
    with start(conn, "pykilled", False) as d:
        uuid = d.UUIDString()
        os.kill(read_pid(root, "pykilled"), signal.SIGKILL)

        def gone():
            try:
                d.state()
                return False
            except ox.OxvirtError:
                return True
        assert wait_until(gone, timeout=3), "the guest's death was not noticed"
        assert_gone(conn, ox, d, "pykilled", uuid)
