"""Lifecycle events through oxvirt and the default event loop on a thread (spec §2.9, §3, §4)."""

import os
import signal
import threading
import time

import pytest

from conftest import guest_xml, proc_state, read_pid, wait_until

STARTED_BOOTED, STOPPED_DESTROYED, STOPPED_FAILED = (2, 0), (5, 1), (5, 5)
RESUMED_UNPAUSED, SHUTDOWN_HOST = (4, 0), (6, 2)


class Recorder:
    """A lifecycle callback that records (domain name, event, detail) and the delivering thread."""

    def __init__(self):
        self.events = []
        self.threads = set()
        self.cond = threading.Condition()

    def __call__(self, conn, dom, event, detail, opaque):
        name = None
        if dom is not None:
            with dom:
                name = dom.name()
        with self.cond:
            self.events.append((name, event, detail))
            self.threads.add(threading.get_ident())
            self.cond.notify_all()

    def of(self, name):
        with self.cond:
            return [(e, d) for n, e, d in self.events if n == name]

    def wait_for(self, name, ev, timeout=5.0):
        with self.cond:
            ok = self.cond.wait_for(lambda: (name, *ev) in self.events, timeout)
        assert ok, f"no event {ev} for {name} within {timeout} s; got {self.events}"

    def settle(self, seconds=0.3):
        """Give a wrongly duplicated event the time to show up."""
        time.sleep(seconds)


@pytest.fixture
def recorder(event_loop_thread, conn):
    rec = Recorder()
    cid = conn.domainEventRegisterAny(None, 0, rec)  # VIR_DOMAIN_EVENT_ID_LIFECYCLE
    yield rec
    conn.domainEventDeregisterAny(cid)
    assert rec.threads <= {event_loop_thread.thread.ident}, \
        "events must be delivered by the event loop thread, never inside the API call"


@pytest.mark.parametrize("flags", [0, 1])
def test_test_driver_create_and_destroy(recorder, conn, flags):
    with conn.createXML(guest_xml("pyev", "test")) as d:
        recorder.wait_for("pyev", STARTED_BOOTED)
        d.destroyFlags(flags)
        recorder.wait_for("pyev", STOPPED_DESTROYED)
    recorder.settle()
    assert recorder.of("pyev") == [STARTED_BOOTED, STOPPED_DESTROYED]


def test_callback_for_one_domain_only(event_loop_thread, conn, ox):
    rec = Recorder()
    with conn.lookupByName("test") as t:
        cid = conn.domainEventRegisterAny(t, ox.VIR_DOMAIN_EVENT_ID_LIFECYCLE, rec)
        try:
            with conn.createXML(guest_xml("pyother", "test")) as other:
                other.destroy()
            t.destroyFlags(ox.VIR_DOMAIN_DESTROY_GRACEFUL)
            rec.wait_for("test", STOPPED_DESTROYED)
            rec.settle()
        finally:
            conn.domainEventDeregisterAny(cid)
    assert [n for n, _, _ in rec.events] == ["test"]


def test_deregistered_callback_gets_nothing(event_loop_thread, conn, ox):
    rec = Recorder()
    cid = conn.domainEventRegisterAny(None, 0, rec)
    conn.domainEventDeregisterAny(cid)
    with conn.createXML(guest_xml("pyquiet", "test")) as d:
        d.destroy()
    rec.settle()
    assert rec.events == []
    with pytest.raises(ox.OxvirtError):
        conn.domainEventDeregisterAny(cid)  # twice: an error, not a crash


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_exception_in_callback_does_not_stop_delivery(recorder, conn):
    def boom(*_):
        raise RuntimeError("raised inside a lifecycle callback (expected by this test)")
    cid = conn.domainEventRegisterAny(None, 0, boom)
    try:
        with conn.createXML(guest_xml("pyboom", "test")) as d:
            d.destroy()
        recorder.wait_for("pyboom", STOPPED_DESTROYED)
    finally:
        conn.domainEventDeregisterAny(cid)


@pytest.fixture
def qemu_events(event_loop_thread, qemu):
    conn, root = qemu
    rec = Recorder()
    cid = conn.domainEventRegisterAny(None, 0, rec)
    yield conn, root, rec
    conn.domainEventDeregisterAny(cid)
    assert rec.threads <= {event_loop_thread.thread.ident}


@pytest.mark.parametrize("flags", [0, 1])
def test_qemu_start_and_destroy_events(qemu_events, flags):
    conn, root, rec = qemu_events
    with conn.createXML(guest_xml("pyqev")) as d:
        rec.wait_for("pyqev", STARTED_BOOTED)
        assert rec.of("pyqev") == [RESUMED_UNPAUSED, STARTED_BOOTED]
        d.destroyFlags(flags)
        rec.wait_for("pyqev", STOPPED_DESTROYED)
    rec.settle()
    assert rec.of("pyqev") == [RESUMED_UNPAUSED, STARTED_BOOTED, SHUTDOWN_HOST, STOPPED_DESTROYED]


def test_qemu_failed_graceful_sends_no_stop_event(qemu_events, ox):
    conn, root, rec = qemu_events
    with conn.createXML(guest_xml("pyqfrozen")) as d:
        rec.wait_for("pyqfrozen", STARTED_BOOTED)
        pid = read_pid(root, "pyqfrozen")
        os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(ox.OxvirtError) as e:
                d.destroyFlags(ox.VIR_DOMAIN_DESTROY_GRACEFUL)
            assert e.value.code == ox.VIR_ERR_SYSTEM_ERROR
            rec.settle()
            assert [ev for ev in rec.of("pyqfrozen") if ev[0] == 5] == []
            d.destroy()
        finally:
            if proc_state(pid) is not None:
                os.kill(pid, signal.SIGCONT)
        rec.wait_for("pyqfrozen", STOPPED_DESTROYED)
    rec.settle()
    assert [ev for ev in rec.of("pyqfrozen") if ev[0] == 5] == [STOPPED_DESTROYED]


def test_qemu_guest_killed_from_outside(qemu_events):
    conn, root, rec = qemu_events
    with conn.createXML(guest_xml("pyqkill")):
        rec.wait_for("pyqkill", STARTED_BOOTED)
        pid = read_pid(root, "pyqkill")
        os.kill(pid, signal.SIGKILL)
        rec.wait_for("pyqkill", STOPPED_FAILED)
        assert wait_until(lambda: proc_state(pid) is None)
    rec.settle()
    assert [ev for ev in rec.of("pyqkill") if ev[0] == 5] == [STOPPED_FAILED]


def test_one_event_loop_at_a_time(event_loop_thread, ox):
    with pytest.raises(RuntimeError):
        ox.EventLoop().start()
