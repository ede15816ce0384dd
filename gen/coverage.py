#!/usr/bin/env python3
"""The test-driver coverage table of issue 15: for each of libvirt 9.0's public functions, what
the reference's test driver answers and whether ours gives the same.

Inputs:
  gen/reference/testdriver-entries-libvirt-9.0.txt   the reference test driver's table entries
  gen/reference/nullprobe{,-valid}-libvirt-9.0.txt   the reference's answers to gen/nullprobe.py
  OURS_NULL OURS_VALID (arguments)                   our library's answers to the same probes
  src/ffi/generated/exports.rs, src/driver/testdriver/   which functions our test driver serves

A function is, on the reference:
  driver        its test driver has the entry the public function reaches
  library       the public layer answers it without a driver (errors, typed parameters, events,
                handle getters, ...)
  unsupported   neither: VIR_ERR_NO_SUPPORT on the test driver
and the row says:
  equal         both answer it, and the probes (NULL arguments, live handles) answer alike
  unsupported on both
  gap           the reference answers it and ours does not, or the probes differ

The differential programs of c-tests/ test the behaviour behind "equal"; the probes show the
public layer's checks and that the function is reached.

Usage: coverage.py OURS_NULL OURS_VALID            write gen/reference/testdriver-coverage.md and
                                                    README.md's summary line
       coverage.py --check OURS_NULL OURS_VALID    fail when either is stale
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402  (the generator's tables: DRIVER_ENTRIES, HANDLE_ACCESSORS, ...)
from apixml import Api  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
REF = os.path.join(HERE, "reference")
TABLE = os.path.join(REF, "testdriver-coverage.md")
README = os.path.join(TOP, "README.md")
BEGIN, END = "<!-- testdriver-coverage -->", "<!-- /testdriver-coverage -->"

# Public functions that reach a driver entry of another name.
ENTRY_ALIASES = {
    "connectOpen": ["virConnectOpen", "virConnectOpenAuth", "virConnectOpenReadOnly"],
    "domainLookupByUUID": ["virDomainLookupByUUID", "virDomainLookupByUUIDString"],
    "networkLookupByUUID": ["virNetworkLookupByUUID", "virNetworkLookupByUUIDString"],
    "storagePoolLookupByUUID": ["virStoragePoolLookupByUUID", "virStoragePoolLookupByUUIDString"],
}

# Files of libvirt-api.xml whose functions need no driver (errors, the event loop).
LIBRARY_FILES = {"virterror", "libvirt-event"}
# Other functions libvirt's public layer answers itself.
LIBRARY_FUNCTIONS = {
    "virInitialize", "virGetVersion", "virConnectGetLibVersion", "virConnectGetURI",
    "virConnectAuthPtrDefault", "virStreamNew", "virConnectSetKeepAlive",
    "virConnectRegisterCloseCallback", "virConnectUnregisterCloseCallback",
    "virDomainGetName", "virDomainGetID", "virDomainGetUUID", "virDomainGetUUIDString",
    "virDomainGetConnect", "virStoragePoolGetConnect", "virStorageVolGetConnect",
    "virNetworkPortGetNetwork", "virNetworkPortGetUUID", "virNetworkPortGetUUIDString",
    "virNWFilterBindingGetPortDev", "virNWFilterBindingGetFilterName", "virSecretGetConnect",
    "virInterfaceGetConnect", "virStorageVolGetPath",
}
# Handles the test driver never hands out (it has no network ports or filter bindings): their
# functions cannot be reached on it.
NO_HANDLE_PREFIXES = ("virNetworkPort", "virNWFilterBinding")
# Where our answer to the probe differs on purpose (../shared/spec/lifecycle.md: a NULL URI opens
# qemu:///session); on test:///default the calls are the same.
DELIBERATE = {"virConnectOpen", "virConnectOpenAuth", "virConnectOpenReadOnly"}
VIR_ERR_NO_SUPPORT = " code=3 "


def entry_functions():
    """Public function -> the reference test driver's entry it reaches."""
    out = {}
    for line in open(os.path.join(REF, "testdriver-entries-libvirt-9.0.txt")):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        names = ENTRY_ALIASES.get(entry, ["vir" + entry[0].upper() + entry[1:]])
        for n in names:
            out[n] = entry
    return out


def is_library(fn):
    name = fn.get("name")
    return (fn.get("file") in LIBRARY_FILES or name.startswith("virTypedParam")
            or name in generate.HANDLE_ACCESSORS or name in LIBRARY_FUNCTIONS
            or re.match(r"^vir\w+(Free|Ref)$", name) is not None)


def probe_lines(path):
    """name -> the probe's line, without the name."""
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        name, _, rest = line.rstrip("\n").partition(" ")
        if name.startswith("vir"):
            out[name] = rest
    return out


