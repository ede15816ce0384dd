#!/usr/bin/env bash
# The suites on a machine without the reference and without qemu: in a private mount namespace,
# Debian's libvirt (library, headers, API description, drivers, daemons, Python binding) and qemu
# are made absent with overlayfs whiteouts, then the suites that use them run with CI unset and
# nothing installed. Each must say SKIP and pass. Needs root (mount namespaces, overlayfs).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# The suites that use the reference or qemu, and so must skip loudly without them.
SUITES="generated install headers c-tests uri clientconf logging events qemu xmlcorpus python remote faults load"

skip_or_fail() {
    if [ "${CI:-}" = "true" ]; then echo "hidden: $1 (required under CI)"; echo "hidden: 0 passed, 1 failed"; exit 1; fi
    echo "######## SKIP: hidden-reference run: $1 ########"; exit 0
}
[ "$(id -u)" = 0 ] || skip_or_fail "needs root for a private mount namespace"
command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"

if [ "${1:-}" != "--inside" ]; then
    work=$(mktemp -d /tmp/oxvirt-hidden.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    log="$work/run.log"
    mkdir -p "$work/plain" "$work/ci"
    unshare --mount --propagation private bash "$0" --inside "$work/plain" > "$log" 2>&1
    rc=$?
    pass=0 fail=0
    ok() { echo "PASS $1"; pass=$((pass + 1)); }
    bad() { echo "FAIL $1"; fail=$((fail + 1)); }
    grep -q '^hidden: ' "$log" && grep '^hidden: ' "$log"
    [ $rc = 0 ] && ok "the suites pass with the reference and qemu absent" \
        || { bad "the suites with the reference and qemu absent (exit $rc)"; tail -60 "$log"; }
    # Each suite's part of the log (from its '=== suite name:' line to the next) must say SKIP.
    for s in $SUITES; do
        part=$(awk -v s="=== suite $s:" 'index($0, s) == 1 {on = 1; print; next} /^=== suite / {on = 0} on' "$log")
        if [ -z "$part" ]; then bad "$s: did not run"
        elif grep -q SKIP <<<"$part"; then ok "$s: says SKIP"
        else bad "$s: no SKIP without the reference and qemu"; head -20 <<<"$part"; fi
    done
    # Under CI=true the same absence is a failure of every one of those suites.
    unshare --mount --propagation private bash "$0" --inside "$work/ci" ci > "$work/ci.log" 2>&1
    failed=$(sed -n 's/^failed suites://p' "$work/ci.log")
    for s in $SUITES; do
        [[ " $failed " == *" $s "* ]] && ok "$s: fails under CI=true" || bad "$s: passes under CI=true without the reference"
    done
    echo "hidden: $pass passed, $fail failed"
    [ $fail = 0 ]
    exit
fi

# --- inside the namespace ---
work=$2
hide() { # hide DIR PATTERN...: overlay DIR with whiteouts for the entries matching the patterns
    local dir=$1; shift
    local layer
    layer="$work/whiteout$(echo "$dir" | tr / _)"
    mkdir -p "$layer"
    local found=0 p e
    for p in "$@"; do
        for e in "$dir"/$p; do
            [ -e "$e" ] || [ -L "$e" ] || continue
            mknod "$layer/$(basename "$e")" c 0 0 && found=1
        done
    done
    [ $found = 1 ] || return 0
    mount -t overlay overlay -o "lowerdir=$layer:$dir" "$dir" || { echo "hidden: cannot overlay $dir"; exit 1; }
}
multiarch=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
hide /usr/include 'libvirt'
hide /usr/share 'libvirt'
hide "$multiarch" 'libvirt.so*' 'libvirt-*.so*' 'libvirt'
hide "$multiarch/pkgconfig" 'libvirt*.pc'
hide /usr/sbin 'libvirtd' 'virt*d'
hide /usr/bin 'qemu-system-*' 'virsh' 'virt-admin'
hide /usr/lib/python3/dist-packages 'libvirt*'
for what in /usr/share/libvirt/api/libvirt-api.xml /usr/include/libvirt/libvirt.h "$multiarch/libvirt.so.0"; do
    [ ! -e "$what" ] || { echo "hidden: $what is still visible"; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null && { echo "hidden: qemu is still visible"; exit 1; }
python3 -c 'import libvirt' 2>/dev/null && { echo "hidden: python3-libvirt is still importable"; exit 1; }
echo "hidden: the reference and qemu are absent"
if [ "${3:-}" = ci ]; then export CI=true; else unset CI; fi
export OXVIRT_NO_INSTALL=1 OXVIRT_HIDDEN_RUN=1 OXVIRT_SUITES="$SUITES"
bash tests/run-all.sh
