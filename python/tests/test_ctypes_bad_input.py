"""Bad input gives exceptions, never an interpreter crash: None, wrong types, handles used after
free/close, forged pointers, a destroyed transient domain."""

import os
import subprocess
import sys

import pytest

from conftest import OURS, REPO, guest_xml


def test_none_reaches_the_library_as_null(conn, ox):
    for call, arg in ((conn.lookupByName, "name"), (conn.lookupByUUIDString, "uuidstr"),
                      (conn.createXML, "xmlDesc"), (conn.defineXML, "xml")):
        with pytest.raises(ox.OxvirtError) as e:
            call(None)
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_INVALID_ARG, ox.VIR_FROM_DOMAIN)
        assert e.value.message.startswith(f"{arg} in virDomain") and "must not be NULL" in \
            e.value.message


@pytest.mark.parametrize("call", [
    lambda c: c.lookupByName(123),
    lambda c: c.lookupByName(["test"]),
    lambda c: c.lookupByUUIDString(object()),
    lambda c: c.lookupByID("1"),
    lambda c: c.lookupByID(1.0),
    lambda c: c.lookupByID(None),
    lambda c: c.createXML(b"<domain/>", flags="0"),
    lambda c: c.createXML(42),
    lambda c: c.listAllDomains(None),
    lambda c: c.domainEventRegisterAny("test", 0, print),
    lambda c: c.domainEventRegisterAny(None, 0, "not callable"),
    lambda c: c.lookupByName("test").destroyFlags("1"),
    lambda c: c.lookupByName("test").destroyFlags(1.5),
    lambda c: c.lookupByName("test").state(None),
])
def test_wrong_types_are_type_errors(conn, call):
    with pytest.raises(TypeError):
        call(conn)


@pytest.mark.parametrize("call", [
    lambda c: c.lookupByID(1 << 40),
    lambda c: c.lookupByName("test").destroyFlags(-1),
    lambda c: c.lookupByName("test").destroyFlags(1 << 32 | 1),  # not truncated to GRACEFUL
])
def test_out_of_range_numbers_are_refused(conn, call):
    with pytest.raises(OverflowError):
        call(conn)
    with conn.lookupByName("test") as d:
        assert d.state() == (1, 0)


def test_other_event_ids_are_refused(conn, ox):
    with pytest.raises(ValueError):
        conn.domainEventRegisterAny(None, ox.VIR_DOMAIN_EVENT_ID_REBOOT, print)


def test_unknown_uris_and_garbage(ox):
    for uri in ("foo:///bar", "::", "qemu:///embed", "qemu:///embed?root=relative",
                "test:///nonexist"):
        with pytest.raises(ox.OxvirtError) as e:
            ox.open(uri)
        assert e.value.code > 0 and e.value.message
    with pytest.raises(TypeError):
        ox.open(123)


def test_malformed_xml(conn, ox):
    with pytest.raises(ox.OxvirtError) as e:
        conn.createXML("<domain type='test'><name>bad")
    assert (e.value.code, e.value.domain) == (ox.VIR_ERR_XML_DETAIL, ox.VIR_FROM_DOMAIN)
    with pytest.raises(ox.OxvirtError):
        conn.createXML("<notdomain/>")


def test_freed_domain_is_an_error_not_a_crash(conn, ox):
    d = conn.lookupByName("test")
    d.free()
    d.free()  # twice: nothing happens
    assert d.ptr is None
    for call in (d.name, d.ID, d.UUIDString, d.state, d.info, d.XMLDesc, d.isActive, d.destroy,
                 lambda: d.destroyFlags(1), d.suspend, d.resume, d.shutdown, d.create,
                 d.undefine):
        with pytest.raises(ox.OxvirtError) as e:
            call()
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_INVALID_DOMAIN, ox.VIR_FROM_DOM)
        assert e.value.message.startswith("invalid domain pointer in virDomain")
    with conn.lookupByName("test") as t:
        assert t.state() == (1, 0)  # nothing reached the guest


