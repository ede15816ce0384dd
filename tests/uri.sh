#!/usr/bin/env bash
# Connection URIs and qemu.conf, compared with Debian's libvirt 9.0:
# - c-tests/uri/uri.c opens every URI of c-tests/uri/corpus.txt (virConnectOpen, then
#   virConnectGetURI, or the error's code, domain and message); the reference's output, its binary
#   on our library and ours built against our headers must be equal. Only URIs whose outcome is
#   the same on every run here are in the corpus: no daemon listens on the default sockets,
#   LIBVIRT_DEFAULT_URI is set and the user's libvirt configuration is kept out (HOME, XDG_*).
# - c-tests/uri/conf.c opens qemu:///embed roots whose etc/qemu.conf is broken in one way each.
# Without Debian's libvirt (and its qemu driver) the comparison is skipped loudly, except under
# CI=true where that is a failure; our own run still has to succeed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/uri-tests
mkdir -p "$out"
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -O1 -g"
lib=$top/build/lib
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

have_ref=0
if [ -f /usr/include/libvirt/libvirt.h ] && [ -e /usr/lib/x86_64-linux-gnu/libvirt.so ] &&
    [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ]; then
    have_ref=1
elif [ "${CI:-}" = "true" ]; then
    echo "uri: Debian's libvirt (libvirt-dev, libvirt-daemon-driver-qemu) is missing under CI"
    echo "uri: 0 passed, 1 failed"; exit 1
else
    echo "################################################################"
    echo "# SKIP: Debian's libvirt with its qemu driver is not installed:"
    echo "#       URI and qemu.conf comparisons are skipped, ours still run"
    echo "################################################################"
fi
[ "${UT_NO_BUILD:-}" = 1 ] || make -s lib >"$out/make.log" 2>&1 || { cat "$out/make.log"; echo "uri: 0 passed, 1 failed"; exit 1; }

# The reference's embedded qemu driver, run as root, insists on these users and groups.
if [ $have_ref = 1 ] && [ "$(id -u)" = 0 ]; then
    getent group kvm >/dev/null || groupadd -r kvm
    getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
    getent passwd libvirt-qemu >/dev/null || useradd -r -g kvm libvirt-qemu
fi

base=$(mktemp -d /tmp/oxvirt-uri.XXXXXX)
trap 'rm -rf "$base"' EXIT

# One run of a probe in a clean environment: a fresh scratch directory replaced by ROOT in the
# output, the default URI fixed, no user configuration.
run() { # program who args... -> $out/<program>.<who>.out
    local prog=$1 who=$2 bin lp scratch; shift 2
    case $who in
        ref) bin=$out/$prog.ref lp= ;;
        theirs-on-ours) bin=$out/$prog.ref lp=$lib ;;
        ours) bin=$out/$prog.ours lp=$lib ;;
    esac
    scratch=$(mktemp -d "$base/$prog-$who.XXXXXX")
    mkdir -p "$scratch/home"
    env -i PATH="$PATH" HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" \
        XDG_STATE_HOME="$scratch/home/.state" XDG_RUNTIME_DIR="$scratch/home/.run" \
        LIBVIRT_DEFAULT_URI=test:///default LD_LIBRARY_PATH="$lp" \
        timeout -k 5 120 "$bin" "$@" "$scratch" >"$out/$prog.$who.out" 2>"$out/$prog.$who.err"
    echo "exit $?" >>"$out/$prog.$who.out"
    sed -i "s|$scratch|ROOT|g" "$out/$prog.$who.out"
}

compare() { # program what
    local prog=$1
    if ! gcc $CFLAGS -Iinclude -o "$out/$prog.ours" "c-tests/uri/$prog.c" -L"$lib" -lvirt; then
        bad "$prog: compile against our headers"; return
    fi
    run "$prog" ours "${@:3}"
    if [ $have_ref = 0 ]; then
        grep -q '^exit 0$' "$out/$prog.ours.out" && ok "$prog: runs against ours (no reference to compare)" ||
            bad "$prog: exit status against ours"
        return
    fi
    gcc $CFLAGS -o "$out/$prog.ref" "c-tests/uri/$prog.c" -lvirt || { bad "$prog: compile against Debian's headers"; return; }
    run "$prog" ref "${@:3}"
    run "$prog" theirs-on-ours "${@:3}"
    if diff -u "$out/$prog.ref.out" "$out/$prog.theirs-on-ours.out" >"$out/$prog.diff" &&
        diff -u "$out/$prog.ref.out" "$out/$prog.ours.out" >>"$out/$prog.diff"; then
        ok "$prog: $2: same as libvirt 9.0 ($(($(wc -l <"$out/$prog.ref.out") - 1)) cases)"
    else
        bad "$prog: $2: differs from libvirt 9.0"; head -40 "$out/$prog.diff"
    fi
}

compare uri "virConnectOpen and virConnectGetURI over the URI corpus" "$top/c-tests/uri/corpus.txt"
[ -f c-tests/uri/conf.c ] && compare conf "broken qemu.conf files refused as the reference refuses them"

echo "uri: $pass passed, $fail failed"
[ $fail = 0 ]
