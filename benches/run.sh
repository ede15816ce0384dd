#!/usr/bin/env bash
# `make bench`: run benches/bench.c against Debian's libvirt 9.0 (the reference, default loader)
# and against ours (LD_LIBRARY_PATH), alternating, several rounds per scenario; then profile ours.
# Prints a markdown table and writes it to benches/results/latest.md and a dated copy.
#
# Every qemu started here (by either library or by the qemu-raw mode) and every temporary root is
# removed on exit, on failure and on Ctrl-C: see cleanup() below.
#
# Knobs (environment): BENCH_ROUNDS (5), BENCH_S3_ROUNDS (2), BENCH_S4_ROUNDS (3),
# BENCH_BIG_ROUNDS (3), BENCH_MAX_GUESTS (50), BENCH_PROFILE (1), BENCH_KEEP (0: 1 keeps the
# temporary directory for debugging, after killing every qemu), BENCH_SCENARIOS (all; a
# space-separated subset of: raw lifecycle gstop fstop par testdrv mem watch remote; par includes
# qemu's own parallel exit), BENCH_REMOTE_CALLS (20000), BENCH_REMOTE_EVENTS (2000).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

ROUNDS=${BENCH_ROUNDS:-5}
S3_ROUNDS=${BENCH_S3_ROUNDS:-2}
S4_ROUNDS=${BENCH_S4_ROUNDS:-3}
BIG_ROUNDS=${BENCH_BIG_ROUNDS:-3}
MAX_GUESTS=${BENCH_MAX_GUESTS:-50}
PROFILE=${BENCH_PROFILE:-1}
SCENARIOS=${BENCH_SCENARIOS:-"raw lifecycle gstop fstop par testdrv mem watch remote"}
REMOTE_CALLS=${BENCH_REMOTE_CALLS:-20000}
REMOTE_EVENTS=${BENCH_REMOTE_EVENTS:-2000}
SHORT_GRACE_MS=100
RESULTS=benches/results
mkdir -p "$RESULTS" build/bench

BASE=$(mktemp -d /tmp/oxvirt-bench.XXXXXX)
BENCH_PID=
KNOWN_PIDS=$BASE/pids          # "pid starttime" of every qemu a bench process reported
RAW=$BASE/raw.tsv              # scenario lib round metric value
INFOS=$BASE/info.tsv           # scenario lib round key text
LOG=$BASE/stderr.log
: >"$KNOWN_PIDS"
: >"$LOG"
: >"$RAW"
: >"$INFOS"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Is PID a qemu-system process?
is_qemu() { [[ -r /proc/$1/comm ]] && [[ $(cat /proc/$1/comm 2>/dev/null) == qemu-system* ]]; }