def ours_served():
    """The public functions our test driver answers: hand-written exports, handle getters, and
    glue rows whose family method the test driver implements."""
    exports = open(os.path.join(TOP, "src", "ffi", "generated", "exports.rs")).read()
    stubs = set(re.findall(r"entry_stub!\(.*?, (vir\w+), \d+", exports))
    glued = set(re.findall(r"glue!\(.*?, (vir\w+), \d+, \|cx\|", exports))
    source = ""
    d = os.path.join(TOP, "src", "driver", "testdriver")
    for root, _, files in os.walk(d):
        for f in sorted(files):
            if f.endswith(".rs"):
                source += open(os.path.join(root, f)).read()
    defaults = trait_defaults()

    def implemented(method, seen=()):
        if re.search(rf"\bfn {method}\b", source):
            return True
        # A default body that hands over to another method (network_create_xml to its _flags).
        body = defaults.get(method, "unsupported(")
        if "unsupported(" in body:
            return False
        return any(implemented(m, seen + (method,)) for m in re.findall(r"self\.(\w+)\(", body)
                   if m not in seen)

    served = set()
    for name in re.findall(r"pub unsafe extern \"C\" fn (vir\w+)\(", exports):
        if name in stubs:
            continue
        if name in glued and not implemented(generate.DRIVER_ENTRIES[name].split("::")[1]):
            continue
        served.add(name)
    return served


def trait_defaults():
    """Family method -> its default body (src/driver/family/)."""
    out = {}
    d = os.path.join(TOP, "src", "driver", "family")
    for f in sorted(os.listdir(d)):
        if not f.endswith(".rs"):
            continue
        text = open(os.path.join(d, f)).read()
        for m in re.finditer(r"\n    fn (\w+)(.*?)\n    }\n", text, flags=re.S):
            out.setdefault(m.group(1), m.group(2))
    return out


def rows(ours_null, ours_valid):
    api = Api(None)
    entries = entry_functions()
    served = ours_served()
    ref_null = probe_lines(os.path.join(REF, "nullprobe-libvirt-9.0.txt"))
    ref_valid = probe_lines(os.path.join(REF, "nullprobe-valid-libvirt-9.0.txt"))
    ours_null, ours_valid = probe_lines(ours_null), probe_lines(ours_valid)
    out = []
    for fn in sorted(api.functions, key=lambda f: f.get("name")):
        name = fn.get("name")
        # The live-handle probe where the function takes one, else the NULL-argument one.
        valid = ref_valid.get(name)
        if valid is not None and not ours_valid.get(name, "").endswith("no-handle"):
            same = ours_valid.get(name) == valid
        else:
            same = ours_null.get(name) == ref_null.get(name) or name not in ref_null
        same = same or name in DELIBERATE
        if name in entries:
            ref = "driver"
        elif name.startswith(NO_HANDLE_PREFIXES) or VIR_ERR_NO_SUPPORT in (valid or ""):
            ref = "unsupported"
        elif is_library(fn):
            ref = "library"
        else:
            ref = "unsupported"
        ours = name in served
        if ref == "unsupported":
            status = "unsupported on both" if not ours else "equal"
        elif not ours:
            status = "gap"
        else:
            status = "equal" if same else "gap (probe differs)"
        out.append((name, ref, "yes" if ours else "no", status))
    return out


def render(table):
    counts = {}
    for _, _, _, status in table:
        key = "gap" if status.startswith("gap") else status
        counts[key] = counts.get(key, 0) + 1
    summary = (f"Test driver coverage (issue 15, `gen/reference/testdriver-coverage.md`): of "
               f"{len(table)} public functions, {counts.get('equal', 0)} equal, "
               f"{counts.get('unsupported on both', 0)} unsupported on both, "
               f"{counts.get('gap', 0)} gaps.")
    lines = ["# Test driver coverage (issue 15)", "",
             "Generated by `gen/coverage.py` (see its docstring for the columns); "
             "`c-tests/run.sh` fails when it is stale.", "", summary, "",
             "| function | reference | ours | status |", "|---|---|---|---|"]
    lines += [f"| {n} | {r} | {o} | {s} |" for n, r, o, s in table]
    return "\n".join(lines) + "\n", summary


def readme_with(summary):
    text = open(README).read()
    block = f"{BEGIN}\n{summary}\n{END}"
    if BEGIN in text:
        return re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), block, text, flags=re.S)
    marker = "## Drivers\n"
    return text.replace(marker, marker + "\n" + block + "\n", 1)


def main():
    check = "--check" in sys.argv
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(paths) != 2:
        sys.exit(__doc__)
    table, summary = render(rows(*paths))
    readme = readme_with(summary)
    if check:
        stale = [p for p, want in ((TABLE, table), (README, readme))
                 if not os.path.exists(p) or open(p).read() != want]
        if stale:
            print("stale: " + ", ".join(stale) + " (python3 gen/coverage.py OURS_NULL OURS_VALID)")
            sys.exit(1)
        print(summary)
        return
    for path, text in ((TABLE, table), (README, readme)):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    print(summary)


if __name__ == "__main__":
    main()
