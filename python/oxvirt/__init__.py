"""oxvirt: a thin ctypes layer over ``libvirt.so.0`` (ours, or any libvirt 9.0).

What it adds to raw ctypes, and nothing more:

* loads the library (``load(path)``, else ``$OXVIRT_LIBVIRT``, else the loader's search, i.e.
  ``LD_LIBRARY_PATH``) and declares argtypes/restype for the lifecycle API (``lib()`` gives the
  declared ``ctypes.CDLL`` for raw calls);
* re-exports the ``VIR_*`` enum values, generated from the same table as the C headers;
* raises ``OxvirtError(code, domain, message)``, read from ``virGetLastError`` right after the
  failed call, instead of returning -1/NULL;
* frees handles deterministically: ``Connection`` and ``Domain`` are context managers with
  ``close()``/``free()``; ``__del__`` is only a fallback. A closed or freed object passes NULL to
  the library, which answers with its own "invalid ... pointer" error.

Method names follow libvirt-python's, so code moves between the two easily::

    import oxvirt
    with oxvirt.open("test:///default") as conn, conn.lookupByName("test") as dom:
        dom.destroyFlags(oxvirt.VIR_DOMAIN_DESTROY_GRACEFUL)
        print(dom.state())          # (5, 2)
"""

import builtins
import ctypes
import os
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_char_p, c_int, c_uint,
                    c_ulong, c_ulonglong, c_ushort, c_ubyte, c_void_p)
from operator import index as _index

from ._constants import *  # noqa: F401,F403  (VIR_* values, generated)
from ._constants import VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_FROM_NONE

__all__ = [n for n in dir() if n.startswith("VIR_")] + [
    "OxvirtError", "Connection", "Domain", "EventLoop", "load", "lib", "loaded_path", "open",
    "openReadOnly", "virEventRegisterDefaultImpl", "virEventRunDefaultImpl", "getLastError",
    "resetLastError",
]


class virError(Structure):
    """libvirt's ``virError`` (80 bytes on x86-64)."""
    _fields_ = [("code", c_int), ("domain", c_int), ("message", c_char_p), ("level", c_int),
                ("conn", c_void_p), ("dom", c_void_p), ("str1", c_char_p), ("str2", c_char_p),
                ("str3", c_char_p), ("int1", c_int), ("int2", c_int), ("net", c_void_p)]


class virDomainInfo(Structure):
    _fields_ = [("state", c_ubyte), ("maxMem", c_ulong), ("memory", c_ulong),
                ("nrVirtCpu", c_ushort), ("cpuTime", c_ulonglong)]


ErrorFunc = CFUNCTYPE(None, c_void_p, POINTER(virError))
LifecycleCallback = CFUNCTYPE(None, c_void_p, c_void_p, c_int, c_int, c_void_p)
TimeoutCallback = CFUNCTYPE(None, c_int, c_void_p)

_P, _S, _I = c_void_p, c_char_p, c_int
# name: (restype, argtypes). Pointers the caller must free() come back as c_void_p.
_PROTOTYPES = {
    "virConnectOpen": (_P, [_S]),
    "virConnectOpenReadOnly": (_P, [_S]),
    "virConnectClose": (_I, [_P]),
    "virConnectGetType": (_S, [_P]),
    "virConnectGetURI": (_P, [_P]),
    "virConnectListAllDomains": (_I, [_P, POINTER(POINTER(c_void_p)), c_uint]),
    "virDomainLookupByName": (_P, [_P, _S]),
    "virDomainLookupByUUIDString": (_P, [_P, _S]),
    "virDomainLookupByID": (_P, [_P, _I]),
    "virDomainCreateXML": (_P, [_P, _S, c_uint]),
    "virDomainDefineXML": (_P, [_P, _S]),
    "virDomainCreate": (_I, [_P]),
    "virDomainCreateWithFlags": (_I, [_P, c_uint]),
    "virDomainUndefine": (_I, [_P]),
    "virDomainGetState": (_I, [_P, POINTER(c_int), POINTER(c_int), c_uint]),
    "virDomainGetInfo": (_I, [_P, POINTER(virDomainInfo)]),
    "virDomainGetID": (c_uint, [_P]),
    "virDomainGetName": (_S, [_P]),
    "virDomainGetUUIDString": (_I, [_P, c_char * 37]),
    "virDomainGetXMLDesc": (_P, [_P, c_uint]),
    "virDomainIsActive": (_I, [_P]),
    "virDomainIsPersistent": (_I, [_P]),
    "virDomainDestroy": (_I, [_P]),
    "virDomainDestroyFlags": (_I, [_P, c_uint]),
    "virDomainShutdown": (_I, [_P]),
    "virDomainSuspend": (_I, [_P]),
    "virDomainResume": (_I, [_P]),
    "virDomainRef": (_I, [_P]),
    "virDomainFree": (_I, [_P]),
    "virEventRegisterDefaultImpl": (_I, []),
    "virEventRunDefaultImpl": (_I, []),
    "virEventAddTimeout": (_I, [_I, TimeoutCallback, _P, _P]),
    "virEventRemoveTimeout": (_I, [_I]),
    "virConnectDomainEventRegisterAny": (_I, [_P, _P, _I, LifecycleCallback, _P, _P]),
    "virConnectDomainEventDeregisterAny": (_I, [_P, _I]),
    "virGetLastError": (POINTER(virError), []),
    "virResetLastError": (None, []),
    "virSetErrorFunc": (None, [_P, ErrorFunc]),
}

