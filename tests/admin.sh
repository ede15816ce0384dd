#!/usr/bin/env bash
# libvirt-admin.so.0 against Debian's (libvirt 9.0's), differentially:
#   header    include/libvirt/libvirt-admin.h declares what Debian's does: gen/headerprobe.py's
#             probes from libvirt-admin-api.xml (every macro value, enum, type, prototype, C and
#             C++) compile against both and print the same
#   nodaemon  c-tests/admin/nodaemon.c: every function on NULL handles, and virAdmConnectOpen on
#             URIs with no daemon behind them or naming no socket: the same answers and errors
#   daemon    c-tests/admin/admin.c against a private libvirtd (started here, fresh for each
#             library, unprivileged: as nobody when we are root, the client too, since a session
#             daemon takes admin clients of its own user only): servers, thread pools, client
#             limits, clients, logging, close callbacks, reference counts
# The symbol set and version nodes are tests/symbols.sh's. The last line is
# `admin: N passed, M failed`; without Debian's libvirt-dev or libvirtd the suite skips loudly
# (a failure under CI=true).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
LIBVIRTD=${LIBVIRTD:-/usr/sbin/libvirtd}
api_xml=/usr/share/libvirt/api/libvirt-admin-api.xml
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); [ -n "${2:-}" ] && [ -s "$2" ] && head -n 40 "$2" | sed 's/^/     /'; }
skip() {
    echo "################################################################"
    echo "# SKIP: admin: $1"
    echo "################################################################"
    if [ "${CI:-}" = true ]; then echo "admin: 0 passed, 1 failed (CI=true)"; exit 1; fi
    echo "admin: 0 passed, 0 failed"
    exit 0
}
[ -f /usr/include/libvirt/libvirt-admin.h ] && [ -e /usr/lib/x86_64-linux-gnu/libvirt-admin.so ] &&
    [ -f "$api_xml" ] || skip "Debian's libvirt-dev (libvirt-admin.h, libvirt-admin.so) is not installed"

