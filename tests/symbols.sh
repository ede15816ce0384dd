#!/usr/bin/env bash
# The built libvirt.so.0 exports exactly libvirt 9.0's public symbols, each under its version node,
# plus our own OXVIRT_* entry points, and nothing else; its SONAME is libvirt.so.0.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lib="$top/build/lib/libvirt.so.0"
ref="$top/gen/reference/libvirt-9.0-public-symbols.txt"
[ -f "$top/../shared/reference/libvirt-9.0-public-symbols.txt" ] && ref="$top/../shared/reference/libvirt-9.0-public-symbols.txt"
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
grep -v '^#' "$ref" | awk 'NF {print $1, $2}' | sort > "$want"
# Defined dynamic symbols with their version (objdump -T: value flags section size version name).
objdump -T "$lib" | awk '$0 ~ /^[0-9a-f]+ / && $0 !~ /\*UND\*/ && $0 !~ /\*ABS\*/ {print $NF, $(NF-1)}' \
    | sed 's/ (\(.*\))$/ \1/' | grep -v '^OXVIRT\|OXVIRT_' | sort > "$got" || true
fail=0
if ! diff -u "$want" "$got"; then
    echo "symbols: exported symbols differ from libvirt 9.0's (- expected, + ours)"
    fail=1
fi
extra=$(objdump -T "$lib" | awk '$0 !~ /\*UND\*/ && $0 !~ /\*ABS\*/ && $0 ~ /OXVIRT_/ {print $NF}' | grep -v -x -E 'qemuProcessKill|qemuDomainObjFromDomain|virDomainObjEndAPI|oxvirt(Domain|Connect)(Qemu|Lxc|DomainQemu)[A-Za-z]+|oxvirtAdm[A-Za-z]+' || true)
if [ -n "$extra" ]; then echo "symbols: unexpected OXVIRT exports: $extra"; fail=1; fi
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "libvirt.so.0" ]; then echo "symbols: SONAME is '$soname'"; fail=1; fi
# Version nodes chained as the reference's (each node depends on the previous one).
nodes=$(readelf -V "$lib" | grep -c 'Name: LIBVIRT_' || true)
wantnodes=$(grep -c '^LIBVIRT_[0-9]' "$top/gen/reference/libvirt-9.0-version-nodes.txt")
if [ "$nodes" -lt "$wantnodes" ]; then echo "symbols: $nodes LIBVIRT_ version definitions, want $wantnodes"; fail=1; fi
# libvirt0's other libraries: the same symbols under the same version nodes as Debian's copies
# (but for libvirt-admin's LIBVIRT_ADMIN_PRIVATE_9.0.0, the XDR routines and classes libvirtd
# and virt-admin take from it: libvirt's internal ABI, as libvirt.so.0's private symbols).
exports() { objdump -T "$1" | awk '$0 ~ /^[0-9a-f]+ / && $0 !~ /\*UND\*/ && $0 !~ /\*ABS\*/ {print $(NF-1), $NF}' | grep -v '_PRIVATE_' | sort; }
for l in qemu lxc admin; do
    ours="$top/build/lib/libvirt-$l.so.0" theirs="/usr/lib/x86_64-linux-gnu/libvirt-$l.so.0"
    if [ ! -e "$ours" ]; then echo "symbols: $ours is missing"; fail=1; continue; fi
    if [ ! -e "$theirs" ]; then echo "symbols: SKIP libvirt-$l.so.0: Debian's copy is not installed"; continue; fi
    if ! diff -u <(exports "$theirs") <(exports "$ours"); then
        echo "symbols: libvirt-$l.so.0 exports differ from Debian's (- theirs, + ours)"; fail=1
    fi
    [ "$(readelf -d "$ours" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" = "libvirt-$l.so.0" ] ||
        { echo "symbols: libvirt-$l.so.0 has the wrong SONAME"; fail=1; }
done
# The hot-path layout (link/hot-text.ld) is what a profile of the built library gives: a list gone
# stale (functions renamed, split or merged) silently spreads the hot code again.
if command -v valgrind >/dev/null; then
    python3 "$top/link/hot_text.py" --check "$top/build/lib" || fail=1
elif [ "${CI:-}" = true ]; then
    echo "symbols: valgrind is missing (CI installs it)"; fail=1
else
    echo "symbols: SKIP link/hot-text.ld check: valgrind is not installed"
fi
if [ $fail = 0 ]; then echo "symbols: $(wc -l < "$want") symbols, SONAME libvirt.so.0, $nodes nodes: ok"; fi
exit $fail