_lock = threading.Lock()
_lib = None
_lib_path = None
_libc = ctypes.CDLL(None)
_libc.free.argtypes, _libc.free.restype = [c_void_p], None


@ErrorFunc
def _quiet(_user, _err):
    """Replaces libvirt's default stderr printer: errors arrive as exceptions instead."""


def load(path=None, quiet=True):
    """Load and declare the library once per process and return the ``ctypes.CDLL``.

    ``path`` wins, then ``$OXVIRT_LIBVIRT``, then ``libvirt.so.0`` through the loader's search.
    With ``quiet`` the default error printer is replaced by a no-op (``virSetErrorFunc``).
    Asking for a different library once one is loaded raises ``RuntimeError``.
    """
    global _lib, _lib_path
    if path is not None:
        want = os.fspath(path)
    else:
        want = os.environ.get("OXVIRT_LIBVIRT") or "libvirt.so.0"
    with _lock:
        if _lib is not None:
            if want != _lib_path:
                raise RuntimeError(f"oxvirt: {_lib_path} is already loaded; cannot load {want}")
            return _lib
        lib = ctypes.CDLL(want)
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        if quiet:
            lib.virSetErrorFunc(None, _quiet)
        _lib, _lib_path = lib, want
        return lib


def lib():
    """The loaded, declared ``ctypes.CDLL`` (loading it with the defaults if needed)."""
    return _lib if _lib is not None else load()


def loaded_path():
    """The file the dynamic loader actually mapped for the library (from /proc/self/maps)."""
    lib()
    with builtins.open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) == 6 and os.path.basename(parts[5].strip()).startswith("libvirt.so"):
                return os.path.realpath(parts[5].strip())
    return None


class OxvirtError(Exception):
    """A failed libvirt call: ``code`` (virErrorNumber), ``domain`` (virErrorDomain), ``message``,
    ``level``, ``str1``..``str3``, ``int1``, ``int2`` and the C function that failed (``func``)."""

    def __init__(self, func, code, domain, message, level=0, str1=None, str2=None, str3=None,
                 int1=0, int2=0):
        super().__init__(message)
        self.func, self.code, self.domain, self.message = func, code, domain, message
        self.level = level
        self.str1, self.str2, self.str3, self.int1, self.int2 = str1, str2, str3, int1, int2

    def __str__(self):
        return f"{self.func}: {self.message} (code {self.code}, domain {self.domain})"

    # libvirt-python's accessors, for code written against it.
    def get_error_code(self):
        return self.code

    def get_error_domain(self):
        return self.domain

    def get_error_message(self):
        return self.message


def _text(b):
    return None if b is None else b.decode("utf-8", "replace")


def getLastError():
    """This thread's last error as an ``OxvirtError`` (not raised), or None."""
    p = lib().virGetLastError()
    if not p:
        return None
    e = p.contents
    return OxvirtError("virGetLastError", e.code, e.domain, _text(e.message) or "", e.level,
                       _text(e.str1), _text(e.str2), _text(e.str3), e.int1, e.int2)


def resetLastError():
    lib().virResetLastError()


def _fail(func):
    err = getLastError()
    if err is None:
        return OxvirtError(func, -1, VIR_FROM_NONE, f"{func} failed without setting an error")
    err.func = func
    return err


def _call(func, *args):
    """Call and raise the last error on failure: NULL, or a negative int."""
    r = getattr(lib(), func)(*args)
    if r is None or (isinstance(r, int) and r < 0):
        raise _fail(func)
    return r


def _owned_string(func, *args):
    """Call a function returning a malloc'd char * and free it."""
    p = _call(func, *args)
    try:
        return _text(ctypes.string_at(p))
    finally:
        _libc.free(p)


def _cstr(s, what="argument"):
    if s is None or isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode()
    raise TypeError(f"{what} must be str, bytes or None, not {type(s).__name__}")