make -s -C "$top" lib >/dev/null 2>&1 || { echo "admin: make lib failed"; echo "admin: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d /tmp/oxvirt-admin.XXXXXX)
chmod 755 "$tmp"
daemon_pid=
stop_daemon() {
    [ -n "$daemon_pid" ] || return 0
    kill "$daemon_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
    daemon_pid=
}
trap 'stop_daemon; rm -rf "$tmp"' EXIT
ours=$top/build/lib
log=$tmp/log

# --- header ------------------------------------------------------------------------------------
mkdir -p "$tmp/ref/libvirt" "$tmp/probe"
cp /usr/include/libvirt/*.h "$tmp/ref/libvirt/"
if python3 "$top/gen/headerprobe.py" --include libvirt/libvirt-admin.h -o "$tmp/probe" "$api_xml" >"$log" 2>&1; then
    for v in plain sentinels; do
        defs=
        [ $v = sentinels ] && defs=-DVIR_ENUM_SENTINELS
        for side in ref ours; do
            inc=$tmp/ref
            [ $side = ours ] && inc=$top/include
            gcc -Wall -Wextra -Werror -std=gnu11 $defs -I "$inc" "$tmp/probe/probe.c" -o "$tmp/probe-$side" >"$log" 2>&1 &&
                "$tmp/probe-$side" >"$tmp/probe-$side-$v.txt" 2>>"$log" || bad "header probe ($v) against $side" "$log"
        done
        if diff -u "$tmp/probe-ref-$v.txt" "$tmp/probe-ours-$v.txt" >"$log"; then
            ok "header: $(wc -l <"$tmp/probe-ours-$v.txt") values and layouts as Debian's ($v)"
        else
            bad "header: values differ from Debian's ($v)" "$log"
        fi
    done
    for side in ref ours; do
        inc=$tmp/ref
        [ $side = ours ] && inc=$top/include
        if gcc -Wall -Wextra -Werror -std=gnu11 -I "$inc" -c "$tmp/probe/protos.c" -o /dev/null >"$log" 2>&1 &&
            g++ -Wall -Wextra -Werror -I "$inc" -c "$tmp/probe/protos.cc" -o "$tmp/protos-$side.o" >>"$log" 2>&1; then
            ok "header: every prototype and type as libvirt-admin-api.xml, C and C++ ($side)"
        else
            bad "header: prototypes ($side)" "$log"
        fi
    done
    if grep -q '_Z' <<<"$(nm -u "$tmp/protos-ours.o" 2>/dev/null)"; then
        bad "header: functions without C linkage"
    elif g++ -shared -o "$tmp/link.so" "$tmp/protos-ours.o" "$ours/libvirt-admin.so.0" -Wl,-z,defs >"$log" 2>&1; then
        ok "header: every function has C linkage and links against build/lib/libvirt-admin.so.0"
    else
        bad "header: link against build/lib/libvirt-admin.so.0" "$log"
    fi
else
    bad "gen/headerprobe.py writes the admin probes" "$log"
fi

# --- nodaemon ----------------------------------------------------------------------------------
build() { # NAME: c-tests/admin/NAME.c against Debian's headers and libvirt-admin
    gcc -Wall -Wextra -Werror -o "$tmp/$1" "$top/c-tests/admin/$1.c" -lvirt-admin -lvirt >"$log" 2>&1 ||
        { bad "c-tests/admin/$1.c builds" "$log"; return 1; }
    chmod 755 "$tmp/$1"
}
if build nodaemon; then
    for side in ref ours; do
        lib=
        [ $side = ours ] && lib=$ours
        env -u LIBVIRT_ADMIN_DEFAULT_URI LD_LIBRARY_PATH="$lib" HOME="$tmp/home" \
            XDG_RUNTIME_DIR="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config" \
            timeout 60 "$tmp/nodaemon" >"$tmp/nodaemon-$side.txt" 2>&1
        echo "exit $?" >>"$tmp/nodaemon-$side.txt"
    done
    if diff -u "$tmp/nodaemon-ref.txt" "$tmp/nodaemon-ours.txt" >"$log"; then
        ok "nodaemon: $(grep -c -- '->' "$tmp/nodaemon-ours.txt") calls answer as the reference's"
    else
        bad "nodaemon: answers differ (- reference, + ours)" "$log"
    fi
fi

# --- daemon ------------------------------------------------------------------------------------
as=()
[ "$(id -u)" = 0 ] && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
start_daemon() { # folder: a fresh session libvirtd whose runtime folder is FOLDER/run
    local d=$1
    rm -rf "$d" && mkdir -p "$d"
    cat >"$d/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
auth_unix_rw = "none"
log_outputs = "3:file:$d/libvirtd.log"
CONF
    [ "$(id -u)" = 0 ] && chown -R 65534:65534 "$d"
    "${as[@]}" env HOME="$d" XDG_RUNTIME_DIR="$d/run" XDG_CONFIG_HOME="$d/config" \
        XDG_CACHE_HOME="$d/cache" "$LIBVIRTD" --config "$d/libvirtd.conf" </dev/null >"$d/stdout" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 150); do
        [ -S "$d/run/libvirt/libvirt-admin-sock" ] && return 0
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 5 "$d/stdout" "$d/libvirtd.log" 2>/dev/null
    return 1
}
if [ ! -x "$LIBVIRTD" ]; then
    [ "${CI:-}" = true ] && bad "libvirtd is missing under CI (package libvirt-daemon)"
    echo "######## SKIP: admin: $LIBVIRTD is not installed: the daemon tests did not run ########"
elif build admin; then
    for side in ref ours; do
        lib=
        [ $side = ours ] && lib=$ours
        d=$tmp/daemon-$side
        if ! start_daemon "$d" >"$log" 2>&1; then
            bad "a private libvirtd starts ($side)" "$log"
            stop_daemon
            continue
        fi
        "${as[@]}" env LD_LIBRARY_PATH="$lib" HOME="$d" XDG_RUNTIME_DIR="$d/run" \
            timeout 60 "$tmp/admin" "$d/run/libvirt/libvirt-admin-sock" 2>&1 |
            sed "s|$d|DAEMON|g" >"$tmp/admin-$side.txt"
        echo "exit ${PIPESTATUS[0]}" >>"$tmp/admin-$side.txt"
        stop_daemon
    done
    if [ -s "$tmp/admin-ref.txt" ] && diff -u "$tmp/admin-ref.txt" "$tmp/admin-ours.txt" >"$log"; then
        ok "daemon: $(wc -l <"$tmp/admin-ours.txt") lines of answers as the reference's"
    else
        bad "daemon: answers differ (- reference, + ours)" "$log"
    fi
    grep -q "^exit 0$" "$tmp/admin-ours.txt" && grep -q "^servers: 2" "$tmp/admin-ours.txt" ||
        bad "daemon: the program ran through on ours" "$tmp/admin-ours.txt"
fi
echo "admin: $pass passed, $fail failed"
[ $fail = 0 ]
