"""The lifecycle API through oxvirt on test:///default (spec §2 and §3)."""

import pytest

from conftest import guest_xml

TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"


def names(domains):
    out = sorted(d.name() for d in domains)
    for d in domains:
        d.free()
    return out


def test_connection(conn):
    assert conn.getType() == "TEST"
    assert conn.getURI() == "test:///default"


def test_lookups_and_getters(conn, ox):
    with conn.lookupByName("test") as d, conn.lookupByUUIDString(TEST_UUID) as u, \
            conn.lookupByID(1) as i:
        for dom in (d, u, i):
            assert (dom.name(), dom.UUIDString(), dom.ID()) == ("test", TEST_UUID, 1)
        assert d.state() == (ox.VIR_DOMAIN_RUNNING, 0)
        info = d.info()
        assert info[:4] == [ox.VIR_DOMAIN_RUNNING, 8388608, 2097152, 2]
        assert isinstance(info[4], int)
        assert d.isActive() and d.isPersistent()
        xml = d.XMLDesc()
        assert "<name>test</name>" in xml and TEST_UUID in xml


@pytest.mark.parametrize("flags", [0, 1])  # VIR_DOMAIN_DESTROY_DEFAULT, _GRACEFUL
def test_destroy_persistent_leaves_it_shut_off(conn, ox, flags):
    with conn.lookupByName("test") as d:
        d.destroyFlags(flags)
        assert d.state() == (ox.VIR_DOMAIN_SHUTOFF, ox.VIR_DOMAIN_SHUTOFF_DESTROYED) == (5, 2)
        assert d.ID() == -1
        assert not d.isActive() and d.isPersistent()
        with pytest.raises(ox.OxvirtError) as e:
            d.destroy()
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_OPERATION_INVALID, ox.VIR_FROM_DOMAIN)
        assert e.value.message == "Requested operation is not valid: domain is not running"
        assert names(conn.listAllDomains(ox.VIR_CONNECT_LIST_DOMAINS_INACTIVE)) == ["test"]
        d.create()
        assert d.state() == (ox.VIR_DOMAIN_RUNNING, ox.VIR_DOMAIN_RUNNING_BOOTED)


@pytest.mark.parametrize("flags", [0, 1])
def test_destroy_transient_removes_it(conn, ox, flags):
    with conn.createXML(guest_xml("pytr", "test")) as d:
        assert d.state() == (1, 1) and not d.isPersistent()
        uuid = d.UUIDString()
        d.destroyFlags(flags)
        for lookup, key in ((conn.lookupByName, "pytr"), (conn.lookupByUUIDString, uuid)):
            with pytest.raises(ox.OxvirtError) as e:
                lookup(key)
            assert (e.value.code, e.value.domain) == (ox.VIR_ERR_NO_DOMAIN, ox.VIR_FROM_TEST)
        with pytest.raises(ox.OxvirtError) as e:
            d.state()
        assert e.value.message == f"Domain not found: no domain with matching uuid '{uuid}' (pytr)"


def test_unsupported_destroy_flags(conn, ox):
    with conn.lookupByName("test") as d:
        with pytest.raises(ox.OxvirtError) as e:
            d.destroyFlags(ox.VIR_DOMAIN_DESTROY_REMOVE_LOGS)
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_INVALID_ARG, ox.VIR_FROM_TEST)
        assert e.value.message == "unsupported flags (0x2) in function testDomainDestroyFlags"
        assert d.state() == (1, 0)


def test_define_create_suspend_resume_shutdown_undefine(conn, ox):
    with conn.defineXML(guest_xml("pypers", "test")) as d:
        assert d.isPersistent() and not d.isActive() and d.ID() == -1
        with pytest.raises(ox.OxvirtError) as e:  # the test driver takes no start flags
            d.createWithFlags(ox.VIR_DOMAIN_START_PAUSED)
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_INVALID_ARG, ox.VIR_FROM_TEST)
        d.createWithFlags(0)
        assert d.state() == (ox.VIR_DOMAIN_RUNNING, ox.VIR_DOMAIN_RUNNING_BOOTED)
        d.suspend()
        assert d.state() == (ox.VIR_DOMAIN_PAUSED, ox.VIR_DOMAIN_PAUSED_USER)
        d.resume()
        assert d.state() == (ox.VIR_DOMAIN_RUNNING, ox.VIR_DOMAIN_RUNNING_UNPAUSED)
        d.shutdown()
        assert d.state() == (ox.VIR_DOMAIN_SHUTOFF, ox.VIR_DOMAIN_SHUTOFF_SHUTDOWN)
        d.create()
        assert d.isActive()
        d.undefine()  # running: becomes transient
        assert not d.isPersistent()
        d.destroy()
        with pytest.raises(ox.OxvirtError):
            conn.lookupByName("pypers")


def test_list_all_domains(conn, ox):
    with conn.createXML(guest_xml("pylist", "test")):
        assert names(conn.listAllDomains()) == ["pylist", "test"]
        assert names(conn.listAllDomains(ox.VIR_CONNECT_LIST_DOMAINS_TRANSIENT)) == ["pylist"]
        assert names(conn.listAllDomains(ox.VIR_CONNECT_LIST_DOMAINS_PERSISTENT)) == ["test"]
        assert names(conn.listAllDomains(ox.VIR_CONNECT_LIST_DOMAINS_INACTIVE)) == []
        with conn.lookupByName("pylist") as d:
            d.destroy()
    assert names(conn.listAllDomains()) == ["test"]


def test_read_only_connection_refuses_destroy(ox):
    with ox.openReadOnly("test:///default") as ro, ro.lookupByName("test") as d:
        with pytest.raises(ox.OxvirtError) as e:
            d.destroyFlags(ox.VIR_DOMAIN_DESTROY_GRACEFUL)
        assert (e.value.code, e.value.domain) == (ox.VIR_ERR_OPERATION_DENIED, ox.VIR_FROM_DOMAIN)
        assert e.value.message == \
            "operation forbidden: read only access prevents virDomainDestroyFlags"
        assert d.state() == (1, 0)


def test_state_is_fresh_once_every_connection_closed(ox):
    with ox.open("test:///default") as c, c.lookupByName("test") as d:
        d.destroy()
    with ox.open("test:///default") as c, c.lookupByName("test") as d:
        assert d.state() == (1, 0)


def test_handles_are_released_deterministically(ox):
    c = ox.open("test:///default")
    d = c.lookupByName("test")
    d.destroy()
    doms = c.listAllDomains()
    assert c.close() == 1  # positive: the domain handles still hold the connection, as in libvirt
    assert d.state() == (5, 2)  # and stay usable
    d.free()
    del doms  # __del__ frees it
    # Every handle is gone, so the shared test:///default state was rebuilt.
    with ox.open("test:///default") as c2, c2.lookupByName("test") as t:
        assert t.state() == (1, 0)