# Every qemu that belongs to this run: reported by bench (pid + start time must match), named in a
# pid file under our roots, or holding a file open under $BASE (qemu's stdout/stderr go to the log
# under the root with both libraries). Only these are ever signalled, by pid.
our_qemus() {
    {
        while read -r pid st; do
            [[ -n $pid ]] || continue
            [[ -r /proc/$pid/stat ]] || continue
            local now
            now=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $20}') || continue
            [[ $now == "$st" ]] && echo "$pid"
        done <"$KNOWN_PIDS"
        for f in "$BASE"/*/run/qemu/*.pid; do
            [[ -f $f ]] && head -c 32 "$f" | tr -dc '0-9' && echo
        done
        for fd in /proc/[0-9]*/fd/*; do
            local t
            t=$(readlink "$fd" 2>/dev/null) || continue
            [[ $t == "$BASE"/* ]] && { p=${fd#/proc/}; echo "${p%%/*}"; }
        done
    } 2>/dev/null | sort -un | while read -r pid; do
        if [[ -n $pid ]] && is_qemu "$pid"; then echo "$pid"; fi
    done
    return 0
}

kill_our_qemus() {
    local pids
    pids=$(our_qemus | tr '\n' ' ')
    [[ -z ${pids// /} ]] && return 0
    log "killing leftover qemu processes: $pids"
    for p in $pids; do kill -CONT "$p" 2>/dev/null || true; kill -KILL "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do
        local alive=0
        for p in $pids; do [[ -d /proc/$p ]] && [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]] && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
}

# Every descendant of a pid (bench under timeout, under strace or valgrind, and the qemus it spawned).
descendants() {
    ps -e -o pid=,ppid= 2>/dev/null | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            changed = 1; inset[root] = 1
            while (changed) {
                changed = 0
                for (p in parent) if (!(p in inset) && (parent[p] in inset)) { inset[p] = 1; changed = 1 }
            }
            for (p in inset) if (p != root) printf "%s ", p
        }'
}

# Stop the running bench process: BENCH_PID is `timeout`, which forwards TERM to bench; KILL
# both (by pid) if they are still there after 3 s.
stop_bench() {
    [[ -n $BENCH_PID ]] || return 0
    local kids
    kids=$(descendants "$BENCH_PID")
    kill -TERM "$BENCH_PID" $kids 2>/dev/null || true
    for _ in $(seq 30); do
        kill -0 "$BENCH_PID" $kids 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$BENCH_PID" $kids 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
    BENCH_PID=
}

# The private libvirtd of the remote scenario (started as tests/remote.sh starts its daemons).
DAEMON_PID=
stop_daemon() {
    [[ -n $DAEMON_PID ]] || return 0
    kill "$DAEMON_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
    return 0
}

# start_daemon DIR: Debian's libvirtd on a unix socket in DIR (no TCP, auth none), as nobody
# when we are root; its socket path on stdout once it listens.
start_daemon() {
    local d=$1 as=()
    mkdir -p "$d"
    chmod 711 "$BASE" # the daemon runs as nobody
    cat >"$d/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_dir = "$d"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0777"
log_outputs = "3:file:$d/libvirtd.log"
CONF
    if [[ $(id -u) == 0 ]]; then
        chown -R 65534:65534 "$d"
        as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
    "${as[@]}" env HOME="$d" XDG_RUNTIME_DIR="$d/run" XDG_CONFIG_HOME="$d/config" \
        XDG_CACHE_HOME="$d/cache" XDG_DATA_HOME="$d/data" /usr/sbin/libvirtd --config "$d/libvirtd.conf" \
        --pid-file "$d/libvirtd.pid" </dev/null >"$d/stdout" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 100); do
        [[ -S $d/libvirt-sock ]] && { echo "$d/libvirt-sock"; return 0; }
        kill -0 "$DAEMON_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "ERROR: libvirtd did not start: $(tail -n 3 "$d/stdout" "$d/libvirtd.log" 2>/dev/null)"
    return 1
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    stop_bench
    stop_daemon
    kill_our_qemus
    local left
    left=$(our_qemus | tr '\n' ' ')
    [[ -n ${left// /} ]] && log "WARNING: qemu processes still present: $left"
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        log "kept $BASE (BENCH_KEEP=1)"
    else
        rm -rf "$BASE"
        [[ -e $BASE ]] && log "WARNING: could not remove $BASE"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# ---------------------------------------------------------------- build, once
log "compiling benches/bench.c against Debian's libvirt $(pkg-config --modversion libvirt) headers"
BENCH=build/bench/bench
gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags libvirt) -o "$BENCH" benches/bench.c \
    $(pkg-config --libs libvirt) -lpthread
# A private copy of our library, so that a concurrent `make lib` cannot swap it in mid-run.
OURLIB=$BASE/ourlib
mkdir -p "$OURLIB"
cp -L build/lib/libvirt.so.0 "$OURLIB/libvirt.so.0"
REF_SO=$(ldd "$BENCH" | awk '/libvirt.so.0/ {print $3}')

# ---------------------------------------------------------------- roots
QEMU_CONF='user = "root"
group = "root"
security_driver = "none"
namespaces = []
cgroup_controllers = []
stdio_handler = "file"'
mkroot() { # name [extra qemu.conf lines]
    mkdir -p "$BASE/$1/etc"
    printf '%s\n%s\n' "$QEMU_CONF" "${2:-}" >"$BASE/$1/etc/qemu.conf"
}
# The reference, run as root, wants these to exist before it reads qemu.conf.
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd -r -g kvm libvirt-qemu
mkroot ref          # the reference (its kill timeouts are fixed: 15 s graceful, 10 s grace)
mkroot ours         # ours, default timeouts (the reference's)
mkroot ours-short "oxvirt_grace_before_sigkill_ms = $SHORT_GRACE_MS"
mkdir -p "$BASE/raw"

# ---------------------------------------------------------------- running one process
# run_bench SCENARIO LIB ROUND TIMEOUT_S bench-args...   (LIB: ref | ours | qemu)
run_bench() {
    local scen=$1 lib=$2 round=$3 tmo=$4
    shift 4
    local out=$BASE/out.txt rc=0
    local -a envv=()
    # What else is running on the machine right now (other people's tests share it).
    local ours_now foreign
    ours_now=" $(our_qemus | tr '\n' ' ') "
    foreign=$({ for p in /proc/[0-9]*; do c=$(cat "$p/comm" 2>/dev/null) && [[ $c == qemu-system* ]] &&
        [[ $ours_now != *" ${p#/proc/} "* ]] && echo x; done; true; } | wc -l)
    echo "$(cut -d' ' -f1 /proc/loadavg) $foreign" >>"$BASE/load.txt"
    [[ $lib == ours ]] && envv=(LD_LIBRARY_PATH="$OURLIB")
    echo "=== $scen $lib round $round: $*" >>"$LOG"
    env "${envv[@]}" timeout -k 5 "$tmo" "$BENCH" "$@" >"$out" 2>>"$LOG" &
    BENCH_PID=$!
    wait "$BENCH_PID" || rc=$?
    BENCH_PID=
    awk '$1 == "PID" {print $2, $3}' "$out" >>"$KNOWN_PIDS"
    awk -v s="$scen" -v l="$lib" -v r="$round" '$1 == "RESULT" {print s "\t" l "\t" r "\t" $2 "\t" $3}' "$out" >>"$RAW"
    awk -v s="$scen" -v l="$lib" -v r="$round" '$1 == "INFO" || $1 == "FAIL" {k = ($1 == "FAIL") ? "FAIL" : $2; t = $0; sub(/^[A-Z]+ /, "", t); if ($1 == "INFO") sub(/^[^ ]+ /, "", t); print s "\t" l "\t" r "\t" k "\t" t}' "$out" >>"$INFOS"
    # The right library?
    if [[ $lib != qemu ]]; then
        local got
        got=$(awk '$1 == "INFO" && $2 == "library" {print $3}' "$out")
        if [[ $lib == ours && $got != "$OURLIB/libvirt.so.0" ]] || [[ $lib == ref && $(readlink -f "$got") != $(readlink -f "$REF_SO") ]]; then
            log "ERROR: $scen/$lib loaded '$got'"
            exit 1
        fi
    fi
    if ((rc != 0)); then
        log "WARNING: $scen $lib round $round exited with $rc ($(grep -m1 FAIL "$out" || echo 'see log'))"
        printf '%s\t%s\t%s\tFAIL\texit status %s\n' "$scen" "$lib" "$round" "$rc" >>"$INFOS"
    fi
    # Nothing may be left running after a process that destroyed all it created.
    local left
    left=$(our_qemus | tr '\n' ' ')
    if [[ -n ${left// /} ]]; then
        printf '%s\t%s\t%s\tleftover_qemu\t%s\n' "$scen" "$lib" "$round" "$left" >>"$INFOS"
        log "WARNING: qemu left running after $scen $lib round $round: $left"
        kill_our_qemus
    fi
    return 0
}

# Alternate which library goes first, round by round.
pair() { # SCENARIO ROUND TIMEOUT args-for-ref -- args-for-ours
    local scen=$1 round=$2 tmo=$3
    shift 3
    local -a a=() b=()
    while [[ $1 != -- ]]; do a+=("$1"); shift; done
    shift
    b=("$@")
    if ((round % 2)); then
        run_bench "$scen" ref "$round" "$tmo" "${a[@]}"
        run_bench "$scen" ours "$round" "$tmo" "${b[@]}"
    else
        run_bench "$scen" ours "$round" "$tmo" "${b[@]}"
        run_bench "$scen" ref "$round" "$tmo" "${a[@]}"
    fi
}

want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
U_REF="qemu:///embed?root=$BASE/ref"
U_OURS="qemu:///embed?root=$BASE/ours"
U_SHORT="qemu:///embed?root=$BASE/ours-short"
START=$(date +%s)

# ---------------------------------------------------------------- the machine
MEM_AVAIL_KIB=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
# ~100-150 MiB RSS per 64 MiB TCG guest: budget 160 MiB each and keep 2 GiB free.
NBIG=$(((MEM_AVAIL_KIB - 2 * 1024 * 1024) / (160 * 1024)))
((NBIG > MAX_GUESTS)) && NBIG=$MAX_GUESTS
OTHER_QEMUS=$({ for p in /proc/[0-9]*; do c=$(cat "$p/comm" 2>/dev/null) && [[ $c == qemu-system* ]] && [[ $(awk '{print $3}' "$p/stat" 2>/dev/null) != Z ]] && echo "${p#/proc/}"; done; true; } | wc -l)
{
    echo "date	$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "kernel	$(uname -r)"
    echo "cpu	$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo) ($(nproc) CPUs)"
    echo "qemu	$(qemu-system-x86_64 --version | head -1)"
    echo "reference	Debian libvirt0 $(dpkg-query -W -f '${Version}' libvirt0 2>/dev/null) ($REF_SO)"
    echo "ours	build/lib/libvirt.so.0 sha256 $(sha256sum "$OURLIB/libvirt.so.0" | cut -c1-16), git $(git rev-parse --short HEAD 2>/dev/null) ($(git status --porcelain 2>/dev/null | wc -l) files differ from HEAD)"
    echo "mem	MemAvailable $((MEM_AVAIL_KIB / 1024)) MiB at start; big parallel scenario N = $NBIG"
    echo "load	$(cut -d' ' -f1-3 /proc/loadavg) at start; other qemu processes already running: $OTHER_QEMUS"
    echo "rounds	$ROUNDS (scenario 3: $S3_ROUNDS, scenario 4: $S4_ROUNDS, N=$NBIG: $BIG_ROUNDS)"
} >"$BASE/meta.tsv"
log "base $BASE; $(grep ^mem "$BASE/meta.tsv" | cut -f2)"

# ---------------------------------------------------------------- scenarios
if want raw || want lifecycle; then
    for r in $(seq "$ROUNDS"); do
        log "scenarios 1+2 and qemu itself, round $r/$ROUNDS"
        want raw && run_bench raw qemu "$r" 120 qemu-raw "$BASE/raw" 3
        want lifecycle && pair lifecycle "$r" 240 lifecycle "$U_REF" "$BASE/ref" 3 -- \
            lifecycle "$U_OURS" "$BASE/ours" 3
    done
fi

if want gstop; then
    for r in $(seq "$S3_ROUNDS"); do
        log "scenario 3 (GRACEFUL on a SIGSTOPped guest, default timeouts), round $r/$S3_ROUNDS"
        pair gstop "$r" 180 graceful-stopped "$U_REF" "$BASE/ref" -- graceful-stopped "$U_OURS" "$BASE/ours"
    done
fi

if want fstop; then
    for r in $(seq "$S4_ROUNDS"); do
        log "scenario 4 (forced destroy of a SIGSTOPped guest), round $r/$S4_ROUNDS"
        pair fstop "$r" 180 forced-stopped "$U_REF" "$BASE/ref" 1 -- forced-stopped "$U_OURS" "$BASE/ours" 1
        run_bench fstop-short ours "$r" 120 forced-stopped "$U_SHORT" "$BASE/ours-short" 3
    done
fi

if want par; then
    for r in $(seq "$ROUNDS"); do
        log "scenario 5, N=10, round $r/$ROUNDS"
        run_bench rawpar10 qemu "$r" 120 qemu-raw-par "$BASE/raw" 10
        pair par10 "$r" 300 parallel "$U_REF" "$BASE/ref" 10 -- parallel "$U_OURS" "$BASE/ours" 10
    done
    if ((NBIG > 10)); then
        for r in $(seq "$BIG_ROUNDS"); do
            log "scenario 5, N=$NBIG, round $r/$BIG_ROUNDS"
            run_bench rawparN qemu "$r" 300 qemu-raw-par "$BASE/raw" "$NBIG"
            pair parN "$r" 600 parallel "$U_REF" "$BASE/ref" "$NBIG" -- parallel "$U_OURS" "$BASE/ours" "$NBIG"
        done
    fi
fi

if want watch; then
    # Issue 17: 20 running guests (fewer if memory is short) watched, one saved and restored.
    NWATCH=$((NBIG < 20 ? NBIG : 20))
    for r in $(seq "$ROUNDS"); do
        log "scenario 8 ($NWATCH running guests: all stats, GetInfo, save + restore), round $r/$ROUNDS"
        pair watch "$r" 900 watch "$U_REF" "$BASE/ref" "$NWATCH" -- watch "$U_OURS" "$BASE/ours" "$NWATCH"
    done
fi

if want testdrv; then
    for r in $(seq "$ROUNDS"); do
        log "scenario 6 (test driver), round $r/$ROUNDS"
        pair testdrv "$r" 300 testdrv 20000 200000 -- testdrv 20000 200000
    done
fi

if want remote; then
    if [[ -x /usr/sbin/libvirtd ]]; then
        for r in $(seq "$ROUNDS"); do
            log "scenario 9 (remote: a private libvirtd serving the test driver), round $r/$ROUNDS"
            # A fresh daemon per round: both clients see the same daemon in each round.
            start_daemon "$BASE/daemon-$r" >"$BASE/daemon-sock" || exit 1
            U_REMOTE="test+unix:///default?socket=$(cat "$BASE/daemon-sock")"
            pair remote "$r" 300 remote "$U_REMOTE" "$REMOTE_CALLS" "$REMOTE_EVENTS" -- \
                remote "$U_REMOTE" "$REMOTE_CALLS" "$REMOTE_EVENTS"
            stop_daemon
        done
    else
        log "SKIP: scenario 9 (remote): /usr/sbin/libvirtd is missing (package libvirt-daemon)"
    fi
fi

if want mem; then
    for r in $(seq "$ROUNDS"); do
        log "scenario 7 (peak RSS with 10,000 test-driver domains), round $r/$ROUNDS"
        pair mem "$r" 120 mem 10000 -- mem 10000
    done
fi

# ---------------------------------------------------------------- profile of ours
PROF=$BASE/profile
mkdir -p "$PROF"
if ((PROFILE)); then
    if perf stat -e instructions true >/dev/null 2>&1 && ! perf stat -e instructions true 2>&1 | grep -q 'not supported'; then
        PERF_OK=1
    else
        PERF_OK=0
    fi
    echo "perf_hw	$PERF_OK" >>"$BASE/meta.tsv"
    if command -v valgrind >/dev/null; then
        log "profile: callgrind on a short test-driver run of ours"
        LD_LIBRARY_PATH="$OURLIB" timeout 600 valgrind --tool=callgrind --dump-instr=no \
            --callgrind-out-file="$PROF/callgrind.out" "$BENCH" testdrv 2000 20000 \
            >"$PROF/callgrind-stdout.txt" 2>"$PROF/callgrind-stderr.txt" &
        BENCH_PID=$!
        wait "$BENCH_PID" || log "WARNING: callgrind run failed"
        BENCH_PID=
        for f in "$PROF"/callgrind.out.*; do
            [[ -f $f ]] || continue
            phase=$(awk '/^desc: Trigger: Client Request: / {print $NF}' "$f")
            callgrind_annotate --auto=no --inclusive=no --threshold=100 "$f" >"$PROF/callgrind-$phase-self.txt" 2>/dev/null || true
            callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$f" >"$PROF/callgrind-$phase-inclusive.txt" 2>/dev/null || true
        done
    fi
    if command -v strace >/dev/null; then
        log "profile: strace of one create + destroy with ours"
        mkroot ours-strace
        LD_LIBRARY_PATH="$OURLIB" timeout 120 strace -f -b execve -T -tt -o "$PROF/strace-lifecycle-ours.txt" \
            "$BENCH" lifecycle "qemu:///embed?root=$BASE/ours-strace" "$BASE/ours-strace" 2 \
            >"$PROF/strace-stdout.txt" 2>>"$LOG" &
        BENCH_PID=$!
        wait "$BENCH_PID" || log "WARNING: strace run failed"
        BENCH_PID=
        awk '$1 == "PID" {print $2, $3}' "$PROF/strace-stdout.txt" >>"$KNOWN_PIDS"
        kill_our_qemus
    fi
fi
echo "duration	$(($(date +%s) - START)) s" >>"$BASE/meta.tsv"
if [[ -s $BASE/load.txt ]]; then
    echo "load_during	$(sort -n "$BASE/load.txt" | awk '{l[NR] = $1; if ($2 > q) q = $2} END {printf "1-min load average before each bench process: median %s, max %s; qemu processes not ours running at once: up to %d", l[int((NR + 1) / 2)], l[NR], q}')" >>"$BASE/meta.tsv"
fi

# ---------------------------------------------------------------- report
STAMP=$(date -u +%Y-%m-%d_%H%M%S)
python3 benches/report.py --raw "$RAW" --info "$INFOS" --meta "$BASE/meta.tsv" --profile "$PROF" \
    --results "$RESULTS" --stamp "$STAMP" --short-grace "$SHORT_GRACE_MS" >"$BASE/report.md"
cp "$BASE/report.md" "$RESULTS/latest.md"
cp "$BASE/report.md" "$RESULTS/$STAMP.md"
cp "$RAW" "$RESULTS/raw-$STAMP.tsv"
cp "$INFOS" "$RESULTS/info-$STAMP.tsv"
cp "$BASE/meta.tsv" "$RESULTS/meta-$STAMP.tsv"
cp "$LOG" "$RESULTS/stderr-$STAMP.log"
cat "$BASE/report.md"
log "written $RESULTS/latest.md and $RESULTS/$STAMP.md"
python3 benches/readme-table.py && log "README.md's benchmark table updated"
