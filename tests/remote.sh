#!/usr/bin/env bash
# The remote driver against real daemons: Debian's libvirtd, started here as children with a
# configuration in a temporary folder (unix socket there, TCP on 127.0.0.1 with auth "none"), run
# unprivileged (as nobody when we are root) so that several can run side by side. Two daemons
# stand for two hosts. The C programs in c-tests/remote/ are built against Debian's headers and
# ours and run against Debian's library and ours, each run on fresh daemons: outputs must be equal.
# The ssh transport goes through a private sshd on 127.0.0.1 (key-only, started and stopped here;
# packages openssh-server, openssh-client, netcat-openbsd) to a daemon's unix socket.
#
# usage: tests/remote.sh [via-daemon]    (REMOTE_KEEP=1 keeps the folder; the daemons are always stopped)
# The last line is `remote: N passed, M failed`. Without libvirtd the suite is skipped loudly,
# except under CI=true where that is a failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/flagsprobe.sh"
cd "$top"

LIBVIRTD=${LIBVIRTD:-/usr/sbin/libvirtd}
if [ ! -x "$LIBVIRTD" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "remote: $LIBVIRTD is missing under CI (package libvirt-daemon)"
        echo "remote: 0 passed, 1 failed"
        exit 1
    fi
    echo "################################################################"
    echo "# SKIP: libvirtd is not installed (package libvirt-daemon): the"
    echo "#       remote driver's tests (tests/remote.sh) did not run"
    echo "################################################################"
    echo "remote: 0 passed, 0 failed"
    exit 0
fi
have_ref=0
if [ -f /usr/include/libvirt/libvirt.h ] && [ -e /usr/lib/x86_64-linux-gnu/libvirt.so ]; then
    have_ref=1
elif [ "${CI:-}" = "true" ]; then
    echo "remote: Debian's libvirt-dev is missing under CI"
    echo "remote: 0 passed, 1 failed"
    exit 1
else
    echo "######## SKIP: Debian's libvirt-dev is not installed: remote tests run against ours only ########"
fi

out=$top/build/remote-tests
mkdir -p "$out"
rm -f "$out"/*.out "$out"/*.diff
make -s lib >"$out/make.log" 2>&1 || { cat "$out/make.log"; echo "remote: 0 passed, 1 failed"; exit 1; }

base=$(mktemp -d /tmp/oxvirt-remote.XXXXXX)
chmod 755 "$base"
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# Daemons: NAME -> folder $base/NAME, pid in $base/NAME/daemon.pid, TCP port in $base/NAME/port.
stop_daemon() { # name
    local d=$base/$1 pid
    stop_session_children "$d"
    pid=$(cat "$d/daemon.pid" 2>/dev/null) || return 0
    rm -f "$d/daemon.pid"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}
# What a daemon serving qemu:///session started and leaves running when it stops: guests a run
# left behind (it destroys its own) and the virtlogd it spawned, found by their pid files.
stop_session_children() { # folder
    local f pid
    for f in "$1"/run/libvirt/qemu/run/*.pid "$1"/run/libvirt/virtlogd.pid; do
        [ -f "$f" ] && [ "$(basename "$f")" != driver.pid ] || continue
        pid=$(cat "$f" 2>/dev/null) && [ -n "$pid" ] && kill "$pid" 2>/dev/null
    done
    return 0
}
stop_sshd() {
    local pid
    pid=$(cat "$base/sshd/sshd.bgpid" 2>/dev/null) || return 0
    rm -f "$base/sshd/sshd.bgpid"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
cleanup() {
    local f
    # Daemons are started in subshells too (setups run in $(...)): find them by their pid files.
    for f in "$base"/*/daemon.pid; do [ -f "$f" ] && stop_daemon "$(basename "$(dirname "$f")")"; done
    stop_sshd
    [ -n "${REMOTE_KEEP:-}" ] && echo "remote: kept $base" || rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_daemon NAME [tls|sasl]: a fresh daemon (its folder emptied first). With `tls` it also
# listens for TLS on $base/NAME/tlsport, with the server certificate made by make_pki (auth
# "none"); with `sasl` too, and TCP and TLS want SASL ($sasl_user, $sasl_password).
start_daemon() {
    local n=$1 kind=${2:-} d=$base/$1 port tlsport=
    stop_daemon "$n"
    rm -rf "$d"
    mkdir -p "$d"
    port=$(free_port)
    echo "$port" > "$d/port"
    local listen_tls=0 auth=none
    [ "$kind" = tls ] || [ "$kind" = sasl ] && listen_tls=1
    [ "$kind" = sasl ] && auth=sasl
    cat > "$d/libvirtd.conf" <<CONF
listen_tls = $listen_tls
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "$port"
auth_tcp = "$auth"
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_dir = "$d"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0777"
log_outputs = "${DAEMON_LOG_LEVEL:-3}:file:$d/libvirtd.log"
log_filters = "${DAEMON_LOG_FILTERS:-}"
CONF
    # HOST_UUID: the host's UUID (the qemu driver refuses to migrate a guest to its own host).
    [ -n "${HOST_UUID:-}" ] && echo "host_uuid = \"$HOST_UUID\"" >> "$d/libvirtd.conf"
    if [ $listen_tls = 1 ]; then
        tlsport=$(free_port)
        echo "$tlsport" > "$d/tlsport"
        cp "$pki/server/cacert.pem" "$pki/server/servercert.pem" "$pki/server/serverkey.pem" "$d/"
        cat >> "$d/libvirtd.conf" <<CONF
tls_port = "$tlsport"
auth_tls = "$auth"
ca_file = "$d/cacert.pem"
cert_file = "$d/servercert.pem"
key_file = "$d/serverkey.pem"
CONF
    fi
    local env=(env HOME="$d" XDG_RUNTIME_DIR="$d/run" XDG_CONFIG_HOME="$d/config"
        XDG_CACHE_HOME="$d/cache" XDG_DATA_HOME="$d/data")
    if [ "$kind" = sasl ]; then
        # Cyrus SASL reads the daemon's configuration (libvirt.conf) from SASL_CONF_PATH, not
        # /etc/sasl2: mechanisms SCRAM-SHA-256 and PLAIN, users in a sasldb of our own.
        mkdir -p "$d/sasl2"
        printf 'mech_list: scram-sha-256 plain\nsasldb_path: %s\n' "$d/sasl2/passwd.db" > "$d/sasl2/libvirt.conf"
        echo "$sasl_password" | saslpasswd2 -p -c -a libvirt -f "$d/sasl2/passwd.db" "$sasl_user" || return 1
        env+=(SASL_CONF_PATH="$d/sasl2")
    fi
    local as=()
    if [ "$(id -u)" = 0 ]; then
        chown -R 65534:65534 "$d"
        as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
    # DAEMON_HOSTNAME: the daemon runs under that host name (a UTS namespace of its own, root only).
    local uts=()
    [ -n "${DAEMON_HOSTNAME:-}" ] && [ "$(id -u)" = 0 ] &&
        uts=(unshare --uts sh -c 'hostname "$0" && exec "$@"' "$DAEMON_HOSTNAME")
    "${uts[@]}" "${as[@]}" "${env[@]}" "$LIBVIRTD" --config "$d/libvirtd.conf" --listen \
        --pid-file "$d/libvirtd.pid" </dev/null >"$d/stdout" 2>&1 &
    echo $! > "$d/daemon.pid"
    for _ in $(seq 100); do
        if [ -S "$d/libvirt-sock" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
            { [ -z "$tlsport" ] || (exec 3<>"/dev/tcp/127.0.0.1/$tlsport") 2>/dev/null; }; then
            return 0
        fi
        kill -0 "$(cat "$d/daemon.pid")" 2>/dev/null || break
        sleep 0.1
    done
    echo "remote: daemon $n did not start:"; tail -n 5 "$d/stdout" "$d/libvirtd.log" 2>/dev/null
    return 1
}

# A PKI in libvirt's layout, made here with certtool (package gnutls-bin): $pki/server/ holds the
# daemon's CA, certificate (for "localhost" only, so that 127.0.0.1 is a wrong host name) and
# key; each $pki/client/CASE/ is a client's `pkipath`: ok (a good one), otherca (trusts another
# CA, whose certificate it holds), badcert (a certificate that is not PEM), badkey (a key that is
# not PEM), nocert (the CA alone), foreignclient (the right CA, a certificate of another CA's).
pki=$base/pki
sasl_user=alice sasl_password=oxvirt-$$
make_pki() {
    command -v certtool >/dev/null || return 1
    mkdir -p "$pki/gen" && cd "$pki/gen" || return 1
    printf 'cn = oxvirt test CA\nca\ncert_signing_key\nexpiration_days = 2\n' > ca.info
    printf 'cn = oxvirt other CA\nca\ncert_signing_key\nexpiration_days = 2\n' > other-ca.info
    printf 'organization = oxvirt\ncn = localhost\ndns_name = localhost\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 2\n' > server.info
    printf 'country = XX\norganization = oxvirt\ncn = oxvirt-client\ntls_www_client\nencryption_key\nsigning_key\nexpiration_days = 2\n' > client.info
    local k
    for k in ca other-ca server client; do
        certtool --generate-privkey --key-type=rsa --bits=2048 --no-text --outfile $k-key.pem 2>/dev/null || return 1
    done
    certtool --generate-self-signed --load-privkey ca-key.pem --template ca.info --no-text \
        --outfile ca.pem 2>/dev/null &&
    certtool --generate-self-signed --load-privkey other-ca-key.pem --template other-ca.info --no-text \
        --outfile other-ca.pem 2>/dev/null &&
    certtool --generate-certificate --load-privkey server-key.pem --load-ca-certificate ca.pem \
        --load-ca-privkey ca-key.pem --template server.info --no-text --outfile server.pem 2>/dev/null &&
    certtool --generate-certificate --load-privkey client-key.pem --load-ca-certificate ca.pem \
        --load-ca-privkey ca-key.pem --template client.info --no-text --outfile client.pem 2>/dev/null &&
    certtool --generate-certificate --load-privkey client-key.pem --load-ca-certificate other-ca.pem \
        --load-ca-privkey other-ca-key.pem --template client.info --no-text --outfile other-client.pem 2>/dev/null ||
        return 1
    mkdir -p "$pki/server" "$pki"/client/{ok,otherca,badcert,badkey,nocert,foreignclient}
    cp ca.pem "$pki/server/cacert.pem"; cp server.pem "$pki/server/servercert.pem"
    cp server-key.pem "$pki/server/serverkey.pem"
    local c=$pki/client
    cp ca.pem "$c/ok/cacert.pem"; cp client.pem "$c/ok/clientcert.pem"; cp client-key.pem "$c/ok/clientkey.pem"
    cp other-ca.pem "$c/otherca/cacert.pem"; cp other-client.pem "$c/otherca/clientcert.pem"
    cp client-key.pem "$c/otherca/clientkey.pem"
    cp ca.pem "$c/badcert/cacert.pem"; echo garbage > "$c/badcert/clientcert.pem"; cp client-key.pem "$c/badcert/clientkey.pem"
    cp ca.pem "$c/badkey/cacert.pem"; cp client.pem "$c/badkey/clientcert.pem"; echo garbage > "$c/badkey/clientkey.pem"
    cp ca.pem "$c/nocert/cacert.pem"
    cp ca.pem "$c/foreignclient/cacert.pem"; cp other-client.pem "$c/foreignclient/clientcert.pem"
    cp client-key.pem "$c/foreignclient/clientkey.pem"
    # A user's own folder ($HOME/.pki/libvirt), for a client that is not root.
    mkdir -p "$pki/home/.pki/libvirt" && cp "$c"/ok/*.pem "$pki/home/.pki/libvirt/"
    chmod -R a+rX "$pki"
    cd "$top"
}

# A private sshd on 127.0.0.1 that lets us in with a key of our own, in $base/sshd. ssh runs
# through $base/sshd/ssh (the URIs' `command`): the real ssh, with the sshd's host key in a
# known_hosts of our own (the user's stays untouched) and no user configuration, logging its
# command line to ssh.log so that the reference's and ours can be compared.
sshdir=$base/sshd
sshuser=$(id -un)
sshport=
start_sshd() {
    local missing="" p
    for p in /usr/sbin/sshd ssh ssh-keygen nc; do command -v "$p" >/dev/null || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        if [ "${CI:-}" = "true" ]; then
            bad "ssh: missing under CI:$missing (packages openssh-server openssh-client netcat-openbsd)"
        else
            echo "######## SKIP: ssh transport not tested, missing:$missing ########"
        fi
        return 1
    fi
    mkdir -p "$sshdir"
    ssh-keygen -q -t ed25519 -N '' -C oxvirt-test-host -f "$sshdir/host_key" &&
        ssh-keygen -q -t ed25519 -N '' -C oxvirt-test-client -f "$sshdir/client_key" || return 1
    cp "$sshdir/client_key.pub" "$sshdir/authorized_keys"
    sshport=$(free_port)
    cat > "$sshdir/sshd_config" <<CONF
ListenAddress 127.0.0.1
HostKey $sshdir/host_key
AuthorizedKeysFile $sshdir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $sshdir/sshd.pid
CONF
    echo "[127.0.0.1]:$sshport $(cut -d' ' -f1,2 "$sshdir/host_key.pub")" > "$sshdir/known_hosts"
    cat > "$sshdir/ssh" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >> "$sshdir/ssh.log"
exec ssh -F /dev/null -o UserKnownHostsFile="$sshdir/known_hosts" -o GlobalKnownHostsFile=/dev/null "\$@"
WRAP
    chmod 755 "$sshdir/ssh"
    # sshd's privilege separation directory (Debian's service creates it).
    [ "$(id -u)" = 0 ] && mkdir -p /run/sshd
    /usr/sbin/sshd -D -f "$sshdir/sshd_config" -p "$sshport" -E "$sshdir/sshd.log" </dev/null &
    echo $! > "$sshdir/sshd.bgpid"
    for _ in $(seq 50); do
        if ssh -F /dev/null -o UserKnownHostsFile="$sshdir/known_hosts" -o BatchMode=yes \
            -i "$sshdir/client_key" -p "$sshport" -T "$sshuser@127.0.0.1" true </dev/null 2>/dev/null; then
            return 0
        fi
        kill -0 "$(cat "$sshdir/sshd.bgpid")" 2>/dev/null || break
        sleep 0.1
    done
    bad "ssh: no login through the private sshd"; tail -n 5 "$sshdir/sshd.log"
    return 1
}
ssh_uri() { # daemon name: its unix socket through ssh
    echo "test+ssh://$sshuser@127.0.0.1:$sshport/default?socket=$base/$1/libvirt-sock&keyfile=$sshdir/client_key&no_verify=1&command=$sshdir/ssh"
}
unix_uri() { echo "test+unix:///default?socket=$base/$1/libvirt-sock"; }
tcp_uri() { echo "test+tcp://127.0.0.1:$(cat "$base/$1/port")/default"; }
# tls_uri DAEMON [CASE [HOST [PARAMS]]]: TLS with a client folder of make_pki's.
tls_uri() {
    echo "test+tls://${3:-localhost}:$(cat "$base/$1/tlsport")/default?pkipath=$pki/client/${2:-ok}${4:-}"
}
pid_of() { cat "$base/$1/daemon.pid"; }

CFLAGS="-std=gnu11 -Wall -Wextra -Werror -O1 -g"
lib=$top/build/lib
normalize() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' "$1" > "$1.norm"; }

build() { # prog: $out/PROG.ours (our headers) and $out/PROG.ref (Debian's)
    local src=c-tests/remote/$1.c
    [ -f "$src" ] || src=c-tests/$1.c # programs shared with the other drivers' suites
    local qemu=
    [ "$1" = simpleprocs ] && qemu=-lvirt-qemu # Debian's libvirt-qemu.so: ours at run time
    gcc $CFLAGS -Iinclude -o "$out/$1.ours" "$src" -L"$lib" $qemu -lvirt -lpthread || return 1
    if [ $have_ref = 1 ]; then
        gcc $CFLAGS -o "$out/$1.ref" "$src" $qemu -lvirt -lpthread || return 1
    fi
}

# run TAG PROG SETUP ARGS...: each flavour on fresh daemons (SETUP starts them and prints the
# arguments), under a timeout; then compare.
differential() {
    local tag=$1 prog=$2 setup=$3 flavours="ours" f args rc
    [ $have_ref = 1 ] && flavours="ref theirs-on-ours ours"
    for f in $flavours; do
        args=$($setup) || { bad "$tag: daemons did not start"; return; }
        case $f in
            ref) timeout 120 "$out/$prog.ref" $args > "$out/$tag.$f.out" 2>"$out/$tag.$f.err" ;;
            theirs-on-ours) LD_LIBRARY_PATH="$lib" timeout 120 "$out/$prog.ref" $args > "$out/$tag.$f.out" 2>"$out/$tag.$f.err" ;;
            ours) LD_LIBRARY_PATH="$lib" timeout 120 "$out/$prog.ours" $args > "$out/$tag.$f.out" 2>"$out/$tag.$f.err" ;;
        esac
        rc=$?
        if [ $rc != 0 ]; then
            bad "$tag: exit $rc against $f"; tail -n 5 "$out/$tag.$f.out" "$out/$tag.$f.err"; return
        fi
        normalize "$out/$tag.$f.out"
    done
    if [ $have_ref = 0 ]; then ok "$tag: runs against ours (no reference to compare)"; return; fi
    if diff -u "$out/$tag.ref.out.norm" "$out/$tag.theirs-on-ours.out.norm" > "$out/$tag.diff" &&
        diff -u "$out/$tag.ref.out.norm" "$out/$tag.ours.out.norm" >> "$out/$tag.diff"; then
        ok "$tag: same output as libvirt 9.0"
    else
        bad "$tag: output differs from libvirt 9.0"; head -40 "$out/$tag.diff"
    fi
}

one_unix() { start_daemon a >&2 && unix_uri a; }
# The test driver and the daemon's secret driver (secret:///session) on one daemon.
domain_and_secrets() { start_daemon a >&2 && echo "$(unix_uri a) secret+unix:///session?socket=$base/a/libvirt-sock"; }
one_tcp() { start_daemon a >&2 && tcp_uri a; }
two_hosts() { start_daemon a >&2 && start_daemon b >&2 && echo "$(tcp_uri a) $(unix_uri b)"; }
kill_unix() { start_daemon a >&2 && echo "$(unix_uri a) $(pid_of a)"; }
kill_tcp() { start_daemon a >&2 && echo "$(tcp_uri a) $(pid_of a)"; }
one_ssh() { start_daemon a >&2 && ssh_uri a; }
kill_ssh() { start_daemon a >&2 && echo "$(ssh_uri a) $(pid_of a)"; }
one_tls() { start_daemon a tls >&2 && tls_uri a; }
kill_tls() { start_daemon a tls >&2 && echo "$(tls_uri a) $(pid_of a)"; }
# Streams: the daemon's test driver, its storage driver and a folder it may write for a pool.
streams_setup() {
    start_daemon a >&2 || return 1
    mkdir -p "$base/a/pool" && { [ "$(id -u)" != 0 ] || chown 65534:65534 "$base/a/pool"; }
    echo "$(unix_uri a) storage+unix:///session?socket=$base/a/libvirt-sock $base/a/pool"
}

# Through a daemon: the test driver's differential programs (c-tests/PROG.c, the list below is
# the only one), unchanged: a preloaded shim (c-tests/remote/urishim.c) turns their test:///
# URIs into test+unix:// ones to a fresh daemon's socket, on the reference's client and on ours
# (each run on its own daemon); outputs must be equal. The programs of `via_daemon_known` still
# differ in ways listed beside them: they run, and their differences are reported (KNOWN), not
# counted as failures; VIA_DAEMON=... runs the programs named, compared strictly.
# snapshot skips, through a daemon (OXVIRT_VIA_DAEMON), the three ListNames calls on which
# libvirtd 9.0 itself crashes.
via_daemon="interface typedparams listmax network nodedev testnode testdomain testparams storage setparams snapshot"
via_daemon_known=""
through_daemon() { # prog [known]
    local prog=$1 known=${2:-} tag=via-daemon-$1 f bin lp rc
    if [ $have_ref = 0 ]; then echo "######## SKIP: $tag: no reference to compare ########"; return; fi
    for f in ref ours; do
        bin=$out/$prog.ref lp=
        [ $f = ours ] && lp=$lib
        start_daemon a >&2 || { bad "$tag: daemon did not start"; return; }
        LD_PRELOAD="$out/urishim.so" OXVIRT_REMOTE_SOCKET="$base/a/libvirt-sock" OXVIRT_VIA_DAEMON=1 \
            LD_LIBRARY_PATH="$lp" timeout 300 "$bin" > "$out/$tag.$f.out" 2>"$out/$tag.$f.err"
        rc=$?
        stop_daemon a
        echo "exit $rc" >> "$out/$tag.$f.out"
        # The programs' temporary folders differ from run to run.
        sed -i -E 's|/tmp/[A-Za-z0-9_.-]+|/tmp/TMP|g' "$out/$tag.$f.out"
        normalize "$out/$tag.$f.out"
    done
    if diff -u "$out/$tag.ref.out.norm" "$out/$tag.ours.out.norm" > "$out/$tag.diff"; then
        ok "$tag: same output as libvirt 9.0's client"
    elif [ -n "$known" ]; then
        echo "KNOWN $tag: differs as listed in tests/remote.sh ($(grep -c '^[-+][^-+]' "$out/$tag.diff") lines, $out/$tag.diff)"
    else
        bad "$tag: output differs from libvirt 9.0's client ($(grep -c '^[-+][^-+]' "$out/$tag.diff") lines)"
        head -20 "$out/$tag.diff"
    fi
}
run_through_daemon() {
    gcc $CFLAGS -shared -fPIC -o "$out/urishim.so" c-tests/remote/urishim.c -ldl ||
        { bad "urishim: compile"; return; }
    local prog
    for prog in ${VIA_DAEMON:-$via_daemon}; do
        build "$prog" || { bad "$prog: compile"; continue; }
        through_daemon "$prog"
    done
    [ -n "${VIA_DAEMON:-}" ] && return
    for prog in $via_daemon_known; do
        build "$prog" || { bad "$prog: compile"; continue; }
        through_daemon "$prog" known
    done
}
# The procedures a client sends (the daemon logs each call it dispatches: prog and proc), of
# the remote and qemu programs, between the program's first and last virConnectGetHostname.
procs_between_hostnames() { # log
    grep -o 'ProgramDispatch:[0-9]* : prog=53690381[45] .*proc=[0-9]*' "$1" | sed 's/^[^:]*:[0-9]* : //' | sed -E 's/prog=([0-9]+).*proc=/\1:/' |
        awk '$0 == "536903814:59" { n++; if (n > 1) { print; exit } } n' | sed 1d
}
# The daemon's own listing calls (its public layer's entry lines) and whether each was given an
# array: what need_results the client sent.
listing_arrays() { # log
    # A domain's listing names its domain too: "dom=0x..., (VM: name=N, uuid=U), snaps=...".
    grep -oE ' vir[A-Za-z]*ListAll[A-Za-z]*:[0-9]+ : .*' "$1" |
        sed -E 's/, \(VM: [^)]*\)//; s/^ (vir[A-Za-z]*):[0-9]+ : [a-z]+=[^,]*, ([a-z]+)=([^,]*).*$/\1 \2=\3/; s/=0x[0-9a-f]+$/=array/'
}
# procs_sent TAG PROG SETUP: PROG run on the reference's client and on ours, each on a fresh
# daemon that logs its dispatches: the procedures between the markers must be the same, and so
# must the daemon's listing calls (given an array or not).
procs_sent() {
    local tag=$1 prog=$2 setup=$3 f bin lp args
    if [ $have_ref = 0 ]; then echo "######## SKIP: $tag: no reference to compare ########"; return; fi
    for f in ref ours; do
        bin=$out/$prog.ref lp=
        [ $f = ours ] && bin=$out/$prog.ours lp=$lib
        args=$(DAEMON_LOG_LEVEL=1 DAEMON_LOG_FILTERS="1:rpc.netserverprogram $listing_filters 4:*" $setup) ||
            { bad "$tag: daemons did not start"; return; }
        LD_LIBRARY_PATH="$lp" timeout 120 "$bin" $args > /dev/null 2>&1
        procs_between_hostnames "$base/a/libvirtd.log" > "$out/$tag.$f.procs"
        listing_arrays "$base/a/libvirtd.log" > "$out/$tag.$f.listings"
        stop_daemon a
    done
    if [ -s "$out/$tag.ref.procs" ] && diff -u "$out/$tag.ref.procs" "$out/$tag.ours.procs" > "$out/$tag.diff"; then
        ok "$tag: the reference client's procedures ($(wc -l < "$out/$tag.ref.procs"))"
    else
        bad "$tag: procedures differ from the reference client's"; head -20 "$out/$tag.diff"
    fi
    [ -s "$out/$tag.ref.listings" ] || return 0
    if diff -u "$out/$tag.ref.listings" "$out/$tag.ours.listings" > "$out/$tag.listings.diff"; then
        ok "$tag: the daemon's listings got an array as with the reference client ($(wc -l < "$out/$tag.ref.listings"))"
    else
        bad "$tag: the daemon's listings differ (need_results)"; head -20 "$out/$tag.listings.diff"
    fi
}
# The daemon's public-layer debug lines of the listing families.
listing_filters="1:libvirt.domain 1:libvirt.network 1:libvirt.interface 1:libvirt.storage 1:libvirt.nodedev 1:libvirt.secret 1:libvirt.domain-snapshot 1:libvirt.domain-checkpoint"
# OXVIRT_REMOTE_LEGACY_EVENTS=1: our client asks for domain events with the legacy procedures
# (REGISTER, DEREGISTER, REGISTER_ANY, DEREGISTER_ANY), never the callback ones.
legacy_procs() {
    local args
    args=$(DAEMON_LOG_LEVEL=1 DAEMON_LOG_FILTERS="1:rpc.netserverprogram 4:*" one_unix) ||
        { bad "legacy-event procedures: daemon did not start"; return; }
    OXVIRT_REMOTE_LEGACY_EVENTS=1 LD_LIBRARY_PATH="$lib" timeout 120 "$out/legacyev.ours" $args > /dev/null 2>&1
    local seen
    seen=$(grep -o 'ProgramDispatch:[0-9]* : prog=536903814 .*proc=[0-9]*' "$base/a/libvirtd.log" | sed 's/.*proc=//' |
        grep -xE '105|106|167|168|316|317' | sort -un | tr '\n' ' ')
    stop_daemon a
    [ "$seen" = "105 106 167 168 " ] && ok "legacy-event procedures: $seen" ||
        bad "legacy-event procedures: $seen (want 105 106 167 168)"
}

# `tests/remote.sh via-daemon` runs this part alone.
if [ "${1:-}" = via-daemon ]; then
    run_through_daemon
    echo "remote: $pass passed, $fail failed"
    [ $fail = 0 ]
    exit
fi

for prog in destroy twohosts kill close closereg closefree keepalive streams domevents procs evloop forwarded connfacts netports simpleprocs legacyev; do
    build "$prog" || bad "$prog: compile"
done
differential destroy-unix destroy one_unix
differential destroy-tcp destroy one_tcp
differential two-hosts twohosts two_hosts
differential kill-unix kill kill_unix
differential kill-tcp kill kill_tcp
# Close callbacks and IsAlive with an event loop running; then the registrations themselves.
differential close-unix close kill_unix
differential close-tcp close kill_tcp
differential close-registrations closereg kill_unix
# When a close callback's free function runs, and the reference the registration holds.
differential close-free closefree kill_unix
differential keepalive-unix keepalive kill_unix
differential keepalive-tcp keepalive kill_tcp
# Streams over RPC: screenshot, console, upload and download (whole, sparse, non-blocking with a
# callback), abort, and the stream errors.
differential streams streams streams_setup
# Every domain event id and the secret events, with their arguments, as the daemon sends them.
differential domain-events domevents domain_and_secrets
# Procedures only the daemon serves (domain jobs and migration tunables, block jobs, volumes,
# secrets): forwarded, with the daemon's answers and errors.
differential procedures procs domain_and_secrets
# The daemon's events through the application's own event loop, which watches the connections.
differential event-loop evloop one_unix
# Public functions added for the daemon since session 7 (guest agent, host CPU, node devices...).
differential forwarded forwarded one_unix
# The caller's counts reach the daemon as it gave them; CPU stats, security labels, pages, copies.
if build nodestats; then differential node-stats nodestats one_unix; else bad "nodestats: compile"; fi
# Network ports and DHCP leases: the daemon's test driver serves none; its errors, and ours first;
# then the daemon killed (the calls reach it).
differential network-ports netports kill_unix
# libvirt-qemu's monitor events of a real guest on the daemon's qemu:///session (the qemu
# program's registrations and messages; c-tests/qemu/monevents.c, also run on the embedded driver
# by tests/qemu.sh).
qemu_session() { start_daemon a >&2 && echo "qemu+unix:///session?socket=$base/a/libvirt-sock"; }
if [ ! -x /usr/bin/qemu-system-x86_64 ]; then
    if [ "${CI:-}" = "true" ]; then bad "monitor-events: qemu-system-x86_64 is missing under CI"
    else echo "######## SKIP: qemu-system-x86_64 is not installed: monitor events through a daemon skipped ########"; fi
elif gcc $CFLAGS -Iinclude -o "$out/monevents.ours" c-tests/qemu/monevents.c -L"$lib" -lvirt -lvirt-qemu -lpthread &&
    { [ $have_ref = 0 ] || gcc $CFLAGS -o "$out/monevents.ref" c-tests/qemu/monevents.c -lvirt -lvirt-qemu -lpthread; }; then
    differential monitor-events monevents qemu_session
else
    bad "monevents: compile"
fi
# Issue 18: the counts, max memory, virDomainCreate, network create/define, the library's
# version, virDomainQemuAttach: the reference's answers and procedures; legacy domain events.
differential simple-procs simpleprocs domain_and_secrets
procs_sent simple-procs-sent simpleprocs domain_and_secrets
OXVIRT_REMOTE_LEGACY_EVENTS=1 differential legacy-events legacyev one_unix
legacy_procs

# Live migration of a qemu guest (TCG, no disk) between two daemons that stand for two hosts
# (qemu:///session, host UUIDs of their own): the client orchestrating, and peer to peer over TCP.
QEMU_BIN=${QEMU_BIN:-/usr/bin/qemu-system-x86_64}
two_qemu_hosts() {
    HOST_UUID=0a6e1e2c-1111-4a1a-9a1a-00000000000a start_daemon a >&2 &&
        HOST_UUID=0a6e1e2c-2222-4b2b-9b2b-00000000000b start_daemon b >&2 || return 1
    local a b
    a=$base/a b=$base/b
    echo "qemu+unix:///session?socket=$a/libvirt-sock qemu+unix:///session?socket=$b/libvirt-sock" \
        "qemu+tcp://127.0.0.1:$(cat "$a/port")/session qemu+tcp://127.0.0.1:$(cat "$b/port")/session $QEMU_BIN"
}
if [ ! -x "$QEMU_BIN" ]; then
    if [ "${CI:-}" = "true" ]; then bad "migrate: $QEMU_BIN is missing under CI (package qemu-system-x86)"
    else echo "######## SKIP: migration not tested: $QEMU_BIN is missing (package qemu-system-x86) ########"; fi
elif build migrate; then
    differential migrate migrate two_qemu_hosts
    stop_daemon a; stop_daemon b
else
    bad "migrate: compile"
fi

# Every implemented function that takes flags, with out-of-range flags, through a daemon
# (gen/flagsprobe.py --env-uri, each call in a fresh process): the refusals the far side makes
# (or the client makes first) reach the caller as the reference's.
flags_remote() {
    local who bin lp
    if [ $have_ref = 0 ]; then echo "######## SKIP: remote flags probe: no reference ########"; return; fi
    flags_build remote || return
    for who in ref theirs-on-ours ours; do
        read -r bin lp <<<"$(flags_run remote $who)"
        start_daemon a >&2 || { bad "flags: daemon did not start"; return; }
        FLAGSPROBE_URI=$(unix_uri a) LD_LIBRARY_PATH=$lp timeout -k 5 300 "$bin" \
            2>/dev/null | sed "s|$base|BASE|g" >"$out/flagsprobe-remote.$who.out"
        stop_daemon a
    done
    flags_tally remote remote
}
flags_remote

# TLS: the programs above through test+tls:// (a PKI made here), then how each client fares with
# each client folder of make_pki's, a wrong host name and no_verify/no_sanity, on one daemon.
have_pki=0
if make_pki; then
    have_pki=1
elif [ "${CI:-}" = "true" ]; then
    bad "tls: certtool is missing under CI (package gnutls-bin)"
else
    echo "######## SKIP: TLS transport not tested: certtool is missing (package gnutls-bin) ########"
fi
# The daemon's host name (with a dot: taken as it is, no resolver asked), and how secure and
# encrypted each transport is (TLS with a PKI).
far_host() {
    DAEMON_HOSTNAME=far.oxvirt.test start_daemon a "$([ $have_pki = 1 ] && echo tls)" >&2 &&
        echo "$(unix_uri a) $(tcp_uri a) $([ $have_pki = 1 ] && tls_uri a)"
}
differential conn-facts connfacts far_host
. "$top/tests/remote-fds.sh"
if [ $have_pki = 1 ]; then
    differential destroy-tls destroy one_tls
    differential kill-tls kill kill_tls
    differential close-tls close kill_tls
    build openerr || bad "openerr: compile"
    tls_cases() {
        local c
        for c in ok otherca badcert badkey nocert foreignclient; do tls_uri a "$c"; done
        tls_uri a ok 127.0.0.1
        tls_uri a ok 127.0.0.1 "&no_verify=1"
        tls_uri a otherca localhost "&no_verify=1"
        tls_uri a badcert localhost "&no_sanity=1"
        tls_uri a foreignclient localhost "&no_sanity=1"
        tls_uri a none
        echo "test+tls://localhost:$(cat "$base/a/tlsport")/default?pkipath=$pki/client/ok&no_verify=x"
    }
    if start_daemon a tls; then
        cases=$(tls_cases)
        LD_LIBRARY_PATH="$lib" timeout 120 "$out/openerr.ours" $cases > "$out/tls-errors.ours.out" 2>/dev/null
        if [ $have_ref = 1 ]; then
            timeout 120 "$out/openerr.ref" $cases > "$out/tls-errors.ref.out" 2>/dev/null
            if diff -u "$out/tls-errors.ref.out" "$out/tls-errors.ours.out" > "$out/tls-errors.diff"; then
                ok "tls: certificates, host names, no_verify, no_sanity: the reference's outcomes"
            else
                bad "tls: outcomes differ from libvirt 9.0"; cat "$out/tls-errors.diff"
            fi
        else
            grep -q "pkipath=$pki/client/ok: opened" "$out/tls-errors.ours.out" && ok "tls: opens (no reference)" || bad "tls: does not open"
        fi
        # Not root: the user's own folder, $HOME/.pki/libvirt, without pkipath.
        if [ "$(id -u)" = 0 ]; then
            user_uri="test+tls://localhost:$(cat "$base/a/tlsport")/default"
            for f in ours ref; do
                [ $f = ref ] && [ $have_ref = 0 ] && continue
                lp=; [ $f = ours ] && lp=$lib
                setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$pki/home" \
                    LD_LIBRARY_PATH="$lp" timeout 60 "$out/openerr.$f" "$user_uri" > "$out/tls-home.$f.out" 2>/dev/null
            done
            if grep -q ": opened, lookup test=test" "$out/tls-home.ours.out" &&
                { [ $have_ref = 0 ] || diff -u "$out/tls-home.ref.out" "$out/tls-home.ours.out"; }; then
                ok "tls: a user's \$HOME/.pki/libvirt"
            else
                bad "tls: a user's \$HOME/.pki/libvirt"; cat "$out/tls-home.ours.out"
            fi
        fi
        stop_daemon a
    else
        bad "tls: daemon did not start"
    fi
fi

# SASL (a daemon with auth_tls and auth_tcp "sasl", a sasldb made with saslpasswd2, packages
# sasl2-bin and libsasl2-modules): the right password, a wrong one, an unknown user, each
# mechanism, a mechanism the daemon does not offer, a callback that fails, no callback, plain TCP.
if [ $have_pki = 1 ] && ! command -v saslpasswd2 >/dev/null; then
    if [ "${CI:-}" = "true" ]; then bad "sasl: saslpasswd2 is missing under CI (package sasl2-bin)"
    else echo "######## SKIP: SASL not tested: saslpasswd2 is missing (package sasl2-bin) ########"; fi
elif [ $have_pki = 1 ]; then
    build saslauth || bad "saslauth: compile"
    if start_daemon a sasl; then
        t=$(tls_uri a)
        tcp=$(tcp_uri a)
        sasl_run() { # ARGS...: the program of the flavour $flavour
            case $flavour in
                ours) LD_LIBRARY_PATH="$lib" timeout 60 "$out/saslauth.ours" "$@" 2>/dev/null ;;
                ref) timeout 60 "$out/saslauth.ref" "$@" 2>/dev/null ;;
            esac
        }
        sasl_runs() { # one line of output per case
            sasl_run "$sasl_user" "$sasl_password" ap "$t" "$t&auth=sasl.SCRAM-SHA-256" "$t&auth=sasl.PLAIN" \
                "$t&auth=sasl.DIGEST-MD5" "$t&auth=polkit" "$t&auth=bogus" "$tcp"
            sasl_run "$sasl_user" "$sasl_password" uap "$t"
            sasl_run "$sasl_user" wrong ap "$t" "$t&auth=sasl.PLAIN"
            sasl_run nobody "$sasl_password" ap "$t"
            sasl_run "$sasl_user" "$sasl_password" fail "$t"
            sasl_run "$sasl_user" "$sasl_password" none "$t"
            # Credentials from auth.conf (LIBVIRT_AUTH_FILE): the group for the URI's host, the
            # `default` group, a wrong password, and a file that does not name the host.
            LIBVIRT_AUTH_FILE="$out/auth-host.conf" sasl_run - - conf "$t" "$t&auth=sasl.PLAIN"
            LIBVIRT_AUTH_FILE="$out/auth-default.conf" sasl_run - - conf "$t"
            LIBVIRT_AUTH_FILE="$out/auth-wrong.conf" sasl_run - - conf "$t"
            LIBVIRT_AUTH_FILE="$out/auth-other.conf" sasl_run - - conf "$t"
        }
        sasl_host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).hostname)' "$t")
        auth_conf() { # FILE GROUP PASSWORD
            printf '[credentials-sasl]\nauthname=%s\npassword=%s\n\n[%s]\ncredentials=sasl\n' \
                "$sasl_user" "$3" "$2" > "$out/$1"
        }
        auth_conf auth-host.conf "auth-libvirt-$sasl_host" "$sasl_password"
        auth_conf auth-default.conf auth-libvirt-default "$sasl_password"
        auth_conf auth-wrong.conf "auth-libvirt-$sasl_host" wrong
        auth_conf auth-other.conf auth-libvirt-elsewhere "$sasl_password"
        flavour=ours sasl_runs > "$out/sasl.ours.out"
        if [ $have_ref = 1 ]; then
            flavour=ref sasl_runs > "$out/sasl.ref.out"
            if grep -qF "ap $t: opened, lookup test=test" "$out/sasl.ref.out" &&
                diff -u "$out/sasl.ref.out" "$out/sasl.ours.out" > "$out/sasl.diff"; then
                ok "sasl: SCRAM-SHA-256 and PLAIN over TLS, the reference's prompts and errors"
            else
                bad "sasl: outcomes differ from libvirt 9.0"; cat "$out/sasl.diff"
            fi
        else
            grep -qF "ap $t: opened, lookup test=test" "$out/sasl.ours.out" && ok "sasl: opens (no reference)" || bad "sasl: does not open"
        fi
        stop_daemon a
    else
        bad "sasl: daemon did not start"
    fi
fi

have_ssh=0
start_sshd && have_ssh=1
if [ $have_ssh = 1 ]; then
    : > "$sshdir/ssh.log"
    differential destroy-ssh destroy one_ssh
    if [ $have_ref = 1 ]; then
        # Each flavour opened two connections (read-write, read-only): one command line, six times.
        if [ "$(wc -l < "$sshdir/ssh.log")" = 6 ] && [ "$(sort -u "$sshdir/ssh.log" | wc -l)" = 1 ]; then
            ok "ssh: the reference's ssh command line"
        else
            bad "ssh: command lines differ from the reference's"; sort "$sshdir/ssh.log" | uniq -c
        fi
    fi
    differential kill-ssh kill kill_ssh
    differential close-ssh close kill_ssh
fi

# The driver's own failures, ours only: no daemon at all, a bad transport.
cat > "$out/noconn.c" <<'C'
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
static void quiet(void *u, virErrorPtr e) { (void)u; (void)e; }
int main(int argc, char **argv)
{
    virSetErrorFunc(NULL, quiet);
    for (int i = 1; i < argc; i++) {
        virConnectPtr c = virConnectOpen(argv[i]);
        virErrorPtr e = virGetLastError();
        printf("%s: %s code=%d domain=%d int1=%d msg=%s\n", argv[i], c ? "opened" : "failed",
               e ? e->code : 0, e ? e->domain : 0, e ? e->int1 : 0, e ? e->message : "");
    }
    return 0;
}
C
if gcc $CFLAGS -Iinclude -o "$out/noconn.ours" "$out/noconn.c" -L"$lib" -lvirt; then
    port=$(free_port)
    set -- "test+unix:///default?socket=$base/none/sock" "test+tcp://127.0.0.1:$port/default" \
        "test+tcp://127.0.0.1:$port/default?no_verify=yes" "test+ssh://127.0.0.1:$port/default?proxy=bogus"
    # Through ssh to a socket that is not there: the far side's complaint ends up in the error.
    [ $have_ssh = 1 ] && set -- "$@" "$(ssh_uri none)"
    LD_LIBRARY_PATH="$lib" timeout 30 "$out/noconn.ours" "$@" > "$out/noconn.ours.out"
    if [ $have_ref = 1 ]; then
        gcc $CFLAGS -o "$out/noconn.ref" "$out/noconn.c" -lvirt
        timeout 30 "$out/noconn.ref" "$@" > "$out/noconn.ref.out"
        if diff -u "$out/noconn.ref.out" "$out/noconn.ours.out"; then
            ok "no daemon: the reference's errors"
        else
            bad "no daemon: errors differ"
        fi
    else
        grep -q "failed code=38 domain=7" "$out/noconn.ours.out" && ok "no daemon: fails cleanly" || bad "no daemon"
    fi
else
    bad "noconn: compile"
fi

run_through_daemon

echo "remote: $pass passed, $fail failed"
[ $fail = 0 ]