def _uint(v):
    """An unsigned int argument: ctypes would silently truncate, so check the range."""
    v = _index(v)
    if not 0 <= v <= 0xFFFFFFFF:
        raise OverflowError(f"{v} does not fit in an unsigned int")
    return v


def _int(v):
    v = _index(v)
    if not -0x80000000 <= v <= 0x7FFFFFFF:
        raise OverflowError(f"{v} does not fit in an int")
    return v


class _Handle:
    """Owns one reference to a C handle; ``_ptr`` is None once released."""

    def __init__(self, ptr):
        self._ptr = ptr

    @property
    def ptr(self):
        """The raw C pointer (an int), or None once released."""
        return self._ptr

    def _take(self):
        ptr, self._ptr = self._ptr, None
        return ptr

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._close()

    def __del__(self):  # the fallback: use close()/free() or `with`
        try:
            if self._ptr is not None and _lib is not None:
                self._close()
        except Exception:  # an error, or interpreter shutdown: nothing to report it to
            pass


def open(uri=None):  # noqa: A001 - libvirt-python's name
    """``virConnectOpen``: a read-write ``Connection`` (``None`` follows LIBVIRT_DEFAULT_URI)."""
    return Connection(_call("virConnectOpen", _cstr(uri, "uri")))


def openReadOnly(uri=None):
    return Connection(_call("virConnectOpenReadOnly", _cstr(uri, "uri")))


class Connection(_Handle):
    def __init__(self, ptr):
        super().__init__(ptr)
        self._callbacks = {}  # callback id -> ctypes trampoline (kept alive until deregistered)

    def close(self):
        """``virConnectClose`` for this object's reference (once; later calls return 0). As in
        libvirt, returns 1 while Domain handles still hold the connection, 0 once it is gone."""
        if self._ptr is None:
            return 0
        for cid in list(self._callbacks):  # the library must not call a trampoline we drop
            try:
                self.domainEventDeregisterAny(cid)
            except OxvirtError:
                pass
        self._callbacks.clear()
        return _call("virConnectClose", self._take())

    _close = close

    def getType(self):
        return _text(_call("virConnectGetType", self._ptr))

    def getURI(self):
        return _owned_string("virConnectGetURI", self._ptr)

    def _domain(self, ptr):
        return Domain(ptr, self)

    def lookupByName(self, name):
        return self._domain(_call("virDomainLookupByName", self._ptr, _cstr(name, "name")))

    def lookupByUUIDString(self, uuid):
        return self._domain(_call("virDomainLookupByUUIDString", self._ptr, _cstr(uuid, "uuid")))

    def lookupByID(self, id):  # noqa: A002
        return self._domain(_call("virDomainLookupByID", self._ptr, _int(id)))

    def createXML(self, xml, flags=0):
        return self._domain(_call("virDomainCreateXML", self._ptr, _cstr(xml, "xml"),
                                  _uint(flags)))

    def defineXML(self, xml):
        return self._domain(_call("virDomainDefineXML", self._ptr, _cstr(xml, "xml")))

    def listAllDomains(self, flags=0):
        arr = POINTER(c_void_p)()
        n = _call("virConnectListAllDomains", self._ptr, byref(arr), _uint(flags))
        try:
            return [self._domain(arr[i]) for i in range(n)]
        finally:
            _libc.free(ctypes.cast(arr, c_void_p))

    def domainEventRegisterAny(self, dom, eventID, cb, opaque=None):
        """Register ``cb(conn, dom, event, detail, opaque)`` for lifecycle events (of ``dom``, or
        of every domain when None); returns the callback id. Callbacks run on the thread that runs
        the event loop; ``dom`` is a new Domain reference (freed when dropped). Only
        ``VIR_DOMAIN_EVENT_ID_LIFECYCLE`` is wrapped."""
        if eventID != VIR_DOMAIN_EVENT_ID_LIFECYCLE:
            raise ValueError("oxvirt wraps VIR_DOMAIN_EVENT_ID_LIFECYCLE only")
        if dom is not None and not isinstance(dom, Domain):
            raise TypeError(f"dom must be a Domain or None, not {type(dom).__name__}")
        if not callable(cb):
            raise TypeError("cb must be callable")

        def trampoline(_conn, dptr, event, detail, _opaque):
            d = None
            if dptr and _lib.virDomainRef(dptr) == 0:
                d = Domain(dptr, self)
            cb(self, d, event, detail, opaque)

        fn = LifecycleCallback(trampoline)
        cid = _call("virConnectDomainEventRegisterAny", self._ptr, dom._ptr if dom else None,
                    VIR_DOMAIN_EVENT_ID_LIFECYCLE, fn, None, None)
        self._callbacks[cid] = fn
        return cid

    def domainEventDeregisterAny(self, callbackID):
        _call("virConnectDomainEventDeregisterAny", self._ptr, _int(callbackID))
        self._callbacks.pop(callbackID, None)

    def __repr__(self):
        return f"<oxvirt.Connection {'closed' if self._ptr is None else hex(self._ptr)}>"


