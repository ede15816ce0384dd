#!/usr/bin/env bash
# Python (the "python" suite of make check):
#   1. python/tests/test_ctypes_*.py: the oxvirt ctypes module on our library, found by the
#      loader's search (LD_LIBRARY_PATH=build/lib), in one pytest process.
#   2. Every other python/tests/test_*.py (Debian's unmodified python3-libvirt:
#      test_debian_libvirt.py; not test_events_libvirt.py, which tests/events.sh runs the same
#      way) twice, each file in its own pytest process
#      (the reference allows one embedded qemu root per process): on our library
#      (LD_LIBRARY_PATH=build/lib, OXVIRT_EXPECT=ours) and on Debian's libvirt 9.0
#      (no LD_LIBRARY_PATH, OXVIRT_EXPECT=reference), where it must pass too.
# Interpreter: /usr/bin/python3 with Debian's python3-pytest (python3-libvirt is built for it).
# The tests get: OXVIRT_EXPECT; OXVIRT_QEMU_CONF, a qemu.conf to copy into each embedded root
# (the reference's embedded-driver keys and our short kill timeouts); OXVIRT_REF_QEMU_SETUP, "ok"
# or why the reference's qemu setup failed; CI.
# What is missing skips loudly, and fails under CI=true. A pytest run that fails without a failed
# test (exit 5 "no tests collected", an interrupted or crashed run) counts as one failure.
# Last line: "python: N passed, M failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PY=/usr/bin/python3
out=build/python
lib="$top/build/lib"
mkdir -p "$out"
rm -f "$out"/*.xml
export PYTHONDONTWRITEBYTECODE=1
unset OXVIRT_LIBVIRT
passed=0 failed=0 skipped=0 xfailed=0

finish() {
    echo
    echo "python: skipped $skipped, xfailed $xfailed (reasons above)"
    echo "python: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}
missing() {  # what is missing, and the package that brings it
    if [ "${CI:-}" = "true" ]; then
        echo "python: $1 is missing under CI ($2)"; failed=$((failed + 1))
    else
        echo "################################################################"
        echo "# SKIP: $1 is missing ($2)"
        echo "################################################################"
    fi
}

if [ ! -e "$lib/libvirt.so.0" ]; then
    echo "python: $lib/libvirt.so.0 is missing: run make lib first"; failed=1; finish
fi
if ! "$PY" -c 'import pytest' 2>/dev/null; then
    missing "pytest for $PY" "apt-get install python3-pytest"; finish
fi

# One pytest run: label, then the environment changes and files. Counts come from its JUnit XML.
run() {
    local label=$1; shift
    local xml="$out/$(echo "$label" | tr -c 'a-zA-Z0-9\n' '-').xml"
    local envs=() files=()
    while [ $# -gt 0 ]; do
        case $1 in *=*) envs+=("$1") ;; -u) envs+=("-u" "$2"); shift ;; *) files+=("$1") ;; esac
        shift
    done
    echo "=== python: $label: ${files[*]}"
    timeout 1200 env "${envs[@]}" "$PY" -m pytest -p no:cacheprovider -q -ra \
        --rootdir=python/tests --junitxml="$xml" "${files[@]}"
    local rc=$?
    local counts p f s x
    counts=$("$PY" - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
p = f = s = x = 0
try:
    for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
        kids = {c.tag: c for c in case}
        if "failure" in kids or "error" in kids:
            f += 1
        elif "skipped" in kids:
            if kids["skipped"].get("type") == "pytest.xfail":
                x += 1
            else:
                s += 1
        else:
            p += 1
except (OSError, ET.ParseError):
    pass
print(p, f, s, x)
PY
)
    read -r p f s x <<< "$counts"
    if [ $rc != 0 ] && [ "$f" = 0 ]; then
        echo "python: $label: pytest exited $rc without a failed test (5: no tests collected; 124: timeout)"
        f=1
    fi
    echo "python: $label: $p passed, $f failed, $s skipped, $x xfailed"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s)) xfailed=$((xfailed + x))
}

# The embedded qemu driver's configuration: the reference's keys (ours ignores them) and ours.
cat > "$out/qemu.conf" <<'CONF'
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
CONF
export OXVIRT_QEMU_CONF="$top/$out/qemu.conf"

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    missing "qemu-system-x86_64: qemu tests skip" "apt-get install qemu-system-x86"
fi

# 1. The ctypes module on our library.
run "ctypes on ours" -u LD_LIBRARY_PATH "LD_LIBRARY_PATH=$lib" OXVIRT_EXPECT=ours \
    python/tests/test_ctypes_*.py

# 2. Debian's python3-libvirt, on ours and on the reference.
debian_files=()
for f in python/tests/test_*.py; do
    case $f in
        python/tests/test_ctypes_*) ;;
        python/tests/test_events_libvirt.py) ;;  # tests/events.sh runs it, both ways
        *) debian_files+=("$f") ;;
    esac
done
if ! "$PY" -c 'import libvirt' 2>/dev/null; then
    missing "Debian's python3-libvirt" "apt-get install python3-libvirt"; finish
fi
if [ ${#debian_files[@]} = 0 ]; then
    echo "python: no Debian-binding test files in python/tests"; failed=$((failed + 1)); finish
fi

# The reference's embedded qemu driver, run as root, insists on these accounts
# (../shared/reference/libvirt-9.0-qemu-facts.md). Idempotent.
ref_qemu_setup() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "qemu-system-x86_64 is not installed"; return; }
    [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] \
        || { echo "libvirt_driver_qemu.so is missing (apt-get install libvirt-daemon-driver-qemu)"; return; }
    if [ "$(id -u)" != 0 ]; then echo "not root"; return; fi
    getent group kvm >/dev/null || groupadd -r kvm || { echo "groupadd kvm failed"; return; }
    getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu || { echo "groupadd libvirt-qemu failed"; return; }
    getent passwd libvirt-qemu >/dev/null || useradd -r -g kvm libvirt-qemu || { echo "useradd libvirt-qemu failed"; return; }
    echo ok
}
OXVIRT_REF_QEMU_SETUP=$(ref_qemu_setup 2>&1 | tail -1)
export OXVIRT_REF_QEMU_SETUP
if [ "$OXVIRT_REF_QEMU_SETUP" != ok ]; then
    missing "the reference's embedded qemu setup: $OXVIRT_REF_QEMU_SETUP" "its qemu tests skip"
fi

for f in "${debian_files[@]}"; do
    name=$(basename "$f" .py)
    run "$name on ours" -u LD_LIBRARY_PATH "LD_LIBRARY_PATH=$lib" OXVIRT_EXPECT=ours "$f"
    if [ -e /usr/lib/x86_64-linux-gnu/libvirt.so.0 ]; then
        run "$name on the reference" -u LD_LIBRARY_PATH OXVIRT_EXPECT=reference "$f"
    else
        missing "Debian's libvirt0 (the reference for $name)" "apt-get install libvirt0"
    fi
done
finish