def test_closed_connection_is_an_error_not_a_crash(ox):
    c = ox.open("test:///default")
    assert c.close() == 0
    assert c.close() == 0  # twice: nothing happens
    for call in (c.getType, c.getURI, lambda: c.lookupByName("test"), lambda: c.lookupByID(1),
                 lambda: c.createXML(guest_xml("x", "test")), c.listAllDomains):
        with pytest.raises(ox.OxvirtError) as e:
            call()
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_INVALID_CONN, ox.VIR_FROM_DOMAIN)
        assert e.value.message.startswith("invalid connection pointer in virConnect") or \
            e.value.message.startswith("invalid connection pointer in virDomain")


def test_context_managers_release_on_exceptions(ox):
    with pytest.raises(ZeroDivisionError):
        with ox.open("test:///default") as c, c.lookupByName("test") as d:
            d.destroy()
            1 / 0
    assert c.ptr is None and d.ptr is None
    with ox.open("test:///default") as c, c.lookupByName("test") as d:
        assert d.state() == (1, 0)  # everything was released: fresh state


def test_destroyed_transient_domain(conn, ox):
    d = conn.createXML(guest_xml("pygone", "test"))
    uuid = d.UUIDString()
    d.destroy()
    assert (d.name(), d.UUIDString(), d.ID()) == ("pygone", uuid, -1)  # what the handle knows
    for call in (d.state, d.info, d.XMLDesc, d.isActive, d.isPersistent, d.destroy,
                 lambda: d.destroyFlags(ox.VIR_DOMAIN_DESTROY_GRACEFUL), d.suspend, d.resume,
                 d.shutdown, d.create, d.undefine):
        with pytest.raises(ox.OxvirtError) as e:
            call()
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_NO_DOMAIN, ox.VIR_FROM_TEST)
        assert e.value.message == \
            f"Domain not found: no domain with matching uuid '{uuid}' (pygone)"
    d.free()


RAW = r"""
import ctypes, oxvirt
lib = oxvirt.load(%r)
c = lib.virConnectOpen(b"test:///default")
d = lib.virDomainLookupByName(c, b"test")
assert lib.virDomainFree(d) == 0
def check(what, r, bad, code):
    e = oxvirt.getLastError()
    assert r == bad and e is not None and e.code == code, (what, r, e and e.code, e and e.message)
    print(what, "ok")
# The freed handle, and pointers nobody ever handed out: detected, answered, no crash.
for ptr in (d, 0xdeadbeef, c + 8, 1):
    check("name", lib.virDomainGetName(ptr), None, 7)
    check("destroy", lib.virDomainDestroyFlags(ptr, 1), -1, 7)
    check("state", lib.virDomainGetState(ptr, None, None, 0), -1, 7)
    check("free", lib.virDomainFree(ptr), -1, 7)
check("conn-as-domain", lib.virDomainGetName(c), None, 7)
d2 = lib.virDomainLookupByName(c, b"test")
check("domain-as-conn", lib.virConnectGetType(d2), None, 6)
lib.virDomainFree(d2)
assert lib.virConnectClose(c) == 0
check("closed-conn", lib.virConnectGetType(c), None, 6)
check("close-again", lib.virConnectClose(c), -1, 6)
print("done")
"""


def test_stale_and_forged_raw_pointers_are_detected():
    """Our library's handles are registry keys: raw ctypes calls with freed or forged pointers get
    libvirt's errors. (Real libvirt would dereference them: this is ours only.) Run in a child so
    that a crash is reported as one."""
    env = {k: v for k, v in os.environ.items() if k != "OXVIRT_LIBVIRT"}
    env["PYTHONPATH"] = os.path.join(REPO, "python")
    r = subprocess.run([sys.executable, "-c", RAW % OURS], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert r.stdout.strip().endswith("done")
