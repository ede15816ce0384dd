#!/usr/bin/env bash
# A Go program linking libvirt.so.0, libvirt-qemu.so.0 and libvirt-lxc.so.0 (tests/go/main.go,
# through Debian's Go bindings, golang-github-libvirt-libvirt-go-dev, built offline in GOPATH
# mode) loads and runs on ours as on Debian's: the outputs must be equal. Without Go or the
# bindings (scripts/install-deps.sh installs them) the suite skips loudly, except under CI=true.
# The last line is `go: N passed, M failed`.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bindings=/usr/share/gocode/src/github.com/libvirt/libvirt-go
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); [ -n "${2:-}" ] && [ -s "$2" ] && head -n 30 "$2" | sed 's/^/     /'; }
if ! command -v go >/dev/null || [ ! -d "$bindings" ] || [ ! -e /usr/lib/x86_64-linux-gnu/libvirt-qemu.so ]; then
    echo "################################################################"
    echo "# SKIP: go: golang-go, golang-github-libvirt-libvirt-go-dev or libvirt-dev is missing"
    echo "################################################################"
    if [ "${CI:-}" = true ]; then echo "go: 0 passed, 1 failed (CI=true)"; exit 1; fi
    echo "go: 0 passed, 0 failed"
    exit 0
fi
make -s -C "$top" lib >/dev/null 2>&1 || { echo "go: make lib failed"; echo "go: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d /tmp/oxvirt-go.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log
mkdir -p "$tmp/gopath/src/oxvirtgo"
cp "$top/tests/go/main.go" "$tmp/gopath/src/oxvirtgo/"
if (cd "$tmp/gopath/src/oxvirtgo" && GO111MODULE=off GOFLAGS= GOPATH="$tmp/gopath:/usr/share/gocode" \
    GOCACHE="$tmp/cache" timeout 900 go build -o "$tmp/gotest" .) >"$log" 2>&1; then
    ok "tests/go/main.go builds against Debian's bindings"
else
    bad "tests/go/main.go builds" "$log"
    echo "go: $pass passed, $fail failed"
    exit 1
fi
ours=$top/build/lib
LD_LIBRARY_PATH=$ours ldd "$tmp/gotest" >"$log" 2>&1
if [ "$(grep -c "=> $ours/libvirt\(-qemu\|-lxc\)\?\.so\.0" "$log")" = 3 ]; then
    ok "the program resolves all three libraries to ours"
else
    bad "the program does not load our three libraries" "$log"
fi
for side in ref ours; do
    lib=
    [ $side = ours ] && lib=$ours
    LD_LIBRARY_PATH=$lib timeout 60 "$tmp/gotest" >"$tmp/$side.txt" 2>&1
    echo "exit $?" >>"$tmp/$side.txt"
done
if grep -q '^exit 0$' "$tmp/ours.txt" && diff -u "$tmp/ref.txt" "$tmp/ours.txt" >"$log"; then
    ok "the program runs on ours as on Debian's ($(wc -l <"$tmp/ours.txt") lines)"
else
    [ -s "$log" ] || cp "$tmp/ours.txt" "$log"
    bad "the program's output differs (- Debian's, + ours)" "$log"
fi
echo "go: $pass passed, $fail failed"
[ $fail = 0 ]
