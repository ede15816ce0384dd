"""Domain events through Debian's Python binding (`import libvirt`, python3-libvirt).

Run with /usr/bin/python3, against oxvirt with `LD_LIBRARY_PATH=build/lib`, or against the
reference without it; under pytest or as a script (`python3 test_events_libvirt.py`).

An event loop implementation can be registered once per process, so every scenario runs in a
process of its own (this file with the scenario's name as argument):

  default   libvirt.virEventRegisterDefaultImpl() and a thread running virEventRunDefaultImpl()
  legacy    the same loop, with the legacy conn.domainEventRegister() API
  asyncio   libvirtaio.virEventRegisterAsyncIOImpl() (virEventRegisterImpl from Python) on asyncio
"""
import os
import subprocess
import sys
import threading
import time

XML = ("<domain type='test'><name>pyev</name><memory>1024</memory>"
       "<os><type>hvm</type></os></domain>")
WANT = [("pyev", "STARTED", "BOOTED"), ("pyev", "STOPPED", "DESTROYED")]


def _names(libvirt, event, detail):
    ev = {libvirt.VIR_DOMAIN_EVENT_STARTED: "STARTED",
          libvirt.VIR_DOMAIN_EVENT_STOPPED: "STOPPED"}.get(event, str(event))
    det = {("STARTED", libvirt.VIR_DOMAIN_EVENT_STARTED_BOOTED): "BOOTED",
           ("STOPPED", libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED): "DESTROYED"}.get((ev, detail), str(detail))
    return ev, det


def _wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def scenario_default(legacy=False):
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    # Without a loop, registration fails as the reference's does.
    conn = libvirt.open("test:///default")
    try:
        conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                    lambda *a: None, None)
        raise AssertionError("registration without an event loop succeeded")
    except libvirt.libvirtError as e:
        assert e.get_error_code() == libvirt.VIR_ERR_INTERNAL_ERROR, e.get_error_code()
        assert "could not initialize domain event timer" in str(e), str(e)

    assert libvirt.virEventRegisterDefaultImpl() == 0
    stop = threading.Event()

    def run():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    loop = threading.Thread(target=run, name="libvirt-loop", daemon=True)
    loop.start()

    seen = []
    threads = set()

    def callback(c, dom, event, detail, opaque):
        assert c is conn or legacy, c
        threads.add(threading.current_thread().name)
        seen.append((dom.name(),) + _names(libvirt, event, detail) + (opaque,))

    if legacy:
        conn.domainEventRegister(callback, "op")
    else:
        cid = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, callback, "op")
        assert cid >= 0, cid
    dom = conn.createXML(XML, 0)
    assert _wait_for(lambda: len(seen) >= 1), seen
    dom.destroy()
    assert _wait_for(lambda: len(seen) >= 2), seen
    time.sleep(0.2)  # nothing more may come
    assert [s[:3] for s in seen] == WANT, seen
    assert all(s[3] == "op" for s in seen), seen
    assert threads == {"libvirt-loop"}, threads

    if legacy:
        conn.domainEventDeregister(callback)
    else:
        conn.domainEventDeregisterAny(cid)
    # Deregistered: no more events.
    conn.createXML(XML, 0).destroy()
    time.sleep(0.2)
    assert len(seen) == 2, seen
    stop.set()
    libvirt.virEventAddTimeout(0, lambda timer, opaque: libvirt.virEventRemoveTimeout(timer), None)
    loop.join(5)
    conn.close()
    print("ok")


def scenario_asyncio():
    import asyncio
    import libvirt
    import libvirtaio

    async def main():
        impl = libvirtaio.virEventRegisterAsyncIOImpl()
        conn = libvirt.open("test:///default")
        queue = asyncio.Queue()
        loop_thread = threading.current_thread()

        def callback(c, dom, event, detail, opaque):
            assert threading.current_thread() is loop_thread
            queue.put_nowait((dom.name(),) + _names(libvirt, event, detail))

        cid = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, callback, None)
        dom = conn.createXML(XML, 0)
        # Never inside the call that caused it: delivered later, by the loop.
        assert queue.empty()
        first = await asyncio.wait_for(queue.get(), 10)
        dom.destroy()
        assert queue.empty()
        second = await asyncio.wait_for(queue.get(), 10)
        assert [first, second] == WANT, (first, second)
        await asyncio.sleep(0.2)
        assert queue.empty(), queue.get_nowait()
        conn.domainEventDeregisterAny(cid)
        conn.close()
        # The library's timer is gone and its free callbacks ran: the loop is idle again.
        await asyncio.wait_for(impl.drain(), 10)
        assert impl.is_idle(), impl

    asyncio.run(main())
    print("ok")


SCENARIOS = {
    "default": scenario_default,
    "legacy": lambda: scenario_default(legacy=True),
    "asyncio": scenario_asyncio,
}


def _run(name):
    r = subprocess.run([sys.executable, os.path.abspath(__file__), name],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), \
        f"scenario {name}: rc={r.returncode}\n{r.stdout}\n{r.stderr}"


def test_default_loop():
    _run("default")


def test_default_loop_legacy_api():
    _run("legacy")


def test_libvirtaio():
    _run("asyncio")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        SCENARIOS[sys.argv[1]]()
        sys.exit(0)
    failed = 0
    for name in SCENARIOS:
        try:
            _run(name)
            print(f"PASS {name}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
    sys.exit(1 if failed else 0)
