#!/usr/bin/env python3
"""Writes a C program that calls every function we implement that takes flags (the list:
src/ffi/generated/exports.rs) with out-of-range flags (1u<<31 and 0xffffffff) and otherwise valid
arguments on live test:///default handles (the connection, its domain `test`, a valid test-domain
XML, writable out-parameters), each call in a fresh process, and prints the return value and the
last error. tests/faults.sh builds it against Debian's headers, runs it against the reference and
against ours, and compares (c-tests/run.sh's nullprobe does the same with NULL arguments).

With --env-uri the same calls go to the URI in $FLAGSPROBE_URI when the program runs, with an
event loop running: tests/qemu.sh gives the embedded qemu driver (`qemu:///embed?root=DIR`),
tests/remote.sh a daemon. The domain is a persistent `flagsprobe` (type qemu, the emulator
$QT_QEMU) defined on first use, never started.

usage: gen/flagsprobe.py [--env-uri] [libvirt-api.xml] > flagsprobe.c"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apixml import Api, reexec_main  # noqa: E402

FLAG_VALUES = ["0x80000000u", "0xffffffffu"]
# Implemented functions this probe leaves to their own differential tests: the statistics records
# (tests/qemu.sh guests), whose arguments (a stats mask, a domain array, a records list) it has no
# values for.
NOT_PROBED = {"virConnectGetAllDomainStats", "virDomainListGetStats"}
# Migration: its flags are checked by the public layer first (c-tests/migrate.c compares every
# case with the reference), and a daemon given every flag would be asked to migrate for real.
NOT_PROBED |= {"virDomainMigrate", "virDomainMigrate2", "virDomainMigrate3", "virDomainMigrateToURI",
               "virDomainMigrateToURI2", "virDomainMigrateToURI3"}
# Argument types it has no live value for: the stream calls' flags are compared with the reference
# by their own differential test (c-tests/stream.c).
NOT_PROBED_TYPES = {"virStreamPtr"}
XML = ("<domain type='test'><name>flagsprobe</name><memory>1024</memory>"
       "<os><type>hvm</type></os></domain>")
QEMU_XML = ("<domain type='qemu'><name>flagsprobe</name><memory unit='MiB'>64</memory>"
            "<os><type arch='x86_64'>hvm</type></os><devices><emulator>%s</emulator></devices>"
            "</domain>")

# The child's setup: live handles on test:///default ...
TEST_SETUP = [
    "virInitialize(); virSetErrorFunc(NULL, quiet); alarm(10);",
    "URI = \"test:///default\";",
    "C = virConnectOpen(URI); D = virDomainLookupByName(C, \"test\");",
    "if (!C || !D) { printf(\"case %s: no live handles\\n\", argv[1]); return 1; }",
]
# ... or on $FLAGSPROBE_URI, with a running event loop (the reference's embedded qemu driver
# refuses to open without one) and a domain of its own.
QEMU_SETUP = [
    "virInitialize(); virSetErrorFunc(NULL, quiet); alarm(60);",
    "URI = getenv(\"FLAGSPROBE_URI\");",
    "const char *emu = getenv(\"QT_QEMU\");",
    "snprintf(xml_buf, sizeof(xml_buf), QEMU_XML, emu && *emu ? emu : \"/usr/bin/qemu-system-x86_64\");",
    "X = xml_buf;",
    "if (!URI || virEventRegisterDefaultImpl() < 0) { printf(\"case %s: no URI or loop\\n\", argv[1]); return 1; }",
    "pthread_t loop; pthread_create(&loop, NULL, run_loop, NULL); pthread_detach(loop);",
    "C = virConnectOpen(URI);",
    "D = C ? virDomainLookupByName(C, \"flagsprobe\") : NULL;",
    "if (C && !D) D = virDomainDefineXML(C, X);",
    "virResetLastError();",
    "if (!C || !D) { printf(\"case %s: no live handles\\n\", argv[1]); return 1; }",
]


def implemented(exports):
    found = set(re.findall(r"entry!\((?:keep_error, )?\w+(?:\(\w+\))?, [a-z_]+::(vir[A-Za-z]*)\(", open(exports).read()))
    if len(found) < 50:
        sys.exit(f"flagsprobe.py: only {len(found)} implemented functions found in {exports}")
    return found


def flags_arg(fn):
    names = [n for n, _ in Api.args(fn)]
    return "flags" in names


def value(name, ctype, flags):
    """A valid argument of this type (flags: the probed value)."""
    if name == "flags":
        return flags
    if ctype == "virConnectPtr":
        return "C"
    if ctype == "virDomainPtr":
        return "D"
    if ctype == "virConnectAuthPtr":
        return "NULL"
    if ctype == "const char *":
        return "URI" if name == "name" else "X"
    if ctype == "virDomainPtr **":
        return "&list"
    if ctype == "int *" and name == "files":
        return "NULL"  # virDomainCreate*WithFiles' descriptors: none (nfiles 0)
    if ctype == "int" and name == "fd":
        return "probe_socket()"  # virDomainOpenGraphics: a socket of the program's
    if ctype == "int *" and name == "fds":
        return "probe_fds()"  # virDomainFDAssociate: one socket (nfds 1)
    if ctype == "unsigned int" and name == "nfds":
        return "1"
    if ctype == "int *":
        return f"&out_{name}"
    if ctype == "unsigned int":
        return "0"  # a count (virDomainCreateWithFiles' nfiles): none
    raise SystemExit(f"flagsprobe: no valid value for {name} ({ctype})")


def ret_fmt(rtype):
    if "*" in rtype or rtype.endswith("Ptr"):
        return ('"%s"', 'r ? "ptr" : "NULL"')
    return ('"%d"', "(int)r")


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    qemu = "--env-uri" in sys.argv[1:]
    api = Api(args[0] if args else None)
    ours = implemented(os.path.join(top, "src/ffi/generated/exports.rs"))
    fns = sorted((f for f in api.functions
                  if f.get("name") in ours and f.get("name") not in NOT_PROBED and flags_arg(f)
                  and not any(t in NOT_PROBED_TYPES for _, t in Api.args(f))),
                 key=lambda f: f.get("name"))
    where = "$FLAGSPROBE_URI" if qemu else "test:///default"
    out = [
        "/* Generated by gen/flagsprobe.py: every implemented function that takes flags, with",
        f" * out-of-range flags and otherwise valid arguments on {where}. */",
        "#include <libvirt/libvirt.h>",
        "#include <libvirt/virterror.h>",
        "#include <pthread.h>",
        "#include <stdio.h>",
        "#include <stdlib.h>",
        "#include <unistd.h>",
        "#include <sys/wait.h>",
        "#include <sys/socket.h>",
        "static void quiet(void *u, virErrorPtr e) { (void)u; (void)e; }",
        "static int probe_socket(void) {",
        "  int sv[2];",
        "  return socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ? -1 : sv[0];",
        "}",
        "static int probe_fd_list[1];",
        "static int *probe_fds(void) { probe_fd_list[0] = probe_socket(); return probe_fd_list; }",
        "static void show(const char *name, unsigned flags, const char *ret) {",
        "  virErrorPtr e = virGetLastError();",
        "  if (!e) { printf(\"%s flags=0x%x ret=%s no-error\\n\", name, flags, ret); return; }",
        "  printf(\"%s flags=0x%x ret=%s code=%d domain=%d msg=%s\\n\", name, flags, ret, e->code,",
        "         e->domain, e->message ? e->message : \"(null)\");",
        "}",
        "static virConnectPtr C;",
        "static virDomainPtr D;",
        "static const char *URI;",
        f"static const char *X = \"{XML}\";",
    ]
    if qemu:
        out += [
            f"static const char *QEMU_XML = \"{QEMU_XML}\";",
            "static char xml_buf[1024];",
            "static void *run_loop(void *u) {",
            "  (void)u;",
            "  for (;;) virEventRunDefaultImpl();",
            "  return NULL;",
            "}",
        ]
    out += [
        "static void call(int i) {",
        "  char rb[64];",
        "  virDomainPtr *list = NULL;",
        "  int out_state = 0, out_reason = 0;",
        "  (void)list; (void)out_state; (void)out_reason;",
        "  switch (i) {",
    ]
    n = 0
    for f in fns:
        name = f.get("name")
        for flags in FLAG_VALUES:
            call_args = ", ".join(value(a, t, flags) for a, t in Api.args(f))
            fmt = ret_fmt(Api.ret(f))
            out += [
                f"  case {n}: {{",
                f"    __typeof__({name}({call_args})) r = {name}({call_args});",
                f"    snprintf(rb, sizeof(rb), {fmt[0]}, {fmt[1]});",
                f"    show(\"{name}\", {flags}, rb); break; }}",
            ]
            n += 1
    out += [
        "  }",
        "}",
        f"#define NCASES {n}",
    ]
    out += reexec_main("NCASES", QEMU_SETUP if qemu else TEST_SETUP)
    print("\n".join(out))


if __name__ == "__main__":
    main()
