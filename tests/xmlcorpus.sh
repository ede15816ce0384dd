#!/usr/bin/env bash
# Real-world domain XML on the qemu driver (issue 16): every document of tests/data/xml-corpus/
# (written by us) and, where Debian's virt-install is present, documents it writes with
# --print-xml, started on the reference's embedded qemu driver (Debian's libvirt 9.0) and on ours,
# one embedded root each, guests destroyed right after. Per document both outcomes are printed
# (started, or refused with the error); the outcomes must be equal. The live XML of the documents
# both start is compared after normalizing ids, ports, paths and UUIDs; a difference fails the
# document (its diff is shown, in full with XC_SHOW_LIVE=1).
#
# Documents may hold @WORK@ (a scratch directory of the run) and @DISK@ (a 16 MiB qcow2 made with
# qemu-img at test time).
#
# usage: tests/xmlcorpus.sh [DOC...]   (names without .xml; default: all)
#        XC_RECORD=1 rewrites tests/data/xml-corpus/reference-outcomes.txt from the reference's run.
# The last line is `xmlcorpus: N passed, M failed`.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
finish() { echo "xmlcorpus: $pass passed, $fail failed"; [ $fail = 0 ]; exit; }

missing() {
    if [ "${CI:-}" = "true" ]; then bad "$1 is missing under CI"; finish; fi
    echo "################################################################"
    echo "# SKIP: $1 is not installed: the XML corpus"
    echo "#       (tests/xmlcorpus.sh) did not run"
    echo "################################################################"
    finish
}
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing "qemu-system-x86_64"
command -v qemu-img >/dev/null 2>&1 || missing "qemu-img"
[ -f /usr/include/libvirt/libvirt.h ] && [ -e /usr/lib/x86_64-linux-gnu/libvirt.so ] &&
    [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
    missing "Debian's libvirt with its qemu driver"

out=${XC_OUT:-$top/build/xmlcorpus}
rm -rf "$out"
mkdir -p "$out"
lib=$top/build/lib
[ "${XC_NO_BUILD:-}" = 1 ] || make -s lib >"$out/make.log" 2>&1 || { cat "$out/make.log"; bad "make lib"; finish; }
gcc -std=gnu11 -Wall -Wextra -Werror -O1 -g -o "$out/xmlcorpus" c-tests/qemu/xmlcorpus.c -lvirt-qemu -lvirt -lpthread \
    2>"$out/build.err" || { cat "$out/build.err"; bad "xmlcorpus.c does not compile"; finish; }

# Short paths: the guest agent socket libvirt makes under the root must fit a UNIX socket path
# (108 bytes), or the reference refuses the guest ("UNIX socket path ... too long").
base=$(mktemp -d /tmp/xc.XXXXXX)
# shellcheck source=tests/stragglers.sh
. "$top/tests/stragglers.sh"
cleanup() {
    local p
    for p in $(stragglers "$base"); do kill -9 "$p" 2>/dev/null && echo "xmlcorpus: killed straggler $p"; done
    rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The reference's embedded qemu driver, run as root, insists on these users and groups.
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd -r -g kvm libvirt-qemu

# --- the documents: ours, then virt-install's -------------------------------------------------
docs=$out/docs
mkdir -p "$docs"
if [ $# -gt 0 ]; then
    for d in "$@"; do
        [[ $d == virtinst-* ]] || cp "tests/data/xml-corpus/$d.xml" "$docs/" 2>/dev/null || echo "NOTE no document $d"
    done
else
    cp tests/data/xml-corpus/*.xml "$docs/"
fi

# virt-install --print-xml: Debian's virtinst writes what virt-manager users get. It needs a
# connection for the capabilities; the reference's embedded driver on a root of its own gives
# them without a daemon (tests/virtinst-embed.py supplies the event loop it needs). One variant per line: NAME then virt-install's arguments.
virtinst_variants() {
    cat <<'EOF'
virtinst-linux2022-user-vnc --osinfo linux2022 --network user --graphics vnc,listen=127.0.0.1
virtinst-linux2022-spice-agent --osinfo linux2022 --network user --graphics spice --channel unix,target.type=virtio,target.name=org.qemu.guest_agent.0
virtinst-generic-serial --osinfo generic --network user --graphics none --console pty,target.type=serial
virtinst-generic-rng-balloon --osinfo generic --network none --graphics none --rng /dev/urandom --memballoon virtio
virtinst-debian11-vnc-sound --osinfo debian11 --network user --graphics vnc --sound ich6
virtinst-debian11-watchdog --osinfo debian11 --network user --graphics none --watchdog i6300esb,action=reset
virtinst-win10-vnc --osinfo win10 --network user,model=e1000 --graphics vnc
virtinst-win10-spice --osinfo win10 --network user --graphics spice --sound ich9
virtinst-linux2022-cdrom --osinfo linux2022 --network user --graphics vnc --disk device=cdrom,bus=sata
EOF
}
XC_WANT="$*"
if command -v virt-install >/dev/null 2>&1; then
    vr=$base/vi
    mkdir -p "$vr/etc"
    qemu-img create -q -f qcow2 "$vr/disk.qcow2" 16M
    printf 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\nnamespaces = []\ncgroup_controllers = []\n' >"$vr/etc/qemu.conf"
    while read -r name args; do
        [ -z "$XC_WANT" ] || [[ " $XC_WANT " == *" $name "* ]] || continue
        # shellcheck disable=SC2086
        if timeout -k 5 120 /usr/bin/python3 tests/virtinst-embed.py --connect "qemu:///embed?root=$vr" --print-xml --name "$name" \
            --memory 128 --vcpus 1 --virt-type qemu --import --noautoconsole --check all=off \
            $( [[ "$args" == *--disk* ]] || echo --disk none ) ${args//@DISK@/$vr/disk.qcow2} \
            >"$docs/$name.xml" 2>"$out/$name.virtinst.err"; then
            sed -i "s|$vr/disk.qcow2|@DISK@|g" "$docs/$name.xml"
        else
            echo "NOTE virt-install $name failed: $(tail -1 "$out/$name.virtinst.err")"
            rm -f "$docs/$name.xml"
        fi
    done < <(virtinst_variants)
    rm -rf "$vr"
else
    echo "NOTE virt-install (Debian's virtinst) is not installed: its documents are not in this run"
fi

# --- one run per driver ------------------------------------------------------------------------
prepare() { # who -> a root with the reference's keys; the documents with @WORK@/@DISK@ filled in
    local who=$1 r w
    r=$base/$who
    w=$base/$who-work
    mkdir -p "$r/etc" "$w/docs" "$w/live"
    printf 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\nnamespaces = []\ncgroup_controllers = []\nstdio_handler = "file"\n' >"$r/etc/qemu.conf"
    qemu-img create -q -f qcow2 "$w/disk.qcow2" 16M
    local f
    for f in "$docs"/*.xml; do
        sed -e "s|@WORK@|$w|g" -e "s|@DISK@|$w/disk.qcow2|g" "$f" >"$w/docs/$(basename "$f")"
    done
    echo "$r $w"
}

run_driver() { # who lib-dir
    local who=$1 lp=$2 r w
    read -r r w < <(prepare "$who")
    (cd "$base" && LD_LIBRARY_PATH=$lp timeout -k 5 "${XC_TIMEOUT:-900}" "$out/xmlcorpus" "$r" "$w/live" "$w"/docs/*.xml) \
        >"$out/$who.raw" 2>"$out/$who.err"
    echo "exit $?" >>"$out/$who.raw"
    normalize_text "$r" "$w" <"$out/$who.raw" >"$out/$who.out"
    mkdir -p "$out/live-$who"
    local f
    for f in "$w"/live/*.xml; do
        [ -e "$f" ] || continue
        normalize_live "$r" "$w" <"$f" >"$out/live-$who/$(basename "$f")"
    done
    # The qemu command lines, for reading: the reference logs its own, ours logs what it ran.
    mkdir -p "$out/log-$who"
    cp "$r"/log/qemu/*.log "$out/log-$who/" 2>/dev/null
    for f in $(stragglers "$r"); do echo "NOTE $who left qemu $f running; killed"; kill -9 "$f" 2>/dev/null; done
}

normalize_text() { # root work: paths, timestamps and qemu's pids out of messages
    sed -E -e "s|$2|WORK|g" -e "s|$1|ROOT|g" \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z //g' -e 's/qemu-system-x86_64: //g' \
        -e 's|/dev/pts/[0-9]+|/dev/pts/N|g' -e 's/domain-[0-9]+-/domain-N-/g'
}

normalize_live() { # root work: what differs from run to run in a live XML
    normalize_text "$1" "$2" | sed -E \
        -e "s/<domain type='([a-z]+)' id='[0-9]+'/<domain type='\\1' id='N'/" \
        -e 's|<uuid>[0-9a-f-]+</uuid>|<uuid>UUID</uuid>|' \
        -e "s/(port|websocket)='59[0-9][0-9]'/\\1='PORT'/g" \
        -e "s/(port|websocket)='57[0-9][0-9]'/\\1='PORT'/g" \
        -e "s/<mac address='52:54:00:[0-9a-f:]+'/<mac address='MAC'/" \
        -e "s/<label>[^<]*<\\/label>/<label>LABEL<\\/label>/g"
}

run_driver ref ""
run_driver ours "$lib"

# --- compare -----------------------------------------------------------------------------------
outcome() { # file name -> started / refused / missing
    local l
    l=$(grep -m1 "^$2: " "$1") || { echo missing; return; }
    l=${l#"$2: "}
    echo "${l%%:*}"
}
started_ref=0 started_ours=0 live_equal=0 total=0
: >"$out/outcomes.txt"
for f in "$docs"/*.xml; do
    n=$(basename "$f" .xml)
    total=$((total + 1))
    ro=$(outcome "$out/ref.out" "$n")
    oo=$(outcome "$out/ours.out" "$n")
    echo "$n: reference $ro, ours $oo" >>"$out/outcomes.txt"
    [ "$ro" = started ] && started_ref=$((started_ref + 1))
    [ "$oo" = started ] && started_ours=$((started_ours + 1))
    if [ "$ro" = "$oo" ]; then
        ok "$n: $ro on both"
    elif gap=$(grep "^$n: " tests/data/xml-corpus/known-gaps.txt 2>/dev/null); then
        # Written down, with its reason, where the issue that owns it stays open.
        echo "NOTE $n: reference $ro, ours $oo: known gap (${gap#*: })"
    else
        bad "$n: reference $ro, ours $oo"
        grep "^$n: " "$out/ref.out" | sed 's/^/  reference: /' | cut -c1-400
        grep "^$n: " "$out/ours.out" | sed 's/^/  ours:      /' | cut -c1-400
    fi
    if [ "$ro" = refused ] && [ "$oo" = refused ] &&
        [ "$(grep "^$n: " "$out/ref.out")" != "$(grep "^$n: " "$out/ours.out")" ]; then
        echo "NOTE $n: refused with another message"
        grep "^$n: " "$out/ref.out" | sed 's/^/  reference: /' | cut -c1-400
        grep "^$n: " "$out/ours.out" | sed 's/^/  ours:      /' | cut -c1-400
    fi
    if [ "$ro" = started ] && [ "$oo" = started ]; then
        if diff -u "$out/live-ref/$n.live.xml" "$out/live-ours/$n.live.xml" >"$out/live-$n.diff"; then
            live_equal=$((live_equal + 1))
            rm -f "$out/live-$n.diff"
        else
            bad "$n: the live XML differs from the reference's"
            if [ -n "${XC_SHOW_LIVE:-}" ]; then cat "$out/live-$n.diff"; else head -40 "$out/live-$n.diff"; fi
        fi
    fi
done
# The balloon's stats period as qemu holds it (<memballoon><stats period=N/>, set at start).
if diff <(grep '^balloon ' "$out/ref.out") <(grep '^balloon ' "$out/ours.out") >"$out/balloon.diff"; then
    ok "the balloons' stats periods in qemu are the reference's ($(grep -c '^balloon ' "$out/ref.out") guests)"
else
    bad "the balloons' stats periods in qemu differ from the reference's"; cat "$out/balloon.diff"
fi
echo "xmlcorpus: $total documents; started on the reference $started_ref, on ours $started_ours; live XML equal $live_equal (diffs in $out/live-*.diff)"

# The reference's outcome per document, as recorded in the repository (XC_RECORD=1 rewrites it).
recorded=tests/data/xml-corpus/reference-outcomes.txt
grep -v '^exit ' "$out/ref.out" | grep -v '^virtinst-' | grep -v '^balloon ' | sed -E 's/^([^:]+): (started|refused).*/\1: \2/' | sort >"$out/ref-outcomes.txt"
if [ -n "${XC_RECORD:-}" ]; then
    cp "$out/ref-outcomes.txt" "$recorded"
elif [ $# -eq 0 ] && ! diff -u "$recorded" "$out/ref-outcomes.txt" >"$out/recorded.diff"; then
    echo "NOTE the reference's outcomes differ from $recorded:"; head -20 "$out/recorded.diff"
fi
left=$(stragglers "$base")
[ -n "$left" ] && bad "processes left behind: $left"
finish