class Domain(_Handle):
    """A ``virDomainPtr``. Keeps its ``Connection`` object alive."""

    def __init__(self, ptr, conn):
        super().__init__(ptr)
        self.conn = conn

    def free(self):
        """``virDomainFree`` (once; later calls do nothing)."""
        if self._ptr is not None:
            _call("virDomainFree", self._take())

    _close = free

    def _do(self, func, *args):
        return _call(func, self._ptr, *args)

    def name(self):
        return _text(_call("virDomainGetName", self._ptr))

    def ID(self):
        """The id, or -1 when the domain is not running."""
        r = lib().virDomainGetID(self._ptr)
        if r == 0xFFFFFFFF:
            if getLastError() is not None:  # every call clears the last error first
                raise _fail("virDomainGetID")
            return -1
        return r

    def UUIDString(self):
        buf = (c_char * 37)()
        self._do("virDomainGetUUIDString", buf)
        return buf.value.decode()

    def XMLDesc(self, flags=0):
        return _owned_string("virDomainGetXMLDesc", self._ptr, _uint(flags))

    def state(self, flags=0):
        """``(state, reason)``."""
        s, r = c_int(), c_int()
        self._do("virDomainGetState", byref(s), byref(r), _uint(flags))
        return s.value, r.value

    def info(self):
        """``[state, maxMem, memory, nrVirtCpu, cpuTime]`` as libvirt-python returns it."""
        i = virDomainInfo()
        self._do("virDomainGetInfo", byref(i))
        return [i.state, i.maxMem, i.memory, i.nrVirtCpu, i.cpuTime]

    def isActive(self):
        return bool(self._do("virDomainIsActive"))

    def isPersistent(self):
        return bool(self._do("virDomainIsPersistent"))

    def create(self):
        self._do("virDomainCreate")

    def createWithFlags(self, flags=0):
        self._do("virDomainCreateWithFlags", _uint(flags))

    def undefine(self):
        self._do("virDomainUndefine")

    def destroy(self):
        self._do("virDomainDestroy")

    def destroyFlags(self, flags=0):
        self._do("virDomainDestroyFlags", _uint(flags))

    def shutdown(self):
        self._do("virDomainShutdown")

    def suspend(self):
        self._do("virDomainSuspend")

    def resume(self):
        self._do("virDomainResume")

    def __repr__(self):
        return f"<oxvirt.Domain {'freed' if self._ptr is None else hex(self._ptr)}>"


def virEventRegisterDefaultImpl():
    _call("virEventRegisterDefaultImpl")


def virEventRunDefaultImpl():
    """One iteration of the default event loop (blocks until something happens)."""
    _call("virEventRunDefaultImpl")


class EventLoop:
    """The default event loop on a daemon thread: ``with oxvirt.EventLoop(): ...``.

    ``start()`` registers the default implementation (once per process) and runs
    ``virEventRunDefaultImpl`` on the thread; ``stop()`` wakes it with a zero timeout and joins it.
    One loop runs at a time.
    """
    _lock = threading.Lock()
    _registered = False
    _running = None

    def __init__(self):
        self._stop = threading.Event()
        self._thread = None
        self.error = None  # an OxvirtError that ended the loop, if any

    @property
    def thread(self):
        """The ``threading.Thread`` running the loop (None when stopped)."""
        return self._thread

    def start(self):
        with EventLoop._lock:
            if EventLoop._running is not None:
                raise RuntimeError("an oxvirt.EventLoop is already running")
            if not EventLoop._registered:
                virEventRegisterDefaultImpl()
                EventLoop._registered = True
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="oxvirt-event-loop",
                                            daemon=True)
            self._thread.start()
            EventLoop._running = self
        return self

    def _run(self):
        while not self._stop.is_set():
            try:
                virEventRunDefaultImpl()
            except OxvirtError as e:
                self.error = e
                return

    def stop(self, timeout=5.0):
        """Stop and join the thread; False if it could not be woken in time."""
        if self._thread is None:
            return True
        self._stop.set()
        wake = TimeoutCallback(lambda _timer, _opaque: None)
        timer = lib().virEventAddTimeout(0, wake, None, None)
        self._thread.join(timeout)
        if timer >= 0:
            lib().virEventRemoveTimeout(timer)
        done = not self._thread.is_alive()
        if done:
            with EventLoop._lock:
                self._thread = None
                EventLoop._running = None
        return done

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
